// The orchestrator a crash-looping service lives under: it keeps `replicas` instances of a workload running and
// starts a new one `restartMs` after any exits — the way Kubernetes restarts a pod that keeps dying. Its desired
// replica count is a file (the drill's `kubectl scale`): `echo 0 > <file>` stops every instance and keeps them
// stopped, `echo 1 > <file>` starts one again. Every crash the service reports is kept, with where it happened.

import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import type { Workload, WorkloadProcesses } from './workload-processes.ts'
import type { WorkloadConfig } from './workloads/protocol.ts'

/** One instance that died: when, which start it was, and the record it died on (when it said). */
export interface Crash {
  readonly atMs: number
  readonly instance: number
  readonly partition: number | null
  readonly offset: bigint | null
  readonly error: string
}

export interface RestartLoopOptions {
  /** Log names: `<name>-<instance>.log`. */
  readonly name: string
  readonly replicas: number
  readonly replicasFile: string
  readonly restartMs: number
  /** The configuration of the `instance`-th start (1, 2, …). */
  readonly config: (instance: number) => WorkloadConfig
  /** A start that is not ready within this long counts as a crash. */
  readonly readyTimeoutMs?: number
  readonly log?: (line: string) => void
}

export interface RestartLoop {
  readonly replicasFile: string
  /** The shell command that scales the service to `replicas` instances. */
  scaleCommand(replicas: number): string
  /** What the scale command does, from the drill itself. */
  scale(replicas: number): void
  crashes(): readonly Crash[]
  /** Instances started so far. */
  starts(): number
  /** Instances running now. */
  running(): readonly Workload[]
  /** Ends the loop and stops every instance (SIGTERM, then SIGKILL). */
  stop(): Promise<void>
}

const tickMs = 200

function desiredReplicas(file: string, fallback: number): number {
  if (!existsSync(file)) return fallback
  const n = Number.parseInt(readFileSync(file, 'utf8').trim(), 10)
  return Number.isInteger(n) && n >= 0 ? n : fallback
}

/** Starts the loop: `replicas` instances now, each restarted after it exits, until stop(). */
export function startRestartLoop(workloads: WorkloadProcesses, options: RestartLoopOptions): RestartLoop {
  writeFileSync(options.replicasFile, `${options.replicas}\n`)
  const instances: Workload[] = []
  const crashes: Crash[] = []
  // Instances the orchestrator stopped (scaled down, or the loop's end): their exit is no crash.
  const stoppedByUs = new Set<Workload>()
  let started = 0
  let lastExitMs = 0
  let stopping = false

  const watch = (workload: Workload, instance: number) => {
    let ready = false
    // Not ready in time, or died first: a crash (a hung start is killed), unless the orchestrator stopped it.
    workload
      .waitFor('ready', () => true, options.readyTimeoutMs ?? 60_000, 'it to be ready')
      .then(
        () => void (ready = true),
        (error: Error) => {
          workload.kill()
          if (!stopping && !stoppedByUs.has(workload)) crashes.push({ atMs: Date.now(), instance, partition: null, offset: null, error: error.message })
        },
      )
    void workload.exited.then((exit) => {
      lastExitMs = Date.now()
      if (!ready || stoppedByUs.has(workload)) return
      const said = workload.last('crashed')
      if (said) crashes.push({ atMs: lastExitMs, instance, partition: said.partition, offset: BigInt(said.offset), error: said.error })
      else if (exit.code !== 0 && !stopping)
        crashes.push({ atMs: lastExitMs, instance, partition: null, offset: null, error: `exited (${exit.signal ?? `code ${exit.code}`})` })
    })
  }

  const stopInstances = (which: readonly Workload[]) => {
    for (const w of which) stoppedByUs.add(w)
    return Promise.all(which.map((w) => w.stop()))
  }

  const loop = (async () => {
    // Ends with stop(), or when the drill stops every workload (a failure or Ctrl-C anywhere in the drill).
    while (!stopping && !workloads.closed) {
      const desired = desiredReplicas(options.replicasFile, options.replicas)
      // Starting instances count: scaling down stops one that is not ready yet too, as an orchestrator deletes a
      // pod still starting — else it would join the group just after the operator saw it Empty.
      const alive = instances.filter((w) => w.isRunning())
      if (alive.length > desired) {
        options.log?.(`orchestrator: scaling ${options.name} to ${desired}`)
        await stopInstances(alive.slice(desired))
      } else if (alive.length < desired && Date.now() - lastExitMs >= options.restartMs) {
        const instance = ++started
        try {
          const workload = workloads.spawn(`${options.name}-${instance}`, options.config(instance))
          instances.push(workload)
          watch(workload, instance)
        } catch (error) {
          lastExitMs = Date.now()
          if (!stopping) crashes.push({ atMs: lastExitMs, instance, partition: null, offset: null, error: (error as Error).message })
        }
        continue
      }
      await new Promise((resolve) => setTimeout(resolve, tickMs))
    }
  })()

  return {
    replicasFile: options.replicasFile,
    scaleCommand: (replicas) => `echo ${replicas} > ${options.replicasFile}`,
    scale: (replicas) => writeFileSync(options.replicasFile, `${replicas}\n`),
    crashes: () => [...crashes],
    starts: () => started,
    running: () => instances.filter((w) => w.isRunning()),
    async stop() {
      stopping = true
      await loop
      await stopInstances(instances.filter((w) => w.isRunning()))
    },
  }
}
