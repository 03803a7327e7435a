// Where session transcripts go (--sessions-dir, RUNBOOK_SESSIONS_DIR, "sessionsDir" in runbook.config.json, or
// .runbook/sessions in the working directory), and the session a command names. Kept apart from run-support so
// the `sessions` command loads neither a client nor the engine's runner.

import { existsSync } from 'node:fs'
import { isAbsolute, join, resolve } from 'node:path'
import type { CommandEnv, ParsedArgs } from './command.ts'
import type { RunbookConfig } from './config-file.ts'
import { UsageError } from './usage-error.ts'

/** One given empty is bad input, never a fallback to the default folder. */
export function sessionsDir(args: ParsedArgs, env: CommandEnv, config: RunbookConfig): string {
  const flag = args.values['sessions-dir'] as string | undefined
  const fromEnv = env.env.RUNBOOK_SESSIONS_DIR
  if (flag !== undefined && flag.trim() === '') throw new UsageError('--sessions-dir is empty — give a folder, or leave the option out for .runbook/sessions')
  if (flag === undefined && fromEnv !== undefined && fromEnv.trim() === '')
    throw new UsageError('RUNBOOK_SESSIONS_DIR is set but empty — give a folder, or unset it for .runbook/sessions')
  return resolve(env.cwd, flag ?? fromEnv ?? config.sessionsDir ?? '.runbook/sessions')
}

/** A session named on the command line: a folder, or an id in the sessions folder; one line when there is none. */
export function findSession(target: string | undefined, args: ParsedArgs, env: CommandEnv, config: RunbookConfig, command: string): string {
  if (!target?.trim()) throw new UsageError(`which session? — \`runbook ${command} <session>\`; \`runbook sessions\` lists them`)
  const dir = sessionsDir(args, env, config)
  const found = [isAbsolute(target) ? target : resolve(env.cwd, target), join(dir, target)].find((p) => existsSync(join(p, 'events.jsonl')))
  if (!found) throw new UsageError(`no session "${target}" in ${dir} — \`runbook sessions\` lists them`)
  return found
}
