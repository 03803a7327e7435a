// After the change (or the wait): a bounded watch of the ISR until writes, the previous min.insync.replicas or
// the freed followers are back.

import { type Block, counted, formatSeconds, notice } from '../../lib/engine/blocks.ts'
import { Refusal } from '../../lib/engine/runbook.ts'
import type { TopicState } from '../../lib/kafka/types.ts'
import { partitionKey } from '../../lib/plans/isr-findings.ts'
import { confirmedRead } from '../../lib/poll/index.ts'
import { readTopicStates } from '../../lib/reads/replication.ts'
import { decideCell } from './decide.ts'
import { nb, type Context } from './notebook.ts'

/** What the watch waits for: writes back (wait), ISR back to the previous min ISR (lowered), freed followers in (throttle). */
interface Target {
  readonly topics: readonly string[]
  readonly done: (states: readonly TopicState[]) => { done: boolean; left: string[] }
  readonly goal: string
}

function targetOf(ctx: Context): Target {
  const findings = ctx.need('findings')
  const action = ctx.decision(decideCell)
  if (action === 'lower-min-isr' && ctx.state.lowered) {
    const record = ctx.state.lowered.record
    const need = new Map(record.topics.map((t) => [t.topic, Number(t.previous.value ?? '1')]))
    return {
      topics: record.topics.map((t) => t.topic),
      goal: `every partition of ${record.topics.map((t) => t.topic).join(', ')} with at least ${[...new Set(need.values())].join('/')} replicas in sync again (the previous min.insync.replicas)`,
      done: (states) => {
        const left = states.flatMap((s) => s.partitions.filter((p) => p.isr.length < Math.min(need.get(s.topic) ?? 1, p.replicas.length)).map(partitionKey))
        return { done: left.length === 0, left }
      },
    }
  }
  if (action === 'remove-throttle') {
    const freed = (ctx.state.causes?.replicas ?? []).filter((r) => r.throttles.length > 0 && r.brokerState === 'up')
    return {
      topics: [...new Set(freed.map((r) => r.topic))],
      goal: `the freed ${counted(freed.length, 'follower')} back in the ISR`,
      done: (states) => {
        const left = freed
          .filter(
            (r) =>
              !states
                .find((s) => s.topic === r.topic)
                ?.partitions.find((p) => p.partition === r.partition)
                ?.isr.includes(r.broker),
          )
          .map((r) => `${partitionKey(r)}@${r.broker}`)
        return { done: left.length === 0, left }
      },
    }
  }
  const failing = findings.failing
  const topics = [...new Set((failing.length ? failing : findings.partitions.filter((p) => p.outOfSync.length > 0)).map((p) => p.topic))]
  return {
    topics,
    goal: failing.length
      ? `acks=all writes accepted again on the ${counted(failing.length, 'refusing partition')}`
      : 'the out-of-sync replicas back in the ISR',
    done: (states) => {
      const byKey = new Map(states.flatMap((s) => s.partitions.map((p) => [partitionKey(p), p] as const)))
      const left = failing.length
        ? failing.filter((f) => {
            const p = byKey.get(partitionKey(f))
            return !p || p.leader === null || p.isr.length < f.effectiveMinIsr!
          })
        : findings.partitions.filter((f) => f.outOfSync.length > 0 && (byKey.get(partitionKey(f))?.isr.length ?? 0) < f.replicas.length)
      return { done: left.length === 0, left: left.map(partitionKey) }
    },
  }
}

export const watchCell = nb.query({
  id: 'watch-isr',
  title: 'Watch the ISR recover',
  doc: 'Re-reads the partitions every second, for at most --set wait-for-isr (2 minutes by default), and counts a recovery only when a second read a second later agrees (a broker just back from a pause can answer from stale metadata): after a wait, until acks=all writes are accepted again (a runbook that waited in vain stops, exit 2); after lowering min ISR, until every partition is back to the previous min.insync.replicas (then the revert is offered); after removing a throttle, until the freed followers rejoin.',
  when: (ctx) => {
    const action = ctx.decision(decideCell)
    if (action !== 'wait' && action !== 'lower-min-isr' && action !== 'remove-throttle') return 'nothing to watch for this choice'
    if (action === 'lower-min-isr' && !ctx.state.lowered) return 'min.insync.replicas was not changed'
    if (ctx.dryRun) return 'dry run: a real run watches the ISR here'
    return true
  },
  whenDoc: 'after wait, lower-min-isr or remove-throttle',
  async run(ctx) {
    const limitMs = await ctx.param('wait-for-isr')
    const target = targetOf(ctx)
    const started = ctx.now()
    let shown = 0
    // A recovery counts only when a read a second later finds it too: a broker just back from a pause lists the
    // ISR it had before the shrink for about half a second (lib/poll's confirmedRead).
    const read = confirmedRead(
      async () => target.done(await readTopicStates(ctx.kafka, target.topics)),
      (r) => r.done,
      ctx,
    )
    let result = await read()
    while (!result.done && ctx.now() - started < limitMs) {
      const waited = ctx.now() - started
      if (waited - shown >= 10_000) {
        shown = waited
        ctx.show([
          notice(
            'info',
            `Still waiting for ${target.goal} after ${formatSeconds(waited)}: ${result.left.length} left (${result.left.slice(0, 4).join(', ')}${result.left.length > 4 ? ', …' : ''})…`,
          ),
        ])
      }
      await ctx.sleep(1000)
      result = await read()
    }
    const waitedMs = ctx.now() - started
    ctx.state.recovered = result.done
    const data = { goal: target.goal, recovered: result.done, waitedMs, left: result.left }
    if (result.done) return { blocks: [notice('ok', `Recovered after ${formatSeconds(waitedMs)}: ${target.goal}.`)], data }
    if (ctx.decision(decideCell) === 'wait') {
      throw new Refusal(
        `still waiting for ${target.goal} after ${formatSeconds(waitedMs)} (${result.left.length} left, e.g. ${result.left[0]}) — bring the broker back, or lower min ISR (--set action=lower-min-isr); nothing changed`,
      )
    }
    const blocks: Block[] = [
      notice(
        'warn',
        `Not recovered within ${formatSeconds(limitMs)}: ${result.left.length} left (${result.left.slice(0, 4).join(', ')}${result.left.length > 4 ? ', …' : ''}).`,
      ),
    ]
    if (ctx.state.lowered)
      blocks.push(
        notice(
          'warn',
          'min.insync.replicas stays lowered. Once the ISR is back, restore it with `runbook undo <this session>` (the undo record holds the exact previous values).',
        ),
      )
    return { blocks, data }
  },
})
