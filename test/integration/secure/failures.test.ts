// Every TLS and SASL failure against the secured sandbox, said for what it is: the exact line `runbook status`
// prints, and — where it matters — Kafka's own tool refusing the same file too. Local problems (a key that
// does not decrypt) are found before any connection: they are reported even with nothing listening.

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer as createTlsServer, type Server } from 'node:tls'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAuthority, encryptedKeyPem, issueCertificate, validFor } from '../../../lib/sandbox/index.ts'
import { runCli } from '../../support/run-cli.ts'
import { clientPath, kafkaToolWith, secureSandbox } from '../../support/secure-sandbox.ts'
import { withoutSlowBrokerNotices } from '../../support/stderr.ts'

const dir = mkdtempSync(join(tmpdir(), 'secure-failures-'))
const first = (servers: string | undefined) => servers!.split(',')[0]!
const servers: Server[] = []

/** A client.properties of its own for one case; returns its path. */
function file(name: string, lines: readonly (string | false)[]): string {
  const path = join(dir, `${name}.properties`)
  writeFileSync(path, lines.filter((line): line is string => line !== false).join('\n') + '\n')
  return path
}
const write = (name: string, text: string) => {
  const path = join(dir, name)
  writeFileSync(path, text)
  return path
}

let sandboxCa: { certPem: string; keyPem: string }
const strangerCa = createAuthority('stranger CA', validFor(30))
const past = { notBefore: new Date(Date.now() - 40 * 86_400_000), notAfter: new Date(Date.now() - 10 * 86_400_000) }

/** A TLS listener that shows `identity` and hangs up: the server side of a bad broker certificate. */
async function tlsListener(identity: { certPem: string; keyPem: string }, chain: string): Promise<string> {
  const server = createTlsServer({ cert: identity.certPem + chain, key: identity.keyPem }, (socket) => socket.destroy())
  server.on('tlsClientError', () => {})
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return `127.0.0.1:${(server.address() as { port: number }).port}`
}

async function statusLine(properties: string, bootstrap?: string): Promise<{ code: number; line: string }> {
  const result = await runCli(['status', '--command-config', properties, ...(bootstrap ? ['--bootstrap-server', bootstrap] : [])])
  return { code: result.code, line: withoutSlowBrokerNotices(result.stderr).trim() }
}

beforeAll(() => {
  const secure = secureSandbox()
  sandboxCa = { certPem: readFileSync(clientPath('ca.crt'), 'utf8'), keyPem: readFileSync(secure.caKeyFile, 'utf8') }
})
afterAll(async () => {
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))))
})

const trustPem = () => ['ssl.truststore.type=PEM', `ssl.truststore.location=${clientPath('ca.crt')}`]
const scram = (password: string) =>
  `sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="${secureSandbox().secrets.saslUser}" password="${password}";`

describe('client certificates the brokers reject', () => {
  it('none sent to a listener that requires one; Kafka refuses the same file', async () => {
    const ssl = first(secureSandbox().status.listeners.SSL)
    const path = file('no-client-cert', [`bootstrap.servers=${ssl}`, 'security.protocol=SSL', ...trustPem()])
    const [ours, tool] = await Promise.all([statusLine(path), kafkaToolWith('kafka-topics', ssl, path, ['--list'], { timeoutMs: 40_000 })])
    expect(ours).toEqual({
      code: 2,
      line: `runbook status: the brokers at ${ssl} require a client certificate and none is set (TLS alert bad_certificate) — set ssl.keystore.location (or ssl.certificate.location and ssl.key.location)`,
    })
    expect(tool.exitCode).not.toBe(0)
  })

  it('signed by a CA the brokers do not trust; Kafka refuses the same file', async () => {
    const ssl = first(secureSandbox().status.listeners.SSL)
    const stranger = issueCertificate(strangerCa, { commonName: 'stranger', purpose: 'client', validity: validFor(30) })
    const path = file('untrusted-client', [
      `bootstrap.servers=${ssl}`,
      'security.protocol=SSL',
      ...trustPem(),
      'ssl.keystore.type=PEM',
      `ssl.keystore.location=${write('stranger.pem', encryptedKeyPem(stranger.keyPem, 'kp4ss') + stranger.certPem)}`,
      'ssl.key.password=kp4ss',
    ])
    const [ours, tool] = await Promise.all([statusLine(path), kafkaToolWith('kafka-topics', ssl, path, ['--list'], { timeoutMs: 40_000 })])
    expect(ours.line).toBe(
      `runbook status: the brokers at ${ssl} do not trust our client certificate (CN=stranger, issued by CN=stranger CA) (TLS alert certificate_unknown) — use a certificate signed by a CA in the brokers' ssl.truststore, in ssl.keystore.location`,
    )
    expect(tool.exitCode).not.toBe(0)
  })

  it('expired (signed by the brokers’ own CA)', async () => {
    const ssl = first(secureSandbox().status.listeners.SSL)
    const old = issueCertificate(sandboxCa, { commonName: 'old-client', purpose: 'client', validity: past })
    const path = file('expired-client', [
      `bootstrap.servers=${ssl}`,
      'security.protocol=ssl',
      `ssl.ca.location=${clientPath('ca.crt')}`,
      `ssl.certificate.location=${write('old.crt', old.certPem)}`,
      `ssl.key.location=${write('old.key', old.keyPem)}`,
    ])
    const ours = await statusLine(path)
    expect(ours.line).toBe(
      `runbook status: the brokers at ${ssl} rejected our client certificate (CN=old-client, issued by CN=runbook sandbox ${secureSandbox().config.name} CA): it expired on ${past.notAfter.toISOString().replace(/\.\d{3}Z$/, 'Z')} — renew the certificate in ssl.certificate.location`,
    )
  })
})

describe('keys that do not decrypt: found before connecting', () => {
  const user = () => ({ cert: readFileSync(clientPath('user.crt'), 'utf8'), key: readFileSync(clientPath('user.key'), 'utf8') })
  // Nothing listens on port 9: the line must come from the files alone.
  it.each([
    ['a wrong ssl.key.password', 'wrong', "cannot be decrypted with ssl.key.password — set ssl.key.password to the key's password"],
    ['no ssl.key.password', null, "is encrypted and ssl.key.password is not set — set ssl.key.password to the key's password"],
  ])('%s', async (_name, password, said) => {
    const keyStore = write('encrypted-user.pem', encryptedKeyPem(user().key, 'right-one') + user().cert)
    const path = file(`key-${password ?? 'none'}`, [
      'bootstrap.servers=127.0.0.1:9',
      'security.protocol=SSL',
      ...trustPem(),
      'ssl.keystore.type=PEM',
      `ssl.keystore.location=${keyStore}`,
      password !== null && `ssl.key.password=${password}`,
    ])
    const started = Date.now()
    const ours = await statusLine(path)
    expect(ours).toEqual({ code: 2, line: `runbook status: ${path}: the private key in ssl.keystore.location=${keyStore} ${said}` })
    expect(Date.now() - started).toBeLessThan(60_000)
  })

  it('a JKS store password that does not open the store', async () => {
    const path = file('jks-wrong', [
      'bootstrap.servers=127.0.0.1:9',
      'security.protocol=SSL',
      `ssl.truststore.location=${clientPath('truststore.jks')}`,
      'ssl.truststore.password=not-it',
    ])
    expect((await statusLine(path)).line).toBe(
      `runbook status: ${path}: ssl.truststore.password does not open ssl.truststore.location=${clientPath('truststore.jks')} (the store's integrity check fails) — set the store's password`,
    )
  })
})

describe('the wrong protocol for the listener', () => {
  it('TLS to the PLAINTEXT listener', async () => {
    const plaintext = first(secureSandbox().status.bootstrap)
    const path = file('tls-to-plain', ['security.protocol=SSL', ...trustPem()])
    expect((await statusLine(path, plaintext)).line).toBe(
      `runbook status: ${plaintext} does not speak TLS: it is a PLAINTEXT listener — set security.protocol=PLAINTEXT, or use the brokers' TLS port`,
    )
  })

  it('plaintext to a TLS listener', async () => {
    const ssl = first(secureSandbox().status.listeners.SSL)
    const result = await runCli(['status', '--bootstrap-server', ssl])
    expect(withoutSlowBrokerNotices(result.stderr).trim()).toBe(
      `runbook status: ${ssl} speaks TLS, but security.protocol=PLAINTEXT sends plaintext — set security.protocol=SSL and a trust store (ssl.truststore.location)`,
    )
  })

  it('SASL to the mutual-TLS listener, and TLS without SASL to the SASL_SSL listener', async () => {
    const ssl = first(secureSandbox().status.listeners.SSL)
    const saslSsl = first(secureSandbox().status.listeners.SASL_SSL)
    const withSasl = file('sasl-to-ssl', [
      'security.protocol=SASL_SSL',
      'sasl.mechanism=SCRAM-SHA-512',
      scram(secureSandbox().secrets.saslPassword),
      ...trustPem(),
      'ssl.keystore.type=PKCS12',
      `ssl.keystore.location=${clientPath('user.p12')}`,
      `ssl.keystore.password=${secureSandbox().secrets.userPassword}`,
    ])
    expect((await statusLine(withSasl, ssl)).line).toBe(
      `runbook status: ${ssl} does not use SASL (it is an SSL listener) — set security.protocol=SSL and drop the sasl.* settings, or use the brokers' SASL port`,
    )
    const withoutSasl = file('ssl-to-sasl', ['security.protocol=SSL', ...trustPem()])
    expect((await statusLine(withoutSasl, saslSsl)).line).toBe(
      `runbook status: the listener at ${saslSsl} requires SASL (it offers SCRAM-SHA-512, PLAIN, SCRAM-SHA-256) — set security.protocol=SASL_SSL, sasl.mechanism and sasl.jaas.config`,
    )
  })
})

describe('server certificates we do not accept', () => {
  it('signed by a CA not in our trust store', async () => {
    const saslSsl = first(secureSandbox().status.listeners.SASL_SSL)
    const path = file('untrusted-server', [
      'security.protocol=SASL_SSL',
      'sasl.mechanism=SCRAM-SHA-512',
      scram(secureSandbox().secrets.saslPassword),
      `ssl.ca.location=${write('stranger-ca.crt', strangerCa.certPem)}`,
    ])
    expect((await statusLine(path, saslSsl)).line).toBe(
      `runbook status: the broker's certificate at ${saslSsl} (CN=runbook sandbox ${secureSandbox().config.name} broker, issued by CN=runbook sandbox ${secureSandbox().config.name} CA) is not signed by a CA in ssl.ca.location — add the CA that signed the brokers' certificates to ssl.ca.location`,
    )
  })

  it('expired', async () => {
    const expired = issueCertificate(sandboxCa, { commonName: 'old-broker', purpose: 'server', ipAddresses: ['127.0.0.1'], validity: past })
    const at = await tlsListener(expired, sandboxCa.certPem)
    const path = file('expired-server', ['security.protocol=SSL', ...trustPem()])
    expect((await statusLine(path, at)).line).toBe(
      `runbook status: the broker's certificate at ${at} expired on ${past.notAfter.toISOString().replace(/\.\d{3}Z$/, 'Z')} — the brokers need renewed certificates (nothing to change on this side)`,
    )
  })

  it('for another host, named; and accepted once the host check is off', async () => {
    const elsewhere = issueCertificate(sandboxCa, { commonName: 'kafka-7', purpose: 'server', dnsNames: ['kafka-7.example.com'], validity: validFor(30) })
    const at = await tlsListener(elsewhere, sandboxCa.certPem)
    const path = file('wrong-host', ['security.protocol=SSL', ...trustPem()])
    expect((await statusLine(path, at)).line).toBe(
      `runbook status: the broker's certificate at ${at} is for kafka-7.example.com, not 127.0.0.1 — connect by one of those names, or set ssl.endpoint.identification.algorithm= (empty) to skip the host name check`,
    )
    const unchecked = file('wrong-host-unchecked', ['security.protocol=SSL', ...trustPem(), 'ssl.endpoint.identification.algorithm=none'])
    // The host check is off, so the handshake passes; this listener then hangs up, which is not a certificate problem.
    expect((await statusLine(unchecked, at)).line).not.toContain('certificate')
  })
})

describe('SASL', () => {
  it('a wrong password: authentication failed, in the broker’s words; Kafka refuses it too', async () => {
    const saslSsl = first(secureSandbox().status.listeners.SASL_SSL)
    const path = file('wrong-password', ['security.protocol=SASL_SSL', 'sasl.mechanism=SCRAM-SHA-512', scram('not-the-password'), ...trustPem()])
    const [ours, tool] = await Promise.all([statusLine(path, saslSsl), kafkaToolWith('kafka-topics', saslSsl, path, ['--list'], { timeoutMs: 40_000 })])
    expect(ours.line).toBe(
      `runbook status: authentication failed for user "runbook" with SCRAM-SHA-512 at ${saslSsl} (the broker said: Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512) — check the username and password in sasl.jaas.config`,
    )
    expect(tool.exitCode).not.toBe(0)
    expect(tool.stderr).toContain('invalid credentials')
  })

  it('a mechanism the listener does not enable', async () => {
    const oauthListener = first(secureSandbox().status.listeners.OAUTH)
    const path = file('plain-to-oauth', ['security.protocol=SASL_SSL', 'sasl.mechanism=PLAIN', 'sasl.username=runbook', 'sasl.password=x', ...trustPem()])
    expect((await statusLine(path, oauthListener)).line).toBe(
      `runbook status: the listener at ${oauthListener} does not enable SASL PLAIN (it offers OAUTHBEARER) — set sasl.mechanism=OAUTHBEARER`,
    )
  })

  it('with --json, the failure is also a JSON object on stdout', async () => {
    const saslSsl = first(secureSandbox().status.listeners.SASL_SSL)
    const path = file('wrong-password-json', ['security.protocol=SASL_SSL', 'sasl.mechanism=SCRAM-SHA-256', scram('nope'), ...trustPem()])
    const result = await runCli(['status', '--json', '--command-config', path, '--bootstrap-server', saslSsl])
    expect(result.code).toBe(2)
    expect(JSON.parse(result.stdout)).toEqual({
      status: 'error',
      command: 'status',
      exitCode: 2,
      error: result.stderr.trim().replace(/^runbook status: /, ''),
      kind: 'auth',
      reason: 'authentication-failed',
      property: 'sasl.jaas.config',
    })
  })
})
