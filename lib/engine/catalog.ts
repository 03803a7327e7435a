// Finds and loads runbooks: the project's own (runbooks/ beside lib/) and any folders a team names.
// A runbook that fails to load is reported on one line and the others stay usable.

import { existsSync, readdirSync, statSync } from 'node:fs'
import { basename, dirname, extname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { validateRunbook, type AnyRunbook } from './runbook.ts'
import { importTeamRunbook } from './team-loader.ts'

export interface CatalogEntry {
  /** The runbook's id, or the file name when it failed to load. */
  readonly id: string
  readonly path: string
  readonly origin: 'built-in' | 'team'
  readonly runbook?: AnyRunbook
  /** One line: why this file is not usable. */
  readonly error?: string
}

export interface Catalog {
  readonly entries: readonly CatalogEntry[]
  find(id: string): AnyRunbook | undefined
}

/** The folder with the project's own runbooks: sources when run from TypeScript, compiled files from dist/. */
export function builtInRunbookDir(): string {
  return fileURLToPath(new URL('../../runbooks/', import.meta.url))
}

const loadable = new Set(['.ts', '.mts', '.js', '.mjs', '.md'])

const isRunbookFile = (name: string) =>
  loadable.has(extname(name)) && !name.endsWith('.d.ts') && !/\.(test|spec)\.[mc]?[jt]s$/.test(name) && !name.startsWith('_') && !/^readme\.md$/i.test(name)

/**
 * A folder's runbook files: `<id>.ts`, and — for the built-in runbooks, one folder each — `<id>/index.ts`. A team's
 * subfolders stay theirs (helpers, fixtures): only its top-level files are runbooks.
 */
function runbookFiles(dir: string, folders: boolean): string[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return []
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name)
      if (!statSync(path).isDirectory()) return isRunbookFile(name) ? [path] : []
      if (!folders) return []
      const index = ['index.ts', 'index.mts', 'index.js', 'index.mjs'].find((file) => existsSync(join(path, file)))
      return index && !name.startsWith('_') ? [join(path, index)] : []
    })
}

/** How a runbook file becomes a module; TypeScript outside the build goes through `loadTypeScript`. */
export interface ModuleLoader {
  (path: string): Promise<unknown>
}

const builtInLoader: ModuleLoader = (path) => import(pathToFileURL(path).href)

export async function loadCatalog(
  options: {
    teamDirs?: readonly string[]
    loader?: ModuleLoader
    builtInDir?: string
    /** How files of other kinds load, by extension (".md"). */ loaders?: Readonly<Record<string, ModuleLoader>>
  } = {},
): Promise<Catalog> {
  const sources = [
    ...runbookFiles(options.builtInDir ?? builtInRunbookDir(), true).map((path) => ({ path, origin: 'built-in' as const })),
    ...(options.teamDirs ?? []).flatMap((dir) => runbookFiles(resolve(dir), false).map((path) => ({ path, origin: 'team' as const }))),
  ]
  const loaderFor = (path: string, origin: CatalogEntry['origin']) =>
    options.loaders?.[extname(path).toLowerCase()] ?? options.loader ?? (origin === 'built-in' ? builtInLoader : importTeamRunbook)
  const entries = await Promise.all(sources.map(({ path, origin }) => loadEntry(path, origin, loaderFor(path, origin))))
  const seen = new Map<string, CatalogEntry>()
  const result: CatalogEntry[] = []
  for (const entry of entries) {
    const earlier = seen.get(entry.id)
    if (entry.runbook && earlier?.runbook) {
      result.push({ id: entry.id, path: entry.path, origin: entry.origin, error: `id "${entry.id}" is already used by ${earlier.path}` })
      continue
    }
    if (entry.runbook) seen.set(entry.id, entry)
    result.push(entry)
  }
  return {
    entries: result,
    find: (id) => seen.get(id)?.runbook,
  }
}

async function loadEntry(path: string, origin: CatalogEntry['origin'], loader: ModuleLoader): Promise<CatalogEntry> {
  const file = basename(path).replace(/\.([mc]?[jt]s|md)$/i, '')
  const fileId = file === 'index' ? basename(dirname(path)) : file
  let module: unknown
  try {
    module = await loader(path)
  } catch (error) {
    // A Markdown runbook reports every problem as file:line; the first one is the line to fix next.
    const problems = (error as { problems?: readonly string[] }).problems
    if (problems?.length) return { id: fileId, path, origin, error: problems.length > 1 ? `${problems[0]} (and ${problems.length - 1} more)` : problems[0]! }
    return { id: fileId, path, origin, error: `cannot load: ${firstLine(error)}` }
  }
  const runbook = (module as { default?: unknown }).default
  if (!isRunbookShape(runbook)) return { id: fileId, path, origin, error: 'has no default export made with notebook(...).runbook(...)' }
  const problems = validateRunbook(runbook)
  if (problems.length > 0) return { id: runbook.id || fileId, path, origin, error: problems.join('; ') }
  if (runbook.id !== fileId) return { id: runbook.id, path, origin, error: `id "${runbook.id}" must match its file name "${fileId}"` }
  return { id: runbook.id, path, origin, runbook }
}

function isRunbookShape(value: unknown): value is AnyRunbook {
  if (typeof value !== 'object' || value === null) return false
  const v = value as Partial<AnyRunbook>
  return (
    typeof v.id === 'string' && typeof v.title === 'string' && Array.isArray(v.cells) && typeof v.params === 'object' && typeof v.initialState === 'function'
  )
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error)
  return text.split('\n')[0]!.trim()
}
