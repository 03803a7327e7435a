// The stuck-transaction drill on the real sandbox: following the runbook ends the stuck transaction the right way
// in each variant (a fence for the killed producer, an abort marker for the hanging batch) and the drill passes,
// with kafka-transactions describe-producers agreeing that nothing is open any more on the held partitions;
// waiting for a coordinator whose timeout is 10 minutes away is scored as the stall it is.

import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { runDrill, type Trainee } from '../../../lib/drills/index.ts'
import { defaultStuckTransactionSettings, stuckTransactionScenario } from '../../../lib/drills/scenarios/stuck-transaction.ts'
import { connect } from '../../../lib/kafka/index.ts'
import { scriptedIo } from '../../../lib/testkit/index.ts'
import runbook from '../../../runbooks/stuck-transactions/index.ts'
import { expectSessionEnded, sandboxDrillOptions, survivors } from '../../support/drill.ts'
import { kafkaToolOk, testSandbox } from '../../support/sandbox.ts'
import { parseToolTable } from '../../support/transactions.ts'

const settings = { ...defaultStuckTransactionSettings, catchUpTimeoutMs: 30_000 }
const topics: string[] = []

async function drill(variant: 'ongoing' | 'hanging', trainee: Trainee) {
  const result = await runDrill(sandboxDrillOptions({ scenario: stuckTransactionScenario(settings), runbook, trainee, variant, keepSandbox: true }))
  topics.push(`drill-payments-${result.report.drillId.split('-').at(-1)}`)
  return result
}
const follow = (): Trainee => ({ kind: 'follow', io: scriptedIo([], { interactive: false }) })
const metric = (result: Awaited<ReturnType<typeof runDrill>>, prefix: string) => result.report.score.metrics.find((m) => m.name.startsWith(prefix))!

/** Open transactions on a partition, as Kafka's own tool lists them. */
async function openOn(topic: string, partition: number): Promise<string[]> {
  const rows = parseToolTable(await kafkaToolOk('kafka-transactions', ['describe-producers', '--topic', topic, '--partition', String(partition)]))
  return rows.filter((r) => r.CurrentTransactionStartOffset !== 'None').map((r) => `${r.ProducerId}@${r.CurrentTransactionStartOffset}`)
}

afterAll(async () => {
  // A drill leaves the incident as the trainee left it; an open transaction dies with its topic.
  const ops = await connect({ bootstrapServers: testSandbox().bootstrap.split(','), clientId: 'runbook-drill-test' })
  await ops.deleteTopics(topics).catch(() => {})
  await ops.close()
})

describe('drill stuck-transaction', () => {
  it('ongoing, following the runbook: the killed producer is fenced, the consumer moves on, nothing committed is lost or handled twice', async () => {
    const result = await drill('ongoing', follow())
    const { report } = result
    expect(report.scenario).toMatchObject({ id: 'stuck-transaction', variant: 'ongoing' })
    expectSessionEnded(report, { status: 'done', exitCode: 0 })
    expect(report.score.passed, report.score.notes.join('\n')).toBe(true)
    expect(report.score.notes.join('\n')).toContain('The decision was fence: the best one here')
    expect(metric(result, 'Records the pipeline committed').value).toBeGreaterThan(0)
    expect(metric(result, 'Seconds the read_committed consumer was stalled')).toMatchObject({ good: true })
    expect(metric(result, 'Records of the stuck transaction discarded').value).toBe(settings.stuckRecords)
    expect(metric(result, 'Committed records aborted').value).toBe(0)
    expect(metric(result, 'Records the consumer handled twice').value).toBe(0)
    expect(metric(result, 'Unsafe actions').value).toBe(0)
    expect(await openOn(topics.at(-1)!, settings.ongoingPartitions[0]!)).toEqual([])
    expect(existsSync(join(report.session!.dir, 'drill-report.md'))).toBe(true)
    expect(survivors(report.dir)).toBe('')
  }, 240_000)

  it('hanging, following the runbook: the batch no coordinator knows is aborted after its records were copied', async () => {
    const result = await drill('hanging', follow())
    const { report } = result
    expect(report.scenario).toMatchObject({ variant: 'hanging' })
    expect(report.score.passed, report.score.notes.join('\n')).toBe(true)
    expect(report.score.notes.join('\n')).toContain('The decision was abort: the best one here')
    expect(metric(result, 'Records of the stuck transaction discarded').value).toBe(settings.stuckRecords)
    expect(metric(result, 'Records the consumer handled twice').value).toBe(0)
    expect(readdirSync(report.session!.dir).filter((f) => f.startsWith(`aborted-${topics.at(-1)}-${settings.hangingPartition}-`))).toHaveLength(1)
    expect(await openOn(topics.at(-1)!, settings.hangingPartition)).toEqual([])
    expect(survivors(report.dir)).toBe('')
  }, 240_000)

  it('ongoing, waiting for a coordinator 10 minutes away: scored as a stall, the consumer still held at the end', async () => {
    const answers = new Map(
      Object.entries({ decision: 'wait', 'wait-timeout': '1s', 'sample-gap': '1s' }).map(([k, v]) => [k, { text: v, source: 'flag' as const }]),
    )
    const result = await drill('ongoing', { kind: 'headless', io: scriptedIo([], { interactive: false }), answers, approvals: { yes: true, hashes: [] } })
    const { score } = result.report
    expect(score.passed).toBe(false)
    expect(score.notes.join('\n')).toContain('The decision was wait; fence was the best one')
    expect(score.notes.join('\n')).toContain('until the coordinator aborts the transaction at its timeout')
    expect(metric(result, 'Seconds the read_committed consumer was stalled')).toMatchObject({ good: false })
    expect(metric(result, 'Records held behind the last stable offset').value).toBeGreaterThan(0)
    expect(metric(result, 'Records of the stuck transaction discarded').value).toBe(0)
    expect(metric(result, 'Committed records aborted').value).toBe(0)
    // The broker agrees: the last stable offset still sits below the high watermark on every partition it held.
    const ops = await connect({ bootstrapServers: testSandbox().bootstrap.split(','), clientId: 'runbook-drill-test' })
    const offsets = await ops.listOffsets(
      settings.ongoingPartitions.flatMap((partition) => [
        { topic: topics.at(-1)!, partition, spec: 'latest' as const },
        { topic: topics.at(-1)!, partition, spec: 'latest' as const, isolation: 'read_committed' as const },
      ]),
    )
    await ops.close()
    for (let i = 0; i < offsets.length; i += 2) expect(offsets[i + 1]!.offset!).toBeLessThan(offsets[i]!.offset!)
  }, 240_000)
})
