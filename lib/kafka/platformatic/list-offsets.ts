// listOffsets() asks each partition's leader as a consumer would (read_committed ones get the last stable offset
// for 'latest'); replicaOffsets() asks one replica's own broker with the debugging replica id (-2), which answers
// from that replica's log even on a follower and while the partition has no leader (measured on 4.3.1 and 3.9.2).

import { listOffsetsV5, listOffsetsV6, listOffsetsV7, listOffsetsV8, listOffsetsV9 } from './client.ts'
import { ErrorCode, kafkaError } from '../errors.ts'
import type { IsolationLevel, KafkaError, ListedOffset, OffsetQuery, OffsetSpec, ReplicaOffset, ReplicaOffsetQuery } from '../types.ts'
import { readPartitionStates } from './partition-states.ts'
import { type Session, send } from './session.ts'

const consumerReplicaId = -1
const debuggingReplicaId = -2
const isolationLevels: Record<IsolationLevel, number> = { read_uncommitted: 0, read_committed: 1 }

type Api = typeof listOffsetsV9.api
// v5–v9 share the request and answer shapes the adapter uses; the client types them apart.
const apis: Record<number, Api> = {
  9: listOffsetsV9.api,
  8: listOffsetsV8.api as unknown as Api,
  7: listOffsetsV7.api as unknown as Api,
  6: listOffsetsV6.api as unknown as Api,
  5: listOffsetsV5.api as unknown as Api,
}

const wireTimestamp = (spec: OffsetSpec): bigint => {
  if (spec === 'earliest') return -2n
  if (spec === 'latest') return -1n
  if (spec === 'max-timestamp') return -3n
  return BigInt(spec.timestamp)
}

interface PartitionAnswer {
  errorCode: number
  offset: bigint
  timestamp: bigint
  leaderEpoch: number
}

/**
 * Sends one batch of (topic, partition, timestamp) to a connection as ListOffsets, splitting it into rounds so
 * that no partition appears twice in one request (Kafka refuses duplicates).
 */
export async function askInRounds(
  session: Session,
  broker: number,
  replicaId: number,
  isolation: IsolationLevel,
  items: readonly { key: string; topic: string; partition: number; timestamp: bigint }[],
): Promise<Map<string, PartitionAnswer | KafkaError>> {
  const answers = new Map<string, PartitionAnswer | KafkaError>()
  const version = session.version(2, [5, 6, 7, 8, 9])
  // A partition asked n times goes into rounds 1..n: its k-th question joins the k-th round.
  const rounds: (typeof items)[number][][] = []
  const asked = new Map<string, number>()
  for (const item of items) {
    const key = `${item.topic}/${item.partition}`
    const index = asked.get(key) ?? 0
    asked.set(key, index + 1)
    ;(rounds[index] ??= []).push(item)
  }
  for (const round of rounds) {
    if (version === null) {
      for (const item of round) answers.set(item.key, kafkaError(ErrorCode.UNSUPPORTED_VERSION, 'ListOffsets v5+ is not served by this cluster'))
      continue
    }
    const byTopic = new Map<string, { partitionIndex: number; currentLeaderEpoch: number; timestamp: bigint }[]>()
    for (const item of round)
      (byTopic.get(item.topic) ?? byTopic.set(item.topic, []).get(item.topic)!).push({
        partitionIndex: item.partition,
        currentLeaderEpoch: -1,
        timestamp: item.timestamp,
      })
    const request = [...byTopic].map(([name, partitions]) => ({ name, partitions }))
    const answer = await session.onBroker(broker, (c) => send(apis[version]!, c, replicaId, isolationLevels[isolation], request))
    const byPartition = new Map<string, PartitionAnswer>()
    if (!('error' in answer)) for (const t of answer.value.topics) for (const p of t.partitions) byPartition.set(`${t.name}/${p.partitionIndex}`, p)
    for (const item of round) {
      if ('error' in answer) {
        answers.set(item.key, answer.error)
        continue
      }
      const found = byPartition.get(`${item.topic}/${item.partition}`)
      answers.set(item.key, found ?? kafkaError(ErrorCode.UNKNOWN_SERVER_ERROR, 'the broker gave no answer for this partition'))
    }
  }
  return answers
}

const isError = (value: PartitionAnswer | KafkaError): value is KafkaError => 'name' in value

/**
 * One answer, echoing its query (isolation only when the query named one). Built field by field: a replay plan
 * asks thousands of these in a process that has just started, where object spreads run in the interpreter.
 */
function listed(query: OffsetQuery, offset: bigint | null, timestamp: number | null, leaderEpoch: number | null, error?: KafkaError): ListedOffset {
  const { topic, partition, spec, isolation } = query
  const result: { -readonly [K in keyof ListedOffset]: ListedOffset[K] } = isolation
    ? { topic, partition, spec, isolation, offset, timestamp, leaderEpoch }
    : { topic, partition, spec, offset, timestamp, leaderEpoch }
  if (error) result.error = error
  return result
}
const failed = (query: OffsetQuery, error: KafkaError): ListedOffset => listed(query, null, null, null, error)
const orNull = (value: bigint): bigint | null => (value < 0n ? null : value)

export async function listOffsets(session: Session, queries: readonly OffsetQuery[]): Promise<ListedOffset[]> {
  if (queries.length === 0) return []
  const states = await readPartitionStates(session, [...new Set(queries.map((q) => q.topic))])
  const leaders = new Map<string, number | null>()
  for (const topic of states) for (const p of topic.partitions) leaders.set(`${p.topic}/${p.partition}`, p.leader)

  const results: (ListedOffset | null)[] = queries.map(() => null)
  // The isolation level is the request's, so each leader gets one batch per level asked.
  const byLeader = new Map<
    string,
    { leader: number; isolation: IsolationLevel; items: { key: string; topic: string; partition: number; timestamp: bigint; index: number }[] }
  >()
  queries.forEach((query, index) => {
    const leader = leaders.get(`${query.topic}/${query.partition}`)
    if (leader === undefined)
      results[index] = failed(query, kafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'This server does not host this topic-partition.'))
    else if (leader === null) results[index] = failed(query, kafkaError(ErrorCode.LEADER_NOT_AVAILABLE, 'The partition has no leader.'))
    // Kafka before 3.0 has no max-timestamp lookup: refuse rather than send a spec it would misread.
    else if (query.spec === 'max-timestamp' && session.version(2, [7, 8, 9]) === null) {
      results[index] = failed(query, kafkaError(ErrorCode.UNSUPPORTED_VERSION, 'this cluster has no max-timestamp lookup (Kafka 3.0+)'))
    } else {
      const isolation = query.isolation ?? 'read_uncommitted'
      const batch = `${leader}/${isolation}`
      ;(byLeader.get(batch) ?? byLeader.set(batch, { leader, isolation, items: [] }).get(batch)!).items.push({
        key: String(index),
        topic: query.topic,
        partition: query.partition,
        timestamp: wireTimestamp(query.spec),
        index,
      })
    }
  })
  await Promise.all(
    [...byLeader.values()].map(async ({ leader, isolation, items }) => {
      const answers = await askInRounds(session, leader, consumerReplicaId, isolation, items)
      for (const item of items) {
        const query = queries[item.index]!
        const answer = answers.get(item.key)!
        if (isError(answer)) results[item.index] = failed(query, answer)
        else if (answer.errorCode !== 0) results[item.index] = failed(query, kafkaError(answer.errorCode))
        else {
          const byTime = typeof query.spec === 'object' || query.spec === 'max-timestamp'
          results[item.index] = listed(
            query,
            orNull(answer.offset),
            byTime && answer.offset >= 0n && answer.timestamp >= 0n ? Number(answer.timestamp) : null,
            answer.leaderEpoch < 0 ? null : answer.leaderEpoch,
          )
        }
      }
    }),
  )
  return results as ListedOffset[]
}

export async function replicaOffsets(session: Session, queries: readonly ReplicaOffsetQuery[]): Promise<ReplicaOffset[]> {
  const results: ReplicaOffset[] = new Array(queries.length)
  const byBroker = new Map<number, { key: string; topic: string; partition: number; timestamp: bigint; index: number }[]>()
  queries.forEach((q, index) =>
    (byBroker.get(q.broker) ?? byBroker.set(q.broker, []).get(q.broker)!).push({
      key: String(index),
      topic: q.topic,
      partition: q.partition,
      timestamp: wireTimestamp(q.spec),
      index,
    }),
  )
  await Promise.all(
    [...byBroker].map(async ([broker, items]) => {
      const answers = await askInRounds(session, broker, debuggingReplicaId, 'read_uncommitted', items)
      for (const item of items) {
        const q = queries[item.index]!
        const base = { topic: q.topic, partition: q.partition, broker: q.broker, spec: q.spec }
        const answer = answers.get(item.key)!
        if (isError(answer)) results[item.index] = { ...base, offset: null, timestamp: null, leaderEpoch: null, error: answer }
        else if (answer.errorCode !== 0)
          results[item.index] = { ...base, offset: null, timestamp: null, leaderEpoch: null, error: kafkaError(answer.errorCode) }
        else {
          const offset = orNull(answer.offset)
          results[item.index] = {
            ...base,
            offset,
            leaderEpoch: offset === null || answer.leaderEpoch < 0 ? null : answer.leaderEpoch,
            timestamp: (q.spec === 'max-timestamp' || typeof q.spec === 'object') && answer.timestamp >= 0n ? Number(answer.timestamp) : null,
          }
        }
      }
    }),
  )
  return results
}
