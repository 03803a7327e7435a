// Reads a client.properties file the way Kafka's own tools do (`--command-config`), into ConnectionOptions:
// security.protocol picks TLS and SASL, tls-settings.ts and sasl-settings.ts read the rest. Pure apart from
// the file reader it is given, so every branch is testable without a disk or a cluster.

import { ConnectionConfigError, type LocalFiles, SettingFiles, SettingsReader } from './connection-settings.ts'
import { readSaslSettings } from './sasl-settings.ts'
import { readTlsSettings } from './tls-settings.ts'
import type { ConnectionOptions, ConnectionSettingNames } from './types.ts'

const protocols = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL']

/**
 * Builds connection options from bootstrap servers and client properties: the Java client's keys (with JKS,
 * PKCS12 and PEM stores) and the librdkafka spellings operators also keep around. Stores are opened and keys
 * decrypted now, so a bad path or password is refused before anything connects.
 */
export function connectionFromProperties(
  bootstrapServers: readonly string[],
  props: ReadonlyMap<string, string>,
  files: LocalFiles,
  source = 'client properties',
): ConnectionOptions {
  const settings = new SettingsReader(props, source)
  const protocol = (settings.get('security.protocol') ?? 'PLAINTEXT').toUpperCase()
  if (!protocols.includes(protocol)) settings.fail(`security.protocol=${protocol} is not one of ${protocols.join(', ')}`)
  const options: { -readonly [K in keyof ConnectionOptions]: ConnectionOptions[K] } = { bootstrapServers }
  let names: ConnectionSettingNames = props.size > 0 ? { file: source } : {}
  const clientId = settings.get('client.id')
  if (clientId) options.clientId = clientId
  const timeout = settings.get('request.timeout.ms') ?? settings.get('default.api.timeout.ms')
  if (timeout !== undefined) {
    const ms = Number(timeout)
    if (!Number.isInteger(ms) || ms <= 0) settings.fail(`request.timeout.ms=${timeout} is not a positive number of milliseconds`)
    options.requestTimeoutMs = ms
  }
  if (protocol === 'SSL' || protocol === 'SASL_SSL') {
    const { tls, names: tlsNames } = readTlsSettings(settings, new SettingFiles(files, settings))
    options.tls = tls
    names = { ...names, ...tlsNames }
  }
  if (protocol === 'SASL_PLAINTEXT' || protocol === 'SASL_SSL') {
    const { sasl, names: saslNames } = readSaslSettings(settings)
    options.sasl = sasl
    names = { ...names, ...saslNames }
  }
  if (Object.keys(names).length > 0) options.names = names
  return options
}

// Property values that are secrets whatever they hold: passwords, the JAAS line, inline keys, OAuth secrets.
const secretKey = /password|secret|jaas|ssl\.keystore\.key|ssl\.key\.pem/i

/** The values in these options, and in the properties they came from, that must never reach a log, transcript or error message. */
export function secretsOf(options: ConnectionOptions, props: ReadonlyMap<string, string> = new Map()): string[] {
  const secrets: string[] = []
  const sasl = options.sasl
  if (sasl?.mechanism === 'OAUTHBEARER') secrets.push(sasl.oauth.clientSecret)
  else if (sasl) secrets.push(sasl.password)
  if (options.tls?.key) secrets.push(options.tls.key)
  for (const [key, value] of props) if (secretKey.test(key) && value.trim() !== '') secrets.push(value.trim())
  return [...new Set(secrets.filter((secret) => secret !== ''))]
}

/** "a:9092, b:9092" → ["a:9092", "b:9092"]; a bare host gets Kafka's default port. */
export function parseBootstrapServers(text: string): string[] {
  const servers = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
  if (servers.length === 0) throw new ConnectionConfigError('the bootstrap server list is empty — give host:port[,host:port…]')
  return servers.map((server) => {
    const withPort = /:\d+$/.test(server) ? server : `${server}:9092`
    const port = Number(withPort.slice(withPort.lastIndexOf(':') + 1))
    if (port < 1 || port > 65535) throw new ConnectionConfigError(`bootstrap server ${server} has no valid port — use host:port`)
    return withPort
  })
}
