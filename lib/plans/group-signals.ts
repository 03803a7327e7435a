// PURE: what one snapshot of the consumer groups says about the three group incidents `runbook status` points
// to beyond lag itself — a group stuck on one record (poison-pill), a partition whose last stable offset an open
// transaction holds below the log end (stuck-transactions), and unread records that retention deletes or is
// about to (lag-retention). One snapshot cannot prove a group stuck (the poison-pill runbook samples twice);
// these are the signs worth a look, each from reads status already makes plus one timestamp per partition.

import { counted, formatCount } from '../format/counts.ts'
import { formatSeconds } from '../format/time.ts'

/** One committed partition of a group as status reads it. */
export interface GroupPartitionSignal {
  readonly topic: string
  readonly partition: number
  readonly committed: bigint
  readonly logStart: bigint | null
  readonly logEnd: bigint | null
  /** The last stable offset (read_committed 'latest'); below logEnd while a transaction is open there. */
  readonly stableEnd: bigint | null
  /** When the first record the group has not read was written (null: nothing unread, or not read). */
  readonly nextUnreadMs: number | null
  /** When the first record at the last stable offset was written, when that is below the log end (null otherwise). */
  readonly openSinceMs: number | null
}

export interface GroupSignalInput {
  readonly groupId: string
  readonly state: string
  readonly members: number
  readonly partitions: readonly GroupPartitionSignal[]
}

/** A topic's deletion settings as status reads them. */
export interface TopicRetentionSignal {
  /** cleanup.policy includes delete. */
  readonly deletes: boolean
  /** retention.ms; null for none (-1) or unknown. */
  readonly retentionMs: number | null
}

export interface GroupSignals {
  /** Groups with live members (or rebalancing) where a partition has not moved past an old record while a sibling keeps up. */
  readonly poisonPill: readonly { readonly groupId: string; readonly topic: string; readonly partition: number; readonly waitingMs: number }[]
  /** Partitions groups read whose last stable offset has been held below the log end for a while. */
  readonly stuckTransactions: readonly { readonly topic: string; readonly partition: number; readonly openMs: number; readonly heldRecords: bigint }[]
  /** Group partitions whose first unread record retention deleted, or soon deletes. */
  readonly lagRetention: readonly {
    readonly groupId: string
    readonly topic: string
    readonly partition: number
    /** Records deleted before the group read them (committed below the log start). */
    readonly deleted: bigint
    readonly oldestUnreadMs: number | null
    readonly retentionMs: number
  }[]
}

/** A record waiting this long behind a group that reads its siblings looks stuck; a transaction open this long is past what a healthy producer takes (default transaction.timeout.ms is 60 s). */
export const stuckAfterMs = 60_000
/** The first unread record is this share of retention.ms old: the segment holding it is due for deletion soon. */
export const retentionShareAtRisk = 0.8

/** Group states in which members keep leaving and joining: a consumer that crashes on a record and restarts. */
const rebalancing = new Set(['PreparingRebalance', 'CompletingRebalance', 'Assigning', 'Reconciling'])

const lagOf = (p: GroupPartitionSignal) => (p.logEnd === null ? 0n : p.logEnd - p.committed)

export function planGroupSignals(groups: readonly GroupSignalInput[], retention: ReadonlyMap<string, TopicRetentionSignal>, nowMs: number): GroupSignals {
  const poisonPill: GroupSignals['poisonPill'][number][] = []
  const lagRetention: GroupSignals['lagRetention'][number][] = []
  const stuck = new Map<string, GroupSignals['stuckTransactions'][number]>()
  for (const group of groups) {
    const waiting = (p: GroupPartitionSignal) => (lagOf(p) > 0n && p.nextUnreadMs !== null ? nowMs - p.nextUnreadMs : null)
    const behind = group.partitions.filter((p) => (waiting(p) ?? 0) >= stuckAfterMs)
    const keepsUp = group.partitions.some((p) => lagOf(p) <= 0n || (waiting(p) !== null && waiting(p)! < stuckAfterMs))
    if ((group.members > 0 && keepsUp) || rebalancing.has(group.state))
      for (const p of behind) poisonPill.push({ groupId: group.groupId, topic: p.topic, partition: p.partition, waitingMs: waiting(p)! })
    for (const p of group.partitions) {
      if (p.stableEnd !== null && p.logEnd !== null && p.stableEnd < p.logEnd && p.openSinceMs !== null && nowMs - p.openSinceMs >= stuckAfterMs)
        stuck.set(`${p.topic}/${p.partition}`, { topic: p.topic, partition: p.partition, openMs: nowMs - p.openSinceMs, heldRecords: p.logEnd - p.stableEnd })
      const topic = retention.get(p.topic)
      if (!topic?.deletes || topic.retentionMs === null) continue
      const deleted = p.logStart !== null && p.committed < p.logStart ? p.logStart - p.committed : 0n
      const old = waiting(p) !== null && waiting(p)! >= topic.retentionMs * retentionShareAtRisk
      if (deleted > 0n || old)
        lagRetention.push({
          groupId: group.groupId,
          topic: p.topic,
          partition: p.partition,
          deleted,
          oldestUnreadMs: waiting(p),
          retentionMs: topic.retentionMs,
        })
    }
  }
  const byWait = <T extends { waitingMs?: number; openMs?: number }>(a: T, b: T) => (b.waitingMs ?? b.openMs ?? 0) - (a.waitingMs ?? a.openMs ?? 0)
  return { poisonPill: poisonPill.sort(byWait), stuckTransactions: [...stuck.values()].sort(byWait), lagRetention }
}

/** One suggestion line per incident the signals point to, naming the worst case. */
export function describeGroupSignals(
  signals: GroupSignals,
): { readonly runbook: 'poison-pill' | 'stuck-transactions' | 'lag-retention'; readonly reason: string }[] {
  const lines: { runbook: 'poison-pill' | 'stuck-transactions' | 'lag-retention'; reason: string }[] = []
  const groupsOf = (list: readonly { groupId: string }[]) => new Set(list.map((s) => s.groupId)).size
  const pill = signals.poisonPill[0]
  if (pill)
    lines.push({
      runbook: 'poison-pill',
      reason: `${counted(groupsOf(signals.poisonPill), 'consumer group')} not moving past one record while reading on (${pill.groupId} at ${pill.topic}/${pill.partition} for ${formatSeconds(pill.waitingMs)})`,
    })
  const open = signals.stuckTransactions[0]
  if (open) {
    const held = signals.stuckTransactions.reduce((sum, s) => sum + s.heldRecords, 0n)
    lines.push({
      runbook: 'stuck-transactions',
      reason: `${counted(signals.stuckTransactions.length, 'partition')} held at the last stable offset by an open transaction (${open.topic}/${open.partition} for ${formatSeconds(open.openMs)}); ${formatCount(held)} records read_committed consumers cannot reach`,
    })
  }
  if (signals.lagRetention.length > 0) {
    const deleted = signals.lagRetention.filter((s) => s.deleted > 0n)
    const soon = signals.lagRetention.filter((s) => s.deleted === 0n)
    const parts: string[] = []
    if (deleted.length > 0)
      parts.push(
        `${formatCount(deleted.reduce((sum, s) => sum + s.deleted, 0n))} records deleted unread (${deleted[0]!.groupId} at ${deleted[0]!.topic}/${deleted[0]!.partition})`,
      )
    if (soon.length > 0) {
      const worst = soon.reduce((a, b) => ((b.oldestUnreadMs ?? 0) / b.retentionMs > (a.oldestUnreadMs ?? 0) / a.retentionMs ? b : a))
      parts.push(
        `oldest unread near retention (${worst.groupId} at ${worst.topic}/${worst.partition}: ${formatSeconds(worst.oldestUnreadMs ?? 0)} of ${formatSeconds(worst.retentionMs)})`,
      )
    }
    lines.push({ runbook: 'lag-retention', reason: `${counted(groupsOf(signals.lagRetention), 'consumer group')}: ${parts.join('; ')}` })
  }
  return lines
}
