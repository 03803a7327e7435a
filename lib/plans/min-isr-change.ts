// Lowering min.insync.replicas on the topics whose acks=all writes fail, and putting it back: which topics,
// which value, what it restores, what it costs in copies, the ELR it clears, and the exact revert (a topic
// override is set back; an inherited value comes back by deleting the override). Pure.

import { agree } from '../format/counts.ts'
import type { ConfigSource, ConfigOp } from '../kafka/types.ts'
import type { AffectedPartition, IsrFindings } from './isr-findings.ts'

/** A topic's min.insync.replicas as describeConfigs showed it, and its other overrides (kept untouched). */
export interface TopicMinIsr {
  readonly topic: string
  readonly exists: boolean
  readonly value: string | null
  readonly source: ConfigSource | null
  readonly overrides: Readonly<Record<string, string>>
}

export interface MinIsrRequest {
  /** Topics named by the operator; null: every topic with a partition whose writes fail. */
  readonly topics: readonly string[] | null
  /** The new value; null: the highest value that lets every failing partition of the topics take writes. */
  readonly value: number | null
}

/** What a topic had before, exactly: restoring it sets the override back, or deletes ours when it was inherited. */
export interface PreviousMinIsr {
  readonly value: string | null
  readonly source: ConfigSource | null
  /** true when the topic had its own override (source dynamic-topic). */
  readonly override: boolean
}

export interface PartitionAfter {
  readonly partition: number
  readonly leader: number | null
  readonly isr: readonly number[]
  readonly elr: readonly number[] | null
  readonly writesBefore: AffectedPartition['writes']
  readonly writesAfter: AffectedPartition['writes']
}

export interface TopicChange {
  readonly topic: string
  readonly replicationFactor: number
  readonly previous: PreviousMinIsr
  /** Every other override of the topic, as it was: the change must leave them exactly so. */
  readonly otherOverrides: Readonly<Record<string, string>>
  readonly partitions: readonly PartitionAfter[]
  /** ELR members the change clears (Kafka 4.x with ELR: any change of the topic's min ISR empties its ELRs). */
  readonly elrCleared: readonly { readonly partition: number; readonly brokers: readonly number[] }[]
}

export interface MinIsrChangePlan {
  readonly value: number
  readonly valueChosen: 'given' | 'highest-that-restores-writes'
  readonly topics: readonly TopicChange[]
  readonly totals: {
    readonly topics: number
    readonly failingBefore: number
    readonly restored: number
    readonly stillFailing: number
    /** Partitions whose acks=all writes will be acknowledged by a single copy while the ISR stays as it is. */
    readonly singleCopy: number
  }
  /** The ISR the revert waits for: every partition back to at least the previous min ISR. */
  readonly revertWhenIsrAtLeast: Readonly<Record<string, number>>
  readonly warnings: readonly string[]
  readonly kafkaCommands: { readonly apply: readonly string[]; readonly revert: readonly string[] }
}

export type MinIsrFault =
  | { readonly kind: 'unknown-topic'; readonly topic: string }
  | { readonly kind: 'nothing-failing' }
  | { readonly kind: 'not-failing'; readonly topic: string; readonly minIsr: string | null }
  | { readonly kind: 'above-replication-factor'; readonly topic: string; readonly value: number; readonly replicationFactor: number }
  | { readonly kind: 'not-lower'; readonly topic: string; readonly value: number; readonly current: string | null }
  | { readonly kind: 'unreadable'; readonly topic: string }

export const isMinIsrFault = (value: MinIsrChangePlan | MinIsrFault): value is MinIsrFault => 'kind' in value

/** One line the operator reads: what is wrong and what to do; nothing was changed. */
export function describeMinIsrFault(fault: MinIsrFault): string {
  switch (fault.kind) {
    case 'unknown-topic':
      return `topic "${fault.topic}" does not exist — check the name (runbook status lists the affected topics); nothing changed`
    case 'nothing-failing':
      return 'no partition with a leader is under min ISR: acks=all writes are not failing, so there is nothing to lower; nothing changed'
    case 'not-failing':
      return `topic ${fault.topic} has no partition under its min ISR (${fault.minIsr ?? 'unknown'}): lowering it would only weaken durability — leave it out of topics=; nothing changed`
    case 'above-replication-factor':
      return `min.insync.replicas=${fault.value} is above the replication factor of ${fault.topic} (${fault.replicationFactor}) — give a value from 1 to ${fault.replicationFactor}; nothing changed`
    case 'not-lower':
      return `min.insync.replicas of ${fault.topic} is already ${fault.current ?? 'unknown'}; ${fault.value} would not lower it — give a smaller value; nothing changed`
    case 'unreadable':
      return `the configuration of topic ${fault.topic} could not be read — check access to DescribeConfigs, then rerun; nothing changed`
  }
}

function writesWith(p: AffectedPartition, minIsr: number): AffectedPartition['writes'] {
  if (p.writes === 'no-leader') return 'no-leader'
  const effective = Math.min(minIsr, p.replicas.length)
  return p.isr.length < effective ? 'failing' : p.isr.length === effective ? 'at-min' : 'flowing'
}

const quote = (text: string) => (/^[\w.,:=*/-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`)

/** The kafka-configs command that sets back (or deletes) one topic's min ISR — what the undo does, by hand. */
export function revertCommand(topic: string, previous: PreviousMinIsr, bootstrap: string): string {
  const base = `kafka-configs --bootstrap-server ${bootstrap} --entity-type topics --entity-name ${quote(topic)} --alter`
  return previous.override ? `${base} --add-config min.insync.replicas=${previous.value}` : `${base} --delete-config min.insync.replicas`
}

/** The config operation that restores what a topic had. */
export function restoreOp(previous: PreviousMinIsr): ConfigOp {
  return previous.override && previous.value !== null
    ? { name: 'min.insync.replicas', op: 'set', value: previous.value }
    : { name: 'min.insync.replicas', op: 'delete' }
}

/**
 * The change: which topics (given, or every topic with failing partitions; internal topics only when named),
 * which value (given, or the largest one under which every failing partition of those topics takes writes).
 */
export function planMinIsrChange(
  findings: IsrFindings,
  configs: readonly TopicMinIsr[],
  request: MinIsrRequest,
  elr: 'on' | 'off' | 'unsupported',
  bootstrap: string,
): MinIsrChangePlan | MinIsrFault {
  const byTopic = new Map(configs.map((c) => [c.topic, c]))
  for (const topic of request.topics ?? []) if (byTopic.get(topic)?.exists !== true) return { kind: 'unknown-topic', topic }
  const failing = findings.failing
  const topics = request.topics ?? [...new Set(failing.filter((p) => !p.internal).map((p) => p.topic))]
  if (topics.length === 0) return { kind: 'nothing-failing' }
  const changes: TopicChange[] = []
  let value = request.value
  if (value === null) {
    // The largest value under which the smallest ISR among the failing partitions still takes writes.
    const smallest = Math.min(...failing.filter((p) => topics.includes(p.topic)).map((p) => p.isr.length))
    value = Number.isFinite(smallest) ? Math.max(1, smallest) : 1
  }
  for (const topic of topics) {
    const config = byTopic.get(topic)
    if (!config || config.source === null) return { kind: 'unreadable', topic }
    const mine = findings.partitions.filter((p) => p.topic === topic)
    if (!mine.some((p) => p.writes === 'failing')) return { kind: 'not-failing', topic, minIsr: config.value }
    const rf = Math.max(...mine.map((p) => p.replicas.length))
    if (value > rf) return { kind: 'above-replication-factor', topic, value, replicationFactor: rf }
    if (config.value !== null && /^\d+$/.test(config.value) && value >= Number(config.value)) return { kind: 'not-lower', topic, value, current: config.value }
    const { 'min.insync.replicas': _changed, ...otherOverrides } = config.overrides
    changes.push({
      topic,
      replicationFactor: rf,
      previous: { value: config.value, source: config.source, override: config.source === 'dynamic-topic' },
      otherOverrides,
      partitions: mine.map((p) => ({
        partition: p.partition,
        leader: p.leader,
        isr: p.isr,
        elr: p.elr,
        writesBefore: p.writes,
        writesAfter: writesWith(p, value!),
      })),
      elrCleared: elr === 'on' ? mine.filter((p) => (p.elr ?? []).length > 0).map((p) => ({ partition: p.partition, brokers: p.elr! })) : [],
    })
  }
  const all = changes.flatMap((c) => c.partitions)
  const warnings: string[] = []
  const higher = changes.flatMap((c) =>
    c.partitions.filter((p) => p.writesBefore === 'failing' && p.isr.length > value!).map((p) => `${c.topic}/${p.partition}`),
  )
  if (higher.length > 0)
    warnings.push(
      `${higher.length} of the failing partitions have ${value! + 1} or more replicas in sync: a higher value would restore their writes with more copies (${higher.slice(0, 3).join(', ')}${higher.length > 3 ? ', …' : ''})`,
    )
  const noLeader = all.filter((p) => p.writesBefore === 'no-leader').length
  if (noLeader > 0)
    warnings.push(
      `${noLeader} ${agree(noLeader, 'partition of these topics has', 'partitions of these topics have')} no leader: no min ISR makes them writable — that is the unclean-election runbook's case`,
    )
  return {
    value,
    valueChosen: request.value === null ? 'highest-that-restores-writes' : 'given',
    topics: changes,
    totals: {
      topics: changes.length,
      failingBefore: all.filter((p) => p.writesBefore === 'failing').length,
      restored: all.filter((p) => p.writesBefore === 'failing' && p.writesAfter !== 'failing').length,
      stillFailing: all.filter((p) => p.writesAfter === 'failing').length,
      singleCopy: all.filter((p) => p.writesAfter !== 'failing' && p.writesAfter !== 'no-leader' && p.isr.length === 1).length,
    },
    revertWhenIsrAtLeast: Object.fromEntries(changes.map((c) => [c.topic, Math.min(Number(c.previous.value ?? '1'), c.replicationFactor)])),
    warnings,
    kafkaCommands: {
      apply: changes.map(
        (c) =>
          `kafka-configs --bootstrap-server ${bootstrap} --entity-type topics --entity-name ${quote(c.topic)} --alter --add-config min.insync.replicas=${value}`,
      ),
      revert: changes.map((c) => revertCommand(c.topic, c.previous, bootstrap)),
    },
  }
}

/** What a revert needs: each topic, the value the change set, and what to restore. */
export interface MinIsrRevertRecord {
  readonly value: number
  readonly topics: readonly { readonly topic: string; readonly previous: PreviousMinIsr; readonly otherOverrides: Readonly<Record<string, string>> }[]
}

export function minIsrRevertRecord(plan: MinIsrChangePlan): MinIsrRevertRecord {
  return { value: plan.value, topics: plan.topics.map((t) => ({ topic: t.topic, previous: t.previous, otherOverrides: t.otherOverrides })) }
}

export interface ConfigDifference {
  readonly topic: string
  readonly what: string
  readonly expected: string
  readonly found: string
}

const shown = (value: string | null | undefined) => (value === null || value === undefined ? '(none)' : value)

/** Differences between a topic's config read back and what should be there: min ISR (value and source) and every other override. */
export function compareTopicConfig(
  expected: { topic: string; value: string | null; source: ConfigSource | null; otherOverrides: Readonly<Record<string, string>> },
  found: TopicMinIsr,
): ConfigDifference[] {
  const differences: ConfigDifference[] = []
  if (!found.exists) return [{ topic: expected.topic, what: 'topic', expected: 'exists', found: 'gone' }]
  if (found.value !== expected.value || (expected.source !== null && found.source !== expected.source)) {
    differences.push({
      topic: expected.topic,
      what: 'min.insync.replicas',
      expected: `${shown(expected.value)} (${expected.source ?? 'any source'})`,
      found: `${shown(found.value)} (${found.source ?? 'unknown'})`,
    })
  }
  const { 'min.insync.replicas': _ignored, ...others } = found.overrides
  for (const name of new Set([...Object.keys(expected.otherOverrides), ...Object.keys(others)])) {
    if (expected.otherOverrides[name] !== others[name])
      differences.push({ topic: expected.topic, what: name, expected: shown(expected.otherOverrides[name]), found: shown(others[name]) })
  }
  return differences
}
