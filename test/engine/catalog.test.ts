// The catalog says what runbooks there are without importing them: a team's from a cache kept by modification
// time, imported again only when a file changed; both layouts (<id>.ts and <id>/index.ts) are found.

import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'
import { loadCatalog, runbookFiles, type ModuleLoader } from '../../lib/engine/catalog.ts'

const engine = pathToFileURL(join(import.meta.dirname, '..', '..', 'lib', 'engine', 'runbook.ts')).href

/** A runbook module in the project's own style, importing the engine from the sources. */
function runbookSource(id: string, title: string): string {
  return `import { notebook } from ${JSON.stringify(engine)}
const nb = notebook()({})
export default nb.runbook({ id: ${JSON.stringify(id)}, title: ${JSON.stringify(title)}, summary: 'Does a thing.', whenToUse: 'Never.', cells: [nb.explain({ id: 'hi', title: 'Hi', text: 'Hello.' })] })
`
}

/** Imports runbook files, counting which were imported (the loader is the catalog's injected one, not a mock). */
function countingLoader(): { loader: ModuleLoader; imported: string[] } {
  const imported: string[] = []
  let generation = 0
  return {
    imported,
    // A fresh URL each time: the module cache must not hide a file that changed.
    loader: async (path) => {
      imported.push(path)
      return import(`${pathToFileURL(path).href}?v=${++generation}`)
    },
  }
}

describe('the runbook catalog', () => {
  it('finds <id>.ts files and (built in) <id>/index.ts folders, not a folder of parts, tests, declarations or _private files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'catalog-layout-'))
    for (const name of ['alpha.ts', 'alpha.test.ts', 'types.d.ts', '_draft.ts', 'notes.txt', 'README.md', 'gamma.md']) writeFileSync(join(dir, name), '')
    mkdirSync(join(dir, 'alpha'))
    writeFileSync(join(dir, 'alpha', 'words.ts'), '')
    mkdirSync(join(dir, 'beta'))
    writeFileSync(join(dir, 'beta', 'index.ts'), '')
    writeFileSync(join(dir, 'beta', 'cells.ts'), '')
    expect(runbookFiles(dir, true).map((p) => p.slice(dir.length + 1))).toEqual(['alpha.ts', 'beta/index.ts', 'gamma.md'])
    // A team's subfolders are its own (helpers, fixtures).
    expect(runbookFiles(dir, false).map((p) => p.slice(dir.length + 1))).toEqual(['alpha.ts', 'gamma.md'])
  })

  it('lists a team runbook from its cache until the file or the folder of its parts changes; a broken one is read every time', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'catalog-team-'))
    const cache = { dir: mkdtempSync(join(tmpdir(), 'catalog-cache-')), key: 'test 1' }
    writeFileSync(join(dir, 'disk-pressure.ts'), runbookSource('disk-pressure', 'Disk pressure'))
    writeFileSync(join(dir, 'lag-spike.ts'), runbookSource('lag-spike', 'Lag spike'))
    mkdirSync(join(dir, 'lag-spike'))
    writeFileSync(join(dir, 'lag-spike', 'words.ts'), 'export const words = 1\n')
    writeFileSync(join(dir, 'broken.ts'), 'export default { id: "broken" }\n')
    const builtInDir = mkdtempSync(join(tmpdir(), 'catalog-none-'))

    const first = countingLoader()
    const listed = await loadCatalog({ teamDirs: [dir], builtInDir, loader: first.loader, cache })
    expect(listed.entries.map((e) => [e.id, e.title ?? e.error])).toEqual([
      ['broken', 'has no default export made with notebook(...).runbook(...)'],
      ['disk-pressure', 'Disk pressure'],
      ['lag-spike', 'Lag spike'],
    ])
    expect(first.imported).toHaveLength(3)

    const second = countingLoader()
    const again = await loadCatalog({ teamDirs: [dir], builtInDir, loader: second.loader, cache })
    expect(again.entries.map((e) => [e.id, e.title ?? e.error])).toEqual(listed.entries.map((e) => [e.id, e.title ?? e.error]))
    expect(second.imported.map((p) => p.slice(dir.length + 1))).toEqual(['broken.ts'])
    // Using one imports it then.
    const loaded = await again.load('lag-spike')
    expect(loaded && 'runbook' in loaded ? loaded.runbook.title : loaded).toBe('Lag spike')

    // A part in the runbook's folder changes: that runbook is read again, the other one is not.
    writeFileSync(join(dir, 'lag-spike', 'words.ts'), 'export const words = 2\n')
    utimesSync(join(dir, 'lag-spike', 'words.ts'), new Date(), new Date(Date.now() + 5000))
    const third = countingLoader()
    await loadCatalog({ teamDirs: [dir], builtInDir, loader: third.loader, cache })
    expect(third.imported.map((p) => p.slice(dir.length + 1))).toEqual(['broken.ts', 'lag-spike.ts'])

    // Another tool version (or runtime) does not trust the cache.
    const fourth = countingLoader()
    await loadCatalog({ teamDirs: [dir], builtInDir, loader: fourth.loader, cache: { ...cache, key: 'test 2' } })
    expect(fourth.imported).toHaveLength(3)
  })

  it('refuses a built-in folder runbook whose id is not its folder name, and an id used twice', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'catalog-ids-'))
    mkdirSync(join(dir, 'lag-spike'))
    writeFileSync(join(dir, 'lag-spike', 'index.ts'), runbookSource('lag', 'Lag'))
    writeFileSync(join(dir, 'twice.ts'), runbookSource('twice', 'One'))
    const other = mkdtempSync(join(tmpdir(), 'catalog-ids-2-'))
    writeFileSync(join(other, 'twice.ts'), runbookSource('twice', 'Two'))
    const catalog = await loadCatalog({ teamDirs: [other], builtInDir: dir, loader: countingLoader().loader })
    expect(catalog.entries.map((e) => [e.id, e.error ?? 'ok'])).toEqual([
      ['lag', 'id "lag" must match its folder name "lag-spike"'],
      ['twice', 'ok'],
      ['twice', `id "twice" is already used by ${join(dir, 'twice.ts')}`],
    ])
    expect(await catalog.load('twice')).toMatchObject({ runbook: { title: 'One' } })
    expect(await catalog.load('lag')).toEqual({ error: 'id "lag" must match its folder name "lag-spike"' })
    expect(await catalog.load('nope')).toBeUndefined()
  })
})
