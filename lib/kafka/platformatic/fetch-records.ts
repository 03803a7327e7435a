// fetchRecords(): records with their payloads, read as a consumer reads them — Fetch v12 (topics by name, no fetch
// session, no wait) from each partition's leader — for as many rounds as it takes to gather what was asked, and
// decoded by the same decoder as a broker's segment files. Partitions are answered one by one: a leaderless
// partition, or one whose batches cannot be decoded, is an error beside the others that read.

import { ErrorCode, kafkaError } from '../errors.ts'
import type { FetchedRecords, FetchQuery, KafkaError, RecordBatch } from '../types.ts'
import { readPartitionStates } from './partition-states.ts'
import { type FetchedPartitionBytes, fetchBytesV12 } from './protocol/fetch.ts'
import { decodeFetchedBatches } from './record-batches.ts'
import { type Session, send } from './session.ts'

type FetchedPartition = FetchedPartitionBytes & { readonly batches: readonly RecordBatch[] }

const defaultMaxRecords = 500
/** Bytes asked per partition: a little for a few records, more for many. */
const smallReadBytes = 64 * 1024
const largeReadBytes = 1024 * 1024
/** A batch bigger than what was asked is fetched again alone, when Kafka returns it whole (KIP-74), up to this. */
const aloneBytes = 64 * 1024 * 1024
/** Each round reads up to the bytes asked per partition; a read that makes no progress ends (bounded either way). */
const maxRounds = 10_000
const leaderRetries = 3
const isolationLevel = { read_uncommitted: 0, read_committed: 1 } as const
const leaderMovedCodes = new Set<number>([
  ErrorCode.NOT_LEADER_OR_FOLLOWER,
  ErrorCode.LEADER_NOT_AVAILABLE,
  ErrorCode.FENCED_LEADER_EPOCH,
  ErrorCode.UNKNOWN_LEADER_EPOCH,
])

interface Reading {
  readonly index: number
  readonly query: FetchQuery
  readonly max: number
  readonly isolation: 'read_uncommitted' | 'read_committed'
  from: bigint
  bytes: number
  leaderMoves: number
  readonly batches: RecordBatch[]
  /** Data records gathered so far (the batches' records). */
  records: number
  readonly aborted: Map<string, { producerId: bigint; firstOffset: bigint }>
  highWatermark: bigint | null
  lastStableOffset: bigint | null
  logStartOffset: bigint | null
}

const partitionKey = (r: Reading) => `${r.query.topic}/${r.query.partition}`

/** The broker a reading asks: its partition's leader, as last read. */
const leaderOf = new WeakMap<Reading, number>()

export async function fetchRecords(session: Session, queries: readonly FetchQuery[]): Promise<FetchedRecords[]> {
  const results: FetchedRecords[] = new Array(queries.length)
  const finish = (r: Reading, error?: KafkaError) => {
    results[r.index] = {
      topic: r.query.topic,
      partition: r.query.partition,
      requested: r.query.offset,
      batches: r.batches,
      nextOffset: r.from,
      highWatermark: r.highWatermark,
      lastStableOffset: r.lastStableOffset,
      logStartOffset: r.logStartOffset,
      abortedTransactions: [...r.aborted.values()],
      ...(error ? { error } : {}),
    }
  }
  let pending: Reading[] = queries.map((query, index) => {
    const max = query.maxRecords ?? defaultMaxRecords
    return {
      index,
      query,
      max,
      isolation: query.isolation ?? 'read_uncommitted',
      from: query.offset,
      bytes: max <= 10 ? smallReadBytes : largeReadBytes,
      leaderMoves: 0,
      batches: [],
      records: 0,
      aborted: new Map(),
      highWatermark: null,
      lastStableOffset: null,
      logStartOffset: null,
    }
  })
  for (const r of pending) if (r.from < 0n) finish(r, kafkaError(ErrorCode.OFFSET_OUT_OF_RANGE, `offset ${r.from} is not a real offset`))
  pending = pending.filter((r) => r.from >= 0n)

  let readLeaders = true
  for (let round = 0; round < maxRounds && pending.length > 0; round++) {
    // Leaders are read when a round needs them: the first, and after a partition's leader moved.
    if (readLeaders) {
      readLeaders = false
      const states = await readPartitionStates(session, [...new Set(pending.map((r) => r.query.topic))])
      const leaders = new Map<string, number | null>()
      for (const topic of states) for (const p of topic.partitions) leaders.set(`${p.topic}/${p.partition}`, p.leader)
      for (const r of pending) {
        const leader = leaders.get(partitionKey(r))
        if (leader === undefined) finish(r, kafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'This server does not host this topic-partition.'))
        else if (leader === null) finish(r, kafkaError(ErrorCode.LEADER_NOT_AVAILABLE, 'The partition has no leader.'))
        else leaderOf.set(r, leader)
      }
      pending = pending.filter((r) => results[r.index] === undefined)
    }
    const byLeader = new Map<number, Reading[]>()
    for (const r of pending) (byLeader.get(leaderOf.get(r)!) ?? byLeader.set(leaderOf.get(r)!, []).get(leaderOf.get(r)!)!).push(r)
    const next: Reading[] = []
    await Promise.all(
      [...byLeader].map(async ([leader, readings]) => {
        const round = await readRound(session, leader, readings, finish)
        next.push(...round.again)
        if (round.leaderMoved) readLeaders = true
      }),
    )
    pending = next
  }
  for (const r of pending) finish(r, kafkaError(ErrorCode.UNKNOWN_SERVER_ERROR, `stopped reading after ${maxRounds} fetches`))
  return results
}

/** One round on one leader: what still needs reading comes back. */
async function readRound(
  session: Session,
  leader: number,
  readings: Reading[],
  finish: (r: Reading, error?: KafkaError) => void,
): Promise<{ again: Reading[]; leaderMoved: boolean }> {
  // Kafka refuses a partition twice in one request, and isolation is per request; an oversized batch's retry goes
  // alone, so Kafka returns that batch whole.
  const requests: Reading[][] = []
  // The partitions each request holds, beside it: a replay reads a thousand partitions of a leader in one round.
  const held: Set<string>[] = []
  for (const r of readings) {
    const key = partitionKey(r)
    const at = requests.findIndex(
      (request, i) => r.bytes <= largeReadBytes && request[0]!.bytes <= largeReadBytes && request[0]!.isolation === r.isolation && !held[i]!.has(key),
    )
    if (at >= 0) {
      requests[at]!.push(r)
      held[at]!.add(key)
    } else {
      requests.push([r])
      held.push(new Set([key]))
    }
  }
  const again: Reading[] = []
  let moved = false
  await Promise.all(
    requests.map(async (request) => {
      const byTopic = new Map<string, Reading[]>()
      for (const r of request) (byTopic.get(r.query.topic) ?? byTopic.set(r.query.topic, []).get(r.query.topic)!).push(r)
      const topics = [...byTopic].map(([topicId, group]) => ({
        topicId,
        partitions: group.map((r) => ({
          partition: r.query.partition,
          currentLeaderEpoch: -1,
          fetchOffset: r.from,
          lastFetchedEpoch: -1,
          partitionMaxBytes: r.bytes,
        })),
      }))
      const maxBytes = Math.min(
        request.reduce((sum, r) => sum + r.bytes, 0),
        256 * 1024 * 1024,
      )
      const answer = await session.onBroker(leader, (c) => send(fetchBytesV12, c, 0, 1, maxBytes, isolationLevel[request[0]!.isolation], 0, -1, topics, [], ''))
      if ('error' in answer) {
        for (const r of request) finish(r, answer.error)
        return
      }
      const byPartition = new Map<string, FetchedPartition | KafkaError>()
      for (const t of answer.value.responses) {
        for (const p of t.partitions) {
          const key = `${t.topic}/${p.partitionIndex}`
          try {
            byPartition.set(key, { ...p, batches: p.errorCode === 0 ? await decodeFetchedBatches(p.records) : [] })
          } catch (error) {
            byPartition.set(key, kafkaError(ErrorCode.CORRUPT_MESSAGE, `the records cannot be read: ${(error as Error).message}`))
          }
        }
      }
      for (const r of request) {
        const found = byPartition.get(partitionKey(r))
        if (!found) finish(r, kafkaError(ErrorCode.UNKNOWN_SERVER_ERROR, 'the leader gave no answer for this partition'))
        else if ('code' in found) finish(r, found)
        else if (leaderMovedCodes.has(found.errorCode) && r.leaderMoves < leaderRetries) {
          r.leaderMoves++
          moved = true
          again.push(r)
        } else if (found.errorCode !== 0) finish(r, kafkaError(found.errorCode))
        else if (absorb(r, found)) again.push(r)
        else if (r.bytes < aloneBytes && r.batches.length === 0 && !atEnd(r) && found.batches.length === 0) {
          r.bytes = aloneBytes
          again.push(r)
        } else if (!atEnd(r) && r.records < r.max && found.batches.length === 0) {
          finish(r, kafkaError(ErrorCode.MESSAGE_TOO_LARGE, `the batch at offset ${r.from} is larger than ${aloneBytes} bytes`))
        } else finish(r)
      }
    }),
  )
  return { again, leaderMoved: moved }
}

function bounds(found: FetchedPartition) {
  const known = (offset: bigint) => (offset >= 0n ? offset : null)
  return { highWatermark: known(found.highWatermark), lastStableOffset: known(found.lastStableOffset), logStartOffset: known(found.logStartOffset) }
}

/** Where this reading stops: its end offset, or the high watermark (read_uncommitted) / last stable offset (read_committed). */
function limitOf(r: Reading): bigint | null {
  const log = r.isolation === 'read_committed' ? r.lastStableOffset : r.highWatermark
  if (log === null) return r.query.endOffset ?? null
  return r.query.endOffset !== undefined && r.query.endOffset < log ? r.query.endOffset : log
}

const atEnd = (r: Reading) => {
  const limit = limitOf(r)
  return limit !== null && r.from >= limit
}

/** Takes in one partition's answer; true when the reading should go on (more wanted, more there, progress made). */
function absorb(r: Reading, found: FetchedPartition): boolean {
  Object.assign(r, bounds(found))
  for (const t of found.abortedTransactions) r.aborted.set(`${t.producerId}/${t.firstOffset}`, { producerId: t.producerId, firstOffset: t.firstOffset })
  const limit = limitOf(r)
  const start = r.from
  for (const batch of found.batches) {
    if (batch.lastOffset < r.from) continue
    if ((limit !== null && batch.baseOffset >= limit) || r.records >= r.max) break
    const inRange = (offset: bigint) => offset >= r.from && (limit === null || offset < limit)
    const markers = batch.markers.filter((m) => inRange(m.offset))
    const records = batch.records.filter((record) => inRange(record.offset)).slice(0, r.max - r.records)
    if (records.length > 0 || markers.length > 0) r.batches.push({ ...batch, records, markers })
    r.records += records.length
    const lastTaken = records.at(-1)?.offset
    // Offsets inside a batch without a record (compacted away) are passed too, unless the batch was cut at the maximum.
    const next = r.records >= r.max && lastTaken !== undefined && lastTaken < batch.lastOffset ? lastTaken + 1n : batch.lastOffset + 1n
    r.from = limit !== null && next > limit ? limit : next
  }
  return r.from > start && r.records < r.max && !atEnd(r)
}
