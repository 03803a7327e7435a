// The stores operators have, as keytool (Java 17, and its legacy PKCS12) and OpenSSL wrote them
// (fixtures/make-stores.sh), and as the sandbox's own CA writes them: certificates and keys come out as PEM
// that Node's TLS takes; a wrong or missing password says which.

import { X509Certificate, createPrivateKey } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createSecureContext } from 'node:tls'
import forge from 'node-forge'
import { describe, expect, it } from 'vitest'
import { decryptPemKey, detectStoreFormat, readJavaStore, readPemKeyStore, StoreError } from '../../lib/kafka/key-stores.ts'
import { createAuthority, encryptedKeyPem, issueCertificate, pkcs12Store, validFor } from '../../lib/sandbox/pki.ts'

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url))
const caPem = fixture('ca.pem').toString()
const clientPem = fixture('client.pem').toString()
const subjectOf = (pem: string) => new X509Certificate(pem).subject

const problem = (read: () => unknown) => {
  try {
    read()
  } catch (error) {
    if (error instanceof StoreError) return error.problem
    throw error
  }
  return 'read'
}

describe('trust stores', () => {
  it.each([
    ['truststore.jks', 'JKS'],
    ['truststore.p12', 'PKCS12'],
    ['truststore-legacy.p12', 'PKCS12'],
  ])('%s holds the fixture CA', (file, format) => {
    const store = readJavaStore(fixture(file), 'storepw', null, { keys: false })
    expect(store.format).toBe(format)
    expect(store.certificates.map(subjectOf)).toEqual([subjectOf(caPem)])
    expect(() => createSecureContext({ ca: store.certificates.join('') })).not.toThrow()
  })

  it('reads a JKS trust store without its password, as Java does (no integrity check)', () => {
    expect(readJavaStore(fixture('truststore.jks'), null, null, { keys: false }).certificates.map(subjectOf)).toEqual([subjectOf(caPem)])
  })

  it.each([
    ['truststore.jks', 'nope', 'wrong-password'],
    ['truststore.p12', 'nope', 'wrong-password'],
    ['truststore.p12', null, 'password-needed'],
    ['truststore-legacy.p12', null, 'password-needed'],
    ['ca.pem', 'storepw', 'pem-file'],
  ])('%s with password %s: %s', (file, password, expected) => {
    expect(problem(() => readJavaStore(fixture(file), password, null, { keys: false }))).toBe(expected)
  })
})

describe('key stores', () => {
  it.each([
    ['keystore.jks', 'storepw', 'keypass'],
    ['keystore.p12', 'storepw', null],
    ['openssl-user.p12', 'userpw', null],
  ])('%s gives the client key with its chain, leaf first', (file, password, keyPassword) => {
    const store = readJavaStore(fixture(file), password, keyPassword)
    expect(store.keys).toHaveLength(1)
    const [key] = store.keys
    expect(key!.chainPem.map(subjectOf)).toEqual([subjectOf(clientPem), subjectOf(caPem)])
    expect(new X509Certificate(key!.chainPem[0]!).checkPrivateKey(createPrivateKey(key!.keyPem))).toBe(true)
    expect(key!.keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/)
  })

  it.each([
    ['keystore.jks', 'storepw', null, 'wrong-key-password'],
    ['keystore.jks', 'storepw', 'other', 'wrong-key-password'],
    ['keystore.jks', 'nope', 'keypass', 'wrong-password'],
    ['keystore.p12', 'nope', null, 'wrong-password'],
  ])('%s store password %s key password %s: %s', (file, password, keyPassword, expected) => {
    expect(problem(() => readJavaStore(fixture(file), password, keyPassword))).toBe(expected)
  })

  it('tells the formats apart by their bytes, whatever the type setting says', () => {
    expect(detectStoreFormat(fixture('truststore.jks'))).toBe('JKS')
    expect(detectStoreFormat(fixture('keystore.p12'))).toBe('PKCS12')
    expect(detectStoreFormat(fixture('ca.pem'))).toBe('PEM')
    expect(detectStoreFormat(Buffer.from([0xce, 0xce, 0xce, 0xce, 0, 0, 0, 2]))).toBe('JCEKS')
    expect(detectStoreFormat(Buffer.from('hello'))).toBeNull()
  })
})

describe('stores the sandbox writes', () => {
  const ca = createAuthority('test CA', validFor(1))
  const user = issueCertificate(ca, { commonName: 'someone', purpose: 'client', validity: validFor(1) })

  it('a node-forge PKCS12 key store and trust store read back', () => {
    const keyStore = readJavaStore(pkcs12Store({ key: user.keyPem, certificates: [user.certPem, ca.certPem], password: 'pw', alias: 'user' }), 'pw', null)
    expect(keyStore.keys[0]!.alias).toBe('user')
    expect(keyStore.keys[0]!.chainPem.map(subjectOf)).toEqual([subjectOf(user.certPem), subjectOf(ca.certPem)])
    const trustStore = readJavaStore(pkcs12Store({ certificates: [ca.certPem], password: 'pw', alias: 'ca' }), 'pw', null, { keys: false })
    expect(trustStore.certificates.map(subjectOf)).toEqual([subjectOf(ca.certPem)])
  })

  it('an encrypted PEM key store: the right key password, a wrong one, none', () => {
    const text = encryptedKeyPem(user.keyPem, 'secret') + user.certPem + ca.certPem
    expect(readPemKeyStore(text, 'secret').keys[0]!.chainPem).toHaveLength(2)
    expect(problem(() => readPemKeyStore(text, 'wrong'))).toBe('wrong-key-password')
    expect(problem(() => readPemKeyStore(text, null))).toBe('key-password-needed')
    expect(problem(() => readPemKeyStore(user.certPem, null))).toBe('no-key')
  })

  it('PBES2-encrypted PKCS#8 keys, as OpenSSL 3 and Node write them', () => {
    const encrypted = createPrivateKey(user.keyPem).export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'p4ss' }).toString()
    expect(createPrivateKey(decryptPemKey(encrypted, 'p4ss')).asymmetricKeyType).toBe('rsa')
    expect(problem(() => decryptPemKey(encrypted, null))).toBe('key-password-needed')
    expect(problem(() => decryptPemKey(encrypted, 'nope'))).toBe('wrong-key-password')
  })

  it('every wrong password is a wrong password, also the few whose garbage passes the padding check', () => {
    // One PBKDF2 round keeps 1,500 tries cheap on a loaded machine; the padding check is the same at any count.
    const info = forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(forge.pki.privateKeyFromPem(user.keyPem)))
    const encrypted = forge.pki.encryptedPrivateKeyToPem(forge.pki.encryptPrivateKeyInfo(info, 'right', { algorithm: 'aes128', count: 1 }))
    expect(createPrivateKey({ key: decryptPemKey(encrypted, 'right'), format: 'pem' }).asymmetricKeyType).toBe('rsa')
    // About 1 in 200 wrong passwords decrypts to valid padding; 1,500 tries meet one with near certainty.
    const problems = new Set(Array.from({ length: 1500 }, (_, attempt) => problem(() => decryptPemKey(encrypted, `wrong-${attempt}`))))
    expect([...problems]).toEqual(['wrong-key-password'])
  })
})
