// The choice — wait for a complete broker, elect a chosen replica, or let Kafka pick under the unclean flag —
// priced from the cluster for the partitions in question.

import { agree, counted, formatCount, formatSeconds, notice } from '../../lib/engine/blocks.ts'
import { type OptionPrice, Refusal } from '../../lib/engine/runbook.ts'
import { partitionName, uncleanEnabled, type PartitionRecovery } from '../../lib/plans/leaderless.ts'
import { describePlanFault, findLeaderless } from '../../lib/plans/unclean-election.ts'
import { exactTotal } from '../../lib/plans/dead-leader-loss.ts'
import { candidateOf, totalLoss, type PartitionEstimate } from '../../lib/plans/unclean-estimate.ts'
import { priceOutage, uncleanScanMs, type OptionEffects, type OutageOption, type PartitionEffect, type PricingInput } from '../../lib/plans/outage-price.ts'
import { remainingOutage, repriceWithElapsed, restartWatchDeadline, type WatchDeadline } from '../../lib/plans/restart-watch.ts'
import type { TopicPartition } from '../../lib/kafka/types.ts'
import { readPreFailureRates } from '../../lib/reads/write-rate.ts'
import { partitionKey } from '../../lib/reads/leaderless.ts'
import { noLeaderless, recoveriesOf, restartLoss, rulesOf } from './find.ts'
import { nb, scopeOf, type Context } from './notebook.ts'
import { brokers, fewNames, provenLoss, timeText, waitingText, watchBasisText } from './text.ts'
import { pricingBlocks, recommendationText } from './tables.ts'

/** The partitions this run is about, their recoveries and their estimates. */
export const inScope = (ctx: Context) => {
  const wanted = new Set(scopeOf(ctx).map(partitionKey))
  const snapshot = ctx.need('snapshot')
  return {
    partitions: snapshot.partitions.filter((p) => wanted.has(partitionKey(p))),
    recoveries: recoveriesOf(snapshot).filter((r) => wanted.has(partitionKey(r))),
    estimates: (ctx.state.estimates ?? []).filter((e) => wanted.has(partitionKey(e))),
  }
}

/** The brokers whose return brings the partitions back cleanly. */
export function brokersToRestart(recoveries: readonly PartitionRecovery[]): number[] {
  return [...new Set(recoveries.flatMap((r) => (r.path.kind === 'restart' || r.path.kind === 'restart-if-clean' ? r.path.brokers : [])))].sort((a, b) => a - b)
}

/** Named partitions that are not leaderless are bad input whatever the choice: say so before pricing anything. */
function checkNamed(ctx: Context): void {
  const named = ctx.given('partitions')
  if (!named) return
  const found = findLeaderless(ctx.need('snapshot'), named)
  if (!found.ok && found.fault.kind !== 'in-sync-alive' && found.fault.kind !== 'no-live-replica') throw new Refusal(describePlanFault(found.fault))
}

/**
 * What the restart truncates: the dead leader's records beyond the returning broker's end (acknowledged with acks=1
 * above the high watermark), known when both dead logs were read.
 */
function restartCuts(ctx: Context, waiting: readonly PartitionRecovery[]): string | null {
  const readings = new Map((ctx.state.deadLogs ?? []).map((r) => [partitionKey(r), r]))
  const cuts = waiting.flatMap((r) => {
    if (r.path.kind !== 'restart' && r.path.kind !== 'restart-if-clean') return []
    const loss = restartLoss(readings.get(partitionKey(r)), r.path.brokers[0]!)
    return loss && loss.records > 0 ? [{ name: partitionName(r), loss }] : []
  })
  if (cuts.length === 0) return null
  const total = cuts.reduce((sum, c) => sum + c.loss.records, 0)
  return `the restart truncates ${counted(total, 'record')} only the dead leader holds, never committed but acknowledged to acks=1 producers (${fewNames(cuts.map((c) => `${c.name}: ${formatCount(c.loss.records)} from broker ${c.loss.deadBroker}`))})`
}

/** The partitions in question sorted by how each option treats them: the one reading behind prices and pricing. */
function optionParts(ctx: Context) {
  checkNamed(ctx)
  const { partitions, recoveries, estimates } = inScope(ctx)
  const electing = recoveries.filter((r) => r.path.kind === 'electing')
  const waiting = recoveries.filter((r) => r.path.kind === 'restart' || r.path.kind === 'restart-if-clean')
  const hopeless = recoveries.filter((r) => r.path.kind === 'none')
  const ifClean = recoveries.filter((r) => r.path.kind === 'restart-if-clean')
  const electable = estimates.filter((e) => e.best !== null && !electing.some((r) => partitionKey(r) === partitionKey(e)))
  const picks = electable.filter((e) => e.kafkaPick !== null && candidateOf(e, e.kafkaPick)?.unreadable === null)
  const flagTopics = [...new Set(partitions.filter((p) => !uncleanEnabled(p)).map((p) => p.topic))]
  const unavailable = {
    wait: waiting.length === 0 && electing.length === 0 ? 'no dead broker is known to hold every committed record of these partitions' : null,
    elect:
      electable.length === 0
        ? electing.length
          ? 'an in-sync replica is alive: nothing needs to be lost'
          : 'no partition has a live replica whose log end could be read'
        : null,
    flag:
      picks.length === 0
        ? electing.length
          ? 'an in-sync replica is alive: nothing needs to be lost'
          : 'no live replica to elect'
        : flagTopics.length === 0
          ? 'the flag is already on for these topics'
          : null,
  }
  return { partitions, recoveries, estimates, electing, waiting, hopeless, ifClean, electable, picks, flagTopics, unavailable }
}

/** Partitions whose topic has the unclean flag on, so that a returning broker sets off an unclean election. */
const flagTrapOf = (recoveries: readonly PartitionRecovery[]) =>
  recoveries.filter((r) => r.uncleanPending !== null && r.dead.some((d) => d.effect === 'unclean-election'))

/** About how long an unclean election takes from the apply to a leader that takes writes. */
const electionMs = 5000
/** Kafka's own election of a live in-sync replica: seconds. */
const cleanElectionMs = 3000

/** What each option does to each partition in question: offline for how long from now, and what it deletes. */
function optionEffects(ctx: Context): OptionEffects[] {
  const parts = optionParts(ctx)
  const readings = new Map((ctx.state.deadLogs ?? []).map((r) => [partitionKey(r), r]))
  const lossOf = (e: PartitionEstimate, broker: number) => {
    const c = candidateOf(e, broker)!
    return c.exactLoss ? { lostRecords: c.exactLoss.records, exact: !c.exactLoss.atLeast } : { lostRecords: Number(c.certainLoss), exact: false }
  }
  const otherwise = (r: PartitionRecovery): PartitionEffect => {
    const tp = { topic: r.topic, partition: r.partition }
    if (r.path.kind === 'electing') return { ...tp, offlineMs: cleanElectionMs, lostRecords: 0, exact: true }
    const cut = r.path.kind === 'restart' || r.path.kind === 'restart-if-clean' ? restartLoss(readings.get(partitionKey(r)), r.path.brokers[0]!) : null
    return { ...tp, offlineMs: 'outage', lostRecords: cut?.records ?? 0, exact: true }
  }
  const byKey = <T extends TopicPartition>(list: readonly T[]) => new Map(list.map((x) => [partitionKey(x), x]))
  const electable = byKey(parts.electable)
  const picks = byKey(parts.picks)
  const electing = (chosen: ReadonlyMap<string, PartitionEstimate>, broker: (e: PartitionEstimate) => number, offlineMs: number) =>
    parts.recoveries.map((r): PartitionEffect => {
      const e = chosen.get(partitionKey(r))
      return e ? { topic: r.topic, partition: r.partition, offlineMs, ...lossOf(e, broker(e)) } : otherwise(r)
    })
  const unavailable = (why: string | null) => (why ? { unavailable: why } : {})
  return [
    { option: 'wait', partitions: parts.recoveries.map(otherwise), ...unavailable(parts.unavailable.wait) },
    { option: 'elect', partitions: electing(electable, (e) => e.best!, electionMs), ...unavailable(parts.unavailable.elect) },
    { option: 'flag', partitions: electing(picks, (e) => e.kafkaPick!, uncleanScanMs), ...unavailable(parts.unavailable.flag) },
  ]
}

/** "720,000 writes refused while offline, 714,000 of them failed by producers": an option's price in records, when known. */
function inRecords(ctx: Context, option: OutageOption): string | null {
  const o = ctx.state.pricing?.options.find((p) => p.option === option)
  if (!o || o.writesRefused === null) return null
  return `${formatCount(o.writesRefused)} writes refused while offline, ${formatCount(o.writesFailed ?? 0)} of them failed by producers (see the pricing table)`
}

function price(ctx: Context): Record<'wait' | 'elect' | 'flag', OptionPrice> {
  const { recoveries, electing, waiting, hopeless, ifClean, electable, picks, flagTopics, unavailable } = optionParts(ctx)
  const best = totalLoss(electable.map((e) => ({ certainLoss: candidateOf(e, e.best!)!.certainLoss, unit: e.unit })))
  const pickLoss = totalLoss(picks.map((e) => ({ certainLoss: candidateOf(e, e.kafkaPick!)!.certainLoss, unit: e.unit })))
  const newest = electable.map((e) => candidateOf(e, e.best!)!.newestRecordMs).filter((ms): ms is number => ms !== null)
  const lossStartsMs = newest.length ? Math.min(...newest) : null
  const exactBest = exactTotal(electable.map((e) => candidateOf(e, e.best!)!))
  const pickExact = exactTotal(picks.map((e) => candidateOf(e, e.kafkaPick!)!))
  const groupsAhead = new Set(electable.flatMap((e) => candidateOf(e, e.best!)!.groupsAhead.map((g) => g.groupId)))
  const restart = brokersToRestart(waiting)
  const pricedAs = ctx.state.pricing?.recommendation.option

  // With the flag already on, a returning broker does not get its partitions back: the first live replica does.
  const flagTrap = flagTrapOf(recoveries)
  const trapWarning = flagTrap.length
    ? `; unclean.leader.election.enable is ON for ${fewNames([...new Set(flagTrap.map((r) => r.topic))])}: a returning broker sets off an unclean election of the first live replica (${fewNames(flagTrap.map((r) => `${partitionName(r)} → broker ${r.uncleanPending!.winner}`))}) — turn the flag off before restarting anything`
    : ''
  const wait: OptionPrice =
    electing.length === recoveries.length
      ? { label: 'Wait: Kafka is electing an in-sync replica', cost: 'seconds; nothing lost', risk: 'none', recommended: true }
      : {
          label: restart.length ? `Wait for ${brokers(restart)} to come back` : 'Wait',
          cost: [
            waiting.length
              ? `${counted(waiting.length, 'partition')} ${agree(waiting.length, 'stays', 'stay')} offline until ${brokers(restart)} ${agree(restart.length, 'is', 'are')} back, then about 3 s; no committed record lost`
              : null,
            ifClean.length ? `${formatCount(ifClean.length)} of them only if that broker shut down cleanly` : null,
            restartCuts(ctx, waiting),
            inRecords(ctx, 'wait'),
            hopeless.length
              ? `${counted(hopeless.length, 'partition')} ${agree(hopeless.length, 'has', 'have')} no dead broker known to hold every committed record: waiting does not bring ${agree(hopeless.length, 'it', 'them')} back`
              : null,
          ]
            .filter(Boolean)
            .join('; '),
          risk: `the outage lasts as long as the broker is down: producers’ batches expire after their delivery timeout (2 min by default) and fail; consumers of these partitions stand still${trapWarning}`,
          recommended: hopeless.length === 0 && waiting.length > 0 && flagTrap.length === 0 && (pricedAs === undefined || pricedAs === 'wait'),
          ...(unavailable.wait ? { unavailable: unavailable.wait } : {}),
        }
  const elect: OptionPrice = {
    label: 'Elect the least-loss live replica uncleanly, on partitions you list',
    cost: electable.length
      ? exactBest !== null
        ? `${counted(electable.length, 'partition')} back within seconds; ${exactBest.atLeast ? 'at least ' : 'exactly '}${counted(exactBest.records, 'record')} deleted with the least-loss candidates (counted in the dead leader's own log)`
        : `${counted(electable.length, 'partition')} back within seconds; ${provenLoss(best.unit, best.certainLoss)} with the least-loss candidates, plus everything written after ${timeText(lossStartsMs, ctx.need('snapshot').takenAtMs)} that only the dead leader held (unknown until its log is read: --set dead-log-dirs=<broker>=<path>)`
      : 'nothing to elect',
    ...(pricedAs === 'elect' && !unavailable.elect ? { recommended: true } : {}),
    risk: `cannot be undone: the returning brokers delete what the new leader lacks${groupsAhead.size ? `; ${groupsAhead.size} consumer group${agree(groupsAhead.size, ' has', 's have')} read past the new log end` : ''}`,
    ...(unavailable.elect ? { unavailable: unavailable.elect } : {}),
  }
  const withRecords = (price: OptionPrice, option: OutageOption): OptionPrice => {
    const records = price.unavailable ? null : inRecords(ctx, option)
    return records ? { ...price, cost: `${price.cost}; ${records}` } : price
  }
  const flag: OptionPrice = {
    label: `Turn on unclean.leader.election.enable for ${fewNames(flagTopics) || 'the topics'}, then back off`,
    cost: picks.length
      ? `Kafka picks the first live replica in replica order: ${
          pickExact && exactBest
            ? `${pickExact.atLeast ? 'at least' : 'exactly'} ${counted(pickExact.records, 'record')} (the least-loss choice: ${counted(exactBest.records, 'record')})`
            : `${provenLoss(pickLoss.unit, pickLoss.certainLoss)} (the least-loss choice: ${provenLoss(best.unit, best.certainLoss)}), plus what only the dead leader held`
        }; it elects on its periodic scan (every 5 min by default) or at the next broker registration`
      : 'nothing to elect',
    risk: 'while on it covers every partition of those topics, present and future failures alike; with ELR on, restarting the complete broker while it is on hands leadership to a worse live replica (seen in our lab); a flag left on turns the next outage into silent loss',
    ...(pricedAs === 'flag' && !unavailable.flag ? { recommended: true } : {}),
    ...(unavailable.flag ? { unavailable: unavailable.flag } : {}),
  }
  return { wait, elect: withRecords(elect, 'elect'), flag: withRecords(flag, 'flag') }
}

/** How long a restart is watched before the operator chooses again, from the pricing (from its start). */
export function watchDeadline(ctx: Context, elapsedMs = 0): WatchDeadline {
  const pricing = ctx.need('pricing')
  const given = ctx.given('restart-watch')
  return restartWatchDeadline({
    breakEvenMs: pricing.breakEvenMs,
    deliveryTimeoutMs: pricing.deliveryTimeoutMs,
    elapsedMs,
    ...(given !== undefined ? { givenMs: given } : {}),
  })
}

/** Trying a restart first: waiting's price, bounded by the watch, and what happens if it does not work. */
function restartPrice(ctx: Context, wait: OptionPrice): OptionPrice {
  const { waiting, electing, recoveries } = optionParts(ctx)
  const restart = brokersToRestart(waiting)
  const label = restart.length ? `Try restarting ${brokers(restart)} first, and watch ${agree(restart.length, 'it', 'them')} come back` : 'Try a restart first'
  const unavailable =
    wait.unavailable ??
    (electing.length === recoveries.length
      ? 'Kafka is electing an in-sync replica: nothing to restart'
      : restart.length === 0
        ? 'no dead broker is known to hold every committed record'
        : flagTrapOf(recoveries).length
          ? 'the unclean flag is on: a returning broker sets off an unclean election — turn it off first'
          : null)
  if (unavailable || !ctx.state.pricing) return { label, cost: 'nothing to restart', risk: 'none', unavailable: unavailable ?? 'not priced' }
  const deadline = watchDeadline(ctx)
  return {
    label,
    cost: `your restart command runs on this machine once you confirm it; if every partition is led again the outage is measured and nothing committed is lost; if the command fails, or ${brokers(restart)} ${agree(restart.length, 'is', 'are')} not back within ${formatSeconds(deadline.ms)} (${watchBasisText(deadline)}), you choose again with the time spent priced in`,
    risk: `the watch adds up to ${formatSeconds(deadline.ms)} to the outage if the restart does not work; ${wait.risk}`,
  }
}

/**
 * The way out actually taken: the decision, or — after a restart was tried — 'back' when it brought the partitions
 * back, else the choice made again with the time spent priced in. Undefined before a choice (or in a dry run of a restart).
 */
export function chosenWay(ctx: Context): 'wait' | 'elect' | 'flag' | 'back' | undefined {
  const first = ctx.decision(decideCell)
  if (first !== 'restart') return first
  const trial = ctx.state.restartTrial
  if (!trial) return undefined
  return trial.outcome.kind === 'back' ? 'back' : ctx.decision(redecideCell)
}

/** `when` and `whenDoc` for a cell that runs only for these ways out. */
export function ifWay(ways: readonly NonNullable<ReturnType<typeof chosenWay>>[], otherwise = 'you chose another way') {
  return {
    when: (ctx: Context) => (ways.includes(chosenWay(ctx)!) ? true : otherwise),
    whenDoc: `${decideCell.id} (or decision-after-restart after a restart that did not bring them back) = ${ways.join(' or ')}`,
  }
}

const restartFailed = (ctx: Context) => {
  const outcome = ctx.state.restartTrial?.outcome
  return outcome && outcome.kind !== 'back' ? true : outcome ? 'the restart brought every partition back' : 'no restart was tried'
}

export const repriceCell = nb.query({
  id: 'cost-after-restart',
  title: 'What waiting costs now, with the time already spent',
  when: restartFailed,
  whenDoc: 'a restart was tried and did not bring every partition back',
  doc: 'Prices every option again once the restart failed or ran past its deadline: each option’s partitions have been offline that much longer, and waiting lasts what is left of the expected outage (unknown when nothing says when the broker is back); says whether the break-even outage has passed.',
  async run(ctx) {
    const from = ctx.need('pricedFrom')
    const trial = ctx.need('restartTrial')
    const elapsedMs = Math.max(trial.sincePricingMs, ctx.now() - from.atMs)
    const remaining = remainingOutage(from.input.expectedOutageMs, elapsedMs)
    const repriced = repriceWithElapsed(from.input, elapsedMs, remaining)
    ctx.state.pricing = repriced
    const breakEven = repriced.breakEvenMs
    const passed =
      breakEven === null
        ? 'there is no break-even outage to compare (no election to price, or no measured rate)'
        : elapsedMs >= breakEven
          ? `the break-even outage (${formatSeconds(breakEven)}) has passed: from here on waiting fails more writes than the least-loss election deletes`
          : `the break-even outage (${formatSeconds(breakEven)}) is ${formatSeconds(breakEven - elapsedMs)} away`
    const blocks = [
      notice(
        'info',
        `${formatSeconds(elapsedMs)} of outage since the pricing; ${remaining === 'unknown' ? 'how much longer waiting takes is unknown' : `${formatSeconds(remaining)} left of the expected outage`}; ${passed}.`,
      ),
      ...pricingBlocks(repriced, ctx.state.rates ?? [], ctx.now(), waitingText[await rulesOf(ctx)]),
    ]
    return { blocks, data: { elapsedMs, remainingMs: remaining, breakEvenPassed: breakEven !== null && elapsedMs >= breakEven, pricing: repriced } }
  },
})

/** The expected outage: given, or asked on a terminal when waiting is a way out (with what it is waiting for). */
async function expectedOutage(ctx: Context, waitingFor: readonly number[]): Promise<number | 'unknown'> {
  const given = ctx.given('expected-outage')
  if (given !== undefined) return given
  if (!ctx.interactive || waitingFor.length === 0) return 'unknown'
  ctx.show([
    notice(
      'info',
      `Waiting lasts until ${brokers(waitingFor)} ${agree(waitingFor.length, 'is', 'are')} back. How long that takes decides what waiting costs: give the page's estimate (a vendor's repair time, a restart you are running) or your own — or "unknown".`,
    ),
  ])
  return (await ctx.param('expected-outage')) ?? 'unknown'
}

async function lossPolicy(ctx: Context) {
  const given = ctx.given('policy')
  if (given !== undefined) return given
  if (!ctx.interactive) return undefined
  return ctx.param('policy', {
    choices: [
      { value: 'min-records', name: 'Fewest records lost in all', description: 'failed writes and deleted records count the same' },
      { value: 'no-acked-loss', name: 'Never delete an acknowledged record', description: 'wait, whatever the outage costs in refused writes' },
    ],
  })
}

export const priceCell = nb.query({
  id: 'cost-of-waiting',
  title: 'What waiting costs, against what electing loses',
  when: noLeaderless,
  whenDoc: 'some partition has no leader',
  doc: 'Measures the write rate into each leaderless partition before it lost its leader (the most complete live replica’s own log: its end, its newest record, and the first record in the 5 minutes before it; else the led partitions of the same topic), takes the expected outage, the producers’ delivery timeout and acks, and the loss policy, and prices every option in records: writes refused while offline, how many of them the producers fail after their timeout, and records an election deletes.',
  async run(ctx) {
    const snapshot = ctx.need('snapshot')
    const scope = ctx.given('partitions') ?? null
    const rates = await readPreFailureRates(ctx.kafka, snapshot, scope)
    ctx.state.rates = rates
    const { waiting } = optionParts(ctx)
    const outage = await expectedOutage(ctx, brokersToRestart(waiting))
    const policy = await lossPolicy(ctx)
    const groups = new Map<string, TopicPartition[]>()
    for (const p of inScope(ctx).partitions)
      for (const c of p.committed) groups.set(c.groupId, [...(groups.get(c.groupId) ?? []), { topic: p.topic, partition: p.partition }])
    const input: PricingInput = {
      rates,
      expectedOutageMs: outage,
      deliveryTimeoutMs: await ctx.param('delivery-timeout'),
      acks: await ctx.param('producer-acks'),
      policy: policy ?? 'min-records',
      options: optionEffects(ctx),
      groups: [...groups].map(([groupId, partitions]) => ({ groupId, partitions })),
    }
    const pricing = priceOutage(input)
    ctx.state.pricing = pricing
    ctx.state.pricedFrom = { input, atMs: ctx.now() }
    const blocks = pricingBlocks(pricing, rates, snapshot.takenAtMs, waitingText[await rulesOf(ctx)])
    if (policy === undefined) blocks.splice(1, 0, notice('info', 'No --set policy given: priced as min-records (fewest records lost in all).'))
    return { blocks, data: { rates, pricing } }
  },
})

export const decideCell = nb.decide({
  id: 'decision',
  title: 'Wait, or lose records now',
  when: (ctx) => ((ctx.state.snapshot?.partitions.length ?? 0) > 0 ? true : 'no partition is without a leader'),
  whenDoc: 'some partition has no leader',
  doc: 'Prices the three ways out for the partitions in question (those given with --set partitions, else every leaderless one): partitions offline and for how long, writes refused and failed meanwhile, records certainly lost, and what could go wrong; recommends what the pricing recommends.',
  question: 'How do you want these partitions back?',
  options: {
    wait: 'Wait for a broker that holds every committed record',
    restart: 'Try a restart first: run your restart command and watch the broker come back',
    elect: 'Elect a chosen live replica uncleanly, on listed partitions',
    flag: 'Turn on unclean.leader.election.enable, then back off',
  },
  price: (ctx) => {
    const prices = price(ctx)
    return { ...prices, restart: restartPrice(ctx, prices.wait) }
  },
  because: (ctx) => {
    const pricing = ctx.state.pricing
    if (pricing && pricing.recommendation.option !== null) return recommendationText(pricing.recommendation, pricing)
    const restart = brokersToRestart(inScope(ctx).recoveries)
    return restart.length
      ? `every partition comes back without losing a committed record once ${brokers(restart)} ${agree(restart.length, 'returns', 'return')}`
      : 'an in-sync replica is alive'
  },
  // A candidate given up front says what the operator wants; the election still needs its own approval. Otherwise
  // only waiting is taken by default, and only when the pricing recommends it: with an unknown outage the answer is required.
  headlessDefault: (ctx) => {
    if (ctx.given('candidate') !== undefined) return 'elect'
    const rec = ctx.state.pricing?.recommendation.option
    return rec === 'wait' || (rec === undefined && inScope(ctx).recoveries.every((r) => r.path.kind === 'electing')) ? 'wait' : undefined
  },
})

export const redecideCell = nb.decide({
  id: 'decision-after-restart',
  title: 'The restart did not bring them back: choose again',
  when: restartFailed,
  whenDoc: 'a restart was tried and did not bring every partition back',
  doc: 'Offers the three ways out again, priced with the time already spent: keep waiting for the broker (watched up to --set wait-timeout), elect a chosen live replica, or the unclean flag.',
  question: 'The restart did not bring them back. What now?',
  options: {
    wait: 'Keep waiting for a broker that holds every committed record',
    elect: 'Elect a chosen live replica uncleanly, on listed partitions',
    flag: 'Turn on unclean.leader.election.enable, then back off',
  },
  price,
  because: (ctx) => {
    const pricing = ctx.state.pricing
    return pricing && pricing.recommendation.option !== null ? recommendationText(pricing.recommendation, pricing) : 'the numbers give no single answer'
  },
  headlessDefault: (ctx) => {
    if (ctx.given('candidate') !== undefined) return 'elect'
    return ctx.state.pricing?.recommendation.option === 'wait' ? 'wait' : undefined
  },
})
