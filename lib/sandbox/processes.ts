// What the operating system says about a sandbox process: alive, paused (SIGSTOP) or gone, and whether a
// pid from a pid file still belongs to us. Linux reads /proc; elsewhere `ps` answers the same questions.

import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'

export type ProcessState = 'running' | 'paused' | 'gone'

/** The pid stored in a pid file, or null when the file is missing or not a pid. */
export function readPidFile(file: string): number | null {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch {
    return null
  }
  return parsePid(text)
}

export function parsePid(text: string): number | null {
  const trimmed = text.trim()
  if (!/^\d{1,10}$/.test(trimmed)) return null
  const pid = Number(trimmed)
  return pid > 1 ? pid : null
}

/** Running, paused (stopped by a signal) or gone (no such process, or a zombie nobody reaped yet). */
export function processState(pid: number): ProcessState {
  const procStat = readProc(pid, 'stat')
  if (procStat !== null) return stateFromStatLine(procStat)
  if (process.platform === 'linux') return 'gone'
  const ps = psLine(pid)
  if (!ps) return 'gone'
  const code = ps.stat[0]
  return code === 'Z' ? 'gone' : code === 'T' ? 'paused' : 'running'
}

/** The state letter of /proc/<pid>/stat (after the parenthesised command name, which may hold spaces). */
export function stateFromStatLine(line: string): ProcessState {
  const code = line.slice(line.lastIndexOf(')') + 2)[0]
  if (code === 'Z' || code === 'X' || code === undefined) return 'gone'
  if (code === 'T' || code === 't') return 'paused'
  return 'running'
}

/** The process start time in clock ticks since boot (Linux), used to tell a pid from its reuse; null elsewhere. */
export function processStartTicks(pid: number): string | null {
  const procStat = readProc(pid, 'stat')
  if (procStat === null) return null
  return procStat.slice(procStat.lastIndexOf(')') + 2).split(' ')[19] ?? null
}

/** The argument vector of a live process, or null. */
export function commandLine(pid: number): string[] | null {
  const raw = readProc(pid, 'cmdline')
  if (raw !== null) return raw.split('\0').filter((arg) => arg !== '')
  if (process.platform === 'linux') return null
  const ps = psLine(pid)
  return ps ? ps.args.split(' ') : null
}

/** True when `pid` is alive and its command line carries every marker (so a reused pid is never ours). */
export function isMarkedProcess(pid: number, markers: readonly string[]): boolean {
  if (processState(pid) === 'gone') return false
  const args = commandLine(pid)
  return args !== null && markers.every((marker) => args.includes(marker))
}

/** Sends a signal; false when the process no longer exists. */
export function sendSignal(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(pid, signal)
    return true
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false
    throw error
  }
}

/** Waits until the process is gone; false if it is still there after timeoutMs. */
export async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (processState(pid) === 'gone') return true
    if (Date.now() >= deadline) return false
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** SIGTERM (after SIGCONT, so a paused JVM can act on it), then SIGKILL if it has not exited within graceMs. */
export async function terminate(pid: number, graceMs: number): Promise<'exited' | 'killed'> {
  sendSignal(pid, 'SIGTERM')
  sendSignal(pid, 'SIGCONT')
  if (await waitForExit(pid, graceMs)) return 'exited'
  sendSignal(pid, 'SIGKILL')
  await waitForExit(pid, 10_000)
  return 'killed'
}

function readProc(pid: number, file: string): string | null {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8')
  } catch {
    return null
  }
}

function psLine(pid: number): { stat: string; args: string } | null {
  try {
    const line = execFileSync('ps', ['-o', 'stat=', '-o', 'args=', '-p', String(pid)], { encoding: 'utf8' }).trim()
    const space = line.indexOf(' ')
    return line ? { stat: line.slice(0, space), args: line.slice(space + 1).trim() } : null
  } catch {
    return null
  }
}

/** Every live process whose command line carries `marker` (Linux only; elsewhere an empty list). */
export function findMarkedProcesses(marker: string): number[] {
  let entries: string[]
  try {
    entries = readdirSync('/proc')
  } catch {
    return []
  }
  const found: number[] = []
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue
    const pid = Number(entry)
    if (pid !== process.pid && isMarkedProcess(pid, [marker])) found.push(pid)
  }
  return found
}
