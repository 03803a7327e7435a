import { describe, expect, it } from 'vitest'
import {
  connectionFromProperties,
  ConnectionConfigError,
  parseBootstrapServers,
  parseJaasOptions,
  parseProperties,
  secretsOf,
} from '../../lib/kafka/connection-config.ts'

const files: Record<string, string> = { '/etc/kafka/ca.pem': 'CA-PEM', '/etc/kafka/client.pem': 'CLIENT-PEM' }
const readFile = (path: string) => {
  const content = files[path]
  if (content === undefined) throw new ConnectionConfigError(`cannot read ${path}`)
  return content
}

describe('client.properties', () => {
  it('parses Java properties: separators, comments, continuations, escapes', () => {
    const props = parseProperties(
      '# comment\n! also\nsecurity.protocol=SASL_SSL\nsasl.mechanism : SCRAM-SHA-512\nclient.id my-client\nsasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required \\\n  username="ops" password="p\\"w=d";\nkey\\=with\\:escapes=v\\u00e9',
    )
    expect(Object.fromEntries(props)).toEqual({
      'security.protocol': 'SASL_SSL',
      'sasl.mechanism': 'SCRAM-SHA-512',
      'client.id': 'my-client',
      'sasl.jaas.config': 'org.apache.kafka.common.security.scram.ScramLoginModule required username="ops" password="p"w=d";',
      'key=with:escapes': 'vé',
    })
  })

  it('reads the JAAS username and password, quotes and all', () => {
    expect(Object.fromEntries(parseJaasOptions('PlainLoginModule required username="a b" password="x\\"y";'))).toEqual({ username: 'a b', password: 'x"y' })
  })

  it('builds SASL_SSL options with PEM trust and key stores', () => {
    const props = new Map([
      ['security.protocol', 'SASL_SSL'],
      ['sasl.mechanism', 'PLAIN'],
      ['sasl.jaas.config', 'org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password="secret-pw";'],
      ['ssl.truststore.type', 'PEM'],
      ['ssl.truststore.location', '/etc/kafka/ca.pem'],
      ['ssl.keystore.type', 'PEM'],
      ['ssl.keystore.location', '/etc/kafka/client.pem'],
      ['ssl.key.password', 'key-pw'],
      ['ssl.endpoint.identification.algorithm', ''],
    ])
    const options = connectionFromProperties(['b1:9093'], props, readFile)
    expect(options).toEqual({
      bootstrapServers: ['b1:9093'],
      sasl: { mechanism: 'PLAIN', username: 'u', password: 'secret-pw' },
      tls: { ca: 'CA-PEM', cert: 'CLIENT-PEM', key: 'CLIENT-PEM', keyPassword: 'key-pw', servername: '' },
    })
    expect(secretsOf(options)).toEqual(['secret-pw', 'CLIENT-PEM', 'key-pw'])
  })

  it.each([
    [
      { 'security.protocol': 'SSL', 'ssl.truststore.location': '/etc/kafka/ca.jks' },
      'ssl.truststore.type=JKS cannot be read outside the JVM — export it to PEM and set ssl.truststore.type=PEM',
    ],
    [
      { 'security.protocol': 'SASL_PLAINTEXT', 'sasl.mechanism': 'GSSAPI' },
      'sasl.mechanism=GSSAPI is not supported — use PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512',
    ],
    [{ 'security.protocol': 'SASL_PLAINTEXT', 'sasl.mechanism': 'PLAIN' }, 'SASL needs a username and password'],
    [{ 'security.protocol': 'TLS' }, 'security.protocol=TLS is not one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL'],
    [{ 'request.timeout.ms': 'soon' }, 'request.timeout.ms=soon is not a positive number of milliseconds'],
  ])('explains what to fix: %j', (props, message) => {
    expect(() => connectionFromProperties(['b:1'], new Map(Object.entries(props)), readFile, 'client.properties')).toThrow(message)
  })

  it('parses bootstrap server lists', () => {
    expect(parseBootstrapServers(' a:9092, b ,c:19092 ')).toEqual(['a:9092', 'b:9092', 'c:19092'])
    expect(() => parseBootstrapServers(' , ')).toThrow('the bootstrap server list is empty')
    expect(() => parseBootstrapServers('a:70000')).toThrow('has no valid port')
  })
})

describe('parseBootstrapServers: a list that half-parses never connects', () => {
  it.each([
    ['127.0.0.1:9092', ['127.0.0.1:9092']],
    ['kafka-1', ['kafka-1:9092']],
    ['[::1]:19092,[fe80::1%eth0]', ['[::1]:19092', '[fe80::1%eth0]:9092']],
    ['k_1.internal:1', ['k_1.internal:1']],
  ])('%s', (text, servers) => expect(parseBootstrapServers(text)).toEqual(servers))

  it.each([
    ['127.0.0.1:abc', 'bootstrap server "127.0.0.1:abc" has no valid port ("abc")'],
    ['host:', 'bootstrap server "host:" has no valid port ("")'],
    ['host:0', 'has no valid port ("0")'],
    ['host:65536', 'has no valid port ("65536")'],
    ['host:9092x', 'has no valid port ("9092x")'],
    [':9092', 'bootstrap server ":9092" has no host'],
    ['a:9092,,b:9092', 'the bootstrap server list "a:9092,,b:9092" has an empty entry'],
    ['a:9092,', 'has an empty entry'],
    ['PLAINTEXT://kafka:9092', 'is a URL — give host:port'],
    ['::1', 'write an IPv6 address in brackets'],
    ['kafka 1:9092', 'has no valid host ("kafka 1")'],
    ['[::1]:x', 'has no valid port ("x")'],
  ])('refuses %j', (text, message) => expect(() => parseBootstrapServers(text)).toThrow(message))
})
