// Reads for the ISR-shrink runbook: the replication snapshot (brokers, partitions, min ISR, reassignments),
// each out-of-sync replica's own log end beside its leader's, the replication throttles, log directories, and
// a topic's overrides. A hung broker (SIGSTOP, a long GC) accepts connections and never answers: every read
// from one broker is bounded by `budgetMs`, and a broker that did not answer in time is said to be so.

import type { ConfigSource, KafkaError, KafkaOps, ReplicaOffset, TopicPartition, TopicState } from '../kafka/types.ts'
import type { WriteHistory } from '../plans/isr-decision.ts'
import type { BrokerView, ReplicationSnapshot } from '../plans/isr-findings.ts'
import type { TopicMinIsr } from '../plans/min-isr-change.ts'
import type { BrokerLogDirHealth, BrokerThrottles, ReplicaSample, ThrottleRate, TopicThrottles } from '../plans/replica-causes.ts'
import { readTopicSettings } from './topic-settings.ts'
import { entryOf } from '../kafka/types.ts'
import { within } from '../kafka/within.ts'

const throttledReplicaConfigs = ['leader.replication.throttled.replicas', 'follower.replication.throttled.replicas'] as const
const throttleRateConfigs = ['leader.replication.throttled.rate', 'follower.replication.throttled.rate'] as const

export interface SnapshotReadOptions {
  readonly nowMs: number
}

/**
 * The brokers that lead one of these partitions: registered and unfenced, whatever a separate cluster read says.
 * The controller elects only unfenced brokers and moves a broker's leaderships in the records that fence it, so a
 * cluster read that lists a leader fenced (or, before 4.0, not at all) was answered at another moment than the
 * partition read — e.g. before a returning broker was unfenced and took its partitions back.
 */
export function leadingBrokers(partitions: Iterable<{ readonly leader: number | null } | null>): Set<number> {
  const leading = new Set<number>()
  for (const p of partitions) if (p != null && p.leader !== null) leading.add(p.leader)
  return leading
}

/** Brokers (with the controller's last contact), partitions of every topic, min ISR, throttled-replica lists, reassignments. */
export async function readReplicationSnapshot(
  kafka: KafkaOps,
  options: SnapshotReadOptions,
): Promise<{ snapshot: ReplicationSnapshot; topicThrottles: TopicThrottles[] }> {
  const [cluster, capabilities, topics, reassignments] = await Promise.all([
    kafka.cluster(),
    kafka.capabilities(),
    kafka.partitionStates(),
    kafka.listPartitionReassignments(),
  ])
  const known = topics.filter((t) => !t.error)
  const settings = await readTopicSettings(
    kafka,
    known.map((t) => t.topic),
    ['min.insync.replicas', ...throttledReplicaConfigs],
  )
  const minIsr = new Map<string, number>()
  const topicThrottles: TopicThrottles[] = []
  const problems: string[] = []
  for (const described of settings) {
    if (described.error) {
      problems.push(`configs of ${described.topic}: ${described.error.name}`)
      continue
    }
    const min = described.settings['min.insync.replicas']?.value
    if (min != null && /^\d+$/.test(min)) minIsr.set(described.topic, Number(min))
    const overridden = (name: string) => {
      const value = described.overrides[name]
      return value !== undefined && value.trim() !== '' ? value : null
    }
    const leaderReplicas = overridden(throttledReplicaConfigs[0])
    const followerReplicas = overridden(throttledReplicaConfigs[1])
    if (leaderReplicas !== null || followerReplicas !== null) topicThrottles.push({ topic: described.topic, leaderReplicas, followerReplicas })
  }
  const lastContact = new Map((cluster.quorum?.observers ?? []).map((o) => [o.id, o.lastFetchTimestamp]))
  // The cluster and the partitions are two reads, perhaps from different moments (see leadingBrokers).
  const leading = leadingBrokers(known.flatMap((t) => t.partitions))
  const brokers: BrokerView[] = cluster.brokers.map((b) => ({
    id: b.id,
    rack: b.rack,
    state: b.fenced === true && !leading.has(b.id) ? 'fenced' : 'up',
    lastContactMs: lastContact.get(b.id) ?? null,
  }))
  const registered = new Set(brokers.map((b) => b.id))
  const named = new Set(known.flatMap((t) => t.partitions.flatMap((p) => p.replicas)))
  for (const id of [...named].sort((a, b) => a - b)) {
    if (!registered.has(id)) brokers.push({ id, rack: null, state: leading.has(id) ? 'up' : 'unregistered', lastContactMs: lastContact.get(id) ?? null })
  }
  const adding = new Map(reassignments.map((r) => [`${r.topic}/${r.partition}`, r.adding.length]))
  return {
    snapshot: {
      takenAtMs: options.nowMs,
      kafkaLine: capabilities.kafkaLine,
      elr: capabilities.elr,
      brokers: brokers.sort((a, b) => a.id - b.id),
      topics,
      minIsr,
      adding,
      problems,
    },
    topicThrottles,
  }
}

/** A follower replica of a partition and the partition's leader. */
export interface ReplicaPair {
  readonly topic: string
  readonly partition: number
  readonly follower: number
  readonly leader: number
}

function failureOf(error: KafkaError | undefined | 'timeout'): { failure: ReplicaSample['failure']; failureMessage: string | null } {
  if (error === undefined) return { failure: null, failureMessage: null }
  if (error === 'timeout' || error.name === 'REQUEST_TIMED_OUT') return { failure: 'timeout', failureMessage: 'did not answer in time' }
  if (error.name === 'BROKER_NOT_AVAILABLE') return { failure: 'down', failureMessage: error.message }
  return { failure: 'other', failureMessage: `${error.name}: ${error.message}` }
}

/** Log ends asked of each broker separately, so a hung broker costs `budgetMs` and holds up no other. */
async function logEndsByBroker(
  kafka: KafkaOps,
  asks: readonly { topic: string; partition: number; broker: number }[],
  budgetMs: number,
): Promise<Map<string, ReplicaOffset | 'timeout'>> {
  const byBroker = new Map<number, { topic: string; partition: number; broker: number }[]>()
  for (const a of asks) byBroker.set(a.broker, [...(byBroker.get(a.broker) ?? []), a])
  const answers = new Map<string, ReplicaOffset | 'timeout'>()
  await Promise.all(
    [...byBroker].map(async ([broker, items]) => {
      const result = await within(kafka.replicaOffsets(items.map((i) => ({ ...i, spec: 'latest' as const }))), budgetMs)
      for (const [index, item] of items.entries())
        answers.set(`${item.topic}/${item.partition}@${broker}`, result === 'timedOut' ? 'timeout' : result.value[index]!)
    }),
  )
  return answers
}

/**
 * One sample: each follower's own log end (its broker answers), then its leader's and the high watermark. The
 * followers are asked first: a follower's log end only grows, so one read before the high watermark that reaches
 * it was at the high watermark when that was read. Asked together, the follower's answer could be the later one
 * and pass a high watermark that had moved on meanwhile: "rejoining" for a follower still behind.
 */
export async function readReplicaSamples(
  kafka: KafkaOps,
  pairs: readonly ReplicaPair[],
  options: { readonly budgetMs: number; readonly nowMs: () => number },
): Promise<ReplicaSample[]> {
  if (pairs.length === 0) return []
  const partitions = [...new Map(pairs.map((p) => [`${p.topic}/${p.partition}`, p])).values()]
  const followerEnds = await logEndsByBroker(
    kafka,
    pairs.map((p) => ({ topic: p.topic, partition: p.partition, broker: p.follower })),
    options.budgetMs,
  )
  const [leaderEnds, highWatermarks] = await Promise.all([
    logEndsByBroker(
      kafka,
      partitions.map((p) => ({ topic: p.topic, partition: p.partition, broker: p.leader })),
      options.budgetMs,
    ),
    within(kafka.listOffsets(partitions.map((p) => ({ topic: p.topic, partition: p.partition, spec: 'latest' as const }))), options.budgetMs),
  ])
  const atMs = options.nowMs()
  const hw = new Map<string, bigint | null>()
  if (highWatermarks !== 'timedOut') for (const o of highWatermarks.value) hw.set(`${o.topic}/${o.partition}`, o.error ? null : o.offset)
  return pairs.map((p) => {
    const key = `${p.topic}/${p.partition}`
    const follower = followerEnds.get(`${key}@${p.follower}`)
    const leader = leaderEnds.get(`${key}@${p.leader}`)
    const followerError = follower === undefined ? undefined : follower === 'timeout' ? 'timeout' : follower.error
    return {
      topic: p.topic,
      partition: p.partition,
      broker: p.follower,
      followerLeo: follower && follower !== 'timeout' && !follower.error ? follower.offset : null,
      ...failureOf(followerError),
      leaderLeo: leader && leader !== 'timeout' && !leader.error ? leader.offset : null,
      highWatermark: hw.get(key) ?? null,
      atMs,
    }
  })
}

function rateOf(entries: readonly { name: string; value: string | null; source: ConfigSource }[], name: string): ThrottleRate | null {
  const entry = entryOf({ entries }, name)
  if (!entry || entry.value === null || !/^\d+$/.test(entry.value.trim())) return null
  return { bytesPerSecond: Number(entry.value), source: entry.source }
}

/** The replication throttle rates each broker runs with (its own, or the cluster-wide default). */
export async function readBrokerThrottles(kafka: KafkaOps, brokers: readonly number[], budgetMs: number): Promise<BrokerThrottles[]> {
  // A broker's own configs are answered by that broker; the cluster default stands in when it cannot be asked.
  const [fallback] = await kafka.describeConfigs([{ type: 'broker-default' }], { names: [...throttleRateConfigs] })
  const defaults = fallback && !fallback.error ? fallback.entries : []
  return Promise.all(
    brokers.map(async (broker): Promise<BrokerThrottles> => {
      const answer = await within(kafka.describeConfigs([{ type: 'broker', id: broker }], { names: [...throttleRateConfigs] }), budgetMs)
      const described = answer === 'timedOut' ? undefined : answer.value[0]
      if (!described || described.error) {
        const unreadable = answer === 'timedOut' ? 'did not answer in time' : (described?.error?.message ?? 'no answer')
        return { broker, leaderRate: rateOf(defaults, throttleRateConfigs[0]), followerRate: rateOf(defaults, throttleRateConfigs[1]), unreadable }
      }
      return {
        broker,
        leaderRate: rateOf(described.entries, throttleRateConfigs[0]),
        followerRate: rateOf(described.entries, throttleRateConfigs[1]),
        unreadable: null,
      }
    }),
  )
}

/** Offline log directories of the given brokers (a directory DescribeLogDirs reports with an error). */
export async function readLogDirHealth(kafka: KafkaOps, brokers: readonly number[], budgetMs: number): Promise<BrokerLogDirHealth[]> {
  if (brokers.length === 0) return []
  return Promise.all(
    brokers.map(async (broker): Promise<BrokerLogDirHealth> => {
      const answer = await within(kafka.describeLogDirs([broker]), budgetMs)
      if (answer === 'timedOut') return { broker, offlineDirs: [], unreadable: 'did not answer in time' }
      const found = answer.value[0]
      if (!found || found.error) return { broker, offlineDirs: [], unreadable: found?.error?.message ?? 'no answer' }
      return { broker, offlineDirs: found.dirs.filter((d) => d.error).map((d) => ({ path: d.path, error: d.error!.name })), unreadable: null }
    }),
  )
}

/** Each topic's min.insync.replicas (value and source) and every override it has, as a min ISR change plans on them. */
export async function readMinIsr(kafka: KafkaOps, topics: readonly string[]): Promise<TopicMinIsr[]> {
  return (await readTopicSettings(kafka, topics)).map((t) => {
    const entry = t.settings['min.insync.replicas']
    return { topic: t.topic, exists: t.exists, value: entry?.value ?? null, source: entry?.source ?? null, overrides: t.overrides }
  })
}

/** Each topic's own overrides (the throttled-replica lists among them), by topic. */
export async function readTopicOverrides(kafka: KafkaOps, topics: readonly string[]): Promise<Map<string, Readonly<Record<string, string>>>> {
  return new Map((await readTopicSettings(kafka, topics)).map((t) => [t.topic, t.overrides]))
}

/**
 * How fast the given partitions took records before they stopped: records over the minute before each one's
 * newest committed record (or since its first, when younger), summed; and that newest record's time. The
 * newest record is read at the high watermark: under min ISR a ListOffsets max-timestamp lookup answers
 * nothing (the newest record sits above the frozen high watermark — measured on 4.3.1).
 */
export async function readWriteHistory(kafka: KafkaOps, partitions: readonly TopicPartition[]): Promise<WriteHistory> {
  const none = { recordsPerSecond: null, lastAcceptedMs: null }
  if (partitions.length === 0) return none
  const ends = (await kafka.listOffsets(partitions.map((p) => ({ topic: p.topic, partition: p.partition, spec: 'latest' as const })))).filter(
    (o) => !o.error && o.offset !== null && o.offset > 0n,
  )
  if (ends.length === 0) return none
  const newest = (await kafka.recordTimestamps(ends.map((o) => ({ topic: o.topic, partition: o.partition, offset: o.offset! - 1n })))).filter(
    (r) => !r.error && r.offset !== null && r.timestamp !== null,
  )
  if (newest.length === 0) return none
  const before = await kafka.listOffsets(newest.map((r) => ({ topic: r.topic, partition: r.partition, spec: { timestamp: r.timestamp! - 60_000 } })))
  let rate = 0
  newest.forEach((r, i) => {
    const from = before[i]
    if (!from || from.error || from.offset === null || from.timestamp === null || r.offset! <= from.offset) return
    rate += (Number(r.offset! - from.offset) * 1000) / Math.max(1000, r.timestamp! - from.timestamp)
  })
  return { recordsPerSecond: rate, lastAcceptedMs: Math.max(...newest.map((r) => r.timestamp!)) }
}

/** The partitions of these topics as the controller has them now: leader, replicas, ISR and ELR. */
export async function readTopicStates(kafka: KafkaOps, topics: readonly string[]): Promise<TopicState[]> {
  return topics.length ? kafka.partitionStates(topics) : []
}

/** Each partition's size on its leader (from the leaders' log directories), by "topic/partition"; absent when unknown. */
export async function readLeaderReplicaSizes(
  kafka: KafkaOps,
  partitions: readonly (TopicPartition & { readonly leader: number | null })[],
): Promise<Map<string, bigint>> {
  const leaders = [...new Set(partitions.map((p) => p.leader).filter((id): id is number => id !== null))]
  const sizes = new Map<string, bigint>()
  for (const answer of leaders.length ? await kafka.describeLogDirs(leaders) : []) {
    for (const dir of answer.dirs)
      for (const r of dir.replicas)
        if (!r.future && partitions.some((p) => p.topic === r.topic && p.partition === r.partition && p.leader === answer.broker))
          sizes.set(`${r.topic}/${r.partition}`, r.sizeBytes)
  }
  return sizes
}
