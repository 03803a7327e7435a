// Appending to a partition's log as its leader does: the leader takes the records, in-sync followers copy
// them, and the high watermark follows while the ISR is at least min.insync.replicas (it freezes below, as in
// Kafka 3.7+). acks=all is refused with NOT_ENOUGH_REPLICAS under min ISR; acks=1 is accepted.

import { ErrorCode, kafkaError } from '../errors.ts'
import type { KafkaError } from '../types.ts'
import { type ClusterState, type FakePartition, isLive, minIsrOf } from './state.ts'

export interface AppendOptions {
  readonly acks?: 'all' | 1
  /** Timestamp of the first record (default: one after the last record's); records are `stepMs` apart. */
  readonly timestampMs?: number
  readonly stepMs?: number
}

/** Appends `count` records (data or, with count 1, a marker) to the leader; their first offset, or why not. */
export function appendRecords(
  state: ClusterState,
  partition: FakePartition,
  count: number,
  options: AppendOptions = {},
): { baseOffset: bigint } | { error: KafkaError } {
  if (partition.leader === null || !isLive(state, partition.leader)) return { error: kafkaError(ErrorCode.NOT_LEADER_OR_FOLLOWER) }
  const minIsr = minIsrOf(state, state.topics.get(partition.topic)!)
  if ((options.acks ?? 'all') === 'all' && partition.isr.length < minIsr) {
    return {
      error: kafkaError(
        ErrorCode.NOT_ENOUGH_REPLICAS,
        `The size of the current ISR : ${partition.isr.length} is insufficient to satisfy the min.isr requirement of ${minIsr}`,
      ),
    }
  }
  const leaderLog = partition.logs.get(partition.leader)!
  const baseOffset = leaderLog.leo
  const start = options.timestampMs ?? (partition.timestamps.at(-1) ?? 1_700_000_000_000 - 1) + 1
  partition.timestamps.length = Number(baseOffset)
  for (let i = 0; i < count; i++) partition.timestamps.push(start + i * (options.stepMs ?? 1))
  const leo = baseOffset + BigInt(count)
  for (const id of partition.isr) if (isLive(state, id)) partition.logs.set(id, { leo })
  partition.logs.set(partition.leader, { leo })
  if (partition.isr.length >= minIsr) partition.highWatermark = leo
  return { baseOffset }
}
