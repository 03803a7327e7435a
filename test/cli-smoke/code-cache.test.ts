// `status` and the Kafka client bundle load through V8's code cache (lib/cli/code-cache.ts) on Node: the data is
// written when a run that did its work ends, used by the next run, replaced when damaged, and a cache that cannot be
// written or read never stops a run. Run on the built module (dist/), each load in a process of its own, as a
// command's; a small pair of CommonJS bundles stands in for status.cjs and client.cjs.

import { spawnSync } from 'node:child_process'
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { projectRoot, runtime } from '../support/launcher.ts'

const dir = mkdtempSync(join(tmpdir(), 'code-cache-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
// A bundle that requires a bundle beside it, as status.cjs requires client.cjs, and uses both in a function.
writeFileSync(join(dir, 'outer.cjs'), `const inner = require('./inner.cjs')\nexports.answer = (n) => inner.twice(n) + 1\nexports.file = __filename\n`)
writeFileSync(join(dir, 'inner.cjs'), `exports.twice = (n) => n * 2\n`)
const loader = join(projectRoot, 'dist/lib/cli/code-cache.js')

/** Loads outer.cjs (of `from`) through the cache in a process of its own, which then exits with `exitCode`. */
function load(cacheHome: string, exitCode = 0, from = dir): { answer: number; file: string } {
  const script = `import { requireWithCodeCache } from ${JSON.stringify(loader)}
const outer = requireWithCodeCache(${JSON.stringify(join(from, 'outer.cjs'))})
process.stdout.write(JSON.stringify({ answer: outer.answer(20), file: outer.file }))
process.exitCode = ${exitCode}`
  const result = spawnSync(runtime === 'bun' ? 'bun' : process.execPath, ['--input-type=module', '-e', script], {
    env: { PATH: process.env.PATH, XDG_CACHE_HOME: cacheHome },
    encoding: 'utf8',
    timeout: 60_000,
  })
  expect(result.status, result.stderr).toBe(exitCode)
  return JSON.parse(result.stdout) as { answer: number; file: string }
}

const cacheFiles = (cacheHome: string) => {
  const folder = join(cacheHome, 'kafka-runbooks', 'code-cache')
  try {
    return readdirSync(folder)
      .sort()
      .map((name) => ({ name, path: join(folder, name), mtimeMs: statSync(join(folder, name)).mtimeMs, size: statSync(join(folder, name)).size }))
  } catch {
    return []
  }
}

// Each runtime its own suite (npm run test:bun runs this file on Bun).
if (runtime === 'node')
  describe('V8’s code cache for the bundles of `status`, on Node', () => {
    it('a run that did its work writes data for the bundle and the one it requires; the next run uses it and writes nothing', () => {
      const home = join(dir, 'fresh')
      expect(load(home)).toEqual({ answer: 41, file: join(dir, 'outer.cjs') })
      const written = cacheFiles(home)
      expect(written.map((f) => f.name)).toEqual([
        expect.stringMatching(/^inner\.cjs-[0-9a-f]{12}-[0-9a-f]{24}\.bin$/),
        expect.stringMatching(/^outer\.cjs-[0-9a-f]{12}-[0-9a-f]{24}\.bin$/),
      ])
      expect(load(home)).toEqual({ answer: 41, file: join(dir, 'outer.cjs') })
      expect(cacheFiles(home)).toEqual(written) // accepted by V8: nothing rewritten
    })

    it('data for an earlier build of a bundle is replaced, not kept beside it', () => {
      const home = join(dir, 'rebuilt')
      load(home)
      const [inner, outer] = cacheFiles(home)
      writeFileSync(join(dir, 'inner.cjs'), `exports.twice = (n) => n + n\n`) // a new build: another text, another key
      try {
        expect(load(home).answer).toBe(41)
      } finally {
        writeFileSync(join(dir, 'inner.cjs'), `exports.twice = (n) => n * 2\n`)
      }
      const after = cacheFiles(home)
      expect(after).toHaveLength(2)
      expect(after[0]!.name).toMatch(/^inner\.cjs-/)
      expect(after[0]!.name).not.toBe(inner!.name)
      expect(after[1]).toEqual(outer)
    })

    it('the same bundle in another place (a second install) keeps data of its own', () => {
      const home = join(dir, 'two-installs')
      load(home)
      const other = join(dir, 'other')
      mkdirSync(other, { recursive: true })
      for (const name of ['outer.cjs', 'inner.cjs']) copyFileSync(join(dir, name), join(other, name))
      expect(load(home, 0, other)).toEqual({ answer: 41, file: join(other, 'outer.cjs') })
      expect(cacheFiles(home).map((f) => f.name.split('-')[0])).toEqual(['inner.cjs', 'inner.cjs', 'outer.cjs', 'outer.cjs'])
    })

    it('a run that ends with an error writes nothing (its data would hold little)', () => {
      const home = join(dir, 'failed')
      expect(load(home, 2).answer).toBe(41)
      expect(cacheFiles(home)).toEqual([])
    })

    it('damaged data is ignored by V8 and replaced', () => {
      const home = join(dir, 'damaged')
      load(home)
      const [inner] = cacheFiles(home)
      writeFileSync(inner!.path, 'not V8 data')
      expect(load(home).answer).toBe(41)
      expect(cacheFiles(home)[0]!.size).toBeGreaterThan('not V8 data'.length)
    })

    it('a cache folder that cannot be made leaves the bundles loaded as require loads them', () => {
      writeFileSync(join(dir, 'a-file'), '')
      expect(load(join(dir, 'a-file', 'cache')).answer).toBe(41)
    })
  })
else
  describe('the bundles of `status` on Bun', () => {
    it('load as require loads them, with no cache of ours (Bun keeps its own)', () => {
      const home = join(dir, 'bun')
      expect(load(home).answer).toBe(41)
      expect(cacheFiles(home)).toEqual([])
    })
  })
