// The durability audit's parameters and shared state, the typed cell builders, and how a cell reads the scope.

import { param, ParamError } from '../../lib/engine/params.ts'
import { notebook, type RunContext } from '../../lib/engine/runbook.ts'
import type { AuditReport } from '../../lib/plans/durability-audit.ts'
import { type AuditResult, parseProducerEntry, type ProducerEntry, runAudit, type Scope } from './audit.ts'

export interface State {
  audit?: AuditResult
  /** Findings counts before any fix, for the closing comparison. */
  before?: Record<string, number>
}

const topicName = (text: string) => {
  if (!/^[A-Za-z0-9._-]{1,249}$/.test(text)) throw new ParamError(`"${text}" is not a topic name (letters, digits, . _ -)`)
  return text
}

export const nb = notebook<State>()({
  topics: param.list({ help: 'audit only these topics (comma-separated); default: every topic, internal ones included', optional: true, item: topicName }),
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
  }),
  'producer-client': param.string({
    help: 'which client reads the producer files, with its version when known: java@3.9.1, librdkafka@2.3.0, kafkajs@2.2.4 (default: recognised from each file; newest defaults assumed)',
    optional: true,
  }),
  'min-isr': param.integer({ help: 'the min.insync.replicas the raise-min-isr fix sets (never above a topic’s replication factor)', default: 2, min: 2 }),
  'replication-factor': param.integer({ help: 'the replication factor the exported reassignment plan raises topics to', default: 3, min: 2, max: 16 }),
  throttle: param.integer({ help: 'bytes per second for kafka-reassign-partitions --throttle in the exported commands', default: 50_000_000, min: 1 }),
})

export type Ctx = RunContext<State, typeof nb.params>

/** What to audit. On a terminal only the producer files are asked for; the rest defaults to everything. */
export async function scopeOf(ctx: Ctx): Promise<Scope> {
  return { topics: ctx.given('topics') ?? null, producers: (await ctx.param('producer-config')) ?? [], client: ctx.given('producer-client') ?? null }
}

/** A fresh audit of the scope (a plan must read the cluster itself: a re-plan after drift sees the new state). */
export async function freshReport(ctx: Ctx): Promise<AuditReport> {
  return (await runAudit(ctx.kafka, await scopeOf(ctx), { full: false, nowMs: ctx.now() })).report
}
