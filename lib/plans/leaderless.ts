// Leaderless partitions: what the cluster holds for each (the snapshot the readers fill in), and which broker
// brings each one back without losing a committed record — by the rules measured on 4.3.1 (ELR on and off)
// and 3.9.2. Pure: snapshot in, classification out.

import type { ConfigSource, TopicPartition } from '../kafka/types.ts'

/** One live replica's own log, as its broker reports it (ListOffsets with the debugging replica id). */
export interface ReplicaLog {
  readonly broker: number
  /** null when the broker could not say (see `error`). */
  readonly logEndOffset: bigint | null
  /** Timestamp of the newest record this replica holds (max-timestamp lookup); null when empty or unknown. */
  readonly newestRecordMs: number | null
  readonly error: string | null
}

/** A topic setting as the brokers resolve it, with where its value comes from. */
export interface ResolvedSetting {
  readonly value: string | null
  readonly source: ConfigSource | null
}

export interface CommittedPosition {
  readonly groupId: string
  readonly offset: bigint
}

/** A partition with no leader, and everything known about its replicas' data. */
export interface LeaderlessPartition extends TopicPartition {
  readonly internal: boolean
  readonly leaderEpoch: number
  readonly replicas: readonly number[]
  readonly isr: readonly number[]
  /** null where the cluster reports no ELR (3.9, or ELR off). */
  readonly elr: readonly number[] | null
  readonly lastKnownElr: readonly number[] | null
  readonly minIsr: number | null
  readonly unclean: ResolvedSetting
  /** cleanup.policy includes compact: offsets may have gaps, so offset differences can over-count records. */
  readonly compacted: boolean
  /** One entry per live replica, in replica order. */
  readonly replicaLogs: readonly ReplicaLog[]
  /** Groups with a committed offset on this partition, highest offset first. */
  readonly committed: readonly CommittedPosition[]
}

/** What became of a partition the operator named: leaderless (in `partitions`), led, or not there at all. */
export type RequestedPartition = TopicPartition &
  (
    | { readonly state: 'leaderless' }
    | { readonly state: 'led'; readonly leader: number }
    | { readonly state: 'unknown-topic' }
    | { readonly state: 'unknown-partition'; readonly partitionCount: number }
  )

export interface LeaderlessSnapshot {
  readonly takenAtMs: number
  readonly kafkaLine: string | null
  readonly metadataVersion: string | null
  readonly elr: 'on' | 'off' | 'unsupported'
  /** Registered and unfenced: the brokers that can lead. */
  readonly liveBrokers: readonly number[]
  readonly partitionCount: number
  readonly partitions: readonly LeaderlessPartition[]
  /** The partitions the operator named (when the read was asked for some), in the order given. */
  readonly requested: readonly RequestedPartition[]
  /** What could not be read, one line each; the rest of the snapshot stays valid. */
  readonly problems: readonly string[]
}

/** The three behaviours a runbook explains: 4.x with ELR on, 4.x with ELR off, and 3.9 (no ELR at all). */
export type ElectionRules = '4.x-elr-on' | '4.x-elr-off' | '3.9'

export function electionRules(snapshot: Pick<LeaderlessSnapshot, 'elr' | 'kafkaLine'>): ElectionRules {
  if (snapshot.elr === 'on') return '4.x-elr-on'
  if (snapshot.elr === 'off') return '4.x-elr-off'
  return snapshot.kafkaLine !== null && snapshot.kafkaLine.startsWith('4') ? '4.x-elr-off' : '3.9'
}

/** How a leaderless partition gets a leader again without an unclean election. */
export type CleanPath =
  /** A live ISR or ELR member: the controller elects it by itself, within seconds. */
  | { readonly kind: 'electing'; readonly brokers: readonly number[]; readonly via: 'isr' | 'elr' }
  /** Bring this dead broker back and the controller elects it: the last known leader (ELR on) or the last ISR member. */
  | { readonly kind: 'restart'; readonly brokers: readonly number[]; readonly via: 'last-known-leader' | 'isr' }
  /** ELR members other than the last known leader: elected on return only if they had shut down cleanly. */
  | { readonly kind: 'restart-if-clean'; readonly brokers: readonly number[] }
  /** No broker is known to hold every committed record. */
  | { readonly kind: 'none' }

/** What restarting one dead replica's broker does to this partition. */
export type RestartEffect =
  | 'elected'
  | 'elected-if-clean-shutdown'
  | 'not-elected'
  /** unclean.leader.election.enable is on: its return sets off an unclean election of `winner`. */
  | 'unclean-election'

export interface DeadReplica {
  readonly broker: number
  readonly effect: RestartEffect
  /** For 'unclean-election': the replica Kafka would elect (first live in replica order at that moment). */
  readonly winner: number | null
}

export interface PartitionRecovery extends TopicPartition {
  readonly path: CleanPath
  readonly dead: readonly DeadReplica[]
  /** The flag is effectively on: the controller will elect the first live replica on its own. */
  readonly uncleanPending: { readonly winner: number } | null
}

const inOrder = (replicas: readonly number[], ids: Iterable<number>): number[] => {
  const set = new Set(ids)
  return replicas.filter((id) => set.has(id))
}

export function uncleanEnabled(partition: Pick<LeaderlessPartition, 'unclean'>): boolean {
  return partition.unclean.value?.trim().toLowerCase() === 'true'
}

/** Which broker brings the partition back cleanly, and what the return of each dead replica does. */
export function classifyRecovery(partition: LeaderlessPartition, rules: ElectionRules, liveBrokers: readonly number[]): PartitionRecovery {
  const live = new Set(liveBrokers)
  const elr = partition.elr ?? []
  const lastKnown = partition.lastKnownElr ?? []
  const liveReplicas = inOrder(partition.replicas, live)
  const flagOn = uncleanEnabled(partition)
  const firstLive = liveReplicas[0] ?? null

  let path: CleanPath
  const liveIsr = inOrder(
    partition.replicas,
    partition.isr.filter((id) => live.has(id)),
  )
  const liveElr =
    rules === '4.x-elr-on'
      ? inOrder(
          partition.replicas,
          elr.filter((id) => live.has(id)),
        )
      : []
  if (liveIsr.length > 0) path = { kind: 'electing', brokers: liveIsr, via: 'isr' }
  else if (liveElr.length > 0) path = { kind: 'electing', brokers: liveElr, via: 'elr' }
  else if (rules === '4.x-elr-on' && lastKnown.length > 0 && partition.isr.length === 0)
    path = { kind: 'restart', brokers: inOrder(partition.replicas, lastKnown), via: 'last-known-leader' }
  else if (partition.isr.length > 0) path = { kind: 'restart', brokers: inOrder(partition.replicas, partition.isr), via: 'isr' }
  else if (rules === '4.x-elr-on' && elr.length > 0) path = { kind: 'restart-if-clean', brokers: inOrder(partition.replicas, elr) }
  else path = { kind: 'none' }

  const inSyncSets = new Set([...partition.isr, ...elr, ...lastKnown])
  const dead = partition.replicas
    .filter((id) => !live.has(id))
    .map((broker): DeadReplica => {
      const clean = cleanEffect(broker, partition, rules)
      if (!flagOn) return { broker, effect: clean, winner: null }
      // ELR on: a crashed ISR/ELR member is handled at its registration, while still fenced, and with the flag on
      // that election takes the first live replica — measured 4.3.1 for an ELR member and for the last known
      // leader itself (restarted, it handed leadership to the lagging live replica within 5 s). Others are
      // handled at their unfencing, taking the first live replica in replica order, themselves included; an ISR
      // member then wins cleanly.
      const atRegistration = rules === '4.x-elr-on' && inSyncSets.has(broker)
      if (!atRegistration && clean === 'elected') return { broker, effect: clean, winner: null }
      const winner = atRegistration ? (firstLive ?? broker) : (inOrder(partition.replicas, [...liveReplicas, broker])[0] ?? broker)
      return winner === broker && clean === 'elected' ? { broker, effect: 'elected', winner: null } : { broker, effect: 'unclean-election', winner }
    })
  const uncleanPending = flagOn && firstLive !== null && path.kind !== 'electing' ? { winner: firstLive } : null
  return { topic: partition.topic, partition: partition.partition, path, dead, uncleanPending }
}

function cleanEffect(broker: number, partition: LeaderlessPartition, rules: ElectionRules): RestartEffect {
  if (rules === '4.x-elr-on') {
    if (partition.isr.includes(broker)) return 'elected'
    if (partition.isr.length === 0 && (partition.lastKnownElr ?? []).includes(broker)) return 'elected'
    // A member that crashed (SIGKILL, OOM, power loss) is dropped from the ELR when it registers again, and not
    // elected; one that shut down cleanly keeps its place and is elected (KIP-966; the crash case measured 4.3.1).
    if ((partition.elr ?? []).includes(broker)) return 'elected-if-clean-shutdown'
    return 'not-elected'
  }
  return partition.isr.includes(broker) ? 'elected' : 'not-elected'
}

/** Partitions that come back the same way, grouped: one line per broker set to bring back. */
export interface RecoveryGroup {
  readonly path: CleanPath
  readonly partitions: readonly TopicPartition[]
}

export function groupByRecovery(recoveries: readonly PartitionRecovery[]): RecoveryGroup[] {
  const groups = new Map<string, { path: CleanPath; partitions: TopicPartition[] }>()
  for (const r of recoveries) {
    const id = r.path.kind === 'none' ? 'none' : `${r.path.kind}:${r.path.brokers.join(',')}`
    const group = groups.get(id) ?? { path: r.path, partitions: [] }
    group.partitions.push({ topic: r.topic, partition: r.partition })
    groups.set(id, group)
  }
  const order: Record<CleanPath['kind'], number> = { electing: 0, restart: 1, 'restart-if-clean': 2, none: 3 }
  return [...groups.values()].sort((a, b) => order[a.path.kind] - order[b.path.kind] || b.partitions.length - a.partitions.length)
}

/** "orders-0" — how Kafka's tools name a partition. */
export const partitionName = (tp: TopicPartition): string => `${tp.topic}-${tp.partition}`

/** "orders:0,orders:3" — how --set partitions= takes them. */
export const partitionList = (tps: readonly TopicPartition[]): string => tps.map((tp) => `${tp.topic}:${tp.partition}`).join(',')
