// ISR shrink and under-min-ISR: find the partitions kafka-topics flags, why each replica left the ISR (broker
// down or hung, throttle, offline log dir, plain lag with a measured catch-up rate), then wait, lower
// min.insync.replicas with its price in copies and a revert once the ISR is back, remove a throttle, or export
// a reassignment for a broker gone for good.

import { causesCell, explainCell, findCell } from './find.ts'
import { decideCell, revertDecideCell } from './decide.ts'
import { lowerCell, revertCell } from './apply/lower-min-isr.ts'
import { nb } from './notebook.ts'
import { throttleCell } from './apply/remove-throttle.ts'
import { watchCell } from './after.ts'
import { exportCell } from './apply/export-reassignment.ts'
import { restartCell } from './apply/wait.ts'

export default nb.runbook({
  id: 'isr-shrink',
  title: 'ISR shrink and under-min-ISR: find the cause, then wait, lower min ISR or fix the replica',
  summary:
    'Partitions under min ISR (acks=all refused), at min ISR and under-replicated, the cause of each out-of-sync replica with live catch-up numbers, and a priced choice: wait, lower min.insync.replicas (reverted once the ISR is back), remove a throttle, or export a reassignment.',
  whenToUse: `A page says **under-min-ISR partitions** (\`UnderMinIsrPartitionCount\` > 0, \`kafka-topics --describe --under-min-isr-partitions\`), producers with acks=all fail with \`NOT_ENOUGH_REPLICAS\` or time out; or **under-replicated / at-min-ISR partitions** (\`UnderReplicatedPartitions\`, \`AtMinIsrPartitionCount\`) say that one more failure will stop writes.

Headless: \`runbook run isr-shrink --set action=lower-min-isr --set topics=orders,payments --set value=1 --dry-run\` prints the plan and its hash; rerun without \`--dry-run\` and with \`--approve lower-min-isr=<hash>\` (or \`--yes\`) to apply exactly that plan; \`--set revert=now\` restores it in the same run once the ISR is back.`,
  cells: [explainCell, findCell, causesCell, decideCell, lowerCell, throttleCell, exportCell, restartCell, watchCell, revertDecideCell, revertCell],
})
