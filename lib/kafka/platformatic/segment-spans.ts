// segmentSpans(): where the log segment holding an offset ends. Kafka never names segments over the protocol, but a
// broker reads one segment per Fetch answer (LocalLog.read stops at the segment's end) and cuts an answer at the
// bytes asked for mid-batch. So an answer that ends on a whole batch, short of the bytes asked and of the high
// watermark, ends exactly where the segment does. Only batch headers are read: nothing is decompressed.

import { ErrorCode, kafkaError } from '../errors.ts'
import { failedSegmentSpan, type SegmentQuery, type SegmentSpan } from '../types.ts'
import { readPartitionStates } from './partition-states.ts'
import { type FetchedPartitionBytes, fetchBytesV12 } from './protocol/fetch.ts'
import { type BatchExtent, fetchedExtents } from './record-batches.ts'
import { type Session, send } from './session.ts'

const defaultMaxBytes = 4 * 1024 * 1024
/** Bytes asked of one leader in one request: well below a broker's fetch.max.bytes (55 MiB by default), so no partition's answer is cut for the request's sake. */
const requestBytes = 32 * 1024 * 1024
const leaderRetries = 3
const leaderMovedCodes = new Set<number>([
  ErrorCode.NOT_LEADER_OR_FOLLOWER,
  ErrorCode.LEADER_NOT_AVAILABLE,
  ErrorCode.FENCED_LEADER_EPOCH,
  ErrorCode.UNKNOWN_LEADER_EPOCH,
])

interface Pending {
  readonly index: number
  readonly query: SegmentQuery
  readonly maxBytes: number
  /** Asked again alone: an empty answer below the high watermark is the request's limit, not the segment's end. */
  alone: boolean
}

const known = (offset: bigint) => (offset >= 0n ? offset : null)

/** The span one partition's answer describes. */
function spanOf(p: Pending, answer: FetchedPartitionBytes, batches: readonly BatchExtent[], cut: boolean): SegmentSpan {
  const { topic, partition, offset } = p.query
  const highWatermark = known(answer.highWatermark)
  const last = batches.at(-1)
  const nextOffset = last ? last.lastOffset + 1n : offset
  const bytes = batches.reduce((sum, b) => sum + b.sizeBytes, 0)
  const end: SegmentSpan['end'] =
    cut || (batches.length > 0 && bytes >= p.maxBytes)
      ? 'byte-limit'
      : highWatermark !== null && nextOffset >= highWatermark
        ? 'high-watermark'
        : batches.length === 0
          ? 'byte-limit'
          : 'segment'
  const first = batches[0]
  return {
    topic,
    partition,
    requested: offset,
    firstBatch: first ? { baseOffset: first.baseOffset, maxTimestamp: first.maxTimestamp } : null,
    nextOffset,
    end,
    maxTimestamp: batches.length ? Math.max(...batches.map((b) => b.maxTimestamp)) : null,
    bytes,
    highWatermark,
    logStartOffset: known(answer.logStartOffset),
  }
}

/** Requests for one leader: each under the request budget, a partition at most once per request (Kafka refuses a repeat). */
function pack(readings: readonly Pending[]): Pending[][] {
  const requests: Pending[][] = []
  for (const r of readings) {
    const fits = (request: Pending[]) =>
      !r.alone &&
      !request[0]!.alone &&
      request.reduce((sum, o) => sum + o.maxBytes, r.maxBytes) <= requestBytes &&
      !request.some((o) => o.query.topic === r.query.topic && o.query.partition === r.query.partition)
    const request = requests.find(fits)
    if (request) request.push(r)
    else requests.push([r])
  }
  return requests
}

export async function segmentSpans(session: Session, queries: readonly SegmentQuery[]): Promise<SegmentSpan[]> {
  const results: SegmentSpan[] = new Array(queries.length)
  let pending: Pending[] = []
  queries.forEach((query, index) => {
    const p = { index, query, maxBytes: Math.max(1, query.maxBytes ?? defaultMaxBytes), alone: false }
    if (query.offset < 0n) results[index] = failedSegmentSpan(p.query, kafkaError(ErrorCode.OFFSET_OUT_OF_RANGE, `offset ${query.offset} is not a real offset`))
    else pending.push(p)
  })
  for (let round = 0; round <= leaderRetries && pending.length > 0; round++) {
    const states = await readPartitionStates(session, [...new Set(pending.map((p) => p.query.topic))])
    const leaders = new Map(states.flatMap((t) => t.partitions.map((s) => [`${s.topic}/${s.partition}`, s.leader] as const)))
    const byLeader = new Map<number, Pending[]>()
    for (const p of pending) {
      const leader = leaders.get(`${p.query.topic}/${p.query.partition}`)
      if (leader === undefined)
        results[p.index] = failedSegmentSpan(p.query, kafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'This server does not host this topic-partition.'))
      else if (leader === null) results[p.index] = failedSegmentSpan(p.query, kafkaError(ErrorCode.LEADER_NOT_AVAILABLE, 'The partition has no leader.'))
      else byLeader.set(leader, [...(byLeader.get(leader) ?? []), p])
    }
    const again: Pending[] = []
    await Promise.all(
      [...byLeader].flatMap(([leader, readings]) =>
        pack(readings).map(async (request) => {
          const topics = [...new Set(request.map((p) => p.query.topic))].map((topicId) => ({
            topicId,
            partitions: request
              .filter((p) => p.query.topic === topicId)
              .map((p) => ({
                partition: p.query.partition,
                currentLeaderEpoch: -1,
                fetchOffset: p.query.offset,
                lastFetchedEpoch: -1,
                partitionMaxBytes: p.maxBytes,
              })),
          }))
          const maxBytes = request.reduce((sum, p) => sum + p.maxBytes, 0)
          const answer = await session.onBroker(leader, (c) => send(fetchBytesV12, c, 0, 1, maxBytes, 0, 0, -1, topics, [], ''))
          if ('error' in answer) {
            for (const p of request) results[p.index] = failedSegmentSpan(p.query, answer.error)
            return
          }
          const byPartition = new Map(answer.value.responses.flatMap((t) => t.partitions.map((a) => [`${t.topic}/${a.partitionIndex}`, a] as const)))
          for (const p of request) {
            const found = byPartition.get(`${p.query.topic}/${p.query.partition}`)
            if (!found)
              results[p.index] = failedSegmentSpan(p.query, kafkaError(ErrorCode.UNKNOWN_SERVER_ERROR, 'the leader gave no answer for this partition'))
            else if (leaderMovedCodes.has(found.errorCode) && round < leaderRetries) again.push(p)
            else if (found.errorCode !== 0) results[p.index] = failedSegmentSpan(p.query, kafkaError(found.errorCode))
            else {
              let extents: Awaited<ReturnType<typeof fetchedExtents>>
              try {
                extents = await fetchedExtents(found.records)
              } catch (error) {
                results[p.index] = failedSegmentSpan(p.query, kafkaError(ErrorCode.CORRUPT_MESSAGE, `the records cannot be read: ${(error as Error).message}`))
                continue
              }
              const highWatermark = known(found.highWatermark)
              if (
                extents.batches.length === 0 &&
                !extents.cut &&
                highWatermark !== null &&
                p.query.offset < highWatermark &&
                !p.alone &&
                round < leaderRetries
              ) {
                p.alone = true
                again.push(p)
              } else results[p.index] = spanOf(p, found, extents.batches, extents.cut)
            }
          }
        }),
      ),
    )
    pending = again
  }
  for (const p of pending) results[p.index] = failedSegmentSpan(p.query, kafkaError(ErrorCode.NOT_LEADER_OR_FOLLOWER, 'the leader kept moving'))
  return results
}
