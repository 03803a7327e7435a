// A consumer group falls behind and retention is about to delete records it has not read (or already has):
// find when and how many, price raising retention, moving the group to the log start, or accepting the loss.

import { afterCell, revertCell, watchCell } from './after.ts'
import { moveCell, raiseCell, stopCells } from './apply.ts'
import { wayOutCell } from './decide.ts'
import { explainCell, raceCell, resetCell } from './find.ts'
import { nb } from './notebook.ts'

export default nb.runbook({
  id: 'lag-retention',
  title: 'Consumer lag racing retention',
  summary:
    'Per partition: when retention deletes the first record the group has not read and how many go; raise retention with a priced disk cost and undo, move a group below the log start to it, or accept the loss.',
  whenToUse:
    'A consumer group is far behind (slow deploy, downstream outage, paused job) on a topic with time or size retention, or its committed offsets are already below the log start (lag that shrank without the group reading).',
  cells: [explainCell, raceCell, resetCell, wayOutCell, raiseCell, ...stopCells, moveCell, afterCell, watchCell, revertCell],
})
