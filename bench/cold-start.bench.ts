// Cold starts: the built CLI's commands that need no cluster, each a fresh process, beside `node -e 0` (Node's
// floor on this machine) as the ratio. Runs are paired and alternate (floor, command, floor, command…), so that
// a noisy shared machine weighs on both alike; wall and CPU time (user + system: to the microsecond through
// Python's os.wait4 where there is a Python, else from GNU time in 10 ms steps). The ratio is the median of each
// pair's own ratio, with the quartiles of those ratios beside it: load that changes during a run moves the two
// runs of a pair together, and the quartiles say how far one figure can be trusted. A first line times the floor
// against itself: what the noise alone makes of a ratio that is 1.00× in truth.
// Goals: --help, list and sessions ≤ 1.3× the floor; show <id> ≤ 1.6×. Measured under Node, and under Bun too
// when there is one (each runtime against its own `-e 0`).
//   npm run build && npm run bench -- cold-start
//   RUNBOOK_COLD_START_BUN=/path/to/bun …       Bun from there rather than from the PATH
//   RUNBOOK_COLD_START_RUNTIME=/path/to/other …  a third runtime besides (its own `-e 0` the floor)

import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { availableParallelism, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { bench, describe } from 'vitest'
import { measureProcess, measureProcessPrecisely, type ProcessRun } from './measure-process.ts'

const rounds = Number(process.env.RUNBOOK_COLD_START_ROUNDS || 15)
/** Bun where the environment names it or the PATH has it; null when neither (then only Node is measured). */
function findBun(): string | null {
  const named = process.env.RUNBOOK_COLD_START_BUN
  if (named) return named
  return spawnSync('bun', ['--version'], { encoding: 'utf8' }).status === 0 ? 'bun' : null
}
const runtimes = [process.execPath, findBun(), process.env.RUNBOOK_COLD_START_RUNTIME].filter((r): r is string => Boolean(r))
const cli = fileURLToPath(new URL('../bin/runbook.js', import.meta.url))
const commands: { args: string[]; goal: number }[] = [
  { args: ['--help'], goal: 1.3 },
  { args: ['list'], goal: 1.3 },
  { args: ['sessions'], goal: 1.3 },
  { args: ['show', 'isr-shrink'], goal: 1.6 },
]

/** The runtime's name and version as it reports them (node v20.20.2, bun 1.4.5). */
function runtimeName(runtime: string): string {
  if (runtime === process.execPath) return `node ${process.version}`
  const version = measureProcess(runtime, ['--version']).stdout.trim()
  return `${runtime.includes('bun') ? 'bun' : runtime} ${version}`
}

/** To the microsecond where Python is there to ask the kernel; else GNU time's 10 ms steps. */
const measure: typeof measureProcess = (command, args, options) => measureProcessPrecisely(command, args, options) ?? measureProcess(command, args, options)
const precision = measureProcessPrecisely('true', []) ? 'CPU and wall to the microsecond (os.wait4)' : 'CPU in GNU time’s 10 ms steps'

const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!
const fixed = (ms: number) => `${ms.toFixed(1)} ms`

/** A ratio's median over the pairs, with its quartiles: "1.18× (1.12–1.25)". */
function pairedRatio(ours: readonly number[], floor: readonly number[]): { median: number; text: string } {
  const ratios = ours.map((value, i) => value / Math.max(floor[i]!, 0.001)).sort((a, b) => a - b)
  const at = (q: number) => ratios[Math.min(ratios.length - 1, Math.floor(q * ratios.length))]!
  return { median: at(0.5), text: `${at(0.5).toFixed(2)}× (${at(0.25).toFixed(2)}–${at(0.75).toFixed(2)})` }
}

/** One runtime's four commands, each in paired, alternating runs against the runtime's own `-e 0`. */
function measureRuntime(runtime: string): string {
  // An empty working folder: no team runbooks, no sessions, no config — what a first run sees.
  const cwd = mkdtempSync(join(tmpdir(), 'cold-start-'))
  const env = { ...process.env, NO_COLOR: '1', XDG_CACHE_HOME: join(cwd, 'cache') }
  const load: number[] = []
  const lines: string[] = []
  try {
    for (const { args, goal } of [{ args: null, goal: null }, ...commands]) {
      const floor: ProcessRun[] = []
      const ours: ProcessRun[] = []
      const command = args ? [cli, ...args] : ['-e', '0']
      measure(runtime, command, { env, cwd }) // the first run warms the file cache
      for (let round = 0; round < rounds; round++) {
        floor.push(measure(runtime, ['-e', '0'], { env, cwd }))
        ours.push(measure(runtime, command, { env, cwd }))
        load.push(loadavg()[0]!)
      }
      const wall = pairedRatio(
        ours.map((r) => r.wallMs),
        floor.map((r) => r.wallMs),
      )
      const cpu =
        ours[0]!.cpuMs === null
          ? null
          : pairedRatio(
              ours.map((r) => r.cpuMs!),
              floor.map((r) => r.cpuMs!),
            )
      const figures = (of: (r: ProcessRun) => number) => `${fixed(median(ours.map(of))).padStart(7)} vs ${fixed(median(floor.map(of))).padStart(7)}`
      const met = goal === null ? null : wall.median <= goal && (cpu === null || cpu.median <= goal)
      lines.push(
        `  ${(args ? `runbook ${args.join(' ')}` : '-e 0 (the floor itself)').padEnd(23)} wall ${figures((r) => r.wallMs)} = ${wall.text}` +
          (cpu ? `   cpu ${figures((r) => r.cpuMs!)} = ${cpu.text}` : '   cpu n/a (no GNU time)') +
          (met === null ? '   (noise: 1.00× in truth)' : `   goal ≤ ${goal}× ${met ? 'met' : 'NOT met'}`),
      )
    }
  } finally {
    rmSync(cwd, { recursive: true, force: true })
  }
  return (
    `\nCold starts (${rounds} paired runs, ours vs -e 0: medians, and the median of the pairs' ratios with its quartiles; ${runtimeName(runtime)}, ${precision}; load average ${Math.min(...load).toFixed(1)}–${Math.max(...load).toFixed(1)} on ${availableParallelism()} cores):\n` +
    lines.join('\n') +
    '\n'
  )
}

describe('cold starts of the built CLI against the runtime with nothing to run', () => {
  bench(
    'paired runs',
    // async on purpose: tinybench 2.9 calls a plain function once more in each of its warmup and run phases to
    // learn whether it returns a promise, so a plain one measured three times over and printed three sets of figures.
    async () => {
      for (const runtime of runtimes) process.stdout.write(measureRuntime(runtime))
      if (runtimes.length === 1) process.stdout.write('  bun: not measured (none on the PATH; RUNBOOK_COLD_START_BUN=/path/to/bun names one)\n')
    },
    { iterations: 1, warmupIterations: 0, time: 0, warmupTime: 0 },
  )
})
