// The wait: nothing changes; watch the coordinator end the transactions (bounded by --set wait-timeout).

import { notice } from '../../../lib/engine/blocks.ts'
import { ifChosen } from '../../../lib/engine/runbook.ts'
import { holdingTransaction } from '../../../lib/plans/open-transactions.ts'
import { decideCell, scopeOf } from '../decide.ts'
import { nb } from '../notebook.ts'
import { watchUnblocked } from './verify.ts'

const chosen = ifChosen(decideCell, ['wait'], 'you chose to end the transactions now')

export const waitCell = nb.query({
  id: 'wait',
  title: 'Wait for the coordinator',
  when: (ctx) => (ctx.dryRun ? 'a dry run does not wait' : chosen.when(ctx)),
  whenDoc: `${chosen.whenDoc}, not a dry run`,
  doc: 'Changes nothing: watches each stuck partition’s last stable offset until it moves (the producer or its coordinator ended the transaction) or --set wait-timeout passes, then the groups held there.',
  async run(ctx) {
    const scoped = scopeOf(ctx)
    const groups = ctx.need('groups')
    const result = await watchUnblocked(
      ctx,
      scoped.map((f) => ({
        topic: f.topic,
        partition: f.partition,
        startOffset: holdingTransaction(f)?.startOffset ?? f.lastStableOffset,
        waitingGroups: groups.filter((g) => g.topic === f.topic && g.partition === f.partition && g.where === 'waiting').map((g) => g.groupId),
      })),
      await ctx.param('wait-timeout'),
    )
    const blocks = result.ok
      ? result.blocks
      : [...result.blocks, notice('info', 'Still waiting is a choice: run the runbook again for the current ETA, or fence the producer now.')]
    return { blocks, data: { ended: result.ok, ...(result.data as object) } }
  },
})
