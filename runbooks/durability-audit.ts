// Before the incident: what each topic would lose. Reads replication factor, min.insync.replicas, unclean
// leader election and rack placement (with where each setting comes from), judges producers' own configs
// against the topics they write, ranks the findings, and — only when asked — fixes settings (undoable) and
// exports a reassignment plan for what settings cannot fix.

import { type Block, counted, markdown, notice, table } from '../lib/engine/blocks.ts'
import { countBySeverity, replicaSizes } from '../lib/plans/durability-audit.ts'
import { planReassignment } from '../lib/plans/replica-placement.ts'
import { reportedFindings, runAudit } from './durability-audit/audit.ts'
import { minIsrCell, raiseMinIsrDecision, uncleanCell, uncleanOffDecision } from './durability-audit/fixes.ts'
import { nb, scopeOf } from './durability-audit/notebook.ts'
import { reassignmentBlocks } from './durability-audit/previews.ts'
import { clusterBlocks, findingBlocks, formatBytes, producerBlocks, topicTable } from './durability-audit/tables.ts'
import { placementKinds, whatCanBeLost } from './durability-audit/words.ts'

export default nb.runbook({
  id: 'durability-audit',
  title: 'Durability audit: what each topic would lose',
  summary:
    'Replication factor, min.insync.replicas, unclean election and racks per topic (with where each is set), producers’ acks against them, ranked; optional undoable fixes and a reassignment plan. Read-only unless asked.',
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
        return {
          blocks: clusterBlocks(audit.report),
          data: { defaults: audit.report.defaults, brokers: audit.report.brokers, problems: audit.report.problems },
        }
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
            `${counted(audit.report.findings.length, 'finding')} on ${counted(audit.report.topics.length, 'topic')}: ${counts.high} high, ${counts.medium} medium, ${counts.low} low, ${counts.info} info${audit.producers.length ? ` — and ${counted(findings.length - audit.report.findings.length, 'producer risk')} below` : ''}.`,
          ),
          ...findingBlocks(audit.report.findings, {
            targetRf: await ctx.param('replication-factor'),
            bytesToCopy: bytes > 0n ? formatBytes(bytes) : null,
            minIsr: await ctx.param('min-isr'),
          }),
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
          data: {
            producers: producers.map((p) => ({
              path: p.producer.path,
              client: p.producer.client,
              acks: p.producer.acks,
              idempotence: p.producer.idempotence,
              retries: p.producer.retries,
              refusal: p.producer.refusal,
              verdicts: p.verdicts,
            })),
          },
        }
      },
    }),
    raiseMinIsrDecision,
    minIsrCell,
    uncleanOffDecision,
    uncleanCell,
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
          return {
            blocks: [
              notice(
                'info',
                plan.notPossible.length
                  ? `No reassignment is possible: ${plan.notPossible[0]!.reason} (${counted(plan.notPossible.length, 'partition')}).`
                  : 'Nothing to move.',
              ),
            ],
            data: { plan },
          }
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
          blocks: [
            table(['Severity', 'Before', 'Now'], rows, { title: 'Findings before and after' }),
            ...(audit.report.findings.length
              ? [markdown(`Left: ${audit.report.findings.map((f) => f.kind).join(', ')} — see the findings above for their fixes.`)]
              : []),
          ],
          data: { before, after, findings: audit.report.findings },
          findings: reportedFindings(audit),
        }
      },
    }),
  ],
})
