// Before the incident: what each topic would lose. Reads replication factor, min.insync.replicas, unclean
// leader election and rack placement (with where each setting comes from), judges producers' own configs
// against the topics they write, ranks the findings, and — only when asked — fixes settings (undoable) and
// exports a reassignment plan for what settings cannot fix.

import { afterFixesCell, reassignmentCell } from './after.ts'
import { minIsrCell, uncleanCell } from './apply.ts'
import { raiseMinIsrDecision, uncleanOffDecision } from './decide.ts'
import { clusterCell, explainCell, findingsCell, producersCell, topicsCell } from './find.ts'
import { nb } from './notebook.ts'

export default nb.runbook({
  id: 'durability-audit',
  title: 'Durability audit: what each topic would lose',
  summary:
    'Replication factor, min.insync.replicas, unclean election and racks per topic (with where each is set), producers’ acks against them, ranked; optional undoable fixes and a reassignment plan. Read-only unless asked.',
  whenToUse:
    'Before an incident: "could acks=all lose data here?", "what happens if broker 3 dies?", a new cluster or a config review, or a CI gate (`--json --fail-on high`). After one: a producer lost acknowledged records (acks=1, a leader crash) or an unclean election did.',
  cells: [
    explainCell,
    clusterCell,
    findingsCell,
    topicsCell,
    producersCell,
    raiseMinIsrDecision,
    minIsrCell,
    uncleanOffDecision,
    uncleanCell,
    reassignmentCell,
    afterFixesCell,
  ],
})
