// The decision: wait (with the broker's restart as the operator's own command), lower min ISR, remove a
// throttle, export a reassignment for a broker gone for good, or change nothing — each priced from live numbers.

import { agree, counted, formatSeconds } from '../../lib/engine/blocks.ts'
import type { OptionPrice } from '../../lib/engine/runbook.ts'
import { planIsrOptions, type IsrOptionFacts } from '../../lib/plans/isr-decision.ts'
import { nb, type Context } from './notebook.ts'
import { copies } from './text.ts'

function facts(ctx: Context): IsrOptionFacts {
  return (ctx.state.facts ??= planIsrOptions(
    ctx.need('findings'),
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

const actions = {
  wait: 'Wait for the replicas (optionally restart a broker with your command)',
  'lower-min-isr': 'Lower min.insync.replicas on the failing topics',
  'remove-throttle': 'Remove a replication throttle that holds a replica back',
  'export-reassignment': 'Export a reassignment plan (broker gone for good)',
  report: 'Change nothing now',
} as const

type Action = keyof typeof actions

/** Each way out priced from the facts: what it costs, what it risks, and why it cannot be taken now. */
export function optionsFor(f: IsrOptionFacts): Record<Action, OptionPrice> {
  const unavailable = (action: Action) =>
    f.unavailable[action as keyof typeof f.unavailable] ? { unavailable: f.unavailable[action as keyof typeof f.unavailable]! } : {}
  const down = [...f.downBrokers, ...f.hungBrokers]
  const options: Record<Action, OptionPrice> = {
    wait: {
      label: down.length > 0 ? `Wait for the replicas (restart broker ${down.join(', ')} with your own command)` : 'Wait for the replicas to catch up',
      cost: waitCost(f),
      risk:
        f.failing > 0
          ? 'producers exhaust their retries and fail records to the application; the longer it lasts, the more'
          : 'another failure before they are back stops writes on the partitions at min ISR',
      ...unavailable('wait'),
    },
    'lower-min-isr': {
      label:
        f.lowerTo === null
          ? 'Lower min.insync.replicas on the failing topics'
          : `Lower min.insync.replicas to ${f.lowerTo} on ${counted(f.failingTopics.length, 'topic')} (${f.failingTopics.slice(0, 3).join(', ')}${f.failingTopics.length > 3 ? ', …' : ''})`,
      cost:
        f.lowerTo === null
          ? 'acks=all then waits for fewer copies'
          : `writes resume at the producers' next retry; until the ISR is back, acks=all means ${copies(f.lowerTo)}; reverted once the ISR recovers`,
      risk:
        f.lowerTo === 1
          ? 'if the leader’s broker fails before a follower copies the new records, acknowledged writes are lost'
          : 'fewer copies than intended: one more failure can lose acknowledged writes',
      ...unavailable('lower-min-isr'),
    },
    'remove-throttle': {
      label: `Remove the replication throttle that holds back ${counted(f.throttledFollowers, 'replica')}`,
      cost: 'the followers fetch at full speed (more network and disk on the leaders for a while); the throttle entries come back with runbook undo',
      risk: 'an ongoing reassignment that relied on the throttle also copies at full speed',
      ...unavailable('remove-throttle'),
    },
    'export-reassignment': {
      label: `${f.downBrokers.length ? `Broker ${f.downBrokers.join(', ')} is` : 'A broker is'} gone for good: write a reassignment plan for kafka-reassign-partitions`,
      cost: 'nothing is applied here: a JSON file to review and run with Kafka’s own tool, copying the partitions to other brokers',
      risk: 'moving replicas copies whole partitions; run it only if the broker will not come back',
      ...unavailable('export-reassignment'),
    },
    report: {
      label: 'Change nothing now (report only)',
      cost: 'nothing changes; the findings are in the notebook',
      risk: f.failing > 0 ? 'writes stay refused' : 'none right now',
    },
  }
  options[f.recommended as Action] = { ...options[f.recommended as Action], recommended: true }
  return options
}

export const decideCell = nb.decide({
  id: 'action',
  title: 'What to do',
  doc: 'The ways out, each with its cost from the numbers above: wait (the ETA from the catch-up rate, or the down broker’s restart by your own command), lower min.insync.replicas on the failing topics (durability in copies, ELR cleared on 4.x, revert offered once the ISR is back), remove a replication throttle that keeps a follower out, or — for a broker gone for good — export a reassignment plan for kafka-reassign-partitions. A headless run without --set action=… changes nothing.',
  question: 'What do you want to do?',
  when: (ctx) => ((ctx.state.findings?.partitions.length ?? 0) > 0 ? true : 'nothing is flagged'),
  whenDoc: 'some partition is flagged',
  options: actions,
  price: (ctx) => optionsFor(facts(ctx)),
  because: (ctx) => facts(ctx).because,
  headlessDefault: 'report',
})

export const revertDecideCell = nb.decide({
  id: 'revert',
  title: 'Put min.insync.replicas back',
  doc: 'Once the ISR of every changed topic is back to at least the previous min.insync.replicas, restoring it costs no write: offered now, or later with `runbook undo <session>`. A headless run without --set revert=now leaves it for later.',
  question: 'The ISR is back. Restore min.insync.replicas now?',
  when: (ctx) =>
    !ctx.state.lowered
      ? 'min.insync.replicas was not lowered in this run'
      : ctx.state.recovered
        ? true
        : 'the ISR has not recovered yet: restore later with runbook undo',
  whenDoc: 'this run lowered min.insync.replicas and the ISR recovered',
  options: { now: 'Restore it now', later: 'Later (runbook undo <session>)' },
  price: (ctx) => ({
    now: {
      cost: 'none: every partition has enough replicas in sync to keep taking writes',
      risk: 'writes stop again if a replica drops out before the ISR is full',
      recommended: true,
    },
    later: {
      cost: `acks=all stays acknowledged by ${copies(ctx.state.lowered?.record.value ?? 1)} on ${counted(ctx.state.lowered?.record.topics.length ?? 0, 'topic')} until then`,
      risk: 'a failure of a leader meanwhile can lose acknowledged writes',
    },
  }),
  because: () => 'the replicas are back, so the full guarantee costs nothing now',
  headlessDefault: 'later',
})
