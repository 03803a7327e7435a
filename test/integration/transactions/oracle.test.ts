// Our reading of open and hanging transactions against Kafka's own `kafka-transactions` on the same cluster
// (describe-producers, list, describe, find-hanging), and the two ways out seen by a real read_committed
// consumer: an abort through our layer unblocks it, and so does a fence.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withoutTransactionVerification } from '../../../lib/drills/transaction-faults.ts'
import { type HangingBatch, produceHangingBatch } from '../../../lib/drills/workloads/hanging-batch.ts'
import { connect } from '../../../lib/kafka/index.ts'
import type { KafkaOps, TopicPartition } from '../../../lib/kafka/types.ts'
import { classifyOpenTransactions, type OpenTransactionsSnapshot, type StuckPartitionFinding } from '../../../lib/plans/open-transactions.ts'
import { readOpenTransactions } from '../../../lib/reads/open-transactions.ts'
import { produce, uniqueTopic, waitFor } from '../../support/kafka.ts'
import { kafkaToolOk, testSandbox } from '../../support/sandbox.ts'
import { parseToolTable, sandboxTransactions, startReadCommittedConsumer } from '../../support/transactions.ts'

const hourAgo = () => Date.now() - 3_600_000

describe('open and hanging transactions: the same answers as kafka-transactions', () => {
  let ops: KafkaOps
  let makers: ReturnType<typeof sandboxTransactions>
  const topic = uniqueTopic('stuck')
  const knownId = `${topic}-importer`
  const abandonedId = `${topic}-etl`
  let hanging: { orphan: HangingBatch; known: HangingBatch; recent: HangingBatch }
  let snapshot: OpenTransactionsSnapshot
  let findings: StuckPartitionFinding[]
  type Rows = Record<string, string>[]
  let tool: { producers: Rows[]; list: Rows; describe: Rows; hangingDefault: Rows; hangingAll: Rows }
  // The committed-then-open producer, and the two shapes of hanging one (p3 is p1's shape again).
  const producerPartitions = [0, 1, 2]

  beforeAll(async () => {
    ops = await connect({ bootstrapServers: testSandbox().bootstrap.split(','), clientId: 'runbook-transactions-oracle' })
    makers = sandboxTransactions(ops)
    expect(await ops.createTopics([{ topic, partitions: 4, replicationFactor: 3 }])).toEqual([{ topic }])
    // p0: a producer SIGKILLed mid-transaction (one transaction committed before); p1: a producer id no
    // transactional id owns, an hour old; p2: a known id that never registered the partition, an hour old;
    // p3: like p1 but written just now (not yet past the maximum transaction timeout).
    const bootstrap = testSandbox().bootstrap.split(',')
    ;[, hanging] = await Promise.all([
      makers.abandon({ topic, partitions: [0], transactionalId: abandonedId, transactionTimeoutMs: 600_000, committedBefore: 1 }),
      withoutTransactionVerification(ops, async () => ({
        orphan: await produceHangingBatch({ bootstrap, topic, partition: 1, records: 3, transactionalId: null, timestampMs: hourAgo() }),
        known: await produceHangingBatch({ bootstrap, topic, partition: 2, records: 2, transactionalId: knownId, timestampMs: hourAgo() }),
        recent: await produceHangingBatch({ bootstrap, topic, partition: 3, records: 1, transactionalId: null }),
      })),
    ])
    // Plain records behind the hanging transaction on p1: read_committed readers cannot get to them.
    await produce(topic, ['after-1', 'after-2', 'after-3', 'after-4', 'after-5'], { partition: 1 })
    snapshot = await readOpenTransactions(ops, { takenAtMs: Date.now(), topics: [topic] })
    findings = classifyOpenTransactions(snapshot)
    // Kafka's answers before anything changes, two at a time: each is a JVM start, and the machine has two cores.
    const runs = [
      ...producerPartitions.map((partition) => ['describe-producers', '--topic', topic, '--partition', String(partition)]),
      ['list'],
      ['describe', '--transactional-id', abandonedId],
      ['find-hanging', '--topic', topic],
      ['find-hanging', '--topic', topic, '--max-transaction-timeout', '0'],
    ]
    const answers: Rows[] = []
    for (let i = 0; i < runs.length; i += 2) {
      const pair = await Promise.all(runs.slice(i, i + 2).map((args) => kafkaToolOk('kafka-transactions', args).then(parseToolTable)))
      answers.push(...pair)
    }
    const [list, describe, hangingDefault, hangingAll] = answers.slice(producerPartitions.length)
    tool = {
      producers: answers.slice(0, producerPartitions.length),
      list: list!,
      describe: describe!,
      hangingDefault: hangingDefault!,
      hangingAll: hangingAll!,
    }
  })

  afterAll(async () => {
    await makers?.stop()
    if (ops) {
      await ops.deleteTopics([topic])
      await ops.close()
    }
  })

  const finding = (partition: number) => findings.find((f) => f.partition === partition)!

  it('finds every stuck partition and judges its transaction', () => {
    expect(findings.map((f) => [f.partition, f.lastStableOffset, f.highWatermark])).toEqual([
      [0, 3n, 5n],
      [1, 0n, 8n],
      [2, 0n, 2n],
      [3, 0n, 1n],
    ])
    // Killed seconds ago: by the idle rule (a minute by default) not yet judged gone; either way its coordinator ends it at the deadline.
    expect(finding(0).transactions![0]!.verdict).toMatchObject({ kind: 'ongoing', transactionalId: abandonedId })
    expect(classifyOpenTransactions(snapshot, { producerIdleMs: 0 })[0]!.transactions![0]!.verdict).toMatchObject({ kind: 'producer-gone' })
    expect(finding(1).transactions![0]!.verdict).toMatchObject({ kind: 'hanging', reason: 'no-transactional-id', pastMaxTimeout: true })
    expect(finding(2).transactions![0]!.verdict).toMatchObject({
      kind: 'hanging',
      reason: 'partition-not-in-transaction',
      transactionalId: knownId,
      coordinatorState: 'Empty',
      pastMaxTimeout: true,
    })
    expect(finding(3).transactions![0]!.verdict).toMatchObject({ kind: 'hanging', reason: 'no-transactional-id', pastMaxTimeout: false })
    expect(finding(1).unblockedByMs).toBeNull()
  })

  it('describe-producers: the same producers, epochs, sequences, timestamps and open transactions, partition by partition', async () => {
    for (const [i, partition] of producerPartitions.entries()) {
      const [ours] = await ops.describeProducers([{ topic, partition }])
      const rows = ours!.producers.map((p) => ({
        ProducerId: String(p.producerId),
        ProducerEpoch: String(p.producerEpoch),
        LatestCoordinatorEpoch: String(p.coordinatorEpoch ?? -1),
        LastSequence: String(p.lastSequence),
        LastTimestamp: String(p.lastTimestampMs ?? -1),
        CurrentTransactionStartOffset: p.transactionStartOffset === null ? 'None' : String(p.transactionStartOffset),
      }))
      const byId = (a: { ProducerId?: string }, b: { ProducerId?: string }) => Number(a.ProducerId) - Number(b.ProducerId)
      expect(rows.sort(byId), `partition ${partition}`).toEqual([...tool.producers[i]!].sort(byId))
    }
  })

  it('list and describe: the same transactional ids, coordinators, producer ids, states and transaction', async () => {
    const ours = (await ops.listTransactions()).flatMap((answer) =>
      answer.transactions.map((t) => ({
        TransactionalId: t.transactionalId,
        Coordinator: String(answer.broker),
        ProducerId: String(t.producerId),
        TransactionState: t.state,
      })),
    )
    const mine = (rows: { TransactionalId?: string }[]) =>
      rows.filter((r) => r.TransactionalId?.startsWith(topic)).sort((a, b) => a.TransactionalId!.localeCompare(b.TransactionalId!))
    expect(mine(ours)).toEqual(mine(tool.list))
    expect(mine(ours).map((r) => r.TransactionalId)).toEqual([abandonedId, knownId])

    const [described] = await ops.describeTransactions([abandonedId])
    const [row] = tool.describe
    expect({
      CoordinatorId: String(described!.coordinator),
      TransactionalId: described!.transactionalId,
      ProducerId: String(described!.producerId),
      ProducerEpoch: String(described!.producerEpoch),
      TransactionState: described!.state,
      TransactionTimeoutMs: String(described!.timeoutMs),
      CurrentTransactionStartTimeMs: String(described!.startTimeMs),
      TopicPartitions: described!.partitions.map((p: TopicPartition) => `${p.topic}-${p.partition}`).join(','),
    }).toEqual({ ...row, TransactionDurationMs: undefined })
  })

  it('find-hanging: the same hanging transactions, with the default horizon and with none', async () => {
    const ourRows = (pastOnly: boolean) =>
      findings.flatMap((f) =>
        f
          .transactions!.filter((t) => t.verdict.kind === 'hanging' && (!pastOnly || t.verdict.pastMaxTimeout))
          .map((t) => ({
            Topic: f.topic,
            Partition: String(f.partition),
            ProducerId: String(t.producerId),
            ProducerEpoch: String(t.producerEpoch),
            CoordinatorEpoch: String(t.coordinatorEpoch ?? -1),
            StartOffset: String(t.startOffset),
            LastTimestamp: String(t.lastWriteMs),
          })),
      )
    const toolRows = (rows: Rows) =>
      [...rows].sort((a, b) => Number(a['Partition']) - Number(b['Partition'])).map((row) => ({ ...row, 'Duration(min)': undefined }))
    // The sandbox runs Kafka's default transaction.max.timeout.ms (15 minutes), find-hanging's default horizon.
    expect(ourRows(true).map((r) => r.Partition)).toEqual(['1', '2'])
    expect(toolRows(tool.hangingDefault)).toEqual(ourRows(true).map((r) => ({ ...r, 'Duration(min)': undefined })))
    // With no horizon find-hanging asks the coordinators about every open transaction: the abandoned one is theirs.
    expect(ourRows(false).map((r) => r.Partition)).toEqual(['1', '2', '3'])
    expect(toolRows(tool.hangingAll)).toEqual(ourRows(false).map((r) => ({ ...r, 'Duration(min)': undefined })))
  })

  it('an abort and a fence through our layer unblock a real read_committed consumer; the aborted records never reach it', async () => {
    const consumer = await startReadCommittedConsumer(topic, `${topic}-reader`)
    try {
      // Below each LSO there is only p0's committed transaction: that is all the consumer can have.
      await waitFor(() => consumer.received.length >= 2, { what: 'the committed transaction to be read', timeoutMs: 60_000 })
      expect(consumer.received.map((r) => [r.partition, r.offset])).toEqual([
        [0, 0n],
        [0, 1n],
      ])
      const [aborted] = await ops.abortTransactions([{ topic, partition: 1, producerId: hanging.orphan.producerId, startOffset: hanging.orphan.firstOffset }])
      expect(aborted!.error).toBeUndefined()
      const [fenced] = await ops.fenceProducers([{ transactionalId: abandonedId }])
      expect(fenced!.error).toBeUndefined()
      for (const partition of [0, 1]) {
        const [hw, lso] = await ops.listOffsets([
          { topic, partition, spec: 'latest' },
          { topic, partition, spec: 'latest', isolation: 'read_committed' },
        ])
        expect(lso!.offset).toBe(hw!.offset)
      }
      await waitFor(() => consumer.received.filter((r) => r.partition === 1).length >= 5, {
        what: 'the records behind the aborted transaction',
        timeoutMs: 60_000,
      })
      expect(consumer.received.filter((r) => r.partition === 1).map((r) => [r.offset, r.value])).toEqual([
        [3n, 'after-1'],
        [4n, 'after-2'],
        [5n, 'after-3'],
        [6n, 'after-4'],
        [7n, 'after-5'],
      ])
      // p0's abandoned transaction was aborted by its coordinator: nothing more to read there.
      expect(consumer.received.filter((r) => r.partition === 0)).toHaveLength(2)
      expect(consumer.received.some((r) => r.value.startsWith('hanging'))).toBe(false)
    } finally {
      await consumer.stop()
    }
  })
})
