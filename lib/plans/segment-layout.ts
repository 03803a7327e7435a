// PURE: when retention will delete each log segment of a partition, from what can be observed of it. Kafka deletes
// whole segments, oldest first, at its periodic check (log.retention.check.interval.ms): by time once a segment's
// newest record is older than retention.ms — an idle active segment too (it is rolled, then deleted; measured on
// 4.3.1 and 3.9.2) — and by size while the log would still hold at least retention.bytes without the segment.
// A segment reaching past the high watermark is never deleted. Then the log start moves to the next segment.
//
// What is exact and what is estimated: a segment read to its end (KafkaOps.segmentSpans) has an exact end offset
// and, when read from its base, an exact newest timestamp and size. A segment too big to read (byte-limit) ends
// where the roll rules say: the first batch more than segment.ms after its first batch, or when it would pass
// segment.bytes at the bytes per record measured — estimated. The active segment rolls by the same rules while
// producers write, then waits retention.ms after its newest record. The check runs at a phase nobody can read, so
// every deletion time is a window one check interval wide.

/** How a topic deletes records, as its settings resolve. */
export interface RetentionPolicy {
  readonly topic: string
  /** cleanup.policy includes delete (compact-only topics never delete by retention). */
  readonly deletes: boolean
  /** null: no time limit (retention.ms -1). */
  readonly retentionMs: number | null
  /** null: no size limit (retention.bytes < 0). */
  readonly retentionBytes: bigint | null
  readonly segmentMs: number
  readonly segmentBytes: number
  readonly segmentJitterMs: number
  /** Tiered storage: local copies go at local.retention.*, records stay readable until retention.* (what is priced here). */
  readonly remoteStorage: boolean
  /** log.retention.check.interval.ms of the partition leaders' brokers (Kafka's default 5 min when unreadable). */
  readonly checkIntervalMs: number
}

/** One segment as the reads found it. */
export interface ObservedSegment {
  /** First offset of what is known of it (a segment read from a group's offset starts there, not at its base). */
  readonly baseOffset: bigint
  readonly baseExact: boolean
  /** One past its last offset; the active segment's is the high watermark. */
  readonly endOffset: bigint
  readonly endKind: 'exact' | 'active' | 'estimated'
  /** Its newest record's timestamp (exact for a segment read whole from its base, else as read or estimated). */
  readonly maxTimestamp: number | null
  /** Its first batch's newest timestamp (what segment.ms is counted from), when its base was read. */
  readonly firstBatchTimestamp: number | null
  /** Bytes read of it (all of it when read whole from its base); null when estimated. */
  readonly bytes: number | null
}

/** A partition's log as sampled twice, with the segments found from `segments[0].baseOffset` to the log end. */
export interface PartitionLog {
  readonly topic: string
  readonly partition: number
  readonly logStart: bigint
  /** The high watermark: what consumers can read. */
  readonly logEnd: bigint
  /** Records written per second between the two samples (null: not measured). */
  readonly producedPerSecond: number | null
  /** Records the log start moved between the samples (deleted meanwhile). */
  readonly deletedBetweenSamples: bigint
  /** The newest record's timestamp (null for an empty log). */
  readonly newestTimestamp: number | null
  /** The leader replica's size on disk (DescribeLogDirs). */
  readonly bytesOnDisk: bigint | null
  readonly segments: readonly ObservedSegment[]
}

/** When one segment goes: the first check after `dueMs` (between dueMs and dueMs + one check interval). */
export interface SegmentDeletion {
  readonly baseOffset: bigint
  readonly endOffset: bigint
  /** The condition holds from here; null: not while things stay as they are. */
  readonly dueMs: number | null
  readonly latestMs: number | null
  readonly reason: 'time' | 'size' | null
  /** The active segment, whose end moves on while producers write. */
  readonly active: boolean
  readonly exact: boolean
}

const sum = (values: readonly bigint[]) => values.reduce((a, b) => a + b, 0n)

/** Bytes per record: measured from the segments read whole, else the replica size over the records it holds. */
export function bytesPerRecord(log: PartitionLog): number | null {
  const whole = log.segments.filter((s) => s.bytes !== null && s.endOffset > s.baseOffset)
  const records = sum(whole.map((s) => s.endOffset - s.baseOffset))
  if (records > 0n) return whole.reduce((a, s) => a + s.bytes!, 0) / Number(records)
  const onDisk = log.logEnd - log.logStart
  return log.bytesOnDisk !== null && onDisk > 0n ? Number(log.bytesOnDisk) / Number(onDisk) : null
}

/** Where an unread-to-its-end segment ends: the first of the time roll, the size roll and the high watermark. */
export function estimateSegmentEnd(input: {
  readonly from: bigint
  /** How far one read got (a lower bound). */
  readonly readTo: bigint
  /** The first offset more than segment.ms after the segment's first batch, per ListOffsets (null: none that late). */
  readonly timeRollOffset: bigint | null
  readonly logEnd: bigint
  readonly segmentBytes: number
  readonly bytesPerRecord: number | null
}): bigint {
  const bySize =
    input.bytesPerRecord && input.bytesPerRecord > 0 ? input.from + BigInt(Math.max(1, Math.floor(input.segmentBytes / input.bytesPerRecord))) : null
  let end = input.logEnd
  if (input.timeRollOffset !== null && input.timeRollOffset < end) end = input.timeRollOffset
  if (bySize !== null && bySize < end) end = bySize
  return end < input.readTo ? input.readTo : end
}

/**
 * When each segment goes if producers keep writing at the measured rate and nobody changes the settings: the
 * earlier of its time and size conditions, never before an older segment (Kafka deletes a prefix of the log).
 */
export function scheduleDeletions(policy: RetentionPolicy, log: PartitionLog, nowMs: number): SegmentDeletion[] {
  if (!policy.deletes || (policy.retentionMs === null && policy.retentionBytes === null)) {
    return log.segments.map((s) => ({
      baseOffset: s.baseOffset,
      endOffset: s.endOffset,
      dueMs: null,
      latestMs: null,
      reason: null,
      active: s.endKind === 'active',
      exact: s.endKind !== 'estimated',
    }))
  }
  const rate = log.producedPerSecond ?? 0
  const perRecord = bytesPerRecord(log) ?? 0
  const bytesOf = (s: ObservedSegment) => (s.bytes !== null && s.baseExact ? s.bytes : Number(s.endOffset - s.baseOffset) * perRecord)
  const known = log.segments.reduce((a, s) => a + bytesOf(s), 0)
  // Bytes below what was read (older segments, the first one's head): the replica's size minus what is known.
  const below = log.bytesOnDisk !== null ? Math.max(0, Number(log.bytesOnDisk) - known) : 0
  const sizeNow = below + known
  const growthPerMs = (rate * perRecord) / 1000
  let cumulative = below
  let previousDue: number | null = nowMs
  return log.segments.map((segment) => {
    const active = segment.endKind === 'active'
    cumulative += bytesOf(segment)
    let byTime: number | null = null
    if (policy.retentionMs !== null) {
      if (active && rate > 0) {
        // Still written to: it rolls at segment.ms after its first batch or when full, and its newest record is then
        // about as old as the roll (producers stamp records with their clock).
        const firstBatch = segment.firstBatchTimestamp ?? segment.maxTimestamp
        const byRollTime = firstBatch !== null ? firstBatch + policy.segmentMs : Number.POSITIVE_INFINITY
        const left = policy.segmentBytes - bytesOf(segment)
        const byRollSize = growthPerMs > 0 ? nowMs + Math.max(0, left) / growthPerMs : Number.POSITIVE_INFINITY
        const roll = Math.max(nowMs, Math.min(byRollTime, byRollSize))
        byTime = Number.isFinite(roll) ? roll + policy.retentionMs : null
      } else if (segment.maxTimestamp !== null) byTime = segment.maxTimestamp + policy.retentionMs
    }
    let bySize: number | null = null
    if (policy.retentionBytes !== null) {
      const excess = sizeNow - cumulative - Number(policy.retentionBytes)
      if (excess >= 0) bySize = nowMs
      else if (growthPerMs > 0 && !active) bySize = nowMs + -excess / growthPerMs
    }
    let due = byTime !== null && (bySize === null || byTime <= bySize) ? byTime : bySize
    const reason: SegmentDeletion['reason'] = due === null ? null : due === byTime ? 'time' : 'size'
    if (due !== null) due = Math.max(due, nowMs, previousDue ?? nowMs)
    if (previousDue === null) due = null
    previousDue = due
    return {
      baseOffset: segment.baseOffset,
      endOffset: segment.endOffset,
      dueMs: due,
      latestMs: due === null ? null : due + policy.checkIntervalMs,
      reason: due === null ? null : reason,
      active,
      exact: segment.endKind !== 'estimated' && (segment.baseExact || segment === log.segments[0]),
    }
  })
}
