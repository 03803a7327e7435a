// Builds dist/ the way `npm install` does (npm run build: an empty dist, tsc, the bundles, the runbook catalog), once per test
// run: the smoke tests and the integration tests that start the built CLI both wait on the same build.

import { execFile } from 'node:child_process'
import { rmSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

const root = fileURLToPath(new URL('../..', import.meta.url))
const run = promisify(execFile)
// Each vitest project loads its global setup in a module graph of its own: the one build is kept on globalThis.
const once = Symbol.for('kafka-runbooks.test.build-dist')
const shared = globalThis as typeof globalThis & { [once]?: Promise<void> }

async function build(): Promise<void> {
  const tsc = fileURLToPath(new URL('../../node_modules/typescript/bin/tsc', import.meta.url))
  // A compiled file whose source moved or went would otherwise stay, and the catalog step would load it.
  rmSync(fileURLToPath(new URL('../../dist', import.meta.url)), { recursive: true, force: true })
  // A machine shared by many builds may need longer: RUNBOOK_TEST_BUILD_TIMEOUT_MS (default 10 minutes).
  const timeout = Number(process.env.RUNBOOK_TEST_BUILD_TIMEOUT_MS || 600_000)
  await run(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, timeout })
  await run(process.execPath, ['scripts/bundle-kafka-client.mjs'], { cwd: root, timeout: 120_000 })
  await run(process.execPath, ['scripts/bundle-cli.mjs'], { cwd: root, timeout: 120_000 })
  await run(process.execPath, ['scripts/build-catalog.mjs'], { cwd: root, timeout: 120_000 })
}

export function buildDist(): Promise<void> {
  shared[once] ??= build()
  return shared[once]
}
