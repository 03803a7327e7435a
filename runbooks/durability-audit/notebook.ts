// The durability audit's parameters and shared state, the typed cell builders, and how a cell reads the scope.

import { checkClusterNames, param, ParamError } from '../../lib/engine/params.ts'
import type { KafkaOps } from '../../lib/kafka/types.ts'
import { notebook, type RunContext } from '../../lib/engine/runbook.ts'
import type { AuditReport } from '../../lib/plans/durability-audit.ts'
import type { ProducerAudit } from '../../lib/plans/producer-verdicts.ts'
import { type DurabilityReading, readHighestReplicationFactor } from '../../lib/reads/durability.ts'

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

export interface State {
  audit?: AuditResult
  /** Findings counts before any fix, for the closing comparison. */
  before?: Record<string, number>
}

/**
 * A min.insync.replicas above every topic's replication factor can never be set as given: each topic would get
 * its replica count instead, and then any one broker down stops its acks=all writes. Refused as bad input.
 */
async function reachableMinIsr(value: number, kafka: KafkaOps): Promise<string | null> {
  const highest = await readHighestReplicationFactor(kafka)
  if (highest === 0 || value <= highest) return null
  return `min-isr=${value} is above the replication factor of every topic (the highest is ${highest}): it cannot be set as given — give a value from 2 to ${highest} (a topic with fewer replicas gets its replica count)`
}

export const nb = notebook<State>()({
  topics: param.topics({ help: 'audit only these topics (comma-separated); default: every topic, internal ones included', optional: true }),
  'producer-config': param.list<ProducerEntry>({
    prompt: 'Producer configuration files to judge (comma-separated; add @topic+topic for the topics each writes)',
    help: 'producer configuration files to judge: a Java .properties, a librdkafka-style key=value file or a kafkajs options JSON; add @topic+topic for the topics it writes (default: every audited topic)',
    optional: true,
    item: (text) => {
      const entry = parseProducerEntry(text)
      if (typeof entry === 'string') throw new ParamError(entry)
      return entry
    },
    formatItem: (e) => (e.topics ? `${e.path}@${e.topics.join('+')}` : e.path),
    check: (entries, kafka) => checkClusterNames(kafka, { topics: entries.flatMap((e) => e.topics ?? []) }),
  }),
  'producer-client': param.string({
    help: 'which client reads the producer files, with its version when known: java@3.9.1, librdkafka@2.3.0, kafkajs@2.2.4 (default: recognised from each file; newest defaults assumed)',
    optional: true,
  }),
  'min-isr': param.integer({
    help: 'the min.insync.replicas the raise-min-isr fix sets (a topic with fewer replicas gets its replica count)',
    default: 2,
    min: 2,
    check: reachableMinIsr,
  }),
  'replication-factor': param.integer({ help: 'the replication factor the exported reassignment plan raises topics to', default: 3, min: 2, max: 16 }),
  throttle: param.integer({ help: 'bytes per second for kafka-reassign-partitions --throttle in the exported commands', default: 50_000_000, min: 1 }),
})

export type Ctx = RunContext<State, typeof nb.params>

/** What to audit. On a terminal only the producer files are asked for; the rest defaults to everything. */
export async function scopeOf(ctx: Ctx): Promise<Scope> {
  return { topics: ctx.given('topics') ?? null, producers: (await ctx.param('producer-config')) ?? [], client: ctx.given('producer-client') ?? null }
}
