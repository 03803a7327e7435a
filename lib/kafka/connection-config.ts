// Reads a client.properties file the way Kafka's own tools do (`--command-config`), into ConnectionOptions.
// Pure apart from the file reader it is given, so every branch is testable without a disk or a cluster.

import type { ConnectionOptions, SaslMechanism } from './types.ts'

/** A client.properties the operator must fix; the message says what and how. */
export class ConnectionConfigError extends Error {
  readonly exitCode = 2
  constructor(message: string) {
    super(message)
    this.name = 'ConnectionConfigError'
  }
}

/** Java .properties text → key/value map: comments, `=` `:` or space separators, continuations, escapes. */
export function parseProperties(text: string): Map<string, string> {
  const result = new Map<string, string>()
  const lines = text.split(/\r?\n/)
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!.replace(/^\s+/, '')
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue
    while (endsWithContinuation(line) && i + 1 < lines.length) {
      line = line.slice(0, -1) + lines[++i]!.replace(/^\s+/, '')
    }
    const { key, value } = splitKeyValue(line)
    result.set(unescape(key), unescape(value))
  }
  return result
}

function endsWithContinuation(line: string): boolean {
  let backslashes = 0
  for (let i = line.length - 1; i >= 0 && line[i] === '\\'; i--) backslashes++
  return backslashes % 2 === 1
}

function splitKeyValue(line: string): { key: string; value: string } {
  let i = 0
  while (i < line.length) {
    const ch = line[i]!
    if (ch === '\\') {
      i += 2
      continue
    }
    if (ch === '=' || ch === ':' || ch === ' ' || ch === '\t') break
    i++
  }
  const key = line.slice(0, i)
  let rest = line.slice(i).replace(/^[ \t]+/, '')
  if (rest.startsWith('=') || rest.startsWith(':')) rest = rest.slice(1).replace(/^[ \t]+/, '')
  return { key, value: rest }
}

function unescape(text: string): string {
  return text.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_m, esc: string) => {
    if (esc.startsWith('u') && esc.length === 5) return String.fromCharCode(parseInt(esc.slice(1), 16))
    return ({ t: '\t', n: '\n', r: '\r', f: '\f' } as Record<string, string>)[esc] ?? esc
  })
}

/** Reads a file the properties point at (a PEM bundle); throws a ConnectionConfigError when it cannot. */
export type FileReader = (path: string) => string

const supportedMechanisms: readonly SaslMechanism[] = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512']

/**
 * Builds connection options from bootstrap servers and client properties.
 * Understands the Java client keys (security.protocol, sasl.*, ssl.* with PEM stores) and the
 * librdkafka spellings operators also keep around (sasl.username, ssl.ca.location, ...).
 */
export function connectionFromProperties(
  bootstrapServers: readonly string[],
  props: ReadonlyMap<string, string>,
  readFile: FileReader,
  source = 'client properties',
): ConnectionOptions {
  const protocol = (props.get('security.protocol') ?? 'PLAINTEXT').toUpperCase()
  if (!['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'].includes(protocol)) {
    throw new ConnectionConfigError(`${source}: security.protocol=${protocol} is not one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL`)
  }
  const useTls = protocol === 'SSL' || protocol === 'SASL_SSL'
  const useSasl = protocol === 'SASL_PLAINTEXT' || protocol === 'SASL_SSL'

  const options: {
    bootstrapServers: readonly string[]
    clientId?: string
    requestTimeoutMs?: number
    tls?: ConnectionOptions['tls']
    sasl?: ConnectionOptions['sasl']
  } = { bootstrapServers }
  const clientId = props.get('client.id')
  if (clientId) options.clientId = clientId
  const timeout = props.get('request.timeout.ms') ?? props.get('default.api.timeout.ms')
  if (timeout !== undefined) {
    const ms = Number(timeout)
    if (!Number.isInteger(ms) || ms <= 0) throw new ConnectionConfigError(`${source}: request.timeout.ms=${timeout} is not a positive number of milliseconds`)
    options.requestTimeoutMs = ms
  }
  if (useTls) options.tls = readTls(props, readFile, source)
  if (useSasl) options.sasl = readSasl(props, source)
  return options
}

function readSasl(props: ReadonlyMap<string, string>, source: string): NonNullable<ConnectionOptions['sasl']> {
  const mechanism = (props.get('sasl.mechanism') ?? props.get('sasl.mechanisms') ?? 'GSSAPI').toUpperCase()
  if (!supportedMechanisms.includes(mechanism as SaslMechanism)) {
    throw new ConnectionConfigError(`${source}: sasl.mechanism=${mechanism} is not supported — use PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512`)
  }
  let username = props.get('sasl.username')
  let password = props.get('sasl.password')
  const jaas = props.get('sasl.jaas.config')
  if (jaas !== undefined) {
    const fields = parseJaasOptions(jaas)
    username = fields.get('username') ?? username
    password = fields.get('password') ?? password
  }
  if (!username || password === undefined) {
    throw new ConnectionConfigError(`${source}: SASL needs a username and password — set sasl.jaas.config (… required username="…" password="…";)`)
  }
  return { mechanism: mechanism as SaslMechanism, username, password }
}

/** `org.x.LoginModule required username="a" password="b";` → {username: a, password: b}. */
export function parseJaasOptions(jaas: string): Map<string, string> {
  const fields = new Map<string, string>()
  const pattern = /([A-Za-z_][\w.]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s;"]+))/g
  for (const match of jaas.matchAll(pattern)) {
    fields.set(match[1]!, match[2] !== undefined ? match[2].replace(/\\(.)/g, '$1') : match[3]!)
  }
  return fields
}

function readTls(props: ReadonlyMap<string, string>, readFile: FileReader, source: string): NonNullable<ConnectionOptions['tls']> {
  const tls: {
    ca?: string
    cert?: string
    key?: string
    keyPassword?: string
    rejectUnauthorized?: boolean
    servername?: string
  } = {}

  const trustType = (props.get('ssl.truststore.type') ?? 'JKS').toUpperCase()
  const trustLocation = props.get('ssl.truststore.location')
  const trustInline = props.get('ssl.truststore.certificates')
  if (trustInline) tls.ca = trustInline
  else if (trustLocation) {
    if (trustType !== 'PEM') throw notPem('ssl.truststore', trustType, source)
    tls.ca = readFile(trustLocation)
  }
  const caLocation = props.get('ssl.ca.location')
  if (caLocation && tls.ca === undefined) tls.ca = readFile(caLocation)

  const keyType = (props.get('ssl.keystore.type') ?? 'JKS').toUpperCase()
  const chain = props.get('ssl.keystore.certificate.chain')
  const inlineKey = props.get('ssl.keystore.key')
  const keyLocation = props.get('ssl.keystore.location')
  if (chain && inlineKey) {
    tls.cert = chain
    tls.key = inlineKey
  } else if (keyLocation) {
    if (keyType !== 'PEM') throw notPem('ssl.keystore', keyType, source)
    const pem = readFile(keyLocation)
    tls.cert = pem
    tls.key = pem
  }
  const certLocation = props.get('ssl.certificate.location')
  const keyFile = props.get('ssl.key.location')
  if (certLocation) tls.cert = readFile(certLocation)
  if (keyFile) tls.key = readFile(keyFile)
  const keyPassword = props.get('ssl.key.password')
  if (keyPassword) tls.keyPassword = keyPassword

  // Kafka disables host name checks when the algorithm is set to the empty string.
  if (props.get('ssl.endpoint.identification.algorithm') === '') tls.servername = ''
  if (props.get('enable.ssl.certificate.verification') === 'false') tls.rejectUnauthorized = false
  return tls
}

function notPem(prefix: string, type: string, source: string): ConnectionConfigError {
  return new ConnectionConfigError(`${source}: ${prefix}.type=${type} cannot be read outside the JVM — export it to PEM and set ${prefix}.type=PEM`)
}

/** The values in these options that must never reach a log, transcript or error message. */
export function secretsOf(options: ConnectionOptions): string[] {
  const secrets: string[] = []
  if (options.sasl?.password) secrets.push(options.sasl.password)
  if (options.tls?.key) secrets.push(options.tls.key)
  if (options.tls?.keyPassword) secrets.push(options.tls.keyPassword)
  return secrets
}

/**
 * "a:9092, b:9092" → ["a:9092", "b:9092"]; a bare host gets Kafka's default port, an IPv6 address goes in
 * brackets ([::1]:9092). Anything else — an empty entry, a port that is not a number, a URL — is refused:
 * a list that half-parses must never connect somewhere the operator did not name.
 */
export function parseBootstrapServers(text: string): string[] {
  const entries = text.split(',').map((s) => s.trim())
  if (entries.every((s) => s === '')) throw new ConnectionConfigError('the bootstrap server list is empty — give host:port[,host:port…]')
  return entries.map((entry) => parseBootstrapServer(entry, text))
}

function parseBootstrapServer(entry: string, list: string): string {
  const bad = (why: string) => new ConnectionConfigError(`bootstrap server ${JSON.stringify(entry)} ${why}`)
  if (entry === '') throw new ConnectionConfigError(`the bootstrap server list ${JSON.stringify(list)} has an empty entry — give host:port[,host:port…]`)
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(entry)) throw bad('is a URL — give host:port (the security protocol goes in --command-config)')
  let host: string
  let portText: string | undefined
  const bracketed = /^\[([0-9A-Fa-f:.]+(?:%[A-Za-z0-9._-]+)?)\](?::(.*))?$/.exec(entry)
  if (bracketed) [host, portText] = [bracketed[1]!, bracketed[2]]
  else {
    const colons = entry.split(':').length - 1
    if (colons > 1) throw bad('is not host:port — write an IPv6 address in brackets: [::1]:9092')
    ;[host, portText] = colons === 1 ? (entry.split(':') as [string, string]) : [entry, undefined]
    if (host !== '' && !/^[A-Za-z0-9._-]+$/.test(host)) throw bad(`has no valid host (${JSON.stringify(host)}) — use host:port`)
  }
  if (host === '') throw bad('has no host — use host:port')
  const port = portText === undefined ? 9092 : /^\d{1,5}$/.test(portText) ? Number(portText) : NaN
  if (!(port >= 1 && port <= 65535)) throw bad(`has no valid port (${JSON.stringify(portText ?? '')}) — use host:port with a port from 1 to 65535`)
  return bracketed ? `[${host}]:${port}` : `${host}:${port}`
}
