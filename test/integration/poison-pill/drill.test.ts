// The poison-pill drill on the real sandbox: the followed runbook keeps the bad record in the dead-letter topic,
// skips exactly it and books nothing twice; a trainee who skips two records is scored with the good order lost.
// Workloads (the kafkajs order service under its restart loop, the producer) run from TypeScript via the dev loader.

import { describe, expect, it } from 'vitest'
import { runDrill, type DrillOptions } from '../../../lib/drills/index.ts'
import { defaultPoisonPillSettings, poisonPillScenario } from '../../../lib/drills/scenarios/poison-pill.ts'
import { scriptedIo } from '../../../lib/testkit/index.ts'
import runbook from '../../../runbooks/poison-pill/index.ts'
import { expectSessionEnded, sandboxDrillOptions, survivors } from '../../support/drill.ts'

const scenario = poisonPillScenario({ ...defaultPoisonPillSettings, crashLoopMs: 0, warmupRecords: 20 })
const drillOptions = (trainee: DrillOptions['trainee']): DrillOptions => sandboxDrillOptions({ scenario, runbook, trainee })
// A drill starts the service's process three times and the producer once; on a loaded 2-core machine one Node
// start of a workload from TypeScript took 20-70 s (load average 15-25), so a run can outlast the default 180 s.
const drillTimeoutMs = 420_000
type Report = Awaited<ReturnType<typeof runDrill>>['report']
const metric = (report: Report, prefix: string) => report.score.metrics.find((m) => m.name.startsWith(prefix))

describe('drill poison-pill', () => {
  it(
    'following the runbook: the poison record is in the dead-letter topic byte for byte, exactly it was skipped, nothing booked twice',
    async () => {
      const { report } = await runDrill(drillOptions({ kind: 'follow', io: scriptedIo([], { interactive: false }) }))
      expectSessionEnded(report, { status: 'done', exitCode: 0 })
      expect(metric(report, 'Crashes of the service')!.value).toBeGreaterThanOrEqual(2)
      expect(metric(report, 'Records lost')!.value).toBe(0)
      expect(metric(report, 'Orders still waiting')!.value).toBe(0)
      expect(metric(report, 'Poison record preserved')).toMatchObject({ value: 1, detail: expect.stringMatching(/\.dlq:1@0$/) })
      expect(metric(report, 'Time from the first crash to the lag falling')!.value).toBeGreaterThan(0)
      expect(metric(report, 'Unsafe actions')!.value).toBe(0)
      expect(report.score.metrics.filter((m) => /^Partition \d during the crash loop$/.test(m.name)).map((m) => m.name)).toEqual([
        'Partition 0 during the crash loop',
        'Partition 2 during the crash loop',
      ])
      expect(report.score.passed).toBe(true)
      expect(survivors(report.dir)).toBe('')
    },
    drillTimeoutMs,
  )

  it(
    'a trainee who skips two records without a copy: one good order lost, the poison not preserved, not passed',
    async () => {
      const answers = new Map(
        Object.entries({ action: 'skip-n', count: '2', 'sample-interval': '2s', 'wait-for-empty': '60s', 'watch-for': '30s' }).map(([k, v]) => [
          k,
          { text: v, source: 'flag' as const },
        ]),
      )
      const { report } = await runDrill(
        drillOptions({ kind: 'headless', io: scriptedIo([], { interactive: false }), answers, approvals: { yes: true, hashes: [] } }),
      )
      expectSessionEnded(report, { status: 'done', exitCode: 0 })
      expect(metric(report, 'Records lost')!.value).toBe(1)
      expect(metric(report, 'Poison record preserved')!.value).toBe(0)
      expect(metric(report, 'Records handled twice')!.value).toBe(0)
      expect(report.score.passed).toBe(false)
      expect(report.score.notes.join('\n')).toMatch(/passed 2 records where one was bad/)
      expect(survivors(report.dir)).toBe('')
    },
    drillTimeoutMs,
  )
})
