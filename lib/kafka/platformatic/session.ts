// One connection session to a cluster: connections per broker, the API versions the brokers speak, where each
// broker listens, and the rule for requests that any broker can answer (sent to a broker that answers, see
// broker-health.ts; retried on the next broker, then given up with a one-line connection error).

import { type Connection, ConnectionPool, metadataV12, type Broker } from './client.ts'
import type { ConnectionOptions as TlsOptions } from 'node:tls'
import { OAuthTokenSource } from '../oauth-token.ts'
import { type ConnectionOptions, type KafkaError, type TlsSettings } from '../types.ts'
import { type ApiVersionsAnswer, apiVersionsV3, apiVersionsV4 } from './protocol/api-versions.ts'
import { describeClusterV2 } from './protocol/describe-cluster-v2.ts'
import { explainedConnectionError } from './diagnose.ts'
import { brokerFault, connectionFaultKind, responseOf } from './faults.ts'
import { BrokerHealth, probeBoundMs } from './broker-health.ts'
import { within } from '../within.ts'

export interface BrokerAddress {
  readonly id: number
  readonly host: string
  readonly port: number
  readonly rack: string | null
  /** null when the cluster cannot say (before Kafka 4.0). */
  readonly fenced: boolean | null
}

/** A low-level API of the client: `.async(connection, ...args)`. */
interface LowLevelApi<Args extends unknown[], Response> {
  async(connection: Connection, ...args: Args): Promise<Response>
}

/** Sends a request and returns its decoded answer even when the client's parser threw for per-item errors. */
export async function send<Args extends unknown[], Response>(api: LowLevelApi<Args, Response>, connection: Connection, ...args: Args): Promise<Response> {
  try {
    return await api.async(connection, ...args)
  } catch (error) {
    const response = responseOf<Response>(error)
    if (response !== undefined) return response
    throw error
  }
}

const softwareName = 'kafka-runbooks'
const softwareVersion = '0.1.0'

const brokerKey = (broker: Broker): string => `${broker.host}:${broker.port}`

function parseServer(server: string): Broker {
  const colon = server.lastIndexOf(':')
  return { host: server.slice(0, colon).replace(/^\[|\]$/g, ''), port: Number(server.slice(colon + 1)) }
}

function tlsOptions(tls: TlsSettings): TlsOptions {
  const options: TlsOptions = {}
  if (tls.ca) options.ca = tls.ca
  if (tls.cert) options.cert = tls.cert
  if (tls.key) options.key = tls.key
  if (tls.verifyCertificate === false) options.rejectUnauthorized = false
  if (tls.verifyHostname === false) options.checkServerIdentity = () => undefined
  if (tls.minVersion) options.minVersion = tls.minVersion
  if (tls.maxVersion) options.maxVersion = tls.maxVersion
  return options
}

/** The client's SASL options; an OAUTHBEARER token is asked of the token source at every (re)authentication. */
function saslOptions(sasl: NonNullable<ConnectionOptions['sasl']>, tokens: OAuthTokenSource | null) {
  if (sasl.mechanism !== 'OAUTHBEARER') return { mechanism: sasl.mechanism, username: sasl.username, password: sasl.password }
  return {
    mechanism: sasl.mechanism,
    token: () => tokens!.token(),
    ...(sasl.oauth.extensions ? { oauthBearerExtensions: { ...sasl.oauth.extensions } } : {}),
    // A broker that rejects the token answers with a JSON status instead of an error code (RFC 7628 §3.2.2).
    authBytesValidator: (authBytes: Buffer, callback: (error: Error | null, value?: Buffer) => void) => {
      const status = oauthRejection(authBytes)
      if (status) callback(Object.assign(new Error(`OAUTHBEARER token rejected: ${status}`), { apiCode: 58, serverErrorMessage: status }))
      else callback(null, authBytes)
    },
  }
}

/** The broker's error status in an OAUTHBEARER answer ({"status":"invalid_token",…}), or null when it accepted the token. */
export function oauthRejection(authBytes: Buffer): string | null {
  if (authBytes.length === 0) return null
  try {
    const answer = JSON.parse(authBytes.toString('utf8')) as { status?: unknown }
    return typeof answer.status === 'string' ? authBytes.toString('utf8') : null
  } catch {
    return null
  }
}

export interface ClusterMembers {
  readonly clusterId: string | null
  /** What the cluster reports as controller: in KRaft a random live broker, not the quorum leader. */
  readonly controllerId: number
  readonly addresses: Map<number, BrokerAddress>
}

export class Session {
  readonly servers: readonly string[]
  readonly apiVersions: ApiVersionsAnswer
  readonly #options: ConnectionOptions
  readonly #pool: ConnectionPool
  readonly #bootstrap: readonly Broker[]
  #addresses: Map<number, BrokerAddress> | null = null
  #preferred: Broker
  readonly #health: BrokerHealth
  #membersRead: Promise<ClusterMembers> | null = null

  private constructor(options: ConnectionOptions, pool: ConnectionPool, bootstrap: readonly Broker[], first: Broker, apiVersions: ApiVersionsAnswer) {
    this.#options = options
    this.servers = options.bootstrapServers
    this.#pool = pool
    this.#bootstrap = bootstrap
    this.#preferred = first
    this.apiVersions = apiVersions
    this.#health = new BrokerHealth(options.onNotice)
  }

  /** Connects to the first bootstrap server that answers and reads its API versions and features. */
  static async open(options: ConnectionOptions): Promise<Session> {
    const tokens = options.sasl?.mechanism === 'OAUTHBEARER' ? new OAuthTokenSource(options.sasl.oauth) : null
    // The first token before the first connection: a token endpoint that refuses us is said as such.
    if (tokens) await tokens.token()
    const pool = new ConnectionPool(options.clientId ?? 'runbook', {
      connectTimeout: options.connectTimeoutMs ?? 5000,
      requestTimeout: options.requestTimeoutMs ?? 15000,
      // Node sends the host name as SNI by itself (never an IP address).
      ...(options.tls ? { tls: tlsOptions(options.tls) } : {}),
      ...(options.sasl ? { sasl: saslOptions(options.sasl, tokens) } : {}),
    })
    const bootstrap = options.bootstrapServers.map(parseServer)
    try {
      await pool.getFirstAvailable([...bootstrap])
      const connected = bootstrap.find((b) => pool.has(b)) ?? bootstrap[0]!
      const askVersions = (broker: Broker) =>
        pool.get(broker).then(async (connection) => ({ broker, versions: await apiVersionsV3.async(connection, softwareName, softwareVersion) }))
      const first = await firstToAnswer(connected, bootstrap, askVersions)
      let versions = first.versions
      // v4 lists features whose lowest level is 0 (ELR among them); v3 leaves them out (KIP-1022).
      if ((versions.apis.get(18)?.max ?? 0) >= 4) versions = await apiVersionsV4.async(await pool.get(first.broker), softwareName, softwareVersion)
      const session = new Session(options, pool, bootstrap, first.broker, versions)
      session.#health.sent(brokerKey(first.broker))
      session.#health.settled(brokerKey(first.broker), true)
      // The other bootstrap servers are asked for their API versions in the background: those that answer can
      // take part of the requests made together. One that never answers (a hung broker still accepts
      // connections) is never chosen, so it delays nothing.
      for (const broker of bootstrap) if (brokerKey(broker) !== brokerKey(first.broker)) session.#probe(broker).catch(() => {})
      return session
    } catch (error) {
      await pool.close().catch(() => {})
      throw await explainedConnectionError(error, options)
    }
  }

  /** The highest version both sides speak, or null when the broker has none of `implemented`. */
  version(apiKey: number, implemented: readonly number[]): number | null {
    const range = this.apiVersions.apis.get(apiKey)
    if (!range) return null
    const usable = implemented.filter((v) => v >= range.min && v <= range.max)
    return usable.length ? Math.max(...usable) : null
  }

  /**
   * Runs a request any broker can answer, moving on to the next broker when one does not answer. A broker
   * answers one request per connection at a time, so independent requests made together (the pages of a
   * large answer, and per-topic reads started beside them) go first to whichever connected broker has the
   * fewest of ours in flight, rather than queueing on one connection.
   */
  async anyBroker<T>(request: (connection: Connection) => Promise<T>): Promise<T> {
    let lastError: unknown
    const silent: Broker[] = []
    for (const broker of this.#candidates()) {
      const key = brokerKey(broker)
      if (this.#health.silent(key)) {
        silent.push(broker)
        if (this.#health.inFlight(key) === 0) this.#probe(broker).catch(() => {})
        continue
      }
      // Not heard from lately: a short question first, so a hung broker costs the probe bound, not the timeout.
      if (!this.#health.fresh(key) && !(await this.#answersProbe(broker))) {
        silent.push(broker)
        continue
      }
      try {
        return await this.#askAsPreferred(broker, request)
      } catch (error) {
        const kind = connectionFaultKind(error)
        if (kind === null) throw error
        if (kind === 'timeout' || kind === 'unreachable')
          this.#health.markSilent(key, this.#brokerName(broker), kind === 'timeout' ? 'it did not answer in time' : 'it is down or unreachable')
        lastError = error
      }
    }
    // Every broker left aside: they may only be slow, so each still gets the request with the full timeout.
    for (const broker of silent) {
      try {
        return await this.#askAsPreferred(broker, request)
      } catch (error) {
        if (connectionFaultKind(error) === null) throw error
        lastError = error
      }
    }
    throw await explainedConnectionError(lastError, this.#options)
  }

  async #askAsPreferred<T>(broker: Broker, request: (connection: Connection) => Promise<T>): Promise<T> {
    const result = await this.#ask(broker, request)
    this.#preferred = broker
    return result
  }

  /** One request on one broker, counted while in flight; whether the broker answered is remembered. */
  async #ask<T>(broker: Broker, request: (connection: Connection) => Promise<T>): Promise<T> {
    const key = brokerKey(broker)
    this.#health.sent(key)
    let answered = false
    try {
      const result = await request(await this.#pool.get(broker))
      answered = true
      return result
    } catch (error) {
      // A protocol error is an answer too.
      answered = connectionFaultKind(error) === null
      throw error
    } finally {
      this.#health.settled(key, answered)
    }
  }

  /** ApiVersions: the cheapest question a broker answers at once when it is alive. */
  #probe(broker: Broker): Promise<unknown> {
    return this.#ask(broker, (connection) => apiVersionsV3.async(connection, softwareName, softwareVersion))
  }

  /** Whether the broker answers the probe within its bound; one that does not is left aside (said once). */
  async #answersProbe(broker: Broker): Promise<boolean> {
    const probe = this.#probe(broker)
    const answer = await within(probe, probeBoundMs).catch(() => 'failed' as const)
    if (answer !== 'timedOut' && answer !== 'failed') return true
    probe.catch(() => {})
    this.#health.markSilent(brokerKey(broker), this.#brokerName(broker), `no answer to a probe within ${probeBoundMs / 1000} s: hung or overloaded`)
    return false
  }

  #brokerName(broker: Broker): string {
    const key = brokerKey(broker)
    const registered = [...(this.#addresses?.values() ?? [])].find((b) => brokerKey(b) === key)
    return registered ? `broker ${registered.id} (${key})` : `broker ${key}`
  }

  /**
   * Connected brokers that have answered, least busy first (the last one that answered wins a tie, so requests
   * made one after another stay on one broker); then the others to try.
   */
  #candidates(): Broker[] {
    const registered = [...(this.#addresses?.values() ?? [])].filter((b) => b.fenced !== true)
    const unique = new Map<string, Broker>()
    for (const broker of [this.#preferred, ...this.#bootstrap, ...registered]) if (!unique.has(brokerKey(broker))) unique.set(brokerKey(broker), broker)
    const all = [...unique.values()]
    const connected = all.filter((b) => this.#health.answers(brokerKey(b)) && this.#pool.getEstablishedConnection(b)?.isConnected() === true)
    const busy = (b: Broker) => this.#health.inFlight(brokerKey(b))
    // Array.prototype.sort is stable: among equally busy brokers the preferred one stays first.
    return [...connected.sort((a, b) => busy(a) - busy(b)), ...all.filter((b) => !connected.includes(b))]
  }

  /** Runs a request on one broker; a broker that is down or silent is an error value, not an exception. */
  async onBroker<T>(brokerId: number, request: (connection: Connection) => Promise<T>): Promise<{ value: T } | { error: KafkaError }> {
    let address = (await this.addresses()).get(brokerId)
    if (!address) address = (await this.addresses(true)).get(brokerId)
    if (!address) return { error: brokerFault(brokerId, new Error(`broker ${brokerId} is not registered`)) }
    try {
      return { value: await this.#ask(address, request) }
    } catch (error) {
      if (connectionFaultKind(error) === null) throw error
      return { error: brokerFault(brokerId, error) }
    }
  }

  /** Where every registered broker listens (fenced ones too on Kafka 4.0+, marked). */
  async addresses(refresh = false): Promise<Map<number, BrokerAddress>> {
    if (this.#addresses && !refresh) return this.#addresses
    return (await this.clusterMembers()).addresses
  }

  /**
   * The cluster's id, the controller id it reports and its registered brokers, in one request. Callers that
   * ask while a read is on its way share it: status asks for the brokers three ways at once.
   */
  clusterMembers(): Promise<ClusterMembers> {
    this.#membersRead ??= this.#readMembers().finally(() => {
      this.#membersRead = null
    })
    return this.#membersRead
  }

  async #readMembers(): Promise<ClusterMembers> {
    const fencedVisible = this.version(60, [2]) !== null
    const members = await this.anyBroker(async (connection): Promise<Omit<ClusterMembers, 'addresses'> & { brokers: BrokerAddress[] }> => {
      if (fencedVisible) {
        const answer = await send(describeClusterV2, connection, false, 1, true)
        const brokers = answer.brokers.map((b) => ({ id: b.brokerId, host: b.host, port: b.port, rack: b.rack, fenced: b.isFenced }))
        return { clusterId: answer.clusterId, controllerId: answer.controllerId, brokers }
      }
      const answer = await send(metadataV12.api, connection, [], false, false)
      const brokers = answer.brokers.map((b) => ({ id: b.nodeId, host: b.host, port: b.port, rack: b.rack ?? null, fenced: null }))
      return { clusterId: answer.clusterId ?? null, controllerId: answer.controllerId, brokers }
    })
    this.#addresses = new Map(members.brokers.map((b) => [b.id, b]))
    return { clusterId: members.clusterId, controllerId: members.controllerId, addresses: this.#addresses }
  }

  async close(): Promise<void> {
    await this.#pool.close()
  }
}

/**
 * The first bootstrap server to answer `ask`: the one already connected is asked first; when it stays silent
 * past the probe bound (a hung broker accepts connections), the others are asked too. When none answers, the
 * first one's failure is what the operator hears, as if it had been asked alone.
 */
async function firstToAnswer<T>(connected: Broker, bootstrap: readonly Broker[], ask: (broker: Broker) => Promise<T>): Promise<T> {
  const first = ask(connected)
  const early = await within(first, probeBoundMs)
  if (early !== 'timedOut') return early.value
  const others = bootstrap.filter((b) => brokerKey(b) !== brokerKey(connected)).map(ask)
  return Promise.any([first, ...others]).catch(() => first)
}
