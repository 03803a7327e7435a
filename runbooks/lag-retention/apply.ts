// The changes: the raised retention through the shared topic-config change (validate-only, re-check, read-back,
// undo that restores value and source), and the move of partitions below the log start to it through the shared
// offset change of a stopped group.

import { type Block, counted, formatCount, iso, markdown, notice, table } from '../../lib/engine/blocks.ts'
import { ifChosen } from '../../lib/engine/runbook.ts'
import { offsetChange, stopGroupCells } from '../../lib/cells/group-offset-change.ts'
import { topicConfigChange } from '../../lib/cells/topic-config-change.ts'
import { readLogBounds } from '../../lib/reads/consumer-group.ts'
import { planRetentionRaise, type RetentionRaise, wayOutCell } from './decide.ts'
import { restoreCost } from './after.ts'
import { nb } from './notebook.ts'
import { diskTable } from './tables.ts'

const raising = ifChosen(wayOutCell, ['raise-retention', 'both'])
const moving = ifChosen(wayOutCell, ['move-to-log-start', 'both'])

export const raiseCell = topicConfigChange(nb, {
  id: 'raise-retention',
  title: 'Raise the retention',
  doc: 'Sets retention.ms (and retention.bytes where size deletes the unread records) on each racing topic to keep every unread record until the group has read it, plus the margin: validated first, re-checked, read back; runbook undo puts the previous values and sources back.',
  ...raising,
  async targets(ctx) {
    const raises = await planRetentionRaise(ctx)
    const targets = raises.flatMap((r) => [
      ...(r.toMs !== r.fromMs ? [{ topic: r.topic, name: 'retention.ms', value: r.toMs === null ? '-1' : String(r.toMs) }] : []),
      ...(r.toBytes !== r.fromBytes ? [{ topic: r.topic, name: 'retention.bytes', value: r.toBytes === null ? '-1' : r.toBytes.toString() }] : []),
    ])
    return { targets, facts: raises }
  },
  preview: (plan) => {
    const raises = plan.facts as readonly RetentionRaise[]
    const blocks: Block[] = [
      table(
        ['Topic', 'Setting', 'Now', 'After'],
        plan.changes.map((c) => [c.topic, c.name, `${c.before.value ?? 'unset'} (${c.before.source})`, c.after ?? 'inherited']),
        { footer: 'Every other setting of the topic stays as it is (IncrementalAlterConfigs).' },
      ),
      diskTable(raises.flatMap((r) => r.disk)),
    ]
    for (const r of raises)
      blocks.push(
        notice(
          'info',
          `${r.topic}: keeps ${formatCount(r.keeps)} unread records. ${r.caughtUpAtMs === null ? 'The group does not catch up at the measured rates: the raise only buys time until it is fixed.' : `The group should have caught up around ${iso(r.caughtUpAtMs)}; this run watches for that and offers to put the retention back (or runbook undo later); the restore deletes, at the next check, every segment the old retention has expired meanwhile, and says first how many records that is.`}`,
        ),
      )
    return blocks
  },
  restoreCost,
  onApplied: (ctx, applied) => {
    ctx.state.raised = applied
  },
  summary: (plan) =>
    `raise the retention of ${[...new Set(plan.changes.map((c) => c.topic))].join(', ')}: ${plan.changes.map((c) => `${c.name} ${c.before.value ?? 'unset'} → ${c.after}`).join(', ')}`,
})

export const stopCells = stopGroupCells(nb, {
  group: (ctx) => ctx.param('group'),
  stopCommand: (ctx) => ctx.param('stop-command'),
  waitMs: (ctx) => ctx.param('wait-for-empty'),
  change: { noun: 'the move to the log start', verb: 'move the offsets' },
  ...moving,
})

export const moveCell = offsetChange(nb, {
  id: 'move-to-log-start',
  title: 'Move the partitions below the log start to the log start',
  doc: 'Commits the log start (the earliest offset still on disk) for every partition whose committed offset is below it, so the consumers read the backlog instead of resetting to latest; re-checks that the group is Empty with the same commits, reads back, and writes an undo record.',
  ...moving,
  async targets(ctx) {
    const groupId = await ctx.param('group')
    const below = ctx.need('races').filter((r) => r.status === 'below-log-start')
    // The log start as it is now: retention may have moved it since the race was read.
    const { logs } = await readLogBounds(ctx.kafka, below, null)
    return { groupId, targets: logs.map((l) => ({ topic: l.topic, partition: l.partition, offset: l.logStart })) }
  },
  next: (plan) => [
    markdown(
      `**Next:** start the consumers again; they read from the log start on ${counted(plan.moves.length, 'partition')}. If the group is still slower than the writes, raise the retention too, or it races retention again.`,
    ),
  ],
})
