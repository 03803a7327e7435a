// One command at a time per sandbox: `up`, `down` and `start` take this lock, so two test runners or two
// terminals never format or start the same nodes twice. A lock whose holder died is taken over.

import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { SandboxError } from './errors.ts'
import { lockFile } from './layout.ts'
import { parsePid, processState } from './processes.ts'

// Calls from this same process queue here first: the file lock below then only arbitrates between processes.
const queues = new Map<string, Promise<unknown>>()

/** Runs `work` holding the sandbox's lock; waits up to waitMs for another holder to finish. */
export function withSandboxLock<T>(stateDir: string, name: string, waitMs: number, work: () => Promise<T>): Promise<T> {
  const previous = queues.get(stateDir) ?? Promise.resolve()
  const next = previous.catch(() => {}).then(() => withFileLock(stateDir, name, waitMs, work))
  queues.set(stateDir, next)
  void next
    .catch(() => {})
    .finally(() => {
      if (queues.get(stateDir) === next) queues.delete(stateDir)
    })
  return next
}

async function withFileLock<T>(stateDir: string, name: string, waitMs: number, work: () => Promise<T>): Promise<T> {
  mkdirSync(stateDir, { recursive: true })
  const file = lockFile(stateDir)
  const deadline = Date.now() + waitMs
  for (;;) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' })
      break
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
    const holder = parsePid(readFileSafe(file))
    if (holder === null || holder === process.pid || processState(holder) === 'gone') {
      rmSync(file, { force: true })
      continue
    }
    if (Date.now() >= deadline) {
      throw new SandboxError(`sandbox ${name} is busy: process ${holder} is starting or stopping it — wait for it, or stop that process`, 1)
    }
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  try {
    return await work()
  } finally {
    if (parsePid(readFileSafe(file)) === process.pid) rmSync(file, { force: true })
  }
}

function readFileSafe(file: string): string {
  try {
    return readFileSync(file, 'utf8')
  } catch {
    return ''
  }
}
