// Trying a restart first: the operator's own command, confirmed like any change, run while the runbook watches the
// cluster — the broker registering and unfenced, the partitions led, the ISR refilled — up to a deadline the
// pricing gives. Back: the outage is measured and priced. Not back: the next cells price the time spent and ask again.

import { type Block, counted, formatCount, formatSeconds, notice, table } from '../../../lib/engine/blocks.ts'
import type { CommandExit, RunningCommand, WatchResult } from '../../../lib/engine/runbook.ts'
import { priceOutage } from '../../../lib/plans/outage-price.ts'
import { classifyRestart, watchIsOver, watchMilestones, type CommandEnd, type RestartOutcome, type WatchObservation } from '../../../lib/plans/restart-watch.ts'
import { readRestartProgress, type RestartProgress } from '../../../lib/reads/leaderless.ts'
import { brokersToRestart, decideCell, inScope, watchDeadline } from '../decide.ts'
import { nb, type Context, type RestartTrial } from '../notebook.ts'
import { brokers, registeredNotLedText, watchBasisText } from '../text.ts'
import { rulesOf } from '../find.ts'

/** How often the watch reads the cluster: the measured outage is exact to within this. */
export const restartPollMs = 1000

const restarting = (ctx: Context) => brokersToRestart(inScope(ctx).recoveries.filter((r) => r.path.kind === 'restart' || r.path.kind === 'restart-if-clean'))

/** The watch's deadline, counted from the pricing: the time the operator spent deciding is outage too. */
const deadlineNow = (ctx: Context) => watchDeadline(ctx, ctx.now() - ctx.need('pricedFrom').atMs)

function commandEnd(exit: CommandExit | undefined): CommandEnd {
  if (!exit) return null
  if (exit.stoppedBy === 'timeout') return { stoppedBy: 'deadline' }
  if (exit.stoppedBy === 'interrupt') return { stoppedBy: 'interrupt' }
  return { exitCode: exit.exitCode ?? -1 }
}

const after = (ms: number | null) => (ms === null ? 'not seen' : `${formatSeconds(ms)} after the command started`)

/** One line: what came of the restart. */
export function outcomeLine(outcome: RestartOutcome, restarted: readonly number[], deadlineMs: number): string {
  const who = brokers(restarted)
  switch (outcome.kind) {
    case 'back':
      return `Every partition is led again ${formatSeconds(outcome.outageMs)} after the restart began${outcome.commandFailed ? ' (although the command reported a failure)' : ''}: nothing committed was lost.`
    case 'command-failed':
      return `The restart command failed (exit ${outcome.exitCode}) after ${formatSeconds(outcome.elapsedMs)}, and the partitions still have no leader: ${who} did not come back.`
    case 'not-back':
      return `${who} ${outcome.registered ? 'registered, but the partitions still have no leader' : 'did not register'} within the watch (${formatSeconds(deadlineMs)}): the restart did not bring them back.`
    case 'interrupted':
      return `The restart and its watch were stopped (Ctrl-C) after ${formatSeconds(outcome.elapsedMs)}.`
  }
}

async function watchRestart(ctx: Context, command: RunningCommand): Promise<WatchResult> {
  const restarted = restarting(ctx)
  const partitions = inScope(ctx).partitions
  const deadline = deadlineNow(ctx)
  const observations: WatchObservation[] = []
  const polls = Math.ceil(command.timeoutMs / restartPollMs)
  let last: RestartProgress | null = null
  let said = ''
  let elapsedMs = 0
  for (let poll = 0; ; poll++) {
    try {
      last = await readRestartProgress(ctx.kafka, restarted, partitions)
      observations.push({ atMs: ctx.now(), registered: last.registered, led: last.led, inIsr: last.inIsr, of: last.of })
    } catch (error) {
      // A cluster that does not answer a poll is not back yet; the deadline still bounds the watch.
      if (ctx.signal.aborted) throw error
    }
    // Counted in polls as well, so a pinned test clock cannot stall it.
    elapsedMs = Math.max(ctx.now() - command.startedAtMs, poll * restartPollMs)
    const seen = last
      ? `${last.registered ? `${brokers(restarted)} registered and unfenced` : `${brokers(restarted)} not registered yet`}; ${formatCount(last.led)} of ${formatCount(last.of)} partitions led; ${formatCount(last.inIsr)} with ${agreeIsr(restarted)} back in the ISR`
      : 'the cluster did not answer'
    const exit = command.exit()
    if (seen !== said || poll % 30 === 0) {
      ctx.show([
        notice(
          'info',
          `${formatSeconds(elapsedMs)} of at most ${formatSeconds(command.timeoutMs)}: ${seen}${exit ? `; the command ended (exit ${exit.exitCode ?? 'none'})` : ''}.`,
        ),
      ])
      said = seen
    }
    const milestones = watchMilestones(command.startedAtMs, observations)
    if (watchIsOver(commandEnd(exit), milestones, elapsedMs, command.timeoutMs) || poll >= polls) break
    await ctx.sleep(restartPollMs)
  }
  // The command's own end, if it is over by now (a command still running is stopped by the engine as the watch ends).
  const milestones = watchMilestones(command.startedAtMs, observations)
  const outcome = classifyRestart(commandEnd(command.exit()), milestones, elapsedMs)
  const sincePricingMs = ctx.now() - ctx.need('pricedFrom').atMs
  const trial: RestartTrial = { brokers: restarted, deadline, milestones, outcome, sincePricingMs, watchedMs: elapsedMs }
  ctx.state.restartTrial = trial
  const blocks: Block[] = [
    table(
      ['What the watch saw', 'When'],
      [
        [`${brokers(restarted)} registered and unfenced`, after(milestones.registeredAfterMs)],
        [`Every partition led (${counted(partitions.length, 'partition')})`, after(milestones.ledAfterMs)],
        [`${brokers(restarted)} back in every ISR`, after(milestones.inIsrAfterMs)],
      ],
      { title: `The restart, polled every ${formatSeconds(restartPollMs)} (watched up to ${formatSeconds(command.timeoutMs)}: ${watchBasisText(deadline)})` },
    ),
    notice(outcome.kind === 'back' ? 'ok' : 'danger', outcomeLine(outcome, restarted, command.timeoutMs)),
  ]
  if (outcome.kind === 'not-back' && outcome.registered) blocks.push(notice('info', registeredNotLedText[await rulesOf(ctx)]))
  if (outcome.kind === 'back') blocks.push(...measuredCost(ctx, outcome.outageMs, sincePricingMs - elapsedMs))
  return {
    blocks,
    data: { brokers: restarted, startedAtMs: command.startedAtMs, deadline, milestones, outcome, sincePricingMs },
    // The broker is back: a restart script may still be finishing (a service manager, its own health check).
    letFinish: outcome.kind === 'back',
  }
}

const agreeIsr = (ids: readonly number[]) => (ids.length === 1 ? `broker ${ids[0]}` : 'them')

/** The outage as it was: waiting priced again with the measured time in place of the expected one. */
function measuredCost(ctx: Context, outageMs: number, beforeCommandMs: number): Block[] {
  const from = ctx.need('pricedFrom')
  const measured = priceOutage({ ...from.input, expectedOutageMs: outageMs + Math.max(0, beforeCommandMs) })
  ctx.state.pricing = measured
  const wait = measured.options.find((o) => o.option === 'wait')
  if (!wait || wait.writesRefused === null)
    return [notice('info', 'The write rate before the failure is unknown: the writes refused meanwhile cannot be counted.')]
  return [
    notice(
      'info',
      `Measured: ${formatSeconds(wait.offlineMs ?? 0)} offline since the pricing at ${measured.recordsPerSecond === null ? 'an unknown rate' : `${measured.recordsPerSecond.toFixed(1)} records/s`} — ${formatCount(wait.writesRefused)} writes refused meanwhile, ${formatCount(wait.writesFailed ?? 0)} of them past the producers' delivery timeout (${formatSeconds(measured.deliveryTimeoutMs)}) and failed; the rest land now as the producers retry.`,
    ),
  ]
}

export const restartTrialCell = nb.shell({
  id: 'restart',
  title: 'Try a restart, and watch',
  when: (ctx) => (ctx.decision(decideCell) === 'restart' ? true : 'you chose not to try a restart'),
  whenDoc: 'decision = restart',
  doc: 'Runs your own restart command (--set restart-command, asked for on a terminal) after you confirm it, and meanwhile polls the cluster once a second: the restarted broker registered and unfenced, every partition led, its replicas back in the ISR — each counted when two polls in a row see it (a broker just back from a pause answers from its old metadata). Watched until the break-even outage (else the producers’ delivery timeout; at least 30 s, at most 30 min; --set restart-watch overrides); the command is stopped when the watch ends (once the broker is back, it gets 10 s to finish by itself). Back: the outage is measured. Failed or not back: the next steps price the time spent and ask again.',
  command: async (ctx) => ctx.param('restart-command', { required: true }),
  timeoutMs: (ctx) => deadlineNow(ctx).ms,
  onFailure: 'continue',
  watch: watchRestart,
  finishGraceMs: 10_000,
})
