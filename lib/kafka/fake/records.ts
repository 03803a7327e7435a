// The fake's Fetch and Produce: records with their payloads, read from and written to a partition's leader by
// the rules a real broker applies (live leader, log start and high watermark, min ISR for acks=all).

import { ErrorCode, kafkaError } from '../errors.ts'
import type { ControlMarker, FetchedRecords, FetchQuery, KafkaError, KafkaRecord, ProducedRecord, ProduceRecord, RecordBatch } from '../types.ts'
import { appendBatch } from './log.ts'
import { producerStates } from './transactions.ts'
import { type ClusterState, type FakePartition, type FakeStoredRecord, findPartition, isLive, recordAt } from './state.ts'

const defaultMaxRecords = 500

const unknownPartition = (): KafkaError => kafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'This server does not host this topic-partition.')
const noLeader = (): KafkaError => kafkaError(ErrorCode.LEADER_NOT_AVAILABLE, 'The partition has no leader.')

/** The last stable offset: the first offset of the oldest transaction still open, or the high watermark. */
export function lastStableOffset(partition: FakePartition): bigint {
  let lso = partition.highWatermark
  for (const { transactionStartOffset: start } of producerStates(partition).values()) if (start !== null && start < lso) lso = start
  return lso
}

function toRecord(partition: FakePartition, offset: bigint, stored: FakeStoredRecord): KafkaRecord {
  return {
    offset,
    timestamp: partition.timestamps[Number(offset)]!,
    timestampType: 'create',
    key: stored.key,
    value: stored.value,
    headers: stored.headers,
    producerId: stored.producerId,
    producerEpoch: stored.producerEpoch,
    sequence: stored.baseSequence < 0 ? -1 : stored.baseSequence + Number(offset - stored.batchBase),
    leaderEpoch: stored.leaderEpoch,
    transactional: stored.transactional,
  }
}

/** The batch a stored record belongs to, holding nothing yet. */
function batchOf(partition: FakePartition, stored: FakeStoredRecord): RecordBatch {
  return {
    baseOffset: stored.batchBase,
    lastOffset: stored.batchLast,
    partitionLeaderEpoch: stored.leaderEpoch,
    magic: 2,
    compression: 'none',
    timestampType: 'create',
    maxTimestamp: partition.timestamps[Number(stored.batchLast)] ?? 0,
    producerId: stored.producerId,
    producerEpoch: stored.producerEpoch,
    baseSequence: stored.baseSequence,
    transactional: stored.transactional,
    control: stored.control !== undefined,
    records: [],
    markers: [],
    sizeBytes: 61,
  }
}

export function fetchFakeRecords(state: ClusterState, queries: readonly FetchQuery[]): FetchedRecords[] {
  return queries.map((query): FetchedRecords => {
    const empty = {
      topic: query.topic,
      partition: query.partition,
      requested: query.offset,
      batches: [],
      nextOffset: query.offset,
      highWatermark: null,
      lastStableOffset: null,
      logStartOffset: null,
      abortedTransactions: [],
    }
    const found = findPartition(state, query.topic, query.partition)
    if (!found) return { ...empty, error: unknownPartition() }
    if (found.leader === null || !isLive(state, found.leader)) return { ...empty, error: noLeader() }
    const bounds = { highWatermark: found.highWatermark, lastStableOffset: lastStableOffset(found), logStartOffset: found.logStartOffset }
    if (query.offset < found.logStartOffset || query.offset > found.highWatermark) {
      // As Kafka: a partition answered with an error carries no offsets.
      return {
        ...empty,
        error: kafkaError(ErrorCode.OFFSET_OUT_OF_RANGE, `Offset ${query.offset} is outside [${found.logStartOffset}, ${found.highWatermark}].`),
      }
    }
    const committedOnly = query.isolation === 'read_committed'
    const limit = committedOnly ? bounds.lastStableOffset : found.highWatermark
    const end = query.endOffset !== undefined && query.endOffset < limit ? query.endOffset : limit
    const max = query.maxRecords ?? defaultMaxRecords
    const batches: { batch: RecordBatch; records: KafkaRecord[]; markers: ControlMarker[] }[] = []
    let records = 0
    let next = query.offset
    for (let offset = query.offset; offset < end && records < max; offset++) {
      const stored = recordAt(found, offset)
      next = offset + 1n
      let current = batches.at(-1)
      if (!current || current.batch.baseOffset !== stored.batchBase) batches.push((current = { batch: batchOf(found, stored), records: [], markers: [] }))
      if (stored.control) {
        current.markers.push({ offset, type: stored.control, coordinatorEpoch: stored.coordinatorEpoch ?? 0, timestamp: found.timestamps[Number(offset)]! })
        continue
      }
      current.records.push(toRecord(found, offset, stored))
      records++
    }
    const aborted = new Map<bigint, bigint>()
    if (committedOnly) {
      // As the broker does: every transaction that aborted and began within the range read is listed.
      const firstOffsets = new Map<bigint, bigint>()
      for (let offset = 0n; offset < next; offset++) {
        const stored = found.payloads[Number(offset)]
        if (!stored?.transactional) continue
        if (!stored.control && !firstOffsets.has(stored.producerId)) firstOffsets.set(stored.producerId, offset)
        if (stored.control) {
          const first = firstOffsets.get(stored.producerId)
          firstOffsets.delete(stored.producerId)
          if (stored.control === 'abort' && first !== undefined && offset >= query.offset) aborted.set(stored.producerId, first)
        }
      }
    }
    return {
      ...empty,
      ...bounds,
      batches: batches.map(({ batch, records, markers }) => ({
        ...batch,
        records,
        markers,
        sizeBytes: batch.sizeBytes + records.reduce((sum, r) => sum + 21 + (r.key?.length ?? 0) + (r.value?.length ?? 0), 0),
      })),
      nextOffset: next,
      abortedTransactions: [...aborted].map(([producerId, firstOffset]) => ({ producerId, firstOffset })),
    }
  })
}

/** Writes each partition's records as one idempotent batch on its leader, acks=all (refused under min ISR). */
export function produceFakeRecords(state: ClusterState, topic: string, records: readonly ProduceRecord[], nowMs: number): ProducedRecord[] {
  const results: ProducedRecord[] = records.map((r) => ({ topic, partition: r.partition, offset: null }))
  const producerId = state.nextProducerId++
  const byPartition = new Map<number, number[]>()
  records.forEach((record, index) => byPartition.set(record.partition, [...(byPartition.get(record.partition) ?? []), index]))
  for (const [partition, indexes] of byPartition) {
    const fail = (error: KafkaError) => indexes.forEach((i) => (results[i] = { topic, partition, offset: null, error }))
    const found = findPartition(state, topic, partition)
    if (!found) {
      fail(unknownPartition())
      continue
    }
    if (found.leader === null || !isLive(state, found.leader)) {
      fail(noLeader())
      continue
    }
    const batch = indexes.map((index) => ({ ...records[index]!, timestamp: records[index]!.timestamp ?? nowMs }))
    const appended = appendBatch(state, found, batch, { producerId, producerEpoch: 0, baseSequence: 0, transactional: false })
    if ('error' in appended) {
      fail(appended.error)
      continue
    }
    indexes.forEach((index, i) => (results[index] = { topic, partition, offset: appended.baseOffset + BigInt(i) }))
  }
  return results
}
