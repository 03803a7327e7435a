// The text of every file a sandbox JVM reads: server.properties per node and the logging configs.
// Pure: configuration in, file text out.

import type { SandboxConfig } from './config.ts'
import { controllerNodeId } from './config.ts'
import { brokerListeners, listenerNames, saslMechanisms } from './listeners.ts'
import type { LoggingBackend } from './versions.ts'
import { kafkaMajor } from './versions.ts'

type Properties = Map<string, string>

/** Settings shared by every node: one static voter, loopback listeners, small thread pools for a 2-core machine. */
function commonProperties(config: SandboxConfig, nodeId: number, dataDir: string): Properties {
  return new Map([
    ['node.id', String(nodeId)],
    ['controller.listener.names', 'CONTROLLER'],
    ['listener.security.protocol.map', 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT'],
    ['controller.quorum.voters', `${controllerNodeId}@127.0.0.1:${config.basePort}`],
    ['log.dirs', dataDir],
    ['num.network.threads', '2'],
    ['num.io.threads', '2'],
    ['background.threads', '2'],
    ['num.recovery.threads.per.data.dir', '1'],
    // Fast fencing: a dead or paused broker is fenced about 4 s after its last heartbeat (defaults 2000 / 9000).
    ['broker.heartbeat.interval.ms', '500'],
    ['broker.session.timeout.ms', '4000'],
    // Deterministic drills: leadership moves only when a drill or runbook moves it.
    ['auto.leader.rebalance.enable', 'false'],
  ])
}

/** server.properties of the dedicated KRaft controller. Cluster-wide topic defaults live here (Kafka 4.3 warns on brokers). */
export function renderControllerProperties(config: SandboxConfig, dataDir: string): string {
  const replication = String(Math.min(3, config.brokers))
  const properties = commonProperties(config, controllerNodeId, dataDir)
  properties.set('process.roles', 'controller')
  properties.set('listeners', `CONTROLLER://127.0.0.1:${config.basePort}`)
  properties.set('default.replication.factor', replication)
  properties.set('num.partitions', '1')
  return renderProperties(merge(properties, config.controllerProperties), `controller ${controllerNodeId} of sandbox ${config.name}`)
}

/** What a secured sandbox's brokers need to open their TLS and SASL listeners. */
export interface BrokerCredentials {
  /** PKCS12 key store with the broker's key and certificate (SAN 127.0.0.1, localhost). */
  readonly keyStore: string
  readonly keyStorePassword: string
  /** PEM file of the CA that signs client certificates (mutual TLS). */
  readonly caCert: string
  readonly saslUser: string
  readonly saslPassword: string
}

/** server.properties of broker `brokerId` (1..n), rack r<id> unless `racks` says otherwise, with test-friendly failure detection. */
export function renderBrokerProperties(config: SandboxConfig, brokerId: number, dataDir: string, credentials: BrokerCredentials | null = null): string {
  const replication = String(Math.min(3, config.brokers))
  const minIsr = String(Math.min(2, config.brokers))
  const listeners = brokerListeners(config, brokerId)
    .map((listener) => `${listener.name}://127.0.0.1:${listener.port}`)
    .join(',')
  const properties = commonProperties(config, brokerId, dataDir)
  const entries: [string, string][] = [
    ['process.roles', 'broker'],
    ['listeners', listeners],
    ['advertised.listeners', listeners],
    ['inter.broker.listener.name', 'PLAINTEXT'],
    ['num.replica.fetchers', '1'],
    ['log.cleaner.threads', '1'],
    // The cleaner allocates this on heap; the 128 MiB default does not fit a small sandbox heap.
    ['log.cleaner.dedupe.buffer.size', '2097152'],
    // Small segments keep kafka-dump-log output short; 1 MiB is the smallest Kafka accepts.
    ['log.segment.bytes', '1048576'],
    ['auto.create.topics.enable', 'false'],
    ['offsets.topic.replication.factor', replication],
    ['offsets.topic.num.partitions', '3'],
    ['transaction.state.log.replication.factor', replication],
    ['transaction.state.log.min.isr', minIsr],
    ['transaction.state.log.num.partitions', '3'],
    ['group.initial.rebalance.delay.ms', '0'],
    // A stopped follower leaves the ISR after ~2-3 s of writes, well before it would be fenced (4 s).
    ['replica.lag.time.max.ms', '2000'],
    ['replica.fetch.wait.max.ms', '200'],
    ['replica.socket.timeout.ms', '3000'],
    // A hard-killed consumer's group gets to Empty quickly (classic and KIP-848 protocols).
    ['group.min.session.timeout.ms', '1000'],
    // Retention acts within seconds of a segment expiring (Kafka checks every 5 minutes, first 30 s after start), so
    // a drill or a test can race a consumer against it. Measured 4.3.1 and 3.9.2: a check also deletes an idle
    // partition's active segment once its newest record is older than retention.ms — records written with old
    // timestamps would then vanish at the next check, so topics keep their records unless they set a retention.
    ['log.retention.check.interval.ms', '2000'],
    ['log.initial.task.delay.ms', '2000'],
    ['log.retention.ms', '-1'],
  ]
  for (const [key, value] of entries) properties.set(key, value)
  const rack = brokerId in config.racks ? config.racks[brokerId]! : `r${brokerId}`
  if (rack !== null) properties.set('broker.rack', rack)
  if (kafkaMajor(config.kafkaVersion) >= 4) {
    properties.set('share.coordinator.state.topic.replication.factor', replication)
    properties.set('share.coordinator.state.topic.min.isr', minIsr)
    properties.set('group.consumer.min.session.timeout.ms', '2000')
    properties.set('group.consumer.session.timeout.ms', '6000')
    properties.set('group.consumer.min.heartbeat.interval.ms', '500')
    properties.set('group.consumer.heartbeat.interval.ms', '1000')
  }
  for (const [key, value] of securityProperties(config, credentials)) properties.set(key, value)
  return renderProperties(merge(properties, config.brokerProperties), `broker ${brokerId} of sandbox ${config.name}`)
}

/**
 * The secured listeners: TLS with the sandbox CA's certificate; SSL requires a client certificate; SASL_SSL
 * takes SCRAM (users stored in the metadata log at format) and PLAIN (users listed here); OAUTH takes
 * OAUTHBEARER tokens checked against a JWKS. Replication and the controller stay on PLAINTEXT.
 */
function securityProperties(config: SandboxConfig, credentials: BrokerCredentials | null): [string, string][] {
  const names = listenerNames(config)
  if (names.length === 1) return []
  if (!credentials) throw new Error(`sandbox ${config.name} is ${config.security} but its broker credentials were not given`)
  const protocolMap = [
    'PLAINTEXT:PLAINTEXT',
    'CONTROLLER:PLAINTEXT',
    ...names.filter((name) => name !== 'PLAINTEXT').map((name) => `${name}:${name === 'OAUTH' ? 'SASL_SSL' : name}`),
  ]
  const entries: [string, string][] = [
    ['listener.security.protocol.map', protocolMap.join(',')],
    ['ssl.keystore.type', 'PKCS12'],
    ['ssl.keystore.location', credentials.keyStore],
    ['ssl.keystore.password', credentials.keyStorePassword],
    ['ssl.key.password', credentials.keyStorePassword],
    ['ssl.truststore.type', 'PEM'],
    ['ssl.truststore.location', credentials.caCert],
    ['listener.name.ssl.ssl.client.auth', 'required'],
  ]
  if (names.includes('SASL_SSL')) {
    entries.push(['listener.name.sasl_ssl.sasl.enabled.mechanisms', saslMechanisms.join(',')])
    for (const mechanism of ['scram-sha-512', 'scram-sha-256'])
      entries.push([`listener.name.sasl_ssl.${mechanism}.sasl.jaas.config`, 'org.apache.kafka.common.security.scram.ScramLoginModule required;'])
    entries.push([
      'listener.name.sasl_ssl.plain.sasl.jaas.config',
      `org.apache.kafka.common.security.plain.PlainLoginModule required user_${credentials.saslUser}="${credentials.saslPassword}";`,
    ])
  }
  if (names.includes('OAUTH')) {
    entries.push(
      ['listener.name.oauth.sasl.enabled.mechanisms', 'OAUTHBEARER'],
      [
        'listener.name.oauth.oauthbearer.sasl.server.callback.handler.class',
        'org.apache.kafka.common.security.oauthbearer.OAuthBearerValidatorCallbackHandler',
      ],
      ['listener.name.oauth.oauthbearer.sasl.jaas.config', 'org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required;'],
      ['sasl.oauthbearer.jwks.endpoint.url', config.oauthJwksUrl!],
    )
  }
  return entries
}

/** A node's logging config: everything at INFO into a size-rolled server.log (request logging at WARN). */
export function renderNodeLogConfig(backend: LoggingBackend, serverLog: string): string {
  if (backend === 'log4j2') {
    return renderProperties(
      new Map([
        ['status', 'error'],
        ['appender.file.type', 'RollingFile'],
        ['appender.file.name', 'FILE'],
        ['appender.file.fileName', serverLog],
        ['appender.file.filePattern', `${serverLog}.%i`],
        ['appender.file.layout.type', 'PatternLayout'],
        ['appender.file.layout.pattern', '[%d] %p %m (%c)%n'],
        ['appender.file.policies.type', 'Policies'],
        ['appender.file.policies.size.type', 'SizeBasedTriggeringPolicy'],
        ['appender.file.policies.size.size', '20MB'],
        ['appender.file.strategy.type', 'DefaultRolloverStrategy'],
        ['appender.file.strategy.max', '3'],
        ['rootLogger.level', 'INFO'],
        ['rootLogger.appenderRef.file.ref', 'FILE'],
        ['logger.request.name', 'kafka.request.logger'],
        ['logger.request.level', 'WARN'],
      ]),
      'log4j2 configuration of a sandbox node',
    )
  }
  return renderProperties(
    new Map([
      ['log4j.rootLogger', 'INFO, FILE'],
      ['log4j.appender.FILE', 'org.apache.log4j.RollingFileAppender'],
      ['log4j.appender.FILE.File', serverLog],
      ['log4j.appender.FILE.MaxFileSize', '20MB'],
      ['log4j.appender.FILE.MaxBackupIndex', '3'],
      ['log4j.appender.FILE.layout', 'org.apache.log4j.PatternLayout'],
      ['log4j.appender.FILE.layout.ConversionPattern', '[%d] %p %m (%c)%n'],
      ['log4j.logger.kafka.request.logger', 'WARN'],
    ]),
    'reload4j configuration of a sandbox node',
  )
}

/** Logging for Kafka's CLI tools: WARN and above to stderr, so that stdout carries only the tool's answer. */
export function renderToolLogConfig(backend: LoggingBackend): string {
  if (backend === 'log4j2') {
    return renderProperties(
      new Map([
        ['status', 'error'],
        ['appender.err.type', 'Console'],
        ['appender.err.name', 'STDERR'],
        ['appender.err.target', 'SYSTEM_ERR'],
        ['appender.err.layout.type', 'PatternLayout'],
        ['appender.err.layout.pattern', '[%d] %p %m (%c)%n'],
        ['rootLogger.level', 'WARN'],
        ['rootLogger.appenderRef.err.ref', 'STDERR'],
      ]),
      'log4j2 configuration of Kafka CLI tools',
    )
  }
  return renderProperties(
    new Map([
      ['log4j.rootLogger', 'WARN, STDERR'],
      ['log4j.appender.STDERR', 'org.apache.log4j.ConsoleAppender'],
      ['log4j.appender.STDERR.Target', 'System.err'],
      ['log4j.appender.STDERR.layout', 'org.apache.log4j.PatternLayout'],
      ['log4j.appender.STDERR.layout.ConversionPattern', '[%d] %p %m (%c)%n'],
    ]),
    'reload4j configuration of Kafka CLI tools',
  )
}

/** The JVM system property that points the logging backend at a config file. */
export function logConfigFlag(backend: LoggingBackend, file: string): string {
  return backend === 'log4j2' ? `-Dlog4j2.configurationFile=${file}` : `-Dlog4j.configuration=file:${file}`
}

function merge(base: Properties, extra: Readonly<Record<string, string>>): Properties {
  const result = new Map(base)
  for (const [key, value] of Object.entries(extra)) result.set(key, value)
  return result
}

/** Java .properties text; values are escaped so that paths and odd characters survive Java's parser. Extra comment lines follow the title. */
export function renderProperties(properties: ReadonlyMap<string, string>, title: string, notes: readonly string[] = []): string {
  const lines = [`# ${title} — written by runbook sandbox; edits are overwritten at the next start`, ...notes.map((note) => `# ${note}`)]
  for (const [key, value] of properties) lines.push(`${escapeKey(key)}=${escapeValue(value)}`)
  return lines.join('\n') + '\n'
}

function escapeKey(key: string): string {
  return escapeValue(key).replace(/[=: ]/g, (ch) => `\\${ch}`)
}

function escapeValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t').replace(/^ /, '\\ ')
}
