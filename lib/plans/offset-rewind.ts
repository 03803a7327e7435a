// PURE: where to move a stopped consumer group's committed offsets so that it replays what an auto-commit
// marked consumed but the killed process never handled. Targets follow kafka-consumer-groups --reset-offsets
// exactly (ConsumerGroupCommand: which partitions, timestamp lookup falling back to the log end, shift-by
// clamped into [log start, log end]), and every partition says what the move costs and what is gone for good.

import { counted } from '../format/counts.ts'
import type { GroupMember, GroupType, RecordQuery, TopicPartition } from '../kafka/types.ts'
import type { OffsetLine } from './offset-csv.ts'

export type RewindMethod =
  | { readonly kind: 'to-datetime'; readonly atMs: number }
  | { readonly kind: 'by-duration'; readonly durationMs: number }
  | { readonly kind: 'shift-by'; readonly shift: bigint }
  | { readonly kind: 'from-file'; readonly file: string; readonly lines: readonly OffsetLine[] }

/** Which partitions: those with a committed offset (Kafka's --all-topics), or named topics (--topic t, t:0,2). */
export type RewindScope =
  | { readonly kind: 'all-topics' }
  | { readonly kind: 'topics'; readonly topics: readonly { readonly topic: string; readonly partitions: readonly number[] | null }[] }

export interface RewindRequest {
  readonly method: RewindMethod
  readonly scope: RewindScope
  /** Taken off the time of to-datetime and by-duration, so the replay starts that much earlier. */
  readonly marginMs: number
}

/** The group as read right before planning. */
export interface GroupSnapshot {
  readonly groupId: string
  /** false when Kafka knows neither the group nor any commit of it. */
  readonly exists: boolean
  readonly state: string
  readonly type: GroupType
  readonly members: readonly GroupMember[]
  readonly committed: readonly (TopicPartition & { readonly offset: bigint })[]
  /** Partition count of every topic the commits, the scope or the file name; null for a topic that does not exist. */
  readonly topics: readonly { readonly topic: string; readonly partitions: number | null }[]
  /** The run's clock when the snapshot was read: by-duration counts back from it. */
  readonly takenAtMs: number
}

/** The log around one partition: its bounds, and the first offset at or after the rewind time (null: none). */
export interface PartitionLog extends TopicPartition {
  readonly logStart: bigint
  readonly logEnd: bigint
  readonly atTime?: bigint | null
}

export type MoveNote =
  /** Retention deleted offsets [requested, logStart): they cannot be replayed. */
  | { readonly kind: 'below-log-start'; readonly requested: bigint; readonly goneMessages: bigint }
  /** A time-based target landed on the oldest record still kept, which is younger than the time asked for. */
  | { readonly kind: 'before-oldest-kept'; readonly oldestKeptMs: number }
  /** No record at or after the time: Kafka's tool falls back to the log end. */
  | { readonly kind: 'no-record-after-time' }
  | { readonly kind: 'above-log-end'; readonly requested: bigint }
  /** The target is after the committed offset: unread records would be skipped. */
  | { readonly kind: 'skips'; readonly skipMessages: bigint }
  | { readonly kind: 'no-commit' }
  /** The group's own committed offset is below the log start: those records were deleted before it read them. */
  | { readonly kind: 'committed-below-log-start'; readonly goneMessages: bigint }

export interface PartitionMove extends TopicPartition {
  readonly committed: bigint | null
  readonly logStart: bigint
  readonly logEnd: bigint
  readonly target: bigint
  /** Records in [target, committed): handled again by the consumer. */
  readonly replayMessages: bigint
  /** When the first and the last replayed record were written; null when nothing is replayed or unknown. */
  readonly replayFromMs: number | null
  readonly replayToMs: number | null
  readonly notes: readonly MoveNote[]
}

export interface RewindPlan {
  readonly groupId: string
  readonly groupType: GroupType
  /** What the re-check compares: the group was in this state with exactly these commits. */
  readonly basedOn: { readonly state: string; readonly committed: readonly (TopicPartition & { readonly offset: bigint | null })[] }
  readonly method: RewindMethod
  readonly scope: RewindScope['kind']
  readonly marginMs: number
  /** The time Kafka is asked for (to-datetime / by-duration, margin taken off), ms since the epoch. */
  readonly rewindToMs: number | null
  readonly moves: readonly PartitionMove[]
  /** Partitions of the group's topics that have no commit and are left alone (as --all-topics does). */
  readonly untouched: readonly TopicPartition[]
  readonly totals: {
    readonly partitions: number
    readonly replayMessages: bigint
    readonly skipMessages: bigint
    /** Records the rewind wanted but retention deleted: counted where Kafka can say. */
    readonly goneMessages: bigint
    readonly replayFromMs: number | null
    readonly replayToMs: number | null
  }
  /** The same reset with Kafka's own tool, as a dry run. */
  readonly kafkaCommand: string
}

export type RewindFault =
  | { readonly kind: 'unknown-group'; readonly groupId: string }
  | { readonly kind: 'group-active'; readonly groupId: string; readonly state: string; readonly members: number }
  | { readonly kind: 'unsupported-group'; readonly groupId: string; readonly type: GroupType }
  | { readonly kind: 'no-commits'; readonly groupId: string }
  | { readonly kind: 'unknown-topic'; readonly topic: string }
  | { readonly kind: 'unknown-partition'; readonly topic: string; readonly partition: number; readonly partitions: number }
  | { readonly kind: 'shift-without-commit'; readonly partitions: readonly TopicPartition[] }
  | { readonly kind: 'offset-beyond-log'; readonly topic: string; readonly partition: number; readonly offset: bigint; readonly logEnd: bigint }
  | { readonly kind: 'unreadable'; readonly partitions: readonly TopicPartition[]; readonly why: string }

export const isRewindFault = (value: RewindPlan | RewindFault | readonly TopicPartition[]): value is RewindFault => !Array.isArray(value) && 'kind' in value

const key = (tp: TopicPartition) => `${tp.topic}/${tp.partition}`
const byTopicPartition = (a: TopicPartition, b: TopicPartition) => a.topic.localeCompare(b.topic) || a.partition - b.partition

/** Kafka accepts an admin commit only from a group without members: Empty, or Dead (no group left). */
export function groupIsStopped(snapshot: Pick<GroupSnapshot, 'state' | 'members'>): boolean {
  return snapshot.members.length === 0 && (snapshot.state === 'Empty' || snapshot.state === 'Dead')
}

/** The time to look up for a time-based method, margin taken off; null for offset-based methods. */
export function rewindTimeMs(request: RewindRequest, takenAtMs: number): number | null {
  if (request.method.kind === 'to-datetime') return request.method.atMs - request.marginMs
  if (request.method.kind === 'by-duration') return takenAtMs - request.method.durationMs - request.marginMs
  return null
}

/** The partitions a reset covers, as kafka-consumer-groups chooses them, or why there are none. */
export function planRewindScope(snapshot: GroupSnapshot, request: RewindRequest): TopicPartition[] | RewindFault {
  if (!snapshot.exists) return { kind: 'unknown-group', groupId: snapshot.groupId }
  if (snapshot.type === 'share' || snapshot.type === 'streams') return { kind: 'unsupported-group', groupId: snapshot.groupId, type: snapshot.type }
  if (!groupIsStopped(snapshot)) return { kind: 'group-active', groupId: snapshot.groupId, state: snapshot.state, members: snapshot.members.length }
  const counts = new Map(snapshot.topics.map((t) => [t.topic, t.partitions]))
  const checkPartition = (topic: string, partition: number): RewindFault | null => {
    const count = counts.get(topic)
    if (count === null || count === undefined) return { kind: 'unknown-topic', topic }
    if (partition < 0 || partition >= count) return { kind: 'unknown-partition', topic, partition, partitions: count }
    return null
  }
  let partitions: TopicPartition[]
  if (request.method.kind === 'from-file') {
    // With --from-file, Kafka's tool resets exactly the file's partitions, whatever the scope flags say.
    partitions = request.method.lines.map(({ topic, partition }) => ({ topic, partition }))
  } else if (request.scope.kind === 'all-topics') {
    if (snapshot.committed.length === 0) return { kind: 'no-commits', groupId: snapshot.groupId }
    partitions = snapshot.committed.map(({ topic, partition }) => ({ topic, partition }))
  } else {
    partitions = []
    for (const entry of request.scope.topics) {
      const count = counts.get(entry.topic)
      if (count === null || count === undefined) return { kind: 'unknown-topic', topic: entry.topic }
      const chosen = entry.partitions ?? Array.from({ length: count }, (_, p) => p)
      for (const partition of chosen) partitions.push({ topic: entry.topic, partition })
    }
  }
  for (const tp of partitions) {
    const fault = checkPartition(tp.topic, tp.partition)
    if (fault) return fault
  }
  const unique = new Map(partitions.map((tp) => [key(tp), tp]))
  return [...unique.values()].sort(byTopicPartition)
}

/** Targets for every partition in scope; record times are filled in afterwards by withReplayTimes(). */
export function planRewindTargets(
  snapshot: GroupSnapshot,
  request: RewindRequest,
  logs: readonly PartitionLog[],
  bootstrap = '<bootstrap>',
): RewindPlan | RewindFault {
  const committed = new Map(snapshot.committed.map((c) => [key(c), c.offset]))
  const fileOffsets = request.method.kind === 'from-file' ? new Map(request.method.lines.map((l) => [key(l), l.offset])) : null
  const timeMs = rewindTimeMs(request, snapshot.takenAtMs)
  const withoutCommit = logs.filter((log) => !committed.has(key(log)))
  if (request.method.kind === 'shift-by' && withoutCommit.length > 0)
    return { kind: 'shift-without-commit', partitions: withoutCommit.map(({ topic, partition }) => ({ topic, partition })) }

  const moves: PartitionMove[] = []
  for (const log of [...logs].sort(byTopicPartition)) {
    const current = committed.get(key(log)) ?? null
    const notes: MoveNote[] = []
    let target: bigint
    switch (request.method.kind) {
      case 'to-datetime':
      case 'by-duration':
        if (log.atTime === null || log.atTime === undefined) {
          notes.push({ kind: 'no-record-after-time' })
          target = log.logEnd
        } else target = log.atTime
        break
      case 'shift-by':
        target = clamp(current! + request.method.shift, log, notes)
        break
      case 'from-file': {
        const requested = fileOffsets!.get(key(log))!
        if (requested > log.logEnd) return { kind: 'offset-beyond-log', topic: log.topic, partition: log.partition, offset: requested, logEnd: log.logEnd }
        target = clamp(requested, log, notes)
        break
      }
    }
    if (current === null) notes.push({ kind: 'no-commit' })
    else {
      if (current < log.logStart) notes.push({ kind: 'committed-below-log-start', goneMessages: log.logStart - current })
      const readFrom = current < log.logStart ? log.logStart : current
      if (target > readFrom) notes.push({ kind: 'skips', skipMessages: target - readFrom })
    }
    const replayMessages = current !== null && target < current ? current - target : 0n
    moves.push({
      topic: log.topic,
      partition: log.partition,
      committed: current,
      logStart: log.logStart,
      logEnd: log.logEnd,
      target,
      replayMessages,
      replayFromMs: null,
      replayToMs: null,
      notes,
    })
  }
  const inScope = new Set(moves.map(key))
  const groupTopics = new Set(snapshot.committed.map((c) => c.topic))
  const untouched: TopicPartition[] = []
  for (const t of snapshot.topics) {
    if (!groupTopics.has(t.topic) || t.partitions === null) continue
    for (let partition = 0; partition < t.partitions; partition++) {
      const tp = { topic: t.topic, partition }
      if (!inScope.has(key(tp)) && !committed.has(key(tp))) untouched.push(tp)
    }
  }
  const plan: Omit<RewindPlan, 'totals' | 'kafkaCommand'> = {
    groupId: snapshot.groupId,
    groupType: snapshot.type,
    basedOn: { state: snapshot.state, committed: moves.map((m) => ({ topic: m.topic, partition: m.partition, offset: m.committed })) },
    method: request.method,
    scope: request.method.kind === 'from-file' ? 'all-topics' : request.scope.kind,
    marginMs: request.marginMs,
    rewindToMs: timeMs,
    moves,
    untouched: untouched.sort(byTopicPartition),
  }
  return { ...plan, totals: totalsOf(moves), kafkaCommand: kafkaResetCommand(plan, request, bootstrap) }
}

/** Clamps an offset into [log start, log end] as kafka-consumer-groups does, noting what the clamp means. */
function clamp(requested: bigint, log: PartitionLog, notes: MoveNote[]): bigint {
  if (requested < log.logStart) {
    const firstThatExisted = requested < 0n ? 0n : requested
    notes.push({ kind: 'below-log-start', requested, goneMessages: log.logStart - firstThatExisted })
    return log.logStart
  }
  if (requested > log.logEnd) {
    notes.push({ kind: 'above-log-end', requested })
    return log.logEnd
  }
  return requested
}

/** The records whose timestamps the preview needs: the first and last replayed record of each partition. */
export function replayTimeQueries(plan: RewindPlan): RecordQuery[] {
  const queries: RecordQuery[] = []
  for (const move of plan.moves) {
    if (move.replayMessages > 0n) {
      queries.push({ topic: move.topic, partition: move.partition, offset: move.target })
      queries.push({ topic: move.topic, partition: move.partition, offset: move.committed! - 1n })
    } else if (move.target === move.logStart && move.logStart > 0n && move.target < move.logEnd && plan.rewindToMs !== null) {
      queries.push({ topic: move.topic, partition: move.partition, offset: move.target })
    }
  }
  return queries
}

/** The plan with each partition's replayed time span, and the retention note where the log is younger than the time asked. */
export function withReplayTimes(plan: RewindPlan, answers: readonly (RecordQuery & { readonly timestamp: number | null })[]): RewindPlan {
  const times = new Map(answers.map((a) => [`${a.topic}/${a.partition}@${a.offset}`, a.timestamp]))
  const moves = plan.moves.map((move): PartitionMove => {
    const at = (offset: bigint) => times.get(`${move.topic}/${move.partition}@${offset}`) ?? null
    const first = move.replayMessages > 0n || move.target === move.logStart ? at(move.target) : null
    const last = move.replayMessages > 0n ? at(move.committed! - 1n) : null
    const notes = [...move.notes]
    if (plan.rewindToMs !== null && move.target === move.logStart && move.logStart > 0n && first !== null && first > plan.rewindToMs) {
      notes.push({ kind: 'before-oldest-kept', oldestKeptMs: first })
    }
    return { ...move, replayFromMs: move.replayMessages > 0n ? first : null, replayToMs: last, notes }
  })
  return { ...plan, moves, totals: totalsOf(moves) }
}

function totalsOf(moves: readonly PartitionMove[]): RewindPlan['totals'] {
  let replayMessages = 0n
  let skipMessages = 0n
  let goneMessages = 0n
  let replayFromMs: number | null = null
  let replayToMs: number | null = null
  for (const move of moves) {
    replayMessages += move.replayMessages
    for (const note of move.notes) {
      if (note.kind === 'skips') skipMessages += note.skipMessages
      if (note.kind === 'below-log-start') goneMessages += note.goneMessages
    }
    if (move.replayFromMs !== null && (replayFromMs === null || move.replayFromMs < replayFromMs)) replayFromMs = move.replayFromMs
    if (move.replayToMs !== null && (replayToMs === null || move.replayToMs > replayToMs)) replayToMs = move.replayToMs
  }
  return { partitions: moves.length, replayMessages, skipMessages, goneMessages, replayFromMs, replayToMs }
}

/** `kafka-consumer-groups … --reset-offsets … --dry-run` for the same reset (margin folded into the time). */
export function kafkaResetCommand(plan: Pick<RewindPlan, 'groupId' | 'rewindToMs'>, request: RewindRequest, bootstrap: string): string {
  const parts = ['--group', plan.groupId, '--reset-offsets']
  if (request.method.kind !== 'from-file') {
    if (request.scope.kind === 'all-topics') parts.push('--all-topics')
    else for (const t of request.scope.topics) parts.push('--topic', t.partitions ? `${t.topic}:${t.partitions.join(',')}` : t.topic)
  }
  switch (request.method.kind) {
    case 'to-datetime':
      parts.push('--to-datetime', new Date(plan.rewindToMs!).toISOString())
      break
    case 'by-duration':
      parts.push('--by-duration', isoDuration(request.method.durationMs + request.marginMs))
      break
    case 'shift-by':
      parts.push('--shift-by', request.method.shift.toString())
      break
    case 'from-file':
      parts.push('--from-file', request.method.file)
      break
  }
  parts.push('--dry-run')
  // The bootstrap goes in as given (it may be a shell variable); every other word is quoted when it needs it.
  const quoted = parts.map((p) => (/^[\w./:,=@+-]+$/.test(p) ? p : `'${p.replaceAll("'", `'\\''`)}'`))
  return ['kafka-consumer-groups --bootstrap-server', bootstrap, ...quoted].join(' ')
}

/** Milliseconds as ISO-8601 (what java.time.Duration.parse reads): PT15M, PT1H30M, PT2.5S. */
export function isoDuration(ms: number): string {
  const hours = Math.floor(ms / 3_600_000)
  const minutes = Math.floor((ms % 3_600_000) / 60_000)
  const seconds = (ms % 60_000) / 1000
  const text = `${hours ? `${hours}H` : ''}${minutes ? `${minutes}M` : ''}${seconds || (!hours && !minutes) ? `${seconds}S` : ''}`
  return `PT${text}`
}

/** One line for a fault: what went wrong and what to do next. */
export function describeRewindFault(fault: RewindFault): string {
  switch (fault.kind) {
    case 'unknown-group':
      return `no consumer group "${fault.groupId}" on this cluster (no members, no commits) — check the name with \`kafka-consumer-groups --list\`; nothing changed`
    case 'unsupported-group':
      return `group ${fault.groupId} is a ${fault.type} group: this runbook rewinds consumer groups only; nothing changed`
    case 'group-active':
      return `group ${fault.groupId} is ${fault.state} with ${counted(fault.members, 'active member')} — stop every consumer of it and wait until it is Empty, then rerun; nothing changed`
    case 'no-commits':
      return `group ${fault.groupId} has no committed offsets, so there is nothing to rewind — name topics with --set topics=…; nothing changed`
    case 'unknown-topic':
      return `topic "${fault.topic}" does not exist on this cluster — check the name; nothing changed`
    case 'unknown-partition':
      return `${fault.topic} has no partition ${fault.partition} (it has ${fault.partitions}: 0-${fault.partitions - 1}) — fix the partition; nothing changed`
    case 'shift-without-commit':
      return `cannot shift ${describePartitions(fault.partitions)}: no committed offset to shift from (Kafka's tool refuses too) — use a time or an offsets file for them; nothing changed`
    case 'offset-beyond-log':
      return `offset ${fault.offset} for ${fault.topic}/${fault.partition} is beyond the log end (${fault.logEnd}) — fix the offsets file; nothing changed`
    case 'unreadable':
      return `cannot read the log of ${describePartitions(fault.partitions)} (${fault.why}) — wait until every partition has a leader, then rerun; nothing changed`
  }
}

export function describePartitions(partitions: readonly TopicPartition[], limit = 5): string {
  const shown = partitions.slice(0, limit).map(key).join(', ')
  return partitions.length > limit ? `${shown} and ${partitions.length - limit} more` : shown
}

/**
 * The `topics` answer as Kafka's --topic takes it, several at once: "orders", "orders:0,2", or a list separated
 * by spaces or semicolons ("orders:0,1; payments"). Returns the scope or what is wrong with the text.
 */
export function parseTopicsScope(text: string): RewindScope | string {
  const entries = text
    .split(/[;\s]+/)
    .map((e) => e.trim())
    .filter((e) => e !== '')
  if (entries.length === 0) return 'give at least one topic, e.g. orders or orders:0,1'
  const topics: { topic: string; partitions: number[] | null }[] = []
  for (const entry of entries) {
    const colon = entry.lastIndexOf(':')
    const topic = colon === -1 ? entry : entry.slice(0, colon)
    if (!/^[A-Za-z0-9._-]{1,249}$/.test(topic)) return `"${topic}" is not a valid topic name`
    if (colon === -1) {
      topics.push({ topic, partitions: null })
      continue
    }
    const partitions = entry.slice(colon + 1).split(',')
    if (partitions.some((p) => !/^\d+$/.test(p))) return `"${entry}": partitions must be whole numbers separated by commas, e.g. ${topic}:0,1`
    topics.push({ topic, partitions: [...new Set(partitions.map(Number))].sort((a, b) => a - b) })
  }
  return { kind: 'topics', topics }
}
