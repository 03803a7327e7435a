// Looks at a listener that refused us, to learn why: a TLS handshake with our certificate that accepts any
// server certificate (so we can tell whose it is and why our trust store would not accept it), a Kafka
// request over it (a TLS 1.3 broker rejects a client certificate only after the handshake, with an alert),
// a plaintext request, and a SaslHandshake for the mechanisms the listener offers. Bounded: every step
// gives up after `timeoutMs`. Runs only after a failure, so a working connection never pays for it.

import type { PeerCertificate, TLSSocket } from 'node:tls'
import type { CertificateFacts, ListenerObservation } from '../connection-diagnosis.ts'
import type { ConnectionOptions } from '../types.ts'
import { Connection, saslHandshakeV1 } from './client.ts'
import { apiVersionsV3 } from './protocol/api-versions.ts'
import { responseOf } from './faults.ts'

type Channel =
  | { readonly state: 'refused' | 'timeout' | 'closed' }
  | { readonly state: 'failed'; readonly code: string }
  | { readonly state: 'open'; readonly connection: Connection; readonly errors: unknown[] }

/** What `server` does with our settings; see ListenerObservation. */
export async function observeListener(server: string, options: ConnectionOptions, timeoutMs = 3000): Promise<ListenerObservation> {
  const colon = server.lastIndexOf(':')
  const host = server.slice(0, colon).replace(/^\[|\]$/g, '')
  const port = Number(server.slice(colon + 1))
  const mechanism = options.sasl?.mechanism ?? 'PLAIN'
  const opened: Connection[] = []
  const open = async (tls: Record<string, unknown> | null): Promise<Channel> => {
    const connection = new Connection('runbook-diagnosis', { connectTimeout: timeoutMs, requestTimeout: timeoutMs, ...(tls ? { tls } : {}) })
    opened.push(connection)
    const errors: unknown[] = []
    connection.on('error', (error: unknown) => errors.push(error))
    try {
      await connection.connect(host, port)
      return { state: 'open', connection, errors }
    } catch (error) {
      const code = errorCodes(error)
      if (code.includes('ECONNREFUSED')) return { state: 'refused' }
      if (code.some((c) => c === 'ETIMEDOUT' || c === 'PLT_KFK_TIMEOUT')) return { state: 'timeout' }
      if (code.includes('ECONNRESET') || code.includes('EPIPE') || /before secure TLS connection|socket hang up/i.test(messages(error)))
        return { state: 'closed' }
      return { state: 'failed', code: code.find((c) => !c.startsWith('PLT_KFK_')) ?? code[0] ?? 'unknown' }
    }
  }
  const answers = async (channel: Channel): Promise<boolean> => {
    if (channel.state !== 'open') return false
    try {
      await apiVersionsV3.async(channel.connection, 'runbook-diagnosis', '1')
      return true
    } catch {
      return false
    }
  }
  const saslOffer = async (channel: Channel): Promise<ListenerObservation['sasl']> => {
    if (channel.state !== 'open' || !channel.connection.isConnected()) return null
    try {
      const answer = await saslHandshakeV1.api.async(channel.connection, mechanism)
      return { errorCode: answer.errorCode, mechanisms: answer.mechanisms }
    } catch (error) {
      // "Not enabled" is an error code, and the list of what is enabled rides on the error.
      const answer = responseOf<{ errorCode: number; mechanisms: string[] }>(error)
      return answer ? { errorCode: answer.errorCode, mechanisms: answer.mechanisms } : null
    }
  }

  try {
    if (options.tls) {
      const channel = await open({
        ...(options.tls.ca ? { ca: options.tls.ca } : {}),
        ...(options.tls.cert ? { cert: options.tls.cert, key: options.tls.key } : {}),
        // Accept whatever the server shows: its certificate is judged below, against our trust store.
        rejectUnauthorized: false,
        checkServerIdentity: () => undefined,
      })
      if (channel.state === 'refused' || channel.state === 'timeout')
        return { server, tcp: channel.state, tls: null, plaintext: null, speaksTls: null, sasl: null }
      if (channel.state !== 'open') {
        const plain = channel.state === 'closed' ? await open(null) : null
        const plainAnswered = plain ? await answers(plain) : false
        return {
          server,
          tcp: 'open',
          tls: {
            outcome: channel.state,
            failure: channel.state === 'failed' ? channel.code : null,
            serverChain: [],
            verifyError: null,
            alert: null,
            answered: false,
          },
          plaintext: plain ? { answered: plainAnswered } : null,
          speaksTls: false,
          sasl: plain && plainAnswered ? await saslOffer(plain) : null,
        }
      }
      const socket = channel.connection.socket as TLSSocket
      const serverChain = chainOf(socket.getPeerCertificate(true))
      const verifyError = socket.authorized ? null : String(socket.authorizationError ?? 'UNABLE_TO_VERIFY')
      const answered = await answers(channel)
      // An alert arrives as an 'error' event on the connection, just before it closes.
      if (!answered) await new Promise((resolve) => setTimeout(resolve, 50))
      const alert = channel.errors.flatMap(errorCodes).find((code) => /ALERT/.test(code)) ?? null
      return {
        server,
        tcp: 'open',
        tls: { outcome: 'established', failure: null, serverChain, verifyError, alert, answered },
        plaintext: null,
        speaksTls: true,
        sasl: answered ? await saslOffer(channel) : null,
      }
    }
    const plain = await open(null)
    if (plain.state === 'refused' || plain.state === 'timeout') return { server, tcp: plain.state, tls: null, plaintext: null, speaksTls: null, sasl: null }
    const answered = await answers(plain)
    let speaksTls: boolean | null = null
    if (!answered) {
      const tls = await open({ rejectUnauthorized: false, checkServerIdentity: () => undefined })
      speaksTls = tls.state === 'open'
    }
    return { server, tcp: 'open', tls: null, plaintext: { answered }, speaksTls, sasl: answered ? await saslOffer(plain) : null }
  } finally {
    await Promise.allSettled(opened.map((connection) => connection.close()))
  }
}

function chainOf(leaf: PeerCertificate | undefined): CertificateFacts[] {
  const chain: CertificateFacts[] = []
  let current = leaf as (PeerCertificate & { issuerCertificate?: PeerCertificate }) | undefined
  while (current && Object.keys(current).length > 0 && chain.length < 10) {
    chain.push({
      subject: nameOf(current.subject),
      issuer: nameOf(current.issuer),
      validFrom: current.valid_from,
      validTo: current.valid_to,
      altNames: current.subjectaltname ?? null,
    })
    const next = current.issuerCertificate
    if (!next || next === current || next.fingerprint256 === current.fingerprint256) break
    current = next
  }
  return chain
}

// Node gives names as objects ({ CN: 'x', O: 'y' }); the diagnosis takes them as X509Certificate does, one per line.
function nameOf(name: PeerCertificate['subject'] | undefined): string {
  return Object.entries(name ?? {})
    .map(([key, value]) => `${key}=${Array.isArray(value) ? value.join('+') : value}`)
    .join('\n')
}

function errorCodes(error: unknown): string[] {
  const codes: string[] = []
  for (let e = error as { code?: string; cause?: unknown; errors?: unknown[] } | undefined; e && typeof e === 'object'; e = e.cause as typeof e) {
    if (e.code) codes.push(e.code)
    for (const inner of e.errors ?? []) codes.push(...errorCodes(inner))
  }
  return codes
}

function messages(error: unknown): string {
  const parts: string[] = []
  for (let e = error as { message?: string; cause?: unknown } | undefined; e && typeof e === 'object'; e = e.cause as typeof e) parts.push(e.message ?? '')
  return parts.join(' | ')
}
