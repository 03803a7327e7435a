// The acks drill on the real sandbox: following the durability audit fixes the topics and the second round
// loses no acks=all record; doing nothing repeats the loss. Round 1's loss is checked against the log ends
// read with the producers held just before the kill: with acks=1, every record only the dead leader held had been
// acknowledged, and nothing else was lost.

import { describe, expect, it } from 'vitest'
import { runDrill, type DrillOptions } from '../../../lib/drills/index.ts'
import { acksLossScenario } from '../../../lib/drills/scenarios/acks-loss.ts'
import runbook from '../../../runbooks/durability-audit/index.ts'
import { expectSessionEnded, sandboxDrillOptions, survivors } from '../../support/drill.ts'
import { scriptedIo } from '../../../lib/testkit/index.ts'

const drillOptions = (trainee: DrillOptions['trainee']): DrillOptions => sandboxDrillOptions({ scenario: acksLossScenario(), runbook, trainee })

type Report = Awaited<ReturnType<typeof runDrill>>['report']
const metric = (report: Report, prefix: string) => report.score.metrics.find((m) => m.name.startsWith(prefix))!

describe('drill acks-loss', () => {
  it('follow the audit: round 1 loses acknowledged records with acks=1 and acks=all; after the fix round 2 loses no acks=all record', async () => {
    const { report } = await runDrill(drillOptions({ kind: 'follow', io: scriptedIo([], { interactive: false }) }))
    expectSessionEnded(report, { status: 'done', exitCode: 0 })
    const acks1 = metric(report, 'Round 1, acks=1')
    const acksAll = metric(report, 'Round 1, acks=all')
    expect(acks1.value).toBeGreaterThan(0)
    expect(acksAll.value).toBeGreaterThan(0)
    // acks=1: every record the dead leader alone held had been acknowledged; acks=all: at most that many.
    const gap = (m: typeof acks1) => Number(/held (\d+) records/.exec(m.detail ?? '')?.[1])
    expect(acks1.value).toBe(gap(acks1))
    expect(acksAll.value).toBeLessThanOrEqual(gap(acksAll))
    expect(metric(report, 'Topic settings fixed')).toMatchObject({ value: 2, good: true })
    expect(metric(report, 'Round 2, acks=all')).toMatchObject({ value: 0, good: true })
    expect(report.score.passed).toBe(true)
    expect(survivors(report.dir)).toBe('')
  })

  it('do nothing: the settings stay, and round 2 loses acknowledged acks=all records again', async () => {
    const { report } = await runDrill(drillOptions({ kind: 'nothing', waitMs: 1000 }))
    expect(metric(report, 'Topic settings fixed')).toMatchObject({ value: 0, good: false })
    expect(metric(report, 'Round 2, acks=all').value).toBeGreaterThan(0)
    expect(report.score.passed).toBe(false)
    expect(survivors(report.dir)).toBe('')
  })
})
