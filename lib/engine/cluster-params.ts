// Parameters that name things in the cluster — topics, partitions, brokers, consumer groups. Each parses its
// text, offers the cluster's own list on a terminal, and checks a value against the cluster: the engine runs the
// check on every given value before any cell runs, so a mistyped name is refused whatever state the cluster is in.

import { agree, counted } from '../format/counts.ts'
import type { KafkaOps, TopicPartition } from '../kafka/types.ts'
import { type Choice, type Common, listItems, ParamError, type ParamSpec, paramSpec } from './param-spec.ts'

const topicPattern = /^[A-Za-z0-9._-]{1,249}$/

/** A topic name as Kafka allows it. */
export function topicName(text: string): string {
  const name = text.trim()
  if (!topicPattern.test(name) || name === '.' || name === '..') throw new ParamError(`"${text}" is not a topic name (letters, digits, . _ -)`)
  return name
}

/** "orders:0" → { topic: 'orders', partition: 0 }; a topic name may contain anything but the last colon. */
export function parseTopicPartition(text: string): TopicPartition {
  const colon = text.lastIndexOf(':')
  const topic = text.slice(0, colon).trim()
  const number = text.slice(colon + 1).trim()
  if (colon <= 0 || topic === '' || !/^\d+$/.test(number)) throw new ParamError(`"${text}" is not topic:partition (e.g. orders:3)`)
  return { topic: topicName(topic), partition: Number(number) }
}

function brokerId(text: string): number {
  if (!/^\d+$/.test(text.trim())) throw new ParamError(`"${text}" is not a broker id`)
  return Number(text.trim())
}

/** Partition counts of the named topics (null: no such topic). */
async function partitionCounts(kafka: KafkaOps, topics: readonly string[]): Promise<Map<string, number | null>> {
  const states = await kafka.partitionStates([...new Set(topics)])
  return new Map(states.map((s) => [s.topic, s.error ? null : s.partitions.length]))
}

async function topicChoices(kafka: KafkaOps): Promise<Choice[]> {
  const states = await kafka.partitionStates()
  return states
    .filter((s) => !s.error && !s.internal)
    .map((s) => ({ value: s.topic, name: s.topic, description: counted(s.partitions.length, 'partition') }))
    .sort((a, b) => a.value.localeCompare(b.value))
}

/** The brokers the cluster knows: registered ones, and any still named in a replica list (a broker gone for good). */
async function knownBrokers(kafka: KafkaOps): Promise<{ registered: number[]; inReplicas: Set<number> }> {
  const [cluster, states] = await Promise.all([kafka.cluster(), kafka.partitionStates()])
  const inReplicas = new Set(states.flatMap((s) => s.partitions.flatMap((p) => p.replicas)))
  return { registered: cluster.brokers.map((b) => b.id).sort((a, b) => a - b), inReplicas }
}

async function unknownBrokers(kafka: KafkaOps, ids: readonly number[]): Promise<string | null> {
  const { registered, inReplicas } = await knownBrokers(kafka)
  const unknown = [...new Set(ids)].filter((id) => !registered.includes(id) && !inReplicas.has(id))
  if (unknown.length === 0) return null
  return `${agree(unknown.length, 'broker', 'brokers')} ${unknown.join(', ')} ${agree(unknown.length, 'is', 'are')} not in this cluster (registered: ${registered.join(', ') || 'none'}) — give a broker id the cluster knows`
}

async function brokerChoices(kafka: KafkaOps): Promise<Choice[]> {
  const cluster = await kafka.cluster()
  return [...cluster.brokers]
    .sort((a, b) => a.id - b.id)
    .map((b) => ({
      value: String(b.id),
      name: `broker ${b.id}`,
      description: `${b.host}:${b.port}${b.rack ? ` · rack ${b.rack}` : ''}${b.fenced ? ' · fenced' : ''}`,
    }))
}

/** A topic of the cluster. */
function topic(options: Common<string>): ParamSpec<string> {
  return paramSpec(
    'topic',
    { suggest: topicChoices, check: (value, kafka) => checkClusterNames(kafka, { topics: [value] }), ...options },
    topicName,
    (value) => value,
  )
}

/** Topics of the cluster, comma-separated. */
function topics(options: Common<readonly string[]>): ParamSpec<readonly string[]> {
  return paramSpec(
    'topics',
    { check: (value, kafka) => checkClusterNames(kafka, { topics: value }), ...options },
    (text) => [...new Set(listItems(text).map(topicName))],
    (value) => value.join(','),
  )
}

/**
 * What a parameter of a runbook's own type names in the cluster, checked the way the built-in ones are: topics
 * that must exist, and partitions that must be within their topic. One line of what is wrong, or null.
 */
export async function checkClusterNames(
  kafka: KafkaOps,
  names: { readonly topics?: readonly string[]; readonly partitions?: readonly TopicPartition[] },
): Promise<string | null> {
  const topics = [...(names.topics ?? []), ...(names.partitions ?? []).map((p) => p.topic)]
  if (topics.length === 0) return null
  const counts = await partitionCounts(kafka, topics)
  const missing = [...new Set(topics)].filter((t) => (counts.get(t) ?? null) === null)
  if (missing.length > 0)
    return `${agree(missing.length, 'topic', 'topics')} ${missing.join(', ')} ${agree(missing.length, 'does', 'do')} not exist on this cluster — check the name (\`runbook status\` lists topics)`
  const outside = (names.partitions ?? []).find((p) => p.partition >= counts.get(p.topic)!)
  if (!outside) return null
  const count = counts.get(outside.topic)!
  return `${outside.topic} has no partition ${outside.partition} (it has ${count}: 0-${count - 1}) — fix the partition`
}

/** Partitions of the cluster as topic:partition, comma-separated (orders:0,orders:3). */
function partitions(options: Common<readonly TopicPartition[]>): ParamSpec<readonly TopicPartition[]> {
  return paramSpec(
    'partitions',
    { check: (value, kafka) => checkClusterNames(kafka, { partitions: value }), ...options },
    (text) => {
      const parsed = listItems(text).map(parseTopicPartition)
      return [...new Map(parsed.map((p) => [`${p.topic}:${p.partition}`, p])).values()]
    },
    (value) => value.map((p) => `${p.topic}:${p.partition}`).join(','),
  )
}

/** A broker of the cluster, by id (registered, or still named in a replica list). */
function broker(options: Common<number>): ParamSpec<number> {
  return paramSpec('broker', { suggest: brokerChoices, check: (value, kafka) => unknownBrokers(kafka, [value]), ...options }, brokerId, String)
}

/** Brokers of the cluster, comma-separated ids. */
function brokers(options: Common<readonly number[]>): ParamSpec<readonly number[]> {
  return paramSpec(
    'brokers',
    { check: (value, kafka) => unknownBrokers(kafka, value), ...options },
    (text) => [...new Set(listItems(text).map(brokerId))],
    (value) => value.join(','),
  )
}

/** A consumer group the cluster knows: it has members or committed offsets. */
function group(options: Common<string>): ParamSpec<string> {
  return paramSpec(
    'group',
    {
      async check(value, kafka) {
        const [[description], offsets] = await Promise.all([kafka.describeGroups([value]), kafka.committedOffsets(value)])
        if ((description && !description.error) || offsets.offsets.length > 0) return null
        if (description?.error && description.error.name !== 'GROUP_ID_NOT_FOUND') return null // unreadable here: the runbook's own read says why
        return `no consumer group "${value}" on this cluster (no members, no commits) — check the name with \`kafka-consumer-groups --list\``
      },
      ...options,
    },
    (text) => {
      const id = text.trim()
      if (id === '') throw new ParamError('an empty group id is not allowed')
      return id
    },
    (value) => value,
  )
}

export const clusterParams = { topic, topics, partitions, broker, brokers, group }
