// recordTimestamps(): when the record at an offset was written. ListOffsets maps a time to an offset but never
// an offset to a time, so this reads the record itself with Fetch (v12: topics by name, no fetch session) from
// the partition's leader, as a consumer would, and decodes the batch that holds it.

import { fetchV12 } from './client.ts'
import { ErrorCode, kafkaError } from '../errors.ts'
import type { KafkaError, RecordQuery, RecordTimestamp } from '../types.ts'
import { readPartitionStates } from './partition-states.ts'
import { type Session, send } from './session.ts'

type FetchedPartition = Awaited<ReturnType<typeof fetchV12.api.async>>['responses'][number]['partitions'][number]
type Batch = NonNullable<FetchedPartition['records']>[number]

/** Bytes asked per partition; a batch bigger than this is fetched again alone, when Kafka returns it whole. */
const partitionBytes = 64 * 1024
const aloneBytes = 8 * 1024 * 1024
/** Each round moves past a batch of transaction markers or a gap; a real log never needs many. */
const maxRounds = 6
const logAppendTime = 0x08
const controlBatch = 0x20
const readUncommitted = 0

interface Pending {
  readonly index: number
  readonly topic: string
  readonly partition: number
  /** Where the next fetch starts: the asked offset, then past batches that held no data record. */
  from: bigint
  bytes: number
}

type Found = { offset: bigint; timestamp: number } | null

/** The first data record at or after `from` in the batches, or 'more' when they end before one is found. */
function firstRecordFrom(batches: readonly Batch[], from: bigint): Found | { more: bigint } | 'none' {
  let next: bigint | null = null
  for (const batch of batches) {
    const last = batch.firstOffset + BigInt(batch.lastOffsetDelta)
    if (last < from) continue
    next = last + 1n
    if (batch.attributes & controlBatch) continue
    for (const record of batch.records) {
      const offset = batch.firstOffset + BigInt(record.offsetDelta)
      if (offset < from) continue
      const timestamp = batch.attributes & logAppendTime ? batch.maxTimestamp : batch.firstTimestamp + record.timestampDelta
      return { offset, timestamp: Number(timestamp) }
    }
  }
  return next === null ? 'none' : { more: next }
}

export async function recordTimestamps(session: Session, queries: readonly RecordQuery[]): Promise<RecordTimestamp[]> {
  const results: RecordTimestamp[] = new Array(queries.length)
  if (queries.length === 0) return results
  const states = await readPartitionStates(session, [...new Set(queries.map((q) => q.topic))])
  const leaders = new Map<string, number | null>()
  for (const topic of states) for (const p of topic.partitions) leaders.set(`${p.topic}/${p.partition}`, p.leader)
  const settle = (item: Pending, found: Found, error?: KafkaError) => {
    const query = queries[item.index]!
    results[item.index] = {
      topic: query.topic,
      partition: query.partition,
      requested: query.offset,
      offset: found?.offset ?? null,
      timestamp: found?.timestamp ?? null,
      ...(error ? { error } : {}),
    }
  }

  const byLeader = new Map<number, Pending[]>()
  queries.forEach((query, index) => {
    const item: Pending = { index, topic: query.topic, partition: query.partition, from: query.offset, bytes: partitionBytes }
    const leader = leaders.get(`${query.topic}/${query.partition}`)
    if (leader === undefined) settle(item, null, kafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'This server does not host this topic-partition.'))
    else if (leader === null) settle(item, null, kafkaError(ErrorCode.LEADER_NOT_AVAILABLE, 'The partition has no leader.'))
    else if (query.offset < 0n) settle(item, null, kafkaError(ErrorCode.OFFSET_OUT_OF_RANGE, `offset ${query.offset} is not a real offset`))
    else (byLeader.get(leader) ?? byLeader.set(leader, []).get(leader)!).push(item)
  })
  await Promise.all([...byLeader].map(([leader, items]) => readFromLeader(session, leader, items, settle)))
  return results
}

async function readFromLeader(
  session: Session,
  leader: number,
  items: Pending[],
  settle: (item: Pending, found: Found, error?: KafkaError) => void,
): Promise<void> {
  let pending = items
  for (let round = 0; round < maxRounds && pending.length > 0; round++) {
    // Kafka refuses a partition twice in one request: the same partition asked at two offsets goes in two
    // requests. A retry for an oversized batch goes alone, so Kafka returns that batch whole (KIP-74).
    const requests: { items: Pending[]; keys: Set<string> }[] = []
    for (const item of pending) {
      const key = `${item.topic}/${item.partition}`
      const request = item.bytes > partitionBytes ? undefined : requests.find((r) => r.items[0]!.bytes === partitionBytes && !r.keys.has(key))
      if (request) {
        request.items.push(item)
        request.keys.add(key)
      } else requests.push({ items: [item], keys: new Set([key]) })
    }
    const again: Pending[] = []
    // The requests of a round are independent (each partition appears once per request): send them together.
    await Promise.all(
      requests.map(async ({ items: request }) => {
        const byTopic = new Map<string, Pending[]>()
        for (const item of request) (byTopic.get(item.topic) ?? byTopic.set(item.topic, []).get(item.topic)!).push(item)
        const topics = [...byTopic].map(([topicId, group]) => ({
          topicId,
          partitions: group.map((item) => ({
            partition: item.partition,
            currentLeaderEpoch: -1,
            fetchOffset: item.from,
            lastFetchedEpoch: -1,
            partitionMaxBytes: item.bytes,
          })),
        }))
        const maxBytes = Math.min(
          request.reduce((sum, item) => sum + item.bytes, 0),
          256 * 1024 * 1024,
        )
        // No wait, no fetch session (epoch -1): one plain read of what is there now.
        const answer = await session.onBroker(leader, (c) => send(fetchV12.api, c, 0, 1, maxBytes, readUncommitted, 0, -1, topics, [], ''))
        const byPartition = new Map<string, FetchedPartition>()
        if (!('error' in answer)) for (const t of answer.value.responses) for (const p of t.partitions) byPartition.set(`${t.topicId}/${p.partitionIndex}`, p)
        for (const item of request) {
          if ('error' in answer) {
            settle(item, null, answer.error)
            continue
          }
          const found = byPartition.get(`${item.topic}/${item.partition}`)
          if (!found) settle(item, null, kafkaError(ErrorCode.UNKNOWN_SERVER_ERROR, 'the leader gave no answer for this partition'))
          else if (found.errorCode !== 0) settle(item, null, kafkaError(found.errorCode))
          else if (item.from >= found.highWatermark) settle(item, null)
          else {
            const outcome = firstRecordFrom(found.records ?? [], item.from)
            if (outcome === 'none') {
              // Below the high watermark but no whole batch came back: the batch is bigger than asked for.
              if (item.bytes < aloneBytes) again.push({ ...item, bytes: aloneBytes })
              else settle(item, null, kafkaError(ErrorCode.MESSAGE_TOO_LARGE, `the batch at offset ${item.from} is larger than ${aloneBytes} bytes`))
            } else if (outcome !== null && 'more' in outcome) again.push({ ...item, from: outcome.more })
            else settle(item, outcome)
          }
        }
      }),
    )
    pending = again
  }
  for (const item of pending)
    settle(item, null, kafkaError(ErrorCode.UNKNOWN_SERVER_ERROR, `no data record found from offset ${item.from} within ${maxRounds} reads`))
}
