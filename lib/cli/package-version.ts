// The tool's own version, from package.json, for --version and transcript headers.

import { readFile } from 'node:fs/promises'

let cached: string | undefined

export async function packageVersion(): Promise<string> {
  if (cached) return cached
  // From lib/cli the package.json is two levels up; from dist/lib/cli, three.
  for (const relative of ['../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(await readFile(new URL(relative, import.meta.url), 'utf8')) as { name?: string; version?: string }
      if (pkg.name === 'kafka-runbooks') return (cached = pkg.version ?? 'unknown')
    } catch {
      // not at this level
    }
  }
  return (cached = 'unknown')
}
