// The two setting fixes: each a decision (with its cost on this cluster now; headless runs skip it unless
// asked) and the action, built on the shared topic-config-change cell (validated, re-checked, read back, undone
// to each setting's previous value and source).

import { topicConfigChange } from '../../lib/cells/topic-config-change.ts'
import { Refusal } from '../../lib/engine/runbook.ts'
import { isFixFault, planMinIsrRaise, planUncleanOff, type MinIsrPlan, type UncleanPlan } from '../../lib/plans/durability-fixes.ts'
import { type Ctx, freshReport, nb, type State } from './notebook.ts'
import { minIsrPreview, uncleanPreview } from './previews.ts'
import { readTopicStates } from '../../lib/reads/replication.ts'
import { agree, counted } from '../../lib/engine/blocks.ts'

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

export const raiseMinIsrDecision = nb.decide({
  id: 'raise-min-isr',
  title: 'Raise min.insync.replicas?',
  doc: 'Offered when topics with two or more replicas let acks=all be satisfied by fewer copies than --set min-isr (default 2). Each option with its cost on this cluster now. Headless runs skip it unless --set raise-min-isr=apply.',
  question: 'Raise min.insync.replicas on the topics below it?',
  when: async (ctx) => {
    const plan = planMinIsrRaise(ctx.state.audit!.report, await ctx.param('min-isr'))
    return isFixFault(plan) ? plan.what : true
  },
  whenDoc: 'a topic with 2+ replicas has min.insync.replicas below the target',
  choices: [
    { value: 'apply', label: 'Raise it (preview, confirm, undoable)' },
    { value: 'skip', label: 'Leave it' },
  ],
  async options(ctx) {
    const plan = planMinIsrRaise(ctx.state.audit!.report, await ctx.param('min-isr')) as MinIsrPlan
    const { totals } = plan
    return [
      {
        value: 'apply',
        label: `Raise it to ${plan.target} on ${counted(totals.topics, 'topic')} (${counted(totals.partitions, 'partition')})`,
        cost: [
          `acks=all writes are refused (NOT_ENOUGH_REPLICAS) while fewer than ${plan.target} replicas are in sync`,
          totals.failingAtOnce ? `${counted(totals.failingAtOnce, 'partition')} already below it would refuse them at once` : 'no partition is below it now',
          totals.stopsWritesTopics ? `${counted(totals.stopsWritesTopics, 'topic')} would need every replica: one broker down stops their acks=all writes` : '',
        ]
          .filter(Boolean)
          .join('; '),
        risk: `producers that ignore send errors drop records while refused${totals.elrCleared ? `; Kafka 4.x clears the ELR record of ${counted(totals.elrCleared, 'partition')}` : ''}`,
        recommended: totals.failingAtOnce === 0 && totals.stopsWritesTopics === 0,
      },
      { value: 'skip', label: 'Leave it', cost: 'nothing changes', risk: 'acks=all on these topics keeps meaning as little as one copy when followers lag' },
    ]
  },
  because: () => 'no partition would refuse writes now, and every topic keeps one broker of slack',
  headlessDefault: 'skip',
})

export const minIsrCell = topicConfigChange<State, typeof nb.params, MinIsrPlan>({
  id: 'min-isr',
  title: 'Raise min.insync.replicas',
  doc: 'Sets min.insync.replicas as a topic override (IncrementalAlterConfigs, validated first; other overrides stay) on every topic below the target, capped at its replication factor; re-checks each topic’s setting and how many partitions would refuse acks=all, reads the overrides back, and writes an undo record that restores each previous value and source (an inherited value by removing the override).',
  when: (ctx) => ctx.decision('raise-min-isr') === 'apply' || 'not chosen',
  whenDoc: 'raise-min-isr = apply',
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

export const uncleanOffDecision = nb.decide({
  id: 'unclean-off',
  title: 'Turn unclean leader election off?',
  doc: 'Offered when topics resolve unclean.leader.election.enable to true. Headless runs skip it unless --set unclean-off=apply.',
  question: 'Turn unclean leader election off on these topics?',
  when: (ctx) => {
    const plan = planUncleanOff(ctx.state.audit!.report)
    return isFixFault(plan) ? plan.what : true
  },
  whenDoc: 'a topic has unclean leader election on',
  choices: [
    { value: 'apply', label: 'Turn it off (preview, confirm, undoable)' },
    { value: 'skip', label: 'Leave it on' },
  ],
  options(ctx) {
    const plan = planUncleanOff(ctx.state.audit!.report) as UncleanPlan
    return [
      {
        value: 'apply',
        label: `Turn it off on ${counted(plan.totals.topics, 'topic')} (${counted(plan.totals.partitions, 'partition')})`,
        cost: `a partition whose in-sync replicas are all lost stays offline until one returns${plan.totals.leaderless ? `; ${counted(plan.totals.leaderless, 'partition')} ${agree(plan.totals.leaderless, 'has', 'have')} no leader right now and would wait` : ''}`,
        risk: 'longer outages in exchange for no silent loss; an operator can still elect unclean by hand after pricing the loss (unclean-election runbook)',
        recommended: true,
      },
      {
        value: 'skip',
        label: 'Leave it on',
        cost: 'nothing changes',
        risk: 'a broker crash after followers fell behind can delete acknowledged records, acks=all ones included',
      },
    ]
  },
  because: () => 'losing acknowledged records silently is worse than a partition waiting for a replica that has them',
  headlessDefault: 'skip',
})

export const uncleanCell = topicConfigChange<State, typeof nb.params, UncleanPlan>({
  id: 'unclean',
  title: 'Turn unclean leader election off',
  doc: 'Sets unclean.leader.election.enable=false as a topic override (IncrementalAlterConfigs, validated first) on every topic that resolves it to true; re-checks each topic’s setting, reads the overrides back, and writes an undo record that restores each previous value and source.',
  when: (ctx) => ctx.decision('unclean-off') === 'apply' || 'not chosen',
  whenDoc: 'unclean-off = apply',
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
