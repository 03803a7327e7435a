// What each planner and the status view answer on a mid-size version of the large cluster
// (test/support/large-cluster.ts), as one JSON text per command: the oracle that a faster planner or a leaner
// snapshot changed nothing a user sees. Times are pinned so that two runs, on any day, answer the same.

import { createHash } from 'node:crypto'
import { describeHealth, healthJson } from '../../lib/cli/status-view.ts'
import { planClusterHealth } from '../../lib/plans/cluster-health.ts'
import { planDurabilityAudit } from '../../lib/plans/durability-audit.ts'
import { planIsrFindings } from '../../lib/plans/isr-findings.ts'
import { classifyRecovery, electionRules, groupByRecovery } from '../../lib/plans/leaderless.ts'
import { planReassignment } from '../../lib/plans/replica-placement.ts'
import { readDurability } from '../../lib/reads/durability.ts'
import { readLeaderlessSnapshot } from '../../lib/reads/leaderless.ts'
import { readReplicationSnapshot } from '../../lib/reads/replication.ts'
import { readHealthSnapshot } from '../../lib/reads/status-snapshot.ts'
import { renderBlocks } from '../../lib/terminal/render.ts'
import { largeCluster } from './large-cluster.ts'

export const midSizeShape = { topics: 1_000, groups: 100 } as const
const nowMs = 1_765_000_000_000

const json = (value: unknown) => JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v instanceof Map ? Object.fromEntries(v) : v))

export type PlannerOutputs = Record<'status' | 'statusScreen' | 'durabilityAudit' | 'reassignment' | 'isrShrink' | 'uncleanElection', string>

export async function midSizeOutputs(): Promise<PlannerOutputs> {
  const kafka = largeCluster({ ...midSizeShape, writtenFromMs: nowMs - 3_600_000 })
  const read = await readHealthSnapshot(kafka)
  const status = planClusterHealth({ ...read, takenAtMs: nowMs, durability: { ...read.durability, takenAtMs: nowMs } })
  const audit = await readDurability(kafka, { full: true, nowMs })
  const replication = (await readReplicationSnapshot(kafka, { nowMs })).snapshot
  const leaderless = await readLeaderlessSnapshot(kafka, { takenAtMs: nowMs })
  const rules = electionRules(leaderless)
  return {
    status: healthJson(status),
    statusScreen: renderBlocks(describeHealth(status), { color: false, width: 100 }),
    durabilityAudit: json(planDurabilityAudit(audit)),
    reassignment: json(
      planReassignment({
        // 4, so that topics holding records get a replica too and the plan prices it in bytes.
        targetReplicationFactor: 4,
        topics: audit.topics,
        allTopics: audit.topics,
        brokers: audit.brokers,
        reassignments: audit.reassignments,
        sizes: audit.replicaBytes,
      }),
    ),
    isrShrink: json(planIsrFindings(replication)),
    uncleanElection: json(groupByRecovery(leaderless.partitions.map((p) => classifyRecovery(p, rules, leaderless.liveBrokers)))),
  }
}

export const digest = (text: string) => createHash('sha256').update(text).digest('hex')
