// Kafka's own CLI (kafka-topics, kafka-consumer-groups, ...) run from the sandbox's jars: the oracle that
// tests and drills compare our answers with. Logging goes to stderr at WARN, so stdout is the tool's answer.

import { spawn } from 'node:child_process'
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { SandboxConfig } from './config.ts'
import { classArchive } from './class-archive.ts'
import { SandboxError } from './errors.ts'
import { findJava } from './java.ts'
import { ensureKafkaSoftware } from './jars.ts'
import { toolLogConfig } from './layout.ts'
import { configFromManifest, readManifest } from './manifest.ts'
import { logConfigFlag, renderToolLogConfig } from './properties.ts'
import type { LoggingBackend } from './versions.ts'
import { kafkaToolNames, toolMainClass } from './versions.ts'

export interface ToolOptions {
  /** Kill the tool after this long (default 60 s; the one run that writes its class archive gets 60 s more); the result then has timedOut: true. */
  readonly timeoutMs?: number
  /** Written to the tool's stdin (kafka-console-producer), then stdin is closed. */
  readonly input?: string
  readonly env?: NodeJS.ProcessEnv
  readonly signal?: AbortSignal
  /**
   * 'sandbox' (the default): a small heap, the client compiler only and the serial GC — a tool starts ~0.5 s
   * sooner, which tests and drills run many times. 'kafka-scripts': the options Kafka's own
   * bin/kafka-run-class.sh passes when none are set (G1, JMX agent), i.e. what `kafka-topics.sh` costs an operator.
   */
  readonly jvm?: 'sandbox' | 'kafka-scripts'
  /** -D system properties for the tool's JVM (e.g. org.apache.kafka.sasl.oauthbearer.allowed.urls, which Kafka 4.x needs for a token endpoint). */
  readonly systemProperties?: Readonly<Record<string, string>>
}

const jvmOptions = {
  sandbox: ['-Xmx256m', '-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', '-Djava.awt.headless=true'],
  // KAFKA_HEAP_OPTS, KAFKA_JVM_PERFORMANCE_OPTS and KAFKA_JMX_OPTS as kafka-run-class.sh defaults them (3.9 and 4.x).
  'kafka-scripts': [
    '-Xmx256M',
    '-server',
    '-XX:+UseG1GC',
    '-XX:MaxGCPauseMillis=20',
    '-XX:InitiatingHeapOccupancyPercent=35',
    '-XX:+ExplicitGCInvokesConcurrent',
    '-XX:MaxInlineLevel=15',
    '-Djava.awt.headless=true',
    '-Dcom.sun.management.jmxremote',
    '-Dcom.sun.management.jmxremote.authenticate=false',
    '-Dcom.sun.management.jmxremote.ssl=false',
  ],
} as const

export interface ToolResult {
  /** null when the tool was killed (timeout or abort). */
  readonly exitCode: number | null
  readonly stdout: string
  readonly stderr: string
  readonly timedOut: boolean
  readonly durationMs: number
}

/** Runs one of Kafka's CLI tools (by its script name, e.g. "kafka-topics") with the sandbox's Kafka version. */
export async function runKafkaTool(requested: SandboxConfig, tool: string, args: readonly string[], options: ToolOptions = {}): Promise<ToolResult> {
  const manifest = readManifest(requested.stateDir)
  const config = manifest ? configFromManifest(requested, manifest) : requested
  const mainClass = toolMainClass(tool, config.kafkaVersion)
  if (!mainClass) throw new SandboxError(`unknown Kafka tool "${tool}" — known: ${kafkaToolNames.join(', ')}`, 2)
  const [java, software] = await Promise.all([
    findJava(options.env ?? process.env),
    ensureKafkaSoftware(config, options.signal ? { signal: options.signal } : {}),
  ])
  const logConfig = ensureToolLogConfig(config, software.logging)
  const env = options.env ?? process.env
  const flavour = options.jvm ?? 'sandbox'
  // 'kafka-scripts' measures what an operator's kafka-topics.sh costs: it gets no archive an operator would not have.
  const archive =
    flavour === 'sandbox' && env.RUNBOOK_CLASS_ARCHIVES !== 'off'
      ? classArchive(join(config.jarCacheDir, '..', 'class-archives'), {
          java: java.executable,
          javaVersion: java.version,
          classpath: software.classpath,
          mainClass,
          jvm: jvmOptions.sandbox,
        })
      : null
  const jvm = [
    ...jvmOptions[flavour],
    ...(archive?.jvmOptions ?? []),
    logConfigFlag(software.logging, logConfig),
    ...Object.entries(options.systemProperties ?? {}).map(([key, value]) => `-D${key}=${value}`),
  ]
  const started = Date.now()
  return new Promise((resolve, reject) => {
    const child = spawn(java.executable, [...jvm, '-cp', software.classpath, mainClass, ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...env, KAFKA_HEAP_OPTS: '', KAFKA_OPTS: '' },
    })
    const stdout: Buffer[] = []
    const stderr: Buffer[] = []
    let timedOut = false
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk))
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk))
    child.stdin.on('error', () => {})
    child.stdin.end(options.input ?? '')
    const timer = setTimeout(
      () => {
        timedOut = true
        child.kill('SIGKILL')
      },
      (options.timeoutMs ?? 60_000) + (archive?.extraMs ?? 0),
    )
    const abort = () => child.kill('SIGKILL')
    options.signal?.addEventListener('abort', abort, { once: true })
    child.on('error', (error) => {
      clearTimeout(timer)
      archive?.settle(null)
      reject(new SandboxError(`cannot run ${tool}: ${error.message}`, 1, { cause: error }))
    })
    child.on('close', (code) => {
      clearTimeout(timer)
      archive?.settle(timedOut ? null : code)
      options.signal?.removeEventListener('abort', abort)
      resolve({
        exitCode: code,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
        timedOut,
        durationMs: Date.now() - started,
      })
    })
  })
}

/** Writes (if needed) the tools' WARN-to-stderr logging config into the sandbox's state dir; returns its path. */
export function ensureToolLogConfig(config: SandboxConfig, backend: LoggingBackend): string {
  const file = toolLogConfig(config.stateDir)
  const text = renderToolLogConfig(backend)
  let current = ''
  try {
    current = readFileSync(file, 'utf8')
  } catch {
    mkdirSync(config.stateDir, { recursive: true })
  }
  if (current !== text) {
    // Atomic: a tool starting at the same moment must never read a half-written file.
    writeFileSync(`${file}.${process.pid}.tmp`, text)
    renameSync(`${file}.${process.pid}.tmp`, file)
  }
  return file
}
