// After the fixes: a reassignment plan for what settings cannot fix (written for kafka-reassign-partitions,
// never applied here), and the audit again once a fix was applied.

import { type Block, code, counted, formatCount, markdown, notice, table } from '../../lib/engine/blocks.ts'
import { countBySeverity } from '../../lib/plans/durability-audit.ts'
import { fitNames } from '../../lib/plans/durability-lines.ts'
import { planReassignment, type ReassignmentPlan } from '../../lib/plans/replica-placement.ts'
import { reportedFindings, runAudit } from './find.ts'
import { nb, scopeOf } from './notebook.ts'
import { formatBytes } from './tables.ts'
import { placementKinds } from './text.ts'

const maxRows = 15
export const reassignmentCell = nb.query({
  id: 'reassignment',
  title: 'Reassignment plan for what settings cannot fix',
  doc: 'For topics with fewer replicas than --set replication-factor (default 3) or with every replica in one rack: new replica lists that add replicas and spread racks, moving as little as possible, written as kafka-reassign-partitions JSON (and the current placement for rollback) into the session folder. Never applied here.',
  when: (ctx) =>
    ctx.need('audit').report.findings.some((f) => placementKinds.has(f.kind) && f.topics.length > 0) ||
    ctx.need('audit').report.topics.some((t) => !t.internal && t.partitions > 0 && t.replicationFactor < (ctx.given('replication-factor') ?? 3)) ||
    'every topic has enough replicas, spread over racks',
  whenDoc: 'a topic has too few replicas or all of them in one rack',
  async run(ctx) {
    const { reading, report } = ctx.need('audit')
    const target = await ctx.param('replication-factor')
    const wanted = new Set(report.topics.filter((t) => !t.internal || ctx.given('topics')?.includes(t.topic)).map((t) => t.topic))
    const plan = planReassignment({
      targetReplicationFactor: target,
      topics: reading.topics.filter((t) => wanted.has(t.topic)),
      allTopics: reading.topics,
      brokers: reading.brokers,
      reassignments: reading.reassignments,
      sizes: reading.replicaBytes,
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
})

export const afterFixesCell = nb.query({
  id: 'after-fixes',
  title: 'The audit again, after the fixes',
  doc: 'Reads the topics again once a fix was applied and reports what is left (these findings replace the first ones for --fail-on).',
  when: (ctx) => ctx.outcome('min-isr') === 'applied' || ctx.outcome('unclean') === 'applied' || 'no fix was applied',
  whenDoc: 'a fix was applied',
  async run(ctx) {
    const audit = await runAudit(ctx.kafka, await scopeOf(ctx), { full: false, nowMs: ctx.now() })
    const before = ctx.need('before')
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
})

const racks = (list: readonly (string | null)[]) => list.map((r) => r ?? '?').join(',')

function reassignmentBlocks(plan: ReassignmentPlan, files: { readonly file: string; readonly rollback: string; readonly throttle: number }): Block[] {
  const { totals } = plan
  const rows = plan.moves
    .slice(0, maxRows)
    .map((m) => [
      `${m.topic}/${m.partition}`,
      m.current.join(','),
      m.proposed.join(','),
      `${racks(m.racksBefore)} → ${racks(m.racksAfter)}`,
      m.bytesPerReplica === null ? '?' : formatBytes(m.bytesPerReplica * BigInt(m.added.length)),
    ])
  const seconds = totals.bytesToCopy === null ? null : Math.ceil(Number(totals.bytesToCopy) / files.throttle)
  const blocks: Block[] = [
    table(['Partition', 'Replicas now', 'Proposed', 'Racks', 'Copies'], rows, {
      title: `Reassignment to ${plan.targetReplicationFactor} replicas spread over racks: ${counted(totals.partitions, 'partition')}`,
      ...(plan.moves.length > maxRows ? { footer: `and ${formatCount(plan.moves.length - maxRows)} more partitions (all in the JSON file)` } : {}),
    }),
    markdown(
      [
        `Adds ${counted(totals.replicasAdded, 'replica')}${totals.replicasRemoved ? ` and removes ${formatCount(totals.replicasRemoved)} (moved to another rack)` : ''}; the first replica of each partition (its preferred leader) stays first.`,
        totals.bytesToCopy === null
          ? 'Replica sizes could not be read: the amount to copy is unknown.'
          : `Copies ${formatBytes(totals.bytesToCopy)} over the network${seconds !== null ? `, about ${seconds < 120 ? `${seconds} s` : `${Math.ceil(seconds / 60)} min`} at --throttle ${formatCount(files.throttle)} bytes/s` : ''}; the new replicas join the ISR once they have caught up.`,
        `Written to \`${files.file}\` (and the current placement to \`${files.rollback}\`). Nothing was applied: run it when the cluster is healthy, then raise min.insync.replicas.`,
      ].join('\n\n'),
    ),
    code(
      [
        `PLAN=${files.file}`,
        `ROLLBACK=${files.rollback}`,
        'kafka-reassign-partitions --bootstrap-server "$KAFKA_BOOTSTRAP_SERVERS" \\',
        `  --reassignment-json-file "$PLAN" --execute --throttle ${files.throttle}`,
        '# until it says complete (this also removes the throttle):',
        'kafka-reassign-partitions --bootstrap-server "$KAFKA_BOOTSTRAP_SERVERS" \\',
        '  --reassignment-json-file "$PLAN" --verify',
        '# to roll back: the same --execute with "$ROLLBACK"',
      ].join('\n'),
      'sh',
    ),
  ]
  if (plan.notPossible.length > 0) {
    const byReason = new Map<string, string[]>()
    for (const n of plan.notPossible) byReason.set(n.reason, [...(byReason.get(n.reason) ?? []), `${n.topic}/${n.partition}`])
    for (const [reason, partitions] of byReason) blocks.push(notice('warn', `Not in the plan: ${fitNames(partitions, 40)} — ${reason}.`))
  }
  return blocks
}
