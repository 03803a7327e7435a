// Find and cause: the flagged partitions exactly as kafka-topics flags them, and why every out-of-sync replica
// is out — broker state and last contact, its own log end sampled twice, throttles, log directories, racks.

import { formatCount, iso, notice } from '../../lib/engine/blocks.ts'
import { Refusal } from '../../lib/engine/runbook.ts'
import { planIsrFindings, type AffectedPartition } from '../../lib/plans/isr-findings.ts'
import { planReplicaCauses } from '../../lib/plans/replica-causes.ts'
import {
  readBrokerThrottles,
  readLogDirHealth,
  readReplicaSamples,
  readReplicationSnapshot,
  readWriteHistory,
  type ReplicaPair,
} from '../../lib/reads/replication.ts'
import { nb, type Context } from './notebook.ts'
import { causeBlocks, findBlocks } from './tables.ts'
import { howWritesStop, pickVariant } from './text.ts'

/** How long one broker may take to answer before it counts as not answering (a hung broker never does). */
export const brokerBudgetMs = 4000

const tp = (p: { topic: string; partition: number }) => `${p.topic}/${p.partition}`

export const explainCell = nb.explain({
  id: 'how-writes-stop',
  title: 'How replicas leave the ISR, and what writes get then',
  text: howWritesStop,
  pick: async (ctx) => {
    const caps = await ctx.capabilities()
    return pickVariant(caps.kafkaLine, caps.elr)
  },
})

/** A value above a named topic's replication factor is refused before anything else (the engine checked the names). */
function checkValue(ctx: Context, replicationFactor: ReadonlyMap<string, number>): void {
  const value = ctx.given('value')
  if (value === undefined) return
  for (const topic of ctx.given('topics') ?? []) {
    const rf = replicationFactor.get(topic)
    if (rf !== undefined && value > rf)
      throw new Refusal(`min.insync.replicas=${value} is above the replication factor of ${topic} (${rf}) — give a value from 1 to ${rf}; nothing changed`)
  }
}

export const findCell = nb.query({
  id: 'find',
  title: 'Partitions under min ISR, at min ISR, under-replicated',
  doc: 'Reads every partition’s leader, replicas, ISR and ELR, each topic’s min.insync.replicas and ongoing reassignments, and flags partitions exactly as kafka-topics --describe does (--under-min-isr-partitions, --at-min-isr-partitions, --under-replicated-partitions, --unavailable-partitions), grouped by the replicas that left the ISR, with what acks=all producers get on each.',
  async run(ctx) {
    const { snapshot, topicThrottles } = await readReplicationSnapshot(ctx.kafka, { nowMs: ctx.now() })
    const known = snapshot.topics.filter((t) => !t.error)
    checkValue(ctx, new Map(known.map((t) => [t.topic, Math.max(0, ...t.partitions.map((p) => p.replicas.length))])))
    const findings = planIsrFindings(snapshot)
    Object.assign(ctx.state, { snapshot, topicThrottles, findings })
    const names = (predicate: (p: AffectedPartition) => boolean) => findings.partitions.filter(predicate).map(tp)
    return {
      blocks: [...findBlocks(findings), ...snapshot.problems.map((p) => notice('warn', `Could not read: ${p}`))],
      data: {
        totalPartitions: findings.totalPartitions,
        underMinIsr: names((p) => p.conditions.includes('under-min-isr')),
        atMinIsr: names((p) => p.conditions.includes('at-min-isr')),
        underReplicated: names((p) => p.conditions.includes('under-replicated')),
        unavailable: names((p) => p.conditions.includes('unavailable')),
        writesRefused: names((p) => p.writes === 'failing'),
        groups: findings.groups.map((g) => ({ outOfSync: g.outOfSync, partitions: g.partitions.length, failing: g.failing, atMin: g.atMin, topics: g.topics })),
      },
    }
  },
})

export const causesCell = nb.query({
  id: 'causes',
  title: 'Why the replicas are out of sync',
  doc: 'For every out-of-sync replica: is its broker registered, fenced or hung (and when the controller last heard from it, from DescribeQuorum); its own log end (ListOffsets with the debugging replica id, answered by the follower) beside the leader’s and the high watermark, sampled twice --set sample-interval apart: catch-up rate and ETA, stuck, or falling further behind; replication throttles (broker rates and topic lists); offline log directories; out-of-sync replicas sharing a rack. Also the write rate before the failure, from the records’ timestamps.',
  when: (ctx) => (ctx.state.findings?.partitions.some((p) => p.outOfSync.length > 0) ? true : 'no replica is out of sync'),
  whenDoc: 'some replica is out of sync',
  async run(ctx) {
    const findings = ctx.need('findings')
    const snapshot = ctx.need('snapshot')
    const sampleMs = await ctx.param('sample-interval')
    const pairs: ReplicaPair[] = findings.partitions
      .filter((p) => p.leader !== null)
      .flatMap((p) => p.outOfSync.map((follower) => ({ topic: p.topic, partition: p.partition, follower, leader: p.leader! })))
    const states = new Map(snapshot.brokers.map((b) => [b.id, b.state]))
    const involved = [...new Set([...pairs.map((p) => p.leader), ...pairs.map((p) => p.follower).filter((id) => states.get(id) === 'up')])].sort(
      (a, b) => a - b,
    )
    const followersUp = [...new Set(pairs.map((p) => p.follower))].filter((id) => states.get(id) === 'up')
    const options = { budgetMs: brokerBudgetMs, nowMs: ctx.now }
    const first = await readReplicaSamples(ctx.kafka, pairs, options)
    const [throttles, logDirs, history] = await Promise.all([
      readBrokerThrottles(ctx.kafka, involved, brokerBudgetMs),
      readLogDirHealth(ctx.kafka, followersUp, brokerBudgetMs),
      readWriteHistory(ctx.kafka, findings.failing),
      ctx.sleep(sampleMs),
    ])
    const second = await readReplicaSamples(ctx.kafka, pairs, options)
    const causes = planReplicaCauses(
      findings,
      snapshot.brokers,
      { first, second, throttles, topicThrottles: ctx.state.topicThrottles ?? [], logDirs },
      ctx.now(),
    )
    Object.assign(ctx.state, { causes, history })
    const blocks = causeBlocks(causes, ctx.now(), sampleMs)
    if (history.recordsPerSecond !== null && findings.failing.length > 0) {
      blocks.push(
        notice(
          'info',
          `Before they failed, the refusing partitions took about ${formatCount(Math.round(history.recordsPerSecond))} records/s${history.lastAcceptedMs !== null ? `; the newest record they accepted is from ${iso(history.lastAcceptedMs)}` : ''}.`,
        ),
      )
    }
    return {
      blocks,
      data: {
        brokers: causes.brokers,
        replicas: causes.replicas.map((r) => ({
          partition: tp(r),
          broker: r.broker,
          verdict: r.verdict,
          progress: r.progress,
          throttled: r.throttles.length > 0,
          offlineLogDir: r.offlineLogDir,
        })),
        sharedRacks: causes.sharedRacks,
        writesBackInMs: causes.writesBackInMs,
        writeRate: history.recordsPerSecond,
      },
    }
  },
})
