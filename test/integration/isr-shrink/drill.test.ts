// The isr-shrink drill both ways on the real sandbox: following the runbook brings writes back before the hosts
// return, counts the records acknowledged on a single copy and restores min ISR; doing nothing leaves writes
// failing until the hosts return. Every workload stops and the brokers run again afterwards.

import { afterAll, describe, expect, it } from 'vitest'
import { runDrill, type DrillOptions } from '../../../lib/drills/index.ts'
import { defaultIsrShrinkSettings, isrShrinkScenario } from '../../../lib/drills/scenarios/isr-shrink.ts'
import { status } from '../../../lib/sandbox/index.ts'
import { testSandbox } from '../../support/sandbox.ts'
import runbook from '../../../runbooks/isr-shrink/index.ts'
import { restoreCluster } from '../../support/faults.ts'
import { waitFor } from '../../support/kafka.ts'
import { expectSessionEnded, sandboxDrillOptions, survivors } from '../../support/drill.ts'
import { scriptedIo } from '../../../lib/testkit/index.ts'

const drillOptions = (trainee: DrillOptions['trainee'], settings = defaultIsrShrinkSettings): DrillOptions =>
  sandboxDrillOptions({ scenario: isrShrinkScenario(settings), runbook, trainee })

const metric = (report: Awaited<ReturnType<typeof runDrill>>['report'], prefix: string) => report.score.metrics.find((m) => m.name.startsWith(prefix))!

const brokersRunning = () => status(testSandbox().config).nodes.every((n) => n.state === 'up')

afterAll(async () => {
  await restoreCluster()
})

describe('drill isr-shrink', () => {
  it('following the runbook: writes back before the hosts, the single-copy exposure counted, min ISR restored, nothing lost', async () => {
    const { report } = await runDrill(drillOptions({ kind: 'follow', io: scriptedIo([], { interactive: false }) }))
    expectSessionEnded(report, { status: 'done', exitCode: 0 })
    expect(metric(report, 'Time from the fault to writes accepted again').good).toBe(true)
    expect(metric(report, 'Records acknowledged while').value).toBeGreaterThan(0)
    expect(metric(report, '… of them on a single copy').value).toBeGreaterThan(0)
    expect(metric(report, 'min.insync.replicas restored')).toMatchObject({ value: 1, good: true })
    expect(metric(report, 'Acknowledged records lost').value).toBe(0)
    expect(metric(report, 'Unsafe actions').value).toBe(0)
    expect(report.score.passed).toBe(true)
    expect(survivors(report.dir)).toBe('')
    expect(brokersRunning()).toBe(true)
  })

  it('Ctrl-C after the fault: the drill stops, and the hung brokers run again at once', async () => {
    const controller = new AbortController()
    const options = drillOptions({ kind: 'nothing', waitMs: 60_000 })
    const run = runDrill({ ...options, signal: controller.signal, onProgress: (line) => (line.includes('nobody acts') ? controller.abort() : undefined) })
    await expect(run).rejects.toMatchObject({ name: 'DrillInterrupted', exitCode: 130 })
    await waitFor(() => brokersRunning(), { what: 'brokers 2 and 3 running again', timeoutMs: 10_000 })
  })

  it('doing nothing: acks=all writes fail until the hosts return, which does not pass', async () => {
    // Nobody acts, so writes fail until the hosts return whenever that is: they need not take the 45 s the
    // trainee is given.
    const { report } = await runDrill(drillOptions({ kind: 'nothing', waitMs: 5000 }, { ...defaultIsrShrinkSettings, hostsBackAfterMs: 15_000 }))
    expect(metric(report, 'Seconds acks=all writes were failing').good).toBe(false)
    expect(metric(report, 'Records acknowledged while').value).toBe(0)
    expect(metric(report, 'Acknowledged records lost').value).toBe(0)
    expect(report.score.passed).toBe(false)
    expect(report.session).toBeNull()
    expect(survivors(report.dir)).toBe('')
    expect(brokersRunning()).toBe(true)
  })
})
