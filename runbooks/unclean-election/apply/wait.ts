// Waiting for the broker that holds every committed record: watching Kafka elect it once it is back (brought back
// by the restart the runbook tried, or by someone else) — with the leader watch elect and flag use too.

import { type Block, counted, formatCount, notice, table } from '../../../lib/engine/blocks.ts'
import { Refusal } from '../../../lib/engine/runbook.ts'
import type { TopicPartition } from '../../../lib/kafka/types.ts'
import { confirmedRead } from '../../../lib/poll/index.ts'
import { partitionName } from '../../../lib/plans/leaderless.ts'
import { fewNames } from '../text.ts'
import { partitionKey, readPartitionStates } from '../../../lib/reads/leaderless.ts'
import { chosenWay, inScope } from '../decide.ts'
import { restartLoss } from '../find.ts'
import { nb, type Context } from '../notebook.ts'

const pollMs = 1000

/**
 * Watches partitions until each has a leader or `timeoutMs` of polling has passed (counted in polls, so a pinned
 * test clock cannot stall it); returns early on Ctrl-C. "Every partition led" counts only when a read a second
 * later finds it too: a broker just back from a pause still lists the leaders it knew before the failure.
 */
export async function watchLeaders(
  ctx: Context,
  partitions: readonly TopicPartition[],
  timeoutMs: number,
  onProgress: (led: number, waitedMs: number) => void,
) {
  const polls = Math.ceil(timeoutMs / pollMs)
  const allLed = (states: Awaited<ReturnType<typeof readPartitionStates>>) => partitions.every((tp) => states.get(partitionKey(tp))?.leader != null)
  const read = confirmedRead(() => readPartitionStates(ctx.kafka, partitions), allLed, ctx)
  let states = await read()
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
    states = await read()
  }
}

export const awaitCell = nb.query({
  id: 'await-leaders',
  title: 'Watch Kafka elect the returning broker',
  when: (ctx) => (!['wait', 'back'].includes(chosenWay(ctx) ?? '') ? 'you chose not to wait' : ctx.dryRun ? 'dry run: nothing to wait for' : true),
  whenDoc: 'you chose to wait (or a restart brought the broker back)',
  doc: 'Polls the partitions once a second, up to --set wait-timeout (2 minutes by default), and reports which got a leader and which did not; every partition led counts only when a read a second later agrees (a broker just back from a pause answers from its old metadata).',
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
    const readings = new Map((ctx.state.deadLogs ?? []).map((r) => [partitionKey(r), r]))
    ctx.state.recovered = back.map((tp) => {
      const s = states.get(partitionKey(tp))!
      const truncated = restartLoss(readings.get(partitionKey(tp)), s.leader!)
      return {
        ...tp,
        leader: s.leader!,
        leaderEpoch: s.leaderEpoch,
        epochStart: null,
        how: 'clean return',
        certainLoss: null,
        ...(truncated ? { exactLoss: truncated } : {}),
      }
    })
    const blocks: Block[] = [table(['Partition', 'Leader', 'Leader epoch', 'ISR'], rows, { title: `After ${Math.round((ctx.now() - started) / 1000)} s` })]
    const missing = partitions.length - back.length
    if (missing > 0) {
      ctx.show(blocks)
      throw new Refusal(
        `${counted(missing, 'partition')} still without a leader after ${Math.round(timeoutMs / 1000)} s — check that the broker really started (its server.log), then run this runbook again for fresh figures; nothing changed`,
      )
    }
    const cut = ctx.state.recovered.filter((r) => r.exactLoss && r.exactLoss.records > 0)
    blocks.push(
      notice(
        'ok',
        cut.length
          ? `Every partition has a leader again, and no committed record was lost; ${fewNames(cut.map((r) => `${partitionName(r)}: broker ${r.exactLoss!.deadBroker} cuts ${formatCount(r.exactLoss!.records)} uncommitted records when it follows`))} (see the aftermath).`
          : 'Every partition has a leader again, and no committed record was lost.',
      ),
    )
    return { blocks, data: { led: back.length, of: partitions.length } }
  },
})
