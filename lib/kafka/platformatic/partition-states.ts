// partitionStates(): leader, ISR, ELR and offline replicas of every partition, leaderless ones included.
// DescribeTopicPartitions (Kafka 3.8+) answers leaderless partitions without an error and carries ELR; it is
// paged with a cursor. Older brokers: Metadata, read off the error the client throws for leaderless partitions.

import { metadataV10, metadataV11, metadataV12, metadataV9 } from './client.ts'
import { ErrorCode, kafkaError } from '../errors.ts'
import type { PartitionState, PartitionStatesOptions, TopicState } from '../types.ts'
import { readCapabilities } from './capabilities.ts'
import { type DescribedTopic, describeTopicPartitionsV0, type TopicPartitionsCursor, type TopicPartitionsPage } from './protocol/describe-topic-partitions.ts'
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
}

interface RawTopic {
  errorCode: number
  name: string | null | undefined
  topicId: string
  isInternal: boolean
  partitions: RawPartition[]
}

const zeroId = /^0{8}-?0{4}-?0{4}-?0{4}-?0{12}$|^A{22}$/
let collator: Intl.Collator | undefined
/**
 * The order topics are listed in (the locale's, as String.prototype.localeCompare gives it). The collator is made
 * on first use: the first one of a process loads ICU's collation data (~9 ms), which loading this module should not.
 */
const byName = (a: string, b: string): number => (collator ??= new Intl.Collator()).compare(a, b)

function topicState(topic: string, topicId: string, internal: boolean, errorCode: number, partitions: PartitionState[]): TopicState {
  const state: { -readonly [K in keyof TopicState]: TopicState[K] } = {
    topic,
    topicId: topicId && !zeroId.test(topicId) ? topicId : null,
    internal,
    partitions: inPartitionOrder(partitions),
  }
  // Added only when there is one: spreading an empty object into each of 20,000 topics goes through a slow path.
  if (errorCode !== 0) state.error = kafkaError(errorCode, errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION ? `Topic ${topic} does not exist.` : null)
  return state
}

/** Brokers list partitions in order already: sorting is only needed when they do not. */
function inPartitionOrder(partitions: PartitionState[]): PartitionState[] {
  for (let i = 1; i < partitions.length; i++)
    if (partitions[i - 1]!.partition > partitions[i]!.partition) return partitions.sort((a, b) => a.partition - b.partition)
  return partitions
}

/** Metadata's answer (brokers before 3.8): no ELR. */
function fromMetadata(raw: RawTopic): TopicState {
  const topic = raw.name ?? ''
  const partitions = raw.partitions.map((p): PartitionState => ({
    topic,
    partition: p.partitionIndex,
    leader: p.leaderId < 0 ? null : p.leaderId,
    leaderEpoch: p.leaderEpoch,
    replicas: p.replicaNodes,
    isr: p.isrNodes,
    offline: p.offlineReplicas,
    elr: null,
    lastKnownElr: null,
    // Metadata marks leaderless partitions LEADER_NOT_AVAILABLE; that is what leader=null says already.
    ...(p.errorCode !== 0 && p.errorCode !== ErrorCode.LEADER_NOT_AVAILABLE ? { error: kafkaError(p.errorCode) } : {}),
  }))
  return topicState(topic, raw.topicId, raw.isInternal, raw.errorCode, partitions)
}

/** Tells `onTopics` which of these topics exist (a topic that does not comes back with an error). */
function nameExisting(topics: readonly { errorCode: number; name: string | null | undefined }[], onTopics: PartitionStatesOptions['onTopics']): void {
  const named = topics.filter((t) => t.errorCode === 0).map((t) => t.name ?? '')
  if (named.length) onTopics?.(named)
}

async function describeAllPages(
  session: Session,
  topics: readonly string[],
  limit: number,
  withElr: boolean,
  onTopics?: (names: readonly string[]) => void,
): Promise<DescribedTopic[]> {
  const api = withElr ? describeTopicPartitionsV0.withElr : describeTopicPartitionsV0.withoutElr
  const merged = new Map<string, DescribedTopic>()
  const ask = (cursor: TopicPartitionsCursor | undefined): Promise<TopicPartitionsPage> => {
    const answer = session.anyBroker((c) => send(api, c, topics, limit, cursor))
    answer.catch(() => {}) // awaited in the loop; this keeps a failure quiet if the loop has already ended on another
    return answer
  }
  let next: Promise<TopicPartitionsPage> | undefined = ask(undefined)
  for (let page = 1; next; page++) {
    const answer: TopicPartitionsPage = await next
    // The next page is asked for before this one is read, so that it takes the least busy connection ahead
    // of whatever the caller starts for this page's topics.
    next = answer.nextCursor && page < maxPages ? ask(answer.nextCursor) : undefined
    const firstSeen: DescribedTopic[] = []
    for (const topic of answer.topics) {
      const existing = merged.get(topic.name ?? '')
      // A topic cut by the page limit continues on the next page.
      if (existing) for (const partition of topic.partitions) existing.partitions.push(partition)
      else {
        merged.set(topic.name ?? '', topic)
        firstSeen.push(topic)
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
  let states: TopicState[]
  if (useDescribe) {
    const withElr = readCapabilities(session).elr === 'on'
    const described = await describeAllPages(session, requested, options.pageSize ?? pageSize, withElr, options.onTopics)
    states = described.map((t) => topicState(t.name ?? '', t.topicId, t.isInternal, t.errorCode, t.partitions))
  } else {
    const raw = await describeWithMetadata(session, requested)
    nameExisting(raw, options.onTopics)
    states = raw.map(fromMetadata)
  }
  if (!topics) return inNameOrder(states)
  const named = new Map(states.map((s) => [s.topic, s]))
  return topics.map(
    (name) =>
      named.get(name) ?? {
        topic: name,
        topicId: null,
        internal: false,
        partitions: [],
        error: kafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic ${name} does not exist.`),
      },
  )
}

/** Brokers answer in name order (Java's, which differs from the locale's only on some punctuation and case): sort only when needed. */
function inNameOrder(states: TopicState[]): TopicState[] {
  for (let i = 1; i < states.length; i++) if (byName(states[i - 1]!.topic, states[i]!.topic) > 0) return states.sort((a, b) => byName(a.topic, b.topic))
  return states
}
