// Offline partitions and the unclean leader election decision: find the leaderless partitions and who holds
// their committed records, price every live replica as a candidate from live numbers, then wait, elect a chosen
// replica on listed partitions, or let the controller pick under a one-shot unclean flag — and clean up after.

import { aftermathCell } from './after.ts'
import { estimateCell, findCell, incidentCell, rulesCell } from './find.ts'
import { decideCell, priceCell, redecideCell, repriceCell } from './decide.ts'
import { awaitCell } from './apply/wait.ts'
import { restartTrialCell } from './apply/restart.ts'
import { electCell } from './apply/elect.ts'
import { flagCell } from './apply/flag.ts'
import { reproduceCell } from './apply/reproduce.ts'
import { salvageCopyCell, salvageDecision } from './apply/salvage.ts'
import { nb } from './notebook.ts'

export default nb.runbook({
  id: 'unclean-election',
  title: 'Offline partitions: wait, or elect an out-of-sync replica',
  summary:
    'Leaderless partitions: who holds their committed records, what each live replica would lose if elected, and a safe wait, a chosen unclean election, or a one-shot unclean flag.',
  whenToUse: `A page says **offline partitions** (\`OfflinePartitionsCount\` > 0, \`kafka-topics --describe --unavailable-partitions\` lists partitions with \`Leader: none\`), producers fail with \`NOT_LEADER_OR_FOLLOWER\` or time out, consumers of some partitions stand still — and the brokers that held those partitions' in-sync replicas are down.

Headless: \`runbook run unclean-election --dry-run --set partitions=orders:0,orders:3 --set candidate=2\` prints the estimates and the plan with its hash; rerun without \`--dry-run\` and with \`--approve elect=<hash>\` to apply exactly that plan. Give the outage you expect (\`--set expected-outage=4h\`, or \`unknown\`) and your \`--set policy=no-acked-loss|min-records\`: waiting is priced in the same records as electing, and the recommendation follows the numbers; with an unknown outage a headless run needs \`--set decision=…\`.`,
  cells: [
    incidentCell,
    findCell,
    rulesCell,
    estimateCell,
    priceCell,
    decideCell,
    restartTrialCell,
    repriceCell,
    redecideCell,
    salvageDecision,
    salvageCopyCell,
    awaitCell,
    electCell,
    flagCell,
    aftermathCell,
    reproduceCell,
  ],
})
