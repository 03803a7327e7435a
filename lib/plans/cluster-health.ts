// What `runbook status` concludes from one snapshot of the cluster: broker states, the partitions that
// matter under exactly kafka-topics' definitions, consumer lag, risky settings, and which runbook fits.
// Pure: the snapshot comes in, the report goes out.

import type { Capabilities, ClusterView, GroupType, OngoingReassignment, TopicState } from '../kafka/types.ts'
import { agree, counted, formatCount } from '../format/counts.ts'
import { type DurabilitySnapshot, type DurabilitySummary, planDurabilitySummary } from './durability-audit.ts'
import { compareNames, inPartitionOrder, inTopicOrder } from './topic-order.ts'
import { addingReplicas } from './adding-replicas.ts'
import { describeGroupSignals, type GroupPartitionSignal, type GroupSignals, planGroupSignals, type TopicRetentionSignal } from './group-signals.ts'

/** One consumer group as read for status: its committed offsets beside each partition's log end. */
export interface GroupSnapshot {
  readonly groupId: string
  readonly type: GroupType
  readonly state: string
  readonly members: number
  readonly partitions: readonly GroupPartitionSignal[]
}

/** Everything status reads from the cluster, in one place, before it concludes anything. */
export interface HealthSnapshot {
  readonly cluster: ClusterView
  readonly capabilities: Pick<Capabilities, 'kafkaLine' | 'metadataVersion' | 'elr'>
  readonly topics: readonly TopicState[]
  /** Each topic's effective min.insync.replicas (the value its describeConfigs shows). */
  readonly minIsr: ReadonlyMap<string, number>
  /** Each topic's cleanup.policy and retention.ms, as its describeConfigs shows them. */
  readonly retention: ReadonlyMap<string, TopicRetentionSignal>
  readonly reassignments: readonly OngoingReassignment[]
  /** What the durability audit reads (topic settings with their sources, cluster defaults, racks). */
  readonly durability: DurabilitySnapshot
  readonly groups: readonly GroupSnapshot[]
  /** What could not be read, one line each. */
  readonly problems: readonly string[]
  /** When the snapshot was taken (ms since the epoch): the "now" record ages are measured against. */
  readonly takenAtMs: number
}

export type PartitionCondition = 'unavailable' | 'under-min-isr' | 'at-min-isr' | 'under-replicated'

export interface FlaggedPartition {
  readonly topic: string
  readonly partition: number
  readonly leader: number | null
  readonly replicas: readonly number[]
  readonly isr: readonly number[]
  readonly elr: readonly number[] | null
  readonly lastKnownElr: readonly number[] | null
  readonly offline: readonly number[]
  readonly minIsr: number | null
  readonly conditions: readonly PartitionCondition[]
}

export type BrokerState = 'up' | 'fenced' | 'unregistered'

export interface BrokerHealth {
  readonly id: number
  readonly host: string | null
  readonly port: number | null
  readonly rack: string | null
  /** unregistered: named in replica lists but unknown to the cluster (a dead broker before Kafka 4.0). */
  readonly state: BrokerState
  readonly leaderOf: number
  readonly replicaOf: number
}

export interface GroupHealth {
  readonly groupId: string
  readonly type: GroupType
  readonly state: string
  readonly members: number
  /** Sum over partitions whose log end is known; can be negative after an unclean election truncated the log. */
  readonly lag: bigint
  readonly partitions: number
  /** Partitions whose log end could not be read (no leader): their lag is not in the sum. */
  readonly unknownLagPartitions: number
}

export type { DurabilitySummary } from './durability-audit.ts'

export type RunbookId = 'unclean-election' | 'isr-shrink' | 'consumer-oom-replay' | 'durability-audit' | 'poison-pill' | 'stuck-transactions' | 'lag-retention'

export interface Suggestion {
  readonly runbook: RunbookId
  readonly reason: string
}

export interface HealthReport {
  readonly cluster: {
    readonly id: string | null
    readonly kafkaLine: string | null
    readonly metadataVersion: string | null
    readonly elr: 'on' | 'off' | 'unsupported'
    readonly controller: { readonly id: number | null; readonly source: 'describe-quorum' | 'metadata' }
  }
  readonly brokers: readonly BrokerHealth[]
  readonly partitions: {
    readonly topics: number
    readonly total: number
    readonly unavailable: readonly FlaggedPartition[]
    readonly underMinIsr: readonly FlaggedPartition[]
    readonly atMinIsr: readonly FlaggedPartition[]
    readonly underReplicated: readonly FlaggedPartition[]
    /** Partitions with no leader at all (a subset of unavailable): what an unclean election is about. */
    readonly leaderless: number
  }
  readonly groups: readonly GroupHealth[]
  /** Signs of a group stuck on one record, a transaction holding the last stable offset, unread records retention takes. */
  readonly groupSignals: GroupSignals
  readonly durability: DurabilitySummary
  readonly suggestions: readonly Suggestion[]
  readonly problems: readonly string[]
}

/**
 * Every combination of the four conditions as one shared, frozen list, indexed by a bit per condition in report
 * order: a large cluster flags tens of thousands of partitions, and most share one of a few combinations.
 */
const conditionLists: readonly (readonly PartitionCondition[])[] = Array.from({ length: 16 }, (_, bits) =>
  Object.freeze((['unavailable', 'under-min-isr', 'at-min-isr', 'under-replicated'] as const).filter((_, i) => bits & (1 << i))),
)

/** kafka-topics' four report conditions (TopicCommand.PartitionDescription, 3.9 and 4.x). */
export function partitionConditions(
  partition: { readonly leader: number | null; readonly replicas: readonly number[]; readonly isr: readonly number[] },
  minIsr: number | null,
  addingReplicas: number,
): readonly PartitionCondition[] {
  return conditionLists[conditionBits(partition, minIsr, addingReplicas)]!
}

/** The bits of conditionLists for kafka-topics' four conditions: planClusterHealth files a partition by them. */
const unavailableBit = 1
const underMinIsrBit = 2
const atMinIsrBit = 4
const underReplicatedBit = 8

function conditionBits(
  partition: { readonly leader: number | null; readonly replicas: readonly number[]; readonly isr: readonly number[] },
  minIsr: number | null,
  addingReplicas: number,
): number {
  const hasLeader = partition.leader !== null
  const inSync = partition.isr.length
  // --unavailable-partitions: no leader. kafka-topics also counts a leader missing from DescribeCluster's live
  // brokers, but on KRaft no one metadata image has a fenced leader: the controller elects only unfenced brokers,
  // moves a broker's leaderships in the same records that fence it, and unfences a returning broker before electing
  // it. So that disagreement only says the cluster read and the partition read were answered at different moments
  // (a returning broker can lead leaderless partitions while an older cluster read still lists it fenced).
  const unavailable = !hasLeader
  // --under-min-isr-partitions: no leader, or fewer in-sync replicas than min.insync.replicas.
  const underMinIsr = !hasLeader || (minIsr !== null && inSync < minIsr)
  // --at-min-isr-partitions: exactly min.insync.replicas in sync (a leaderless partition counts too).
  const atMinIsr = minIsr !== null && inSync === minIsr
  // --under-replicated-partitions: replication factor (replicas being added do not count) above the ISR size.
  const underReplicated = partition.replicas.length - addingReplicas - inSync > 0
  return (unavailable ? unavailableBit : 0) | (underMinIsr ? underMinIsrBit : 0) | (atMinIsr ? atMinIsrBit : 0) | (underReplicated ? underReplicatedBit : 0)
}

/**
 * Counts by broker id: an array where ids are small (every replica of a large cluster counts), a Map beyond. The
 * array is public so that the partition loop counts inline: on a cold start that loop runs in the interpreter,
 * where a method call per replica (30,000 at 10,000 partitions) is most of its cost.
 */
class CountById {
  readonly small: number[] = []
  private readonly large = new Map<number, number>()
  /** Counts an id the array does not hold yet (or never will). */
  add(id: number): void {
    if (id >= 0 && id < 65_536 && Number.isInteger(id)) {
      while (this.small.length <= id) this.small.push(0)
      this.small[id]!++
    } else this.large.set(id, (this.large.get(id) ?? 0) + 1)
  }
  get(id: number): number {
    return (id >= 0 && id < this.small.length && Number.isInteger(id) ? this.small[id] : this.large.get(id)) ?? 0
  }
  /** Every id counted at least once, in no particular order. */
  ids(): number[] {
    const ids: number[] = []
    for (let id = 0; id < this.small.length; id++) if (this.small[id]! > 0) ids.push(id)
    return [...ids, ...this.large.keys()]
  }
}

/** Leaders and replicas per broker id, counted while the partitions are read for their conditions. */
class ReplicaCounts {
  readonly leaders = new CountById()
  readonly replicas = new CountById()
  /** Counts one partition (the inline form of this is in planClusterHealth's loop). */
  add(p: { readonly leader: number | null; readonly replicas: readonly number[] }): void {
    if (p.leader !== null) this.leaders.add(p.leader)
    for (const id of p.replicas) this.replicas.add(id)
  }
}

function planBrokers(snapshot: HealthSnapshot, counts: ReplicaCounts): BrokerHealth[] {
  const { leaders, replicas } = counts
  const brokers: BrokerHealth[] = snapshot.cluster.brokers.map((b) => ({
    id: b.id,
    host: b.host,
    port: b.port,
    rack: b.rack,
    state: b.fenced === true ? 'fenced' : 'up',
    leaderOf: leaders.get(b.id),
    replicaOf: replicas.get(b.id),
  }))
  const known = new Set(brokers.map((b) => b.id))
  for (const id of replicas.ids()) {
    if (!known.has(id)) brokers.push({ id, host: null, port: null, rack: null, state: 'unregistered', leaderOf: leaders.get(id), replicaOf: replicas.get(id) })
  }
  return brokers.sort((a, b) => a.id - b.id)
}

function planGroups(snapshot: HealthSnapshot): GroupHealth[] {
  return snapshot.groups
    .map((g) => {
      let lag = 0n
      let unknown = 0
      for (const p of g.partitions) {
        if (p.logEnd === null) unknown++
        else lag += p.logEnd - p.committed
      }
      return { groupId: g.groupId, type: g.type, state: g.state, members: g.members, lag, partitions: g.partitions.length, unknownLagPartitions: unknown }
    })
    .sort((a, b) => (b.lag > a.lag ? 1 : b.lag < a.lag ? -1 : compareNames(a.groupId, b.groupId)))
}

function planSuggestions(report: Omit<HealthReport, 'suggestions'>): Suggestion[] {
  const suggestions: Suggestion[] = []
  const { partitions, groups, durability, groupSignals } = report
  if (partitions.leaderless > 0) {
    suggestions.push({
      runbook: 'unclean-election',
      reason: `${counted(partitions.leaderless, 'partition')} ${agree(partitions.leaderless, 'has', 'have')} no leader`,
    })
  }
  // At min ISR alone is not a shrink (RF 1 with min ISR 1 is always "at min"): that is a settings question.
  // Counted once when flagged both ways: an under-replicated partition that is also under min ISR is counted there.
  let underMin = 0
  for (const p of partitions.underMinIsr) if (p.leader !== null) underMin++
  let shrunk = underMin
  for (const p of partitions.underReplicated) if (p.leader !== null && !p.conditions.includes('under-min-isr')) shrunk++
  if (shrunk > 0) {
    suggestions.push({
      runbook: 'isr-shrink',
      reason:
        underMin > 0 ? `${counted(underMin, 'partition')} under min ISR (acks=all writes fail there)` : `${counted(shrunk, 'partition')} with a shrunk ISR`,
    })
  }
  // Both kinds of group go to the same runbook: one line for them.
  const stalled = groups.filter((g) => g.members === 0 && g.lag > 0n)
  const rewound = groups.filter((g) => g.lag < 0n)
  const stalledReason = `${counted(stalled.length, 'consumer group')} with no members, ${formatCount(stalled.reduce((sum, g) => sum + g.lag, 0n))} messages of lag`
  const rewoundReason = `${counted(rewound.length, 'consumer group')} with negative lag (committed past the log end)`
  if (stalled.length > 0 || rewound.length > 0)
    suggestions.push({
      runbook: 'consumer-oom-replay',
      reason: stalled.length && rewound.length ? `${stalledReason}; ${rewoundReason}` : stalled.length ? stalledReason : rewoundReason,
    })
  suggestions.push(...describeGroupSignals(groupSignals))
  const serious = durability.counts.high + durability.counts.medium
  if (serious > 0) {
    const topics = new Set(durability.worst.flatMap((f) => f.topics)).size
    suggestions.push({
      runbook: 'durability-audit',
      reason: `${counted(serious, 'finding')} (${durability.counts.high} high) ${topics ? `on ${counted(topics, 'topic')} ` : ''}that can lose or block acknowledged writes`,
    })
  }
  return suggestions
}

/** The status report for a snapshot. */
export function planClusterHealth(snapshot: HealthSnapshot): HealthReport {
  const adding = addingReplicas(snapshot.reassignments)
  const unavailable: FlaggedPartition[] = []
  const underMinIsr: FlaggedPartition[] = []
  const atMinIsr: FlaggedPartition[] = []
  const underReplicated: FlaggedPartition[] = []
  let total = 0
  let leaderless = 0
  // The list itself when every topic was read: the durability summary checks the same list's order, once.
  const topics = inTopicOrder(snapshot.topics.some((t) => t.error) ? snapshot.topics.filter((t) => !t.error) : snapshot.topics)
  // The brokers' leader and replica counts, in the same pass: a topic that could not be read still counts
  // whatever partitions it came with, as it always has.
  const counts = new ReplicaCounts()
  for (const topic of snapshot.topics) if (topic.error) for (const p of topic.partitions) counts.add(p)
  const leaders = counts.leaders.small
  const replicas = counts.replicas.small
  for (const topic of topics) {
    const minIsr = snapshot.minIsr.get(topic.topic) ?? null
    const topicAdding = adding.get(topic.topic)
    // Indexed, not for…of: cold, this loop runs in the interpreter, where an iterator step per partition costs.
    const partitions = inPartitionOrder(topic.partitions)
    for (let k = 0; k < partitions.length; k++) {
      const p = partitions[k]!
      total++
      const leader = p.leader
      if (leader === null) leaderless++
      // ReplicaCounts.add, inline: an id the array already holds is counted in place.
      else if (leader >= 0 && leader < leaders.length && Number.isInteger(leader)) leaders[leader]!++
      else counts.leaders.add(leader)
      const ids = p.replicas
      for (let i = 0; i < ids.length; i++) {
        const id = ids[i]!
        if (id >= 0 && id < replicas.length && Number.isInteger(id)) replicas[id]!++
        else counts.replicas.add(id)
      }
      const bits = conditionBits(p, minIsr, topicAdding === undefined ? 0 : (topicAdding.get(p.partition) ?? 0))
      if (bits === 0) continue
      const flagged: FlaggedPartition = {
        topic: p.topic,
        partition: p.partition,
        leader: p.leader,
        replicas: p.replicas,
        isr: p.isr,
        elr: p.elr,
        lastKnownElr: p.lastKnownElr,
        offline: p.offline,
        minIsr,
        conditions: conditionLists[bits]!,
      }
      // Filed by bit, in report order (conditionLists' order): no iterator and no keyed lookup per partition.
      if (bits & unavailableBit) unavailable.push(flagged)
      if (bits & underMinIsrBit) underMinIsr.push(flagged)
      if (bits & atMinIsrBit) atMinIsr.push(flagged)
      if (bits & underReplicatedBit) underReplicated.push(flagged)
    }
  }
  const base = {
    cluster: {
      id: snapshot.cluster.clusterId,
      kafkaLine: snapshot.capabilities.kafkaLine,
      metadataVersion: snapshot.capabilities.metadataVersion,
      elr: snapshot.capabilities.elr,
      controller: snapshot.cluster.controller,
    },
    brokers: planBrokers(snapshot, counts),
    partitions: { topics: topics.length, total, unavailable, underMinIsr, atMinIsr, underReplicated, leaderless },
    groups: planGroups(snapshot),
    groupSignals: planGroupSignals(snapshot.groups, snapshot.retention, snapshot.takenAtMs),
    durability: planDurabilitySummary(snapshot.durability),
    problems: [...snapshot.problems, ...snapshot.topics.filter((t) => t.error).map((t) => `topic ${t.topic}: ${t.error!.name}`)],
  }
  return { ...base, suggestions: planSuggestions(base) }
}
