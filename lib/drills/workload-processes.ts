// Starts the drill workloads (lib/drills/workloads/) as child processes so they can be SIGKILLed like a real
// service, talks to them over IPC, and stops every one of them on exit, Ctrl-C or a crash of the drill.
//
// From dist/ the compiled .js next to this module is spawned. From TypeScript sources (vitest, a checkout run
// through a TS runtime) the .ts is spawned with ts-loader/register.mjs, which compiles it with the project's
// own TypeScript: Node 20 cannot run .ts, and this avoids another dependency — unless RUNBOOK_DRILL_WORKLOADS_DIR
// names compiled workloads built from the same sources (the integration tests' dist/).

import { type ChildProcess, spawn } from 'node:child_process'
import { closeSync, existsSync, openSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { WorkloadConfig, WorkloadControl, WorkloadMessage } from './workloads/protocol.ts'

export interface WorkloadExit {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
}

export interface Workload {
  readonly name: string
  readonly pid: number
  readonly logFile: string
  readonly exited: Promise<WorkloadExit>
  isRunning(): boolean
  /** The last message of this type the workload sent. */
  last<K extends WorkloadMessage['type']>(type: K): Extract<WorkloadMessage, { type: K }> | undefined
  /** Resolves with the first message (from now on) that satisfies `accept`; rejects after timeoutMs or if the workload exits. */
  waitFor<K extends WorkloadMessage['type']>(
    type: K,
    accept: (message: Extract<WorkloadMessage, { type: K }>) => boolean,
    timeoutMs: number,
    what: string,
  ): Promise<Extract<WorkloadMessage, { type: K }>>
  /** SIGKILL now: the process gets no chance to clean up (an OOM kill). */
  kill(): void
  /**
   * A producer stops sending until `resume()`; resolves once its last send resolved (nothing of it is in flight).
   * Unlike SIGSTOP, which leaves a request already sent to be appended whenever the broker gets to it.
   */
  pause(timeoutMs: number): Promise<void>
  /** Sends again after `pause()`. */
  resume(): void
  /** SIGUSR2: a request the workload defines (a transactional producer leaves its next transaction open; a consumer stalls at its next commit). */
  nudge(): void
  /** SIGTERM (a clean stop), then SIGKILL if it has not exited within timeoutMs. */
  stop(timeoutMs?: number): Promise<WorkloadExit>
}

/**
 * Compiled workloads a TypeScript run may spawn instead of the sources: the integration tests build dist/ from
 * the same checkout before any test runs and name its workloads folder here. Under load, a workload started
 * through the TypeScript loader took 18–37 s to reach its first line (3 s of CPU), the compiled one 1.5 s.
 */
export const compiledWorkloadsVariable = 'RUNBOOK_DRILL_WORKLOADS_DIR'

export function workloadEntry(kind: WorkloadConfig['kind'], env: NodeJS.ProcessEnv = process.env): { file: string; execArgv: string[] } {
  const here = import.meta.url
  if (!here.endsWith('.ts')) return { file: fileURLToPath(new URL(`./workloads/${kind}.js`, here)), execArgv: [] }
  const compiled = env[compiledWorkloadsVariable]
  if (compiled) {
    const file = join(compiled, `${kind}.js`)
    if (!existsSync(file))
      throw new Error(`drill: ${compiledWorkloadsVariable} names ${compiled}, which has no ${kind}.js — build it (npm run build) or unset the variable`)
    return { file, execArgv: [] }
  }
  return { file: fileURLToPath(new URL(`./workloads/${kind}.ts`, here)), execArgv: ['--import', fileURLToPath(new URL('./ts-loader/register.mjs', here))] }
}

/** Every workload one drill started; `stopAll()` (or the process exiting) ends them all. */
export class WorkloadProcesses {
  readonly #logDir: string
  readonly #children = new Set<ChildProcess>()
  #closed = false
  readonly #onExit = () => {
    for (const child of this.#children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  }

  constructor(logDir: string) {
    this.#logDir = logDir
    process.on('exit', this.#onExit)
  }

  /** True once stopAll() began: nothing starts any more (an orchestrator's restart loop ends on it). */
  get closed(): boolean {
    return this.#closed
  }

  /** Spawns a workload and resolves once it says it is ready (connected, joined); one that is not is killed. */
  async start(name: string, config: WorkloadConfig, readyTimeoutMs = 60_000): Promise<Workload> {
    const workload = this.spawn(name, config)
    try {
      await workload.waitFor('ready', () => true, readyTimeoutMs, 'it to be ready')
    } catch (error) {
      workload.kill()
      throw error
    }
    return workload
  }

  /** Spawns a workload and returns at once, before it is ready: a caller that may stop it while it starts. */
  spawn(name: string, config: WorkloadConfig): Workload {
    if (this.#closed) throw new Error(`${name}: not started, the drill's workloads are being stopped`)
    const { file, execArgv } = workloadEntry(config.kind)
    const logFile = join(this.#logDir, `${name}.log`)
    const logFd = openSync(logFile, 'a')
    const child = spawn(process.execPath, [...execArgv, file, JSON.stringify(config)], { stdio: ['ignore', logFd, logFd, 'ipc'] })
    closeSync(logFd)
    this.#children.add(child)
    const last = new Map<string, WorkloadMessage>()
    const listeners = new Set<(m: WorkloadMessage) => void>()
    child.on('message', (message: WorkloadMessage) => {
      last.set(message.type, message)
      for (const listener of [...listeners]) listener(message)
    })
    const exited = new Promise<WorkloadExit>((resolve) => {
      child.once('exit', (code, signal) => {
        this.#children.delete(child)
        resolve({ code, signal })
      })
      child.once('error', () => resolve({ code: null, signal: null }))
    })
    const isRunning = () => child.exitCode === null && child.signalCode === null
    const workload: Workload = {
      name,
      pid: child.pid ?? -1,
      logFile,
      exited,
      isRunning,
      last: (type) => last.get(type) as never,
      waitFor(type, accept, timeoutMs, what) {
        return new Promise((resolve, reject) => {
          const timer = setTimeout(
            () => finish(new Error(`${name}: timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what} — see ${logFile}`)),
            timeoutMs,
          )
          const listener = (message: WorkloadMessage) => {
            if (message.type === 'failed') finish(new Error(`${name} failed: ${message.error} — see ${logFile}`))
            else if (message.type === type && accept(message as never)) finish(null, message)
          }
          const finish = (error: Error | null, message?: WorkloadMessage) => {
            clearTimeout(timer)
            listeners.delete(listener)
            if (error) reject(error)
            else resolve(message as never)
          }
          listeners.add(listener)
          void exited.then((exit) => finish(new Error(`${name} exited (${exit.signal ?? `code ${exit.code}`}) while waiting for ${what} — see ${logFile}`)))
        })
      },
      kill() {
        if (isRunning()) child.kill('SIGKILL')
      },
      async pause(timeoutMs) {
        const paused = workload.waitFor('paused', () => true, timeoutMs, 'its last send to resolve')
        child.send({ type: 'pause' } satisfies WorkloadControl)
        await paused
      },
      resume() {
        if (isRunning()) child.send({ type: 'resume' } satisfies WorkloadControl)
      },
      nudge() {
        if (isRunning()) child.kill('SIGUSR2')
      },
      async stop(timeoutMs = 20_000) {
        if (!isRunning()) return exited
        child.kill('SIGTERM')
        const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
        const exit = await exited
        clearTimeout(timer)
        return exit
      },
    }
    return workload
  }

  /** Stops every workload still running (SIGTERM, then SIGKILL), all at once. */
  async stopAll(timeoutMs = 20_000): Promise<void> {
    this.#closed = true
    await Promise.all(
      [...this.#children].map(async (child) => {
        if (child.exitCode !== null || child.signalCode !== null) return
        const exited = new Promise((resolve) => child.once('exit', resolve))
        child.kill('SIGTERM')
        const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
        await exited
        clearTimeout(timer)
      }),
    )
    process.off('exit', this.#onExit)
  }
}
