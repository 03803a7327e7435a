// The two setting fixes the audit can apply, as plans: raise min.insync.replicas, and turn unclean leader
// election off — per topic, as topic overrides (IncrementalAlterConfigs), with what each change costs now.
// Pure: the audit report in, a plan (or the reason there is none) out.

import type { ConfigSource } from '../kafka/types.ts'
import type { AuditReport, TopicAudit } from './durability-audit.ts'

/** A topic's setting before the fix: what it resolves to, where from, and its own override (null: none). */
export interface SettingBefore {
  readonly value: string | null
  readonly source: ConfigSource | null
  readonly override: string | null
}

export interface MinIsrChange {
  readonly topic: string
  readonly replicationFactor: number
  readonly partitions: number
  readonly before: SettingBefore
  readonly to: string
  /** The new value equals the replication factor: any one broker down then stops acks=all writes. */
  readonly stopsWritesOnBrokerLoss: boolean
  /** Partitions whose ISR is already below the new value: acks=all writes to them fail as soon as it applies. */
  readonly failingAtOnce: number
  /** Partitions with eligible leader replicas recorded: Kafka 4.x clears them when min.insync.replicas changes. */
  readonly elrCleared: number
}

export interface MinIsrPlan {
  readonly config: 'min.insync.replicas'
  readonly target: number
  readonly changes: readonly MinIsrChange[]
  readonly skipped: readonly { readonly topic: string; readonly reason: string }[]
  readonly totals: {
    readonly topics: number
    readonly partitions: number
    readonly stopsWritesTopics: number
    readonly failingAtOnce: number
    readonly elrCleared: number
  }
}

export interface UncleanChange {
  readonly topic: string
  readonly partitions: number
  readonly before: SettingBefore
  readonly to: 'false'
  /** Partitions with no leader now: with the flag off they stay offline until an in-sync replica returns. */
  readonly leaderless: number
}

export interface UncleanPlan {
  readonly config: 'unclean.leader.election.enable'
  readonly changes: readonly UncleanChange[]
  readonly skipped: readonly { readonly topic: string; readonly reason: string }[]
  readonly totals: { readonly topics: number; readonly partitions: number; readonly leaderless: number }
}

/** Why no fix plan can be made; the runbook says it in one line. */
export type FixFault = {
  readonly kind: 'nothing-to-fix'
  readonly what: string
  readonly skipped: readonly { readonly topic: string; readonly reason: string }[]
}

export const isFixFault = (value: unknown): value is FixFault =>
  typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'nothing-to-fix'

const before = (setting: TopicAudit['minIsr'] | TopicAudit['unclean']): SettingBefore => ({
  value: setting.value === null ? null : String(setting.value),
  source: setting.source,
  override: setting.override,
})

const internalReason = 'internal topic: its settings come from the brokers (offsets.topic.*, transaction.state.log.*)'

/**
 * Raises min.insync.replicas to `target` on every topic below it, but never above the topic's replication
 * factor (Kafka enforces min(min.insync.replicas, replicas) anyway). A topic where that means "equal to the
 * replication factor" is marked: one broker down then stops its acks=all writes.
 */
export function planMinIsrRaise(report: AuditReport, target: number): MinIsrPlan | FixFault {
  const changes: MinIsrChange[] = []
  const skipped: { topic: string; reason: string }[] = []
  for (const t of report.topics) {
    if (t.effectiveMinIsr === null || t.partitions === 0) continue
    const value = Math.min(target, t.replicationFactor)
    if (t.effectiveMinIsr >= value) continue
    if (t.internal) {
      skipped.push({ topic: t.topic, reason: internalReason })
      continue
    }
    if (t.replicationFactor < 2) {
      skipped.push({ topic: t.topic, reason: 'one replica: no min.insync.replicas helps; raise the replication factor first (the reassignment plan below)' })
      continue
    }
    changes.push({
      topic: t.topic,
      replicationFactor: t.replicationFactor,
      partitions: t.partitions,
      before: before(t.minIsr),
      to: String(value),
      stopsWritesOnBrokerLoss: value >= t.replicationFactor,
      failingAtOnce: t.isrSizes.filter((size) => size < value).length,
      elrCleared: t.elrPartitions,
    })
  }
  if (changes.length === 0) return { kind: 'nothing-to-fix', what: `no topic has min.insync.replicas below ${target} that this audit may change`, skipped }
  return {
    config: 'min.insync.replicas',
    target,
    changes,
    skipped,
    totals: {
      topics: changes.length,
      partitions: changes.reduce((n, c) => n + c.partitions, 0),
      stopsWritesTopics: changes.filter((c) => c.stopsWritesOnBrokerLoss).length,
      failingAtOnce: changes.reduce((n, c) => n + c.failingAtOnce, 0),
      elrCleared: changes.reduce((n, c) => n + c.elrCleared, 0),
    },
  }
}

/** Sets unclean.leader.election.enable=false as an override on every topic that resolves it to true. */
export function planUncleanOff(report: AuditReport): UncleanPlan | FixFault {
  const changes: UncleanChange[] = []
  const skipped: { topic: string; reason: string }[] = []
  for (const t of report.topics) {
    // One replica has no other replica to elect: the flag changes nothing there.
    if (t.unclean.value !== true || t.partitions === 0 || t.replicationFactor < 2) continue
    if (t.internal) {
      skipped.push({ topic: t.topic, reason: internalReason })
      continue
    }
    changes.push({ topic: t.topic, partitions: t.partitions, before: before(t.unclean), to: 'false', leaderless: t.leaderless })
  }
  if (changes.length === 0) return { kind: 'nothing-to-fix', what: 'no topic has unclean leader election on that this audit may change', skipped }
  return {
    config: 'unclean.leader.election.enable',
    changes,
    skipped,
    totals: { topics: changes.length, partitions: changes.reduce((n, c) => n + c.partitions, 0), leaderless: changes.reduce((n, c) => n + c.leaderless, 0) },
  }
}
