// Parameters that name things in the cluster — topics, partitions, brokers, consumer groups. Each parses its
// text, offers the cluster's own list on a terminal, and checks a value against the cluster: the engine runs the
// check on every given value before any cell runs, so a mistyped name is refused whatever state the cluster is in.

import { agree, counted } from '../format/counts.ts'
import { describeLogDirFault } from '../kafka/log-dir/types.ts'
import type { KafkaOps, TopicPartition } from '../kafka/types.ts'
import { type CheckPorts, type Choice, type Common, listItems, ParamError, type ParamSpec, paramSpec } from './param-spec.ts'

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

/** One partition of the cluster as topic:partition (orders:3), checked like `partitions`. */
function partition(options: Common<TopicPartition>): ParamSpec<TopicPartition> {
  const many = partitions({ help: options.help })
  return paramSpec(
    'partition',
    { check: (value, kafka, ports) => many.check!([value], kafka, ports), ...options },
    (text) => parseTopicPartition(text.trim()),
    (value) => `${value.topic}:${value.partition}`,
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

/** One broker's log directory (a `log.dirs` entry), as given for a broker that is down. */
export interface BrokerLogDir {
  readonly broker: number
  readonly path: string
}

/** "1=/mnt/b1/kafka-logs,2=/mnt/b2/kafka-logs" → one folder per broker (a broker named twice is refused). */
export function parseBrokerLogDirs(text: string): BrokerLogDir[] {
  const dirs = listItems(text).map((item): BrokerLogDir => {
    const eq = item.indexOf('=')
    if (eq <= 0 || item.slice(eq + 1).trim() === '') throw new ParamError(`"${item}" is not broker=path (e.g. 1=/mnt/broker-1/kafka-logs)`)
    return { broker: brokerId(item.slice(0, eq)), path: item.slice(eq + 1).trim() }
  })
  const twice = dirs.find((d, i) => dirs.findIndex((o) => o.broker === d.broker) !== i)
  if (twice) throw new ParamError(`broker ${twice.broker} is given twice — give one log directory per broker`)
  return dirs
}

/**
 * Whether each folder can be read as its broker's: the broker is known, meta.properties names it and this cluster,
 * and no broker runs on the folder (its lock, its listener). Opens and closes nothing but the files it reads.
 */
async function checkBrokerLogDirs(dirs: readonly BrokerLogDir[], kafka: KafkaOps, ports: CheckPorts): Promise<string | null> {
  const unknown = await unknownBrokers(
    kafka,
    dirs.map((d) => d.broker),
  )
  if (unknown) return unknown
  const cluster = await kafka.cluster()
  for (const dir of dirs) {
    const listed = cluster.brokers.find((b) => b.id === dir.broker)
    const opened = await ports.openLogDir(dir.path, {
      brokerId: dir.broker,
      clusterId: cluster.clusterId,
      ...(listed ? { endpoint: { host: listed.host, port: listed.port } } : {}),
    })
    if (!opened.ok) return `log directory of broker ${dir.broker}: ${describeLogDirFault(opened.fault)}`
  }
  return null
}

/** Log directories of brokers that are down, as broker=path pairs: checked for owner and that the broker is stopped. */
function logDirs(options: Common<readonly BrokerLogDir[]>): ParamSpec<readonly BrokerLogDir[]> {
  return paramSpec('log-dirs', { check: checkBrokerLogDirs, ...options }, parseBrokerLogDirs, (value) => value.map((d) => `${d.broker}=${d.path}`).join(','))
}

export const clusterParams = { topic, topics, partition, partitions, broker, brokers, group, logDirs }
