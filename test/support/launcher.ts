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

const runtimeCommand = runtime === 'bun' ? 'bun' : process.execPath

export function launch(args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Launched {
  const command = runtimeCommand
  const result = spawnSync(command, [launcher, ...args], {
    cwd: options.cwd ?? projectRoot,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', RUNBOOK_SANDBOX_NAME: 'smoke-none', ...options.env },
    encoding: 'utf8',
    timeout: 60_000,
  })
  if (result.error) throw result.error
  return { code: result.status, stdout: result.stdout, stderr: result.stderr }
}

/** Runs the launcher as `"$@"` inside a bash `script` (a pipe, a redirection) that ends with the launcher's exit code. */
function launchInBash(script: string, args: readonly string[]): Launched {
  const result = spawnSync('bash', ['-c', script, 'bash', runtimeCommand, launcher, ...args], {
    cwd: projectRoot,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', RUNBOOK_SANDBOX_NAME: 'smoke-none' },
    encoding: 'utf8',
    timeout: 60_000,
  })
  if (result.error) throw result.error
  return { code: result.status, stdout: result.stdout, stderr: result.stderr }
}

/**
 * Runs the launcher with its stdout piped into a shell command (`true` closes the pipe before anything is written),
 * through bash; `code` is the launcher's own exit code, `stdout` what the reader printed.
 */
export function launchPiped(args: readonly string[], reader: string): Launched {
  return launchInBash(`"$@" | ${reader}; exit "\${PIPESTATUS[0]}"`, args)
}

/** Runs the launcher with its stdout sent to `target` (a file or device, e.g. /dev/full), through bash. */
export function launchInto(args: readonly string[], target: string): Launched {
  return launchInBash(`"$@" > ${target}`, args)
}
