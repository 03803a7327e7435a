// The lag-retention drill followed on the real sandbox: the runbook raises the retention before the first unread
// segment is due, the service catches up after its outage, and the run puts the retention back — kafka-configs
// as the oracle for the setting, the ledgers against the sampled log start for the records.

import { describe, expect, it } from 'vitest'
import { runDrill } from '../../../lib/drills/index.ts'
import { lagRetentionScenario } from '../../../lib/drills/scenarios/lag-retention.ts'
import runbook from '../../../runbooks/lag-retention/index.ts'
import { scriptedIo } from '../../../lib/testkit/index.ts'
import { expectSessionEnded, sandboxDrillOptions } from '../../support/drill.ts'
import { kafkaToolOk } from '../../support/sandbox.ts'

const metric = (report: Awaited<ReturnType<typeof runDrill>>['report'], prefix: string) => report.score.metrics.find((m) => m.name.startsWith(prefix))!

describe('drill lag-retention', () => {
  it('following the runbook: nothing deleted unread or skipped, the retention raised then put back in the run', async () => {
    const { report } = await runDrill(
      sandboxDrillOptions({ scenario: lagRetentionScenario(), runbook, trainee: { kind: 'follow', io: scriptedIo([], { interactive: false }) } }),
    )
    expectSessionEnded(report, { status: 'done', exitCode: 0 })
    expect(metric(report, 'Records acknowledged').value).toBeGreaterThan(0)
    expect(metric(report, 'Records deleted before').value).toBe(0)
    expect(metric(report, 'Records skipped').value).toBe(0)
    expect(metric(report, 'Retention put back')).toMatchObject({ value: 1, good: true })
    expect(metric(report, 'Retention put back').detail).toMatch(/put back in the run/)
    expect(metric(report, 'Time from the outage to safety').value).toBeGreaterThan(0)
    expect(report.score.passed).toBe(true)
    const topic = /topic (drill-clicks-\S+)/.exec(report.timeline.map((t) => t.line).join('\n'))![1]!
    const described = await kafkaToolOk('kafka-configs', ['--describe', '--entity-type', 'topics', '--entity-name', topic])
    expect(described).toMatch(/retention\.ms=20000\b/)
    console.info(
      `lag-retention drill: ${report.score.headline}; ${report.score.metrics.map((m) => `${m.name}: ${m.value}${m.unit ? ` ${m.unit}` : ''}${m.detail ? ` (${m.detail})` : ''}`).join('; ')}`,
    )
  }, 240_000)
})
