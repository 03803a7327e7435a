import { describe, expect, it } from 'vitest'
import { runRunbook, type RunOptions } from '../../../lib/engine/runner.ts'
import { readEvents } from '../../../lib/engine/session.ts'
import { runUndo } from '../../../lib/engine/undo.ts'
import { fakeBatches, fakeLogDirs, type FakeKafka } from '../../../lib/kafka/fake/index.ts'
import { type ReproducePlan, salvageHeaders } from '../../../lib/plans/salvage.ts'
import { reproduceCell } from '../../../runbooks/unclean-election/apply/reproduce.ts'
import { readSalvageFile } from '../../../lib/reads/salvage.ts'
import { scriptedIo, type ScriptedIo } from '../../../lib/testkit/index.ts'
import runbook from '../../../runbooks/unclean-election/index.ts'
import { given, runOptions } from '../../support/run-options.ts'
import { undoOptions } from '../../support/undo-options.ts'
import { clock, clusterId, deadLog, folders, incident, startMs } from './dead-log-incident.ts'

const options = (io: ScriptedIo, kafka: FakeKafka, extra: Partial<RunOptions> = {}): RunOptions =>
  runOptions(io, kafka, { clock, openLogDir: folders, ...extra })
const headless = () => scriptedIo([], { interactive: false })
const electing = { 'dead-log-dirs': '1=/mnt/broker-1', partitions: 'orders:0,orders:1', candidate: '3', 'aftermath-wait': '0s' }

async function readAll(kafka: FakeKafka, topic: string, partition: number) {
  const [end] = await kafka.listOffsets([{ topic, partition, spec: 'latest' }])
  const [answer] = await kafka.fetchRecords([{ topic, partition, offset: 0n, endOffset: end!.offset!, maxRecords: 100_000 }])
  return answer!.batches.flatMap((b) => b.records)
}

const header = (record: { headers: readonly { key: string; value: Buffer | null }[] }, key: string) =>
  record.headers.find((h) => h.key === key)?.value?.toString('utf8')

describe('unclean-election: salvage of what the dead leader alone holds', () => {
  it('copies exactly the records above the elected replica’s end before electing, re-produces them to <topic>.salvaged, and undo deletes that topic', async () => {
    const kafka = incident()
    const result = await runRunbook(
      runbook,
      options(headless(), kafka, { given: given({ ...electing, salvage: 'copy' }), approvals: { yes: true, hashes: [] } }),
    )
    expect(result, result.message).toMatchObject({ status: 'done', exitCode: 0 })
    const order = readEvents(result.sessionDir)
      .filter((e) => e.type === 'apply')
      .map((e) => (e as { cell: string }).cell)
    expect(order).toEqual(['salvage-copy', 'elect', 'reproduce'])

    const copied = readEvents(result.sessionDir).find((e) => e.type === 'apply' && (e as { cell: string }).cell === 'salvage-copy') as unknown as {
      data: { files: { partition: number; path: string; records: number; fromOffset: bigint; toOffset: bigint }[] }
    }
    expect(copied.data.files.map((f) => [f.partition, f.records, String(f.fromOffset), String(f.toOffset)])).toEqual([
      [0, 1100, '1000', '2100'],
      [1, 830, '1000', '1830'],
    ])
    const file = readSalvageFile(copied.data.files[0]!.path)
    if ('error' in file) throw new Error(file.error)
    expect(file.complete).toBe(true)
    expect(file.header).toMatchObject({ topic: 'orders', partition: 0, broker: 1, logDir: '/mnt/broker-1', fromOffset: 1000n, toOffset: 2100n })
    expect(file.records.map((r) => r.offset)).toEqual(Array.from({ length: 1100 }, (_, i) => 1000n + BigInt(i)))
    expect(new Set(file.records.map((r) => r.producerId))).toEqual(new Set([7n]))

    const states = await kafka.partitionStates(['orders.salvaged'])
    expect(states[0]!.partitions.map((p) => p.partition)).toEqual([0, 1])
    const salvaged = await readAll(kafka, 'orders.salvaged', 0)
    expect(salvaged).toHaveLength(1100)
    expect(salvaged.map((r) => header(r, salvageHeaders.offset))).toEqual(file.records.map((r) => String(r.offset)))
    expect(salvaged.every((r) => header(r, salvageHeaders.topic) === 'orders' && header(r, salvageHeaders.partition) === '0')).toBe(true)
    expect(salvaged.map((r) => r.value?.toString('hex'))).toEqual(file.records.map((r) => r.value?.toString('hex')))
    expect(salvaged.map((r) => r.timestamp)).toEqual(file.records.map((r) => r.timestamp))
    expect(header(salvaged[0]!, salvageHeaders.leaderEpoch)).toBe(String(file.records[0]!.leaderEpoch))
    expect(await readAll(kafka, 'orders.salvaged', 1)).toHaveLength(830)
    expect(result.cells.find((c) => c.id === 'reproduce')).toMatchObject({ outcome: 'applied', verified: true })

    const undone = await runUndo(
      undoOptions({
        runbook,
        io: scriptedIo([], { interactive: false }),
        kafka,
        sessionDir: result.sessionDir,
        sessionsDir: options(headless(), kafka).sessionsDir,
        approvals: { yes: true, hashes: [] },
      }),
    )
    expect(undone, undone.message).toMatchObject({ exitCode: 0 })
    expect((await kafka.partitionStates(['orders.salvaged']))[0]!.error?.name).toBe('UNKNOWN_TOPIC_OR_PARTITION')
  })

  it('refuses to write into the original topic while its partitions are under min.insync.replicas (acks=all would be refused)', async () => {
    const result = await runRunbook(
      runbook,
      options(headless(), incident(), { given: given({ ...electing, salvage: 'copy', 'salvage-topic': 'original' }), approvals: { yes: true, hashes: [] } }),
    )
    expect(result).toMatchObject({ status: 'refused', exitCode: 2 })
    expect(result.message).toMatch(/orders-0, orders-1 have 1 in-sync replica and min.insync.replicas=2/)
    expect(result.cells.find((c) => c.id === 'elect')).toMatchObject({ outcome: 'applied' })
  })

  it('into the original topic: the preview says consumers get them late and some twice, and undo says the records stay', async () => {
    const kafka = incident()
    // min ISR 1 here, so that broker 3 alone takes acks=all writes once elected.
    await kafka.incrementalAlterConfigs([{ resource: { type: 'topic', name: 'orders' }, ops: [{ op: 'set', name: 'min.insync.replicas', value: '1' }] }], {
      validateOnly: false,
    })
    const io = scriptedIo([], { interactive: false })
    const result = await runRunbook(
      runbook,
      options(io, kafka, { given: given({ ...electing, salvage: 'copy', 'salvage-topic': 'original' }), approvals: { yes: true, hashes: [] } }),
    )
    expect(result, result.message).toMatchObject({ status: 'done', exitCode: 0 })
    const screen = io.screen().replace(/\s+/g, ' ')
    expect(screen).toContain('out of order')
    // Group billing had committed orders-0 at 1,500: the 500 records from 1,000 to 1,499 reached its consumers.
    expect(screen).toContain('500 records had already been read by consumer groups')
    const orders = await readAll(kafka, 'orders', 0)
    expect(orders.filter((r) => header(r, salvageHeaders.topic) === 'orders')).toHaveLength(1100)

    const undoIo = scriptedIo([], { interactive: false })
    const undone = await runUndo(
      undoOptions({
        runbook,
        io: undoIo,
        kafka,
        sessionDir: result.sessionDir,
        sessionsDir: options(headless(), kafka).sessionsDir,
        approvals: { yes: true, hashes: [] },
      }),
    )
    expect(undone.exitCode).toBe(0)
    expect(undoIo.screen().replace(/\s+/g, ' ')).toContain('stay')
    expect((await readAll(kafka, 'orders', 0)).filter((r) => header(r, salvageHeaders.topic) === 'orders')).toHaveLength(1100)
  })

  it('on the wait path, offers the salvage of what the returning broker’s history truncates, and plans exactly those records', async () => {
    const behind = fakeLogDirs([
      { path: '/mnt/b1', brokerId: 1, clusterId, partitions: [{ topic: 'orders', partition: 0, batches: deadLog(1800) }] },
      { path: '/mnt/b2', brokerId: 2, clusterId, partitions: [{ topic: 'orders', partition: 0, batches: deadLog(2050) }] },
    ])
    const kafka = incident({ elr: false })
    const result = await runRunbook(
      runbook,
      options(headless(), kafka, {
        openLogDir: behind,
        dryRun: true,
        given: given({ 'dead-log-dirs': '1=/mnt/b1,2=/mnt/b2', partitions: 'orders:0', decision: 'wait', salvage: 'copy' }),
      }),
    )
    const decision = readEvents(result.sessionDir).find((e) => e.type === 'decision' && (e as { cell: string }).cell === 'salvage') as unknown as {
      options: { value: string; cost: string; recommended?: boolean }[]
    }
    expect(decision.options.find((o) => o.value === 'skip')!.cost).toContain('250 records deleted for good')
    expect(decision.options.find((o) => o.value === 'copy')!.recommended).toBe(true)
    expect(result.cells.find((c) => c.id === 'salvage-copy')).toMatchObject({
      outcome: 'planned',
      plan: { records: 250, targets: [{ topic: 'orders', partition: 0, deadBroker: 2, fromOffset: 1800n, toOffset: 2050n, newLeader: 1, how: 'wait' }] },
    })
  })

  it('is not offered when no dead folder was read, and a headless run skips it unless asked', async () => {
    const none = await runRunbook(runbook, options(headless(), incident(), { dryRun: true, given: given({ partitions: 'orders:0', candidate: '3' }) }))
    expect(none.cells.find((c) => c.id === 'salvage')).toMatchObject({ outcome: 'skipped' })
    const notAsked = await runRunbook(runbook, options(headless(), incident(), { dryRun: true, given: given(electing) }))
    expect(notAsked.cells.find((c) => c.id === 'salvage')).toMatchObject({ decision: 'skip' })
    expect(notAsked.cells.find((c) => c.id === 'salvage-copy')).toMatchObject({ outcome: 'skipped' })
  })
})

describe('unclean-election: salvaged transactions', () => {
  // Broker 1 alone holds, above broker 3's end (1,000): a committed transaction (20 records), an aborted one (10),
  // and one with no marker (5) whose coordinator is gone; then 15 plain records.
  const transactions = fakeLogDirs([
    {
      path: '/mnt/broker-1-tx',
      brokerId: 1,
      clusterId,
      partitions: [
        {
          topic: 'orders',
          partition: 0,
          batches: [
            ...deadLog(1000),
            ...fakeBatches({ baseOffset: 1000n, records: 20, startMs, producerId: 11n, transaction: 'commit' }),
            ...fakeBatches({ baseOffset: 1021n, records: 10, startMs, producerId: 12n, transaction: 'abort' }),
            ...fakeBatches({ baseOffset: 1032n, records: 5, startMs, producerId: 13n, transaction: 'open' }),
            ...fakeBatches({ baseOffset: 1037n, records: 15, startMs }),
          ],
        },
      ],
    },
  ])

  it('re-produces the committed and plain records only, counts each kind in the preview, the confirmation and --json, and keeps markers in the file', async () => {
    const kafka = incident()
    const result = await runRunbook(
      runbook,
      options(headless(), kafka, {
        openLogDir: transactions,
        given: given({ ...electing, partitions: 'orders:0', 'dead-log-dirs': '1=/mnt/broker-1-tx', salvage: 'copy' }),
        approvals: { yes: true, hashes: [] },
      }),
    )
    expect(result, result.message).toMatchObject({ status: 'done', exitCode: 0 })
    const events = readEvents(result.sessionDir)
    const copied = events.find((e) => e.type === 'apply' && (e as { cell: string }).cell === 'salvage-copy') as unknown as {
      data: { files: { path: string }[] }
    }
    const file = readSalvageFile(copied.data.files[0]!.path)
    if ('error' in file) throw new Error(file.error)
    expect(file).toMatchObject({ version: 2, complete: true })
    expect(file.records).toHaveLength(50)
    expect(file.markers.map((m) => [m.offset, m.type, m.producerId])).toEqual([
      [1020n, 'commit', 11n],
      [1031n, 'abort', 12n],
    ])
    expect(file.outcomes).toMatchObject([{ producerId: 13n, firstOffset: 1032n, outcome: 'unknown', source: 'none' }])

    const salvaged = await readAll(kafka, 'orders.salvaged', 0)
    expect(salvaged.map((r) => header(r, salvageHeaders.offset))).toEqual([
      ...Array.from({ length: 20 }, (_, i) => String(1000 + i)),
      ...Array.from({ length: 15 }, (_, i) => String(1037 + i)),
    ])
    const reproduced = events.find((e) => e.type === 'apply' && (e as { cell: string }).cell === 'reproduce') as unknown as {
      data: { written: { records: number; plain: number; committed: number; aborted: number; undecided: number }[] }
    }
    expect(reproduced.data.written).toMatchObject([{ records: 35, plain: 15, committed: 20, aborted: 10, undecided: 5 }])
    const transcript = JSON.stringify(events.filter((e) => (e as { cell?: string }).cell === 'reproduce'))
    expect(transcript).toContain('20 records of committed transactions are written as plain records')
    expect(transcript).toContain('10 records of aborted transactions are never written')
    expect(transcript).toMatch(/5 records of transactions whose end is not known .* stay in the salvage file only: a consumer in read_committed never saw them/)
    const planned = (events.find((e) => e.type === 'plan' && (e as { cell: string }).cell === 'reproduce') as unknown as { plan: ReproducePlan }).plan
    if (reproduceCell.kind !== 'action') throw new Error('reproduce is an action cell')
    expect(reproduceCell.confirm(planned)).toMatchObject({
      kind: 'typed',
      expected: '35 to orders.salvaged',
      prompt: expect.stringContaining('(15 plain, 20 committed; 10 aborted and 5 open or unknown stay out)'),
    })
    expect(result.cells.find((c) => c.id === 'reproduce')).toMatchObject({ outcome: 'applied', verified: true })
  })
})
