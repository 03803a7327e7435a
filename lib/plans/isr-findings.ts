// The "find" of the ISR-shrink runbook: the partitions kafka-topics flags (under min ISR, at min ISR,
// under-replicated, unavailable — the very same conditions `runbook status` uses), what acks=all writes do on
// each right now, grouped by the replicas that left the ISR. Pure: a snapshot in, findings out.

import type { PartitionState, TopicState } from '../kafka/types.ts'
import { type PartitionCondition, partitionConditions } from './cluster-health.ts'
import { inPartitionOrder, inTopicOrder } from './topic-order.ts'

export type BrokerState = 'up' | 'fenced' | 'unregistered'

/** A broker as the cluster reports it, with the controller's last contact with it. */
export interface BrokerView {
  readonly id: number
  readonly rack: string | null
  /** unregistered: named in replica lists but not listed by the cluster (before Kafka 4.0 that includes fenced brokers). */
  readonly state: BrokerState
  /** When the KRaft controller last had a metadata fetch from it (DescribeQuorum observers), ms since the epoch. */
  readonly lastContactMs: number | null
}

/** Everything the find and the cause analysis read from the cluster, at one moment. */
export interface ReplicationSnapshot {
  readonly takenAtMs: number
  readonly kafkaLine: string | null
  readonly elr: 'on' | 'off' | 'unsupported'
  readonly brokers: readonly BrokerView[]
  readonly topics: readonly TopicState[]
  /** Each topic's min.insync.replicas as describeConfigs shows it (what kafka-topics compares against). */
  readonly minIsr: ReadonlyMap<string, number>
  /** "topic/partition" → replicas being added by an ongoing reassignment (kafka-topics leaves them out of the RF). */
  readonly adding: ReadonlyMap<string, number>
  /** Topics that could not be described, one line each. */
  readonly problems: readonly string[]
}

/**
 * What an acks=all write to the partition gets right now. failing: ISR below the effective min ISR, refused
 * with NOT_ENOUGH_REPLICAS. at-min: accepted, one more replica out and it fails. flowing: accepted with room.
 * no-leader: nothing is accepted (the unclean-election runbook's case).
 */
export type WriteState = 'failing' | 'at-min' | 'flowing' | 'no-leader'

export interface AffectedPartition {
  readonly topic: string
  readonly partition: number
  readonly internal: boolean
  readonly leader: number | null
  readonly replicas: readonly number[]
  readonly isr: readonly number[]
  readonly elr: readonly number[] | null
  readonly offline: readonly number[]
  /** min.insync.replicas as configured; null when it could not be read. */
  readonly minIsr: number | null
  /** What the leader enforces: min.insync.replicas capped at the replica count. */
  readonly effectiveMinIsr: number | null
  readonly conditions: readonly PartitionCondition[]
  /** Replicas not in the ISR, in replica order. */
  readonly outOfSync: readonly number[]
  readonly writes: WriteState
}

export interface ShrinkGroup {
  /** The replicas that left the ISR (empty: none did; the partition is at min ISR by its settings). */
  readonly outOfSync: readonly number[]
  readonly partitions: readonly AffectedPartition[]
  readonly topics: readonly string[]
  readonly failing: number
  readonly atMin: number
  readonly noLeader: number
}

export interface IsrFindings {
  readonly totalPartitions: number
  readonly partitions: readonly AffectedPartition[]
  readonly underMinIsr: number
  readonly atMinIsr: number
  readonly underReplicated: number
  readonly unavailable: number
  readonly groups: readonly ShrinkGroup[]
  /** Partitions where acks=all writes are refused now (leader present, ISR below the effective min). */
  readonly failing: readonly AffectedPartition[]
  /** kafka-topics lists them under min ISR, but the broker caps min ISR at the replica count: writes still flow. */
  readonly cappedMinIsr: readonly AffectedPartition[]
  /** Brokers out of sync somewhere that are still in the ISR of other partitions (idle ones keep a stopped follower). */
  readonly stillInSyncElsewhere: readonly { readonly broker: number; readonly partitions: number }[]
}

export const partitionKey = (p: { readonly topic: string; readonly partition: number }): string => `${p.topic}/${p.partition}`

function writeState(p: PartitionState, effectiveMinIsr: number | null): WriteState {
  // A leader the brokers' read lists fenced still leads: that read is older than the partition read (cluster-health.ts).
  if (p.leader === null) return 'no-leader'
  if (effectiveMinIsr === null) return 'flowing'
  if (p.isr.length < effectiveMinIsr) return 'failing'
  if (p.isr.length === effectiveMinIsr) return 'at-min'
  return 'flowing'
}

/** The flagged partitions of a snapshot, exactly as kafka-topics --describe flags them, grouped by the replicas out of sync. */
export function planIsrFindings(snapshot: ReplicationSnapshot): IsrFindings {
  const partitions: AffectedPartition[] = []
  let total = 0
  const inSyncCount = new Map<number, number>()
  for (const topic of inTopicOrder(snapshot.topics.filter((t) => !t.error))) {
    const minIsr = snapshot.minIsr.get(topic.topic) ?? null
    for (const p of inPartitionOrder(topic.partitions)) {
      total++
      for (const id of p.isr) inSyncCount.set(id, (inSyncCount.get(id) ?? 0) + 1)
      const conditions = partitionConditions(p, minIsr, snapshot.adding.size ? (snapshot.adding.get(partitionKey(p)) ?? 0) : 0)
      if (conditions.length === 0) continue
      const effectiveMinIsr = minIsr === null ? null : Math.min(minIsr, p.replicas.length)
      partitions.push({
        topic: p.topic,
        partition: p.partition,
        internal: topic.internal,
        leader: p.leader,
        replicas: p.replicas,
        isr: p.isr,
        elr: p.elr,
        offline: p.offline,
        minIsr,
        effectiveMinIsr,
        conditions,
        outOfSync: p.replicas.filter((id) => !p.isr.includes(id)),
        writes: writeState(p, effectiveMinIsr),
      })
    }
  }
  const count = (condition: PartitionCondition) => partitions.filter((p) => p.conditions.includes(condition)).length
  const outOfSyncBrokers = new Set(partitions.flatMap((p) => p.outOfSync))
  return {
    totalPartitions: total,
    partitions,
    underMinIsr: count('under-min-isr'),
    atMinIsr: count('at-min-isr'),
    underReplicated: count('under-replicated'),
    unavailable: count('unavailable'),
    groups: groupByOutOfSync(partitions),
    failing: partitions.filter((p) => p.writes === 'failing'),
    cappedMinIsr: partitions.filter((p) => p.conditions.includes('under-min-isr') && p.leader !== null && p.writes !== 'failing' && p.writes !== 'no-leader'),
    stillInSyncElsewhere: [...outOfSyncBrokers]
      .sort((a, b) => a - b)
      .filter((id) => (inSyncCount.get(id) ?? 0) > 0)
      .map((broker) => ({ broker, partitions: inSyncCount.get(broker)! })),
  }
}

/** Worst first: partitions whose writes fail, then those one failure away, then the rest. */
function groupByOutOfSync(partitions: readonly AffectedPartition[]): ShrinkGroup[] {
  const groups = new Map<string, AffectedPartition[]>()
  for (const p of partitions) {
    const key = [...p.outOfSync].sort((a, b) => a - b).join(',')
    const members = groups.get(key)
    if (members) members.push(p)
    else groups.set(key, [p])
  }
  return [...groups.entries()]
    .map(([key, members]) => ({
      outOfSync: key === '' ? [] : key.split(',').map(Number),
      partitions: members,
      topics: [...new Set(members.map((p) => p.topic))],
      failing: members.filter((p) => p.writes === 'failing').length,
      atMin: members.filter((p) => p.writes === 'at-min').length,
      noLeader: members.filter((p) => p.writes === 'no-leader').length,
    }))
    .sort(
      (a, b) =>
        b.failing - a.failing ||
        b.noLeader - a.noLeader ||
        b.atMin - a.atMin ||
        b.partitions.length - a.partitions.length ||
        a.outOfSync.join().localeCompare(b.outOfSync.join()),
    )
}
