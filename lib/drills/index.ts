// The public door of lib/drills: the scenarios, and the runner that plays any of them.

import { acksLossScenario } from './scenarios/acks-loss.ts'
import { consumerOomScenario } from './scenarios/consumer-oom.ts'
import { isrShrinkScenario } from './scenarios/isr-shrink.ts'
import { lagRetentionScenario } from './scenarios/lag-retention.ts'
import { poisonPillScenario } from './scenarios/poison-pill.ts'
import { stuckTransactionScenario } from './scenarios/stuck-transaction.ts'
import { uncleanElectionScenario } from './scenarios/unclean-election.ts'
import type { DrillScenario } from './scenario.ts'

export type { DrillContext, DrillMetric, DrillScenario, DrillScore, DrillVariant, Incident, TraineeOutcome } from './scenario.ts'
export { chooseVariant, DrillInterrupted, runDrill, type DrillOptions, type DrillResult, type Trainee } from './drill.ts'
export { drillReportBlocks, renderDrillReport, saveDrillReport, type DrillReport } from './report.ts'

/** Every drill `runbook drill <id>` knows, by id. */
export const scenarios: readonly DrillScenario[] = [
  consumerOomScenario(),
  uncleanElectionScenario(),
  isrShrinkScenario(),
  acksLossScenario(),
  lagRetentionScenario(),
  poisonPillScenario(),
  stuckTransactionScenario(),
]

export function findScenario(id: string): DrillScenario | undefined {
  return scenarios.find((s) => s.id === id)
}
