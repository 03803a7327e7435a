// The public door of lib/sandbox: a real multi-broker KRaft cluster from Maven Central jars, run as local JVMs.

import type { SandboxConfig } from './config.ts'
import { controllerNodeId, sandboxConfig, sandboxNodes } from './config.ts'
import { SandboxError } from './errors.ts'
import { nodePaths } from './layout.ts'
import { configFromManifest, readManifest } from './manifest.ts'
import type { SandboxProbe } from './probe.ts'
import { status } from './status.ts'

export type { SandboxConfig, SandboxNode, SandboxOverrides } from './config.ts'
export { bootstrapServers, controllerNodeId, defaultBasePort, defaultSandboxName, defaultTestBasePort, sandboxConfig } from './config.ts'
export type { ControlOptions, NodeAction } from './control.ts'
export { control, nodeActions } from './control.ts'
export type { DownOptions, DownResult, StoppedNode } from './down.ts'
export { down } from './down.ts'
export { SandboxError } from './errors.ts'
export type { ClientFile, ClientSecrets } from './client-files.ts'
export type { SandboxSecrets } from './credentials.ts'
export { clientCommonName, clientDir, readSecrets, securityFiles } from './credentials.ts'
export type { FetchOptions, KafkaSoftware } from './jars.ts'
export { ensureKafkaSoftware } from './jars.ts'
export type { ProbedBroker, SandboxClusterView, SandboxProbe } from './probe.ts'
export { probeTopic } from './probe.ts'
export type { BrokerListener, ListenerName, SandboxSecurity } from './listeners.ts'
export { brokerListeners, listenerBootstrap, sandboxSecurities } from './listeners.ts'
export type { KeyPair, Validity } from './pki.ts'
export { createAuthority, encryptedKeyPem, issueCertificate, pkcs12Store, validFor } from './pki.ts'
export type { NodeState, NodeStatus, SandboxStatus } from './status.ts'
export { status } from './status.ts'
export type { ToolOptions, ToolResult } from './tools.ts'
export { runKafkaTool } from './tools.ts'
export type { SandboxInfo, UpOptions } from './up.ts'
export { up } from './up.ts'
export { defaultKafkaVersion, kafkaToolNames, supportedKafkaVersions } from './versions.ts'

/** A node's log files: Kafka's own server.log and the JVM's console output. */
export function nodeLogFiles(config: SandboxConfig, nodeId: number): { readonly serverLog: string; readonly consoleLog: string } {
  const manifest = readManifest(config.stateDir)
  const effective = manifest ? configFromManifest(config, manifest) : config
  if (!sandboxNodes(effective).some((node) => node.id === nodeId)) {
    throw new SandboxError(`sandbox ${config.name} has no node ${nodeId} — its nodes are controller ${controllerNodeId} and brokers 1-${effective.brokers}`, 2)
  }
  const paths = nodePaths(config.stateDir, nodeId)
  return { serverLog: paths.serverLog, consoleLog: paths.consoleLog }
}

/** A node's log.dirs: where its partition folders (and their segment files) are. */
export function nodeDataDir(config: SandboxConfig, nodeId: number): string {
  return nodePaths(config.stateDir, nodeId).dataDir
}

/**
 * host:port list of the running sandbox of the configured name (RUNBOOK_SANDBOX_NAME, default "default"),
 * or null when it is not created or any node is not up. With a probe, the cluster must also report every
 * broker registered and unfenced.
 */
export async function runningSandboxBootstrap(options: { env: NodeJS.ProcessEnv; probe?: SandboxProbe; name?: string }): Promise<string | null> {
  const config = sandboxConfig(options.name ? { name: options.name } : {}, options.env)
  const current = status(config)
  if (!current.created || current.nodes.some((node) => node.state !== 'up')) return null
  if (options.probe) {
    const view = await options.probe.readCluster(current.bootstrap, { timeoutMs: 3000 }).catch(() => null)
    const brokers = current.nodes.filter((node) => node.role === 'broker')
    if (!view || !brokers.every((node) => view.brokers.some((broker) => broker.id === node.id && !broker.fenced))) return null
  }
  return current.bootstrap
}
