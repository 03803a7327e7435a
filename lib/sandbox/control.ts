// Faults on one node, the way drills and tests inject them: kill (SIGKILL), stop (SIGTERM, a controlled
// shutdown), pause / resume (SIGSTOP / SIGCONT), and start (restart a dead node on its own data).

import type { SandboxConfig } from './config.ts'
import { bootstrapServers, sandboxNodes } from './config.ts'
import { SandboxError } from './errors.ts'
import { findJava } from './java.ts'
import { ensureKafkaSoftware } from './jars.ts'
import { lastWords, launchNode } from './launch.ts'
import { nodePaths } from './layout.ts'
import { withSandboxLock } from './lock.ts'
import { configFromManifest, readManifest } from './manifest.ts'
import { firstBusyPort } from './ports.ts'
import type { SandboxProbe } from './probe.ts'
import { processState, sendSignal, terminate, waitForExit } from './processes.ts'
import type { NodeStatus } from './status.ts'
import { nodeStatus } from './status.ts'

export type NodeAction = 'kill' | 'stop' | 'pause' | 'resume' | 'start'

export const nodeActions: readonly NodeAction[] = ['kill', 'stop', 'pause', 'resume', 'start']

export interface ControlOptions {
  /** With a probe, `start` of a broker waits until the cluster reports it registered and unfenced. */
  readonly probe?: SandboxProbe
  /** Bound for stop's controlled shutdown (then SIGKILL) and for start's wait; default 30 s. */
  readonly timeoutMs?: number
  readonly env?: NodeJS.ProcessEnv
  readonly signal?: AbortSignal
}

/** Applies `action` to node `nodeId` (a broker id, or the controller's id) and returns the node's new status. */
export async function control(requested: SandboxConfig, nodeId: number, action: NodeAction, options: ControlOptions = {}): Promise<NodeStatus> {
  const manifest = readManifest(requested.stateDir)
  if (!manifest) throw new SandboxError(`sandbox ${requested.name} does not exist — start it with \`runbook sandbox up --name ${requested.name}\``, 2)
  const config = configFromManifest(requested, manifest)
  const node = sandboxNodes(config).find((candidate) => candidate.id === nodeId)
  if (!node) {
    throw new SandboxError(
      `sandbox ${config.name} has no node ${nodeId} — its nodes are controller ${sandboxNodes(config)[0]!.id} and brokers 1-${config.brokers}`,
      2,
    )
  }
  const timeoutMs = options.timeoutMs ?? 30_000
  const current = nodeStatus(config, node)
  const label = `${node.role} ${node.id}`

  if (action === 'start') return startNode(config, current, options, timeoutMs)
  if (current.pid === null) {
    throw new SandboxError(`${label} is not running — \`start\` it first`, 2)
  }
  const pid = current.pid
  switch (action) {
    case 'kill':
      sendSignal(pid, 'SIGKILL')
      if (!(await waitForExit(pid, 10_000))) throw new SandboxError(`${label} (pid ${pid}) survived SIGKILL for 10 s — check the machine`)
      break
    case 'stop':
      await terminate(pid, timeoutMs)
      break
    case 'pause':
      sendSignal(pid, 'SIGSTOP')
      await waitForState(pid, 'paused', 5000)
      break
    case 'resume':
      sendSignal(pid, 'SIGCONT')
      await waitForState(pid, 'running', 5000)
      break
  }
  return nodeStatus(config, node)
}

async function startNode(config: SandboxConfig, current: NodeStatus, options: ControlOptions, timeoutMs: number): Promise<NodeStatus> {
  if (current.state === 'up') return current
  if (current.state === 'paused') throw new SandboxError(`${current.role} ${current.id} is paused, not stopped — \`resume\` it instead`, 2)
  const started = await withSandboxLock(config.stateDir, config.name, timeoutMs, async () => {
    const again = nodeStatus(config, current)
    if (again.state !== 'dead') return null
    if ((await firstBusyPort([current.port])) !== null) {
      throw new SandboxError(`port ${current.port} of ${current.role} ${current.id} is taken by another process — free it, then start the node again`, 2)
    }
    const [java, software] = await Promise.all([findJava(options.env ?? process.env), ensureKafkaSoftware(config)])
    return launchNode(config, current, { java, software })
  })
  if (started !== null) await waitForNode(config, current, started, options, timeoutMs)
  return nodeStatus(config, current)
}

/** After a start: the process must survive, and (with a probe) a broker must register unfenced. */
async function waitForNode(config: SandboxConfig, node: NodeStatus, pid: number, options: ControlOptions, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    options.signal?.throwIfAborted()
    if (processState(pid) === 'gone') {
      throw new SandboxError(
        `${node.role} ${node.id} exited while starting: ${lastWords(config, node.id)} — see ${nodePaths(config.stateDir, node.id).serverLog}`,
      )
    }
    if (!options.probe || node.role === 'controller') return
    const view = await options.probe.readCluster(bootstrapServers(config), { timeoutMs: 3000 }).catch(() => null)
    if (view?.brokers.some((broker) => broker.id === node.id && !broker.fenced)) return
    if (Date.now() >= deadline) {
      throw new SandboxError(
        `broker ${node.id} started but is not registered and unfenced after ${Math.round(timeoutMs / 1000)} s — see ${nodePaths(config.stateDir, node.id).serverLog}`,
      )
    }
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

async function waitForState(pid: number, wanted: 'paused' | 'running', timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (processState(pid) !== wanted && processState(pid) !== 'gone' && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}
