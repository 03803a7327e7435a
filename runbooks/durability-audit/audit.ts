// Reading and judging, shared by the audit's cells: the snapshot for the topics in scope, the report, the
// producers' configurations against the topics they write, and the findings a pipeline gates on.

import type { Finding } from '../../lib/engine/runbook.ts'
import { Refusal } from '../../lib/engine/runbook.ts'
import type { KafkaOps } from '../../lib/kafka/types.ts'
import { type AuditReport, planDurabilityAudit } from '../../lib/plans/durability-audit.ts'
import { describeFindingLine, fitNames } from '../../lib/plans/durability-lines.ts'
import { type ClientRef, isProducerConfigFault, parseClientRef, parseProducerConfig } from '../../lib/plans/producer-config.ts'
import { resolveProducer } from '../../lib/plans/producer-defaults.ts'
import { planProducerAudit, type ProducerAudit } from '../../lib/plans/producer-verdicts.ts'
import { type DurabilityReading, readDurability } from '../../lib/reads/durability.ts'
import { readAnswerFile } from '../../lib/reads/text-file.ts'

/** One producer the operator pointed at: its configuration file and, optionally, the topics it writes. */
export interface ProducerEntry {
  readonly path: string
  readonly topics: readonly string[] | null
}

const topicPattern = /^[A-Za-z0-9._-]{1,249}$/

/** "app.properties" or "app.properties@orders+payments" (topics joined with +). */
export function parseProducerEntry(text: string): ProducerEntry | string {
  const at = text.lastIndexOf('@')
  if (at > 0) {
    const topics = text.slice(at + 1).split('+')
    if (topics.every((t) => topicPattern.test(t))) return { path: text.slice(0, at), topics }
  }
  return { path: text, topics: null }
}

export interface Scope {
  /** Topics the operator named; null: every topic. */
  readonly topics: readonly string[] | null
  readonly producers: readonly ProducerEntry[]
  readonly client: string | null
}

export interface AuditResult {
  readonly reading: DurabilityReading
  readonly report: AuditReport
  readonly producers: readonly ProducerAudit[]
}

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
      `topic${missing.length === 1 ? '' : 's'} ${fitNames(missing, 60)} do${missing.length === 1 ? 'es' : ''} not exist on this cluster — check the name (\`runbook status\` lists topics); nothing changed`,
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
  const rank = { high: 3, medium: 2, low: 1, info: 0 }
  return [...topics, ...producers].sort((a, b) => rank[b.severity] - rank[a.severity])
}
