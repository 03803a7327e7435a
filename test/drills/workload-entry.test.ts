// Which file a drill workload is spawned from: the TypeScript source through the loader, or — when the
// integration tests built dist/ — the compiled file, refused in one line if the named folder lacks it.

import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { compiledWorkloadsVariable, workloadEntry } from '../../lib/drills/workload-processes.ts'

describe('workloadEntry', () => {
  it('runs the TypeScript source through the loader when no compiled folder is named', () => {
    const entry = workloadEntry('producer', {})
    expect(entry.file).toMatch(/lib[\\/]drills[\\/]workloads[\\/]producer\.ts$/)
    expect(entry.execArgv).toEqual(['--import', expect.stringMatching(/ts-loader[\\/]register\.mjs$/)])
  })

  it('runs the compiled file, without the loader, from the named folder', () => {
    const dir = mkdtempSync(join(tmpdir(), 'workloads-'))
    writeFileSync(join(dir, 'consumer.js'), '')
    expect(workloadEntry('consumer', { [compiledWorkloadsVariable]: dir })).toEqual({ file: join(dir, 'consumer.js'), execArgv: [] })
  })

  it('refuses a named folder without that workload', () => {
    const dir = mkdtempSync(join(tmpdir(), 'workloads-'))
    expect(() => workloadEntry('producer', { [compiledWorkloadsVariable]: dir })).toThrow(
      /has no producer\.js — build it \(npm run build\) or unset the variable/,
    )
  })
})
