// The stuck-transactions runbook against the in-memory fake: find (verdicts, groups, records), the three ways
// headless, the copy before an abort, drift between plan and apply, and bad input. The real cluster and
// kafka-transactions are in test/integration/stuck-transactions/.

import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runRunbook, type RunOptions } from '../../../lib/engine/runner.ts'
import { parseSalvage } from '../../../lib/kafka/salvage-file.ts'
import { fakeCluster, type FakeKafka } from '../../../lib/kafka/fake/index.ts'
import { scriptedIo, type ScriptedIo } from '../../../lib/testkit/index.ts'
import runbook from '../../../runbooks/stuck-transactions/index.ts'
import { given, runOptions } from '../../support/run-options.ts'

const minute = 60_000
let now = 0
const clock = () => now

/**
 * orders/0: 5 committed records, then a transaction of 3 records whose producer (orders-etl, 15-minute timeout)
 * went silent 5 minutes ago, then 4 plain records; orders/1: a hanging batch of 2 records (no transactional
 * id), then 3 plain ones; orders/2: nothing open. Group sink waits at orders/0's LSO; group audit read past it.
 */
function cluster(): { kafka: FakeKafka; etl: { producerId: bigint }; orphan: { producerId: bigint; firstOffset: bigint } } {
  now = Date.parse('2026-12-06T02:00:00Z')
  const kafka = fakeCluster({ clock })
    .brokers(3)
    .topic('orders', { partitions: 3 })
    .group('sink', { offsets: { 'orders/0': 5n, 'orders/1': 0n, 'orders/2': 6n } })
    .group('audit', { offsets: { 'orders/0': 9n } })
    .build()
  kafka.write('orders', 0, 5)
  const etl = kafka.openTransaction('orders-etl', 'orders', [0], { records: 3, timeoutMs: 15 * minute })
  kafka.write('orders', 0, 4)
  const orphan = kafka.hangTransaction('orders', 1, 2, { timestampMs: now - 40 * minute })
  kafka.write('orders', 1, 3)
  kafka.write('orders', 2, 6)
  now += 5 * minute
  return { kafka, etl, orphan }
}

const fast = { 'sample-gap': '0s', 'verify-timeout': '0s', topics: 'orders' }
const options = (io: ScriptedIo, kafka: FakeKafka, extra: Partial<RunOptions> = {}): RunOptions => runOptions(io, kafka, { clock, ...extra })
const headless = (kafka: FakeKafka, answers: Record<string, string>, extra: Partial<RunOptions> = {}) =>
  runRunbook(
    runbook,
    options(scriptedIo([], { interactive: false }), kafka, { given: given({ ...fast, ...answers }), approvals: { yes: true, hashes: [] }, ...extra }),
  )

const stable = async (kafka: FakeKafka, partition: number) => {
  const [hw, lso] = await kafka.listOffsets([
    { topic: 'orders', partition, spec: 'latest' },
    { topic: 'orders', partition, spec: 'latest', isolation: 'read_committed' },
  ])
  return { highWatermark: hw!.offset, lastStable: lso!.offset }
}

describe('find', () => {
  it('lists each stuck partition with its holding transaction, its verdict, its records and the groups there', async () => {
    const { kafka, etl, orphan } = cluster()
    const result = await headless(kafka, {}, { dryRun: true })
    expect(result).toMatchObject({ status: 'dry-run', exitCode: 0 })
    const find = result.cells.find((c) => c.id === 'stuck-partitions')!
    const data = find.data as {
      partitions: {
        topic: string
        partition: number
        lastStableOffset: bigint
        highWatermark: bigint
        records: { records: number }
        transactions: { producerId: bigint; verdict: { kind: string } }[]
      }[]
      groups: { groupId: string; partition: number; where: string; lag: bigint }[]
    }
    expect(
      data.partitions.map((p) => [
        p.partition,
        p.lastStableOffset,
        p.highWatermark,
        p.records.records,
        p.transactions.map((t) => [t.producerId, t.verdict.kind]),
      ]),
    ).toEqual([
      [0, 5n, 12n, 3, [[etl.producerId, 'producer-gone']]],
      [1, 0n, 5n, 2, [[orphan.producerId, 'hanging']]],
    ])
    expect(data.groups.map((g) => [g.groupId, g.partition, g.where, g.lag])).toEqual([
      ['audit', 0, 'past', 3n],
      ['sink', 0, 'waiting', 7n],
      ['sink', 1, 'waiting', 5n],
    ])
    // Both ways priced; with a hanging transaction in scope the headless choice is the abort, which a dry run only plans.
    const decision = result.cells.find((c) => c.id === 'decision')!
    expect(decision).toMatchObject({ outcome: 'done' })
    expect(result.cells.find((c) => c.id === 'abort')).toMatchObject({ outcome: 'planned' })
    expect(await stable(kafka, 1)).toEqual({ highWatermark: 5n, lastStable: 0n })
    expect(kafka.mutations).toEqual([])
  })

  it('counts a group whose commit sits before a commit marker, with no record left below the LSO, as held; one with records left as behind', async () => {
    now = Date.parse('2026-12-06T02:00:00Z')
    const kafka = fakeCluster({ clock })
      .brokers(1)
      .topic('ledger', { partitions: 1 })
      .group('eos-sink', { offsets: { 'ledger/0': 2n } })
      .group('slow', { offsets: { 'ledger/0': 1n } })
      .build()
    // Records 0-1 and their commit marker at 2, then an open transaction from 3: a consumer that read both commits 2.
    kafka.openTransaction('ledger-writer', 'ledger', [0], { committedBefore: 1, timeoutMs: 15 * minute })
    const result = await headless(kafka, { topics: 'ledger' }, { dryRun: true })
    const data = result.cells.find((c) => c.id === 'stuck-partitions')!.data as {
      partitions: { lastStableOffset: bigint }[]
      groups: { groupId: string; where: string }[]
    }
    expect(data.partitions.map((p) => p.lastStableOffset)).toEqual([3n])
    expect(data.groups.map((g) => [g.groupId, g.where])).toEqual([
      ['eos-sink', 'waiting'],
      ['slow', 'behind'],
    ])
  })

  it('says nothing is stuck on a topic without open transactions', async () => {
    const kafka = fakeCluster({ clock }).brokers(1).topic('quiet', { partitions: 1 }).build()
    kafka.write('quiet', 0, 3)
    const result = await headless(kafka, { topics: 'quiet' })
    expect(result).toMatchObject({ status: 'done', exitCode: 0 })
    expect(result.cells.find((c) => c.id === 'decision')).toMatchObject({ outcome: 'skipped' })
  })
})

describe('apply', () => {
  it('aborts the hanging transaction after copying its records, and the LSO reaches the high watermark', async () => {
    const { kafka, orphan } = cluster()
    const result = await headless(kafka, { partitions: 'orders:1' })
    expect(result).toMatchObject({ status: 'done', exitCode: 0 })
    expect(result.cells.find((c) => c.id === 'abort')).toMatchObject({
      outcome: 'applied',
      verified: true,
      summary: 'abort the open transaction on 1 partition: 2 records discarded',
    })
    expect(await stable(kafka, 1)).toEqual({ highWatermark: 6n, lastStable: 6n })
    // Only that partition: orders/0 is still held by its producer's transaction.
    expect(await stable(kafka, 0)).toEqual({ highWatermark: 12n, lastStable: 5n })
    const file = readdirSync(result.sessionDir).find((f) => f.startsWith('aborted-orders-1-'))!
    const copy = parseSalvage(readFileSync(join(result.sessionDir, file), 'utf8').split('\n'))
    expect(copy.complete).toBe(true)
    expect(copy.records.map((r) => [r.offset, r.producerId, r.transactional])).toEqual([
      [0n, orphan.producerId, true],
      [1n, orphan.producerId, true],
    ])
  })

  it('fences the silent producer: its coordinator aborts the transaction and the epoch goes up', async () => {
    const { kafka, etl } = cluster()
    const result = await headless(kafka, { partitions: 'orders:0', decision: 'fence' })
    expect(result).toMatchObject({ status: 'done', exitCode: 0 })
    expect(result.cells.find((c) => c.id === 'fence')).toMatchObject({ outcome: 'applied', verified: true })
    expect(await stable(kafka, 0)).toEqual({ highWatermark: 13n, lastStable: 13n })
    const [producers] = await kafka.describeProducers([{ topic: 'orders', partition: 0 }])
    expect(producers!.producers.find((p) => p.producerId === etl.producerId)).toMatchObject({ transactionStartOffset: null })
  })

  it('refuses to abort a transaction its coordinator still tracks', async () => {
    const { kafka } = cluster()
    const result = await headless(kafka, { partitions: 'orders:0', decision: 'abort' })
    expect(result).toMatchObject({ status: 'refused', exitCode: 2 })
    expect(result.message).toContain('option "abort" is not available now: their coordinator still tracks these transactions')
    expect(await stable(kafka, 0)).toEqual({ highWatermark: 12n, lastStable: 5n })
    expect(kafka.mutations).toEqual([])
  })

  it('stops with exit 3 and changes nothing when the producer ended the transaction between the plan and the apply', async () => {
    const { kafka } = cluster()
    const io = scriptedIo([{ type: 'fence orders:0 3' }, { confirm: false, message: /new plan/ }])
    io.beforeNextPrompt(() => void kafka.endTransaction('orders-etl', 'commit'))
    const result = await runRunbook(runbook, options(io, kafka, { given: given({ ...fast, partitions: 'orders:0', decision: 'fence' }) }))
    expect(result).toMatchObject({ status: 'drifted', exitCode: 3 })
    expect(result.message).toContain('orders:0')
    expect(kafka.mutations).toEqual([])
  })
})

describe('bad input: one line, nothing changed', () => {
  it.each<{ name: string; answers: Record<string, string>; message: string }>([
    {
      name: 'a partition with no open transaction',
      answers: { partitions: 'orders:2' },
      message: 'orders:2 has no open transaction holding the last stable offset',
    },
    { name: 'a producer id that holds nothing', answers: { 'producer-id': '999' }, message: 'producer id 999 holds no stuck partition' },
    { name: 'a producer id that is not a number', answers: { 'producer-id': 'etl' }, message: 'is not a producer id' },
  ])('$name', async ({ answers, message }) => {
    const { kafka } = cluster()
    const result = await headless(kafka, answers)
    expect(result).toMatchObject({ exitCode: 2 })
    expect(result.message).toContain(message)
    expect(result.message!.split('\n')).toHaveLength(1)
    expect(kafka.mutations).toEqual([])
  })
})
