// Reads what lib/plans/open-transactions.ts judges: every partition's high watermark beside its last stable
// offset (ListOffsets read_uncommitted and read_committed), the open transactions on the partitions where they
// differ (DescribeProducers on the leader), and what the coordinators know of those producers (ListTransactions
// on every broker filtered on their ids, then DescribeTransactions) — the reads `kafka-transactions
// find-hanging` makes, restricted to partitions that are stuck.

import type { KafkaRecord } from '../kafka/records.ts'
import type { ClusterView, KafkaOps, ListedOffset, ResourceConfig, TopicPartition } from '../kafka/types.ts'
import {
  commitsBelowLso,
  type CoordinatorDescription,
  type GroupAtPartition,
  groupsAtStuckPartitions,
  type OpenTransactionsSnapshot,
  type StuckPartition,
  type StuckPartitionFinding,
} from '../plans/open-transactions.ts'
import { readGroupCommitsOn } from './consumer-group.ts'
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
  const [offsets, settings] = await Promise.all([
    highWatermarksThenStableOffsets(kafka, partitions),
    firstAnsweringBroker(kafka, unfenced(cluster), timeoutSettings),
  ])
  const stuck: { tp: TopicPartition; highWatermark: bigint; lastStableOffset: bigint }[] = []
  partitions.forEach((tp, i) => {
    const [hw, lso] = [offsets.highWatermarks[i]!, offsets.stableOffsets[i]!]
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
    const value = entryOf(settings ?? undefined, name)?.value
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

/** What a broker runs with for transaction verification (KIP-890): true, false, or null when it does not say (before 3.6). */
export async function readTransactionVerification(kafka: KafkaOps): Promise<boolean | null> {
  const answer = await firstAnsweringBroker(kafka, unfenced(await kafka.cluster()), ['transaction.partition.verification.enable'])
  const value = answer ? (entryOf(answer, 'transaction.partition.verification.enable')?.value ?? null) : null
  return value === null ? null : value === 'true'
}

const unfenced = (cluster: ClusterView) => cluster.brokers.filter((b) => b.fenced !== true).map((b) => b.id)

/**
 * These settings as the first broker that answers runs them, asked of one broker after another: a broker killed
 * seconds ago is still listed unfenced until its session times out, and does not answer.
 */
async function firstAnsweringBroker(kafka: KafkaOps, brokers: readonly number[], names: readonly string[]): Promise<ResourceConfig | null> {
  for (const id of brokers) {
    const [answer] = await kafka.describeConfigs([{ type: 'broker', id }], { names })
    if (answer && !answer.error) return answer
  }
  return null
}

export interface TransactionRecords {
  /** The open transaction's data records on the partition, in offset order. */
  readonly records: readonly KafkaRecord[]
  /** false when `limit` stopped the read before `endOffset` (the count is then a lower bound). */
  readonly complete: boolean
}

/**
 * The data records one producer wrote on a partition from `startOffset` (its open transaction's first offset)
 * up to `endOffset` (the high watermark), read as read_uncommitted consumers see them; at most `limit`.
 */
export async function readTransactionRecords(
  kafka: KafkaOps,
  open: TopicPartition & { readonly producerId: bigint; readonly startOffset: bigint; readonly endOffset: bigint },
  limit = Number.POSITIVE_INFINITY,
): Promise<TransactionRecords> {
  const records: KafkaRecord[] = []
  let offset = open.startOffset
  while (offset < open.endOffset) {
    const [answer] = await kafka.fetchRecords([{ topic: open.topic, partition: open.partition, offset, endOffset: open.endOffset, maxRecords: 2000 }])
    if (!answer || answer.error) throw new Error(`could not read ${open.topic}:${open.partition} at offset ${offset}: ${answer?.error?.message ?? 'no answer'}`)
    for (const batch of answer.batches) {
      if (batch.control || !batch.transactional || batch.producerId !== open.producerId) continue
      for (const record of batch.records) {
        if (records.length >= limit) return { records, complete: false }
        records.push(record)
      }
    }
    if (answer.nextOffset <= offset) break
    offset = answer.nextOffset
  }
  return { records, complete: true }
}

/** Each partition's high watermark and last stable offset (null where the leader did not answer). */
export async function readStableOffsets(
  kafka: KafkaOps,
  partitions: readonly TopicPartition[],
): Promise<(TopicPartition & { readonly highWatermark: bigint | null; readonly lastStableOffset: bigint | null })[]> {
  const { highWatermarks, stableOffsets } = await highWatermarksThenStableOffsets(kafka, partitions)
  return partitions.map((tp, i) => ({
    topic: tp.topic,
    partition: tp.partition,
    highWatermark: highWatermarks[i]?.offset ?? null,
    lastStableOffset: stableOffsets[i]?.offset ?? null,
  }))
}

/**
 * The high watermarks, and only once they are answered the last stable offsets. A partition is stuck when its LSO
 * is below its high watermark. Read the other way round, plain records written between the two reads would move the
 * high watermark past the LSO and make a partition with no open transaction look stuck. In this order the LSO can
 * only have moved up since the high watermark was read, so a gap seen was there when the high watermark was read.
 * (Asked in one call, the order would rest on how the adapter happens to queue the two requests.)
 */
async function highWatermarksThenStableOffsets(
  kafka: KafkaOps,
  partitions: readonly TopicPartition[],
): Promise<{ highWatermarks: ListedOffset[]; stableOffsets: ListedOffset[] }> {
  const highWatermarks = await kafka.listOffsets(partitions.map((tp) => ({ ...tp, spec: 'latest' as const })))
  const stableOffsets = await kafka.listOffsets(partitions.map((tp) => ({ ...tp, spec: 'latest' as const, isolation: 'read_committed' as const })))
  return { highWatermarks, stableOffsets }
}

/**
 * Whether a read_committed consumer at `from` has anything left to read below `to` (the LSO): a data record that
 * is not part of an aborted transaction. Markers alone between them (a consumer commits after the last record,
 * before the commit marker) leave nothing.
 */
export async function readCommittedRecordsLeft(
  kafka: KafkaOps,
  queries: readonly (TopicPartition & { readonly from: bigint; readonly to: bigint })[],
): Promise<boolean[]> {
  const left: boolean[] = []
  for (const q of queries) {
    let offset = q.from
    let found = false
    while (!found && offset < q.to) {
      const [answer] = await kafka.fetchRecords([
        { topic: q.topic, partition: q.partition, offset, endOffset: q.to, maxRecords: 100, isolation: 'read_committed' },
      ])
      if (!answer || answer.error || answer.nextOffset <= offset) {
        found = true // unreadable: do not claim the group is held
        break
      }
      const aborted = answer.abortedTransactions
      found = answer.batches.some(
        (b) => !b.control && b.records.length > 0 && !(b.transactional && aborted.some((a) => a.producerId === b.producerId && a.firstOffset <= b.baseOffset)),
      )
      offset = answer.nextOffset
    }
    left.push(found)
  }
  return left
}

/** Every consumer group committed on the stuck partitions, and where it stands against the LSO (see groupsAtStuckPartitions). */
export async function readGroupsAtStuckPartitions(
  kafka: KafkaOps,
  findings: readonly StuckPartitionFinding[],
  earlierHighWatermarks: ReadonlyMap<string, bigint> = new Map(),
): Promise<GroupAtPartition[]> {
  if (findings.length === 0) return []
  const commits = await readGroupCommitsOn(kafka, [...new Set(findings.map((f) => f.topic))])
  const below = commitsBelowLso(findings, commits)
  const left = await readCommittedRecordsLeft(kafka, below)
  return groupsAtStuckPartitions(findings, commits, earlierHighWatermarks, new Map(below.map((b, i) => [b.key, left[i]!])))
}
