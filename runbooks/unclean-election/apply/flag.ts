// The unclean flag, one-shot: turn unclean.leader.election.enable on for the topics of the listed partitions,
// wait for the controller to elect (its periodic scan, or a broker registration), and turn it back off — also
// on Ctrl-C and on timeout. What the flag did and did not turn back is the undo record.

import { agree, type Block, counted, formatCount, notice, table } from '../../../lib/engine/blocks.ts'
import { pollUntil } from '../../../lib/poll/index.ts'
import { Refusal, type ApplyResult } from '../../../lib/engine/runbook.ts'
import type { ConfigOp, KafkaOps } from '../../../lib/kafka/types.ts'
import { partitionName } from '../../../lib/plans/leaderless.ts'
import { describePlanFault, planUncleanFlag, type FlagPlan, type FlagTopic } from '../../../lib/plans/unclean-election.ts'
import { partitionKey, readLeaderlessSnapshot, readPartitionStates } from '../../../lib/reads/leaderless.ts'
import { readTopicSettings, settingOf } from '../../../lib/reads/topic-settings.ts'
import { ifWay } from '../decide.ts'
import { watchLeaders } from './wait.ts'
import { nb, type Context } from '../notebook.ts'
import { recheckLeaderless, settling } from './recheck.ts'
import { fewNames, sourceText, unitWord } from '../text.ts'

const flagName = 'unclean.leader.election.enable'

export interface FlagUndo {
  /** Topics whose flag is still on because this run could not turn it back. */
  readonly topics: readonly FlagTopic[]
}

/** Each topic's own override of the flag, by topic; absent where the topic inherits it. */
async function readTopicOverride(kafka: KafkaOps, topics: readonly FlagTopic[]): Promise<Map<string, string>> {
  const settings = await readTopicSettings(
    kafka,
    topics.map((t) => t.topic),
    [flagName],
  )
  return new Map(settings.flatMap((t) => (t.overrides[flagName] === undefined ? [] : [[t.topic, t.overrides[flagName]] as const])))
}

const restoreOp = (t: FlagTopic): ConfigOp =>
  t.overrideBefore === null ? { name: flagName, op: 'delete' } : { name: flagName, op: 'set', value: t.overrideBefore }
const restoreText = (t: FlagTopic) => (t.overrideBefore === null ? 'remove the topic override' : `set it back to ${t.overrideBefore}`)

function previewBlocks(plan: FlagPlan): Block[] {
  return [
    table(
      ['Topic', 'Flag now (where set)', 'Change', 'Afterwards'],
      plan.topics.map((t) => [
        t.topic,
        `${t.effectiveBefore ?? 'unknown'} (${sourceText(t.sourceBefore as never)})`,
        `${flagName}=true (topic override)`,
        restoreText(t),
      ]),
      { title: `Turn the flag on, wait up to ${Math.round(plan.waitMs / 1000)} s for the controller, turn it back` },
    ),
    table(
      ['Partition', 'Kafka will elect', 'It certainly loses', 'Least-loss replica', 'It would lose'],
      plan.partitions.map((p) => [
        partitionName(p),
        p.kafkaPick,
        p.kafkaPickLoss === null ? 'unknown' : unitWord(p.unit, p.kafkaPickLoss),
        p.best ?? '—',
        p.bestLoss === null ? '—' : unitWord(p.unit, p.bestLoss),
      ]),
      { title: 'What the controller will pick: the first live replica in replica order' },
    ),
    notice(
      'danger',
      `Cannot be undone once the controller elects: at least ${unitWord(plan.unit, plan.certainLoss)} deleted, maybe more. The controller elects on its own timer (unclean.leader.election.interval.ms, 5 minutes by default) or at the next broker registration or unfencing — you do not choose the moment, nor the replica.`,
    ),
    notice(
      'warn',
      'While the flag is on it covers every partition of these topics, including healthy ones that fail meanwhile. With ELR on, restarting the complete broker while it is on makes the controller elect the worse live replica at that broker’s registration (seen in our lab): do not restart brokers during the wait. The flag is turned back when the partitions have leaders, when the wait ends, or on Ctrl-C.',
    ),
  ]
}

async function setFlags(ctx: Pick<Context, 'kafka'>, topics: readonly FlagTopic[], op: (t: FlagTopic) => ConfigOp) {
  const results = await ctx.kafka.incrementalAlterConfigs(
    topics.map((t) => ({ resource: { type: 'topic' as const, name: t.topic }, ops: [op(t)] })),
    { validateOnly: false },
  )
  return topics.map((t, i) => ({ topic: t, error: results[i]?.error }))
}

async function apply(ctx: Context, plan: FlagPlan): Promise<ApplyResult<FlagUndo>> {
  const applied: string[] = []
  const failed: { item: string; error: string }[] = []
  const set = await setFlags(ctx, plan.topics, () => ({ name: flagName, op: 'set', value: 'true' }))
  const on = set.filter((r) => !r.error).map((r) => r.topic)
  for (const r of set) {
    if (r.error) failed.push({ item: `turn on ${flagName} for ${r.topic.topic}`, error: `${r.error.name}: ${r.error.message}` })
    else applied.push(`turn on ${flagName} for ${r.topic.topic}`)
  }
  if (on.length === 0) return { blocks: [], applied, failed, undo: { topics: [] } }
  const covered = plan.partitions.filter((p) => on.some((t) => t.topic === p.topic))
  const started = ctx.now()
  const states = await watchLeaders(ctx, covered, plan.waitMs, (led, waitedMs) =>
    ctx.show([
      notice(
        'info',
        `Flag on: ${formatCount(led)} of ${formatCount(covered.length)} partitions have a leader (${Math.round(waitedMs / 1000)} s of at most ${Math.round(plan.waitMs / 1000)} s; Ctrl-C turns the flag back and stops).`,
      ),
    ]),
  )
  const waitedMs = ctx.now() - started
  const reverted = await setFlags(ctx, on, restoreOp)
  const stillOn: FlagTopic[] = []
  for (const r of reverted) {
    if (r.error) {
      stillOn.push(r.topic)
      failed.push({ item: `turn ${flagName} back for ${r.topic.topic}`, error: `${r.error.name}: ${r.error.message} — it is still on` })
    } else applied.push(`turn ${flagName} back for ${r.topic.topic} (${restoreText(r.topic)})`)
  }
  ctx.state.flag = { topics: on.map((t) => t.topic), reverted: on.filter((t) => !stillOn.includes(t)).map((t) => t.topic) }
  const why = ctx.signal.aborted
    ? 'stopped by Ctrl-C'
    : covered.every((p) => states.get(partitionKey(p))?.leader != null)
      ? 'every partition has a leader'
      : `no election within ${Math.round(plan.waitMs / 1000)} s`
  const blocks: Block[] = [
    notice(
      stillOn.length ? 'danger' : 'ok',
      `Waited ${Math.round(waitedMs / 1000)} s (${why}); the flag is ${stillOn.length ? `STILL ON for ${fewNames(stillOn.map((t) => t.topic))}` : 'back as it was'}.`,
    ),
  ]
  return {
    blocks,
    applied,
    failed,
    undo: { topics: stillOn },
    data: { waitedMs, why, leaders: covered.map((p) => ({ partition: partitionName(p), leader: states.get(partitionKey(p))?.leader ?? null })) },
  }
}

async function verify(ctx: Context, plan: FlagPlan) {
  // Ctrl-C ended the wait (the flag was turned back already): the run stops as interrupted, not as a failure.
  if (ctx.signal.aborted) throw new Error('interrupted while waiting for the controller; the flag was turned back')
  const states = await readPartitionStates(ctx.kafka, plan.partitions)
  const rows = plan.partitions.map((p) => {
    const s = states.get(partitionKey(p))
    const leader = s?.leader ?? null
    const loss = leader === p.kafkaPick ? p.kafkaPickLoss : leader === p.best ? p.bestLoss : null
    return { p, leader, epoch: s?.leaderEpoch ?? null, loss }
  })
  const elected = rows.filter((r) => r.leader !== null)
  ctx.state.recovered = [
    ...(ctx.state.recovered ?? []),
    ...elected.map((r) => ({
      topic: r.p.topic,
      partition: r.p.partition,
      leader: r.leader!,
      leaderEpoch: r.epoch ?? 0,
      epochStart: null,
      how: 'unclean flag' as const,
      certainLoss: r.loss,
    })),
  ]
  const flagsOn = async () =>
    (
      await readTopicSettings(
        ctx.kafka,
        plan.topics.map((t) => t.topic),
        [flagName],
      )
    )
      .filter((t) => settingOf(t, flagName).value === 'true')
      .map((t) => t.topic)
  const expectedOn = (ctx.state.flag?.topics ?? []).filter((t) => !(ctx.state.flag?.reverted ?? []).includes(t))
  const stillOn = await pollUntil(flagsOn, (on) => on.length === expectedOn.length, settling(ctx.sleep))
  const blocks: Block[] = [
    table(
      ['Partition', 'Leader', 'Leader epoch', 'Kafka’s expected pick', 'Certainly lost'],
      rows.map((r) => [
        partitionName(r.p),
        r.leader ?? 'none',
        r.epoch,
        r.p.kafkaPick,
        r.leader === null ? '—' : r.loss === null ? 'unknown' : unitWord(r.p.unit, r.loss),
      ]),
      { title: 'After the flag' },
    ),
    stillOn.length
      ? notice('danger', `${flagName} is still true for ${fewNames(stillOn)}.`)
      : notice('ok', `${flagName} is back as it was on every topic this run changed.`),
  ]
  if (elected.length < rows.length)
    blocks.push(
      notice(
        'warn',
        `${counted(rows.length - elected.length, 'partition')} still without a leader: the controller did not elect in time. The explicit election does not depend on its timer.`,
      ),
    )
  return { ok: elected.length === rows.length && stillOn.length === 0, blocks, data: { elected: elected.length, stillOn } }
}

export const flagCell = nb.action<FlagPlan, FlagUndo>({
  id: 'unclean-flag',
  title: 'Turn on the unclean flag until the partitions have leaders',
  ...ifWay(['flag']),
  doc: 'Sets unclean.leader.election.enable=true as a topic override on the topics of the listed partitions (IncrementalAlterConfigs), waits up to --set flag-timeout for the controller to elect, then restores each topic’s previous setting — also when the wait ends or on Ctrl-C. The undo record covers any topic it could not turn back.',
  async plan(ctx) {
    const partitions = await ctx.param('partitions')
    const waitMs = await ctx.param('flag-timeout')
    const snapshot = await readLeaderlessSnapshot(ctx.kafka, { takenAtMs: ctx.now(), only: partitions })
    const planned = planUncleanFlag(snapshot, { partitions, waitMs })
    if (!planned.ok) throw new Refusal(describePlanFault(planned.fault))
    return planned.plan
  },
  preview: (plan) => previewBlocks(plan),
  summary: (plan) =>
    `turn on ${flagName} for ${fewNames(plan.topics.map((t) => t.topic))} until ${formatCount(plan.partitions.length)} partition${agree(plan.partitions.length, ' has a leader', 's have leaders')} (at most ${Math.round(plan.waitMs / 1000)} s), then back: at least ${unitWord(plan.unit, plan.certainLoss)} lost`,
  confirm: (plan) => {
    const expected = `unclean ${plan.topics.map((t) => t.topic).join(',')}`
    return {
      kind: 'typed',
      expected,
      prompt: `The controller will delete at least ${unitWord(plan.unit, plan.certainLoss)}, picking replicas itself. Type "${expected}" to turn the flag on`,
    }
  },
  recheck: async (ctx, plan) => {
    const { drifts, snapshot } = await recheckLeaderless(
      ctx,
      plan.partitions.map((p) => ({ topic: p.topic, partition: p.partition, replicasBefore: p.replicas, inSyncDead: p.inSyncDead, liveLogs: null })),
    )
    for (const t of plan.topics) {
      const now = snapshot.partitions.find((p) => p.topic === t.topic)?.unclean
      if (now && now.value !== t.effectiveBefore)
        drifts.push({ what: `${flagName} of ${t.topic}`, planned: t.effectiveBefore ?? 'unknown', now: now.value ?? 'unknown' })
    }
    for (const p of plan.partitions) {
      const now = snapshot.partitions.find((q) => partitionKey(q) === partitionKey(p))
      const pick = now?.replicaLogs[0]?.broker
      if (now && pick !== p.kafkaPick)
        drifts.push({
          what: `first live replica of ${partitionName(p)}`,
          planned: `broker ${p.kafkaPick}`,
          now: pick === undefined ? 'none' : `broker ${pick}`,
        })
    }
    return drifts
  },
  apply,
  verify: (ctx, plan) => verify(ctx, plan),
  undoRecord: (plan) => ({ topics: plan.topics }),
  undo: {
    describe: (record) => [
      record.topics.length
        ? table(
            ['Topic', 'Restore'],
            record.topics.map((t) => [t.topic, restoreText(t)]),
            { title: `Turn ${flagName} back` },
          )
        : notice('info', 'The flag was turned back during the run: there is nothing to restore.'),
    ],
    summary: (record) => (record.topics.length ? `turn ${flagName} back for ${fewNames(record.topics.map((t) => t.topic))}` : 'nothing to restore'),
    confirm: (record) => ({ kind: 'yes-no', prompt: `Turn ${flagName} back for ${fewNames(record.topics.map((t) => t.topic)) || 'no topic'}?` }),
    async recheck(ctx, record) {
      if (record.topics.length === 0) return []
      const overrides = await readTopicOverride(ctx.kafka, record.topics)
      return record.topics.flatMap((t) => {
        const now = overrides.get(t.topic) ?? null
        return now === 'true' ? [] : [{ what: `${flagName} override of ${t.topic}`, planned: 'true', now: now ?? 'no override' }]
      })
    },
    async apply(ctx, record) {
      const results = await setFlags(ctx, record.topics, restoreOp)
      return {
        blocks: [],
        applied: results.filter((r) => !r.error).map((r) => `turn back ${r.topic.topic}`),
        failed: results.filter((r) => r.error).map((r) => ({ item: `turn back ${r.topic.topic}`, error: `${r.error!.name}: ${r.error!.message}` })),
      }
    },
    async verify(ctx, record) {
      if (record.topics.length === 0) return { ok: true, blocks: [] }
      const unrestored = async () => {
        const overrides = await readTopicOverride(ctx.kafka, record.topics)
        return record.topics.filter((t) => (overrides.get(t.topic) ?? null) !== t.overrideBefore)
      }
      const wrong = await pollUntil(unrestored, (w) => w.length === 0, settling(ctx.sleep))
      return {
        ok: wrong.length === 0,
        blocks: [wrong.length ? notice('danger', `Not restored: ${fewNames(wrong.map((t) => t.topic))}.`) : notice('ok', 'The flag is back as it was.')],
      }
    },
  },
})
