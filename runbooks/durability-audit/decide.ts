// Whether to fix: raise min.insync.replicas, turn unclean leader election off — each with what it costs on this
// cluster now; a headless run skips them unless asked (--set raise-min-isr=apply, --set unclean-off=apply).

import { agree, counted } from '../../lib/engine/blocks.ts'
import { isFixFault, planMinIsrRaise, planUncleanOff, type MinIsrPlan, type UncleanPlan } from '../../lib/plans/durability-fixes.ts'
import { nb } from './notebook.ts'

/** The value the raise sets, as the plan sets it: a topic with fewer replicas than the target gets its replica count. */
export function raisedTo(plan: MinIsrPlan): string {
  const capped = plan.changes.filter((c) => Number(c.to) < plan.target)
  if (capped.length === 0) return `to ${plan.target}`
  return `to ${plan.target} (${[...new Set(capped.map((c) => c.to))].join('/')} on ${counted(capped.length, 'topic')} with fewer replicas)`
}

export const raiseMinIsrDecision = nb.decide({
  id: 'raise-min-isr',
  title: 'Raise min.insync.replicas?',
  doc: 'Offered when topics with two or more replicas let acks=all be satisfied by fewer copies than --set min-isr (default 2). Each option with its cost on this cluster now. Headless runs skip it unless --set raise-min-isr=apply.',
  question: 'Raise min.insync.replicas on the topics below it?',
  when: async (ctx) => {
    const plan = planMinIsrRaise(ctx.need('audit').report, await ctx.param('min-isr'))
    return isFixFault(plan) ? plan.what : true
  },
  whenDoc: 'a topic with 2+ replicas has min.insync.replicas below the target',
  options: { apply: 'Raise it (preview, confirm, undoable)', skip: 'Leave it' },
  async price(ctx) {
    const plan = planMinIsrRaise(ctx.need('audit').report, await ctx.param('min-isr')) as MinIsrPlan
    const { totals } = plan
    return {
      apply: {
        label: `Raise it ${raisedTo(plan)} on ${counted(totals.topics, 'topic')} (${counted(totals.partitions, 'partition')})`,
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
      skip: { cost: 'nothing changes', risk: 'acks=all on these topics keeps meaning as little as one copy when followers lag' },
    }
  },
  because: () => 'no partition would refuse writes now, and every topic keeps one broker of slack',
  headlessDefault: 'skip',
})

export const uncleanOffDecision = nb.decide({
  id: 'unclean-off',
  title: 'Turn unclean leader election off?',
  doc: 'Offered when topics resolve unclean.leader.election.enable to true. Headless runs skip it unless --set unclean-off=apply.',
  question: 'Turn unclean leader election off on these topics?',
  when: (ctx) => {
    const plan = planUncleanOff(ctx.need('audit').report)
    return isFixFault(plan) ? plan.what : true
  },
  whenDoc: 'a topic has unclean leader election on',
  options: { apply: 'Turn it off (preview, confirm, undoable)', skip: 'Leave it on' },
  price(ctx) {
    const plan = planUncleanOff(ctx.need('audit').report) as UncleanPlan
    return {
      apply: {
        label: `Turn it off on ${counted(plan.totals.topics, 'topic')} (${counted(plan.totals.partitions, 'partition')})`,
        cost: `a partition whose in-sync replicas are all lost stays offline until one returns${plan.totals.leaderless ? `; ${counted(plan.totals.leaderless, 'partition')} ${agree(plan.totals.leaderless, 'has', 'have')} no leader right now and would wait` : ''}`,
        risk: 'longer outages in exchange for no silent loss; an operator can still elect unclean by hand after pricing the loss (unclean-election runbook)',
        recommended: true,
      },
      skip: { cost: 'nothing changes', risk: 'a broker crash after followers fell behind can delete acknowledged records, acks=all ones included' },
    }
  },
  because: () => 'losing acknowledged records silently is worse than a partition waiting for a replica that has them',
  headlessDefault: 'skip',
})
