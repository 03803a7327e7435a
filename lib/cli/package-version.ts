// The tool's own version, from package.json, for --version and transcript headers. Read synchronously: one small
// file, and node:fs/promises would be one more module tree for a cold `runbook list` to load. node:fs itself loads
// when the version is first asked for: `runbook --help` under Bun need not load it at all.

let cached: string | undefined

export async function packageVersion(): Promise<string> {
  if (cached) return cached
  // Not import(): in the CommonJS bundles of the one-shot commands that would start Node's ES module loader.
  const { readFileSync } = process.getBuiltinModule('node:fs')
  // From lib/cli the package.json is two levels up; from dist/lib/cli, three.
  for (const relative of ['../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(relative, import.meta.url), 'utf8')) as { name?: string; version?: string }
      if (pkg.name === 'kafka-runbooks') return (cached = pkg.version ?? 'unknown')
    } catch {
      // not at this level
    }
  }
  return (cached = 'unknown')
}
