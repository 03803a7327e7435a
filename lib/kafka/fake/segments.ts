// The fake's log segments, by the rules a broker applies: a batch rolls a new segment when the active one would pass
// segment.bytes or the batch's largest timestamp is more than segment.ms after the active segment's first batch;
// a retention check deletes whole segments from the oldest — by the newest record's time (retention.ms), the idle
// active one included, or while the log is over retention.bytes — and the log start moves to the next segment.
// Sizes are records × the cluster's bytes per record.

import { ErrorCode, kafkaError } from '../errors.ts'
import { failedSegmentSpan, type SegmentQuery, type SegmentSpan } from '../types.ts'
import { type ClusterState, type FakePartition, type FakeTopic, findPartition, isLive, recordAt, resolveTopicConfig } from './state.ts'

const defaultMaxBytes = 4 * 1024 * 1024

const numberSetting = (state: ClusterState, topic: FakeTopic, name: string): number => Number(resolveTopicConfig(state, topic, name).value ?? '-1')

/** Where the log of a partition ends: the timestamps array holds one entry per offset. */
const logEnd = (partition: FakePartition) => BigInt(partition.timestamps.length)

/** The largest timestamp among offsets [from, to). */
function largestTimestamp(partition: FakePartition, from: bigint, to: bigint): number | null {
  let largest: number | null = null
  for (let offset = Number(from); offset < Number(to); offset++) {
    const timestamp = partition.timestamps[offset]
    if (timestamp !== undefined && (largest === null || timestamp > largest)) largest = timestamp
  }
  return largest
}

/** Offsets [base, end) of segment `index`: up to the next segment, or the log end for the active one. */
function segmentEnd(partition: FakePartition, index: number): bigint {
  return partition.segments[index + 1]?.baseOffset ?? logEnd(partition)
}

/**
 * Files batches [base, last] (already in the timestamps) into segments, rolling as Kafka does on append. A record
 * written without a batch of its own (the builder's, write()'s) is a batch of one.
 */
export function fileBatches(state: ClusterState, topic: FakeTopic, partition: FakePartition, batches: readonly { base: bigint; last: bigint }[]): void {
  const segmentMs = numberSetting(state, topic, 'segment.ms')
  const segmentBytes = numberSetting(state, topic, 'segment.bytes')
  for (const batch of batches) {
    const maxTimestamp = largestTimestamp(partition, batch.base, batch.last + 1n) ?? 0
    const batchBytes = Number(batch.last - batch.base + 1n) * state.recordBytes
    const active = partition.segments.at(-1)!
    const activeBytes = Number(batch.base - active.baseOffset) * state.recordBytes
    const byTime = active.firstBatchMaxTimestamp !== null && maxTimestamp - active.firstBatchMaxTimestamp > segmentMs
    if (activeBytes > 0 && (byTime || activeBytes > segmentBytes - batchBytes))
      partition.segments.push({ baseOffset: batch.base, firstBatchMaxTimestamp: maxTimestamp })
    else if (activeBytes <= 0) active.firstBatchMaxTimestamp = maxTimestamp
  }
}

/** Records appended one per batch (the builder's and write()'s records), from `from` to the log end. */
export function fileSingleRecords(state: ClusterState, topic: FakeTopic, partition: FakePartition, from: bigint): void {
  const batches = []
  for (let offset = from; offset < logEnd(partition); offset++) batches.push({ base: offset, last: offset })
  fileBatches(state, topic, partition, batches)
}

/** Segments wholly below the log start are gone (Kafka deletes them at its next check; nothing can read them before). */
export function dropSegmentsBelow(partition: FakePartition, logStart: bigint): void {
  while (partition.segments.length > 1 && partition.segments[1]!.baseOffset <= logStart) partition.segments.shift()
}

/** The bytes a partition's segments hold, the part of the first one below the log start included (as on disk). */
export function partitionBytes(state: ClusterState, partition: FakePartition, end: bigint = logEnd(partition)): bigint {
  const first = partition.segments[0]!.baseOffset
  return end > first ? (end - first) * BigInt(state.recordBytes) : 0n
}

/**
 * One retention check of every partition (what log.retention.check.interval.ms schedules): segments go from the
 * oldest, never one reaching past the high watermark, never an empty active one; deleting them all rolls a new one.
 */
export function enforceFakeRetention(state: ClusterState, nowMs: number): void {
  for (const topic of state.topics.values()) {
    const policy = resolveTopicConfig(state, topic, 'cleanup.policy').value ?? 'delete'
    if (
      !policy
        .split(',')
        .map((p) => p.trim())
        .includes('delete')
    )
      continue
    const retentionMs = numberSetting(state, topic, 'retention.ms')
    const retentionBytes = BigInt(resolveTopicConfig(state, topic, 'retention.bytes').value ?? '-1')
    for (const partition of topic.partitions) {
      dropSegmentsBelow(partition, partition.logStartOffset)
      let excess = retentionBytes >= 0n ? partitionBytes(state, partition) - retentionBytes : -1n
      let deletable = 0
      for (let i = 0; i < partition.segments.length; i++) {
        const base = partition.segments[i]!.baseOffset
        const end = segmentEnd(partition, i)
        if (end <= base || partition.highWatermark < end) break
        const bytes = (end - base) * BigInt(state.recordBytes)
        const newest = largestTimestamp(partition, base, end)
        const bySize = excess >= 0n && excess - bytes >= 0n
        const byTime = retentionMs >= 0 && newest !== null && nowMs - newest > retentionMs
        if (!bySize && !byTime) break
        if (bySize) excess -= bytes
        deletable = i + 1
      }
      if (deletable === 0) continue
      if (deletable === partition.segments.length) partition.segments.push({ baseOffset: logEnd(partition), firstBatchMaxTimestamp: null })
      partition.segments.splice(0, deletable)
      const start = partition.segments[0]!.baseOffset
      if (start > partition.logStartOffset) partition.logStartOffset = start
    }
  }
}

/** The fake's segmentSpans: what one Fetch from the leader would return of the segment holding each offset. */
export function fakeSegmentSpans(state: ClusterState, queries: readonly SegmentQuery[]): SegmentSpan[] {
  return queries.map((query): SegmentSpan => {
    const found = findPartition(state, query.topic, query.partition)
    if (!found) return failedSegmentSpan(query, kafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'This server does not host this topic-partition.'))
    if (found.leader === null || !isLive(state, found.leader))
      return failedSegmentSpan(query, kafkaError(ErrorCode.LEADER_NOT_AVAILABLE, 'The partition has no leader.'))
    if (query.offset < found.logStartOffset || query.offset > found.highWatermark)
      return failedSegmentSpan(
        query,
        kafkaError(ErrorCode.OFFSET_OUT_OF_RANGE, `Offset ${query.offset} is outside [${found.logStartOffset}, ${found.highWatermark}].`),
      )
    const bounds = { highWatermark: found.highWatermark, logStartOffset: found.logStartOffset }
    const base = { topic: query.topic, partition: query.partition, requested: query.offset, ...bounds }
    if (query.offset === found.highWatermark)
      return { ...base, firstBatch: null, nextOffset: query.offset, end: 'high-watermark', maxTimestamp: null, bytes: 0 }
    let index = 0
    while (index + 1 < found.segments.length && found.segments[index + 1]!.baseOffset <= query.offset) index++
    const stop = segmentEnd(found, index) < found.highWatermark ? segmentEnd(found, index) : found.highWatermark
    const maxBytes = Math.max(1, query.maxBytes ?? defaultMaxBytes)
    // Whole batches from the one holding the offset; the first is returned even when it alone is over the bytes asked.
    const first = recordAt(found, query.offset)
    let next = first.batchLast + 1n
    let bytes = Number(next - first.batchBase) * state.recordBytes
    while (next < stop) {
      const batch = recordAt(found, next)
      const batchBytes = Number(batch.batchLast - batch.batchBase + 1n) * state.recordBytes
      if (bytes + batchBytes > maxBytes) break
      bytes += batchBytes
      next = batch.batchLast + 1n
    }
    const end: SegmentSpan['end'] = bytes >= maxBytes || next < stop ? 'byte-limit' : stop === found.highWatermark ? 'high-watermark' : 'segment'
    return {
      ...base,
      firstBatch: { baseOffset: first.batchBase, maxTimestamp: largestTimestamp(found, first.batchBase, first.batchLast + 1n) ?? 0 },
      nextOffset: next,
      end,
      maxTimestamp: largestTimestamp(found, first.batchBase, next),
      bytes,
    }
  })
}
