// A throwaway certificate authority for a secured sandbox: the CA, certificates it signs (brokers for
// 127.0.0.1/localhost, clients by common name), and PKCS#12 stores. Pure computation on node-forge and
// node:crypto: keys, certificates and store bytes come back as values; the caller decides where they go.

import { constants, generateKeyPairSync, privateEncrypt, randomBytes } from 'node:crypto'
import forge from 'node-forge'

/** A certificate and its unencrypted PKCS#8 private key, both PEM. */
export interface KeyPair {
  readonly certPem: string
  readonly keyPem: string
}

export interface Validity {
  readonly notBefore: Date
  readonly notAfter: Date
}

export interface CertificateRequest {
  readonly commonName: string
  readonly validity: Validity
  /** server: serverAuth with these names in subjectAltName; client: clientAuth. */
  readonly purpose: 'server' | 'client'
  readonly dnsNames?: readonly string[]
  readonly ipAddresses?: readonly string[]
}

/** `days` days from `from` (default now), starting an hour early so that clocks a little behind still accept it. */
export function validFor(days: number, from = new Date()): Validity {
  return { notBefore: new Date(from.getTime() - 3_600_000), notAfter: new Date(from.getTime() + days * 86_400_000) }
}

/** A self-signed CA that may sign certificates (and nothing else). */
export function createAuthority(commonName: string, validity: Validity): KeyPair {
  const { keyPem, publicKey } = newRsaKey()
  const cert = baseCertificate(publicKey, commonName, validity)
  cert.setIssuer(cert.subject.attributes)
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ])
  cert.sign(nativeSigner(keyPem), forge.md.sha256.create())
  return { certPem: pem(forge.pki.certificateToPem(cert)), keyPem }
}

/** A certificate signed by `authority`, with a key of its own. */
export function issueCertificate(authority: KeyPair, request: CertificateRequest): KeyPair {
  const caCert = forge.pki.certificateFromPem(authority.certPem)
  const { keyPem, publicKey } = newRsaKey()
  const cert = baseCertificate(publicKey, request.commonName, request.validity)
  cert.setIssuer(caCert.subject.attributes)
  const altNames = [...(request.dnsNames ?? []).map((value) => ({ type: 2, value })), ...(request.ipAddresses ?? []).map((ip) => ({ type: 7, ip }))]
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: request.purpose === 'server', clientAuth: request.purpose === 'client' },
    ...(altNames.length ? [{ name: 'subjectAltName', altNames }] : []),
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
  ])
  cert.sign(nativeSigner(authority.keyPem), forge.md.sha256.create())
  return { certPem: pem(forge.pki.certificateToPem(cert)), keyPem }
}

/**
 * A PKCS#12 store: with `key`, a key entry (the key and its chain, first certificate first) under `alias`;
 * without, a trust store of the certificates. AES-256 and a SHA-256 MAC, as Java 17's keytool writes them.
 */
export function pkcs12Store(options: {
  readonly key?: string
  readonly certificates: readonly string[]
  readonly password: string
  readonly alias: string
}): Buffer {
  const certificates = options.certificates.map((certificate) => forge.pki.certificateFromPem(certificate))
  const key = options.key ? forge.pki.privateKeyFromPem(options.key) : null
  const asn1 = forge.pkcs12.toPkcs12Asn1(key, certificates, options.password, {
    algorithm: 'aes256',
    friendlyName: options.alias,
    generateLocalKeyId: key !== null,
    count: 10_000,
  })
  return Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary')
}

/** The key as an encrypted PKCS#8 PEM ("ENCRYPTED PRIVATE KEY", PBE with SHA-1 and 3DES), which Java's PEM reader and OpenSSL both take. */
export function encryptedKeyPem(keyPem: string, password: string): string {
  const key = forge.pki.privateKeyFromPem(keyPem)
  const info = forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(key))
  return pem(forge.pki.encryptedPrivateKeyToPem(forge.pki.encryptPrivateKeyInfo(info, password, { algorithm: '3des', count: 10_000 })))
}

/** A random password of letters and digits, safe in a properties file, a JAAS string and a command line. */
export function newPassword(bytes = 18): string {
  return randomBytes(bytes).toString('base64url').replace(/[-_]/g, 'x')
}

// node:crypto makes the keys and signs (native, fast); forge lays out the certificates. Its own RSA in
// JavaScript takes seconds for a handful of certificates on a busy 2-core machine.
function newRsaKey(): { keyPem: string; publicKey: forge.pki.rsa.PublicKey } {
  const pair = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  })
  return { keyPem: pair.privateKey, publicKey: forge.pki.publicKeyFromPem(pair.publicKey) }
}

// DER prefix of a SHA-256 DigestInfo: RSASSA-PKCS1-v1_5 signs DigestInfo(sha256, digest).
const sha256DigestInfo = Buffer.from('3031300d060960864801650304020105000420', 'hex')

/** What forge's cert.sign() needs from a key: sign(md) returning the signature as a binary string. */
function nativeSigner(keyPem: string): forge.pki.rsa.PrivateKey {
  const sign = (md: forge.md.MessageDigest) => {
    const digest = Buffer.from(md.digest().getBytes(), 'binary')
    return privateEncrypt({ key: keyPem, padding: constants.RSA_PKCS1_PADDING }, Buffer.concat([sha256DigestInfo, digest])).toString('binary')
  }
  return { sign } as unknown as forge.pki.rsa.PrivateKey
}

function baseCertificate(publicKey: forge.pki.rsa.PublicKey, commonName: string, validity: Validity): forge.pki.Certificate {
  const cert = forge.pki.createCertificate()
  cert.publicKey = publicKey
  // A positive serial: the high bit of the first byte clear.
  cert.serialNumber = '0' + randomBytes(15).toString('hex').slice(1)
  cert.validity.notBefore = validity.notBefore
  cert.validity.notAfter = validity.notAfter
  cert.setSubject([{ name: 'commonName', value: commonName }])
  return cert
}

// forge writes CRLF line ends; PEM files on disk read better with LF.
function pem(text: string): string {
  return text.replace(/\r\n/g, '\n')
}
