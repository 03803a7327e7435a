// The runbooks a command can use: the project's own and the team's folders (runbook.config.json "runbooks",
// RUNBOOK_DIRS, --runbooks), code or Markdown; the Markdown reader loads only when a .md runbook is imported.
// What a team's runbooks are is cached under $XDG_CACHE_HOME/kafka-runbooks/catalog (~/.cache/...).

import { delimiter, join, resolve } from 'node:path'
import { loadCatalog, type Catalog, type LoadedRunbook } from '../engine/catalog.ts'
import type { AnyRunbook } from '../engine/runbook.ts'
import type { CommandEnv, ParsedArgs } from './command.ts'
import { homeFolder, type RunbookConfig } from './config-file.ts'
import { packageVersion } from './package-version.ts'
import { UsageError } from './usage-error.ts'

export function teamRunbookDirs(args: ParsedArgs, env: CommandEnv, config: RunbookConfig): string[] {
  const fromEnv = (env.env.RUNBOOK_DIRS ?? '').split(delimiter).filter((d) => d !== '')
  const fromFlags = (args.values.runbooks as string[] | undefined) ?? []
  return [...new Set([...config.runbooks, ...fromEnv, ...fromFlags].map((dir) => resolve(env.cwd, dir)))]
}

/** Which tool and runtime described the cached runbooks: another version may load or check them differently. */
async function cacheKey(): Promise<string> {
  const bun = (process.versions as Record<string, string | undefined>).bun
  return `${await packageVersion()} ${bun ? `bun ${bun}` : `node ${process.version}`}`
}

export async function openCatalog(args: ParsedArgs, env: CommandEnv, config: RunbookConfig): Promise<Catalog> {
  const teamDirs = teamRunbookDirs(args, env, config)
  const cacheHome = () => env.env.XDG_CACHE_HOME || join(homeFolder(env.env), '.cache')
  return loadCatalog({
    teamDirs,
    loaders: { '.md': async (path) => (await import('../markdown/index.ts')).loadMarkdownRunbook(path) },
    // Only a team's runbooks are cached (the built-in ones have the build's catalog): without any, a cold `list`
    // reads neither the cache nor package.json for its key.
    ...(teamDirs.length ? { cache: { dir: join(cacheHome(), 'kafka-runbooks', 'catalog'), key: await cacheKey() } } : {}),
  })
}

/** Imports runbook `id` for a command; a missing or broken one is a usage error (one line, exit 2). */
export async function requireRunbook(catalog: Catalog, id: string): Promise<AnyRunbook> {
  const loaded: LoadedRunbook | undefined = await catalog.load(id)
  if (!loaded) throw new UsageError(`no runbook "${id}" — \`runbook list\` shows the ones there are`)
  if ('error' in loaded) throw new UsageError(`runbook ${id} cannot be used: ${loaded.error}`)
  return loaded.runbook
}
