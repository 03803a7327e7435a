// The isr-shrink runbook's parameters and shared state, and the typed cell builders every part uses.

import { param } from '../../lib/engine/params.ts'
import { notebook, type RunContext } from '../../lib/engine/runbook.ts'
import type { IsrOptionFacts, WriteHistory } from '../../lib/plans/isr-decision.ts'
import type { IsrFindings, ReplicationSnapshot } from '../../lib/plans/isr-findings.ts'
import type { MinIsrRevertRecord } from '../../lib/plans/min-isr-change.ts'
import type { CauseReport, TopicThrottles } from '../../lib/plans/replica-causes.ts'

export interface State {
  snapshot?: ReplicationSnapshot
  topicThrottles?: readonly TopicThrottles[]
  findings?: IsrFindings
  causes?: CauseReport
  history?: WriteHistory
  facts?: IsrOptionFacts
  /** Set once this run lowered min.insync.replicas: what to restore, and when it was applied. */
  lowered?: { readonly record: MinIsrRevertRecord; readonly atMs: number }
  /** Set by the watch: whether the ISR came back far enough for the revert. */
  recovered?: boolean
}

export const nb = notebook<State>()({
  topics: param.topics({
    help: 'with action=lower-min-isr: the topics to change (default: every non-internal topic whose acks=all writes fail)',
    optional: true,
  }),
  value: param.integer({
    help: 'with action=lower-min-isr: the new min.insync.replicas, from 1 to the replication factor (default: the highest value that lets every failing partition take writes)',
    min: 1,
    optional: true,
  }),
  'sample-interval': param.duration({
    help: 'time between the two samples of each out-of-sync replica’s log end (catch-up rate and ETA)',
    default: 5000,
    minMs: 0,
  }),
  'restart-command': param.string({
    help: 'with action=wait: your own command that restarts (or resumes) the down broker — run only after you confirm it',
    prompt: 'The command that brings the broker back (leave empty to do it yourself)',
    optional: true,
  }),
  'wait-for-isr': param.duration({ help: 'how long to watch the ISR recover after the chosen action (0s: do not watch)', default: 120_000, minMs: 0 }),
  'gone-brokers': param.brokers({
    help: 'with action=export-reassignment: the brokers that are gone for good (default: every down broker holding an out-of-sync replica)',
    prompt: 'Which brokers are gone for good?',
    optional: true,
  }),
})

export type Context = RunContext<State, typeof nb.params>

/** Where Kafka's own tools should connect, in the commands the runbook prints. */
export const bootstrapPlaceholder = '"$KAFKA_BOOTSTRAP_SERVERS"'
