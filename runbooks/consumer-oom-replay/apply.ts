// The rewind: the new offsets exactly as kafka-consumer-groups --reset-offsets would pick them, then the shared
// offset-change cell (re-check, commit, read back, undo with a --from-file CSV of the previous offsets).

import { counted, formatCount, markdown } from '../../lib/engine/blocks.ts'
import { Refusal } from '../../lib/engine/runbook.ts'
import { offsetChange } from '../../lib/cells/group-offset-change.ts'
import { iso } from '../../lib/format/time.ts'
import {
  isRewindFault,
  planRewindScope,
  planRewindTargets,
  replayTimeQueries,
  rewindTimeMs,
  type RewindPlan,
  withReplayTimes,
} from '../../lib/plans/offset-rewind.ts'
import { readGroupView, readLogBounds, readRecordTimes } from '../../lib/reads/consumer-group.ts'
import { rewindRequest } from './decide.ts'
import { type Ctx, nb, refuse } from './notebook.ts'
import { previewBlocks } from './tables.ts'
import { describeSpan } from './text.ts'

/** Plans from the cluster as it is now (a re-plan after drift sees the new state). */
async function planRewind(ctx: Ctx): Promise<RewindPlan> {
  const groupId = await ctx.param('group')
  const request = await rewindRequest(ctx, groupId)
  const alsoTopics = [
    ...(request.scope.kind === 'topics' ? request.scope.topics.map((t) => t.topic) : []),
    ...(request.method.kind === 'from-file' ? request.method.lines.map((l) => l.topic) : []),
  ]
  const view = await readGroupView(ctx.kafka, groupId, { alsoTopics, nowMs: ctx.now() })
  // A dry run previews the plan while the consumers still run: operators look before they stop a service.
  const scope = planRewindScope(ctx.dryRun ? { ...view, state: 'Empty', members: [] } : view, request)
  if (isRewindFault(scope)) throw refuse(scope)
  const timeMs = rewindTimeMs(request, view.takenAtMs)
  if (timeMs !== null && timeMs > ctx.now()) throw new Refusal(`the rewind time ${iso(timeMs)} is in the future — give a time that has passed; nothing changed`)
  const { logs, unreadable } = await readLogBounds(ctx.kafka, scope, timeMs)
  if (unreadable) throw refuse({ kind: 'unreadable', ...unreadable })
  const planned = planRewindTargets(view, request, logs, '"$KAFKA_BOOTSTRAP_SERVERS"')
  if (isRewindFault(planned)) throw refuse(planned)
  return withReplayTimes(planned, await readRecordTimes(ctx.kafka, replayTimeQueries(planned)))
}

export const rewindCell = offsetChange(nb, {
  id: 'rewind',
  title: 'Rewind the committed offsets',
  doc: 'Plans the new offsets exactly as kafka-consumer-groups --reset-offsets would, previews per partition what is replayed and what is gone, re-checks that the group is still Empty with the same commits, commits the targets (admin commit), reads them back, and writes an undo record with a --from-file CSV of the previous offsets.',
  plan: planRewind,
  preview: previewBlocks,
  summary: (plan) =>
    `rewind group ${plan.groupId} on ${counted(plan.totals.partitions, 'partition')}: ${formatCount(plan.totals.replayMessages)} messages to replay${plan.totals.skipMessages > 0n ? `, ${formatCount(plan.totals.skipMessages)} skipped` : ''}`,
  confirm: (plan) =>
    plan.totals.replayMessages > 0n
      ? {
          kind: 'typed',
          expected: plan.totals.replayMessages.toString(),
          prompt: `Type ${plan.totals.replayMessages} to replay ${formatCount(plan.totals.replayMessages)} messages of group ${plan.groupId}`,
        }
      : { kind: 'typed', expected: plan.groupId, prompt: `Nothing is replayed. Type ${plan.groupId} to move its offsets anyway` },
  next: (plan) => [
    markdown(
      `**Next:** start the consumers again. They replay ${formatCount(plan.totals.replayMessages)} messages written ${describeSpan(plan.totals.replayFromMs, plan.totals.replayToMs)}; watch the lag fall to zero. Changed your mind before starting them? \`runbook undo\` restores the previous offsets (the undo record also holds them as a CSV for \`kafka-consumer-groups --reset-offsets --from-file\`).`,
    ),
  ],
})
