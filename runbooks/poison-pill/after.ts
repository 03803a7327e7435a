// After the skip: the operator's start command, then a bounded watch of the partition until the group commits
// past the skipped record (the service handles what follows) — or says plainly that it did not.

import { counted, formatCount, formatSeconds, notice } from '../../lib/engine/blocks.ts'
import { pollUntil } from '../../lib/poll/index.ts'
import { readPartitionProgress } from '../../lib/reads/group-progress.ts'
import { type Ctx, nb, tpKey } from './notebook.ts'

const skipped = (ctx: Ctx): true | string => (ctx.outcome('skip') === 'applied' ? true : 'nothing was skipped')

export const startCell = nb.shell({
  id: 'start-command',
  title: 'Start the consumers again',
  doc: 'Runs your command that starts the consumers again (confirmed; approved by hash in headless runs), once the skip is applied.',
  when: skipped,
  whenDoc: 'the skip was applied',
  command: async (ctx) => (await ctx.param('start-command')) ?? null,
  skipReason: 'no start command given: start the consumers yourself and watch the lag',
})

export const watchCell = nb.query({
  id: 'watch',
  title: 'Watch the partition move again',
  doc: 'After the start command: re-reads the group’s committed offset on the partition every 2 s for at most --set watch-for, until it is past the new offset (the service handles the records after the skipped one).',
  when: async (ctx) => {
    const applied = skipped(ctx)
    if (applied !== true) return applied
    if (ctx.outcome('start-command') !== 'applied' && ctx.outcome('start-command') !== 'done') return 'the consumers were not started by this run'
    return (await ctx.param('watch-for')) > 0 ? true : 'watch-for is 0s'
  },
  whenDoc: 'the skip was applied and the start command ran',
  async run(ctx) {
    const target = ctx.need('target')
    const plan = ctx.state.plan
    const from = plan?.target ?? ctx.need('look').committed + 1n
    const limitMs = await ctx.param('watch-for')
    const started = ctx.now()
    const last = await pollUntil(
      () => readPartitionProgress(ctx.kafka, target.groupId, target),
      (p) => p.committed !== null && p.committed > from,
      { sleep: ctx.sleep, intervalMs: 2000, attempts: Math.max(1, Math.ceil(limitMs / 2000)) },
    )
    const waited = formatSeconds(Math.max(0, ctx.now() - started))
    const lag = last.committed !== null && last.logEnd !== null ? last.logEnd - last.committed : null
    if (last.committed !== null && last.committed > from)
      return {
        blocks: [
          notice(
            'ok',
            `Group ${target.groupId} moves again on ${tpKey(target)}: committed ${last.committed} (past ${from}), lag ${lag === null ? 'unknown' : formatCount(lag)}, ${counted(last.members, 'member')} (${last.state}), after ${waited}.`,
          ),
        ],
        data: { moving: true, committed: last.committed, lag },
      }
    return {
      blocks: [
        notice(
          'warn',
          `Group ${target.groupId} has not committed past ${from} on ${tpKey(target)} within ${waited} (committed ${last.committed ?? 'none'}, ${counted(last.members, 'member')}, ${last.state}). If the service crashes again, the next record may be bad too: run this runbook again.`,
        ),
      ],
      data: { moving: false, committed: last.committed, lag },
    }
  },
})
