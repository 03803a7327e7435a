// client.properties as Kafka's Java client and librdkafka read it: every store format, the key spellings of
// both, the refusals Kafka itself makes (so a file that fails for kafka-topics fails here, with the fix), and
// local problems — a wrong password, a missing file — found before any connection.

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { connectionFromProperties, parseBootstrapServers, secretsOf } from '../../lib/kafka/connection-config.ts'
import type { LocalFiles } from '../../lib/kafka/connection-settings.ts'
import { parseProperties } from '../../lib/kafka/java-properties.ts'
import { parseJaasOptions } from '../../lib/kafka/sasl-settings.ts'
import { createAuthority, encryptedKeyPem, issueCertificate, validFor } from '../../lib/sandbox/pki.ts'

const fixtures = new URL('./fixtures/', import.meta.url).pathname
const caPem = readFileSync(join(fixtures, 'ca.pem'), 'utf8')
const ca = createAuthority('config-test CA', validFor(1))
const user = issueCertificate(ca, { commonName: 'config-test-user', purpose: 'client', validity: validFor(1) })
const other = issueCertificate(ca, { commonName: 'other', purpose: 'client', validity: validFor(1) })

const dir = mkdtempSync(join(tmpdir(), 'client-properties-'))
writeFileSync(join(dir, 'ca.crt'), ca.certPem)
writeFileSync(join(dir, 'user.crt'), user.certPem)
writeFileSync(join(dir, 'user.key'), user.keyPem)
writeFileSync(join(dir, 'user-enc.key'), encryptedKeyPem(user.keyPem, 'key-secret'))
writeFileSync(join(dir, 'other.key'), other.keyPem)
writeFileSync(join(dir, 'keystore.pem'), encryptedKeyPem(user.keyPem, 'key-secret') + user.certPem + ca.certPem)

const files: LocalFiles = {
  read: (path) => readFileSync(path.startsWith('/') ? path : join(dir, path)),
  list: (path) => (path === join(dir, 'cas') ? [join(fixtures, 'ca.pem'), join(dir, 'ca.crt'), join(fixtures, 'make-stores.sh')] : null),
}
const build = (props: Record<string, string>) => connectionFromProperties(['b1:9093'], new Map(Object.entries(props)), files, 'client.properties')
const failure = (props: Record<string, string>) => {
  try {
    build(props)
  } catch (error) {
    return (error as Error).message
  }
  return 'no error'
}
const subjects = (pem: string | undefined) => (pem ?? '').match(/-----BEGIN CERTIFICATE-----/g)?.length ?? 0

describe('Java properties', () => {
  it('separators, comments, escapes and continuations as java.util.Properties reads them', () => {
    const props = parseProperties(
      '# comment\n! also\nsecurity.protocol=SASL_SSL\r\nsasl.mechanism : SCRAM-SHA-512\rclient.id my-client\nsasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required \\\n  username="ops" password="p\\"w=d";\nkey\\=with\\:escapes=v\\u00e9\nlast=ends with a backslash\\',
    )
    expect(Object.fromEntries(props)).toEqual({
      'security.protocol': 'SASL_SSL',
      'sasl.mechanism': 'SCRAM-SHA-512',
      'client.id': 'my-client',
      'sasl.jaas.config': 'org.apache.kafka.common.security.scram.ScramLoginModule required username="ops" password="p"w=d";',
      'key=with:escapes': 'vé',
      last: 'ends with a backslash',
    })
  })

  it('a continued line loses its line break and leading blanks, as in Java (a # on it is not a comment)', () => {
    expect(parseProperties('a=one \\\n   two\\\n#three').get('a')).toBe('one two#three')
  })

  it('reads the JAAS username and password, quotes and all', () => {
    expect(Object.fromEntries(parseJaasOptions('PlainLoginModule required username="a b" password="x\\"y";'))).toEqual({ username: 'a b', password: 'x"y' })
  })
})

describe('trust and key stores', () => {
  it('JKS, PKCS12 and PEM trust stores; the JKS default type reads a PKCS12 file too, as Java does', () => {
    const jks = build({ 'security.protocol': 'SSL', 'ssl.truststore.location': join(fixtures, 'truststore.jks'), 'ssl.truststore.password': 'storepw' })
    const p12 = build({ 'security.protocol': 'SSL', 'ssl.truststore.location': join(fixtures, 'truststore.p12'), 'ssl.truststore.password': 'storepw' })
    const pem = build({ 'security.protocol': 'SSL', 'ssl.truststore.type': 'pem', 'ssl.truststore.location': join(fixtures, 'ca.pem') })
    for (const options of [jks, p12, pem]) expect(options.tls?.ca).toBe(caPem.replace(/\r/g, ''))
    expect(jks.names).toMatchObject({ file: 'client.properties', trustStore: 'ssl.truststore.location' })
  })

  it.each([
    ['JKS', { 'ssl.keystore.location': join(fixtures, 'keystore.jks'), 'ssl.keystore.password': 'storepw', 'ssl.key.password': 'keypass' }],
    ['PKCS12', { 'ssl.keystore.type': 'PKCS12', 'ssl.keystore.location': join(fixtures, 'keystore.p12'), 'ssl.keystore.password': 'storepw' }],
    [
      'OpenSSL PKCS12 (Strimzi user.p12)',
      { 'ssl.keystore.type': 'PKCS12', 'ssl.keystore.location': join(fixtures, 'openssl-user.p12'), 'ssl.keystore.password': 'userpw' },
    ],
  ])('a %s key store gives the client certificate and its decrypted key', (_name, props) => {
    const options = build({ 'security.protocol': 'SSL', ...props })
    expect(subjects(options.tls?.cert)).toBe(2)
    expect(options.tls?.key).toMatch(/^-----BEGIN PRIVATE KEY-----/)
    expect(options.names?.keyStore).toBe('ssl.keystore.location')
  })

  it('PEM key stores: a file with an encrypted key, and inline key and chain', () => {
    const file = build({ 'security.protocol': 'SSL', 'ssl.keystore.type': 'PEM', 'ssl.keystore.location': 'keystore.pem', 'ssl.key.password': 'key-secret' })
    expect(subjects(file.tls?.cert)).toBe(2)
    const inline = build({
      'security.protocol': 'SSL',
      'ssl.keystore.type': 'PEM',
      'ssl.keystore.key': encryptedKeyPem(user.keyPem, 'key-secret'),
      'ssl.keystore.certificate.chain': user.certPem,
      'ssl.key.password': 'key-secret',
    })
    expect(inline.tls?.key).toBe(file.tls?.key)
  })

  it('inline PEM written over several lines with \\ continuations (as Kafka documents it) still reads', () => {
    const lines = ca.certPem.trim().split('\n')
    const docsStyle = `ssl.truststore.certificates=${lines.join(' \\\n    ')}\n`
    const noSpace = `ssl.truststore.certificates=${lines.join('\\\n')}\n`
    for (const text of [docsStyle, noSpace]) {
      const props = parseProperties(`security.protocol=SSL\nssl.truststore.type=PEM\n${text}`)
      expect(props.get('ssl.truststore.certificates')).not.toContain('\n')
      const options = connectionFromProperties(['b:1'], props, files)
      expect(options.tls?.ca?.replace(/\n/g, '')).toBe(ca.certPem.replace(/\n/g, ''))
    }
  })

  it.each([
    [{ 'ssl.truststore.location': join(fixtures, 'ca.pem') }, 'is a PEM file but ssl.truststore.type is JKS (the default) — set ssl.truststore.type=PEM'],
    [
      { 'ssl.truststore.location': join(fixtures, 'truststore.jks'), 'ssl.truststore.password': 'nope' },
      `ssl.truststore.password does not open ssl.truststore.location=${join(fixtures, 'truststore.jks')} (the store's integrity check fails) — set the store's password`,
    ],
    [{ 'ssl.truststore.location': join(fixtures, 'truststore.p12') }, 'keeps its certificates encrypted and ssl.truststore.password is not set'],
    [{ 'ssl.truststore.location': '/nowhere/ts.jks' }, 'ssl.truststore.location=/nowhere/ts.jks cannot be read (ENOENT) — fix the path'],
    [
      { 'ssl.keystore.location': join(fixtures, 'keystore.jks'), 'ssl.keystore.password': 'storepw' },
      `the private key in ssl.keystore.location=${join(fixtures, 'keystore.jks')} cannot be decrypted with ssl.keystore.password (ssl.key.password is not set) — set ssl.key.password to the key's password`,
    ],
    [{ 'ssl.keystore.location': join(fixtures, 'keystore.p12') }, 'ssl.keystore.location is set without ssl.keystore.password (Kafka refuses that)'],
    [
      { 'ssl.keystore.type': 'PEM', 'ssl.keystore.location': 'keystore.pem', 'ssl.key.password': 'wrong' },
      "the private key in ssl.keystore.location=keystore.pem cannot be decrypted with ssl.key.password — set ssl.key.password to the key's password",
    ],
    [
      { 'ssl.keystore.type': 'PEM', 'ssl.keystore.location': 'keystore.pem' },
      "the private key in ssl.keystore.location=keystore.pem is encrypted and ssl.key.password is not set — set ssl.key.password to the key's password",
    ],
    [
      { 'ssl.certificate.location': 'user.crt', 'ssl.key.location': 'user-enc.key' },
      'the private key in ssl.key.location=user-enc.key is encrypted and ssl.key.password is not set',
    ],
    [
      { 'ssl.certificate.location': 'user.crt', 'ssl.key.location': 'other.key' },
      'the private key in ssl.certificate.location does not belong to its certificate (CN=config-test-user)',
    ],
    [{ 'ssl.certificate.location': 'user.crt' }, 'ssl.certificate.location is set without ssl.key.location'],
    [{ 'ssl.truststore.certificates': ca.certPem }, 'ssl.truststore.certificates needs ssl.truststore.type=PEM (Kafka refuses inline certificates otherwise)'],
    [
      { 'ssl.truststore.type': 'PEM', 'ssl.truststore.location': 'ca.crt', 'ssl.truststore.password': 'x' },
      'ssl.truststore.password does not go with ssl.truststore.type=PEM (Kafka refuses it)',
    ],
    [
      { 'ssl.keystore.type': 'PEM', 'ssl.keystore.location': 'keystore.pem', 'ssl.keystore.password': 'x' },
      'ssl.keystore.password does not go with ssl.keystore.type=PEM',
    ],
    [
      { 'ssl.truststore.type': 'JCEKS', 'ssl.truststore.location': 'ca.crt' },
      'ssl.truststore.type=JCEKS is not a format runbook reads — convert the store to PKCS12',
    ],
    [{ 'ssl.endpoint.identification.algorithm': 'dns' }, 'ssl.endpoint.identification.algorithm=dns is not https, none or empty'],
    [{ 'enable.ssl.certificate.verification': 'maybe' }, 'enable.ssl.certificate.verification=maybe is not true or false'],
  ])('refuses %j at once: %s', (props, message) => {
    const line = failure({ 'security.protocol': 'SSL', ...props })
    expect(line).toMatch(/^client\.properties: /)
    expect(line).toContain(message)
    expect(line).not.toContain('\n')
  })
})

describe("librdkafka's spellings", () => {
  it('ssl.ca.location as a file or as a folder of PEM files; ssl.certificate.location and ssl.key.location with ssl.key.password', () => {
    const options = build({
      'security.protocol': 'ssl',
      'ssl.ca.location': join(dir, 'cas'),
      'ssl.certificate.location': 'user.crt',
      'ssl.key.location': 'user-enc.key',
      'ssl.key.password': 'key-secret',
    })
    expect(subjects(options.tls?.ca)).toBe(2)
    expect(options.names).toMatchObject({ trustStore: 'ssl.ca.location', keyStore: 'ssl.certificate.location' })
    expect(build({ 'security.protocol': 'ssl', 'ssl.ca.location': 'ca.crt' }).tls?.ca).toBe(ca.certPem)
    expect(build({ 'security.protocol': 'ssl', 'ssl.ca.location': 'probe' }).tls?.ca).toBeUndefined()
  })

  it.each([
    ['none', false],
    ['NONE', false],
    ['', false],
    ['https', undefined],
  ])('ssl.endpoint.identification.algorithm=%s turns host name checks %s', (value, verifyHostname) => {
    expect(build({ 'security.protocol': 'SSL', 'ssl.endpoint.identification.algorithm': value }).tls?.verifyHostname).toBe(verifyHostname)
  })

  it('enable.ssl.certificate.verification=false; ssl.enabled.protocols narrows the TLS versions', () => {
    expect(build({ 'security.protocol': 'SSL', 'enable.ssl.certificate.verification': 'false' }).tls?.verifyCertificate).toBe(false)
    expect(build({ 'security.protocol': 'SSL', 'ssl.enabled.protocols': 'TLSv1.2' }).tls).toMatchObject({ minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' })
  })

  it('sasl.mechanisms, sasl.username and sasl.password', () => {
    const options = build({
      'security.protocol': 'sasl_ssl',
      'sasl.mechanisms': 'SCRAM-SHA-256',
      'sasl.username': 'u',
      'sasl.password': 'pw',
      'ssl.ca.location': 'ca.crt',
    })
    expect(options.sasl).toEqual({ mechanism: 'SCRAM-SHA-256', username: 'u', password: 'pw' })
    expect(options.names).toMatchObject({ mechanism: 'sasl.mechanisms', credentials: 'sasl.username / sasl.password' })
  })
})

describe('SASL', () => {
  it('SASL_SSL with SCRAM from sasl.jaas.config; values trimmed as Kafka trims them', () => {
    const options = build({
      'security.protocol': 'SASL_SSL ',
      'sasl.mechanism': 'SCRAM-SHA-512',
      'sasl.jaas.config': 'org.apache.kafka.common.security.scram.ScramLoginModule required username="ops" password="s3cret";',
      'ssl.truststore.type': 'PEM',
      'ssl.truststore.location': 'ca.crt',
    })
    expect(options.sasl).toEqual({ mechanism: 'SCRAM-SHA-512', username: 'ops', password: 's3cret' })
    expect(options.names).toMatchObject({ mechanism: 'sasl.mechanism', credentials: 'sasl.jaas.config' })
  })

  it.each([
    [
      'the Java 3.x JAAS options',
      {
        'sasl.oauthbearer.token.endpoint.url': 'https://idp.example/token',
        'sasl.jaas.config':
          'org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required clientId="app" clientSecret="shh" scope="kafka.read" extension_tenant="t1";',
      },
    ],
    [
      'the Java 4.x keys',
      {
        'sasl.oauthbearer.token.endpoint.url': 'https://idp.example/token',
        'sasl.oauthbearer.client.credentials.client.id': 'app',
        'sasl.oauthbearer.client.credentials.client.secret': 'shh',
        'sasl.oauthbearer.scope': 'kafka.read',
        'sasl.jaas.config': 'org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required extension_tenant="t1";',
      },
    ],
    [
      "librdkafka's OIDC keys",
      {
        'sasl.oauthbearer.method': 'oidc',
        'sasl.oauthbearer.token.endpoint.url': 'https://idp.example/token',
        'sasl.oauthbearer.client.id': 'app',
        'sasl.oauthbearer.client.secret': 'shh',
        'sasl.oauthbearer.scope': 'kafka.read',
        'sasl.oauthbearer.extensions': 'tenant=t1',
      },
    ],
  ])('OAUTHBEARER client credentials from %s', (_name, props) => {
    const options = build({ 'security.protocol': 'SASL_SSL', 'sasl.mechanism': 'OAUTHBEARER', ...props })
    expect(options.sasl).toEqual({
      mechanism: 'OAUTHBEARER',
      oauth: { tokenEndpointUrl: 'https://idp.example/token', clientId: 'app', clientSecret: 'shh', scope: 'kafka.read', extensions: { tenant: 't1' } },
    })
    expect(secretsOf(options, new Map(Object.entries(props)))).toContain('shh')
  })

  it.each([
    [{ 'sasl.mechanism': 'GSSAPI' }, 'sasl.mechanism=GSSAPI (Kerberos) is not supported by runbook'],
    [{}, 'sasl.mechanism is not set, so Kafka would use GSSAPI, and GSSAPI (Kerberos) is not supported by runbook'],
    [
      { 'sasl.mechanism': 'AWS_MSK_IAM', 'sasl.jaas.config': 'software.amazon.msk.auth.iam.IAMLoginModule required;' },
      'AWS MSK IAM authentication is not supported by runbook',
    ],
    [
      {
        'sasl.mechanism': 'OAUTHBEARER',
        'sasl.login.callback.handler.class': 'software.amazon.msk.auth.iam.IAMOAuthBearerLoginCallbackHandler',
        'sasl.jaas.config': 'org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required;',
      },
      'AWS MSK IAM authentication is not supported by runbook',
    ],
    [{ 'sasl.mechanism': 'OAUTHBEARER' }, 'OAUTHBEARER without sasl.oauthbearer.token.endpoint.url'],
    [
      { 'sasl.mechanism': 'OAUTHBEARER', 'sasl.oauthbearer.token.endpoint.url': 'https://idp/token' },
      'OAUTHBEARER needs a client id and secret for https://idp/token',
    ],
    [
      { 'sasl.mechanism': 'OAUTHBEARER', 'sasl.oauthbearer.token.endpoint.url': 'https://idp/token', 'sasl.oauthbearer.assertion.file': '/a.jwt' },
      'OAUTHBEARER with the jwt-bearer grant (sasl.oauthbearer.assertion.*) is not supported',
    ],
    [{ 'sasl.mechanism': 'PLAIN' }, 'SASL PLAIN needs a username and password'],
    [{ 'sasl.mechanism': 'DIGEST-MD5' }, 'sasl.mechanism=DIGEST-MD5 is not supported'],
  ])('one line for what is not supported or missing: %j', (props, message) => {
    expect(failure({ 'security.protocol': 'SASL_PLAINTEXT', ...props })).toContain(message)
  })

  it('other refusals', () => {
    expect(failure({ 'security.protocol': 'TLS' })).toBe('client.properties: security.protocol=TLS is not one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL')
    expect(failure({ 'request.timeout.ms': 'soon' })).toContain('request.timeout.ms=soon is not a positive number of milliseconds')
  })
})

describe('secrets', () => {
  it('passwords, secrets and the decrypted key are listed for masking; paths and names are not', () => {
    const props = {
      'security.protocol': 'SASL_SSL',
      'sasl.mechanism': 'PLAIN',
      'sasl.jaas.config': 'org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password="secret-pw";',
      'ssl.keystore.type': 'PEM',
      'ssl.keystore.location': 'keystore.pem',
      'ssl.key.password': 'key-secret',
      'ssl.truststore.type': 'PEM',
      'ssl.truststore.location': 'ca.crt',
    }
    const options = build(props)
    const secrets = secretsOf(options, new Map(Object.entries(props)))
    expect(secrets).toEqual(expect.arrayContaining(['secret-pw', 'key-secret', options.tls!.key!, props['sasl.jaas.config']]))
    expect(secrets.some((s) => s.includes('keystore.pem') || s === 'u')).toBe(false)
  })

  it('parses bootstrap server lists', () => {
    expect(parseBootstrapServers(' a:9092, b ,c:19092 ')).toEqual(['a:9092', 'b:9092', 'c:19092'])
    expect(() => parseBootstrapServers(' , ')).toThrow('the bootstrap server list is empty')
    expect(() => parseBootstrapServers('a:70000')).toThrow('has no valid port')
  })
})
