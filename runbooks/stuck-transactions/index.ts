// read_committed consumers stuck behind an open transaction: find the partitions whose last stable offset is held,
// the transaction holding each and what its coordinator knows, then wait, fence the producer, or abort a hanging
// transaction after copying its records — and watch the LSO and the held groups move.

import { abortCell, fenceCell } from './apply/end.ts'
import { waitCell } from './apply/wait.ts'
import { decideCell } from './decide.ts'
import { explainCell, findCell } from './find.ts'
import { nb } from './notebook.ts'

export default nb.runbook({
  id: 'stuck-transactions',
  title: 'read_committed consumers stuck behind an open transaction',
  summary:
    'Partitions whose last stable offset is held by an open or hanging transaction: who holds it, what its coordinator knows, and a priced wait, fence of the producer, or abort marker (records copied first).',
  whenToUse: `Consumers with \`isolation.level=read_committed\` (Kafka Streams or Flink exactly-once, Connect sinks) stop on some partitions while producers keep writing: their lag grows, read_uncommitted consumers of the same topic are fine; \`kafka-transactions find-hanging\` or \`describe-producers\` shows an open transaction; the log cleaner of a compacted topic stalls.

Headless: \`runbook run stuck-transactions --dry-run --set topics=orders\` prints the stuck partitions and the plan with its hash; \`--set partitions=orders:3 --set decision=abort --approve abort=<hash>\` applies exactly that plan.`,
  cells: [explainCell, findCell, decideCell, waitCell, fenceCell, abortCell],
})
