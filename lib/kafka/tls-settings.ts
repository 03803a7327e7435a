// The ssl.* keys of a client.properties — the Java client's (JKS, PKCS12 and PEM stores, with the same
// defaults and refusals as Kafka's own) and librdkafka's (ssl.ca.location as a file or a folder, PEM files,
// verification switches) — turned into TLS settings. Every store is opened and every key decrypted here,
// before any connection, so a wrong path or password is one line at once.

import { createSecureContext } from 'node:tls'
import { X509Certificate } from 'node:crypto'
import type { SettingFiles, SettingsReader } from './connection-settings.ts'
import { StoreError, type StoreContents, decryptPemKey, readJavaStore, readPemKeyStore, readPemTrustStore } from './key-stores.ts'
import { isCertificate, pemBlocks } from './pem.ts'
import type { ConnectionSettingNames, TlsSettings } from './types.ts'

type Names = Pick<ConnectionSettingNames, 'trustStore' | 'keyStore'>

/** TLS settings from the ssl.* properties, with the names of the properties that gave the trust and key stores. */
export function readTlsSettings(settings: SettingsReader, files: SettingFiles): { tls: TlsSettings; names: Names } {
  const trust = readTrust(settings, files)
  const identity = readIdentity(settings, files)
  const tls: { -readonly [K in keyof TlsSettings]: TlsSettings[K] } = {}
  if (trust) tls.ca = trust.certificates.join('')
  if (identity) {
    tls.cert = identity.chainPem.join('')
    tls.key = identity.keyPem
  }
  const hostCheck = settings.get('ssl.endpoint.identification.algorithm')
  if (hostCheck !== undefined) {
    // Java turns the check off with an empty value, librdkafka with "none"; both turn it on with "https".
    if (hostCheck === '' || hostCheck.toLowerCase() === 'none') tls.verifyHostname = false
    else if (hostCheck.toLowerCase() !== 'https')
      settings.fail(`ssl.endpoint.identification.algorithm=${hostCheck} is not https, none or empty — use https to check host names, none (or empty) to skip`)
  }
  const verify = settings.flag('enable.ssl.certificate.verification')
  if (verify === false) tls.verifyCertificate = false
  Object.assign(tls, protocolRange(settings))
  checkUsable(tls, settings, identity?.property)
  return { tls, names: { ...(trust ? { trustStore: trust.property } : {}), ...(identity ? { keyStore: identity.property } : {}) } }
}

interface Trust {
  readonly property: string
  readonly certificates: readonly string[]
}

function readTrust(settings: SettingsReader, files: SettingFiles): Trust | null {
  const typeGiven = settings.get('ssl.truststore.type')
  const type = (typeGiven ?? 'JKS').toUpperCase()
  const location = settings.get('ssl.truststore.location')
  const password = settings.get('ssl.truststore.password') ?? null
  const inline = settings.get('ssl.truststore.certificates')
  if (inline !== undefined) {
    if (type !== 'PEM')
      settings.fail(`ssl.truststore.certificates needs ssl.truststore.type=PEM (Kafka refuses inline certificates otherwise) — add ssl.truststore.type=PEM`)
    if (location !== undefined) settings.fail(`both ssl.truststore.certificates and ssl.truststore.location are set (Kafka refuses that) — keep one`)
    if (password !== null) settings.fail(`ssl.truststore.password does not go with PEM certificates (Kafka refuses it) — remove it`)
    return {
      property: 'ssl.truststore.certificates',
      certificates: openStore(settings, 'ssl.truststore.certificates', null, () => readPemTrustStore(inline)).certificates,
    }
  }
  if (location !== undefined) {
    const bytes = files.readSetting('ssl.truststore.location', location)
    let contents: StoreContents
    if (type === 'PEM') {
      if (password !== null) settings.fail(`ssl.truststore.password does not go with ssl.truststore.type=PEM (Kafka refuses it) — remove it`)
      contents = openStore(settings, 'ssl.truststore.location', location, () => readPemTrustStore(bytes.toString('utf8')))
    } else {
      javaStoreType(settings, 'ssl.truststore.type', type)
      contents = openStore(settings, 'ssl.truststore.location', location, () => readJavaStore(bytes, password, null, { keys: false }), typeGiven === undefined)
      if (contents.certificates.length === 0) settings.fail(`ssl.truststore.location=${location} holds no certificate — import the brokers' CA into it`)
    }
    return { property: 'ssl.truststore.location', certificates: contents.certificates }
  }
  if (password !== null)
    settings.fail(`ssl.truststore.password is set but ssl.truststore.location is not (Kafka refuses that) — set the trust store's location`)
  // librdkafka's spellings.
  const caPem = settings.get('ssl.ca.pem')
  if (caPem !== undefined) return { property: 'ssl.ca.pem', certificates: openStore(settings, 'ssl.ca.pem', null, () => readPemTrustStore(caPem)).certificates }
  const caLocation = settings.get('ssl.ca.location')
  // "probe" asks librdkafka to find the system's CA bundle: the runtime's own public CAs are the same idea.
  if (caLocation === undefined || caLocation.toLowerCase() === 'probe') return null
  const entries = files.listSetting('ssl.ca.location', caLocation)
  if (entries === null) {
    const text = files.readSetting('ssl.ca.location', caLocation).toString('utf8')
    return { property: 'ssl.ca.location', certificates: openStore(settings, 'ssl.ca.location', caLocation, () => readPemTrustStore(text)).certificates }
  }
  // A CA folder as OpenSSL keeps one (c_rehash names like 1a2b3c4d.0, or *.pem / *.crt): every certificate in it.
  const certificates = entries.flatMap((entry) => {
    try {
      return pemBlocks(files.read(entry).toString('utf8'))
        .filter(isCertificate)
        .map((block) => block.pem)
    } catch {
      return []
    }
  })
  if (certificates.length === 0)
    settings.fail(`ssl.ca.location=${caLocation} is a folder without PEM certificates — point it at the CA file or a folder of them`)
  return { property: 'ssl.ca.location', certificates: [...new Set(certificates)] }
}

interface Identity {
  readonly property: string
  readonly keyPem: string
  readonly chainPem: readonly string[]
}

function readIdentity(settings: SettingsReader, files: SettingFiles): Identity | null {
  const typeGiven = settings.get('ssl.keystore.type')
  const type = (typeGiven ?? 'JKS').toUpperCase()
  const location = settings.get('ssl.keystore.location')
  const storePassword = settings.get('ssl.keystore.password') ?? null
  const keyPassword = settings.get('ssl.key.password') ?? null
  const inlineKey = settings.get('ssl.keystore.key')
  const inlineChain = settings.get('ssl.keystore.certificate.chain')
  if (inlineKey !== undefined) {
    if (type !== 'PEM') settings.fail(`ssl.keystore.key needs ssl.keystore.type=PEM (Kafka refuses it otherwise) — add ssl.keystore.type=PEM`)
    if (location !== undefined) settings.fail(`both ssl.keystore.key and ssl.keystore.location are set (Kafka refuses that) — keep one`)
    if (inlineChain === undefined) settings.fail(`ssl.keystore.key is set without ssl.keystore.certificate.chain — add the key's certificate chain`)
    return pemIdentity(settings, 'ssl.keystore.key', null, inlineKey + '\n' + inlineChain, keyPassword)
  }
  if (inlineChain !== undefined) settings.fail(`ssl.keystore.certificate.chain is set without ssl.keystore.key — add the private key`)
  if (location !== undefined) {
    const bytes = files.readSetting('ssl.keystore.location', location)
    if (type === 'PEM') {
      if (storePassword !== null)
        settings.fail(`ssl.keystore.password does not go with ssl.keystore.type=PEM (Kafka refuses it) — put the key's password in ssl.key.password instead`)
      return pemIdentity(settings, 'ssl.keystore.location', location, bytes.toString('utf8'), keyPassword)
    }
    javaStoreType(settings, 'ssl.keystore.type', type)
    if (storePassword === null) settings.fail(`ssl.keystore.location is set without ssl.keystore.password (Kafka refuses that) — set the key store's password`)
    const contents = openStore(
      settings,
      'ssl.keystore.location',
      location,
      () => readJavaStore(bytes, storePassword, keyPassword ?? storePassword),
      typeGiven === undefined,
      keyPassword === null ? 'ssl.keystore.password (ssl.key.password is not set)' : 'ssl.key.password',
    )
    // Java picks among several keys per handshake; a client store normally has one, and we take the first.
    const key = contents.keys.find((candidate) => candidate.chainPem.length > 0)
    if (!key) settings.fail(`ssl.keystore.location=${location} holds no private key with its certificate — point it at the client's key store`)
    return { property: 'ssl.keystore.location', keyPem: key.keyPem, chainPem: key.chainPem }
  }
  if (storePassword !== null) settings.fail(`ssl.keystore.password is set but ssl.keystore.location is not (Kafka refuses that) — set the key store's location`)
  // librdkafka's spellings: the certificate and the key, as files or inline PEM.
  const certificate = librdkafkaPem(settings, files, 'ssl.certificate.location', 'ssl.certificate.pem')
  const key = librdkafkaPem(settings, files, 'ssl.key.location', 'ssl.key.pem')
  if (!certificate && !key) return null
  if (!certificate) settings.fail(`${key!.property} is set without ssl.certificate.location — add the key's certificate`)
  if (!key) settings.fail(`${certificate.property} is set without ssl.key.location — add the certificate's private key`)
  const chainPem = pemBlocks(certificate.text)
    .filter(isCertificate)
    .map((block) => block.pem)
  if (chainPem.length === 0) settings.fail(`${certificate.property} holds no certificate (-----BEGIN CERTIFICATE-----)`)
  const keyBlock = pemBlocks(key.text).find((block) => /PRIVATE KEY$/.test(block.label))
  if (!keyBlock) settings.fail(`${key.property} holds no private key (-----BEGIN PRIVATE KEY-----)`)
  const keyPem = openStore(settings, key.property, key.path, () => ({
    format: 'PEM',
    certificates: [],
    keys: [{ alias: null, keyPem: decryptPemKey(keyBlock.pem, keyPassword), chainPem }],
  })).keys[0]!.keyPem
  return { property: certificate.property, keyPem, chainPem }
}

function pemIdentity(settings: SettingsReader, property: string, path: string | null, text: string, keyPassword: string | null): Identity {
  const contents = openStore(settings, property, path, () => readPemKeyStore(text, keyPassword))
  const key = contents.keys[0]!
  return { property, keyPem: key.keyPem, chainPem: key.chainPem }
}

function librdkafkaPem(
  settings: SettingsReader,
  files: SettingFiles,
  locationKey: string,
  inlineKey: string,
): { property: string; path: string | null; text: string } | null {
  const inline = settings.get(inlineKey)
  if (inline !== undefined) return { property: inlineKey, path: null, text: inline }
  const location = settings.get(locationKey)
  if (location === undefined) return null
  return { property: locationKey, path: location, text: files.readSetting(locationKey, location).toString('utf8') }
}

function javaStoreType(settings: SettingsReader, property: string, type: string): void {
  if (type === 'JKS' || type === 'PKCS12') return
  if (type === 'JCEKS' || type === 'BCFKS')
    settings.fail(
      `${property}=${type} is not a format runbook reads — convert the store to PKCS12 (keytool -importkeystore -deststoretype PKCS12) and set ${property}=PKCS12`,
    )
  settings.fail(`${property}=${type} is not one of JKS, PKCS12 or PEM`)
}

/** Runs a store reader and words its failure for the operator, naming the property to fix. */
function openStore(
  settings: SettingsReader,
  property: string,
  path: string | null,
  read: () => StoreContents,
  typeDefaulted = false,
  keyPasswordProperty = 'ssl.key.password',
): StoreContents {
  try {
    return read()
  } catch (error) {
    if (!(error instanceof StoreError)) throw error
    const what = path === null ? property : `${property}=${path}`
    const store = property.startsWith('ssl.truststore') ? 'ssl.truststore' : 'ssl.keystore'
    switch (error.problem) {
      case 'pem-file':
        return settings.fail(`${what} is a PEM file but ${store}.type is ${typeDefaulted ? 'JKS (the default)' : 'not PEM'} — set ${store}.type=PEM`)
      case 'wrong-password':
        return settings.fail(`${store}.password does not open ${what} (the store's integrity check fails) — set the store's password`)
      case 'password-needed':
        return settings.fail(`${what} keeps its certificates encrypted and ${store}.password is not set — set the store's password`)
      case 'wrong-key-password':
        return settings.fail(`the private key in ${what} cannot be decrypted with ${keyPasswordProperty} — set ssl.key.password to the key's password`)
      case 'key-password-needed':
        return settings.fail(`the private key in ${what} is encrypted and ssl.key.password is not set — set ssl.key.password to the key's password`)
      case 'unsupported-format':
        return settings.fail(`${what} ${error.message} — convert it to PKCS12 (keytool -importkeystore -deststoretype PKCS12)`)
      default:
        return settings.fail(`${what} ${error.message} — check the file and ${store}.type`)
    }
  }
}

// ssl.enabled.protocols (Java) narrows the TLS versions; Node speaks 1.2 and 1.3 unless told otherwise.
function protocolRange(settings: SettingsReader): Pick<TlsSettings, 'minVersion' | 'maxVersion'> {
  const enabled = settings.get('ssl.enabled.protocols')
  if (enabled === undefined) return {}
  const versions = enabled
    .split(',')
    .map((v) => v.trim())
    .filter((v): v is 'TLSv1.2' | 'TLSv1.3' => v === 'TLSv1.2' || v === 'TLSv1.3')
  if (versions.length === 0) settings.fail(`ssl.enabled.protocols=${enabled} names neither TLSv1.2 nor TLSv1.3 — enable at least one of them`)
  return { minVersion: versions.includes('TLSv1.2') ? 'TLSv1.2' : 'TLSv1.3', maxVersion: versions.includes('TLSv1.3') ? 'TLSv1.3' : 'TLSv1.2' }
}

/** Builds the TLS context once, here: a key that does not match its certificate is found before connecting. */
function checkUsable(tls: TlsSettings, settings: SettingsReader, keyStore: string | undefined): void {
  try {
    createSecureContext({
      ...(tls.ca ? { ca: tls.ca } : {}),
      ...(tls.cert ? { cert: tls.cert, key: tls.key } : {}),
    })
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? ''
    if (/KEY_VALUES_MISMATCH/.test(code)) {
      const subject = tls.cert ? new X509Certificate(tls.cert).subject.replace(/\n/g, ', ') : 'its certificate'
      settings.fail(`the private key in ${keyStore} does not belong to its certificate (${subject}) — give the key that was issued with it`)
    }
    settings.fail(`the TLS settings cannot be used (${(error as Error).message.split('\n')[0]}) — check the certificates in ${keyStore ?? 'the trust store'}`)
  }
}
