// What each topic would lose: reading and judging (the snapshot for the topics in scope, the report, the
// producers' configurations against the topics they write, the findings a pipeline gates on), and the cells that
// show it — the cluster, the findings worst first, every topic grouped by settings, the producers.

import { agree, type Block, counted, notice } from '../../lib/engine/blocks.ts'
import type { Finding } from '../../lib/engine/runbook.ts'
import { Refusal } from '../../lib/engine/runbook.ts'
import type { KafkaOps } from '../../lib/kafka/types.ts'
import { type AuditReport, countBySeverity, planDurabilityAudit } from '../../lib/plans/durability-audit.ts'
import { describeFindingLine, fitNames } from '../../lib/plans/durability-lines.ts'
import { type ClientRef, isProducerConfigFault, parseClientRef, parseProducerConfig } from '../../lib/plans/producer-config.ts'
import { resolveProducer } from '../../lib/plans/producer-defaults.ts'
import { planProducerAudit } from '../../lib/plans/producer-verdicts.ts'
import { type DurabilityReading, readDurability } from '../../lib/reads/durability.ts'
import { readAnswerFile } from '../../lib/reads/text-file.ts'
import { type AuditResult, type Ctx, nb, type Scope, scopeOf } from './notebook.ts'
import { clusterBlocks, findingBlocks, formatBytes, producerBlocks, topicTable } from './tables.ts'
import { whatCanBeLost } from './text.ts'
import { mostSevereFirst } from '../../lib/format/severity.ts'

/** The topics to read: the named ones plus every topic a producer entry names (null when all are read anyway). */
function topicsToRead(scope: Scope): string[] | undefined {
  if (scope.topics === null) return undefined
  return [...new Set([...scope.topics, ...scope.producers.flatMap((p) => p.topics ?? [])])].sort()
}

/** Reads and judges; refuses (nothing changed) on a topic that does not exist or a producer file it cannot use. */
export async function runAudit(kafka: KafkaOps, scope: Scope, options: { readonly full: boolean; readonly nowMs: number }): Promise<AuditResult> {
  let client: ClientRef | null = null
  if (scope.client !== null) {
    const parsed = parseClientRef(scope.client)
    if (isProducerConfigFault(parsed)) throw new Refusal(`producer-client: ${parsed.message}; nothing was read`)
    client = parsed
  }
  // Producer files are checked before the cluster is asked anything: bad input stops here.
  const configs = scope.producers.map((entry) => {
    const file = readAnswerFile(entry.path)
    if ('error' in file) throw new Refusal(`producer-config: ${file.error} — give the path of the producer's configuration file; nothing was read`)
    const parsed = parseProducerConfig(file.text, entry.path, client)
    if (isProducerConfigFault(parsed)) throw new Refusal(`producer-config: ${parsed.message}; nothing was read`)
    return { entry, producer: resolveProducer(parsed) }
  })
  const topics = topicsToRead(scope)
  const reading = await readDurability(kafka, { ...(topics ? { topics } : {}), full: options.full, nowMs: options.nowMs })
  const known = new Set(reading.topics.filter((t) => !t.error).map((t) => t.topic))
  const named = [...(scope.topics ?? []), ...scope.producers.flatMap((p) => p.topics ?? [])]
  const missing = [...new Set(named.filter((t) => !known.has(t)))].sort()
  if (missing.length > 0) {
    throw new Refusal(
      `${agree(missing.length, 'topic', 'topics')} ${fitNames(missing, 60)} ${agree(missing.length, 'does', 'do')} not exist on this cluster — check the name (\`runbook status\` lists topics); nothing changed`,
    )
  }
  const scoped: DurabilityReading = scope.topics === null ? reading : { ...reading, topics: reading.topics.filter((t) => scope.topics!.includes(t.topic)) }
  const report = planDurabilityAudit(scoped)
  // Producers are judged on the topics they name, or on every audited topic that is not internal.
  const everyTopic = planDurabilityAudit(reading).topics
  const producers = configs.map(({ entry, producer }) => {
    const written = entry.topics ? everyTopic.filter((t) => entry.topics!.includes(t.topic)) : report.topics.filter((t) => !t.internal)
    return planProducerAudit(producer, written)
  })
  return { reading, report, producers }
}

/** What the run reports (and --fail-on gates on): the topics' findings and the producers'. */
export function reportedFindings(result: Pick<AuditResult, 'report' | 'producers'>): Finding[] {
  const topics = result.report.findings.map((f) => ({ id: f.kind, severity: f.severity, summary: describeFindingLine(f) }))
  const producers = result.producers.flatMap((p) =>
    p.verdicts.flatMap((v) =>
      v.risks.map((r) => ({
        id: r.kind,
        severity: r.severity,
        summary: `producer ${p.producer.path}: ${r.kind.replace('producer-', '')} on ${v.topics.length === 1 ? 'topic' : `${v.topics.length} topics`} ${fitNames(v.topics, 40)}`,
      })),
    ),
  )
  return [...topics, ...producers].sort(mostSevereFirst)
}

/** A fresh audit of the scope (a plan must read the cluster itself: a re-plan after drift sees the new state). */
export async function freshReport(ctx: Ctx): Promise<AuditReport> {
  return (await runAudit(ctx.kafka, await scopeOf(ctx), { full: false, nowMs: ctx.now() })).report
}

export const explainCell = nb.explain({
  id: 'what-an-acknowledgement-promises',
  title: 'What an acknowledgement promises',
  text: whatCanBeLost,
  pick: async (ctx) => {
    const caps = await ctx.capabilities()
    return caps.kafkaLine === '3.9' || caps.elr === 'unsupported' ? '3.9' : caps.elr === 'on' ? '4.x-elr-on' : '4.x-elr-off'
  },
})

export const clusterCell = nb.query({
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
})

export const findingsCell = nb.query({
  id: 'findings',
  title: 'Findings, worst first',
  doc: 'Each finding with the topics that share it, what it means for an acknowledged write (how many copies acks=all really has, what one broker or rack lost does) and the fix with its cost. These are the findings --fail-on gates on (producers’ included).',
  async run(ctx) {
    const audit = ctx.need('audit')
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
})

export const topicsCell = nb.query({
  id: 'topics',
  title: 'Every topic, grouped by settings',
  doc: 'One row per group of topics with the same replication factor, min.insync.replicas (and where it is set), unclean election and rack spread: how many copies an acks=all write is guaranteed, and what losing one broker does.',
  async run(ctx) {
    const { report } = ctx.need('audit')
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
})

export const producersCell = nb.query({
  id: 'producers',
  title: 'Producers against the topics they write',
  doc: 'For each producer configuration given: its effective acks, idempotence and retries (set in the file, or its client’s default for that version), and what its acknowledgement is worth on each topic it writes.',
  when: (ctx) => (ctx.need('audit').producers.length > 0 ? true : 'no producer configuration given (--set producer-config=<file>)'),
  whenDoc: 'producer configurations were given',
  async run(ctx) {
    const { producers } = ctx.need('audit')
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
})
