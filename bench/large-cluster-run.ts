// The planners and the status view on the fake's production-sized cluster (test/support/large-cluster.ts), in
// processes of their own so that the memory measured is what each command holds. bench/large-cluster.bench.ts
// bundles this file and starts it:
//   read <dir>               builds the cluster, reads what each command reads, and writes each command's snapshot
//                            to <dir>/<command>.bin
//   plan <command> <dir>     plans (and for status renders, the view or the --json text) from that command's snapshot
//                            alone, as the command does once its reads are in; prints the milliseconds per step and
//                            the peak RSS as JSON. `status` and `statusJson` are the two forms of one command: a run
//                            prints the view or the JSON, never both, so each is timed on its own.
// The reads are split off because the fake holds the whole cluster in memory and copies every answer, which a
// command talking to a real cluster does not pay.

import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { PerformanceObserver } from 'node:perf_hooks'
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

export type PlannedCommand = keyof LargeClusterSnapshots | 'statusJson'

/** `status --json` reads what `status` reads. */
const snapshotOf = (command: PlannedCommand): keyof LargeClusterSnapshots => (command === 'statusJson' ? 'status' : command)

export const snapshotFile = (dir: string, command: PlannedCommand) => join(dir, `${snapshotOf(command)}.bin`)

const steps: Record<string, number> = {}
const stepSpans: { name: string; start: number; end: number }[] = []
/** CPU milliseconds (user + system, every thread of the process) per step: steadier than wall time on a loaded machine. */
const cpuSteps: Record<string, number> = {}
async function step<T>(name: string, work: () => T | Promise<T>): Promise<T> {
  const started = performance.now()
  const cpu = process.cpuUsage()
  const result = await work()
  steps[name] = performance.now() - started
  stepSpans.push({ name, start: started, end: performance.now() })
  const used = process.cpuUsage(cpu)
  cpuSteps[name] = (used.user + used.system) / 1000
  return result
}

/**
 * The peak RSS from now on. Linux keeps a high-water mark that writing 5 to clear_refs resets, so the peak of
 * planning is measured apart from the peak of loading the snapshot file (its bytes and the objects at once);
 * elsewhere the process's whole peak stands in.
 */
function resetPeakRss(): () => number {
  try {
    writeFileSync('/proc/self/clear_refs', '5')
    return () => Number(/^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'))![1]) / 1024
  } catch {
    return () => process.resourceUsage().maxRSS / 1024
  }
}

/**
 * Milliseconds of garbage-collection pauses per step (perf_hooks 'gc' entries, delivered after the synchronous
 * steps): how much of a step's wall time is the collector rather than the planner's own work.
 */
const gcEntries: { start: number; duration: number }[] = []
const gcObserver = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcEntries.push({ start: e.startTime, duration: e.duration })
})
gcObserver.observe({ entryTypes: ['gc'] })
async function gcSteps(): Promise<Record<string, number>> {
  await new Promise((resolve) => setTimeout(resolve, 0))
  gcObserver.disconnect()
  const pauses: Record<string, number> = {}
  for (const span of stepSpans) {
    pauses[span.name] = gcEntries.filter((e) => e.start >= span.start && e.start < span.end).reduce((sum, e) => sum + e.duration, 0)
  }
  return pauses
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
  for (const [command, snapshot] of Object.entries(snapshots)) writeFileSync(snapshotFile(rest[0]!, command as PlannedCommand), serialize(snapshot))
  process.stdout.write(JSON.stringify({ steps }) + '\n')
} else if (mode === 'plan') {
  const command = rest[0] as PlannedCommand
  // Only this command's snapshot: a command holds what it read, not what the others read.
  const snapshot = deserialize(readFileSync(snapshotFile(rest[1]!, command))) as LargeClusterSnapshots[keyof LargeClusterSnapshots]
  // Loading the snapshot is the reads' cost, not the plan's: its garbage is collected before the clock starts
  // (the bench runs this process with --expose-gc), and the heap it holds is reported beside the steps.
  const collect = (globalThis as { gc?: () => void }).gc
  collect?.()
  // The file's bytes are freed by V8's sweeper after the collection: a turn of the event loop lets it run.
  await new Promise((resolve) => setTimeout(resolve, 20))
  collect?.()
  const snapshotHeapMb = process.memoryUsage().heapUsed / 1e6
  const loadPeakRssMb = process.resourceUsage().maxRSS / 1024
  const planPeak = resetPeakRss()
  const output: Record<string, unknown> = {}
  switch (command) {
    case 'status': {
      const report = await step('plan', () => planClusterHealth(snapshot as HealthSnapshot))
      const screen = await step('render', () => renderBlocks(describeHealth(report), { color: false, width: 100 }))
      Object.assign(output, { screen, partitions: report.partitions.total })
      break
    }
    case 'statusJson': {
      const report = await step('plan', () => planClusterHealth(snapshot as HealthSnapshot))
      const json = await step('--json', () => healthJson(report))
      Object.assign(output, { jsonBytes: json.length, flagged: report.partitions.underReplicated.length })
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
  const gcPauses = await gcSteps()
  process.stdout.write(JSON.stringify({ steps, cpuSteps, gcSteps: gcPauses, maxRssMb: planPeak(), loadPeakRssMb, snapshotHeapMb, ...output }) + '\n')
} else {
  process.stderr.write('usage: large-cluster-run read <dir> | plan <status|statusJson|durabilityAudit|isrShrink|uncleanElection> <dir>\n')
  process.exitCode = 2
}
