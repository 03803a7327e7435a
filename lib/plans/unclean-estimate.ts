// What electing each live replica of a leaderless partition would cost, from facts alone: the replicas' own
// log ends and the consumer groups' committed offsets. The figure called "certain" counts only records whose
// existence the cluster proves, so it can never exceed what the election really deletes; everything above it
// (what only the dead leader held) cannot be known while that broker is down, and is reported as unknown.

import type { TopicPartition } from '../kafka/types.ts'
import type { CandidateExactLoss } from './exact-loss.ts'
import type { LeaderlessPartition } from './leaderless.ts'

export interface GroupAhead {
  readonly groupId: string
  readonly committed: bigint
  /** How far past the candidate's log end the group has read. */
  readonly ahead: bigint
}

export interface CandidateEstimate {
  readonly broker: number
  /** Place in the replica list (0 = preferred leader): Kafka's unclean election takes the first live one. */
  readonly position: number
  /** A live ISR or ELR member: it holds every committed record and needs no unclean election. */
  readonly inSync: boolean
  readonly logEndOffset: bigint | null
  /** Why the log end could not be read; the candidate is then not estimated. */
  readonly unreadable: string | null
  /** Timestamp of the newest record it holds: the loss starts after this moment. */
  readonly newestRecordMs: number | null
  /** Records another live replica holds beyond this one's end (that replica deletes them when it follows). */
  readonly lossFromReplicas: bigint
  readonly aheadReplica: { readonly broker: number; readonly logEndOffset: bigint } | null
  /** Records consumer groups have already read beyond this one's end. */
  readonly lossFromGroups: bigint
  readonly groupsAhead: readonly GroupAhead[]
  /** The larger of the two: records certainly lost if this replica is elected. */
  readonly certainLoss: bigint
  /** Present once a dead replica's own log was read (dead-leader-loss.ts): what the election really deletes. */
  readonly exactLoss?: CandidateExactLoss
}

export interface PartitionEstimate extends TopicPartition {
  /** Best first; unreadable candidates last. */
  readonly candidates: readonly CandidateEstimate[]
  /** The candidate that loses the least, or null when none can be estimated. */
  readonly best: number | null
  /** What `kafka-leader-election --election-type unclean` (or the unclean flag) would elect now. */
  readonly kafkaPick: number | null
  /** Offsets, not records, on compacted topics: cleaned-away records leave gaps that the counts include. */
  readonly unit: 'records' | 'offsets'
  /** A live replica's log end could not be read: the bounds were computed from the others (still lower bounds). */
  readonly incomplete: boolean
  /** The highest log end or committed offset any live source proves: nothing below it is in doubt. */
  readonly provenEnd: bigint | null
  /** The dead replica whose files priced the candidates exactly, when one was read. */
  readonly deadLeader?: { readonly broker: number; readonly logEndOffset: bigint }
}

const maxOf = (values: readonly bigint[]): bigint | null => values.reduce<bigint | null>((max, v) => (max === null || v > max ? v : max), null)
const atLeastZero = (value: bigint): bigint => (value > 0n ? value : 0n)

/** Ranks the live replicas of one leaderless partition by what electing each would certainly lose. */
export function estimateCandidates(partition: LeaderlessPartition): PartitionEstimate {
  const readable = partition.replicaLogs.filter((log): log is typeof log & { logEndOffset: bigint } => log.logEndOffset !== null)
  const inSync = new Set([...partition.isr, ...(partition.elr ?? [])])
  const candidates = partition.replicaLogs.map((log): CandidateEstimate => {
    const position = partition.replicas.indexOf(log.broker)
    const base = { broker: log.broker, position, inSync: inSync.has(log.broker), newestRecordMs: log.newestRecordMs }
    if (log.logEndOffset === null) {
      return {
        ...base,
        logEndOffset: null,
        unreadable: log.error ?? 'no answer',
        lossFromReplicas: 0n,
        aheadReplica: null,
        lossFromGroups: 0n,
        groupsAhead: [],
        certainLoss: 0n,
      }
    }
    const own = log.logEndOffset
    const others = readable.filter((other) => other.broker !== log.broker)
    const ahead = others.reduce<(typeof readable)[number] | null>(
      (best, other) => (best === null || other.logEndOffset > best.logEndOffset ? other : best),
      null,
    )
    const lossFromReplicas = ahead ? atLeastZero(ahead.logEndOffset - own) : 0n
    const groupsAhead = partition.committed
      .filter((c) => c.offset > own)
      .map((c) => ({ groupId: c.groupId, committed: c.offset, ahead: c.offset - own }))
      .sort((a, b) => (a.ahead === b.ahead ? a.groupId.localeCompare(b.groupId) : a.ahead > b.ahead ? -1 : 1))
    const lossFromGroups = groupsAhead[0]?.ahead ?? 0n
    return {
      ...base,
      logEndOffset: own,
      unreadable: null,
      lossFromReplicas,
      aheadReplica: ahead && lossFromReplicas > 0n ? { broker: ahead.broker, logEndOffset: ahead.logEndOffset } : null,
      lossFromGroups,
      groupsAhead,
      certainLoss: lossFromReplicas > lossFromGroups ? lossFromReplicas : lossFromGroups,
    }
  })
  const ranked = [...candidates].sort(compareCandidates)
  const best = ranked.find((c) => c.unreadable === null) ?? null
  return {
    topic: partition.topic,
    partition: partition.partition,
    candidates: ranked,
    best: best?.broker ?? null,
    kafkaPick: partition.replicaLogs[0]?.broker ?? null,
    unit: partition.compacted ? 'offsets' : 'records',
    incomplete: readable.length < partition.replicaLogs.length,
    provenEnd: maxOf([...readable.map((r) => r.logEndOffset), ...partition.committed.map((c) => c.offset)]),
  }
}

function compareCandidates(a: CandidateEstimate, b: CandidateEstimate): number {
  if ((a.unreadable === null) !== (b.unreadable === null)) return a.unreadable === null ? -1 : 1
  if (a.certainLoss !== b.certainLoss) return a.certainLoss < b.certainLoss ? -1 : 1
  if (a.logEndOffset !== b.logEndOffset && a.logEndOffset !== null && b.logEndOffset !== null) return a.logEndOffset > b.logEndOffset ? -1 : 1
  if (a.inSync !== b.inSync) return a.inSync ? -1 : 1
  return a.position - b.position
}

/** One candidate's figures for a partition, or undefined when the broker is not a live replica of it. */
export function candidateOf(estimate: PartitionEstimate, broker: number): CandidateEstimate | undefined {
  return estimate.candidates.find((c) => c.broker === broker)
}

/** Sums per-partition losses; the unit stays "records" only if every partition counts records. */
export function totalLoss(parts: readonly { readonly certainLoss: bigint; readonly unit: 'records' | 'offsets' }[]): {
  readonly certainLoss: bigint
  readonly unit: 'records' | 'offsets'
} {
  return {
    certainLoss: parts.reduce((sum, p) => sum + p.certainLoss, 0n),
    unit: parts.some((p) => p.unit === 'offsets') ? 'offsets' : 'records',
  }
}
