// The planners and the status view on the fake's production-sized cluster (test/support/large-cluster.ts), in
// processes of their own so that the memory measured is what each command holds. bench/large-cluster.bench.ts
// bundles this file and starts it:
//   read <file>              builds the cluster, reads what each command reads, and writes the snapshots to <file>
//   plan <command> <file>    plans (and for status renders) from that command's snapshot, as the command does
//                            once its reads are in; prints the milliseconds per step and the peak RSS as JSON.
// The reads are split off because the fake holds the whole cluster in memory and copies every answer, which a
// command talking to a real cluster does not pay.

import { readFileSync, writeFileSync } from 'node:fs'
import { deserialize, serialize } from 'node:v8'
import { describeHealth, healthJson } from '../lib/cli/status-view.ts'
import { type HealthSnapshot, planClusterHealth } from '../lib/plans/cluster-health.ts'
import { type DurabilitySnapshot, planDurabilityAudit } from '../lib/plans/durability-audit.ts'
import { planIsrFindings, type ReplicationSnapshot } from '../lib/plans/isr-findings.ts'
import { classifyRecovery, electionRules, groupByRecovery, type LeaderlessSnapshot } from '../lib/plans/leaderless.ts'
import { readDurability } from '../lib/reads/durability.ts'
import { readLeaderlessSnapshot } from '../lib/reads/leaderless.ts'
import { readReplicationSnapshot } from '../lib/reads/replication.ts'
import { readHealthSnapshot } from '../lib/reads/status-snapshot.ts'
import { renderBlocks } from '../lib/terminal/render.ts'
import { largeCluster } from '../test/support/large-cluster.ts'

export interface LargeClusterSnapshots {
  readonly status: HealthSnapshot
  readonly durabilityAudit: DurabilitySnapshot
  readonly isrShrink: ReplicationSnapshot
  readonly uncleanElection: LeaderlessSnapshot
}

export type PlannedCommand = keyof LargeClusterSnapshots

const steps: Record<string, number> = {}
async function step<T>(name: string, work: () => T | Promise<T>): Promise<T> {
  const started = performance.now()
  const result = await work()
  steps[name] = performance.now() - started
  return result
}

const nowMs = 1_700_000_000_000
const [mode, ...rest] = process.argv.slice(2)

if (mode === 'read') {
  const kafka = await step('build the fake cluster', () => largeCluster())
  const snapshots: LargeClusterSnapshots = {
    status: await step('status', () => readHealthSnapshot(kafka)),
    durabilityAudit: await step('durabilityAudit', () => readDurability(kafka, { full: true, nowMs })),
    isrShrink: (await step('isrShrink', () => readReplicationSnapshot(kafka, { nowMs }))).snapshot,
    uncleanElection: await step('uncleanElection', () => readLeaderlessSnapshot(kafka, { takenAtMs: nowMs })),
  }
  writeFileSync(rest[0]!, serialize(snapshots))
  process.stdout.write(JSON.stringify({ steps }) + '\n')
} else if (mode === 'plan') {
  const command = rest[0] as PlannedCommand
  const all = deserialize(readFileSync(rest[1]!)) as LargeClusterSnapshots
  const snapshot = all[command]
  const output: Record<string, unknown> = {}
  switch (command) {
    case 'status': {
      const report = await step('plan', () => planClusterHealth(snapshot as HealthSnapshot))
      const screen = await step('render', () => renderBlocks(describeHealth(report), { color: false, width: 100 }))
      const json = await step('render --json', () => healthJson(report))
      Object.assign(output, { screen, jsonBytes: json.length, flagged: report.partitions.underReplicated.length, partitions: report.partitions.total })
      break
    }
    case 'durabilityAudit': {
      const audit = await step('plan', () => planDurabilityAudit(snapshot as DurabilitySnapshot))
      output.findings = audit.findings.length
      break
    }
    case 'isrShrink': {
      const findings = await step('plan', () => planIsrFindings(snapshot as ReplicationSnapshot))
      output.groups = findings.groups.length
      break
    }
    case 'uncleanElection': {
      const leaderless = snapshot as LeaderlessSnapshot
      const groups = await step('plan', () => {
        const rules = electionRules(leaderless)
        return groupByRecovery(leaderless.partitions.map((p) => classifyRecovery(p, rules, leaderless.liveBrokers)))
      })
      output.groups = groups.length
      break
    }
  }
  process.stdout.write(JSON.stringify({ steps, maxRssMb: process.resourceUsage().maxRSS / 1024, ...output }) + '\n')
} else {
  process.stderr.write('usage: large-cluster-run read <file> | plan <status|durabilityAudit|isrShrink|uncleanElection> <file>\n')
  process.exitCode = 2
}
