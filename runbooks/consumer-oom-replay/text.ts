// The words of the consumer-oom-replay runbook: how auto-commit loses records on each Kafka line, what a replay
// costs, and the sentences that describe a rewind and its warnings.

import { formatCount, formatSeconds, iso } from '../../lib/engine/blocks.ts'
import { formatDuration } from '../../lib/engine/params.ts'
import type { MoveNote, RewindMethod } from '../../lib/plans/offset-rewind.ts'

/** What every Kafka line shares; the versions differ in which group protocols exist. */
const howAutoCommitLoses = `A consumer with \`enable.auto.commit=true\` never tells Kafka which records it has *handled*. It commits how far it has *fetched*: the Java client, at the start of a \`poll()\` once \`auto.commit.interval.ms\` (5 s by default) has passed, commits the position after every record earlier polls returned, finished or not. (kafkajs commits the offsets of records whose handler has returned, after each batch.)

That is safe while the work happens inside the poll loop. It is not when the service passes records on — to a worker pool, an in-memory queue, a buffer flushed every N records — and goes back to polling: the next commit covers records that exist only in the process's memory. An OOM kill, \`kill -9\` or a lost node erases them; after the restart the group resumes at the committed offset, *after* them. Kafka keeps no trace that they were never handled, so lag looks normal. The reverse happens too: records handled after the last commit are delivered again (duplicates).

The fix is to stop every consumer of the group, move its committed offsets back to before the first record that may not have been handled, and start it again: everything from there on is consumed a second time.`

export const whyRecordsWereLost: Readonly<Record<'4.x' | '3.9', string>> = {
  '4.x': `${howAutoCommitLoses}\n\nOn Kafka 4.x a group uses either the classic protocol or the KIP-848 consumer protocol (\`group.protocol=consumer\`); both commit this way, and both accept an administrator's offset change only while the group has no members.`,
  '3.9': `${howAutoCommitLoses}\n\nOn Kafka 3.9 groups use the classic protocol (the KIP-848 consumer protocol is not generally available before 4.0); the coordinator accepts an administrator's offset change only while the group has no members.`,
}

export const whatAReplayCosts = `A rewind hands every record between the new offset and the current one to the consumer again. Records the killed process had already handled are handled a second time: **duplicates are the price of getting the lost records back.**

- If handling a record twice is harmless — upserts by key, a table of processed topic/partition/offset, writes that overwrite — a generous window costs only time.
- If it is not — e-mails, payments, appends to a ledger — every extra record is a visible duplicate: rewind no further than covers the loss, and tell the owners of downstream systems which window is replayed (the plan below gives it per partition).
- Records below a partition's log start were deleted by retention: no rewind brings them back.`

export function describeSpan(fromMs: number | null, toMs: number | null): string {
  if (fromMs === null || toMs === null) return '—'
  return `${iso(fromMs)} → ${iso(toMs)} (${formatSeconds(toMs - fromMs)})`
}

export function describeMethod(method: RewindMethod, marginMs: number, rewindToMs: number | null): string {
  const margin = marginMs > 0 ? ` minus a safety margin of ${formatDuration(marginMs)}` : ''
  switch (method.kind) {
    case 'to-datetime':
      return `to the first record written at or after ${iso(method.atMs)}${margin}${marginMs > 0 ? ` (${iso(rewindToMs)})` : ''}`
    case 'by-duration':
      return `to the first record written in the last ${formatDuration(method.durationMs)}${margin} (${iso(rewindToMs)})`
    case 'shift-by':
      return `${method.shift < 0n ? 'back' : 'forward'} by ${formatCount(method.shift < 0n ? -method.shift : method.shift)} records on every partition`
    case 'from-file':
      return `to the offsets in ${method.file}`
  }
}

export function noteText(note: MoveNote): string {
  switch (note.kind) {
    case 'below-log-start':
      // A partition that never held a record (log start = log end = 0) lost nothing: the target is simply its start.
      return note.goneMessages === 0n
        ? `asked for ${note.requested}, before the partition's first offset: set to the log start, as kafka-consumer-groups does (nothing there was deleted)`
        : `asked for ${note.requested}, below the log start: ${formatCount(note.goneMessages)} records were deleted by retention and are gone for good`
    case 'before-oldest-kept':
      return `the oldest record still kept was written at ${iso(note.oldestKeptMs)}, after the time asked: retention deleted the older part of the window (Kafka cannot say how many records)`
    case 'no-record-after-time':
      return 'no record at or after that time: falls back to the log end, as kafka-consumer-groups does'
    case 'above-log-end':
      return `asked for ${note.requested}, past the log end: set to the log end, as kafka-consumer-groups does`
    case 'skips':
      return `moves FORWARD: ${formatCount(note.skipMessages)} unread records would be skipped`
    case 'no-commit':
      return 'no committed offset now: the consumer would start by auto.offset.reset; after this it starts at the target'
    case 'committed-below-log-start':
      return `the committed offset is below the log start: ${formatCount(note.goneMessages)} records were deleted before the group read them`
  }
}
