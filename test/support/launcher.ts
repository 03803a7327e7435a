// Runs bin/runbook.js as a user would: a separate process on Node, or on Bun when RUNBOOK_SMOKE_RUNTIME=bun.

import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export const projectRoot = fileURLToPath(new URL('../..', import.meta.url))
const launcher = fileURLToPath(new URL('../../bin/runbook.js', import.meta.url))
export const runtime = process.env.RUNBOOK_SMOKE_RUNTIME === 'bun' ? 'bun' : 'node'

export interface Launched {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

export function launch(args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Launched {
  const command = runtime === 'bun' ? 'bun' : process.execPath
  const result = spawnSync(command, [launcher, ...args], {
    cwd: options.cwd ?? projectRoot,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', RUNBOOK_SANDBOX_NAME: 'smoke-none', ...options.env },
    encoding: 'utf8',
    timeout: 60_000,
  })
  if (result.error) throw result.error
  return { code: result.status, stdout: result.stdout, stderr: result.stderr }
}
