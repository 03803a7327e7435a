// One process run, measured as the benchmarks compare tools: wall time here, CPU time and peak RSS from GNU time.

import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'

/** One run of a process: wall and CPU time, and its peak resident memory (null where GNU time is missing). */
export interface ProcessRun {
  readonly stdout: string
  readonly wallMs: number
  readonly cpuMs: number | null
  readonly maxRssMb: number | null
}

const gnuTime = existsSync('/usr/bin/time') ? '/usr/bin/time' : null
const python = ['/usr/bin/python3', '/usr/local/bin/python3'].find((path) => existsSync(path)) ?? null

// GNU time prints CPU time in 10 ms steps: a third of Bun's whole `-e 0` on a quiet machine. Python's os.wait4
// gives the child's own rusage in microseconds, and its wall time from fork to exit (Python's start excluded).
const preciseRunner = `import os, sys, time
started = time.perf_counter_ns()
pid = os.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
_, status, usage = os.wait4(pid, 0)
wall = time.perf_counter_ns() - started
code = os.waitstatus_to_exitcode(status)
sys.stderr.write('\\nPRECISE %d %d %d\\n' % (wall, round((usage.ru_utime + usage.ru_stime) * 1e6), usage.ru_maxrss))
sys.exit(code if code >= 0 else 128 - code)
`

/** A process run measured to the microsecond (through Python's os.wait4), or null where there is no Python. */
export function measureProcessPrecisely(command: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): ProcessRun | null {
  if (!python) return null
  const result = spawnSync(python, ['-c', preciseRunner, command, ...args], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    timeout: 300_000,
    env: options.env,
    cwd: options.cwd,
  })
  const lines = (result.stderr ?? '').trimEnd().split('\n')
  const figures = /^PRECISE (\d+) (\d+) (\d+)$/.exec(lines.at(-1) ?? '')
  if (result.status !== 0 || !figures)
    throw new Error(`${command} ${args.join(' ')} exited ${result.status ?? result.signal}: ${lines.slice(0, -1).join('\n').slice(0, 500)}`)
  return { stdout: result.stdout, wallMs: Number(figures[1]) / 1e6, cpuMs: Number(figures[2]) / 1000, maxRssMb: (Number(figures[3]) * 1024) / 2 ** 20 }
}

/** Runs a command to completion and measures it (through GNU time where there is one). */
export function measureProcess(command: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): ProcessRun {
  const started = process.hrtime.bigint()
  const result = gnuTime
    ? spawnSync(gnuTime, ['-f', '%U %S %M', command, ...args], {
        encoding: 'utf8',
        maxBuffer: 256 * 1024 * 1024,
        timeout: 300_000,
        env: options.env,
        cwd: options.cwd,
      })
    : spawnSync(command, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, timeout: 300_000, env: options.env, cwd: options.cwd })
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6
  let stderr = result.stderr ?? ''
  let cpuMs: number | null = null
  let maxRssMb: number | null = null
  if (gnuTime) {
    const lines = stderr.trimEnd().split('\n')
    const figures = /^(\d+\.\d+) (\d+\.\d+) (\d+)$/.exec(lines.at(-1) ?? '')
    if (figures) {
      cpuMs = (Number(figures[1]) + Number(figures[2])) * 1000
      maxRssMb = (Number(figures[3]) * 1024) / 2 ** 20
      stderr = lines.slice(0, -1).join('\n')
    }
  }
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.status ?? result.signal}: ${stderr.slice(0, 500)}`)
  return { stdout: result.stdout, wallMs, cpuMs, maxRssMb }
}
