// Bringing a sandbox to ready: fetch Kafka, format new storage, start whatever is not running, and wait
// until the cluster itself says every broker is registered and unfenced and a probe topic takes an acks=all
// write. Idempotent: on a healthy sandbox it only re-checks readiness.

import { rmSync } from 'node:fs'
import type { NodeStatus, SandboxStatus } from './status.ts'
import type { SandboxConfig, SandboxNode } from './config.ts'
import { bootstrapServers, sandboxNodes } from './config.ts'
import { createCredentials, readSecrets, writeClientFiles } from './credentials.ts'
import { SandboxError } from './errors.ts'
import { findJava } from './java.ts'
import { ensureKafkaSoftware } from './jars.ts'
import type { Runtime } from './launch.ts'
import { formatNodes, lastWords, launchNode, writeNodeFiles } from './launch.ts'
import { nodePaths, processMarker } from './layout.ts'
import { brokerListeners } from './listeners.ts'
import { withSandboxLock } from './lock.ts'
import { configFromManifest, manifestMismatches, newClusterId, readManifest, writeManifest } from './manifest.ts'
import { firstBusyPort } from './ports.ts'
import type { SandboxProbe } from './probe.ts'
import { probeTopic } from './probe.ts'
import { findMarkedProcesses, processState, sendSignal, terminate } from './processes.ts'
import { attachReaper } from './reaper.ts'
import { status } from './status.ts'
import { ensureToolLogConfig } from './tools.ts'
import { supportsElr } from './versions.ts'
import { waitFor, wallClock } from '../poll/index.ts'

export interface UpOptions {
  /** A real Kafka client's answers: brokers registered / fenced, and an acks=all probe write. */
  readonly probe: SandboxProbe
  /** One line per step: downloads, format, start, registration. */
  readonly onProgress?: (line: string) => void
  /** Abort (Ctrl-C): the nodes this call started are stopped again. */
  readonly signal?: AbortSignal
  /** When set and this call starts the sandbox, a watchdog stops it once that process is gone. */
  readonly ownerPid?: number
  /** How long to wait for readiness; default 120 s. */
  readonly timeoutMs?: number
  /** Where JAVA_HOME is read; default process.env. */
  readonly env?: NodeJS.ProcessEnv
}

export interface SandboxInfo extends SandboxStatus {
  readonly clusterId: string
  /** true when this call started the controller, i.e. the sandbox was not running before. */
  readonly started: boolean
  /** Node ids this call started (brokers that were dead in a running sandbox included). */
  readonly startedNodes: readonly number[]
  readonly software: 'kafka-home' | 'cache' | 'download'
  /** From the first JVM start to ready, in milliseconds (0 when nothing had to start). */
  readonly startMs: number
  /** Formatting new storage, in milliseconds (0 when the sandbox existed). */
  readonly formatMs: number
  /** The whole call: software checks, formatting, starting and waiting until ready, in milliseconds. */
  readonly totalMs: number
}

/** Starts (or completes, or just re-checks) the sandbox and resolves once it is ready. */
export async function up(requested: SandboxConfig, options: UpOptions): Promise<SandboxInfo> {
  // A missing Java is the most common first-run problem: say so before touching anything.
  await findJava(options.env ?? process.env)
  return withSandboxLock(requested.stateDir, requested.name, options.timeoutMs ?? 120_000, () => upLocked(requested, options))
}

async function upLocked(requested: SandboxConfig, options: UpOptions): Promise<SandboxInfo> {
  const calledAt = Date.now()
  let formatMs = 0
  const progress = options.onProgress ?? (() => {})
  const signal = options.signal
  const existing = readManifest(requested.stateDir)
  if (existing) {
    const differences = manifestMismatches(existing, requested)
    if (differences.length > 0) {
      throw new SandboxError(
        `sandbox ${requested.name} already exists with other settings (${differences.join(', ')}) — run \`runbook sandbox down --name ${requested.name} --wipe\` to replace it, or use another --name`,
        2,
      )
    }
  }
  const config = existing ? configFromManifest(requested, existing) : requested
  const [java, software] = await Promise.all([
    findJava(options.env ?? process.env),
    ensureKafkaSoftware(config, { onProgress: progress, ...(signal ? { signal } : {}) }),
  ])
  const runtime: Runtime = { java, software }
  const toolConfig = ensureToolLogConfig(config, software.logging)
  const nodes = sandboxNodes(config)
  let manifest = existing

  if (!manifest) {
    await clearHalfCreated(config)
    await refuseBusyPorts(config, nodes)
    if (config.security !== 'plaintext') {
      progress(`making a CA, certificates and ${config.security === 'sasl_ssl' ? 'SASL users' : 'client certificates'} (${config.security})`)
      await createCredentials(config, java, options.env ?? process.env)
    }
    const clusterId = newClusterId()
    for (const node of nodes) writeNodeFiles(config, node, software.logging)
    progress(`formatting ${nodes.length} nodes (Kafka ${config.kafkaVersion}${supportsElr(config.kafkaVersion) ? `, ELR ${config.elr ? 'on' : 'off'}` : ''})`)
    const formatStarted = Date.now()
    try {
      await formatNodes(config, nodes, runtime, clusterId, toolConfig)
      formatMs = Date.now() - formatStarted
    } catch (error) {
      // Ctrl-C reaches the formatting JVMs too; the next `up` starts the format over.
      if (signal?.aborted) throw new SandboxError('interrupted while formatting; nothing is running — run `up` again to start over', 130)
      throw error
    }
    manifest = {
      name: config.name,
      kafkaVersion: config.kafkaVersion,
      brokers: config.brokers,
      basePort: config.basePort,
      elr: config.elr,
      security: config.security,
      oauthJwksUrl: config.oauthJwksUrl,
      clusterId,
      createdAt: new Date().toISOString(),
    }
    writeManifest(config.stateDir, manifest)
  }
  const secrets = config.security === 'plaintext' ? null : readSecrets(config.stateDir)
  if (secrets) writeClientFiles(config, secrets)

  const before = status(config)
  for (const node of before.nodes) if (node.state === 'paused' && node.pid !== null) sendSignal(node.pid, 'SIGCONT')
  const dead = before.nodes.filter((node) => node.state === 'dead')
  if (dead.length > 0) await refuseBusyPorts(config, dead)

  const launched: { node: SandboxNode; pid: number }[] = []
  const startedAt = Date.now()
  try {
    if (dead.length > 0) progress(`starting ${describeNodes(dead)}`)
    for (const node of dead) launched.push({ node, pid: launchNode(config, node, runtime) })
    const startedController = launched.some(({ node }) => node.role === 'controller')
    if (options.ownerPid !== undefined && startedController) {
      attachReaper(
        config.stateDir,
        options.ownerPid,
        nodes.filter((node) => node.role === 'broker').map((node) => node.id),
        nodes.find((node) => node.role === 'controller')!.id,
      )
    }
    await waitUntilReady(config, options, launched, progress)
    const after = status(config)
    const startMs = launched.length > 0 ? Date.now() - startedAt : 0
    const totalMs = Date.now() - calledAt
    const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`
    if (launched.length > 0)
      progress(
        `sandbox ${config.name} ready at ${after.bootstrap} in ${seconds(totalMs)} (${formatMs ? `formatting ${seconds(formatMs)}, ` : ''}first start to ready ${seconds(startMs)})`,
      )
    return {
      ...after,
      clusterId: manifest.clusterId,
      started: startedController,
      startedNodes: launched.map(({ node }) => node.id),
      software: software.source,
      startMs,
      formatMs,
      totalMs,
    }
  } catch (error) {
    await stopLaunched(launched)
    if (signal?.aborted) throw new SandboxError(`interrupted; stopped the ${launched.length} node(s) this command had started`, 130)
    throw error
  }
}

/** Polls the cluster through the probe until every broker is registered, unfenced, and takes an acks=all write. */
async function waitUntilReady(
  config: SandboxConfig,
  options: UpOptions,
  launched: readonly { node: SandboxNode; pid: number }[],
  progress: (line: string) => void,
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 120_000
  const bootstrap = bootstrapServers(config)
  const brokerIds = sandboxNodes(config)
    .filter((node) => node.role === 'broker')
    .map((node) => node.id)
  let lastReported = -1
  let registered = 'no broker answered yet'
  const ready = await waitFor(
    async () => {
      for (const { node, pid } of launched) {
        if (processState(pid) === 'gone') {
          throw new SandboxError(
            `${node.role} ${node.id} exited while starting: ${lastWords(config, node.id)} — see ${nodePaths(config.stateDir, node.id).serverLog}`,
          )
        }
      }
      const view = await options.probe.readCluster(bootstrap, { timeoutMs: 3000 })
      const unfenced = view.brokers.filter((broker) => !broker.fenced && brokerIds.includes(broker.id)).length
      if (unfenced !== lastReported && launched.length > 0) {
        progress(`brokers registered and unfenced: ${unfenced}/${brokerIds.length}`)
        lastReported = unfenced
      }
      registered = `${unfenced}/${brokerIds.length} brokers registered and unfenced`
      if (unfenced < brokerIds.length) return false
      await options.probe.writeProbeRecords(bootstrap, {
        topic: probeTopic,
        partitions: brokerIds.length,
        replicationFactor: Math.min(3, brokerIds.length),
        timeoutMs: 5000,
      })
      return true
    },
    wallClock,
    {
      timeoutMs,
      ...(options.signal ? { signal: options.signal } : {}),
      fatal: (error) => error instanceof SandboxError,
      seen: () => registered,
    },
  )
  if (!ready.held) {
    throw new SandboxError(
      `sandbox ${config.name} not ready after ${Math.round(timeoutMs / 1000)} s (${ready.lastSeen}) — see the logs with \`runbook sandbox logs <node> --name ${config.name}\``,
    )
  }
}

/** Stops nodes this call started after a failure: brokers first, then the controller. */
async function stopLaunched(launched: readonly { node: SandboxNode; pid: number }[]): Promise<void> {
  const brokers = launched.filter(({ node }) => node.role === 'broker')
  await Promise.all(brokers.map(({ pid }) => terminate(pid, 10_000)))
  await Promise.all(launched.filter(({ node }) => node.role === 'controller').map(({ pid }) => terminate(pid, 10_000)))
}

/** Before a first format: stop leftovers of an attempt that died before writing sandbox.json, and clear their files. */
async function clearHalfCreated(config: SandboxConfig): Promise<void> {
  const leftovers = findMarkedProcesses(processMarker(config.stateDir))
  await Promise.all(leftovers.map((pid) => terminate(pid, 5000)))
  for (const node of sandboxNodes(config)) rmSync(nodePaths(config.stateDir, node.id).dir, { recursive: true, force: true })
}

async function refuseBusyPorts(config: SandboxConfig, nodes: readonly SandboxNode[]): Promise<void> {
  // A broker listens on its PLAINTEXT port and on each secured listener's.
  const ports = nodes.flatMap((node) =>
    (node.role === 'controller' ? [node.port] : brokerListeners(config, node.id).map((listener) => listener.port)).map((port) => ({ node, port })),
  )
  const busy = await firstBusyPort(ports.map(({ port }) => port))
  if (busy === null) return
  const { node } = ports.find((candidate) => candidate.port === busy)!
  const top = Math.max(...ports.map(({ port }) => port))
  throw new SandboxError(
    `port ${busy} (${node.role} ${node.id}) is already in use on 127.0.0.1 — pick another base port with --port (or RUNBOOK_SANDBOX_PORT); sandbox ${config.name} uses ${config.basePort}-${top}`,
    2,
  )
}

function describeNodes(nodes: readonly NodeStatus[]): string {
  const controller = nodes.filter((node) => node.role === 'controller').map((node) => `controller ${node.id}`)
  const brokers = nodes.filter((node) => node.role === 'broker').map((node) => node.id)
  return [...controller, ...(brokers.length ? [`broker${brokers.length > 1 ? 's' : ''} ${brokers.join(', ')}`] : [])].join(' and ')
}
