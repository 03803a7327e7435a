// The team's own runbook folders: from runbook.config.json ("runbooks"), RUNBOOK_DIRS and --runbooks.

import { delimiter, resolve } from 'node:path'
import type { CommandEnv, ParsedArgs } from './command.ts'
import type { RunbookConfig } from './config-file.ts'

export function teamRunbookDirs(args: ParsedArgs, env: CommandEnv, config: RunbookConfig): string[] {
  const fromEnv = (env.env.RUNBOOK_DIRS ?? '').split(delimiter).filter((d) => d !== '')
  const fromFlags = (args.values.runbooks as string[] | undefined) ?? []
  return [...new Set([...config.runbooks, ...fromEnv, ...fromFlags].map((dir) => resolve(env.cwd, dir)))]
}
