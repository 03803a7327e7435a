// After the choice: the operator's own restart command for a down broker (confirmed), a bounded watch of the
// ISR until writes or replicas are back, and, for a broker gone for good, a reassignment plan to export.

import { type Block, counted, formatCount, formatSeconds, markdown, notice, table } from '../../lib/engine/blocks.ts'
import { Refusal } from '../../lib/engine/runbook.ts'
import type { TopicState } from '../../lib/kafka/types.ts'
import { partitionKey } from '../../lib/plans/isr-findings.ts'
import { planReplicaMove } from '../../lib/plans/replica-move.ts'
import { readLeaderReplicaSizes, readTopicStates } from '../../lib/reads/replication.ts'
import { nb, type Context, bootstrapPlaceholder } from './notebook.ts'

const down = (ctx: Context) => [...(ctx.state.facts?.downBrokers ?? []), ...(ctx.state.facts?.hungBrokers ?? [])]

export const restartCell = nb.shell({
  id: 'restart-command',
  title: 'Bring the broker back',
  doc: 'Runs your own command that restarts (or resumes) the down or hung broker — only after you confirm it, never in --dry-run; approved by hash in headless runs.',
  when: (ctx) => (ctx.decision('action') !== 'wait' ? 'another action was chosen' : down(ctx).length === 0 ? 'no out-of-sync broker is down or hung' : true),
  whenDoc: 'action=wait and a broker is down or hung',
  command: async (ctx) => (await ctx.param('restart-command')) ?? null,
  skipReason: 'no restart command given: bring the broker back yourself; the next step watches the ISR',
  timeoutMs: 300_000,
})

/** What the watch waits for: writes back (wait), ISR back to the previous min ISR (lowered), freed followers in (throttle). */
interface Target {
  readonly topics: readonly string[]
  readonly done: (states: readonly TopicState[]) => { done: boolean; left: string[] }
  readonly goal: string
}

function targetOf(ctx: Context): Target {
  const findings = ctx.state.findings!
  const action = ctx.decision('action')
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
      goal: `the ${formatCount(freed.length)} freed follower(s) back in the ISR`,
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
      ? `acks=all writes accepted again on the ${formatCount(failing.length)} refusing partition(s)`
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
  doc: 'Re-reads the partitions every second, for at most --set wait-for-isr (2 minutes by default): after a wait, until acks=all writes are accepted again (a runbook that waited in vain stops, exit 2); after lowering min ISR, until every partition is back to the previous min.insync.replicas (then the revert is offered); after removing a throttle, until the freed followers rejoin.',
  when: (ctx) => {
    const action = ctx.decision('action')
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
    let result = target.done(await readTopicStates(ctx.kafka, target.topics))
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
      result = target.done(await readTopicStates(ctx.kafka, target.topics))
    }
    const waitedMs = ctx.now() - started
    ctx.state.recovered = result.done
    const data = { goal: target.goal, recovered: result.done, waitedMs, left: result.left }
    if (result.done) return { blocks: [notice('ok', `Recovered after ${formatSeconds(waitedMs)}: ${target.goal}.`)], data }
    if (ctx.decision('action') === 'wait') {
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

export const exportCell = nb.query({
  id: 'export-reassignment',
  title: 'A reassignment plan for the broker that is gone',
  doc: 'Moves every replica of the flagged partitions off the gone brokers (--set gone-brokers=…, default: the down ones) to live brokers that hold none of the partition yet — another rack first, the least loaded first — and writes reassignment.json and reassignment-rollback.json (kafka-reassign-partitions format) into the session folder, with the size to copy from the leaders. Nothing is applied.',
  when: (ctx) => ctx.decision('action') === 'export-reassignment' || 'another action was chosen',
  whenDoc: 'action=export-reassignment',
  async run(ctx) {
    const snapshot = ctx.state.snapshot!
    const findings = ctx.state.findings!
    const known = new Set(snapshot.brokers.map((b) => b.id))
    const gone = (await ctx.param('gone-brokers')) ?? ctx.state.facts?.downBrokers ?? []
    for (const id of gone)
      if (!known.has(id)) throw new Refusal(`broker ${id} holds no replica and is not registered — give the ids of the brokers that are gone; nothing changed`)
    if (gone.length === 0) throw new Refusal('no broker is down: say which brokers are gone for good with --set gone-brokers=<ids>; nothing changed')
    const counts = new Map<number, number>()
    for (const t of snapshot.topics) for (const p of t.partitions) for (const id of p.replicas) counts.set(id, (counts.get(id) ?? 0) + 1)
    const moving = findings.partitions.filter((p) => p.replicas.some((id) => gone.includes(id)))
    const sizes = await readLeaderReplicaSizes(ctx.kafka, moving)
    const plan = planReplicaMove({ gone, brokers: snapshot.brokers, partitions: moving, replicaCounts: counts, sizes })
    const blocks: Block[] = []
    if (plan.moves.length > 0) {
      const file = await ctx.writeFile('reassignment.json', plan.reassignmentJson)
      const rollback = await ctx.writeFile('reassignment-rollback.json', plan.rollbackJson)
      blocks.push(
        table(
          ['Partition', 'Replicas now', 'After'],
          plan.moves.slice(0, 60).map((m) => [`${m.topic}/${m.partition}`, m.from.join(','), m.to.join(',')]),
          {
            title: `Move ${counted(plan.moves.length, 'partition')} off broker ${plan.gone.join(', ')}`,
            footer: `copies ${formatCount(plan.copyBytes)} bytes from the leaders${plan.unknownSizes ? ` (+ ${counted(plan.unknownSizes, 'partition')} of unknown size)` : ''}`,
          },
        ),
        markdown(
          `Written (not applied):\n\n- \`${file}\`\n- \`${rollback}\` (the assignment as it is now — it names broker ${plan.gone.join(', ')}, which kafka-reassign-partitions refuses while that broker is not registered)\n\nReview, then run Kafka's own tool; \`--throttle\` (bytes/s) keeps the copy from starving producers, and \`--verify\` removes the throttle when done:\n\n\`\`\`sh\nkafka-reassign-partitions --bootstrap-server ${bootstrapPlaceholder} --reassignment-json-file ${file} --execute --throttle 50000000\nkafka-reassign-partitions --bootstrap-server ${bootstrapPlaceholder} --reassignment-json-file ${file} --verify\n\`\`\`\n\nAt 50 MB/s the copy takes about ${formatSeconds(Math.ceil(Number(plan.copyBytes) / 50_000))}.`,
        ),
      )
    }
    if (plan.stuck.length > 0) {
      blocks.push(
        notice(
          'warn',
          `${counted(plan.stuck.length, 'partition')} cannot move: every live broker already holds one of their replicas (e.g. ${plan.stuck[0]!.topic}/${plan.stuck[0]!.partition} on ${plan.stuck[0]!.replicas.join(',')}). Add a broker first, or accept a lower replication factor.`,
        ),
      )
    }
    return { blocks, data: { gone: plan.gone, moves: plan.moves, stuck: plan.stuck, copyBytes: plan.copyBytes } }
  },
})
