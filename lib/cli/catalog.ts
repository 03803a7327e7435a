// The runbooks a command can use: the project's own and the team's folders (runbook.config.json "runbooks",
// RUNBOOK_DIRS, --runbooks), code or Markdown; the Markdown reader loads only when a .md runbook exists.

import { delimiter, resolve } from 'node:path'
import { loadCatalog, type Catalog } from '../engine/catalog.ts'
import type { CommandEnv, ParsedArgs } from './command.ts'
import type { RunbookConfig } from './config-file.ts'

export function teamRunbookDirs(args: ParsedArgs, env: CommandEnv, config: RunbookConfig): string[] {
  const fromEnv = (env.env.RUNBOOK_DIRS ?? '').split(delimiter).filter((d) => d !== '')
  const fromFlags = (args.values.runbooks as string[] | undefined) ?? []
  return [...new Set([...config.runbooks, ...fromEnv, ...fromFlags].map((dir) => resolve(env.cwd, dir)))]
}

export function openCatalog(args: ParsedArgs, env: CommandEnv, config: RunbookConfig): Promise<Catalog> {
  return loadCatalog({
    teamDirs: teamRunbookDirs(args, env, config),
    loaders: { '.md': async (path) => (await import('../markdown/index.ts')).loadMarkdownRunbook(path) },
  })
}
