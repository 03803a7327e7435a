// What is running for a sandbox, from its pid files checked against the live process table.

import type { SandboxConfig, SandboxNode } from './config.ts'
import { bootstrapServers, sandboxNodes } from './config.ts'
import { listClientFiles } from './credentials.ts'
import { type ListenerName, listenerBootstrap, listenerNames, type SandboxSecurity } from './listeners.ts'
import { nodeMarker, nodePaths, processMarker, reaperPidFile } from './layout.ts'
import type { SandboxManifest } from './manifest.ts'
import { configFromManifest, readManifest } from './manifest.ts'
import { isMarkedProcess, processState, readPidFile } from './processes.ts'

/** up: alive; paused: stopped by SIGSTOP (`pause`); dead: not running (killed, stopped, never started). */
export type NodeState = 'up' | 'paused' | 'dead'

export interface NodeStatus extends SandboxNode {
  /** The live process of this node, or null when it is dead (a stale pid file does not count). */
  readonly pid: number | null
  readonly state: NodeState
  readonly serverLog: string
}

export interface SandboxStatus {
  readonly name: string
  readonly stateDir: string
  /** false when the sandbox was never created here (or was wiped). */
  readonly created: boolean
  readonly kafkaVersion: string
  readonly elr: boolean
  readonly clusterId: string | null
  /** The PLAINTEXT listeners: what the sandbox's own probe, drills' workloads and `runbook` without flags use. */
  readonly bootstrap: string
  readonly security: SandboxSecurity
  /** Bootstrap servers of every listener the brokers have (PLAINTEXT always; SASL_SSL, SSL, OAUTH when secured). */
  readonly listeners: Readonly<Partial<Record<ListenerName, string>>>
  /** The client.properties files of a secured sandbox, one per way in. */
  readonly clientFiles: readonly { readonly file: string; readonly path: string; readonly summary: string; readonly listener: ListenerName }[]
  readonly nodes: readonly NodeStatus[]
  /** The watchdog that stops this sandbox when its owner process dies, if one is attached. */
  readonly reaperPid: number | null
}

/** Each node's state from its pid file and the process table; no Kafka client involved. */
export function status(config: SandboxConfig): SandboxStatus {
  const manifest = readManifest(config.stateDir)
  const effective = manifest ? configFromManifest(config, manifest) : config
  const nodes = sandboxNodes(effective).map((node) => nodeStatus(effective, node))
  const reaper = readPidFile(reaperPidFile(config.stateDir))
  return {
    name: config.name,
    stateDir: config.stateDir,
    created: manifest !== null,
    kafkaVersion: effective.kafkaVersion,
    elr: effective.elr,
    clusterId: (manifest as SandboxManifest | null)?.clusterId ?? null,
    bootstrap: bootstrapServers(effective),
    security: effective.security,
    listeners: Object.fromEntries(listenerNames(effective).map((name) => [name, listenerBootstrap(effective, name)])),
    clientFiles: manifest ? listClientFiles(effective).map(({ file, path, summary, listener }) => ({ file, path, summary, listener })) : [],
    nodes,
    reaperPid: reaper !== null && isReaper(reaper, config.stateDir) ? reaper : null,
  }
}

export function nodeStatus(config: SandboxConfig, node: SandboxNode): NodeStatus {
  const paths = nodePaths(config.stateDir, node.id)
  const pid = ownedNodePid(config.stateDir, node.id)
  const state = pid === null ? 'dead' : processState(pid) === 'paused' ? 'paused' : 'up'
  return { ...node, pid, state, serverLog: paths.serverLog }
}

/** The pid in a node's pid file if that process is alive and really this sandbox's node; null for a stale file. */
export function ownedNodePid(stateDir: string, nodeId: number): number | null {
  const pid = readPidFile(nodePaths(stateDir, nodeId).pidFile)
  return pid !== null && isMarkedProcess(pid, [processMarker(stateDir), nodeMarker(nodeId)]) ? pid : null
}

export const reaperTitle = 'runbook-sandbox-reaper'

export function isReaper(pid: number, stateDir: string): boolean {
  return isMarkedProcess(pid, [reaperTitle, stateDir])
}
