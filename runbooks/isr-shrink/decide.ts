// The decision: wait (with the broker's restart as the operator's own command), lower min ISR, remove a
// throttle, export a reassignment for a broker gone for good, or change nothing — each priced from live numbers.

import { agree, counted, formatSeconds } from '../../lib/engine/blocks.ts'
import type { DecisionOption } from '../../lib/engine/runbook.ts'
import { planIsrOptions, type IsrOptionFacts } from '../../lib/plans/isr-decision.ts'
import { nb, type Context } from './notebook.ts'

function facts(ctx: Context): IsrOptionFacts {
  return (ctx.state.facts ??= planIsrOptions(
    ctx.state.findings!,
    ctx.state.causes ?? null,
    ctx.state.history ?? { recordsPerSecond: null, lastAcceptedMs: null },
    ctx.now(),
  ))
}

function waitCost(f: IsrOptionFacts): string {
  if (f.failing === 0)
    return `no write is refused now; ${counted(f.atMin, 'partition')} ${agree(f.atMin, 'stays', 'stay')} one failure away from refusing until the replicas are back`
  const refused =
    f.recordsRefusedWhileWaiting === null ? '' : ` — about ${f.recordsRefusedWhileWaiting.toLocaleString('en-US')} records at the rate before the failure`
  const since = f.failingForMs === null ? '' : ` (no record accepted for ${formatSeconds(f.failingForMs)} already)`
  if (f.writesBackInMs !== null)
    return `acks=all writes on ${counted(f.failing, 'partition')} stay refused for about ${formatSeconds(f.writesBackInMs)} more${refused}${since}`
  const down = [...f.downBrokers, ...f.hungBrokers]
  return `acks=all writes on ${counted(f.failing, 'partition')} stay refused until ${down.length ? `broker ${down.join(', ')} is back and catches up` : 'the replicas catch up'} — no replica is catching up now, so the time is unknown${since}`
}

export function optionsFor(f: IsrOptionFacts): DecisionOption[] {
  const options: DecisionOption[] = [
    {
      value: 'wait',
      label:
        f.downBrokers.length + f.hungBrokers.length > 0
          ? `Wait for the replicas (restart broker ${[...f.downBrokers, ...f.hungBrokers].join(', ')} with your own command)`
          : 'Wait for the replicas to catch up',
      cost: waitCost(f),
      risk:
        f.failing > 0
          ? 'producers exhaust their retries and fail records to the application; the longer it lasts, the more'
          : 'another failure before they are back stops writes on the partitions at min ISR',
      ...(f.unavailable.wait ? { unavailable: f.unavailable.wait } : {}),
    },
    {
      value: 'lower-min-isr',
      label:
        f.lowerTo === null
          ? 'Lower min.insync.replicas on the failing topics'
          : `Lower min.insync.replicas to ${f.lowerTo} on ${counted(f.failingTopics.length, 'topic')} (${f.failingTopics.slice(0, 3).join(', ')}${f.failingTopics.length > 3 ? ', …' : ''})`,
      cost:
        f.lowerTo === null
          ? 'acks=all then waits for fewer copies'
          : `writes resume at the producers' next retry; until the ISR is back, acks=all means ${f.lowerTo === 1 ? 'a single copy (the leader alone)' : `${f.lowerTo} copies`}; reverted once the ISR recovers`,
      risk:
        f.lowerTo === 1
          ? 'if the leader’s broker fails before a follower copies the new records, acknowledged writes are lost'
          : 'fewer copies than intended: one more failure can lose acknowledged writes',
      ...(f.unavailable['lower-min-isr'] ? { unavailable: f.unavailable['lower-min-isr'] } : {}),
    },
    {
      value: 'remove-throttle',
      label: `Remove the replication throttle that holds back ${counted(f.throttledFollowers, 'replica')}`,
      cost: 'the followers fetch at full speed (more network and disk on the leaders for a while); the throttle entries come back with runbook undo',
      risk: 'an ongoing reassignment that relied on the throttle also copies at full speed',
      ...(f.unavailable['remove-throttle'] ? { unavailable: f.unavailable['remove-throttle'] } : {}),
    },
    {
      value: 'export-reassignment',
      label: `${f.downBrokers.length ? `Broker ${f.downBrokers.join(', ')} is` : 'A broker is'} gone for good: write a reassignment plan for kafka-reassign-partitions`,
      cost: 'nothing is applied here: a JSON file to review and run with Kafka’s own tool, copying the partitions to other brokers',
      risk: 'moving replicas copies whole partitions; run it only if the broker will not come back',
      ...(f.unavailable['export-reassignment'] ? { unavailable: f.unavailable['export-reassignment'] } : {}),
    },
    {
      value: 'report',
      label: 'Change nothing now (report only)',
      cost: 'nothing changes; the findings are in the notebook',
      risk: f.failing > 0 ? 'writes stay refused' : 'none right now',
    },
  ]
  return options.map((o) => (o.value === f.recommended ? { ...o, recommended: true } : o))
}

export const decideCell = nb.decide({
  id: 'action',
  title: 'What to do',
  doc: 'The ways out, each with its cost from the numbers above: wait (the ETA from the catch-up rate, or the down broker’s restart by your own command), lower min.insync.replicas on the failing topics (durability in copies, ELR cleared on 4.x, revert offered once the ISR is back), remove a replication throttle that keeps a follower out, or — for a broker gone for good — export a reassignment plan for kafka-reassign-partitions. A headless run without --set action=… changes nothing.',
  question: 'What do you want to do?',
  when: (ctx) => ((ctx.state.findings?.partitions.length ?? 0) > 0 ? true : 'nothing is flagged'),
  whenDoc: 'some partition is flagged',
  choices: [
    { value: 'wait', label: 'Wait for the replicas (optionally restart a broker with your command)' },
    { value: 'lower-min-isr', label: 'Lower min.insync.replicas on the failing topics' },
    { value: 'remove-throttle', label: 'Remove a replication throttle that holds a replica back' },
    { value: 'export-reassignment', label: 'Export a reassignment plan (broker gone for good)' },
    { value: 'report', label: 'Change nothing now' },
  ],
  options: (ctx) => optionsFor(facts(ctx)),
  because: (ctx) => facts(ctx).because,
  headlessDefault: 'report',
})
