// The durability audit's findings and settings as one line of text each: for status, gates, transcripts and
// the runbook's tables. Pure.

import type { ConfigSource } from '../kafka/types.ts'
import type { AuditFinding } from './durability-audit.ts'

/** Where a setting comes from, as an operator says it. */
export function describeSource(source: ConfigSource | null): string {
  switch (source) {
    case 'dynamic-topic':
      return 'topic override'
    case 'dynamic-broker':
      return 'broker override'
    case 'dynamic-broker-default':
      return 'cluster default'
    case 'static-broker':
      return 'server.properties'
    case 'default':
      return 'Kafka default'
    case null:
      return 'unknown'
    default:
      return source
  }
}

/** [a, b, c, d] → "a, b +2 more" within `width` characters. */
export function fitNames(names: readonly string[], width: number): string {
  let text = ''
  for (let i = 0; i < names.length; i++) {
    const next = text ? `${text}, ${names[i]}` : names[i]!
    const rest = names.length - i - 1
    if (next.length + (rest > 0 ? ` +${rest} more`.length : 0) > width && text) return `${text} +${names.length - i} more`
    text = next
  }
  return text
}

/** One line naming a finding and where it is, for status, gates and the transcript. */
export function describeFindingLine(f: AuditFinding, width = 60): string {
  const where = f.topics.length ? `: ${f.topics.length === 1 ? 'topic' : `${f.topics.length} topics`} ${fitNames(f.topics, width)}` : ''
  switch (f.kind) {
    case 'single-replica':
      return `one replica — a broker loss takes the only copy${where}`
    case 'unclean-election':
      return `unclean.leader.election.enable=true (${describeSource(String(f.facts.source) as ConfigSource)}) — a replica missing acknowledged writes may become leader${where}`
    case 'min-isr-one':
      return `min.insync.replicas=${f.facts.minIsr} with ${f.facts.rf} replicas (${describeSource(String(f.facts.source) as ConfigSource)}) — acks=all can mean one copy${where}`
    case 'min-isr-equals-rf':
      return `min.insync.replicas=${f.facts.minIsr} with ${f.facts.rf} replicas — one broker down stops acks=all writes${where}`
    case 'min-isr-above-rf':
      return `min.insync.replicas=${f.facts.minIsr} above ${f.facts.rf} replicas — enforced as ${f.facts.rf}, always reported under min ISR${where}`
    case 'one-rack':
      return `every replica in rack ${f.facts.racks} — one rack failure takes every copy (${f.partitions} partitions)${where}`
    case 'mixed-replication':
      return `partitions with different replica counts (${f.facts.factors})${where}`
    case 'default-unclean-on':
      return `cluster default unclean.leader.election.enable=true (${describeSource(String(f.facts.source) as ConfigSource)}): new topics may lose acknowledged writes`
    case 'default-min-isr-one':
      return `cluster default min.insync.replicas=1 (${describeSource(String(f.facts.source) as ConfigSource)}): new topics get one-copy acks=all`
    case 'racks-unknown':
      return `broker${String(f.facts.brokers).includes(',') ? 's' : ''} ${f.facts.brokers} without broker.rack: failure domains unknown`
    case 'brokers-disagree':
      return `brokers disagree: ${f.facts.settings}`
    case 'elr-off':
      return 'eligible leader replicas (KIP-966) are off on this 4.x cluster'
  }
}
