// A consumer group stuck on one record (a poison pill): find the stuck partition, look at the record, keep a copy
// in a dead-letter topic, and skip exactly it with the group stopped.

import { stopGroupCells } from '../../lib/cells/group-offset-change.ts'
import { startCell, watchCell } from './after.ts'
import { skipCell } from './apply.ts'
import { actionCell } from './decide.ts'
import { explainCell, findCell, lookCell } from './find.ts'
import { type Ctx, nb } from './notebook.ts'

const skipChosen = (ctx: Ctx): true | string => {
  const action = ctx.decision(actionCell)
  return action !== undefined && action !== 'no-skip' ? true : 'you chose to skip nothing'
}

export default nb.runbook({
  id: 'poison-pill',
  title: 'A consumer group stuck on one record (poison pill)',
  summary:
    'Find the partition whose committed offset stands still, look at the record there (safely), copy it to a dead-letter topic, skip exactly it with the group stopped; preview, re-check, read back, undo.',
  whenToUse:
    'A consumer service crash-loops or retries forever on one record (a deserializer error, a value that trips a bug): one partition’s lag grows while its committed offset stands still, and every restart lands on the same record. Instead of a blind `kafka-consumer-groups --reset-offsets --shift-by 1`.',
  cells: [
    explainCell,
    findCell,
    lookCell,
    actionCell,
    ...stopGroupCells(nb, {
      group: (ctx) => Promise.resolve(ctx.need('target').groupId),
      stopCommand: (ctx) => ctx.param('stop-command'),
      waitMs: (ctx) => ctx.param('wait-for-empty'),
      change: { noun: 'the skip', verb: 'skip the record' },
      when: skipChosen,
      restarting: (ctx) => (ctx.need('target').suspect.verdict === 'crash-loop' ? 'the find step saw its consumers crash-loop on this record' : undefined),
    }),
    skipCell,
    startCell,
    watchCell,
  ],
})
