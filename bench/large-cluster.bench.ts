// Beyond one sandbox: the planners and the status view on 100,000 partitions, 20,000 topics and 2,000 consumer
// groups (the fake; bench/large-cluster-run.ts), each in a fresh process from its command's snapshot. Printed
// beside the budget a large production cluster must stay within: ≤ 1 s of planning and rendering per command
// and ≤ 250 MB of RSS, with the status view on one screen. What is timed is planning and rendering only, from a
// snapshot already loaded (its loading and a forced collection come before the clock). `status` and
// `status --json` are timed apart, each in its own process: a run prints the view or the JSON, never both.
// Wall and CPU time both, the collector's pauses, and the load average beside them: on a shared machine the
// wall time is mostly waiting for a core. The RSS budgeted is the peak while planning and rendering with the
// snapshot held (the peak of loading the snapshot file is printed beside it).

import { spawnSync } from 'node:child_process'
import { mkdirSync, rmSync } from 'node:fs'
import { availableParallelism, loadavg } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { bench, describe } from 'vitest'
import type { PlannedCommand } from './large-cluster-run.ts'

const budgetMs = 1000
const budgetRssMb = 250
// One screen as the status view defines it (lib/cli/status-view.ts, and its test): 60 lines of 100 columns.
const screenLines = 60
const root = fileURLToPath(new URL('..', import.meta.url))
// Inside node_modules, so that the bundle finds the packages it leaves out (marked, cli-table3).
const workDir = join(root, 'node_modules', '.cache', 'kafka-runbooks-bench')
const runner = join(workDir, 'large-cluster-run.mjs')
const snapshots = join(workDir, 'large-cluster-snapshots')

mkdirSync(snapshots, { recursive: true })
await build({
  absWorkingDir: root,
  entryPoints: ['bench/large-cluster-run.ts'],
  outfile: runner,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  logLevel: 'warning',
})

interface RunResult extends Record<string, unknown> {
  readonly steps: Record<string, number>
  readonly cpuSteps?: Record<string, number>
  /** Milliseconds of garbage-collection pauses per step. */
  readonly gcSteps?: Record<string, number>
  readonly maxRssMb?: number
  readonly loadPeakRssMb?: number
  readonly snapshotHeapMb?: number
}

function run(args: readonly string[]): RunResult {
  // --expose-gc: the runner settles the garbage of loading its snapshot before it starts the clock.
  const result = spawnSync(process.execPath, ['--expose-gc', runner, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 600_000 })
  if (result.status !== 0) throw new Error(`large-cluster-run ${args.join(' ')} exited ${result.status ?? result.signal}: ${result.stderr}`)
  return JSON.parse(result.stdout) as RunResult
}

const reads = run(['read', snapshots])
const commands: { command: PlannedCommand; label: string }[] = [
  { command: 'status', label: 'status (plan, view)' },
  { command: 'statusJson', label: 'status --json (plan, JSON)' },
  { command: 'durabilityAudit', label: 'durability-audit (plan)' },
  { command: 'isrShrink', label: 'isr-shrink (plan)' },
  { command: 'uncleanElection', label: 'unclean-election (plan)' },
]
const runs = new Map<PlannedCommand, ReturnType<typeof run>[]>()

const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!

const sum = (values: Record<string, number> | undefined) => Object.values(values ?? {}).reduce((a, b) => a + b, 0)

function report(): void {
  const lines = ['', 'large cluster (fake): 100,000 partitions, 20,000 topics, 2,000 groups, broker 12 dead']
  lines.push(
    `  load average when the runs ended: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} on ${availableParallelism()} cores (wall time stretches with it; CPU time much less)`,
  )
  lines.push(
    `  reads from the fake (its own copying included, not budgeted): ${Object.entries(reads.steps)
      .map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} s`)
      .join(', ')}`,
  )
  lines.push(
    `  ${'command'.padEnd(32)} ${'wall (median)'.padStart(14)} ${'CPU'.padStart(8)} ${'budget'.padStart(8)} ${'ratio'.padStart(6)}   ${'peak RSS'.padStart(9)} ${'budget'.padStart(7)} ${'ratio'.padStart(6)}  snapshot heap, peak RSS loading it`,
  )
  for (const { command, label } of commands) {
    const samples = runs.get(command) ?? []
    if (samples.length === 0) continue
    const ms = median(samples.map((s) => sum(s.steps)))
    const cpu = median(samples.map((s) => sum(s.cpuSteps)))
    const rss = Math.max(...samples.map((s) => s.maxRssMb ?? 0))
    const heap = Math.max(...samples.map((s) => s.snapshotHeapMb ?? 0))
    const loadRss = Math.max(...samples.map((s) => s.loadPeakRssMb ?? 0))
    const detail = Object.keys(samples[0]!.steps)
      .map(
        (name) =>
          `${name} ${[(r: RunResult) => r.steps[name]!, (r: RunResult) => r.cpuSteps?.[name] ?? 0, (r: RunResult) => r.gcSteps?.[name] ?? 0].map((of) => median(samples.map(of)).toFixed(0)).join('/')}`,
      )
      .join(', ')
    lines.push(
      `  ${label.padEnd(32)} ${`${ms.toFixed(0)} ms`.padStart(14)} ${`${cpu.toFixed(0)} ms`.padStart(8)} ${`${budgetMs} ms`.padStart(8)} ${(ms / budgetMs).toFixed(2).padStart(6)}   ${`${rss.toFixed(0)} MB`.padStart(9)} ${`${budgetRssMb} MB`.padStart(7)} ${(rss / budgetRssMb).toFixed(2).padStart(6)}  ${heap.toFixed(0)} MB, ${loadRss.toFixed(0)} MB   (wall/CPU/GC pause ms: ${detail})`,
    )
  }
  const screen = String(runs.get('status')?.[0]?.screen ?? '')
  lines.push(
    `  status view: ${screen.split('\n').length} lines (one screen: ≤ ${screenLines}), widest ${Math.max(...screen.split('\n').map((l) => l.length))} columns`,
  )
  console.log(lines.join('\n') + '\n')
}

describe('planners and the status view on 100,000 partitions', () => {
  const options = { iterations: 3, time: 1, warmupIterations: 0, warmupTime: 0 }
  commands.forEach(({ command, label }, i) => {
    bench(
      label,
      () => {
        const result = run(['plan', command, snapshots])
        runs.set(command, [...(runs.get(command) ?? []), result])
      },
      {
        ...options,
        ...(i === commands.length - 1
          ? {
              teardown: (_task: unknown, mode: 'warmup' | 'run') => {
                if (mode !== 'run') return
                report()
                rmSync(snapshots, { recursive: true, force: true })
              },
            }
          : {}),
      },
    )
  })
})
