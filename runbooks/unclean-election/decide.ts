// The choice — wait for a complete broker, elect a chosen replica, or let Kafka pick under the unclean flag —
// priced from the cluster, and the waiting path itself: the operator's restart command, then watching Kafka elect.

import { agree, type Block, counted, formatCount, notice, table } from '../../lib/engine/blocks.ts'
import { Refusal, type DecisionOption } from '../../lib/engine/runbook.ts'
import type { TopicPartition } from '../../lib/kafka/types.ts'
import { partitionName, uncleanEnabled, type PartitionRecovery } from '../../lib/plans/leaderless.ts'
import { describePlanFault, findLeaderless } from '../../lib/plans/unclean-election.ts'
import { candidateOf, totalLoss } from '../../lib/plans/unclean-estimate.ts'
import { readPartitionStates, partitionKey } from '../../lib/reads/leaderless.ts'
import { recoveriesOf } from './assess.ts'
import { nb, scopeOf, type Context } from './notebook.ts'
import { brokers, fewNames, provenLoss, timeText } from './text.ts'

const inScope = (ctx: Context) => {
  const wanted = new Set(scopeOf(ctx).map(partitionKey))
  const snapshot = ctx.state.snapshot!
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
  const found = findLeaderless(ctx.state.snapshot!, named)
  if (!found.ok && found.fault.kind !== 'in-sync-alive' && found.fault.kind !== 'no-live-replica') throw new Refusal(describePlanFault(found.fault))
}

function options(ctx: Context): DecisionOption[] {
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
  const wait: DecisionOption =
    electing.length === recoveries.length
      ? { value: 'wait', label: 'Wait: Kafka is electing an in-sync replica', cost: 'seconds; nothing lost', risk: 'none', recommended: true }
      : {
          value: 'wait',
          label: restart.length ? `Wait for ${brokers(restart)} to come back` : 'Wait',
          cost: [
            waiting.length
              ? `${counted(waiting.length, 'partition')} ${agree(waiting.length, 'stays', 'stay')} offline until ${brokers(restart)} ${restart.length === 1 ? 'is' : 'are'} back, then about 3 s; no committed record lost`
              : null,
            ifClean.length ? `${formatCount(ifClean.length)} of them only if that broker shut down cleanly` : null,
            hopeless.length
              ? `${counted(hopeless.length, 'partition')} ${agree(hopeless.length, 'has', 'have')} no dead broker known to hold every committed record: waiting does not bring ${hopeless.length === 1 ? 'it' : 'them'} back`
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
  const elect: DecisionOption = {
    value: 'elect',
    label: 'Elect the least-loss live replica uncleanly, on partitions you list',
    cost: electable.length
      ? `${counted(electable.length, 'partition')} back within seconds; ${provenLoss(best.unit, best.certainLoss)} with the least-loss candidates, plus everything written after ${timeText(lossStartsMs, ctx.state.snapshot!.takenAtMs)} that only the dead leader held (unknown until its log is read)`
      : 'nothing to elect',
    risk: `cannot be undone: the returning brokers delete what the new leader lacks${groupsAhead.size ? `; ${groupsAhead.size} consumer group${groupsAhead.size === 1 ? ' has' : 's have'} read past the new log end` : ''}`,
    ...(electable.length === 0
      ? {
          unavailable: electing.length
            ? 'an in-sync replica is alive: nothing needs to be lost'
            : 'no partition has a live replica whose log end could be read',
        }
      : {}),
  }
  const flag: DecisionOption = {
    value: 'flag',
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
  return [wait, elect, flag]
}

export const decideCell = nb.decide({
  id: 'decision',
  title: 'Wait, or lose records now',
  when: (ctx) => ((ctx.state.snapshot?.partitions.length ?? 0) > 0 ? true : 'no partition is without a leader'),
  whenDoc: 'some partition has no leader',
  doc: 'Prices the three ways out for the partitions in question (those given with --set partitions, else every leaderless one): partitions still offline, records certainly lost, and what could go wrong.',
  question: 'How do you want these partitions back?',
  choices: [
    { value: 'wait', label: 'Wait for a broker that holds every committed record' },
    { value: 'elect', label: 'Elect a chosen live replica uncleanly, on listed partitions' },
    { value: 'flag', label: 'Turn on unclean.leader.election.enable, then back off' },
  ],
  options,
  because: (ctx) => {
    const restart = brokersToRestart(inScope(ctx).recoveries)
    return restart.length
      ? `every partition comes back without losing a committed record once ${brokers(restart)} ${restart.length === 1 ? 'returns' : 'return'}`
      : 'an in-sync replica is alive'
  },
  // A candidate given up front says what the operator wants; the election still needs its own approval.
  headlessDefault: (ctx) => (ctx.given('candidate') !== undefined ? 'elect' : 'wait'),
})

export const restartCell = nb.shell({
  id: 'restart',
  title: 'Bring the broker back',
  when: (ctx) => ctx.decision('decision') === 'wait' || 'you chose not to wait',
  whenDoc: 'you chose to wait',
  doc: 'Runs your own restart command for the broker that holds every committed record (given with --set restart-command=…), after you confirm it.',
  command: async (ctx) => (await ctx.param('restart-command')) ?? null,
  skipReason: 'no restart command given: restart the broker with your usual tooling; the next step watches for its return',
  timeoutMs: 300_000,
})

const pollMs = 1000

/**
 * Watches partitions until each has a leader or `timeoutMs` of polling has passed (counted in polls, so a pinned
 * test clock cannot stall it); returns early on Ctrl-C.
 */
export async function watchLeaders(
  ctx: Context,
  partitions: readonly TopicPartition[],
  timeoutMs: number,
  onProgress: (led: number, waitedMs: number) => void,
) {
  const polls = Math.ceil(timeoutMs / pollMs)
  let states = await readPartitionStates(ctx.kafka, partitions)
  let reported = -1
  for (let poll = 0; ; poll++) {
    const led = partitions.filter((tp) => states.get(partitionKey(tp))?.leader != null).length
    // On a change, and every 30 s of a long wait, so the operator sees it is still watching.
    if (led !== reported || (poll > 0 && poll % 30 === 0)) {
      onProgress(led, poll * pollMs)
      reported = led
    }
    // Inside an apply a Ctrl-C does not reject sleep(): the caller sees the abort and winds down itself.
    if (led === partitions.length || poll >= polls || ctx.signal.aborted) return states
    await ctx.sleep(pollMs)
    states = await readPartitionStates(ctx.kafka, partitions)
  }
}

export const awaitCell = nb.query({
  id: 'await-leaders',
  title: 'Watch Kafka elect the returning broker',
  when: (ctx) => (ctx.decision('decision') !== 'wait' ? 'you chose not to wait' : ctx.dryRun ? 'dry run: nothing to wait for' : true),
  whenDoc: 'you chose to wait',
  doc: 'Polls the partitions once a second, up to --set wait-timeout (2 minutes by default), and reports which got a leader and which did not.',
  async run(ctx) {
    const partitions = inScope(ctx).partitions
    const timeoutMs = await ctx.param('wait-timeout')
    const started = ctx.now()
    const states = await watchLeaders(ctx, partitions, timeoutMs, (led, waitedMs) =>
      ctx.show([
        notice(
          'info',
          `${formatCount(led)} of ${formatCount(partitions.length)} partitions have a leader (${Math.round(waitedMs / 1000)} s of at most ${Math.round(timeoutMs / 1000)} s).`,
        ),
      ]),
    )
    const rows = partitions.map((tp) => {
      const s = states.get(partitionKey(tp))
      return [partitionName(tp), s?.leader ?? 'none', s?.leaderEpoch ?? null, s ? s.isr.join(',') : '']
    })
    const back = partitions.filter((tp) => states.get(partitionKey(tp))?.leader != null)
    ctx.state.recovered = back.map((tp) => {
      const s = states.get(partitionKey(tp))!
      return { ...tp, leader: s.leader!, leaderEpoch: s.leaderEpoch, epochStart: null, how: 'clean return', certainLoss: null }
    })
    const blocks: Block[] = [table(['Partition', 'Leader', 'Leader epoch', 'ISR'], rows, { title: `After ${Math.round((ctx.now() - started) / 1000)} s` })]
    const missing = partitions.length - back.length
    if (missing > 0) {
      ctx.show(blocks)
      throw new Refusal(
        `${formatCount(missing)} partition${missing === 1 ? '' : 's'} still without a leader after ${Math.round(timeoutMs / 1000)} s — check that the broker really started (its server.log), then run this runbook again for fresh figures; nothing changed`,
      )
    }
    blocks.push(notice('ok', 'Every partition has a leader again, and no committed record was lost.'))
    return { blocks, data: { led: back.length, of: partitions.length } }
  },
})
