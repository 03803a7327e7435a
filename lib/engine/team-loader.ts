// Loads a team's runbook file, whatever runtime the tool runs on: natively where it can (JavaScript; TypeScript
// on Bun and on Node with type stripping), through module hooks otherwise. Either way `kafka-runbooks` in the
// runbook means this very tool, not another copy that happens to sit in a node_modules folder.

import { createRequire, register } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { HooksData } from './module-hooks.ts'
import { ExitCode } from './exit-codes.ts'

const ownEntries = (): Record<string, string> => {
  const extension = import.meta.url.endsWith('.ts') ? 'ts' : 'js'
  return {
    'kafka-runbooks': new URL(`../index.${extension}`, import.meta.url).href,
    'kafka-runbooks/testing': new URL(`../testkit/index.${extension}`, import.meta.url).href,
  }
}

/** A runbook file that needs something this runtime lacks; the message says what to do. */
export class RunbookLoadError extends Error {
  readonly exitCode = ExitCode.refused
}

const isBun = typeof (process.versions as Record<string, string | undefined>).bun === 'string'
/** Node strips types itself from 22.18 / 23.6 on (process.features.typescript); Bun always runs TypeScript. */
const runtimeRunsTypeScript = () => isBun || Boolean((process.features as { typescript?: unknown }).typescript)

let registered: { typescript: boolean } | null = null

function findTypeScript(nearDir: string): string | null {
  for (const base of [join(nearDir, 'noop.js'), import.meta.filename ?? new URL(import.meta.url).pathname]) {
    try {
      return createRequire(base).resolve('typescript')
    } catch {
      // not installed there
    }
  }
  return null
}

async function registerOnce(needTypeScript: boolean, nearDir: string): Promise<void> {
  if (registered && (registered.typescript || !needTypeScript)) return
  if (isBun) {
    // Bun's runtime plugins cannot redirect a bare specifier (onResolve is ignored at run time), but a virtual
    // module can stand in for the package and re-export the tool's own entry point.
    const bun = (globalThis as { Bun?: { plugin(plugin: unknown): void } }).Bun!
    const entries = ownEntries()
    bun.plugin({
      name: 'kafka-runbooks',
      setup(build: { module(specifier: string, callback: () => { contents: string; loader: string }): void }) {
        for (const [specifier, url] of Object.entries(entries)) {
          build.module(specifier, () => ({ contents: `export * from ${JSON.stringify(fileURLToPath(url))}`, loader: 'js' }))
        }
      },
    })
    registered = { typescript: true }
    return
  }
  // From TypeScript sources the host (vitest, tsx) already compiles .ts and maps the package name itself.
  if (import.meta.url.endsWith('.ts')) {
    registered = { typescript: true }
    return
  }
  const typescript = needTypeScript ? findTypeScript(nearDir) : null
  if (needTypeScript && !typescript) {
    throw new RunbookLoadError(
      'TypeScript runbooks need Node ≥ 22.18, Bun, or the typescript package on this Node — npm install --save-dev typescript (or write the runbook in JavaScript)',
    )
  }
  const data: HooksData = { packages: ownEntries(), typescript }
  register(new URL('./module-hooks.js', import.meta.url), { parentURL: import.meta.url, data })
  registered = { typescript: needTypeScript }
}

/** Imports a team runbook file (TypeScript or JavaScript) as a module. */
export async function importTeamRunbook(path: string): Promise<unknown> {
  const typescriptFile = /\.[mc]?ts$/.test(path)
  await registerOnce(typescriptFile && !runtimeRunsTypeScript(), dirname(path))
  return import(pathToFileURL(path).href)
}
