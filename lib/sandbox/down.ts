// Stopping a sandbox: brokers first with SIGTERM (a controlled shutdown needs the controller), then the
// controller, SIGKILL for anything that outlives its grace period. Works from pid files alone, so it also
// cleans up after a CLI or test runner that was killed; on Linux it also finds marked JVMs without pid files.

import { existsSync, readdirSync, rmSync } from 'node:fs'
import type { SandboxConfig } from './config.ts'
import { controllerNodeId, sandboxNodes } from './config.ts'
import { manifestFile, nodePaths, processMarker } from './layout.ts'
import { withSandboxLock } from './lock.ts'
import { configFromManifest, readManifest } from './manifest.ts'
import { commandLine, findMarkedProcesses, terminate } from './processes.ts'
import { detachReaper } from './reaper.ts'
import { ownedNodePid } from './status.ts'

export interface DownOptions {
  /** Also delete the sandbox's data, configs and logs. */
  readonly wipe?: boolean
  /** Grace for a broker's controlled shutdown before SIGKILL. */
  readonly brokerGraceMs?: number
}

export interface StoppedNode {
  readonly id: number
  readonly pid: number
  /** exited: it shut down on SIGTERM; killed: it needed SIGKILL. */
  readonly how: 'exited' | 'killed'
}

export interface DownResult {
  readonly stopped: readonly StoppedNode[]
  readonly wiped: boolean
}

/** Stops every process of the sandbox (and with `wipe` deletes its state directory). Safe to call when nothing runs. */
export async function down(config: SandboxConfig, options: DownOptions = {}): Promise<DownResult> {
  // Nothing was ever created here: do not create the folder just to take a lock in it.
  if (!existsSync(config.stateDir) && findMarkedProcesses(processMarker(config.stateDir)).length === 0) return { stopped: [], wiped: options.wipe === true }
  return withSandboxLock(config.stateDir, config.name, 60_000, async () => {
    // The watchdog stays attached until every node is stopped: if this process dies half-way (a test runner
    // ending its worker while the brokers shut down), the watchdog stops the rest, controller included.
    const manifest = readManifest(config.stateDir)
    const effective = manifest ? configFromManifest(config, manifest) : config
    const pids = new Map<number, number>()
    for (const node of sandboxNodes(effective)) {
      const pid = ownedNodePid(config.stateDir, node.id)
      if (pid !== null) pids.set(pid, node.id)
    }
    // JVMs whose pid file was lost (a crash between spawn and write) still carry the sandbox marker.
    for (const pid of findMarkedProcesses(processMarker(config.stateDir))) {
      if (pids.has(pid)) continue
      const nodeArg = commandLine(pid)?.find((arg) => arg.startsWith('-Drunbook.node='))
      pids.set(pid, nodeArg ? Number(nodeArg.slice('-Drunbook.node='.length)) : -1)
    }
    const brokers = [...pids].filter(([, id]) => id !== controllerNodeId && id !== -1)
    const others = [...pids].filter(([, id]) => id === controllerNodeId || id === -1)
    const stopped: StoppedNode[] = []
    const stopAll = async (group: [number, number][], graceMs: number) => {
      const outcomes = await Promise.all(group.map(async ([pid, id]) => ({ id, pid, how: await terminate(pid, graceMs) })))
      stopped.push(...outcomes)
    }
    await stopAll(brokers, options.brokerGraceMs ?? 20_000)
    await stopAll(others, 10_000)
    detachReaper(config.stateDir)
    for (const node of sandboxNodes(effective)) rmSync(nodePaths(config.stateDir, node.id).pidFile, { force: true })
    if (options.wipe) wipeStateDir(config.stateDir)
    return { stopped, wiped: options.wipe === true }
  })
}

// Refuses to delete a folder that does not look like a sandbox, so a mistyped --state-dir cannot wipe a home directory.
function wipeStateDir(stateDir: string): void {
  const ours = new Set(['sandbox.json', 'lock', 'reaper.pid', 'tools-logging.properties'])
  const entries = readdirSync(stateDir)
  const looksLikeSandbox =
    [manifestFile(stateDir), nodePaths(stateDir, controllerNodeId).dir, nodePaths(stateDir, 1).dir].some((path) => existsSync(path)) ||
    entries.every((entry) => ours.has(entry))
  if (looksLikeSandbox) rmSync(stateDir, { recursive: true, force: true })
}
