// Reads what the unclean-election runbook reasons about, while partitions have no leader: every leaderless
// partition with its replicas, ISR, ELR and configs, each live replica's own log end (asked of its broker), and
// every consumer group's committed offsets on those partitions. Nothing here needs a partition leader.

import type { ConfigEntry, KafkaOps, ListedOffset, PartitionState, TopicPartition } from '../kafka/types.ts'
import type { CommittedPosition, LeaderlessPartition, LeaderlessSnapshot, ReplicaLog, RequestedPartition, ResolvedSetting } from '../plans/leaderless.ts'
import { describeUnlisted } from '../kafka/group-coordination.ts'
import { leadingBrokers } from './replication.ts'

export interface ReadOptions {
  readonly takenAtMs: number
  /** Narrows the snapshot (and its replica and group reads) to these partitions; they are also looked up. */
  readonly only?: readonly TopicPartition[]
  /** Partitions the operator named: the snapshot says for each whether it is leaderless, led or unknown. */
  readonly lookup?: readonly TopicPartition[]
}

const settingNames = ['min.insync.replicas', 'unclean.leader.election.enable', 'cleanup.policy'] as const

const key = (tp: TopicPartition) => `${tp.topic}\u0000${tp.partition}`

export async function readLeaderlessSnapshot(kafka: KafkaOps, options: ReadOptions): Promise<LeaderlessSnapshot> {
  const [capabilities, cluster, topics] = await Promise.all([kafka.capabilities(), kafka.cluster(), kafka.partitionStates()])
  const problems: string[] = []
  const liveBrokers = cluster.brokers.filter((b) => b.fenced !== true).map((b) => b.id)
  const wanted = options.only ? new Set(options.only.map(key)) : null
  const leaderless: { state: PartitionState; internal: boolean }[] = []
  const byTopic = new Map<string, readonly PartitionState[]>()
  let partitionCount = 0
  for (const topic of topics) {
    if (topic.error) {
      problems.push(`topic ${topic.topic}: ${topic.error.name}`)
      continue
    }
    byTopic.set(topic.topic, topic.partitions)
    partitionCount += topic.partitions.length
    for (const p of topic.partitions) {
      if (p.leader === null && (wanted === null || wanted.has(key(p)))) leaderless.push({ state: p, internal: topic.internal })
    }
  }
  const requested = (options.lookup ?? options.only ?? []).map((tp): RequestedPartition => {
    const partitions = byTopic.get(tp.topic)
    if (!partitions) return { ...tp, state: 'unknown-topic' }
    const found = partitions.find((p) => p.partition === tp.partition)
    if (!found) return { ...tp, state: 'unknown-partition', partitionCount: partitions.length }
    return found.leader === null ? { ...tp, state: 'leaderless' } : { ...tp, state: 'led', leader: found.leader }
  })
  const live = new Set(liveBrokers)
  const topicNames = [...new Set(leaderless.map((l) => l.state.topic))]
  const [settings, logs, committed] = await Promise.all([
    readSettings(kafka, topicNames, problems),
    readReplicaLogs(
      kafka,
      leaderless.map((l) => l.state),
      live,
    ),
    readCommitted(kafka, topicNames, new Set(leaderless.map((l) => key(l.state))), problems),
  ])
  const partitions = leaderless.map(({ state, internal }): LeaderlessPartition => {
    const topicSettings = settings.get(state.topic)
    const policy = topicSettings?.get('cleanup.policy')?.value ?? 'delete'
    const minIsr = topicSettings?.get('min.insync.replicas')?.value
    return {
      topic: state.topic,
      partition: state.partition,
      internal,
      leaderEpoch: state.leaderEpoch,
      replicas: state.replicas,
      isr: state.isr,
      elr: state.elr,
      lastKnownElr: state.lastKnownElr,
      minIsr: minIsr === undefined || minIsr === null ? null : Number(minIsr),
      unclean: topicSettings?.get('unclean.leader.election.enable') ?? { value: null, source: null },
      compacted: policy.split(',').some((p) => p.trim() === 'compact'),
      replicaLogs: state.replicas.filter((id) => live.has(id)).map((broker) => logs.get(`${key(state)}\u0000${broker}`)!),
      committed: committed.get(key(state)) ?? [],
    }
  })
  return {
    takenAtMs: options.takenAtMs,
    kafkaLine: capabilities.kafkaLine,
    metadataVersion: capabilities.metadataVersion,
    elr: capabilities.elr,
    liveBrokers: [...liveBrokers].sort((a, b) => a - b),
    partitionCount,
    partitions: partitions.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition),
    requested,
    problems,
  }
}

async function readSettings(kafka: KafkaOps, topics: readonly string[], problems: string[]): Promise<Map<string, Map<string, ResolvedSetting>>> {
  const result = new Map<string, Map<string, ResolvedSetting>>()
  if (topics.length === 0) return result
  const described = await kafka.describeConfigs(
    topics.map((name) => ({ type: 'topic' as const, name })),
    { names: settingNames },
  )
  for (const config of described) {
    if (config.resource.type !== 'topic') continue
    if (config.error) {
      problems.push(`configs of ${config.resource.name}: ${config.error.name}`)
      continue
    }
    const byName = new Map<string, ResolvedSetting>()
    for (const entry of config.entries) byName.set(entry.name, resolved(entry))
    result.set(config.resource.name, byName)
  }
  return result
}

const resolved = (entry: ConfigEntry): ResolvedSetting => ({ value: entry.value, source: entry.source })

/** Every live replica's log end and newest record, asked of its own broker. */
async function readReplicaLogs(kafka: KafkaOps, partitions: readonly PartitionState[], live: ReadonlySet<number>): Promise<Map<string, ReplicaLog>> {
  const targets = partitions.flatMap((p) => p.replicas.filter((id) => live.has(id)).map((broker) => ({ topic: p.topic, partition: p.partition, broker })))
  const logs = new Map<string, ReplicaLog>()
  if (targets.length === 0) return logs
  const answers = await kafka.replicaOffsets(
    targets.flatMap((t) => [
      { ...t, spec: 'latest' as const },
      { ...t, spec: 'max-timestamp' as const },
    ]),
  )
  targets.forEach((t, i) => {
    const latest = answers[2 * i]!
    const newest = answers[2 * i + 1]!
    logs.set(`${key(t)}\u0000${t.broker}`, {
      broker: t.broker,
      logEndOffset: latest.error ? null : latest.offset,
      newestRecordMs: newest.error ? null : newest.timestamp,
      error: latest.error ? `${latest.error.name}${latest.error.message ? `: ${latest.error.message}` : ''}` : null,
    })
  })
  return logs
}

/** Committed offsets of every group on the leaderless partitions (classic and consumer-protocol groups). */
async function readCommitted(
  kafka: KafkaOps,
  topics: readonly string[],
  partitions: ReadonlySet<string>,
  problems: string[],
): Promise<Map<string, CommittedPosition[]>> {
  const result = new Map<string, CommittedPosition[]>()
  if (topics.length === 0) return result
  const listing = await kafka.listGroups()
  if (listing.unlisted.length) problems.push(describeUnlisted(listing.unlisted))
  const groups = listing.groups.filter((g) => g.type === 'classic' || g.type === 'consumer' || g.type === 'unknown')
  // Every group at once: one request per coordinator.
  const answers = await kafka.groupsCommittedOffsets(
    groups.map((g) => g.groupId),
    topics,
  )
  for (const answer of answers) {
    if (answer.error) {
      problems.push(`committed offsets of group ${answer.groupId}: ${answer.error.name}`)
      continue
    }
    for (const c of answer.offsets) {
      if (c.error || !partitions.has(key(c))) continue
      const list = result.get(key(c)) ?? []
      list.push({ groupId: answer.groupId, offset: c.offset })
      result.set(key(c), list)
    }
  }
  for (const list of result.values()) list.sort((a, b) => (a.offset === b.offset ? a.groupId.localeCompare(b.groupId) : a.offset > b.offset ? -1 : 1))
  return result
}

/** The current leader, epoch, replica order and ISR/ELR of some partitions (for re-checks and verification). */
export async function readPartitionStates(kafka: KafkaOps, partitions: readonly TopicPartition[]): Promise<Map<string, PartitionState | null>> {
  const topics = [...new Set(partitions.map((p) => p.topic))]
  const states = await kafka.partitionStates(topics)
  const found = new Map<string, PartitionState | null>()
  for (const tp of partitions) {
    const state = states.find((s) => s.topic === tp.topic)?.partitions.find((p) => p.partition === tp.partition) ?? null
    found.set(key(tp), state)
  }
  return found
}

export const partitionKey = key

/** The high watermark (what consumers can read up to) of each partition, in order; an unanswered one carries its error. */
export async function readHighWatermarks(kafka: KafkaOps, partitions: readonly TopicPartition[]): Promise<ListedOffset[]> {
  return partitions.length ? kafka.listOffsets(partitions.map((p) => ({ topic: p.topic, partition: p.partition, spec: 'latest' as const }))) : []
}

/** How a recovered partition is doing: its leader and ISR, the high watermark, and the leader's own log end. */
export interface PartitionProgress extends TopicPartition {
  readonly leader: number | null
  readonly isr: readonly number[]
  readonly highWatermark: bigint | null
  readonly leaderLogEnd: bigint | null
}

/** The progress of each partition, in order (the leader's log end is asked of the leader itself). */
export async function readPartitionProgress(kafka: KafkaOps, partitions: readonly TopicPartition[]): Promise<PartitionProgress[]> {
  const states = await readPartitionStates(kafka, partitions)
  const hw = await readHighWatermarks(kafka, partitions)
  const leaders = partitions.map((p) => states.get(key(p))?.leader ?? null)
  const ends = await kafka.replicaOffsets(
    partitions.flatMap((p, i) => (leaders[i] === null ? [] : [{ topic: p.topic, partition: p.partition, broker: leaders[i]!, spec: 'latest' as const }])),
  )
  return partitions.map((p, i) => ({
    topic: p.topic,
    partition: p.partition,
    leader: leaders[i]!,
    isr: states.get(key(p))?.isr ?? [],
    highWatermark: hw[i]?.offset ?? null,
    leaderLogEnd: ends.find((e) => e.topic === p.topic && e.partition === p.partition)?.offset ?? null,
  }))
}

/** Live brokers that hold a replica of some leaderless partition, with how many such partitions each holds. */
export async function readLeaderlessReplicaCounts(kafka: KafkaOps): Promise<{ readonly broker: number; readonly partitions: number }[]> {
  const [cluster, topics] = await Promise.all([kafka.cluster(), kafka.partitionStates()])
  const live = new Set(cluster.brokers.filter((b) => b.fenced !== true).map((b) => b.id))
  const counts = new Map<number, number>()
  for (const topic of topics)
    for (const p of topic.partitions) if (p.leader === null) for (const id of p.replicas) if (live.has(id)) counts.set(id, (counts.get(id) ?? 0) + 1)
  return [...counts].sort((a, b) => a[0] - b[0]).map(([broker, partitions]) => ({ broker, partitions }))
}

/** One look at a restart in progress: the restarted brokers registered and unfenced, the partitions led, the ISR refilled. */
export interface RestartProgress {
  /** Every restarted broker is registered and not fenced (fenced unknown counts as registered: 3.x cannot say). */
  readonly registered: boolean
  /** Restarted brokers the cluster lists as registered and unfenced, or that lead one of the partitions. */
  readonly up: readonly number[]
  readonly led: number
  /** Partitions whose ISR holds every restarted broker that is one of their replicas. */
  readonly inIsr: number
  readonly of: number
  readonly states: ReadonlyMap<string, PartitionState | null>
}

export async function readRestartProgress(kafka: KafkaOps, restarted: readonly number[], partitions: readonly TopicPartition[]): Promise<RestartProgress> {
  const cluster = await kafka.cluster()
  const states = await readPartitionStates(kafka, partitions)
  const all = [...states.values()]
  // Two reads, one after the other: the cluster read can predate the unfencing the partition read already shows
  // (CI on 4.3.1: broker 1 fenced in one, leading in the other, in the same poll).
  const leading = leadingBrokers(all)
  const up = restarted.filter((id) => leading.has(id) || cluster.brokers.some((b) => b.id === id && b.fenced !== true))
  return {
    registered: up.length === restarted.length,
    up,
    led: all.filter((s) => s?.leader != null).length,
    inIsr: all.filter((s) => s !== null && s.leader != null && restarted.filter((id) => s.replicas.includes(id)).every((id) => s.isr.includes(id))).length,
    of: partitions.length,
    states,
  }
}
