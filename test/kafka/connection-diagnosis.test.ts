// Every TLS and SASL failure as one line naming its cause and the property to change, from what a probe of
// the listener saw. The observations here are the ones measured on the secured sandbox (Kafka 4.3.1): a
// TLS 1.3 broker rejects a missing client certificate with bad_certificate, an untrusted or expired one with
// certificate_unknown, after the handshake; the integration tests check the real thing.

import { describe, expect, it } from 'vitest'
import { explainConnectionFailure, type ListenerObservation } from '../../lib/kafka/connection-diagnosis.ts'
import type { ConnectionOptions } from '../../lib/kafka/types.ts'
import { createAuthority, issueCertificate, validFor } from '../../lib/sandbox/pki.ts'

const now = new Date('2026-06-01T00:00:00Z')
const ca = createAuthority('Diag CA', validFor(3650, new Date('2026-01-01T00:00:00Z')))
const fresh = issueCertificate(ca, { commonName: 'ops-client', purpose: 'client', validity: validFor(365, new Date('2026-01-01T00:00:00Z')) })
const expired = issueCertificate(ca, {
  commonName: 'old-client',
  purpose: 'client',
  validity: { notBefore: new Date('2025-01-01T00:00:00Z'), notAfter: new Date('2026-03-01T00:00:00Z') },
})

const brokerCert = {
  subject: 'CN=kafka-1',
  issuer: 'CN=Corp CA',
  validFrom: 'Jan  1 00:00:00 2026 GMT',
  validTo: 'Jan  1 00:00:00 2027 GMT',
  altNames: 'DNS:kafka-1.corp, DNS:kafka-1',
}
const seen = (over: Partial<ListenerObservation>): ListenerObservation => ({
  server: '10.1.2.3:9093',
  tcp: 'open',
  tls: null,
  plaintext: null,
  speaksTls: null,
  sasl: null,
  ...over,
})
const tlsSeen = (over: Partial<NonNullable<ListenerObservation['tls']>> = {}): ListenerObservation['tls'] => ({
  outcome: 'established',
  failure: null,
  serverChain: [brokerCert],
  verifyError: null,
  alert: null,
  answered: true,
  ...over,
})
const options = (over: Partial<ConnectionOptions> = {}): ConnectionOptions => ({
  bootstrapServers: ['10.1.2.3:9093'],
  names: {
    file: 'client.properties',
    trustStore: 'ssl.truststore.location',
    keyStore: 'ssl.keystore.location',
    mechanism: 'sasl.mechanism',
    credentials: 'sasl.jaas.config',
  },
  ...over,
})
const noFailure = { saslErrorCode: null, brokerMessage: null }
const scram = { mechanism: 'SCRAM-SHA-512', username: 'ops', password: 'pw' } as const

describe('a line per cause', () => {
  it.each([
    {
      name: 'client certificate missing',
      seen: seen({ tls: tlsSeen({ alert: 'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE', answered: false }) }),
      options: options({ tls: { ca: ca.certPem, verifyHostname: false } }),
      reason: 'client-certificate-missing',
      line: 'the brokers at 10.1.2.3:9093 require a client certificate and none is set (TLS alert bad_certificate) — set ssl.keystore.location (or ssl.certificate.location and ssl.key.location)',
    },
    {
      name: 'client certificate untrusted',
      seen: seen({ tls: tlsSeen({ alert: 'ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN', answered: false }) }),
      options: options({ tls: { ca: ca.certPem, cert: fresh.certPem, key: fresh.keyPem, verifyHostname: false } }),
      reason: 'client-certificate-untrusted',
      line: "the brokers at 10.1.2.3:9093 do not trust our client certificate (CN=ops-client, issued by CN=Diag CA) (TLS alert certificate_unknown) — use a certificate signed by a CA in the brokers' ssl.truststore, in ssl.keystore.location",
    },
    {
      name: 'client certificate expired',
      seen: seen({ tls: tlsSeen({ alert: 'ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN', answered: false }) }),
      options: options({ tls: { ca: ca.certPem, cert: expired.certPem, key: expired.keyPem, verifyHostname: false } }),
      reason: 'client-certificate-expired',
      line: 'the brokers at 10.1.2.3:9093 rejected our client certificate (CN=old-client, issued by CN=Diag CA): it expired on 2026-03-01T00:00:00Z — renew the certificate in ssl.keystore.location',
    },
    {
      name: 'TLS to a plaintext listener',
      seen: seen({
        tls: { outcome: 'closed', failure: null, serverChain: [], verifyError: null, alert: null, answered: false },
        plaintext: { answered: true },
        sasl: { errorCode: 34, mechanisms: [] },
      }),
      options: options({ tls: {} }),
      reason: 'listener-not-tls',
      line: "10.1.2.3:9093 does not speak TLS: it is a PLAINTEXT listener — set security.protocol=PLAINTEXT, or use the brokers' TLS port",
    },
    {
      name: 'TLS to a SASL_PLAINTEXT listener',
      seen: seen({
        tls: { outcome: 'closed', failure: null, serverChain: [], verifyError: null, alert: null, answered: false },
        plaintext: { answered: true },
        sasl: { errorCode: 33, mechanisms: ['SCRAM-SHA-512'] },
      }),
      options: options({ tls: {}, sasl: { mechanism: 'PLAIN', username: 'u', password: 'p' } }),
      reason: 'listener-not-tls',
      line: "10.1.2.3:9093 does not speak TLS: it is a SASL_PLAINTEXT listener (SASL SCRAM-SHA-512) — set security.protocol=SASL_PLAINTEXT, or use the brokers' TLS port",
    },
    {
      name: 'plaintext to a TLS listener',
      seen: seen({ plaintext: { answered: false }, speaksTls: true }),
      options: options(),
      reason: 'listener-expects-tls',
      line: '10.1.2.3:9093 speaks TLS, but security.protocol=PLAINTEXT sends plaintext — set security.protocol=SSL and a trust store (ssl.truststore.location)',
    },
    {
      name: 'server certificate untrusted',
      seen: seen({ tls: tlsSeen({ verifyError: 'SELF_SIGNED_CERT_IN_CHAIN' }) }),
      options: options({ tls: { ca: ca.certPem } }),
      reason: 'server-certificate-untrusted',
      line: "the broker's certificate at 10.1.2.3:9093 (CN=kafka-1, issued by CN=Corp CA) is not signed by a CA in ssl.truststore.location — add the CA that signed the brokers' certificates to ssl.truststore.location",
    },
    {
      name: 'server certificate untrusted, no trust store set',
      seen: seen({ tls: tlsSeen({ verifyError: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY' }) }),
      options: options({ tls: {}, names: {} }),
      reason: 'server-certificate-untrusted',
      line: "the broker's certificate at 10.1.2.3:9093 (CN=kafka-1, issued by CN=Corp CA) is not signed by a public CA, and no trust store is set — set ssl.truststore.location (or ssl.ca.location) to the CA that signed the brokers' certificates",
    },
    {
      name: 'server certificate expired',
      seen: seen({ tls: tlsSeen({ verifyError: 'CERT_HAS_EXPIRED', serverChain: [{ ...brokerCert, validTo: 'May  1 00:00:00 2026 GMT' }] }) }),
      options: options({ tls: { ca: ca.certPem } }),
      reason: 'server-certificate-expired',
      line: "the broker's certificate at 10.1.2.3:9093 expired on 2026-05-01T00:00:00Z — the brokers need renewed certificates (nothing to change on this side)",
    },
    {
      name: 'server certificate for another host',
      seen: seen({ tls: tlsSeen() }),
      options: options({ tls: { ca: ca.certPem } }),
      reason: 'server-certificate-wrong-host',
      line: "the broker's certificate at 10.1.2.3:9093 is for kafka-1.corp, kafka-1, not 10.1.2.3 — connect by one of those names, or set ssl.endpoint.identification.algorithm= (empty) to skip the host name check",
    },
    {
      name: 'SASL mechanism not enabled',
      seen: seen({ tls: tlsSeen(), sasl: { errorCode: 33, mechanisms: ['SCRAM-SHA-256', 'PLAIN'] } }),
      options: options({ tls: { ca: ca.certPem, verifyHostname: false }, sasl: scram }),
      reason: 'sasl-mechanism-not-enabled',
      line: 'the listener at 10.1.2.3:9093 does not enable SASL SCRAM-SHA-512 (it offers SCRAM-SHA-256, PLAIN) — set sasl.mechanism=SCRAM-SHA-256 (or another it offers)',
    },
    {
      name: 'SASL to a listener without SASL',
      seen: seen({ tls: tlsSeen(), sasl: { errorCode: 34, mechanisms: [] } }),
      options: options({ tls: { ca: ca.certPem, verifyHostname: false }, sasl: scram }),
      reason: 'listener-not-sasl',
      line: "10.1.2.3:9093 does not use SASL (it is an SSL listener) — set security.protocol=SSL and drop the sasl.* settings, or use the brokers' SASL port",
    },
    {
      name: 'no SASL to a listener that requires it',
      seen: seen({ tls: tlsSeen(), sasl: { errorCode: 33, mechanisms: ['SCRAM-SHA-512'] } }),
      options: options({ tls: { ca: ca.certPem, verifyHostname: false } }),
      reason: 'listener-requires-sasl',
      line: 'the listener at 10.1.2.3:9093 requires SASL (it offers SCRAM-SHA-512) — set security.protocol=SASL_SSL, sasl.mechanism and sasl.jaas.config',
    },
  ])('$name', ({ seen: observation, options: given, reason, line }) => {
    const error = explainConnectionFailure(observation, given, noFailure, now)
    expect(error?.message).toBe(line)
    expect(error?.reason).toBe(reason)
  })

  it('authentication failed, with the broker’s words; an OAuth token rejected', () => {
    const sasl = seen({ tls: tlsSeen(), sasl: { errorCode: 0, mechanisms: ['SCRAM-SHA-512'] } })
    const failed = explainConnectionFailure(
      sasl,
      options({ tls: { verifyHostname: false }, sasl: scram }),
      { saslErrorCode: 58, brokerMessage: 'invalid credentials' },
      now,
    )
    expect(failed?.message).toBe(
      'authentication failed for user "ops" with SCRAM-SHA-512 at 10.1.2.3:9093 (the broker said: invalid credentials) — check the username and password in sasl.jaas.config',
    )
    expect(failed?.property).toBe('sasl.jaas.config')
    const oauth = explainConnectionFailure(
      sasl,
      options({
        tls: { verifyHostname: false },
        sasl: { mechanism: 'OAUTHBEARER', oauth: { tokenEndpointUrl: 'https://idp/t', clientId: 'app', clientSecret: 's' } },
      }),
      { saslErrorCode: 58, brokerMessage: '{"status":"invalid_token"}' },
      now,
    )
    expect(oauth?.reason).toBe('oauth-token-rejected')
    expect(oauth?.message).toContain('rejected the OAuth token of client "app" (the broker said: {"status":"invalid_token"})')
  })

  it('says nothing it cannot tell: a listener that refuses connections, or accepts our settings', () => {
    expect(explainConnectionFailure(seen({ tcp: 'refused' }), options({ tls: {} }), noFailure, now)).toBeNull()
    expect(explainConnectionFailure(seen({ plaintext: { answered: true } }), options(), noFailure, now)).toBeNull()
  })
})
