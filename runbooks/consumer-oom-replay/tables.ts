// The blocks of the consumer-oom-replay runbook: the group and its lag, the rewind preview, the margin.

import { agree, type Block, counted, facts, formatCount, formatSeconds, notice, table } from '../../lib/engine/blocks.ts'
import type { TopicPartition } from '../../lib/kafka/types.ts'
import { describePartitions, type PartitionMove, type RewindPlan } from '../../lib/plans/offset-rewind.ts'
import type { MarginSuggestion } from '../../lib/plans/replay-margin.ts'
import type { GroupView, LogBounds } from '../../lib/reads/consumer-group.ts'
import { describeMethod, describeSpan, noteText } from './text.ts'

/** At most this many partition rows on screen; the plan in the transcript (and --json) has them all. */
export const maxRows = 60

const tp = (p: TopicPartition) => `${p.topic}/${p.partition}`

export function groupFacts(view: GroupView): Block {
  return facts(
    [
      ['Group', view.groupId],
      ['State', view.state],
      ['Protocol', view.type === 'consumer' ? 'consumer (KIP-848)' : view.type],
      ['Members', String(view.members.length)],
      ['Coordinator', view.coordinator === null ? 'unknown' : `broker ${view.coordinator}`],
    ],
    'The group now',
  )
}

/** Per partition: committed, log start, log end, lag; sorted by lag, biggest first. */
export function lagTable(view: GroupView, logs: readonly LogBounds[]): Block {
  const committed = new Map(view.committed.map((c) => [tp(c), c.offset]))
  const rows = logs
    .map((log) => {
      const offset = committed.get(tp(log)) ?? null
      const lag = offset === null ? null : log.logEnd > offset ? log.logEnd - offset : 0n
      return { log, offset, lag }
    })
    .sort((a, b) => ((b.lag ?? -1n) > (a.lag ?? -1n) ? 1 : (b.lag ?? -1n) < (a.lag ?? -1n) ? -1 : tp(a.log).localeCompare(tp(b.log))))
  const total = rows.reduce((sum, r) => sum + (r.lag ?? 0n), 0n)
  return table(
    ['Topic', 'Partition', 'Committed', 'Log start', 'Log end', 'Lag'],
    rows.slice(0, maxRows).map(({ log, offset, lag }) => [log.topic, log.partition, offset ?? 'none', log.logStart, log.logEnd, lag]),
    {
      title: 'Committed offsets',
      footer: `${counted(rows.length, 'partition')}, total lag ${formatCount(total)}${rows.length > maxRows ? ` — ${formatCount(rows.length - maxRows)} more not shown (the transcript has them all)` : ''}`,
    },
  )
}

function moveRow(move: PartitionMove): (string | bigint | number)[] {
  return [
    move.topic,
    move.partition,
    move.committed ?? 'none',
    move.target,
    move.replayMessages,
    describeSpan(move.replayFromMs, move.replayToMs),
    move.notes.length ? '⚠' : '',
  ]
}

/** The plan as the operator approves it: per partition, totals, warnings, and the same reset with Kafka's tool. */
export function previewBlocks(plan: RewindPlan): Block[] {
  const moves = [...plan.moves].sort(
    (a, b) => b.notes.length - a.notes.length || (b.replayMessages > a.replayMessages ? 1 : b.replayMessages < a.replayMessages ? -1 : 0),
  )
  const shown = plan.moves.length > maxRows ? moves.slice(0, maxRows) : plan.moves
  const blocks: Block[] = [
    facts(
      [
        ['Group', `${plan.groupId} (${plan.basedOn.state})`],
        ['Rewind', describeMethod(plan.method, plan.marginMs, plan.rewindToMs)],
        [
          'Partitions',
          `${formatCount(plan.totals.partitions)} (${plan.scope === 'all-topics' && plan.method.kind !== 'from-file' ? 'every partition with a committed offset' : 'as named'})`,
        ],
        ['Messages to replay', formatCount(plan.totals.replayMessages)],
        ['Written between', describeSpan(plan.totals.replayFromMs, plan.totals.replayToMs)],
        ...(plan.totals.skipMessages > 0n ? [['Messages skipped', formatCount(plan.totals.skipMessages)] as [string, string]] : []),
        ...(plan.totals.goneMessages > 0n ? [['Gone for good (retention)', formatCount(plan.totals.goneMessages)] as [string, string]] : []),
      ],
      'The rewind',
    ),
    table(['Topic', 'Partition', 'Committed', 'Target', 'Replay', 'Records written', ''], shown.map(moveRow), {
      title: 'Per partition',
      footer:
        plan.moves.length > maxRows
          ? `${formatCount(maxRows)} of ${formatCount(plan.moves.length)} partitions shown (warnings first, then the biggest replays); the transcript and --json have every partition`
          : `${counted(plan.moves.length, 'partition')}, ${formatCount(plan.totals.replayMessages)} messages to replay`,
    }),
  ]
  const warned = plan.moves.filter((m) => m.notes.length > 0)
  const byText = new Map<string, TopicPartition[]>()
  for (const move of warned) {
    for (const note of move.notes) {
      // Group identical warnings; per-partition numbers stay in the line.
      const text = noteText(note)
      const same = byText.get(text)
      if (same) same.push(move)
      else byText.set(text, [move])
    }
  }
  for (const [text, partitions] of byText) {
    const danger = text.startsWith('moves FORWARD') || text.includes('gone for good') || text.includes('retention deleted')
    blocks.push(notice(danger ? 'danger' : 'warn', `${describePartitions(partitions)}: ${text}`))
  }
  if (plan.untouched.length > 0) {
    blocks.push(
      notice(
        'warn',
        `${describePartitions(plan.untouched)} ${agree(plan.untouched.length, 'has', 'have')} no committed offset and ${agree(plan.untouched.length, 'is', 'are')} left alone (as --all-topics does); name the topic with --set topics=… to include ${agree(plan.untouched.length, 'it', 'them')}`,
      ),
    )
  }
  if (plan.basedOn.state !== 'Empty' && plan.basedOn.state !== 'Dead') {
    blocks.push(notice('warn', `The group is ${plan.basedOn.state} now: a real run stops here until every member is gone.`))
  }
  blocks.push(notice('info', `The same reset with Kafka's own tool: \`${plan.kafkaCommand}\``))
  return blocks
}

export function marginBlocks(suggestion: MarginSuggestion): Block {
  return facts(
    [
      [
        'auto.commit.interval.ms',
        `${formatSeconds(suggestion.intervalMs)}${suggestion.intervalGiven ? '' : ' (Java default; give --set auto-commit-interval=… if yours differs)'}`,
      ],
      [
        'Batch in memory',
        `${formatCount(suggestion.batchRecords)} records${suggestion.batchGiven ? '' : ' (max.poll.records default; give --set max-poll-records=…)'}`,
      ],
      ['Write rate', `${suggestion.recordsPerSecond.toFixed(1)} records/s into the group's partitions`],
      ['One batch spans', suggestion.recordsPerSecond > 0 ? formatSeconds(suggestion.batchMs) : '— (nothing written around that time)'],
      ['Suggested margin', formatSeconds(suggestion.marginMs)],
    ],
    'How the margin is computed',
  )
}
