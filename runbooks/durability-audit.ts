// Before the incident: what each topic would lose. Reads replication factor, min.insync.replicas, unclean
// leader election and rack placement (with where each setting comes from), judges producers' own configs
// against the topics they write, ranks the findings, and — only when asked — fixes settings (undoable) and
// exports a reassignment plan for what settings cannot fix.

import { type Block, formatCount, markdown, notice, table } from '../lib/engine/blocks.ts'
import { param, ParamError } from '../lib/engine/params.ts'
import { notebook, Refusal, type RunContext } from '../lib/engine/runbook.ts'
import { countBySeverity, replicaSizes, type AuditReport } from '../lib/plans/durability-audit.ts'
import { isFixFault, planMinIsrRaise, planUncleanOff, type MinIsrPlan, type UncleanPlan } from '../lib/plans/durability-fixes.ts'
import { planReassignment } from '../lib/plans/replica-placement.ts'
import { type AuditResult, parseProducerEntry, type ProducerEntry, reportedFindings, runAudit, type Scope } from './durability-audit/audit.ts'
import { topicConfigChange } from '../lib/cells/topic-config-change.ts'
import { clusterBlocks, findingBlocks, formatBytes, producerBlocks, topicTable } from './durability-audit/tables.ts'
import { placementKinds, whatCanBeLost } from './durability-audit/words.ts'
import { minIsrPreview, reassignmentBlocks, uncleanPreview } from './durability-audit/previews.ts'

interface State {
  audit?: AuditResult
  /** Findings counts before any fix, for the closing comparison. */
  before?: Record<string, number>
}

const topicName = (text: string) => {
  if (!/^[A-Za-z0-9._-]{1,249}$/.test(text)) throw new ParamError(`"${text}" is not a topic name (letters, digits, . _ -)`)
  return text
}

const nb = notebook<State>()({
  topics: param.list({ help: 'audit only these topics (comma-separated); default: every topic, internal ones included', optional: true, item: topicName }),
  'producer-config': param.list<ProducerEntry>({
    prompt: 'Producer configuration files to judge (comma-separated; add @topic+topic for the topics each writes)',
    help: "producer configuration files to judge: a Java .properties, a librdkafka-style key=value file or a kafkajs options JSON; add @topic+topic for the topics it writes (default: every audited topic)",
    optional: true,
    item: (text) => {
      const entry = parseProducerEntry(text)
      if (typeof entry === 'string') throw new ParamError(entry)
      return entry
    },
    formatItem: (e) => (e.topics ? `${e.path}@${e.topics.join('+')}` : e.path),
  }),
  'producer-client': param.string({ help: 'which client reads the producer files, with its version when known: java@3.9.1, librdkafka@2.3.0, kafkajs@2.2.4 (default: recognised from each file; newest defaults assumed)', optional: true }),
  'min-isr': param.integer({ help: 'the min.insync.replicas the raise-min-isr fix sets (never above a topic’s replication factor)', default: 2, min: 2 }),
  'replication-factor': param.integer({ help: 'the replication factor the exported reassignment plan raises topics to', default: 3, min: 2, max: 16 }),
  throttle: param.integer({ help: 'bytes per second for kafka-reassign-partitions --throttle in the exported commands', default: 50_000_000, min: 1 }),
})

type Ctx = RunContext<State, typeof nb.params>

/** What to audit. On a terminal only the producer files are asked for; the rest defaults to everything. */
async function scopeOf(ctx: Ctx): Promise<Scope> {
  return { topics: ctx.given('topics') ?? null, producers: (await ctx.param('producer-config')) ?? [], client: ctx.given('producer-client') ?? null }
}

/** A fresh audit of the scope (a plan must read the cluster itself: a re-plan after drift sees the new state). */
async function freshReport(ctx: Ctx): Promise<AuditReport> {
  return (await runAudit(ctx.kafka, await scopeOf(ctx), { full: false, nowMs: ctx.now() })).report
}

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

const plural = (n: number, one: string, many = `${one}s`) => `${formatCount(n)} ${n === 1 ? one : many}`

export default nb.runbook({
  id: 'durability-audit',
  title: 'Durability audit: what each topic would lose',
  summary: 'Replication factor, min.insync.replicas, unclean election and racks per topic (with where each is set), producers’ acks against them, ranked; optional undoable fixes and a reassignment plan. Read-only unless asked.',
  whenToUse:
    'Before an incident: "could acks=all lose data here?", "what happens if broker 3 dies?", a new cluster or a config review, or a CI gate (`--json --fail-on high`). After one: a producer lost acknowledged records (acks=1, a leader crash) or an unclean election did.',
  cells: [
    nb.explain({
      id: 'what-an-acknowledgement-promises',
      title: 'What an acknowledgement promises',
      text: whatCanBeLost,
      pick: async (ctx) => {
        const caps = await ctx.capabilities()
        return caps.kafkaLine === '3.9' || caps.elr === 'unsupported' ? '3.9' : caps.elr === 'on' ? '4.x-elr-on' : '4.x-elr-off'
      },
    }),
    nb.query({
      id: 'cluster',
      title: 'The cluster: defaults, ELR and racks',
      doc: 'Checks the named topics and producer files first (bad input stops here), then reads every topic in scope with its replicas, min.insync.replicas and unclean.leader.election.enable (value and source), the cluster defaults, each broker’s own view and rack, replica sizes and ongoing reassignments.',
      async run(ctx) {
        for (const name of ['min-isr', 'replication-factor', 'throttle'] as const) await ctx.param(name)
        const audit = await runAudit(ctx.kafka, await scopeOf(ctx), { full: true, nowMs: ctx.now() })
        ctx.state.audit = audit
        ctx.state.before = countBySeverity(audit.report.findings)
        return { blocks: clusterBlocks(audit.report), data: { defaults: audit.report.defaults, brokers: audit.report.brokers, problems: audit.report.problems } }
      },
    }),
    nb.query({
      id: 'findings',
      title: 'Findings, worst first',
      doc: 'Each finding with the topics that share it, what it means for an acknowledged write (how many copies acks=all really has, what one broker or rack lost does) and the fix with its cost. These are the findings --fail-on gates on (producers’ included).',
      async run(ctx) {
        const audit = ctx.state.audit!
        const findings = reportedFindings(audit)
        const counts = countBySeverity(audit.report.findings)
        const bytes = audit.report.topics.filter((t) => t.replicationFactor < (ctx.given('replication-factor') ?? 3)).reduce((n, t) => n + (t.bytes ?? 0n), 0n)
        const blocks: Block[] = [
          notice(
            counts.high ? 'danger' : counts.medium ? 'warn' : 'ok',
            `${plural(audit.report.findings.length, 'finding')} on ${plural(audit.report.topics.length, 'topic')}: ${counts.high} high, ${counts.medium} medium, ${counts.low} low, ${counts.info} info${audit.producers.length ? ` — and ${plural(findings.length - audit.report.findings.length, 'producer risk')} below` : ''}.`,
          ),
          ...findingBlocks(audit.report.findings, { targetRf: await ctx.param('replication-factor'), bytesToCopy: bytes > 0n ? formatBytes(bytes) : null, minIsr: await ctx.param('min-isr') }),
        ]
        return { blocks, data: { counts, findings: audit.report.findings }, findings }
      },
    }),
    nb.query({
      id: 'topics',
      title: 'Every topic, grouped by settings',
      doc: 'One row per group of topics with the same replication factor, min.insync.replicas (and where it is set), unclean election and rack spread: how many copies an acks=all write is guaranteed, and what losing one broker does.',
      async run(ctx) {
        const { report } = ctx.state.audit!
        if (report.topics.length === 0) return [notice('info', 'No topics to audit.')]
        return {
          blocks: topicTable(report.topics),
          data: {
            topics: report.topics.map((t) => ({
              topic: t.topic,
              internal: t.internal,
              partitions: t.partitions,
              replicationFactor: t.replicationFactor,
              minIsr: t.minIsr,
              effectiveMinIsr: t.effectiveMinIsr,
              unclean: t.unclean,
              racks: t.racks,
              singleRackPartitions: t.singleRackPartitions,
              unknownRackPartitions: t.unknownRackPartitions,
              underMinIsrNow: t.underMinIsrNow,
            })),
          },
        }
      },
    }),
    nb.query({
      id: 'producers',
      title: 'Producers against the topics they write',
      doc: 'For each producer configuration given: its effective acks, idempotence and retries (set in the file, or its client’s default for that version), and what its acknowledgement is worth on each topic it writes.',
      when: (ctx) => (ctx.state.audit!.producers.length > 0 ? true : 'no producer configuration given (--set producer-config=<file>)'),
      whenDoc: 'producer configurations were given',
      async run(ctx) {
        const { producers } = ctx.state.audit!
        return {
          blocks: producers.flatMap((p) => producerBlocks(p)),
          data: { producers: producers.map((p) => ({ path: p.producer.path, client: p.producer.client, acks: p.producer.acks, idempotence: p.producer.idempotence, retries: p.producer.retries, refusal: p.producer.refusal, verdicts: p.verdicts })) },
        }
      },
    }),
    nb.decide({
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
            label: `Raise it to ${plan.target} on ${plural(totals.topics, 'topic')} (${plural(totals.partitions, 'partition')})`,
            cost: [
              `acks=all writes are refused (NOT_ENOUGH_REPLICAS) while fewer than ${plan.target} replicas are in sync`,
              totals.failingAtOnce ? `${plural(totals.failingAtOnce, 'partition')} already below it would refuse them at once` : 'no partition is below it now',
              totals.stopsWritesTopics ? `${plural(totals.stopsWritesTopics, 'topic')} would need every replica: one broker down stops their acks=all writes` : '',
            ]
              .filter(Boolean)
              .join('; '),
            risk: `producers that ignore send errors drop records while refused${totals.elrCleared ? `; Kafka 4.x clears the ELR record of ${plural(totals.elrCleared, 'partition')}` : ''}`,
            recommended: totals.failingAtOnce === 0 && totals.stopsWritesTopics === 0,
          },
          { value: 'skip', label: 'Leave it', cost: 'nothing changes', risk: 'acks=all on these topics keeps meaning as little as one copy when followers lag' },
        ]
      },
      because: () => 'no partition would refuse writes now, and every topic keeps one broker of slack',
      headlessDefault: 'skip',
    }),
    topicConfigChange<State, typeof nb.params, MinIsrPlan>({
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
      summary: (plan) => `set min.insync.replicas on ${plural(plan.facts!.totals.topics, 'topic')} (${plural(plan.facts!.totals.partitions, 'partition')})`,
      confirm: ({ facts }) =>
        facts!.totals.stopsWritesTopics > 0 || facts!.totals.failingAtOnce > 0
          ? {
              kind: 'typed',
              expected: String(facts!.totals.partitions),
              prompt: `Type ${facts!.totals.partitions} to raise min.insync.replicas on ${plural(facts!.totals.partitions, 'partition')} (${facts!.totals.failingAtOnce ? `${facts!.totals.failingAtOnce} refuse acks=all at once` : `${facts!.totals.stopsWritesTopics} topic(s) stop acks=all writes when one broker is down`})`,
            }
          : { kind: 'yes-no', prompt: `Raise min.insync.replicas on ${plural(facts!.totals.topics, 'topic')} (${plural(facts!.totals.partitions, 'partition')})?` },
      // The plan priced how many partitions refuse acks=all at once: more of them now is a different plan.
      recheckMore: async (ctx, { facts }) => {
        const states = await ctx.kafka.partitionStates(facts!.changes.map((c) => c.topic))
        return facts!.changes.flatMap((change) => {
          const now = states.find((s) => s.topic === change.topic)?.partitions.filter((p) => p.leader !== null && p.isr.length < Number(change.to)).length ?? 0
          return now > change.failingAtOnce ? [{ what: `partitions of ${change.topic} with fewer than ${change.to} in sync`, planned: String(change.failingAtOnce), now: String(now) }] : []
        })
      },
    }),
    nb.decide({
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
            label: `Turn it off on ${plural(plan.totals.topics, 'topic')} (${plural(plan.totals.partitions, 'partition')})`,
            cost: `a partition whose in-sync replicas are all lost stays offline until one returns${plan.totals.leaderless ? `; ${plural(plan.totals.leaderless, 'partition')} ha${plan.totals.leaderless === 1 ? 's' : 've'} no leader right now and would wait` : ''}`,
            risk: 'longer outages in exchange for no silent loss; an operator can still elect unclean by hand after pricing the loss (unclean-election runbook)',
            recommended: true,
          },
          { value: 'skip', label: 'Leave it on', cost: 'nothing changes', risk: 'a broker crash after followers fell behind can delete acknowledged records, acks=all ones included' },
        ]
      },
      because: () => 'losing acknowledged records silently is worse than a partition waiting for a replica that has them',
      headlessDefault: 'skip',
    }),
    topicConfigChange<State, typeof nb.params, UncleanPlan>({
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
      summary: (plan) => `turn unclean leader election off on ${plural(plan.facts!.totals.topics, 'topic')} (${plural(plan.facts!.totals.partitions, 'partition')})`,
      confirm: ({ facts }) =>
        facts!.totals.leaderless > 0
          ? { kind: 'typed', expected: String(facts!.totals.leaderless), prompt: `Type ${facts!.totals.leaderless} to keep ${plural(facts!.totals.leaderless, 'leaderless partition')} waiting for an in-sync replica` }
          : { kind: 'yes-no', prompt: `Turn unclean leader election off on ${plural(facts!.totals.topics, 'topic')}?` },
    }),
    nb.query({
      id: 'reassignment',
      title: 'Reassignment plan for what settings cannot fix',
      doc: 'For topics with fewer replicas than --set replication-factor (default 3) or with every replica in one rack: new replica lists that add replicas and spread racks, moving as little as possible, written as kafka-reassign-partitions JSON (and the current placement for rollback) into the session folder. Never applied here.',
      when: (ctx) =>
        ctx.state.audit!.report.findings.some((f) => placementKinds.has(f.kind) && f.topics.length > 0) ||
        ctx.state.audit!.report.topics.some((t) => !t.internal && t.partitions > 0 && t.replicationFactor < (ctx.given('replication-factor') ?? 3)) ||
        'every topic has enough replicas, spread over racks',
      whenDoc: 'a topic has too few replicas or all of them in one rack',
      async run(ctx) {
        const { reading, report } = ctx.state.audit!
        const target = await ctx.param('replication-factor')
        const wanted = new Set(report.topics.filter((t) => !t.internal || ctx.given('topics')?.includes(t.topic)).map((t) => t.topic))
        const plan = planReassignment({
          targetReplicationFactor: target,
          topics: reading.topics.filter((t) => wanted.has(t.topic)),
          allTopics: reading.topics,
          brokers: reading.brokers,
          reassignments: reading.reassignments,
          sizes: reading.logDirs.length ? replicaSizes(reading.logDirs) : null,
        })
        if (plan.moves.length === 0) {
          return { blocks: [notice('info', plan.notPossible.length ? `No reassignment is possible: ${plan.notPossible[0]!.reason} (${plural(plan.notPossible.length, 'partition')}).` : 'Nothing to move.')], data: { plan } }
        }
        const file = await ctx.writeFile('reassignment.json', plan.json)
        const rollback = await ctx.writeFile('reassignment-rollback.json', plan.rollbackJson)
        return { blocks: reassignmentBlocks(plan, { file, rollback, throttle: await ctx.param('throttle') }), data: { plan, file, rollback } }
      },
    }),
    nb.query({
      id: 'after-fixes',
      title: 'The audit again, after the fixes',
      doc: 'Reads the topics again once a fix was applied and reports what is left (these findings replace the first ones for --fail-on).',
      when: (ctx) => ctx.outcome('min-isr') === 'applied' || ctx.outcome('unclean') === 'applied' || 'no fix was applied',
      whenDoc: 'a fix was applied',
      async run(ctx) {
        const audit = await runAudit(ctx.kafka, await scopeOf(ctx), { full: false, nowMs: ctx.now() })
        const before = ctx.state.before!
        const after = countBySeverity(audit.report.findings)
        const rows = (['high', 'medium', 'low', 'info'] as const).map((s) => [s, before[s] ?? 0, after[s]])
        return {
          blocks: [table(['Severity', 'Before', 'Now'], rows, { title: 'Findings before and after' }), ...(audit.report.findings.length ? [markdown(`Left: ${audit.report.findings.map((f) => f.kind).join(', ')} — see the findings above for their fixes.`)] : [])],
          data: { before, after, findings: audit.report.findings },
          findings: reportedFindings(audit),
        }
      },
    }),
  ],
})
