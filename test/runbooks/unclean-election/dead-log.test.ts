import { describe, expect, it } from 'vitest'
import { runRunbook, type RunOptions } from '../../../lib/engine/runner.ts'
import { readEvents } from '../../../lib/engine/session.ts'
import { fakeLogDirs, type FakeKafka } from '../../../lib/kafka/fake/index.ts'
import { scriptedIo, type ScriptedIo } from '../../../lib/testkit/index.ts'
import runbook from '../../../runbooks/unclean-election/index.ts'
import { clock, clusterId, deadLog, folders, incident } from './dead-log-incident.ts'
import { given, runOptions } from '../../support/run-options.ts'

const options = (io: ScriptedIo, kafka: FakeKafka, extra: Partial<RunOptions> = {}): RunOptions =>
  runOptions(io, kafka, { clock, openLogDir: folders, ...extra })
const flat = (text: string) => text.replace(/\s+/g, ' ')
const headless = () => scriptedIo([], { interactive: false })
/** The outage and policy given up front: the pricing cell asks nothing. */
const fast = { 'aftermath-wait': '0s', 'expected-outage': 'unknown', policy: 'min-records' }

interface EstimateData {
  estimates: {
    partition: number
    best: number
    candidates: {
      broker: number
      certainLoss: bigint
      exactLoss?: { records: number; deadBroker: number; truncateFrom: bigint; producers: { producerId: bigint; records: number }[] }
    }[]
  }[]
  deadLogs: { partition: number; deadLeader: number; replicas: { broker: number; logEndOffset: bigint }[] }[]
}

describe('unclean-election: the dead leader’s own log', () => {
  it('prices each candidate exactly from the dead leader’s log, beside the floor, in --json and in the typed confirmation', async () => {
    const kafka = incident()
    const dry = await runRunbook(
      runbook,
      options(headless(), kafka, {
        dryRun: true,
        given: given({ 'dead-log-dirs': '1=/mnt/broker-1,2=/mnt/broker-2', partitions: 'orders:0,orders:1', candidate: '3' }),
      }),
    )
    expect(dry).toMatchObject({ status: 'dry-run', exitCode: 0 })
    const data = dry.cells.find((c) => c.id === 'estimate')!.data as EstimateData
    // The dead leader is the replica whose log reaches furthest; broker 3 ends at 1,000.
    expect(data.deadLogs.map((d) => [d.partition, d.deadLeader, d.replicas.map((r) => [r.broker, r.logEndOffset])])).toEqual([
      [
        0,
        1,
        [
          [1, 2100n],
          [2, 1800n],
        ],
      ],
      [
        1,
        1,
        [
          [1, 1830n],
          [2, 1800n],
        ],
      ],
    ])
    expect(data.estimates.map((e) => e.candidates.map((c) => [c.broker, c.certainLoss, c.exactLoss?.records, c.exactLoss?.truncateFrom]))).toEqual([
      [[3, 500n, 1100, 1000n]],
      [[3, 0n, 830, 1000n]],
    ])
    expect(data.estimates[0]!.candidates[0]!.exactLoss!.producers).toEqual([{ producerId: 7n, records: 1100 }])

    const plan = dry.cells.find((c) => c.id === 'elect')!.plan as { steps: { exactLoss: { records: number } }[] }
    expect(plan.steps.map((s) => s.exactLoss.records)).toEqual([1100, 830])

    const io = scriptedIo([{ select: 'elect' }, { select: 'skip', message: /Copy those records/ }, { type: '2 partitions, 1930 lost' }])
    const result = await runRunbook(
      runbook,
      options(io, kafka, { given: given({ 'dead-log-dirs': '1=/mnt/broker-1,2=/mnt/broker-2', partitions: 'orders:0,orders:1', candidate: '3', ...fast }) }),
    )
    expect(result).toMatchObject({ status: 'done', exitCode: 0 })
    expect(readEvents(result.sessionDir).find((e) => e.type === 'confirmation')).toMatchObject({ expected: '2 partitions, 1930 lost', accepted: true })
    expect(flat(io.screen())).toContain('exactly 1,930 records')
    expect(result.cells.find((c) => c.id === 'aftermath')!.data).toMatchObject({
      truncated: [
        { topic: 'orders', partition: 0, deadBroker: 1, truncateFrom: 1000n, records: 1100, done: false },
        { topic: 'orders', partition: 1, deadBroker: 1, truncateFrom: 1000n, records: 830, done: false },
      ],
    })
  })

  it('a guided run asks for the dead broker’s folder, saying why, and goes on without one when the answer is empty', async () => {
    const kafka = incident()
    const io = scriptedIo([{ input: '1=/mnt/broker-1', message: /Log directory of the dead broker/ }, { select: 'wait' }])
    const result = await runRunbook(runbook, options(io, kafka, { given: given({ 'wait-timeout': '1s', ...fast }) }))
    expect(io.remaining()).toBe(0)
    expect(flat(io.screen())).toContain('may hold records none of them has')
    expect(flat(io.screen())).toContain('Exactly lost')
    expect(result.cells.find((c) => c.id === 'estimate')!.data).toMatchObject({
      deadLogs: [
        { partition: 0, deadLeader: 1 },
        { partition: 1, deadLeader: 1 },
      ],
    })

    const none = scriptedIo([{ input: '', message: /Log directory of the dead broker/ }, { select: 'wait' }])
    await runRunbook(runbook, options(none, incident(), { given: given({ 'wait-timeout': '1s', ...fast }) }))
    expect(none.remaining()).toBe(0)
    expect(flat(none.screen())).not.toContain('Exactly lost')
    expect(flat(none.screen())).toContain('What cannot be known while the old leader is down')
  })

  it('says how many records waiting for the ISR broker truncates from a dead replica that holds more, when both folders were read', async () => {
    // ELR off: broker 1 stays listed as the ISR; broker 2's folder holds 250 records beyond broker 1's end.
    const behind = fakeLogDirs([
      { path: '/mnt/b1', brokerId: 1, clusterId, partitions: [{ topic: 'orders', partition: 0, batches: deadLog(1800) }] },
      { path: '/mnt/b2', brokerId: 2, clusterId, partitions: [{ topic: 'orders', partition: 0, batches: deadLog(2050) }] },
    ])
    const kafka = incident({ elr: false })
    const io = headless()
    const result = await runRunbook(
      runbook,
      options(io, kafka, {
        openLogDir: behind,
        dryRun: true,
        given: given({ 'dead-log-dirs': '1=/mnt/b1,2=/mnt/b2', partitions: 'orders:0', decision: 'wait' }),
      }),
    )
    expect(result.cells.find((c) => c.id === 'decision')).toMatchObject({ decision: 'wait' })
    const decision = readEvents(result.sessionDir).find((e) => e.type === 'decision') as unknown as { options: { value: string; cost: string }[] }
    expect(decision.options.find((o) => o.value === 'wait')!.cost).toContain('the restart truncates 250 records only the dead leader holds')
  })

  it.each([
    ['a folder of another cluster', '1=/mnt/other', /belongs to cluster AAAAAAAAAAAAAAAAAAAAAA/],
    ['a folder of a running broker', '1=/mnt/running', /broker 1 is running on/],
    ['a folder that does not exist', '1=/mnt/nowhere', /log directory of broker 1/],
    ['a broker the cluster does not know', '9=/mnt/broker-1', /broker 9 is not in this cluster/],
    ['a broker named twice', '1=/mnt/broker-1,1=/mnt/broker-2', /broker 1 is given twice/],
    ['a value without a path', '1', /is not broker=path/],
  ])('refuses %s before any cell runs', async (_, value, message) => {
    const kafka = incident()
    const result = await runRunbook(runbook, options(headless(), kafka, { dryRun: true, given: given({ 'dead-log-dirs': value }) }))
    expect(result).toMatchObject({ status: 'refused', exitCode: 2 })
    expect(result.message).toMatch(message)
    expect(result.cells.find((c) => c.id === 'find')?.outcome ?? 'not-run').not.toBe('done')
  })
})
