// The words of the lag-retention runbook: how Kafka deletes by time and by size, segment by segment, and what a
// consumer does when its position has been deleted — per Kafka line.

import type { OffsetReset } from '../../lib/plans/consumer-config.ts'

const howRetentionDeletes = `A partition's log is a row of segment files; producers append only to the newest, the *active* segment. Retention never deletes single records: a broker checks every \`log.retention.check.interval.ms\` (5 minutes by default) and deletes **whole segments, oldest first**, then moves the partition's log start to the first offset it kept.

- **By time** (\`retention.ms\`, 7 days by default): a segment goes once its *newest* record is older than retention.ms. Its oldest records therefore live retention.ms plus the time the segment was being filled (up to \`segment.ms\`, or until it reached \`segment.bytes\`) plus up to one check interval. The active segment is never deleted while it is written to; once it sits idle past retention.ms it is rolled and deleted too, so an idle topic can become empty.
- **By size** (\`retention.bytes\`, per partition, unlimited by default): the oldest segments go while the partition would still hold at least retention.bytes without them.
- Time is the record timestamp (the producer's clock for CreateTime topics): a producer that stamps old times makes segments eligible at once.

A group racing retention loses the unread records of every segment deleted before it has read past that segment. Kafka keeps no trace of it: the group's lag simply shrinks as the log start passes its committed offset.

**What the consumer does next.** Its next fetch below the log start is answered OFFSET_OUT_OF_RANGE and the client applies \`auto.offset.reset\`, a client setting the broker never sees: \`latest\` (the default of the Java client, librdkafka and kafkajs without \`fromBeginning\`) jumps to the log end and **silently skips every record still on disk**; \`earliest\` goes on from the log start (only the deleted records are lost); \`none\` (Java) or \`error\` (librdkafka) hands the error to the application and reads nothing until it seeks.

**Ways out.** Raise the topic's retention until the group has caught up (it costs disk on every replica's broker; put it back afterwards), move a group already below the log start to the log start itself before its consumers fetch (so \`latest\` cannot skip the backlog), or accept the loss.`

export const howRetentionWorks: Readonly<Record<'4.x' | '3.9', string>> = {
  '4.x': `${howRetentionDeletes}

On Kafka 4.x: the Java client (4.0+) also takes \`auto.offset.reset=by_duration:<ISO-8601>\` (KIP-842), which goes on from the first record written within that duration. Groups may use the KIP-848 consumer protocol; the offset reset works the same in both protocols. A broker refuses records stamped further in the past than \`log.message.timestamp.before.max.ms\` (the older \`log.message.timestamp.difference.max.ms\` is gone in 4.0). With tiered storage (\`remote.storage.enable=true\`), \`local.retention.*\` only removes local copies: records stay readable until \`retention.*\` deletes them, which is what is priced here.`,
  '3.9': `${howRetentionDeletes}

On Kafka 3.9: groups use the classic protocol. A Java client before 4.0 refuses \`auto.offset.reset=by_duration:…\` at start-up (it exists from 4.0, KIP-842). Old timestamps are limited by \`log.message.timestamp.before.max.ms\` (and the deprecated \`log.message.timestamp.difference.max.ms\`). With tiered storage (\`remote.storage.enable=true\`), \`local.retention.*\` only removes local copies: records stay readable until \`retention.*\` deletes them, which is what is priced here.`,
}

/** What a reset does, in one sentence. */
export function resetMeaning(reset: OffsetReset): string {
  switch (reset.kind) {
    case 'earliest':
      return 'goes on from the log start: the deleted records are lost, the rest is read'
    case 'latest':
      return 'jumps to the log end: every record still on disk after the committed offset is skipped, unread'
    case 'by-duration':
      return `goes on from the first record written in the last ${Math.round(reset.durationMs / 1000)} s: older records still on disk are skipped`
    case 'none':
      return 'poll() throws OffsetOutOfRangeException: nothing is skipped, nothing is read until the application seeks'
    case 'error':
      return 'the application gets ERR__AUTO_OFFSET_RESET and the partition stops fetching until it seeks'
  }
}
