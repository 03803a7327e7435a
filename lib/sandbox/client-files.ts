// The client.properties files a secured sandbox hands out: one per way in (SCRAM, PLAIN, mutual TLS) and per
// store format (PEM, PKCS12, JKS), in the Java client's spelling and librdkafka's. Pure: paths and secrets
// in, file names and text out. Each file also names its bootstrap servers, so it is complete on its own.

import { join } from 'node:path'
import { type ListenerName, listenerBootstrap, type SandboxSecurity } from './listeners.ts'
import { renderProperties } from './properties.ts'

/** What a client needs to know: the user and password for SASL and the passwords of the stores. */
export interface ClientSecrets {
  readonly saslUser: string
  readonly saslPassword: string
  /** ca.p12 and truststore.jks. */
  readonly trustPassword: string
  /** user.p12, user.jks and the encrypted key in user-keystore.pem. */
  readonly userPassword: string
}

/** The certificates and stores in a sandbox's client folder. */
export const clientStoreFiles = {
  caCert: 'ca.crt',
  caP12: 'ca.p12',
  caPassword: 'ca.password',
  trustJks: 'truststore.jks',
  userCert: 'user.crt',
  userKey: 'user.key',
  userP12: 'user.p12',
  userPassword: 'user.password',
  userJks: 'user.jks',
  userPemStore: 'user-keystore.pem',
} as const

export interface ClientFile {
  readonly file: string
  /** One line: how this file connects. */
  readonly summary: string
  readonly listener: ListenerName
  readonly text: string
}

interface Layout {
  readonly name: string
  readonly basePort: number
  readonly brokers: number
  readonly security: SandboxSecurity
  readonly oauthJwksUrl: string | null
}

/** The client.properties files of a sandbox, empty for a plaintext one. */
export function clientFiles(layout: Layout, dir: string, secrets: ClientSecrets): ClientFile[] {
  const path = (file: keyof typeof clientStoreFiles) => join(dir, clientStoreFiles[file])
  const jaas = (module: string) => `${module} required username="${secrets.saslUser}" password="${secrets.saslPassword}";`
  const scram = jaas('org.apache.kafka.common.security.scram.ScramLoginModule')
  const trustPem = [
    ['ssl.truststore.type', 'PEM'],
    ['ssl.truststore.location', path('caCert')],
  ]
  const trustPkcs12 = [
    ['ssl.truststore.type', 'PKCS12'],
    ['ssl.truststore.location', path('caP12')],
    ['ssl.truststore.password', secrets.trustPassword],
  ]
  const trustJks = [
    ['ssl.truststore.type', 'JKS'],
    ['ssl.truststore.location', path('trustJks')],
    ['ssl.truststore.password', secrets.trustPassword],
  ]
  const files: Omit<ClientFile, 'text'>[] = []
  const lines = new Map<string, string[][]>()
  const add = (file: string, listener: ListenerName, summary: string, properties: string[][]) => {
    files.push({ file, listener, summary })
    lines.set(file, properties)
  }
  if (layout.security === 'sasl_ssl') {
    const sasl = (mechanism: string, jaasConfig: string) => [
      ['security.protocol', 'SASL_SSL'],
      ['sasl.mechanism', mechanism],
      ['sasl.jaas.config', jaasConfig],
    ]
    add('scram-sha-512.properties', 'SASL_SSL', 'SASL_SSL, SCRAM-SHA-512, PEM trust store', [...sasl('SCRAM-SHA-512', scram), ...trustPem])
    add('scram-sha-512-pkcs12.properties', 'SASL_SSL', 'SASL_SSL, SCRAM-SHA-512, PKCS12 trust store', [...sasl('SCRAM-SHA-512', scram), ...trustPkcs12])
    add('scram-sha-512-jks.properties', 'SASL_SSL', 'SASL_SSL, SCRAM-SHA-512, JKS trust store', [...sasl('SCRAM-SHA-512', scram), ...trustJks])
    add('scram-sha-256.properties', 'SASL_SSL', 'SASL_SSL, SCRAM-SHA-256, PEM trust store', [...sasl('SCRAM-SHA-256', scram), ...trustPem])
    add('plain.properties', 'SASL_SSL', 'SASL_SSL, PLAIN, PEM trust store', [
      ...sasl('PLAIN', jaas('org.apache.kafka.common.security.plain.PlainLoginModule')),
      ...trustPem,
    ])
    add('librdkafka-scram.properties', 'SASL_SSL', 'librdkafka keys: sasl_ssl, SCRAM-SHA-512, ssl.ca.location', [
      ['security.protocol', 'sasl_ssl'],
      ['sasl.mechanisms', 'SCRAM-SHA-512'],
      ['sasl.username', secrets.saslUser],
      ['sasl.password', secrets.saslPassword],
      ['ssl.ca.location', path('caCert')],
    ])
  }
  if (layout.security !== 'plaintext') {
    add('mtls-pem.properties', 'SSL', 'SSL with a client certificate: PEM stores, encrypted key', [
      ['security.protocol', 'SSL'],
      ...trustPem,
      ['ssl.keystore.type', 'PEM'],
      ['ssl.keystore.location', path('userPemStore')],
      ['ssl.key.password', secrets.userPassword],
    ])
    add('mtls-pkcs12.properties', 'SSL', 'SSL with a client certificate: PKCS12 stores', [
      ['security.protocol', 'SSL'],
      ...trustPkcs12,
      ['ssl.keystore.type', 'PKCS12'],
      ['ssl.keystore.location', path('userP12')],
      ['ssl.keystore.password', secrets.userPassword],
    ])
    add('mtls-jks.properties', 'SSL', 'SSL with a client certificate: JKS stores', [
      ['security.protocol', 'SSL'],
      ...trustJks,
      ['ssl.keystore.type', 'JKS'],
      ['ssl.keystore.location', path('userJks')],
      ['ssl.keystore.password', secrets.userPassword],
      ['ssl.key.password', secrets.userPassword],
    ])
    add('librdkafka-mtls.properties', 'SSL', 'librdkafka keys: ssl, ssl.ca.location, ssl.certificate.location, ssl.key.location', [
      ['security.protocol', 'ssl'],
      ['ssl.ca.location', path('caCert')],
      ['ssl.certificate.location', path('userCert')],
      ['ssl.key.location', path('userKey')],
    ])
  }
  return files.map((file) => {
    const bootstrap = listenerBootstrap(layout, file.listener)
    const properties = new Map([['bootstrap.servers', bootstrap], ...lines.get(file.file)!.map(([key, value]) => [key!, value!] as const)])
    const text = renderProperties(properties, `sandbox ${layout.name}: ${file.summary}`, [
      `runbook status --command-config ${join(dir, file.file)}`,
      `kafka-topics.sh --bootstrap-server ${bootstrap} --command-config ${join(dir, file.file)} --list`,
    ])
    return { ...file, text }
  })
}
