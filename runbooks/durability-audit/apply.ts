// The two setting fixes, built on the shared topic-config-change cell (validated, re-checked, read back, undone to
// each setting's previous value and source), with what the operator approves: each fix before and after, per
// topic, with what it costs on this cluster now.

import { topicConfigChange } from '../../lib/cells/topic-config-change.ts'
import { agree, type Block, counted, formatCount, markdown, notice, table } from '../../lib/engine/blocks.ts'
import { ifChosen, Refusal } from '../../lib/engine/runbook.ts'
import { describeSource, fitNames } from '../../lib/plans/durability-lines.ts'
import { isFixFault, type MinIsrPlan, planMinIsrRaise, planUncleanOff, type SettingBefore, type UncleanPlan } from '../../lib/plans/durability-fixes.ts'
import { readTopicStates } from '../../lib/reads/replication.ts'
import { raiseMinIsrDecision, uncleanOffDecision } from './decide.ts'
import { freshReport } from './find.ts'
import { type Ctx, nb } from './notebook.ts'

async function minIsrPlan(ctx: Ctx): Promise<MinIsrPlan> {
  const plan = planMinIsrRaise(await freshReport(ctx), await ctx.param('min-isr'))
  if (isFixFault(plan)) throw new Refusal(`${plan.what}; nothing changed`)
  return plan
}

async function uncleanPlan(ctx: Ctx): Promise<UncleanPlan> {
  const plan = planUncleanOff(await freshReport(ctx))
  if (isFixFault(plan)) throw new Refusal(`${plan.what}; nothing changed`)
  return plan
}

export const minIsrCell = topicConfigChange(nb, {
  id: 'min-isr',
  title: 'Raise min.insync.replicas',
  doc: 'Sets min.insync.replicas as a topic override (IncrementalAlterConfigs, validated first; other overrides stay) on every topic below the target, capped at its replication factor; re-checks each topic’s setting and how many partitions would refuse acks=all, reads the overrides back, and writes an undo record that restores each previous value and source (an inherited value by removing the override).',
  ...ifChosen(raiseMinIsrDecision, ['apply'], 'not chosen'),
  targets: async (ctx) => {
    const plan = await minIsrPlan(ctx)
    return { targets: plan.changes.map((c) => ({ topic: c.topic, name: plan.config, value: c.to })), facts: plan }
  },
  preview: (plan) => minIsrPreview(plan.facts!),
  summary: (plan) => `set min.insync.replicas on ${counted(plan.facts!.totals.topics, 'topic')} (${counted(plan.facts!.totals.partitions, 'partition')})`,
  confirm: ({ facts }) =>
    facts!.totals.stopsWritesTopics > 0 || facts!.totals.failingAtOnce > 0
      ? {
          kind: 'typed',
          expected: String(facts!.totals.partitions),
          prompt: `Type ${facts!.totals.partitions} to raise min.insync.replicas on ${counted(facts!.totals.partitions, 'partition')} (${facts!.totals.failingAtOnce ? `${facts!.totals.failingAtOnce} refuse acks=all at once` : `${counted(facts!.totals.stopsWritesTopics, 'topic')} ${agree(facts!.totals.stopsWritesTopics, 'stops', 'stop')} acks=all writes when one broker is down`})`,
        }
      : {
          kind: 'yes-no',
          prompt: `Raise min.insync.replicas on ${counted(facts!.totals.topics, 'topic')} (${counted(facts!.totals.partitions, 'partition')})?`,
        },
  // The plan priced how many partitions refuse acks=all at once: more of them now is a different plan.
  recheckMore: async (ctx, { facts }) => {
    const states = await readTopicStates(
      ctx.kafka,
      facts!.changes.map((c) => c.topic),
    )
    return facts!.changes.flatMap((change) => {
      const now = states.find((s) => s.topic === change.topic)?.partitions.filter((p) => p.leader !== null && p.isr.length < Number(change.to)).length ?? 0
      return now > change.failingAtOnce
        ? [{ what: `partitions of ${change.topic} with fewer than ${change.to} in sync`, planned: String(change.failingAtOnce), now: String(now) }]
        : []
    })
  },
})

export const uncleanCell = topicConfigChange(nb, {
  id: 'unclean',
  title: 'Turn unclean leader election off',
  doc: 'Sets unclean.leader.election.enable=false as a topic override (IncrementalAlterConfigs, validated first) on every topic that resolves it to true; re-checks each topic’s setting, reads the overrides back, and writes an undo record that restores each previous value and source.',
  ...ifChosen(uncleanOffDecision, ['apply'], 'not chosen'),
  targets: async (ctx) => {
    const plan = await uncleanPlan(ctx)
    return { targets: plan.changes.map((c) => ({ topic: c.topic, name: plan.config, value: c.to })), facts: plan }
  },
  preview: (plan) => uncleanPreview(plan.facts!),
  summary: (plan) =>
    `turn unclean leader election off on ${counted(plan.facts!.totals.topics, 'topic')} (${counted(plan.facts!.totals.partitions, 'partition')})`,
  confirm: ({ facts }) =>
    facts!.totals.leaderless > 0
      ? {
          kind: 'typed',
          expected: String(facts!.totals.leaderless),
          prompt: `Type ${facts!.totals.leaderless} to keep ${counted(facts!.totals.leaderless, 'leaderless partition')} waiting for an in-sync replica`,
        }
      : { kind: 'yes-no', prompt: `Turn unclean leader election off on ${counted(facts!.totals.topics, 'topic')}?` },
})

const maxRows = 15

const beforeText = (b: SettingBefore) => `${b.value ?? '?'} (${describeSource(b.source)})`

function skippedBlocks(skipped: readonly { topic: string; reason: string }[]): Block[] {
  if (skipped.length === 0) return []
  const byReason = new Map<string, string[]>()
  for (const s of skipped) byReason.set(s.reason, [...(byReason.get(s.reason) ?? []), s.topic])
  return [...byReason].map(([reason, topics]) => notice('info', `Not changed: ${fitNames(topics, 50)} — ${reason}.`))
}

function minIsrPreview(plan: MinIsrPlan): Block[] {
  const rows = plan.changes
    .slice(0, maxRows)
    .map((c) => [
      c.topic,
      c.replicationFactor,
      c.partitions,
      beforeText(c.before),
      `${c.to} (topic override)`,
      c.failingAtOnce
        ? `${c.failingAtOnce} refuse acks=all now`
        : c.stopsWritesOnBrokerLoss
          ? 'one broker down stops acks=all'
          : `${counted(c.replicationFactor - Number(c.to), 'broker')} may be down`,
    ])
  const blocks: Block[] = [
    table(['Topic', 'RF', 'Part.', 'min.insync.replicas now', 'After', 'Writes'], rows, {
      title: `Raise min.insync.replicas on ${counted(plan.totals.topics, 'topic')}`,
      ...(plan.changes.length > maxRows
        ? { footer: `and ${formatCount(plan.changes.length - maxRows)} more topics (the plan in --json lists every one)` }
        : {}),
    }),
    markdown(
      `After this, an acks=all write on these topics is acknowledged only once at least ${plan.target} replicas (or every replica, where there are fewer) have it; below that the producer gets NOT_ENOUGH_REPLICAS and retries instead of being told "written" with one copy. acks=1 and acks=0 producers see no difference — fix those in the producer.`,
    ),
  ]
  if (plan.totals.stopsWritesTopics > 0) {
    blocks.push(
      notice(
        'warn',
        `${counted(plan.totals.stopsWritesTopics, 'topic')} ${agree(plan.totals.stopsWritesTopics, 'has', 'have')} only ${counted(plan.target, 'replica')}: min.insync.replicas then equals the replication factor, and ANY one broker down — a crash or a rolling restart — stops their acks=all writes until it is back. Raising the replication factor first (the reassignment plan) avoids that.`,
      ),
    )
  }
  if (plan.totals.failingAtOnce > 0)
    blocks.push(
      notice(
        'danger',
        `${counted(plan.totals.failingAtOnce, 'partition')} ${agree(plan.totals.failingAtOnce, 'has', 'have')} fewer in-sync replicas than that right now: acks=all writes to them are refused from the moment this applies.`,
      ),
    )
  if (plan.totals.elrCleared > 0)
    blocks.push(
      notice(
        'info',
        `${counted(plan.totals.elrCleared, 'partition')} ${agree(plan.totals.elrCleared, 'has', 'have')} eligible leader replicas recorded; Kafka 4.x clears them when min.insync.replicas changes.`,
      ),
    )
  return [...blocks, ...skippedBlocks(plan.skipped)]
}

function uncleanPreview(plan: UncleanPlan): Block[] {
  const rows = plan.changes
    .slice(0, maxRows)
    .map((c) => [c.topic, c.partitions, beforeText(c.before), 'false (topic override)', c.leaderless ? `${c.leaderless} leaderless now` : ''])
  const blocks: Block[] = [
    table(['Topic', 'Part.', 'unclean.leader.election.enable now', 'After', ''], rows, {
      title: `Turn unclean leader election off on ${counted(plan.totals.topics, 'topic')}`,
      ...(plan.changes.length > maxRows ? { footer: `and ${formatCount(plan.changes.length - maxRows)} more topics` } : {}),
    }),
    markdown(
      'After this, when every in-sync replica of a partition is gone, the partition waits for one of them instead of promoting a replica that lacks acknowledged records. An operator can still force that choice after pricing it (`runbook run unclean-election`).',
    ),
  ]
  if (plan.totals.leaderless > 0)
    blocks.push(
      notice(
        'warn',
        `${counted(plan.totals.leaderless, 'partition')} ${agree(plan.totals.leaderless, 'has', 'have')} no leader right now: with the flag off, Kafka will not elect a lagging replica for them; they stay offline until an in-sync replica returns.`,
      ),
    )
  return [...blocks, ...skippedBlocks(plan.skipped)]
}
