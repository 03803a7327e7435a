// Builds leaderless-partition snapshots for planner tests: one line per case, defaults for the rest.

import type { LeaderlessPartition, LeaderlessSnapshot, ReplicaLog } from '../../lib/plans/leaderless.ts'

export interface PartitionSpec {
  readonly topic?: string
  readonly partition?: number
  readonly replicas?: readonly number[]
  readonly isr?: readonly number[]
  readonly elr?: readonly number[] | null
  readonly lastKnownElr?: readonly number[] | null
  /** Live replicas' log ends; a string is an unreadable replica's error. */
  readonly logs?: Readonly<Record<number, bigint | string>>
  readonly newest?: Readonly<Record<number, number>>
  readonly committed?: Readonly<Record<string, bigint>>
  readonly unclean?: string
  readonly compacted?: boolean
  readonly minIsr?: number
  readonly leaderEpoch?: number
}

export function leaderless(spec: PartitionSpec = {}): LeaderlessPartition {
  const replicas = spec.replicas ?? [1, 2, 3]
  const logs = spec.logs ?? { 3: 1307n }
  const replicaLogs: ReplicaLog[] = replicas
    .filter((id) => id in logs)
    .map((broker) => {
      const value = logs[broker]!
      return typeof value === 'string'
        ? { broker, logEndOffset: null, newestRecordMs: null, error: value }
        : { broker, logEndOffset: value, newestRecordMs: spec.newest?.[broker] ?? null, error: null }
    })
  return {
    topic: spec.topic ?? 't',
    partition: spec.partition ?? 0,
    internal: false,
    leaderEpoch: spec.leaderEpoch ?? 1,
    replicas,
    isr: spec.isr ?? [],
    elr: spec.elr === undefined ? [1, 2] : spec.elr,
    lastKnownElr: spec.lastKnownElr === undefined ? [1] : spec.lastKnownElr,
    minIsr: spec.minIsr ?? 2,
    unclean: { value: spec.unclean ?? 'false', source: spec.unclean ? 'dynamic-topic' : 'default' },
    compacted: spec.compacted ?? false,
    replicaLogs,
    committed: Object.entries(spec.committed ?? {})
      .map(([groupId, offset]) => ({ groupId, offset }))
      .sort((a, b) => (a.offset > b.offset ? -1 : a.offset < b.offset ? 1 : 0)),
  }
}

export function snapshot(partitions: readonly LeaderlessPartition[], extra: Partial<LeaderlessSnapshot> = {}): LeaderlessSnapshot {
  const live = [...new Set(partitions.flatMap((p) => p.replicaLogs.map((l) => l.broker)))].sort()
  return {
    takenAtMs: 1_800_000_000_000,
    kafkaLine: '4.3',
    metadataVersion: '4.3-IV0',
    elr: 'on',
    liveBrokers: live,
    partitionCount: partitions.length + 10,
    partitions,
    requested: partitions.map((p) => ({ topic: p.topic, partition: p.partition, state: 'leaderless' as const })),
    problems: [],
    ...extra,
  }
}
