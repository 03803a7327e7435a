// Finds runbooks — the project's own (runbooks/ beside lib/) and any folders a team names — and says what each
// is (id, title, summary) without importing it: the built-in runbooks from the catalog the build wrote
// (catalog.json beside the compiled runbooks), a team's from a cache kept by file modification time. A runbook
// is imported only when it is used (show, run, undo). One that fails to load is reported on one line and the
// others stay usable.

import { basename, dirname, extname, join, relative, resolve, sep } from 'node:path'
import type { Block } from './blocks.ts'
import { fileText } from './file-text.ts'
import { validateRunbook, type AnyRunbook } from './runbook.ts'

export interface CatalogEntry {
  /** The runbook's id, or the file's (folder's) name when it failed to load. */
  readonly id: string
  readonly path: string
  readonly origin: 'built-in' | 'team'
  /** Present when the runbook is usable. */
  readonly title?: string
  readonly summary?: string
  /** One line: why this runbook is not usable. */
  readonly error?: string
  /** A built-in runbook's notebook as the build described it (a DescribedNotebook in JSON): `show` needs no import. */
  readonly notebookPath?: string
}

/** What `runbook show` prints for a runbook, prepared by the build: its blocks, and each Markdown block lexed. */
export interface DescribedNotebook {
  readonly blocks: readonly Block[]
  /** marked's tokens of blocks[i] when it is Markdown, else null. */
  readonly tokens: readonly (readonly unknown[] | null)[]
  /** marked's inline tokens of the one-line texts (facts, notices, footers) the simple lexer leaves to marked, by text. */
  readonly inline?: Readonly<Record<string, readonly unknown[]>>
}

/** A runbook ready to run, or one line saying why it cannot be. */
export type LoadedRunbook = { readonly runbook: AnyRunbook } | { readonly error: string }

export interface Catalog {
  readonly entries: readonly CatalogEntry[]
  /** Imports and checks runbook `id`; undefined when there is no runbook by that id. */
  load(id: string): Promise<LoadedRunbook | undefined>
}

/** What the build writes beside the compiled built-in runbooks (scripts/build-catalog.mjs). */
export const builtInCatalogFile = 'catalog.json'

export interface CatalogRecord {
  readonly id: string
  /** Relative to the folder it is listed for. */
  readonly file: string
  readonly title: string
  readonly summary: string
  /** Relative path of its DescribedNotebook. */
  readonly notebook?: string
}

// node:fs and node:url load when a command first needs them (a team's folder, an import): under Bun each is
// milliseconds of a cold `runbook list`, which reads only the build's catalog (through fileText).
const fs = () => process.getBuiltinModule('node:fs')

/** The folder with the project's own runbooks: sources when run from TypeScript, compiled files from dist/. */
export function builtInRunbookDir(): string {
  return resolve(import.meta.dirname, '../../runbooks') + sep
}

const loadable = new Set(['.ts', '.mts', '.js', '.mjs', '.md'])
const indexNames = ['index.ts', 'index.mts', 'index.js', 'index.mjs']

const isRunbookFileName = (name: string) =>
  loadable.has(extname(name)) && !name.endsWith('.d.ts') && !/\.(test|spec)\.[mc]?[jt]s$/.test(name) && !name.startsWith('_') && !/^readme\.md$/i.test(name)

/**
 * A folder's runbook files: `<id>.ts`, and — for the built-in runbooks, one folder each — `<id>/index.ts`. A team's
 * subfolders stay theirs (helpers, fixtures): only its top-level files are runbooks.
 */
export function runbookFiles(dir: string, folders: boolean): string[] {
  const { existsSync, readdirSync, statSync } = fs()
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return []
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name)
      if (!statSync(path).isDirectory()) return isRunbookFileName(name) ? [path] : []
      if (!folders) return []
      const index = indexNames.find((file) => existsSync(join(path, file)))
      return index && !name.startsWith('_') ? [join(path, index)] : []
    })
}

/** A runbook's id as its path gives it: the file name, or the folder's name for an index file. */
export function runbookFileId(path: string): string {
  const name = basename(path).replace(/\.([mc]?[jt]s|md)$/i, '')
  return name === 'index' ? basename(dirname(path)) : name
}

/** How a runbook file becomes a module; TypeScript outside the build goes through `importTeamRunbook`. */
export interface ModuleLoader {
  (path: string): Promise<unknown>
}

const builtInLoader: ModuleLoader = (path) => import(process.getBuiltinModule('node:url').pathToFileURL(path).href)
const teamLoader: ModuleLoader = async (path) => (await import('./team-loader.ts')).importTeamRunbook(path)

export interface CatalogOptions {
  readonly teamDirs?: readonly string[]
  readonly loader?: ModuleLoader
  readonly builtInDir?: string
  /** How files of other kinds load, by extension (".md"). */
  readonly loaders?: Readonly<Record<string, ModuleLoader>>
  /**
   * Where to keep what runbooks without a built catalog are (title and summary by file modification time);
   * without one, every such runbook is imported to be listed.
   */
  readonly cache?: { readonly dir: string; readonly key: string }
}

interface Source {
  readonly path: string
  readonly origin: CatalogEntry['origin']
}

export async function loadCatalog(options: CatalogOptions = {}): Promise<Catalog> {
  const builtInDir = options.builtInDir ?? builtInRunbookDir()
  const built = readBuiltCatalog(builtInDir)
  const sources: Source[] = [
    ...(built ? [] : runbookFiles(builtInDir, true).map((path) => ({ path, origin: 'built-in' as const }))),
    ...(options.teamDirs ?? []).flatMap((dir) => runbookFiles(resolve(dir), false).map((path) => ({ path, origin: 'team' as const }))),
  ]
  const loaderFor = (path: string, origin: CatalogEntry['origin']) =>
    options.loaders?.[extname(path).toLowerCase()] ?? options.loader ?? (origin === 'built-in' ? builtInLoader : teamLoader)
  const cache = options.cache ? openCache(options.cache.dir, options.cache.key) : null
  const imported = new Map<string, LoadedRunbook>()
  const described = await Promise.all(
    sources.map(async ({ path, origin }): Promise<CatalogEntry> => {
      const stamp = cache ? modificationStamp(path) : null
      const known = stamp !== null ? cache!.get(path, stamp) : undefined
      if (known) return { ...known, path, origin }
      const loaded = await loadRunbook(path, loaderFor(path, origin))
      imported.set(path, loaded)
      if ('error' in loaded) return { id: loaded.id, path, origin, error: loaded.error }
      const { id, title, summary } = loaded.runbook
      if (stamp !== null) cache!.set(path, stamp, { id, title, summary })
      return { id, path, origin, title, summary }
    }),
  )
  cache?.save()
  const all = [
    ...(built ?? []).map((r): CatalogEntry => ({
      id: r.id,
      path: join(builtInDir, r.file),
      origin: 'built-in',
      title: r.title,
      summary: r.summary,
      ...(r.notebook ? { notebookPath: join(builtInDir, r.notebook) } : {}),
    })),
    ...described,
  ]
  const usable = new Map<string, CatalogEntry>()
  const entries: CatalogEntry[] = []
  for (const entry of all) {
    const earlier = usable.get(entry.id)
    if (!entry.error && earlier) {
      entries.push({ id: entry.id, path: entry.path, origin: entry.origin, error: `id "${entry.id}" is already used by ${earlier.path}` })
      continue
    }
    if (!entry.error) usable.set(entry.id, entry)
    entries.push(entry)
  }
  return {
    entries,
    async load(id) {
      const entry = usable.get(id) ?? entries.find((e) => e.id === id)
      if (!entry) return undefined
      if (entry.error) return { error: entry.error }
      const loaded = imported.get(entry.path) ?? (await loadRunbook(entry.path, loaderFor(entry.path, entry.origin)))
      return 'error' in loaded ? { error: loaded.error } : { runbook: loaded.runbook }
    },
  }
}

/** The built catalog of `dir`, or null when there is none (sources, or a folder nobody built). */
function readBuiltCatalog(dir: string): CatalogRecord[] | null {
  let text: string
  try {
    text = fileText(join(dir, builtInCatalogFile))
  } catch {
    return null
  }
  const records = JSON.parse(text) as CatalogRecord[]
  return Array.isArray(records) ? records : null
}

/** The runbooks of a folder, for the catalog the build writes: every one must load, or the build fails. */
export async function loadAllRunbooks(dir: string, loader: ModuleLoader = builtInLoader): Promise<{ file: string; runbook: AnyRunbook }[]> {
  const found: { file: string; runbook: AnyRunbook }[] = []
  for (const path of runbookFiles(dir, true)) {
    const loaded = await loadRunbook(path, loader)
    if ('error' in loaded) throw new Error(`${path}: ${loaded.error}`)
    found.push({ file: relative(dir, path), runbook: loaded.runbook })
  }
  const ids = found.map((r) => r.runbook.id)
  const twice = ids.find((id, i) => ids.indexOf(id) !== i)
  if (twice) throw new Error(`runbook id "${twice}" is used twice in ${dir}`)
  return found
}

async function loadRunbook(path: string, loader: ModuleLoader): Promise<LoadedRunbook & { readonly id: string }> {
  const fileId = runbookFileId(path)
  let module: unknown
  try {
    module = await loader(path)
  } catch (error) {
    // A Markdown runbook reports every problem as file:line; the first one is the line to fix next.
    const problems = (error as { problems?: readonly string[] }).problems
    if (problems?.length) return { id: fileId, error: problems.length > 1 ? `${problems[0]} (and ${problems.length - 1} more)` : problems[0]! }
    return { id: fileId, error: `cannot load: ${firstLine(error)}` }
  }
  const runbook = (module as { default?: unknown }).default
  if (!isRunbookShape(runbook)) return { id: fileId, error: 'has no default export made with notebook(...).runbook(...)' }
  const problems = validateRunbook(runbook)
  if (problems.length > 0) return { id: runbook.id || fileId, error: problems.join('; ') }
  if (runbook.id !== fileId)
    return { id: runbook.id, error: `id "${runbook.id}" must match its ${basename(path).startsWith('index.') ? 'folder' : 'file'} name "${fileId}"` }
  return { id: runbook.id, runbook }
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

// --- The cache of runbooks without a built catalog ------------------------------------------------

/**
 * When a runbook last changed: its file's modification time and size, and those of the files in its folder — the
 * `<id>/` folder of parts beside `<id>.ts`, or the runbook's own folder for `<id>/index.ts` — one level down.
 */
function modificationStamp(path: string): string | null {
  const { existsSync, readdirSync, statSync } = fs()
  const isIndex = basename(path).startsWith('index.')
  const parts = isIndex ? dirname(path) : join(dirname(path), runbookFileId(path))
  try {
    const files = new Set([path])
    if (existsSync(parts) && statSync(parts).isDirectory()) for (const name of readdirSync(parts).sort()) files.add(join(parts, name))
    return [...files]
      .map((file) => {
        const stat = statSync(file)
        return `${stat.mtimeMs}:${stat.size}`
      })
      .join(',')
  } catch {
    return null
  }
}

interface CachedDescription {
  readonly id: string
  readonly title: string
  readonly summary: string
}

function openCache(dir: string, key: string) {
  const file = join(dir, 'catalog.json')
  let stored: { key: string; runbooks: Record<string, { stamp: string } & CachedDescription> } = { key, runbooks: {} }
  try {
    const read = JSON.parse(fs().readFileSync(file, 'utf8')) as typeof stored
    if (read.key === key && typeof read.runbooks === 'object' && read.runbooks !== null) stored = read
  } catch {
    // no cache yet, or an unreadable one: it is rebuilt
  }
  let changed = false
  return {
    get(path: string, stamp: string): CachedDescription | undefined {
      const hit = stored.runbooks[path]
      return hit?.stamp === stamp ? { id: hit.id, title: hit.title, summary: hit.summary } : undefined
    },
    set(path: string, stamp: string, description: CachedDescription) {
      stored.runbooks[path] = { stamp, ...description }
      changed = true
    },
    /** Written whole and renamed into place: a concurrent reader sees the old cache or the new one. */
    save() {
      if (!changed) return
      const { existsSync, mkdirSync, renameSync, writeFileSync } = fs()
      for (const path of Object.keys(stored.runbooks)) if (!existsSync(path)) delete stored.runbooks[path]
      try {
        mkdirSync(dir, { recursive: true })
        const temporary = `${file}.${process.pid}.tmp`
        writeFileSync(temporary, JSON.stringify(stored))
        renameSync(temporary, file)
      } catch {
        // a read-only cache folder only costs speed
      }
    },
  }
}
