// The consumer-oom drill both ways on the real sandbox: following the runbook brings the loss to zero;
// doing nothing leaves a measured loss. Workloads run from TypeScript through the dev loader.

import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runDrill, type DrillOptions } from '../../../lib/drills/index.ts'
import { consumerOomScenario } from '../../../lib/drills/scenarios/consumer-oom.ts'
import runbook from '../../../runbooks/consumer-oom-replay/index.ts'
import { expectSessionEnded, sandboxDrillOptions, survivors } from '../../support/drill.ts'
import { scriptedIo } from '../../../lib/testkit/index.ts'

const drillOptions = (trainee: DrillOptions['trainee']): DrillOptions => sandboxDrillOptions({ scenario: consumerOomScenario(), runbook, trainee })

const metric = (report: Awaited<ReturnType<typeof runDrill>>['report'], prefix: string) => report.score.metrics.find((m) => m.name.startsWith(prefix))!.value

describe('drill consumer-oom', () => {
  it('following the runbook: every acknowledged record is handled, the fix is timed, the report sits beside the transcript', async () => {
    const { report, reportPaths } = await runDrill(drillOptions({ kind: 'follow', io: scriptedIo([], { interactive: false }) }))
    expectSessionEnded(report, { status: 'done', exitCode: 0 })
    expect(metric(report, 'Records lost')).toBe(0)
    expect(metric(report, 'Records acknowledged')).toBeGreaterThan(0)
    expect(metric(report, 'Duplicate handlings')).toBeGreaterThan(0)
    expect(metric(report, 'Time from the kill to the fix')).toBeGreaterThan(0)
    expect(metric(report, 'Unsafe actions')).toBe(0)
    expect(report.score.passed).toBe(true)
    expect(reportPaths[0]).toBe(join(report.session!.dir, 'drill-report.md'))
    expect(existsSync(join(report.session!.dir, 'drill-report.json'))).toBe(true)
    expect(survivors(report.dir)).toBe('')
  })

  it('doing nothing: the records the kill erased stay lost, and the report says how many', async () => {
    const { report } = await runDrill(drillOptions({ kind: 'nothing', waitMs: 3000 }))
    const lost = metric(report, 'Records lost')!
    expect(lost).toBeGreaterThan(0)
    expect(lost).toBeGreaterThanOrEqual(metric(report, 'Committed but unhandled')!)
    expect(metric(report, 'Time from the kill to the fix')).toBeNull()
    expect(report.score.passed).toBe(false)
    expect(report.session).toBeNull()
    expect(existsSync(join(report.dir, 'drill-report.md'))).toBe(true)
    expect(survivors(report.dir)).toBe('')
  })

  it('a trainee who tries to rewind while the restarted service still runs is refused, and the drill counts it', async () => {
    const answers = new Map([
      ['to-datetime', { text: '5 minutes ago', source: 'flag' as const }],
      ['wait-for-empty', { text: '1s', source: 'flag' as const }],
    ])
    const { report } = await runDrill(
      drillOptions({ kind: 'headless', io: scriptedIo([], { interactive: false }), answers, approvals: { yes: true, hashes: [] } }),
    )
    expectSessionEnded(report, { status: 'refused', exitCode: 2 })
    expect(metric(report, 'Unsafe actions')).toBe(1)
    expect(metric(report, 'Records lost')).toBeGreaterThan(0)
    expect(report.score.passed).toBe(false)
  })
})
