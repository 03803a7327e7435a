// `runbook new` must give a team a runbook whose own test passes out of the box: generate one inside the
// project (where `kafka-runbooks` resolves to these sources) and run its test with vitest, as the team would.

import { spawnSync } from 'node:child_process'
import { mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { launch, projectRoot } from '../support/launcher.ts'

const dir = join(projectRoot, 'test', '.generated', `new-${process.pid}`)
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('runbook new', () => {
  it('writes a runbook whose generated test passes', () => {
    mkdirSync(dir, { recursive: true })
    expect(launch(['new', 'broker-disk-check', '--dir', dir]).code).toBe(0)
    const vitest = spawnSync(
      process.execPath,
      [join(projectRoot, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--project', 'unit', join(dir, 'broker-disk-check.test.ts')],
      {
        cwd: projectRoot,
        encoding: 'utf8',
        timeout: 180_000,
        env: { ...process.env, NO_COLOR: '1' },
      },
    )
    expect(vitest.stdout + vitest.stderr).toMatch(/Tests\s+3 passed \(3\)/)
    expect(vitest.status).toBe(0)
  })
})
