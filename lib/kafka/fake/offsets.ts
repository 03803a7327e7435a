// The fake's ListOffsets (as a consumer and as the debugging replica id), DeleteRecords and DescribeLogDirs.

import { ErrorCode, kafkaError } from '../errors.ts'
import type {
  BrokerLogDirs,
  DeletedRecords,
  KafkaError,
  ListedOffset,
  OffsetQuery,
  RecordQuery,
  RecordsBefore,
  RecordTimestamp,
  ReplicaOffset,
  ReplicaOffsetQuery,
} from '../types.ts'
import { lastStableOffset } from './records.ts'
import { partitionBytes } from './segments.ts'
import { type ClusterState, type FakePartition, answers, findPartition, isLive, recordAt } from './state.ts'

const unknownPartition = (): KafkaError => kafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'This server does not host this topic-partition.')
const noLeader = (): KafkaError =>
  kafkaError(ErrorCode.LEADER_NOT_AVAILABLE, 'There is no leader for this topic-partition as we are in the middle of a leadership election.')
const brokerDown = (id: number): KafkaError => kafkaError(ErrorCode.BROKER_NOT_AVAILABLE, `Broker ${id} did not answer: it is down or unreachable.`)

/** The record with the largest timestamp in [from, to); the first of equals, as Kafka keeps it. */
function maxTimestamp(partition: FakePartition, from: bigint, to: bigint): { offset: bigint; timestamp: number } | null {
  let best: { offset: bigint; timestamp: number } | null = null
  for (let offset = Number(from); offset < Number(to); offset++) {
    const timestamp = partition.timestamps[offset]
    if (timestamp !== undefined && (best === null || timestamp > best.timestamp)) best = { offset: BigInt(offset), timestamp }
  }
  return best
}

export function listFakeOffsets(state: ClusterState, queries: readonly OffsetQuery[]): ListedOffset[] {
  return queries.map(({ topic, partition, spec, isolation }): ListedOffset => {
    const base = { topic, partition, spec, ...(isolation ? { isolation } : {}), offset: null, timestamp: null, leaderEpoch: null }
    const found = findPartition(state, topic, partition)
    if (!found) return { ...base, error: unknownPartition() }
    if (found.leader === null || !isLive(state, found.leader)) return { ...base, error: noLeader() }
    const leaderEpoch = found.leaderEpoch
    // What a reader of this isolation may see: up to the high watermark, or up to the last stable offset.
    const fetchable = isolation === 'read_committed' ? lastStableOffset(found) : found.highWatermark
    if (spec === 'earliest') return { ...base, offset: found.logStartOffset, leaderEpoch }
    if (spec === 'latest') return { ...base, offset: fetchable, leaderEpoch }
    // Time lookups search up to the high watermark; an answer at or past what the reader may see is no answer.
    if (spec === 'max-timestamp') {
      const best = maxTimestamp(found, found.logStartOffset, found.highWatermark)
      return best && best.offset < fetchable ? { ...base, offset: best.offset, timestamp: best.timestamp, leaderEpoch } : { ...base, leaderEpoch }
    }
    for (let offset = Number(found.logStartOffset); offset < Number(found.highWatermark); offset++) {
      const timestamp = found.timestamps[offset]
      if (timestamp === undefined || timestamp < spec.timestamp) continue
      return BigInt(offset) < fetchable ? { ...base, offset: BigInt(offset), timestamp, leaderEpoch } : { ...base, leaderEpoch }
    }
    return { ...base, leaderEpoch }
  })
}

export function readFakeReplicaOffsets(state: ClusterState, queries: readonly ReplicaOffsetQuery[]): ReplicaOffset[] {
  return queries.map(({ topic, partition, broker, spec }): ReplicaOffset => {
    const base = { topic, partition, broker, spec, offset: null, timestamp: null, leaderEpoch: null }
    if (!answers(state, broker)) return { ...base, error: brokerDown(broker) }
    const found = findPartition(state, topic, partition)
    if (!found) return { ...base, error: unknownPartition() }
    const log = found.logs.get(broker)
    if (!found.replicas.includes(broker) || !log) {
      return { ...base, error: kafkaError(ErrorCode.NOT_LEADER_OR_FOLLOWER, `Broker ${broker} holds no replica of ${topic}-${partition}.`) }
    }
    // Records a builder made without payloads carry no epoch of their own (recordAt would stamp today's): unknown.
    const epochAt = (offset: bigint) => found.payloads[Number(offset)]?.leaderEpoch ?? null
    if (spec === 'latest') {
      // Kafka answers with the partition's current epoch, whatever the epochs of this replica's records.
      return { ...base, offset: log.leo, leaderEpoch: found.leaderEpoch }
    }
    if (spec === 'earliest') {
      const offset = found.logStartOffset < log.leo ? found.logStartOffset : log.leo
      return { ...base, offset, leaderEpoch: offset < log.leo ? epochAt(offset) : null }
    }
    if (spec === 'max-timestamp') {
      const best = maxTimestamp(found, found.logStartOffset, log.leo)
      return best ? { ...base, offset: best.offset, timestamp: best.timestamp, leaderEpoch: epochAt(best.offset) } : base
    }
    // The replica's own log, up to its own end: a follower answers for records above the high watermark too.
    for (let offset = Number(found.logStartOffset); offset < Number(log.leo); offset++) {
      const timestamp = found.timestamps[offset]
      if (timestamp !== undefined && timestamp >= spec.timestamp) return { ...base, offset: BigInt(offset), timestamp, leaderEpoch: epochAt(BigInt(offset)) }
    }
    return base
  })
}

export function readFakeRecordTimestamps(state: ClusterState, queries: readonly RecordQuery[]): RecordTimestamp[] {
  return queries.map(({ topic, partition, offset }): RecordTimestamp => {
    const base = { topic, partition, requested: offset, offset: null, timestamp: null }
    const found = findPartition(state, topic, partition)
    if (!found) return { ...base, error: unknownPartition() }
    if (found.leader === null || !isLive(state, found.leader)) return { ...base, error: noLeader() }
    // A consumer fetching below the log start gets OFFSET_OUT_OF_RANGE: retention deleted those records.
    if (offset < found.logStartOffset || offset > found.highWatermark) {
      return { ...base, error: kafkaError(ErrorCode.OFFSET_OUT_OF_RANGE, `Offset ${offset} is outside [${found.logStartOffset}, ${found.highWatermark}].`) }
    }
    // Transaction markers hold no data: the answer is the first data record at or after the offset.
    let at = offset
    while (at < found.highWatermark && recordAt(found, at).control) at++
    if (at === found.highWatermark) return base
    const timestamp = found.timestamps[Number(at)]
    return timestamp === undefined ? base : { ...base, offset: at, timestamp }
  })
}

export function deleteFakeRecords(state: ClusterState, before: readonly RecordsBefore[]): DeletedRecords[] {
  return before.map(({ topic, partition, offset }): DeletedRecords => {
    const found = findPartition(state, topic, partition)
    if (!found) return { topic, partition, lowWatermark: null, error: unknownPartition() }
    if (found.leader === null || !isLive(state, found.leader)) return { topic, partition, lowWatermark: null, error: noLeader() }
    // -1 means "up to the high watermark", as in kafka-delete-records.
    const target = offset === -1n ? found.highWatermark : offset
    if (target < 0n || target > found.highWatermark) {
      return {
        topic,
        partition,
        lowWatermark: null,
        error: kafkaError(ErrorCode.OFFSET_OUT_OF_RANGE, `Offset ${offset} is outside [0, ${found.highWatermark}] (the high watermark).`),
      }
    }
    if (target > found.logStartOffset) found.logStartOffset = target
    return { topic, partition, lowWatermark: found.logStartOffset }
  })
}

export function describeFakeLogDirs(state: ClusterState, brokers?: readonly number[]): BrokerLogDirs[] {
  const ids = brokers ?? [...state.brokers.keys()].sort((a, b) => a - b)
  return ids.map((broker): BrokerLogDirs => {
    if (!answers(state, broker)) return { broker, dirs: [], error: brokerDown(broker) }
    const path = `/var/lib/kafka/broker-${broker}`
    if (state.brokers.get(broker)?.logDirOffline)
      return {
        broker,
        dirs: [
          {
            path,
            error: kafkaError(ErrorCode.KAFKA_STORAGE_ERROR, 'Disk error when trying to access log file on the disk.'),
            totalBytes: null,
            usableBytes: null,
            replicas: [],
          },
        ],
      }
    const replicas = []
    for (const topic of state.topics.values()) {
      for (const p of topic.partitions) {
        const log = p.logs.get(broker)
        if (!log || !p.replicas.includes(broker)) continue
        // A replica's size is its segments' (the part of the first one below the log start included, as on disk).
        // offsetLag concerns future (moving) replicas only: 0 for every normal replica (measured 4.3.1 / 3.9.2).
        replicas.push({ topic: topic.name, partition: p.partition, sizeBytes: partitionBytes(state, p, log.leo), offsetLag: 0n, future: false })
      }
    }
    const used = replicas.reduce((sum, r) => sum + r.sizeBytes, 0n)
    const total = 100n * 1024n * 1024n * 1024n
    return { broker, dirs: [{ path, totalBytes: total, usableBytes: total - used, replicas }] }
  })
}
