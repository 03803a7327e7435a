// Reads what lib/plans/open-transactions.ts judges: every partition's high watermark beside its last stable
// offset (ListOffsets read_uncommitted and read_committed), the open transactions on the partitions where they
// differ (DescribeProducers on the leader), and what the coordinators know of those producers (ListTransactions
// on every broker filtered on their ids, then DescribeTransactions) — the reads `kafka-transactions
// find-hanging` makes, restricted to partitions that are stuck.

import type { KafkaOps, TopicPartition } from '../kafka/types.ts'
import type { CoordinatorDescription, OpenTransactionsSnapshot, StuckPartition } from '../plans/open-transactions.ts'
import { entryOf } from '../kafka/types.ts'

export interface OpenTransactionsReadOptions {
  readonly takenAtMs: number
  /** Only these topics (every topic, internal ones included, when omitted). */
  readonly topics?: readonly string[]
}

const timeoutSettings = ['transaction.max.timeout.ms', 'transaction.abort.timed.out.transaction.cleanup.interval.ms'] as const
/** Kafka's defaults, for a broker that does not say. */
const defaults = { 'transaction.max.timeout.ms': 900_000, 'transaction.abort.timed.out.transaction.cleanup.interval.ms': 10_000 }

export async function readOpenTransactions(kafka: KafkaOps, options: OpenTransactionsReadOptions): Promise<OpenTransactionsSnapshot> {
  const [topics, cluster] = await Promise.all([kafka.partitionStates(options.topics), kafka.cluster()])
  const unread: { topic: string; partition: number | null; error: string }[] = []
  const partitions: TopicPartition[] = []
  for (const topic of topics) {
    if (topic.error) unread.push({ topic: topic.topic, partition: null, error: topic.error.message })
    else for (const p of topic.partitions) partitions.push({ topic: p.topic, partition: p.partition })
  }
  const liveBroker = cluster.brokers.find((b) => b.fenced !== true)?.id
  const [offsets, settings] = await Promise.all([
    kafka.listOffsets(
      partitions.flatMap((tp) => [
        { ...tp, spec: 'latest' as const },
        { ...tp, spec: 'latest' as const, isolation: 'read_committed' as const },
      ]),
    ),
    liveBroker === undefined ? Promise.resolve([]) : kafka.describeConfigs([{ type: 'broker', id: liveBroker }], { names: [...timeoutSettings] }),
  ])
  const stuck: { tp: TopicPartition; highWatermark: bigint; lastStableOffset: bigint }[] = []
  partitions.forEach((tp, i) => {
    const [hw, lso] = [offsets[2 * i]!, offsets[2 * i + 1]!]
    const error = hw.error ?? lso.error
    if (error || hw.offset === null || lso.offset === null) unread.push({ ...tp, error: error?.message ?? 'no offset answered' })
    else if (lso.offset < hw.offset) stuck.push({ tp, highWatermark: hw.offset, lastStableOffset: lso.offset })
  })

  const producers = await kafka.describeProducers(stuck.map((s) => s.tp))
  const stuckPartitions = stuck.map(({ tp, highWatermark, lastStableOffset }, i): StuckPartition => {
    const answer = producers[i]!
    if (answer.error) return { ...tp, highWatermark, lastStableOffset, transactions: null, error: answer.error.message }
    const transactions = answer.producers
      .filter((p) => p.transactionStartOffset !== null)
      .map((p) => ({
        producerId: p.producerId,
        producerEpoch: p.producerEpoch,
        coordinatorEpoch: p.coordinatorEpoch,
        startOffset: p.transactionStartOffset!,
        lastWriteMs: p.lastTimestampMs,
      }))
    return { ...tp, highWatermark, lastStableOffset, transactions, error: null }
  })

  const producerIds = [...new Set(stuckPartitions.flatMap((p) => (p.transactions ?? []).map((t) => t.producerId)))]
  const transactionalIds = new Map<bigint, string>()
  const unlistedBrokers: { broker: number; error: string }[] = []
  const descriptions = new Map<string, CoordinatorDescription | { error: { name: string; message: string } }>()
  if (producerIds.length > 0) {
    for (const answer of await kafka.listTransactions({ producerIds })) {
      if (answer.error) unlistedBrokers.push({ broker: answer.broker, error: answer.error.message })
      for (const t of answer.transactions) if (producerIds.includes(t.producerId)) transactionalIds.set(t.producerId, t.transactionalId)
    }
    const ids = [...new Set(transactionalIds.values())]
    for (const d of await kafka.describeTransactions(ids)) {
      descriptions.set(d.transactionalId, d.error ? { error: { name: d.error.name, message: d.error.message } } : d)
    }
  }

  const setting = (name: (typeof timeoutSettings)[number]) => {
    const value = entryOf(settings[0], name)?.value
    return value === undefined || value === null ? defaults[name] : Number(value)
  }
  return {
    takenAtMs: options.takenAtMs,
    partitions: stuckPartitions,
    unread,
    transactionalIds,
    unlistedBrokers,
    descriptions,
    maxTransactionTimeoutMs: setting('transaction.max.timeout.ms'),
    abortCheckIntervalMs: setting('transaction.abort.timed.out.transaction.cleanup.interval.ms'),
  }
}
