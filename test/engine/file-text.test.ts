// fileText reads what node:fs's readFileSync reads, and fails as it fails — on Node through node:fs, under Bun
// (`npm run test:bun`) through Bun.mmap, with node:fs left for the files a mapping cannot take.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { fileText } from '../../lib/engine/file-text.ts'

const dir = mkdtempSync(join(tmpdir(), 'file-text-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('fileText', () => {
  it.each([
    { name: 'text with multi-byte characters', bytes: Buffer.from('{"title": "Lag → retention ✓"}\n'), text: '{"title": "Lag → retention ✓"}\n' },
    { name: 'a byte order mark, kept as readFileSync keeps it', bytes: Buffer.from('\ufeff{}', 'utf8'), text: '\ufeff{}' },
    { name: 'an empty file (which cannot be mapped)', bytes: Buffer.alloc(0), text: '' },
  ])('reads $name', ({ name, bytes, text }) => {
    const path = join(dir, `${name.replace(/\W+/g, '-')}.json`)
    writeFileSync(path, bytes)
    expect(fileText(path)).toBe(text)
  })

  it('fails with ENOENT for a file that is not there, naming it', () => {
    const path = join(dir, 'missing.json')
    expect(() => fileText(path)).toThrow(expect.objectContaining({ code: 'ENOENT', message: expect.stringContaining(path) }))
  })

  it('fails for a folder', () => {
    mkdirSync(join(dir, 'folder'))
    expect(() => fileText(join(dir, 'folder'))).toThrow(expect.objectContaining({ code: 'EISDIR' }))
  })
})
