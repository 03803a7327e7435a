// Where session transcripts go: --sessions-dir, RUNBOOK_SESSIONS_DIR, "sessionsDir" in runbook.config.json, or
// .runbook/sessions in the working directory.

import { resolve } from 'node:path'
import type { CommandEnv, ParsedArgs } from './command.ts'
import type { RunbookConfig } from './config-file.ts'

export function sessionsDir(args: ParsedArgs, env: CommandEnv, config: RunbookConfig): string {
  const dir = (args.values['sessions-dir'] as string | undefined) ?? env.env.RUNBOOK_SESSIONS_DIR ?? config.sessionsDir ?? '.runbook/sessions'
  return resolve(env.cwd, dir)
}
