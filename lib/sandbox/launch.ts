// Starting JVMs: formatting a node's storage, and launching a node as a detached process that outlives
// the command which started it, recorded in a pid file and marked on its command line.

import { spawn } from 'node:child_process'
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { SandboxConfig, SandboxNode } from './config.ts'
import { readSecrets, securityFiles } from './credentials.ts'
import { SandboxError } from './errors.ts'
import type { JavaRuntime } from './java.ts'
import type { KafkaSoftware } from './jars.ts'
import { nodeMarker, nodePaths, processMarker } from './layout.ts'
import { supportsElr } from './versions.ts'
import { type BrokerCredentials, logConfigFlag, renderBrokerProperties, renderControllerProperties, renderNodeLogConfig } from './properties.ts'

/** What every sandbox JVM needs: which java, which jars. */
export interface Runtime {
  readonly java: JavaRuntime
  readonly software: KafkaSoftware
}

// C1 only and the serial collector: a small sandbox JVM starts faster and holds less memory this way,
// and a broker on a 2-core machine gains nothing from C2 or a concurrent collector.
const leanJvm = ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', '-XX:+ExitOnOutOfMemoryError', '-Djava.awt.headless=true']

/** JVM options of a node: small heaps (brokers 384 MiB unless configured, the controller 256 MiB). */
export function nodeJvmOptions(config: SandboxConfig, node: SandboxNode, backend: KafkaSoftware['logging']): string[] {
  const paths = nodePaths(config.stateDir, node.id)
  const heap = node.role === 'controller' ? ['-Xms64m', '-Xmx256m'] : ['-Xms128m', `-Xmx${config.brokerHeapMb}m`]
  return [
    ...heap,
    ...leanJvm,
    processMarker(config.stateDir),
    nodeMarker(node.id),
    `-Dkafka.logs.dir=${paths.logsDir}`,
    logConfigFlag(backend, paths.logConfig),
    // Kafka 4.x fetches no OAuth URL that this list does not name (3.9.1+ reads it too, allowing all by default).
    ...(node.role === 'broker' && config.oauthJwksUrl ? [`-Dorg.apache.kafka.sasl.oauthbearer.allowed.urls=${config.oauthJwksUrl}`] : []),
  ]
}

/** The brokers' TLS and SASL settings of a secured sandbox, from the credentials made at its creation; null for a plaintext one. */
export function brokerCredentials(config: SandboxConfig): BrokerCredentials | null {
  if (config.security === 'plaintext') return null
  const secrets = readSecrets(config.stateDir)
  const files = securityFiles(config.stateDir)
  if (!secrets)
    throw new SandboxError(
      `sandbox ${config.name} is ${config.security} but ${files.secrets} is missing — run \`runbook sandbox down --wipe\` for it and start again`,
    )
  return {
    keyStore: files.brokerStore,
    keyStorePassword: secrets.brokerStorePassword,
    caCert: files.caCert,
    saslUser: secrets.saslUser,
    saslPassword: secrets.saslPassword,
  }
}

/** Writes a node's server.properties and logging config (again at every start, so edits to extra properties apply). */
export function writeNodeFiles(config: SandboxConfig, node: SandboxNode, backend: KafkaSoftware['logging']): void {
  const paths = nodePaths(config.stateDir, node.id)
  mkdirSync(paths.logsDir, { recursive: true })
  mkdirSync(paths.dataDir, { recursive: true })
  const properties =
    node.role === 'controller'
      ? renderControllerProperties(config, paths.dataDir)
      : renderBrokerProperties(config, node.id, paths.dataDir, brokerCredentials(config))
  // It may hold the PLAIN users' passwords and the key store's: readable by this user only.
  writeFileSync(paths.properties, properties, { mode: 0o600 })
  writeFileSync(paths.logConfig, renderNodeLogConfig(backend, paths.serverLog))
}

/** StorageTool's arguments for one node; ELR off adds the feature flag (4.x only), a secured sandbox its SCRAM users. */
function formatArguments(config: SandboxConfig, node: SandboxNode, clusterId: string): string[] {
  return [
    'format',
    '-t',
    clusterId,
    '-c',
    nodePaths(config.stateDir, node.id).properties,
    ...(supportsElr(config.kafkaVersion) && !config.elr ? ['--feature', 'eligible.leader.replicas.version=0'] : []),
    ...scramUsers(config),
  ]
}

// Runs StorageTool once per group of arguments ("--next" between groups) in one JVM: a JVM start and Kafka's
// classes loaded once instead of once per node. Through reflection, so that it compiles without Kafka's jars.
const formatProgram = `public final class FormatNodes {
  public static void main(String[] args) throws Exception {
    var execute = Class.forName("kafka.tools.StorageTool").getMethod("execute", String[].class, java.io.PrintStream.class);
    var group = new java.util.ArrayList<String>();
    for (int i = 0; i <= args.length; i++) {
      if (i < args.length && !args[i].equals("--next")) { group.add(args[i]); continue; }
      int code = (Integer) execute.invoke(null, (Object) group.toArray(new String[0]), System.out);
      if (code != 0) System.exit(code);
      group.clear();
    }
  }
}
`

/**
 * Formats the nodes' KRaft storage with Kafka's StorageTool, all in one JVM: the JDK runs a small program from
 * its source (measured on 2 busy cores: 2.5 s of CPU for four nodes, against 8.7 s for four StorageTool JVMs).
 * A Java without a compiler (a JRE) formats each node in a JVM of its own, in parallel.
 */
export async function formatNodes(
  config: SandboxConfig,
  nodes: readonly SandboxNode[],
  runtime: Runtime,
  clusterId: string,
  toolLogConfig: string,
): Promise<void> {
  const program = join(config.stateDir, 'format-nodes.java')
  writeFileSync(program, formatProgram)
  const groups = nodes.flatMap((node, i) => [...(i > 0 ? ['--next'] : []), ...formatArguments(config, node, clusterId)])
  const together = await runJava(runtime, [
    '-Xmx128m',
    ...leanJvm,
    logConfigFlag(runtime.software.logging, toolLogConfig),
    '-cp',
    runtime.software.classpath,
    program,
    ...groups,
  ])
  if (together.code === 0) return
  // No compiler in this Java, or a format that failed: start over node by node, which says which one and why.
  for (const node of nodes)
    for (const entry of readdirSync(nodePaths(config.stateDir, node.id).dataDir))
      rmSync(join(nodePaths(config.stateDir, node.id).dataDir, entry), { recursive: true, force: true })
  await Promise.all(nodes.map((node) => formatNode(config, node, runtime, clusterId, toolLogConfig)))
}

/** Formats one node's KRaft storage with Kafka's StorageTool in a JVM of its own. */
async function formatNode(config: SandboxConfig, node: SandboxNode, runtime: Runtime, clusterId: string, toolLogConfig: string): Promise<void> {
  const args = [
    '-Xmx128m',
    ...leanJvm,
    logConfigFlag(runtime.software.logging, toolLogConfig),
    '-cp',
    runtime.software.classpath,
    'kafka.tools.StorageTool',
    ...formatArguments(config, node, clusterId),
  ]
  const result = await runJava(runtime, args)
  if (result.code !== 0) {
    const reason =
      result.output
        .split('\n')
        .find((line) => /error|exception/i.test(line))
        ?.trim() ?? `exit code ${result.code}`
    throw new SandboxError(`formatting the storage of node ${node.id} failed: ${reason} — run \`runbook sandbox down --wipe\` for this sandbox and retry`)
  }
}

/** Runs java to completion, with its output; killed after 3 minutes (two sandboxes formatting at once on a busy 2-core machine took over one). */
function runJava(runtime: Runtime, args: readonly string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(runtime.java.executable, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
    const timer = setTimeout(() => child.kill('SIGKILL'), 180_000)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, output })
    })
  })
}

/** SCRAM credentials go into the metadata log at format (KRaft has no other bootstrap for them): one user, both mechanisms. */
function scramUsers(config: SandboxConfig): string[] {
  if (config.security !== 'sasl_ssl') return []
  const secrets = readSecrets(config.stateDir)
  if (!secrets) return []
  return ['SCRAM-SHA-512', 'SCRAM-SHA-256'].flatMap((mechanism) => ['--add-scram', `${mechanism}=[name=${secrets.saslUser},password=${secrets.saslPassword}]`])
}

/** Launches a node's JVM detached (it keeps running after this process exits) and records its pid. */
export function launchNode(config: SandboxConfig, node: SandboxNode, runtime: Runtime): number {
  const paths = nodePaths(config.stateDir, node.id)
  writeNodeFiles(config, node, runtime.software.logging)
  const consoleLog = openSync(paths.consoleLog, 'a')
  try {
    const args = [...nodeJvmOptions(config, node, runtime.software.logging), '-cp', runtime.software.classpath, 'kafka.Kafka', paths.properties]
    const child = spawn(runtime.java.executable, args, { detached: true, stdio: ['ignore', consoleLog, consoleLog] })
    child.on('error', () => {})
    if (child.pid === undefined) throw new SandboxError(`could not start ${runtime.java.executable} for node ${node.id} — check the Java installation`)
    child.unref()
    writeFileSync(`${paths.pidFile}.tmp`, String(child.pid))
    renameSync(`${paths.pidFile}.tmp`, paths.pidFile)
    return child.pid
  } finally {
    closeSync(consoleLog)
  }
}

/** The most telling line of a node's logs after it died: its last ERROR or FATAL, else the last line. */
export function lastWords(config: SandboxConfig, nodeId: number): string {
  const paths = nodePaths(config.stateDir, nodeId)
  for (const file of [paths.serverLog, paths.consoleLog]) {
    let text = ''
    try {
      text = readFileSync(file, 'utf8').slice(-64_000)
    } catch {
      continue
    }
    const lines = text.split('\n').filter((line) => line.trim() !== '')
    const telling = [...lines].reverse().find((line) => /\b(ERROR|FATAL)\b|Exception|Error:/.test(line))
    if (telling) return telling.replace(/^\[[^\]]*\]\s*/, '').slice(0, 300)
  }
  return 'no error in its log'
}
