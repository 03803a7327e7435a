// Why a connection failed, said for what it is: from what a probe of the listener observed (does it speak
// TLS, whose certificate does it show, did it reject ours, which SASL mechanisms does it offer) and what our
// own settings are, one line naming the cause and the property to change. Pure: observations in, error out.

import { X509Certificate } from 'node:crypto'
import { checkServerIdentity } from 'node:tls'
import { type ConnectionOptions, KafkaConnectionError } from './types.ts'

/** A certificate as the probe saw it. */
export interface CertificateFacts {
  readonly subject: string
  readonly issuer: string
  readonly validFrom: string
  readonly validTo: string
  /** "DNS:localhost, IP Address:127.0.0.1", or null when it has no subjectAltName. */
  readonly altNames: string | null
}

/** What one probe of one bootstrap server observed. */
export interface ListenerObservation {
  readonly server: string
  readonly tcp: 'open' | 'refused' | 'timeout'
  /** A TLS attempt with our certificate and trust, the server's certificate checked afterwards; null when not tried. */
  readonly tls: null | {
    /** closed: the peer hung up before the handshake finished (a listener that does not speak TLS). */
    readonly outcome: 'established' | 'closed' | 'failed'
    /** The handshake's error code when it failed, e.g. ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE. */
    readonly failure: string | null
    /** Leaf first. */
    readonly serverChain: readonly CertificateFacts[]
    /** Why our trust store does not accept the server's chain (OpenSSL's verify code), or null when it does. */
    readonly verifyError: string | null
    /** A TLS alert the server sent after the handshake: how a TLS 1.3 server rejects a client certificate. */
    readonly alert: string | null
    /** Did a Kafka request get its answer over this channel? */
    readonly answered: boolean
  }
  /** A Kafka request over plain TCP; null when not tried. */
  readonly plaintext: null | { readonly answered: boolean }
  /** Does the listener complete a TLS handshake (checked when we sent plaintext and it hung up)? */
  readonly speaksTls: boolean | null
  /** The listener's SaslHandshake answer over the channel that worked: 0 (ours enabled), 33 (not enabled, here is the list), 34 (no SASL here). */
  readonly sasl: null | { readonly errorCode: number; readonly mechanisms: readonly string[] }
}

/** What the failed connection attempt itself said: the broker's SASL answer, if it got that far. */
export interface FailureFacts {
  readonly saslErrorCode: number | null
  readonly brokerMessage: string | null
}

const saslNotEnabled = 33
const saslIllegalState = 34
const saslAuthenticationFailed = 58

/**
 * The one-line error for a connection that failed, or null when the observation does not explain it (the
 * broker is down, or answers slowly): the caller keeps its generic line then.
 */
export function explainConnectionFailure(
  seen: ListenerObservation,
  options: ConnectionOptions,
  failure: FailureFacts,
  now = new Date(),
): KafkaConnectionError | null {
  if (seen.tcp !== 'open') return null
  const names = options.names ?? {}
  const protocolProperty = 'security.protocol'
  const trustProperty = names.trustStore ?? 'ssl.truststore.location'
  const keyProperty = names.keyStore ?? 'ssl.keystore.location'
  const mechanismProperty = names.mechanism ?? 'sasl.mechanism'
  const at = seen.server
  const fault = (kind: 'tls' | 'auth' | 'config', reason: string, property: string | null, message: string) =>
    new KafkaConnectionError(kind, message, { reason, property })

  if (options.tls && seen.tls) {
    const tls = seen.tls
    if (tls.outcome === 'closed' && seen.plaintext?.answered) {
      const sasl = seen.sasl && seen.sasl.errorCode !== saslIllegalState
      const protocol = sasl ? 'SASL_PLAINTEXT' : 'PLAINTEXT'
      return fault(
        'tls',
        'listener-not-tls',
        protocolProperty,
        `${at} does not speak TLS: it is a ${protocol} listener${sasl ? ` (SASL ${seen.sasl!.mechanisms.join(', ')})` : ''} — set security.protocol=${protocol}, or use the brokers' TLS port`,
      )
    }
    const leaf = tls.serverChain[0]
    if (tls.outcome === 'established' && tls.verifyError && options.tls.verifyCertificate !== false && leaf) {
      const expiredCert = [...tls.serverChain].reverse().find((cert) => Date.parse(cert.validTo) < now.getTime())
      if (tls.verifyError === 'CERT_HAS_EXPIRED' || expiredCert) {
        const which =
          expiredCert === leaf || !expiredCert ? `the broker's certificate at ${at}` : `the CA certificate ${cn(expiredCert.subject)} in ${at}'s chain`
        return fault(
          'tls',
          'server-certificate-expired',
          null,
          `${which} expired on ${isoDay((expiredCert ?? leaf).validTo)} — the brokers need renewed certificates (nothing to change on this side)`,
        )
      }
      if (tls.verifyError === 'CERT_NOT_YET_VALID') {
        return fault(
          'tls',
          'server-certificate-not-yet-valid',
          null,
          `the broker's certificate at ${at} is not valid before ${isoDay(leaf.validFrom)} — check this machine's clock`,
        )
      }
      const issuer = cn(tls.serverChain.at(-1)!.issuer)
      return fault(
        'tls',
        'server-certificate-untrusted',
        trustProperty,
        options.tls.ca
          ? `the broker's certificate at ${at} (${cn(leaf.subject)}, issued by ${issuer}) is not signed by a CA in ${trustProperty} — add the CA that signed the brokers' certificates to ${trustProperty}`
          : `the broker's certificate at ${at} (${cn(leaf.subject)}, issued by ${issuer}) is not signed by a public CA, and no trust store is set — set ssl.truststore.location (or ssl.ca.location) to the CA that signed the brokers' certificates`,
      )
    }
    if (tls.outcome === 'established' && leaf && options.tls.verifyHostname !== false && options.tls.verifyCertificate !== false) {
      const host = at.slice(0, at.lastIndexOf(':')).replace(/^\[|\]$/g, '')
      const mismatch = checkServerIdentity(host, peerCertificate(leaf))
      if (mismatch) {
        return fault(
          'tls',
          'server-certificate-wrong-host',
          'ssl.endpoint.identification.algorithm',
          `the broker's certificate at ${at} is for ${certificateNames(leaf)}, not ${host} — connect by one of those names, or set ssl.endpoint.identification.algorithm= (empty) to skip the host name check`,
        )
      }
    }
    const alert = tls.alert ?? (tls.outcome === 'failed' && /ALERT/.test(tls.failure ?? '') ? tls.failure : null)
    if (alert) return clientCertificateRejected(at, alert, options, keyProperty, now)
    if (tls.outcome === 'failed') {
      return fault(
        'tls',
        'tls-handshake-failed',
        protocolProperty,
        `TLS handshake with ${at} failed (${tls.failure}) — check ssl.enabled.protocols and that ${at} is the brokers' TLS port`,
      )
    }
    if (tls.outcome === 'closed') {
      return fault(
        'tls',
        'tls-closed',
        protocolProperty,
        `${at} hung up during the TLS handshake — check that it is the brokers' TLS port and security.protocol`,
      )
    }
  }

  if (!options.tls && seen.plaintext && !seen.plaintext.answered && seen.speaksTls) {
    const protocol = options.sasl ? 'SASL_SSL' : 'SSL'
    return fault(
      'tls',
      'listener-expects-tls',
      protocolProperty,
      `${at} speaks TLS, but security.protocol=${options.sasl ? 'SASL_PLAINTEXT' : 'PLAINTEXT'} sends plaintext — set security.protocol=${protocol} and a trust store (ssl.truststore.location)`,
    )
  }

  const sasl = seen.sasl
  const listener = options.tls ? 'SSL' : 'PLAINTEXT'
  if (options.sasl && (failure.saslErrorCode === saslIllegalState || sasl?.errorCode === saslIllegalState)) {
    return fault(
      'auth',
      'listener-not-sasl',
      protocolProperty,
      `${at} does not use SASL (it is ${listener === 'SSL' ? 'an' : 'a'} ${listener} listener) — set security.protocol=${listener} and drop the sasl.* settings, or use the brokers' SASL port`,
    )
  }
  if (options.sasl && (failure.saslErrorCode === saslNotEnabled || sasl?.errorCode === saslNotEnabled)) {
    const offered = sasl?.mechanisms ?? []
    return fault(
      'auth',
      'sasl-mechanism-not-enabled',
      mechanismProperty,
      `the listener at ${at} does not enable SASL ${options.sasl.mechanism}${offered.length ? ` (it offers ${offered.join(', ')})` : ''} — set ${mechanismProperty}=${offered[0] ?? '<one it offers>'}${offered.length > 1 ? ' (or another it offers)' : ''}`,
    )
  }
  if (!options.sasl && sasl && sasl.errorCode !== saslIllegalState && sasl.mechanisms.length > 0) {
    const protocol = options.tls ? 'SASL_SSL' : 'SASL_PLAINTEXT'
    return fault(
      'auth',
      'listener-requires-sasl',
      protocolProperty,
      `the listener at ${at} requires SASL (it offers ${sasl.mechanisms.join(', ')}) — set security.protocol=${protocol}, sasl.mechanism and sasl.jaas.config`,
    )
  }
  if (options.sasl && failure.saslErrorCode === saslAuthenticationFailed) {
    const said = failure.brokerMessage ? ` (the broker said: ${failure.brokerMessage})` : ''
    if (options.sasl.mechanism === 'OAUTHBEARER') {
      return fault(
        'auth',
        'oauth-token-rejected',
        'sasl.oauthbearer.token.endpoint.url',
        `the brokers at ${at} rejected the OAuth token of client "${options.sasl.oauth.clientId}"${said} — check the token's audience, issuer, scope and signing key against the brokers' sasl.oauthbearer.* settings`,
      )
    }
    return fault(
      'auth',
      'authentication-failed',
      names.credentials ?? 'sasl.jaas.config',
      `authentication failed for user "${options.sasl.username}" with ${options.sasl.mechanism} at ${at}${said} — check the username and password in ${names.credentials ?? 'sasl.jaas.config'}`,
    )
  }
  return null
}

/** The brokers refused our client certificate (or its absence): expired, not yet valid, untrusted or missing. */
function clientCertificateRejected(at: string, alert: string, options: ConnectionOptions, keyProperty: string, now: Date): KafkaConnectionError {
  const ours = options.tls?.cert ? new X509Certificate(options.tls.cert) : null
  const fault = (reason: string, property: string, message: string) => new KafkaConnectionError('tls', message, { reason, property })
  if (!ours) {
    return fault(
      'client-certificate-missing',
      'ssl.keystore.location',
      `the brokers at ${at} require a client certificate and none is set (TLS alert ${alertName(alert)}) — set ssl.keystore.location (or ssl.certificate.location and ssl.key.location)`,
    )
  }
  const who = `our client certificate (${cn(ours.subject)}, issued by ${cn(ours.issuer)})`
  if (Date.parse(ours.validTo) < now.getTime()) {
    return fault(
      'client-certificate-expired',
      keyProperty,
      `the brokers at ${at} rejected ${who}: it expired on ${isoDay(ours.validTo)} — renew the certificate in ${keyProperty}`,
    )
  }
  if (Date.parse(ours.validFrom) > now.getTime()) {
    return fault(
      'client-certificate-not-yet-valid',
      keyProperty,
      `the brokers at ${at} rejected ${who}: it is not valid before ${isoDay(ours.validFrom)} — check the clocks, or the certificate in ${keyProperty}`,
    )
  }
  return fault(
    'client-certificate-untrusted',
    keyProperty,
    `the brokers at ${at} do not trust ${who} (TLS alert ${alertName(alert)}) — use a certificate signed by a CA in the brokers' ssl.truststore, in ${keyProperty}`,
  )
}

/** "CN=runbook-client" from a subject or issuer (Node joins its parts with new lines). */
function cn(name: string): string {
  const common = name.split('\n').find((part) => part.startsWith('CN='))
  return common ?? name.split('\n').join(', ')
}

function isoDay(date: string): string {
  const parsed = new Date(date)
  return Number.isNaN(parsed.getTime()) ? date : parsed.toISOString().replace('.000Z', 'Z')
}

function alertName(code: string): string {
  return (/ALERT_([A-Z_]+)$/.exec(code)?.[1] ?? code).toLowerCase()
}

/** The names a certificate is for: its subjectAltName entries, else its common name. */
function certificateNames(cert: CertificateFacts): string {
  if (cert.altNames) return cert.altNames.replace(/(DNS|IP Address):/g, '')
  return cn(cert.subject).replace(/^CN=/, '')
}

// tls.checkServerIdentity takes the shape of getPeerCertificate(): subject as an object and subjectaltname.
function peerCertificate(cert: CertificateFacts): Parameters<typeof checkServerIdentity>[1] {
  const subject = Object.fromEntries(cert.subject.split('\n').map((part) => part.split('=') as [string, string]))
  return { subject, subjectaltname: cert.altNames ?? undefined } as unknown as Parameters<typeof checkServerIdentity>[1]
}
