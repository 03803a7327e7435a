// Where the client's errors stop: protocol errors become KafkaError values; "cannot reach the cluster at
// all" becomes one KafkaConnectionError line that says what to do.

import { ErrorCode, errorName, kafkaError } from '../errors.ts'
import { type ConnectionFaultKind, KafkaConnectionError, type KafkaError } from '../types.ts'

export interface ErrorLike {
  message?: string
  code?: string
  apiCode?: number
  apiId?: string
  serverErrorMessage?: string | null
  errors?: unknown[]
  cause?: unknown
  response?: unknown
}

/** Every error in the chain: the error itself, its causes and the members of aggregate errors. */
export function chain(error: unknown, seen = new Set<unknown>()): ErrorLike[] {
  if (!error || typeof error !== 'object' || seen.has(error)) return []
  seen.add(error)
  const e = error as ErrorLike
  return [e, ...(e.errors ?? []).flatMap((inner) => chain(inner, seen)), ...chain(e.cause, seen)]
}

/** The decoded response a client parser attached to the error it threw for per-item error codes. */
export function responseOf<T>(error: unknown): T | undefined {
  const e = error as ErrorLike | null
  return e && typeof e === 'object' && e.response !== undefined && (e as { code?: string }).code === 'PLT_KFK_RESPONSE' ? (e.response as T) : undefined
}

/** The first Kafka protocol error code in the chain, if the broker answered with one. */
export function protocolErrorOf(error: unknown): KafkaError | undefined {
  const found = chain(error).find((e) => typeof e.apiCode === 'number')
  return found ? kafkaError(found.apiCode!, found.serverErrorMessage) : undefined
}

const tlsCodes = /^(ERR_SSL_|ERR_TLS_|CERT_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_(GET|VERIFY)_|HOSTNAME_MISMATCH)/

/** What kind of connection failure this is, or null when it is not one (a bug or a protocol error). */
export function connectionFaultKind(error: unknown): ConnectionFaultKind | null {
  const links = chain(error)
  const codes = links.map((e) => e.code ?? '')
  const messages = links.map((e) => e.message ?? '').join(' | ')
  if (links.some((e) => e.apiCode === 58 || e.apiCode === 33 || e.apiCode === 34) || codes.includes('PLT_KFK_AUTHENTICATION')) return 'auth'
  if (codes.some((c) => tlsCodes.test(c)) || /TLS handshake|certificate|SSL routines|wrong version number/i.test(messages)) return 'tls'
  if (codes.includes('PLT_KFK_TIMEOUT') || codes.includes('ETIMEDOUT') || /timed out/i.test(messages)) return 'timeout'
  if (codes.some((c) => ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'EPIPE'].includes(c))) return 'unreachable'
  if (codes.includes('PLT_KFK_NETWORK') || (codes.includes('PLT_KFK_MULTIPLE') && /connect/i.test(messages))) return 'unreachable'
  if (codes.includes('PLT_KFK_UNSUPPORTED_API')) return 'unsupported'
  return null
}

const advice: Record<ConnectionFaultKind, string> = {
  unreachable: 'check --bootstrap-server and that the brokers are up and reachable from here',
  auth: 'check the SASL mechanism, username and password in --command-config',
  tls: 'check security.protocol and the CA / certificates in --command-config (does the listener speak TLS?)',
  timeout: 'the brokers accepted the connection but did not answer in time — check they are healthy, or raise request.timeout.ms',
  unsupported: 'this Kafka is too old for runbook (it needs 3.5 or newer)',
  config: 'fix the connection settings',
}

function detail(error: unknown): string {
  const links = chain(error)
  const code = links.map((e) => e.code).find((c) => c && !c.startsWith('PLT_KFK_'))
  const kafka = links.find((e) => typeof e.apiCode === 'number')
  if (kafka) return errorName(kafka.apiCode!)
  return code ?? links.at(-1)?.message ?? 'no answer'
}

/** The one-line error for a cluster that cannot be asked at all. */
export function connectionError(error: unknown, servers: readonly string[]): KafkaConnectionError {
  const kind = connectionFaultKind(error) ?? 'unreachable'
  // The listener does not do SASL (ILLEGAL_SASL_STATE) or not this mechanism (UNSUPPORTED_SASL_MECHANISM).
  const mechanism = chain(error).find((e) => e.apiCode === 33 || e.apiCode === 34)
  if (mechanism) {
    return new KafkaConnectionError(
      'auth',
      `SASL refused by ${servers.join(',')} (${errorName(mechanism.apiCode!)}) — check security.protocol and sasl.mechanism in --command-config against the listener`,
      { cause: error },
    )
  }
  const what =
    kind === 'auth'
      ? 'authentication failed at'
      : kind === 'tls'
        ? 'TLS handshake failed with'
        : kind === 'timeout'
          ? 'timed out talking to'
          : kind === 'unsupported'
            ? 'unsupported Kafka at'
            : 'cannot reach'
  return new KafkaConnectionError(kind, `${what} ${servers.join(',')} (${detail(error)}) — ${advice[kind]}`, { cause: error })
}

/** A per-broker failure as a value: the broker is down, unreachable or too slow. */
export function brokerFault(brokerId: number, error: unknown): KafkaError {
  const kafka = protocolErrorOf(error)
  if (kafka) return kafka
  const kind = connectionFaultKind(error)
  if (kind === 'timeout') return kafkaError(ErrorCode.REQUEST_TIMED_OUT, `broker ${brokerId} did not answer in time`)
  return kafkaError(ErrorCode.BROKER_NOT_AVAILABLE, `broker ${brokerId} did not answer: it is down or unreachable (${detail(error)})`)
}
