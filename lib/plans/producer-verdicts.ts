// What a producer's settings mean against each topic it writes: how many copies its acknowledgement stands
// for there, and what can still lose or duplicate a record it was told was written. Topics that come out the
// same are grouped. Pure.

import { counted } from '../format/counts.ts'
import type { AuditSeverity, TopicAudit } from './durability-audit.ts'
import type { ResolvedProducer } from './producer-defaults.ts'
import { severityWeight } from '../format/severity.ts'

export type ProducerRiskKind =
  | 'producer-refused'
  | 'producer-acks-none'
  | 'producer-acks-leader'
  | 'producer-one-copy'
  | 'producer-unclean'
  | 'producer-no-retries'
  | 'producer-few-retries'
  | 'producer-duplicates'

export interface ProducerRisk {
  readonly kind: ProducerRiskKind
  readonly severity: AuditSeverity
}

/** Topics on which this producer's acknowledgement means the same thing and carries the same risks. */
export interface ProducerVerdict {
  readonly topics: readonly string[]
  /** What an acknowledgement stands for on these topics, in words ("on at least 2 of 3 replicas"). */
  readonly acknowledged: string
  /** Copies an acknowledged record is guaranteed to be on; 0 when the producer does not wait. */
  readonly guaranteedCopies: number
  readonly risks: readonly ProducerRisk[]
}

export interface ProducerAudit {
  readonly producer: ResolvedProducer
  readonly verdicts: readonly ProducerVerdict[]
  /** Milliseconds kafkajs spends retrying before a send fails (its backoff), when that is what bounds it. */
  readonly retryBudgetMs: number | null
}

/** kafkajs waits 300 ms before its first retry, doubling each time, capped at 30 s (retry/index.js, defaults.js): the time its retries last, without jitter. */
export function kafkajsRetryBudgetMs(retries: number, initialMs = 300, maxMs = 30_000): number {
  let total = 0
  for (let i = 0; i < retries; i++) total += Math.min(initialMs * 2 ** i, maxMs)
  return total
}

function verdictFor(p: ResolvedProducer, t: TopicAudit): Omit<ProducerVerdict, 'topics'> {
  const risks: ProducerRisk[] = []
  if (p.refusal) risks.push({ kind: 'producer-refused', severity: 'high' })
  const rf = t.replicationFactor
  let acknowledged: string
  let guaranteedCopies: number
  switch (p.acks.value) {
    case 'none':
      acknowledged = 'nothing: the producer does not wait for the broker'
      guaranteedCopies = 0
      risks.push({ kind: 'producer-acks-none', severity: 'high' })
      break
    case 'leader':
      acknowledged = `on the leader only (${counted(rf, 'replica')}; followers copy it afterwards)`
      guaranteedCopies = 1
      risks.push({ kind: 'producer-acks-leader', severity: 'high' })
      break
    case 'all': {
      const floor = t.effectiveMinIsr ?? 1
      guaranteedCopies = Math.min(floor, rf)
      acknowledged = rf <= 1 ? 'on the only replica' : `on every in-sync replica, at least ${guaranteedCopies} of ${rf}`
      if (guaranteedCopies <= 1) risks.push({ kind: 'producer-one-copy', severity: rf <= 1 ? 'high' : 'medium' })
      break
    }
  }
  if (p.acks.value !== 'none' && t.unclean.value === true && rf >= 2) risks.push({ kind: 'producer-unclean', severity: 'high' })
  if (p.acks.value !== 'none') {
    if (p.retries.value === 0) risks.push({ kind: 'producer-no-retries', severity: 'low' })
    else if (p.client.client === 'kafkajs' && p.retries.value <= 5) risks.push({ kind: 'producer-few-retries', severity: 'low' })
    if (!p.idempotence.value && p.retries.value > 0) risks.push({ kind: 'producer-duplicates', severity: 'low' })
  }
  return { acknowledged, guaranteedCopies, risks }
}

/** The producer against every topic it writes, grouped; worst first. */
export function planProducerAudit(producer: ResolvedProducer, topics: readonly TopicAudit[]): ProducerAudit {
  const groups = new Map<string, { topics: string[]; verdict: Omit<ProducerVerdict, 'topics'> }>()
  for (const t of topics) {
    const verdict = verdictFor(producer, t)
    const key = `${verdict.acknowledged}|${verdict.risks.map((r) => `${r.kind}:${r.severity}`).join(',')}`
    const group = groups.get(key)
    if (group) group.topics.push(t.topic)
    else groups.set(key, { topics: [t.topic], verdict })
  }
  const worst = (v: Omit<ProducerVerdict, 'topics'>) => Math.max(-1, ...v.risks.map((r) => severityWeight(r.severity)))
  const verdicts = [...groups.values()]
    .map(({ topics, verdict }) => ({ topics, ...verdict }))
    .sort((a, b) => worst(b) - worst(a) || a.guaranteedCopies - b.guaranteedCopies || a.topics[0]!.localeCompare(b.topics[0]!))
  return { producer, verdicts, retryBudgetMs: producer.client.client === 'kafkajs' ? kafkajsRetryBudgetMs(producer.retries.value) : null }
}
