// PURE: a consumer group racing retention, per partition — when retention deletes the first record the group has
// not read, how many unread records go if nothing changes, whether and when the group catches up — and each way
// out priced: the retention that covers the backlog until the group catches up (with the disk it holds on every
// broker), the move of a group already below the log start to the earliest offset, or doing nothing.

import { type PartitionLog, type RetentionPolicy, scheduleDeletions, type SegmentDeletion } from './segment-layout.ts'

/** One partition the group reads, as sampled twice. */
export interface GroupPartitionSample {
  readonly log: PartitionLog
  readonly committed: bigint
  /** Records the group committed per second between the samples (0 when it did not move: stopped or stuck). */
  readonly consumedPerSecond: number
  /** The first unread record's timestamp (null when nothing is unread or it is already deleted). */
  readonly oldestUnreadMs: number | null
}

export type RaceStatus = 'below-log-start' | 'racing' | 'safe' | 'caught-up' | 'no-deletion'

export interface PartitionRace {
  readonly topic: string
  readonly partition: number
  readonly committed: bigint
  readonly logStart: bigint
  readonly logEnd: bigint
  readonly lag: bigint
  readonly oldestUnreadMs: number | null
  readonly producedPerSecond: number | null
  readonly consumedPerSecond: number
  readonly status: RaceStatus
  /** Committed below the log start: records retention already deleted before the group read them. */
  readonly alreadyDeleted: bigint
  /** When the segment holding the first unread record goes (a window one retention check wide). */
  readonly firstLoss: { readonly dueMs: number; readonly latestMs: number; readonly reason: 'time' | 'size' } | null
  /** Unread records retention deletes before the group reaches them, if nothing changes (the group reading on). */
  readonly atRisk: bigint
  /** When the group reaches the log end at the measured rates; null when it does not catch up. */
  readonly catchUpAtMs: number | null
  /** The smallest retention.ms that keeps every unread record until the group has read it (null: no time limit needed / cannot tell). */
  readonly neededRetentionMs: number | null
  readonly schedule: readonly SegmentDeletion[]
}

/** Whether the group closes the gap, and when it would reach the log end at the measured rates. */
export function catchUpAt(lag: bigint, consumedPerSecond: number, producedPerSecond: number | null, nowMs: number): number | null {
  if (lag <= 0n) return nowMs
  const net = consumedPerSecond - (producedPerSecond ?? 0)
  return net > 0 ? nowMs + (Number(lag) / net) * 1000 : null
}

/**
 * Walks the deletion schedule with the group reading on at its measured rate: each segment due before the
 * group has read past its end takes the unread rest of it, and the group goes on from the next segment.
 */
function lossIfNothingChanges(schedule: readonly SegmentDeletion[], committed: bigint, consumedPerSecond: number, nowMs: number) {
  let position = Number(committed)
  let at = nowMs
  let lost = 0n
  let first: PartitionRace['firstLoss'] = null
  for (const segment of schedule) {
    if (segment.dueMs === null || segment.reason === null) break
    position += (consumedPerSecond * Math.max(0, segment.dueMs - at)) / 1000
    at = segment.dueMs
    const end = Number(segment.endOffset)
    if (position >= end) continue
    const unreadFrom = Math.max(Math.floor(position), Number(segment.baseOffset))
    if (unreadFrom < end) {
      lost += BigInt(end - unreadFrom)
      first ??= { dueMs: segment.dueMs, latestMs: segment.latestMs ?? segment.dueMs, reason: segment.reason }
    }
    position = end
  }
  return { lost, first }
}

/**
 * The retention.ms that keeps each unread segment until the group has read past its end: the segment goes once
 * its newest record is older than retention.ms, so it must exceed (when the group finishes it − its newest
 * record) for every segment with unread records, plus the margin. A stopped group is given the margin from now.
 */
export function neededRetentionMs(sample: GroupPartitionSample, nowMs: number, marginMs: number): number | null {
  const { log, committed, consumedPerSecond } = sample
  let needed: number | null = null
  for (const segment of log.segments) {
    // The active segment counts too: once idle past retention.ms it is rolled and deleted like any other.
    if (segment.endOffset <= committed || segment.maxTimestamp === null) continue
    const readBy = consumedPerSecond > 0 ? nowMs + (Number(segment.endOffset - committed) / consumedPerSecond) * 1000 : nowMs
    const want = readBy + marginMs - segment.maxTimestamp
    if (needed === null || want > needed) needed = want
  }
  return needed === null ? null : Math.ceil(needed)
}

export function analysePartition(policy: RetentionPolicy, sample: GroupPartitionSample, nowMs: number, marginMs: number): PartitionRace {
  const { log, committed, consumedPerSecond } = sample
  const alreadyDeleted = committed < log.logStart ? log.logStart - committed : 0n
  const position = committed < log.logStart ? log.logStart : committed
  const lag = log.logEnd > position ? log.logEnd - position : 0n
  const schedule = scheduleDeletions(policy, log, nowMs)
  const { lost, first } = lag > 0n ? lossIfNothingChanges(schedule, position, consumedPerSecond, nowMs) : { lost: 0n, first: null }
  const status: RaceStatus =
    alreadyDeleted > 0n
      ? 'below-log-start'
      : lag === 0n
        ? 'caught-up'
        : !policy.deletes || (policy.retentionMs === null && policy.retentionBytes === null)
          ? 'no-deletion'
          : lost > 0n
            ? 'racing'
            : 'safe'
  return {
    topic: log.topic,
    partition: log.partition,
    committed,
    logStart: log.logStart,
    logEnd: log.logEnd,
    lag,
    oldestUnreadMs: sample.oldestUnreadMs,
    producedPerSecond: log.producedPerSecond,
    consumedPerSecond,
    status,
    alreadyDeleted,
    firstLoss: first,
    atRisk: lost,
    catchUpAtMs: catchUpAt(lag, consumedPerSecond, log.producedPerSecond, nowMs),
    neededRetentionMs: status === 'racing' || status === 'below-log-start' ? neededRetentionMs({ ...sample, committed: position }, nowMs, marginMs) : null,
    schedule,
  }
}

/** One broker's share of a raised retention: the bytes its replicas of the topic hold on top of today, against its free space. */
export interface BrokerDiskCost {
  readonly broker: number
  /** null: unbounded while the raised setting stays (no limit left). */
  readonly extraBytes: bigint | null
  readonly usableBytes: bigint | null
  readonly totalBytes: bigint | null
}

/** A partition of the raised topic as the disk cost needs it: its replicas, write rate and record size. */
export interface TopicPartitionLoad {
  readonly partition: number
  readonly replicas: readonly number[]
  readonly producedPerSecond: number | null
  readonly bytesPerRecord: number | null
  readonly bytesOnDisk: bigint | null
}

/**
 * What each broker holds extra at the peak when retention.ms goes from `fromMs` to `toMs` (or retention.bytes
 * from/to): every partition of the topic keeps (toMs − fromMs) more of its writes, on every replica, capped by a
 * size limit that still applies.
 */
export function diskCost(
  partitions: readonly TopicPartitionLoad[],
  change: { readonly fromMs: number | null; readonly toMs: number | null; readonly fromBytes: bigint | null; readonly toBytes: bigint | null },
  brokers: readonly { readonly broker: number; readonly usableBytes: bigint | null; readonly totalBytes: bigint | null }[],
): BrokerDiskCost[] {
  // null: unbounded (no limit left: the log grows until the old setting is back).
  const extra = new Map<number, bigint | null>()
  for (const p of partitions) {
    const perSecond = (p.producedPerSecond ?? 0) * (p.bytesPerRecord ?? 0)
    // Time: the log keeps (to − from) more seconds of writes; with no time limit before, nothing more is kept by time.
    const byTime =
      change.fromMs === null ? 0 : change.toMs === null ? Number.POSITIVE_INFINITY : Math.max(0, ((change.toMs - change.fromMs) / 1000) * perSecond)
    // Size: a limit caps the log at retention.bytes; a raised limit lets it grow up to the new one.
    const held = Number(p.bytesOnDisk ?? 0n)
    const bySize = change.toBytes === null ? Number.POSITIVE_INFINITY : Math.max(0, Number(change.toBytes) - held)
    const sizeRaised = change.toBytes !== null && change.fromBytes !== null && change.toBytes > change.fromBytes
    const bytes =
      sizeRaised && change.fromMs === change.toMs ? Math.min(bySize, change.toMs === null ? Number.POSITIVE_INFINITY : bySize) : Math.min(byTime, bySize)
    const share = Number.isFinite(bytes) ? BigInt(Math.round(bytes)) : null
    for (const broker of p.replicas) {
      const sofar = extra.has(broker) ? extra.get(broker)! : 0n
      extra.set(broker, sofar === null || share === null ? null : sofar + share)
    }
  }
  return [...extra]
    .sort(([a], [b]) => a - b)
    .map(([broker, extraBytes]) => {
      const dirs = brokers.find((b) => b.broker === broker)
      return { broker, extraBytes, usableBytes: dirs?.usableBytes ?? null, totalBytes: dirs?.totalBytes ?? null }
    })
}

/** What putting a retention back deletes at the next check, on one partition. */
export interface RevertDeletion {
  readonly topic: string
  readonly partition: number
  /** The segments the restored settings have already expired: a prefix of the log, from the log start. */
  readonly segments: number
  readonly fromOffset: bigint
  /** One past the last deleted offset: the log start after the check. */
  readonly toOffset: bigint
  readonly records: bigint
  /** Per group committed on the partition: the deleted records it has not read (groups with none left out). */
  readonly unread: readonly { readonly groupId: string; readonly records: bigint }[]
}

/**
 * The segments a restored retention deletes at once — those whose newest record is already older than it, or
 * that the restored retention.bytes no longer holds — and the records among them each group has not read yet.
 * The log is taken as it is now (no writes counted): what the first check after the restore takes.
 */
export function revertDeletion(
  restored: RetentionPolicy,
  log: PartitionLog,
  commits: readonly { readonly groupId: string; readonly offset: bigint }[],
  nowMs: number,
): RevertDeletion {
  const schedule = scheduleDeletions(restored, { ...log, producedPerSecond: 0 }, nowMs)
  const gone: SegmentDeletion[] = []
  for (const segment of schedule) {
    if (segment.dueMs === null || segment.dueMs > nowMs) break
    gone.push(segment)
  }
  const fromOffset = log.logStart
  const toOffset = gone.length ? gone.at(-1)!.endOffset : log.logStart
  const unread = commits
    .map((c) => ({ groupId: c.groupId, records: toOffset > c.offset ? toOffset - (c.offset > fromOffset ? c.offset : fromOffset) : 0n }))
    .filter((u) => u.records > 0n)
  return { topic: log.topic, partition: log.partition, segments: gone.length, fromOffset, toOffset, records: toOffset - fromOffset, unread }
}
