// Appending a batch to a partition's log as its leader does: the leader takes the records, in-sync followers
// copy them, and the high watermark follows while the ISR is at least min.insync.replicas (it freezes below,
// as in Kafka 3.7+). acks=all is refused with NOT_ENOUGH_REPLICAS under min ISR; acks=1 is accepted.

import { ErrorCode, kafkaError } from '../errors.ts'
import type { KafkaError, RecordHeader } from '../types.ts'
import { fileBatches, fileSingleRecords } from './segments.ts'
import { type ClusterState, type FakePartition, isLive, minIsrOf, truncateLog } from './state.ts'

/** Who wrote a batch and what it is: data (plain, idempotent or transactional) or a transaction marker. */
export interface BatchHeader {
  readonly producerId: bigint
  readonly producerEpoch: number
  /** The first record's sequence number; -1 for markers. */
  readonly baseSequence: number
  readonly transactional: boolean
  readonly control?: 'commit' | 'abort'
  /** A marker's coordinator epoch. */
  readonly coordinatorEpoch?: number
}

export interface RecordToAppend {
  readonly timestamp: number
  readonly key: Buffer | null
  readonly value: Buffer | null
  readonly headers?: readonly RecordHeader[]
}

/**
 * Appends one batch on the leader: its records with `header`, or with none (a plain producer's records, read
 * back as default records). Answers the batch's first offset, or why nothing was written.
 */
export function appendBatch(
  state: ClusterState,
  partition: FakePartition,
  records: readonly RecordToAppend[],
  header: BatchHeader | null,
  acks: 'all' | 1 = 'all',
): { baseOffset: bigint } | { error: KafkaError } {
  if (partition.leader === null || !isLive(state, partition.leader)) return { error: kafkaError(ErrorCode.NOT_LEADER_OR_FOLLOWER) }
  const minIsr = minIsrOf(state, state.topics.get(partition.topic)!)
  if (acks === 'all' && partition.isr.length < minIsr) {
    return {
      error: kafkaError(
        ErrorCode.NOT_ENOUGH_REPLICAS,
        `The size of the current ISR : ${partition.isr.length} is insufficient to satisfy the min.isr requirement of ${minIsr}`,
      ),
    }
  }
  const baseOffset = partition.logs.get(partition.leader)!.leo
  const lastOffset = baseOffset + BigInt(records.length - 1)
  truncateLog(partition, baseOffset)
  records.forEach((record, i) => {
    const offset = Number(baseOffset) + i
    partition.timestamps[offset] = record.timestamp
    if (header === null) return
    partition.payloads[offset] = {
      key: record.key === null ? null : Buffer.from(record.key),
      value: record.value === null ? null : Buffer.from(record.value),
      headers: (record.headers ?? []).map((h) => ({ key: h.key, value: h.value === null ? null : Buffer.from(h.value) })),
      ...header,
      batchBase: baseOffset,
      batchLast: lastOffset,
      leaderEpoch: partition.leaderEpoch,
    }
  })
  // A plain producer's records (the builder's, write()'s) are batches of one; others one batch, as written.
  const topic = state.topics.get(partition.topic)!
  if (header === null) fileSingleRecords(state, topic, partition, baseOffset)
  else fileBatches(state, topic, partition, [{ base: baseOffset, last: lastOffset }])
  const leo = lastOffset + 1n
  for (const id of partition.isr) if (isLive(state, id)) partition.logs.set(id, { leo })
  partition.logs.set(partition.leader, { leo })
  if (partition.isr.length >= minIsr) partition.highWatermark = leo
  return { baseOffset }
}

/** `count` plain records `stepMs` apart from `timestampMs` (default: one after the partition's last record). */
export function plainRecords(partition: FakePartition, count: number, timing: { timestampMs?: number; stepMs?: number } = {}): RecordToAppend[] {
  const start = timing.timestampMs ?? (partition.timestamps.at(-1) ?? 1_700_000_000_000 - 1) + 1
  return Array.from({ length: count }, (_, i) => ({ timestamp: start + i * (timing.stepMs ?? 1), key: null, value: null }))
}
