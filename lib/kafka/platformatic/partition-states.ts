// partitionStates(): leader, ISR, ELR and offline replicas of every partition, leaderless ones included.
// DescribeTopicPartitions (Kafka 3.8+) answers leaderless partitions without an error and carries ELR; it is
// paged with a cursor. Older brokers: Metadata, read off the error the client throws for leaderless partitions.

import { describeTopicPartitionsV0, metadataV10, metadataV11, metadataV12, metadataV9 } from './client.ts'
import { ErrorCode, kafkaError } from '../errors.ts'
import type { PartitionState, PartitionStatesOptions, TopicState } from '../types.ts'
import { readCapabilities } from './capabilities.ts'
import { type Session, send } from './session.ts'

/** Partitions per DescribeTopicPartitions page; the broker caps it (max.request.partition.size.limit, 2000). */
const pageSize = 2000
/** A page count no real cluster reaches: the loop is bounded even if a broker kept returning a cursor. */
const maxPages = 100_000

interface RawPartition {
  errorCode: number
  partitionIndex: number
  leaderId: number
  leaderEpoch: number
  replicaNodes: number[]
  isrNodes: number[]
  offlineReplicas: number[]
  eligibleLeaderReplicas?: number[]
  lastKnownElr?: number[]
}

interface RawTopic {
  errorCode: number
  name: string | null | undefined
  topicId: string
  isInternal: boolean
  partitions: RawPartition[]
}

function toTopicState(raw: RawTopic, withElr: boolean): TopicState {
  const topic = raw.name ?? ''
  const partitions = raw.partitions
    .map((p): PartitionState => ({
      topic,
      partition: p.partitionIndex,
      leader: p.leaderId < 0 ? null : p.leaderId,
      leaderEpoch: p.leaderEpoch,
      replicas: p.replicaNodes,
      isr: p.isrNodes,
      offline: p.offlineReplicas,
      elr: withElr ? (p.eligibleLeaderReplicas ?? []) : null,
      lastKnownElr: withElr ? (p.lastKnownElr ?? []) : null,
      // Metadata marks leaderless partitions LEADER_NOT_AVAILABLE; that is what leader=null says already.
      ...(p.errorCode !== 0 && p.errorCode !== ErrorCode.LEADER_NOT_AVAILABLE ? { error: kafkaError(p.errorCode) } : {}),
    }))
    .sort((a, b) => a.partition - b.partition)
  const zeroId = /^0{8}-?0{4}-?0{4}-?0{4}-?0{12}$|^A{22}$/
  return {
    topic,
    topicId: raw.topicId && !zeroId.test(raw.topicId) ? raw.topicId : null,
    internal: raw.isInternal,
    partitions,
    ...(raw.errorCode !== 0
      ? { error: kafkaError(raw.errorCode, raw.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION ? `Topic ${topic} does not exist.` : null) }
      : {}),
  }
}

/** Tells `onTopics` which of these topics exist (a topic that does not comes back with an error). */
function nameExisting(topics: readonly RawTopic[], onTopics: PartitionStatesOptions['onTopics']): void {
  const named = topics.filter((t) => t.errorCode === 0).map((t) => t.name ?? '')
  if (named.length) onTopics?.(named)
}

type Cursor = { topicName: string; partitionIndex: number }
type Page = Awaited<ReturnType<typeof describeTopicPartitionsV0.api.async>>

async function describeAllPages(
  session: Session,
  topics: readonly string[],
  limit: number,
  onTopics?: (names: readonly string[]) => void,
): Promise<RawTopic[]> {
  const merged = new Map<string, RawTopic>()
  const ask = (cursor: Cursor | undefined): Promise<Page> => {
    const answer = session.anyBroker((c) =>
      send(
        describeTopicPartitionsV0.api,
        c,
        topics.map((name) => ({ name })),
        limit,
        cursor,
      ),
    )
    answer.catch(() => {}) // awaited in the loop; this keeps a failure quiet if the loop has already ended on another
    return answer
  }
  let next: Promise<Page> | undefined = ask(undefined)
  for (let page = 1; next; page++) {
    const answer: Page = await next
    // The next page is asked for before this one is read, so that it takes the least busy connection ahead
    // of whatever the caller starts for this page's topics.
    next = answer.nextCursor && page < maxPages ? ask(answer.nextCursor) : undefined
    const firstSeen: RawTopic[] = []
    for (const topic of answer.topics) {
      const name = topic.name ?? ''
      const existing = merged.get(name)
      if (existing) existing.partitions.push(...topic.partitions)
      else {
        const copy = { ...topic, partitions: [...topic.partitions] }
        merged.set(name, copy)
        firstSeen.push(copy)
      }
    }
    nameExisting(firstSeen, onTopics)
  }
  return [...merged.values()]
}

const metadataApis = { 12: metadataV12.api, 11: metadataV11.api, 10: metadataV10.api, 9: metadataV9.api } as const

async function describeWithMetadata(session: Session, topics: readonly string[]): Promise<RawTopic[]> {
  const version = session.version(3, [9, 10, 11, 12]) as 9 | 10 | 11 | 12 | null
  if (version === null) return []
  const api = metadataApis[version]
  // The client's parser throws for any partition error (a leaderless partition is one); send() keeps the answer.
  const answer = await session.anyBroker((c) => send(api, c, topics.length ? [...topics] : null, false, false))
  return answer.topics.map((t) => ({ errorCode: t.errorCode, name: t.name, topicId: t.topicId, isInternal: t.isInternal, partitions: t.partitions }))
}

/** For tests: `via: 'metadata'` forces the pre-3.8 path on brokers that have DescribeTopicPartitions; `pageSize` smaller pages. */
interface ReadOptions extends PartitionStatesOptions {
  readonly via?: 'metadata'
  readonly pageSize?: number
}

export async function readPartitionStates(session: Session, topics?: readonly string[], options: ReadOptions = {}): Promise<TopicState[]> {
  const requested = topics ? [...new Set(topics)] : []
  if (topics && topics.length === 0) return []
  const useDescribe = options.via !== 'metadata' && session.version(75, [0]) !== null
  const withElr = useDescribe && readCapabilities(session).elr === 'on'
  const raw = useDescribe
    ? await describeAllPages(session, requested, options.pageSize ?? pageSize, options.onTopics)
    : await describeWithMetadata(session, requested)
  if (!useDescribe) nameExisting(raw, options.onTopics)
  const states = raw.map((t) => toTopicState(t, withElr))
  if (!topics) return states.sort((a, b) => a.topic.localeCompare(b.topic))
  const byName = new Map(states.map((s) => [s.topic, s]))
  return topics.map(
    (name) =>
      byName.get(name) ?? {
        topic: name,
        topicId: null,
        internal: false,
        partitions: [],
        error: kafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic ${name} does not exist.`),
      },
  )
}
