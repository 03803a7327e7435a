// Global setup of the `cli` project: the smoke tests run the real `runbook` launcher on the compiled dist/,
// so compile it first (the same step `npm install` runs as prepare).

import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export default function build(): void {
  const root = fileURLToPath(new URL('../..', import.meta.url))
  execFileSync(process.execPath, [fileURLToPath(new URL('../../node_modules/typescript/bin/tsc', import.meta.url)), '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit', timeout: 300_000 })
}
