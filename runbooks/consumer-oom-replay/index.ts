// A consumer with auto-commit was killed (OOM) after a commit covered records it had not handled yet: those
// records are lost to its group. Stop the group, rewind its committed offsets to before the loss, replay.

import { stopGroupCells } from '../../lib/cells/group-offset-change.ts'
import { rewindCell } from './apply.ts'
import { marginCell, methodCell } from './decide.ts'
import { costCell, explainCell, groupCell } from './find.ts'
import { nb } from './notebook.ts'

export default nb.runbook({
  id: 'consumer-oom-replay',
  title: 'Replay records a consumer lost to auto-commit after an OOM kill',
  summary:
    'Stop the group, rewind its committed offsets to before the kill (time, duration, shift or file), preview the replay per partition, apply, verify, undo.',
  whenToUse:
    'A consumer with `enable.auto.commit=true` was OOM-killed or `kill -9`ed and records it had fetched were never handled (missing rows, events, e-mails) while the group shows no lag. Also for any "replay this group from time T".',
  cells: [
    explainCell,
    groupCell,
    costCell,
    ...stopGroupCells(nb, {
      group: (ctx) => ctx.param('group'),
      stopCommand: (ctx) => ctx.param('stop-command'),
      waitMs: (ctx) => ctx.param('wait-for-empty'),
      change: { noun: 'the rewind', verb: 'rewind' },
    }),
    methodCell,
    marginCell,
    rewindCell,
  ],
})
