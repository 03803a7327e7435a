// The choice — wait for a complete broker, elect a chosen replica, or let Kafka pick under the unclean flag —
// priced from the cluster for the partitions in question.

import { agree, counted, formatCount } from '../../lib/engine/blocks.ts'
import { type OptionPrice, Refusal } from '../../lib/engine/runbook.ts'
import { partitionName, uncleanEnabled, type PartitionRecovery } from '../../lib/plans/leaderless.ts'
import { describePlanFault, findLeaderless } from '../../lib/plans/unclean-election.ts'
import { candidateOf, totalLoss } from '../../lib/plans/unclean-estimate.ts'
import { partitionKey } from '../../lib/reads/leaderless.ts'
import { recoveriesOf } from './find.ts'
import { nb, scopeOf, type Context } from './notebook.ts'
import { brokers, fewNames, provenLoss, timeText } from './text.ts'

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

function price(ctx: Context): Record<'wait' | 'elect' | 'flag', OptionPrice> {
  checkNamed(ctx)
  const { partitions, recoveries, estimates } = inScope(ctx)
  const electing = recoveries.filter((r) => r.path.kind === 'electing')
  const waiting = recoveries.filter((r) => r.path.kind === 'restart' || r.path.kind === 'restart-if-clean')
  const hopeless = recoveries.filter((r) => r.path.kind === 'none')
  const ifClean = recoveries.filter((r) => r.path.kind === 'restart-if-clean')
  const electable = estimates.filter((e) => e.best !== null && !electing.some((r) => partitionKey(r) === partitionKey(e)))
  const best = totalLoss(electable.map((e) => ({ certainLoss: candidateOf(e, e.best!)!.certainLoss, unit: e.unit })))
  const picks = electable.filter((e) => e.kafkaPick !== null && candidateOf(e, e.kafkaPick)?.unreadable === null)
  const pickLoss = totalLoss(picks.map((e) => ({ certainLoss: candidateOf(e, e.kafkaPick!)!.certainLoss, unit: e.unit })))
  const newest = electable.map((e) => candidateOf(e, e.best!)!.newestRecordMs).filter((ms): ms is number => ms !== null)
  const lossStartsMs = newest.length ? Math.min(...newest) : null
  const groupsAhead = new Set(electable.flatMap((e) => candidateOf(e, e.best!)!.groupsAhead.map((g) => g.groupId)))
  const restart = brokersToRestart(waiting)
  const flagTopics = [...new Set(partitions.filter((p) => !uncleanEnabled(p)).map((p) => p.topic))]

  // With the flag already on, a returning broker does not get its partitions back: the first live replica does.
  const flagTrap = recoveries.filter((r) => r.uncleanPending !== null && r.dead.some((d) => d.effect === 'unclean-election'))
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
            hopeless.length
              ? `${counted(hopeless.length, 'partition')} ${agree(hopeless.length, 'has', 'have')} no dead broker known to hold every committed record: waiting does not bring ${agree(hopeless.length, 'it', 'them')} back`
              : null,
          ]
            .filter(Boolean)
            .join('; '),
          risk: `the outage lasts as long as the broker is down: producers’ batches expire after their delivery timeout (2 min by default) and fail; consumers of these partitions stand still${trapWarning}`,
          recommended: hopeless.length === 0 && waiting.length > 0 && flagTrap.length === 0,
          ...(waiting.length === 0 && electing.length === 0
            ? { unavailable: 'no dead broker is known to hold every committed record of these partitions' }
            : {}),
        }
  const elect: OptionPrice = {
    label: 'Elect the least-loss live replica uncleanly, on partitions you list',
    cost: electable.length
      ? `${counted(electable.length, 'partition')} back within seconds; ${provenLoss(best.unit, best.certainLoss)} with the least-loss candidates, plus everything written after ${timeText(lossStartsMs, ctx.need('snapshot').takenAtMs)} that only the dead leader held (unknown until its log is read)`
      : 'nothing to elect',
    risk: `cannot be undone: the returning brokers delete what the new leader lacks${groupsAhead.size ? `; ${groupsAhead.size} consumer group${agree(groupsAhead.size, ' has', 's have')} read past the new log end` : ''}`,
    ...(electable.length === 0
      ? {
          unavailable: electing.length
            ? 'an in-sync replica is alive: nothing needs to be lost'
            : 'no partition has a live replica whose log end could be read',
        }
      : {}),
  }
  const flag: OptionPrice = {
    label: `Turn on unclean.leader.election.enable for ${fewNames(flagTopics) || 'the topics'}, then back off`,
    cost: picks.length
      ? `Kafka picks the first live replica in replica order: ${provenLoss(pickLoss.unit, pickLoss.certainLoss)} (the least-loss choice: ${provenLoss(best.unit, best.certainLoss)}), plus what only the dead leader held; it elects on its periodic scan (every 5 min by default) or at the next broker registration`
      : 'nothing to elect',
    risk: 'while on it covers every partition of those topics, present and future failures alike; with ELR on, restarting the complete broker while it is on hands leadership to a worse live replica (seen in our lab); a flag left on turns the next outage into silent loss',
    ...(picks.length === 0
      ? { unavailable: electing.length ? 'an in-sync replica is alive: nothing needs to be lost' : 'no live replica to elect' }
      : flagTopics.length === 0
        ? { unavailable: 'the flag is already on for these topics' }
        : {}),
  }
  return { wait, elect, flag }
}

export const decideCell = nb.decide({
  id: 'decision',
  title: 'Wait, or lose records now',
  when: (ctx) => ((ctx.state.snapshot?.partitions.length ?? 0) > 0 ? true : 'no partition is without a leader'),
  whenDoc: 'some partition has no leader',
  doc: 'Prices the three ways out for the partitions in question (those given with --set partitions, else every leaderless one): partitions still offline, records certainly lost, and what could go wrong.',
  question: 'How do you want these partitions back?',
  options: {
    wait: 'Wait for a broker that holds every committed record',
    elect: 'Elect a chosen live replica uncleanly, on listed partitions',
    flag: 'Turn on unclean.leader.election.enable, then back off',
  },
  price,
  because: (ctx) => {
    const restart = brokersToRestart(inScope(ctx).recoveries)
    return restart.length
      ? `every partition comes back without losing a committed record once ${brokers(restart)} ${agree(restart.length, 'returns', 'return')}`
      : 'an in-sync replica is alive'
  },
  // A candidate given up front says what the operator wants; the election still needs its own approval.
  headlessDefault: (ctx) => (ctx.given('candidate') !== undefined ? 'elect' : 'wait'),
})
