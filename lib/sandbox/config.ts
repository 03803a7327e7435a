// Resolves what a sandbox is from explicit choices, then the environment, then defaults. Pure apart from
// reading the KAFKA_HOME libs folder (to learn its version), so every rule is unit-testable.

import { readdirSync } from 'node:fs'
import { homedir } from 'node:os'
import { join, resolve } from 'node:path'
import { SandboxError } from './errors.ts'
import { highestPort, type SandboxSecurity, sandboxSecurities } from './listeners.ts'
import { defaultKafkaVersion, supportedKafkaVersions, supportsElr } from './versions.ts'

/**
 * Everything that defines one sandbox. Ports: the controller listens on basePort, broker n on basePort + n
 * (PLAINTEXT), and its secured listeners on basePort + 10 + n and up (see listeners.ts).
 */
export interface SandboxConfig {
  readonly name: string
  readonly kafkaVersion: string
  readonly brokers: number
  readonly basePort: number
  /** Eligible leader replicas at format time; always false on 3.9, where the feature does not exist. */
  readonly elr: boolean
  /** Each broker's JVM heap in MiB (-Xmx); a sandbox holding many thousands of partitions needs more. */
  readonly brokerHeapMb: number
  /** Extra server.properties lines for every broker (override the sandbox's own values). */
  readonly brokerProperties: Readonly<Record<string, string>>
  /** Extra server.properties lines for the controller. */
  readonly controllerProperties: Readonly<Record<string, string>>
  /** broker.rack per broker id where it is not r<id>; null: no broker.rack at all (a broker without a rack). */
  readonly racks: Readonly<Record<number, string | null>>
  /** Data, configs, pid files and logs of this sandbox. */
  readonly stateDir: string
  /** Where downloaded Kafka jars are kept, one folder per version. */
  readonly jarCacheDir: string
  /** An unpacked Kafka distribution to run instead of the Maven Central jars. */
  readonly kafkaHome: string | null
  /** Maven repository the jars come from (a mirror can stand in for Maven Central). */
  readonly mavenRepository: string
  /** Secured listeners beside the PLAINTEXT one, with their CA, certificates, users and client files; fixed at format. */
  readonly security: SandboxSecurity
  /** With sasl_ssl: a JWKS URL (http, https or file) that an OAUTHBEARER listener validates tokens against. */
  readonly oauthJwksUrl: string | null
  /** Which of version, brokers, basePort, elr and security were chosen (by an override or the environment) rather than defaulted. */
  readonly explicit: readonly ('kafkaVersion' | 'brokers' | 'basePort' | 'elr' | 'security')[]
}

export interface SandboxOverrides {
  readonly name?: string
  readonly kafkaVersion?: string
  readonly brokers?: number
  readonly basePort?: number
  readonly elr?: boolean
  readonly brokerHeapMb?: number
  readonly brokerProperties?: Readonly<Record<string, string>>
  readonly controllerProperties?: Readonly<Record<string, string>>
  /** broker.rack per broker id (default r<id>); null leaves the broker without a rack. */
  readonly racks?: Readonly<Record<number, string | null>>
  readonly security?: SandboxSecurity
  readonly oauthJwksUrl?: string | null
  readonly stateDir?: string
  readonly kafkaHome?: string
}

export const defaultSandboxName = 'default'
export const defaultBasePort = 19090
/** The integration tests' own sandbox stays off the user's default ports. */
export const defaultTestBasePort = 19190
export const controllerNodeId = 100
export const defaultBrokerHeapMb = 384
export const mavenCentral = 'https://repo1.maven.org/maven2'

/** The resolved configuration of a sandbox: overrides, then RUNBOOK_* / KAFKA_HOME / XDG variables, then defaults. */
export function sandboxConfig(overrides: SandboxOverrides = {}, env: NodeJS.ProcessEnv = process.env): SandboxConfig {
  const name = overrides.name ?? (env.RUNBOOK_SANDBOX_NAME || defaultSandboxName)
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/.test(name)) {
    throw new SandboxError(`sandbox name "${name}" must be 1-40 letters, digits, - or _ — pick another --name`, 2)
  }
  const kafkaHome = overrides.kafkaHome ?? (env.KAFKA_HOME || null)
  const kafkaVersion = resolveVersion(overrides.kafkaVersion ?? (env.RUNBOOK_KAFKA_VERSION || undefined), kafkaHome)
  const brokers = overrides.brokers ?? parseInteger(env.RUNBOOK_SANDBOX_BROKERS, 'RUNBOOK_SANDBOX_BROKERS') ?? 3
  if (!Number.isInteger(brokers) || brokers < 1 || brokers > 9) throw new SandboxError(`broker count ${brokers} is out of range — use 1 to 9 brokers`, 2)
  const security = overrides.security ?? parseSecurity(env.RUNBOOK_SANDBOX_SECURITY) ?? 'plaintext'
  const oauthJwksUrl = overrides.oauthJwksUrl ?? (env.RUNBOOK_SANDBOX_OAUTH_JWKS_URL || null)
  if (oauthJwksUrl !== null) {
    if (security !== 'sasl_ssl') throw new SandboxError(`an OAuth JWKS URL needs --security sasl_ssl (the OAUTH listener is SASL over TLS)`, 2)
    if (!/^(https?|file):\/\/\S+$/.test(oauthJwksUrl)) throw new SandboxError(`OAuth JWKS URL "${oauthJwksUrl}" must be an http(s):// or file:// URL`, 2)
  }
  const basePort = overrides.basePort ?? parseInteger(env.RUNBOOK_SANDBOX_PORT, 'RUNBOOK_SANDBOX_PORT') ?? defaultBasePort
  const topPort = Number.isInteger(basePort) ? highestPort({ basePort, brokers, security, oauthJwksUrl }) : NaN
  if (!Number.isInteger(basePort) || basePort < 1024 || topPort > 65535) {
    throw new SandboxError(
      `base port ${basePort} is out of range — use a port from 1024 to ${65535 - (topPort - basePort)} (--port or RUNBOOK_SANDBOX_PORT)`,
      2,
    )
  }
  const elr = overrides.elr ?? parseFlag(env.RUNBOOK_SANDBOX_ELR, 'RUNBOOK_SANDBOX_ELR') ?? supportsElr(kafkaVersion)
  if (elr && !supportsElr(kafkaVersion)) {
    throw new SandboxError(`Kafka ${kafkaVersion} has no eligible leader replicas (a 4.x feature) — drop the ELR option or use Kafka 4.x`, 2)
  }
  const brokerHeapMb = overrides.brokerHeapMb ?? parseInteger(env.RUNBOOK_SANDBOX_BROKER_HEAP, 'RUNBOOK_SANDBOX_BROKER_HEAP') ?? defaultBrokerHeapMb
  if (!Number.isInteger(brokerHeapMb) || brokerHeapMb < 256 || brokerHeapMb > 16384) {
    throw new SandboxError(`broker heap ${brokerHeapMb} MiB is out of range — use 256 to 16384 (--broker-heap or RUNBOOK_SANDBOX_BROKER_HEAP)`, 2)
  }
  const home = env.HOME || homedir()
  const stateHome = env.XDG_STATE_HOME || join(home, '.local', 'state')
  const cacheHome = env.XDG_CACHE_HOME || join(home, '.cache')
  return {
    name,
    kafkaVersion,
    brokers,
    basePort,
    elr,
    brokerHeapMb,
    brokerProperties: { ...overrides.brokerProperties },
    controllerProperties: { ...overrides.controllerProperties },
    racks: { ...overrides.racks },
    security,
    oauthJwksUrl,
    stateDir: resolve(overrides.stateDir ?? join(stateHome, 'kafka-runbooks', 'sandboxes', name)),
    jarCacheDir: resolve(join(cacheHome, 'kafka-runbooks', 'kafka')),
    kafkaHome: kafkaHome ? resolve(kafkaHome) : null,
    mavenRepository: (env.RUNBOOK_MAVEN_REPOSITORY || mavenCentral).replace(/\/+$/, ''),
    explicit: (
      [
        ['kafkaVersion', overrides.kafkaVersion !== undefined || !!env.RUNBOOK_KAFKA_VERSION || kafkaHome !== null],
        ['brokers', overrides.brokers !== undefined || !!env.RUNBOOK_SANDBOX_BROKERS],
        ['basePort', overrides.basePort !== undefined || !!env.RUNBOOK_SANDBOX_PORT],
        ['elr', overrides.elr !== undefined || !!env.RUNBOOK_SANDBOX_ELR],
        ['security', overrides.security !== undefined || !!env.RUNBOOK_SANDBOX_SECURITY],
      ] as const
    )
      .filter(([, chosen]) => chosen)
      .map(([field]) => field),
  }
}

/** Node ids, roles and ports of a configuration: the controller first, then brokers 1..n. */
export function sandboxNodes(config: Pick<SandboxConfig, 'brokers' | 'basePort'>): SandboxNode[] {
  const nodes: SandboxNode[] = [{ id: controllerNodeId, role: 'controller', port: config.basePort }]
  for (let id = 1; id <= config.brokers; id++) nodes.push({ id, role: 'broker', port: config.basePort + id })
  return nodes
}

export interface SandboxNode {
  readonly id: number
  readonly role: 'controller' | 'broker'
  /** The broker's client listener, or the controller's KRaft listener. */
  readonly port: number
}

/** host:port list of the brokers, as clients and Kafka's tools take it. */
export function bootstrapServers(config: Pick<SandboxConfig, 'brokers' | 'basePort'>): string {
  return sandboxNodes(config)
    .filter((node) => node.role === 'broker')
    .map((node) => `127.0.0.1:${node.port}`)
    .join(',')
}

function resolveVersion(requested: string | undefined, kafkaHome: string | null): string {
  if (kafkaHome) {
    const found = kafkaHomeVersion(kafkaHome)
    if (requested && requested !== found) {
      throw new SandboxError(`KAFKA_HOME ${kafkaHome} holds Kafka ${found}, not ${requested} — unset KAFKA_HOME or ask for ${found}`, 2)
    }
    return found
  }
  const version = requested ?? defaultKafkaVersion
  if (!(supportedKafkaVersions as readonly string[]).includes(version)) {
    throw new SandboxError(
      `Kafka ${version} has no jar lock here — use one of ${supportedKafkaVersions.join(', ')}, or point KAFKA_HOME at an unpacked Kafka ${version}`,
      2,
    )
  }
  return version
}

/** The version of the distribution in kafkaHome, read from its libs/kafka_2.13-<version>.jar. */
export function kafkaHomeVersion(kafkaHome: string): string {
  let files: string[]
  try {
    files = readdirSync(join(kafkaHome, 'libs'))
  } catch {
    throw new SandboxError(`KAFKA_HOME ${kafkaHome} has no libs/ folder — point it at an unpacked Apache Kafka distribution, or unset it`, 2)
  }
  for (const file of files) {
    const match = /^kafka_2\.1[23]-(\d+\.\d+\.\d+)\.jar$/.exec(file)
    if (match) return match[1]!
  }
  throw new SandboxError(`KAFKA_HOME ${kafkaHome}/libs has no kafka_2.13-<version>.jar — point it at an unpacked Apache Kafka distribution`, 2)
}

function parseInteger(text: string | undefined, variable: string): number | undefined {
  if (text === undefined || text === '') return undefined
  if (!/^\d+$/.test(text)) throw new SandboxError(`${variable}=${text} is not a whole number — fix or unset it`, 2)
  return Number(text)
}

function parseSecurity(text: string | undefined): SandboxSecurity | undefined {
  if (text === undefined || text === '') return undefined
  const security = text.toLowerCase()
  if (!(sandboxSecurities as readonly string[]).includes(security)) {
    throw new SandboxError(`RUNBOOK_SANDBOX_SECURITY=${text} must be one of ${sandboxSecurities.join(', ')} — fix or unset it`, 2)
  }
  return security as SandboxSecurity
}

function parseFlag(text: string | undefined, variable: string): boolean | undefined {
  if (text === undefined || text === '') return undefined
  if (/^(1|true|on|yes)$/i.test(text)) return true
  if (/^(0|false|off|no)$/i.test(text)) return false
  throw new SandboxError(`${variable}=${text} must be on or off — fix or unset it`, 2)
}
