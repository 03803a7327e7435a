// The key and trust stores Java clients read — JKS (jks-js) and PKCS12 (node-forge) — and PEM files, turned
// into the PEM certificates and unencrypted PKCS#8 keys Node's TLS takes. Pure: bytes and passwords in,
// PEM out; a store that cannot be opened is a StoreError saying why, which the caller words for the operator.

import { X509Certificate, createPrivateKey } from 'node:crypto'
import { createRequire } from 'node:module'
import type * as JksJs from 'jks-js'
import type forge from 'node-forge'
import { isCertificate, isPrivateKey, looksLikePem, pemBlocks, toPem } from './pem.ts'

// jks-js and node-forge are ~100 ms of CommonJS to load: every command that connects imports this module, and
// only one that opens a Java store pays for them.
const requireModule = createRequire(import.meta.url)
let jksModule: typeof JksJs | undefined
let forgeModule: typeof forge | undefined
const jksJs = (): typeof JksJs => (jksModule ??= requireModule('jks-js') as typeof JksJs)
const nodeForge = (): typeof forge => (forgeModule ??= requireModule('node-forge') as typeof forge)

export type StoreFormat = 'JKS' | 'PKCS12' | 'PEM'

/** Why a store could not be read. */
export type StoreProblem =
  /** The file is PEM text, but the configured type is JKS or PKCS12. */
  | 'pem-file'
  /** Neither JKS, PKCS12 nor PEM (or damaged). */
  | 'unknown-format'
  /** A Java store format we do not read (JCEKS). */
  | 'unsupported-format'
  /** The store's integrity check (JKS digest, PKCS12 MAC) fails with the password given. */
  | 'wrong-password'
  /** The store's contents are encrypted and no password was given. */
  | 'password-needed'
  /** The private key cannot be decrypted with the key password. */
  | 'wrong-key-password'
  /** The private key is encrypted and no key password was given. */
  | 'key-password-needed'
  /** A key store without a private key entry, or a PEM key store without a key or a certificate. */
  | 'no-key'
  /** A trust store without a certificate. */
  | 'no-certificates'

export class StoreError extends Error {
  readonly problem: StoreProblem
  constructor(problem: StoreProblem, message: string) {
    super(message)
    this.name = 'StoreError'
    this.problem = problem
  }
}

/** What a store holds, as PEM: every certificate, and its key entries (key, then the chain leaf first). */
export interface StoreContents {
  readonly format: StoreFormat
  readonly certificates: readonly string[]
  readonly keys: readonly { readonly alias: string | null; readonly keyPem: string; readonly chainPem: readonly string[] }[]
}

/** JKS, JCEKS, PKCS12 or PEM from the first bytes; null when it is none of them. */
export function detectStoreFormat(bytes: Buffer): StoreFormat | 'JCEKS' | null {
  if (bytes.length >= 4 && bytes.readUInt32BE(0) === 0xfeedfeed) return 'JKS'
  if (bytes.length >= 4 && bytes.readUInt32BE(0) === 0xcececece) return 'JCEKS'
  if (looksLikePem(bytes)) return 'PEM'
  // A PKCS12 PFX is a DER SEQUENCE whose first element is INTEGER 3.
  if (bytes[0] === 0x30 && bytes.subarray(0, 12).includes(0x02)) return 'PKCS12'
  return null
}

/**
 * A JKS or PKCS12 store, whichever the bytes are (Java's JKS and PKCS12 key stores each read the other
 * format too). `password` null skips the integrity check, as Java does for a trust store without one.
 */
export function readJavaStore(bytes: Buffer, password: string | null, keyPassword: string | null, options: { readonly keys?: boolean } = {}): StoreContents {
  const withKeys = options.keys ?? true
  const format = detectStoreFormat(bytes)
  if (format === 'PEM') throw new StoreError('pem-file', 'is a PEM file, not a JKS or PKCS12 store')
  if (format === 'JCEKS') throw new StoreError('unsupported-format', 'is a JCEKS store, which runbook does not read')
  if (format === 'JKS') return readJks(bytes, password, keyPassword ?? password, withKeys)
  if (format === 'PKCS12') return readPkcs12(bytes, password)
  throw new StoreError('unknown-format', 'is neither a JKS nor a PKCS12 store')
}

/** A trust store's key entries are not decrypted (`withKeys` false): only their certificates count. */
function readJks(bytes: Buffer, password: string | null, keyPassword: string | null, withKeys: boolean): StoreContents {
  const { decrypt: decryptJksKey, parseJks } = jksJs()
  let entries: ReturnType<typeof parseJks>
  try {
    entries = parseJks(bytes, password ?? '')
  } catch (error) {
    if (/password verification/i.test((error as Error).message)) throw new StoreError('wrong-password', 'fails its integrity check with this password')
    throw new StoreError('unknown-format', `is a damaged JKS store (${(error as Error).message})`)
  }
  const certificates: string[] = []
  const keys: { alias: string; keyPem: string; chainPem: string[] }[] = []
  for (const entry of entries) {
    if ('protectedPrivateKey' in entry && !withKeys) {
      certificates.push(...entry.chain.map((certificate) => toPem('CERTIFICATE', certificate.value)))
    } else if ('protectedPrivateKey' in entry) {
      if (keyPassword === null) throw new StoreError('key-password-needed', `holds the key "${entry.alias}", which needs a password`)
      let keyPem: string
      try {
        keyPem = decryptJksKey(entry.protectedPrivateKey, keyPassword)
      } catch {
        throw new StoreError('wrong-key-password', `holds the key "${entry.alias}", which this password does not decrypt`)
      }
      const chainPem = entry.chain.map((certificate) => toPem('CERTIFICATE', certificate.value))
      keys.push({ alias: entry.alias, keyPem: normaliseKey(keyPem), chainPem })
      certificates.push(...chainPem)
    } else {
      certificates.push(toPem('CERTIFICATE', entry.cert.value))
    }
  }
  return { format: 'JKS', certificates: unique(certificates), keys }
}

function readPkcs12(bytes: Buffer, password: string | null): StoreContents {
  const forge = nodeForge()
  let asn1: forge.asn1.Asn1
  try {
    asn1 = forge.asn1.fromDer(bytes.toString('binary'), false)
  } catch (error) {
    throw new StoreError('unknown-format', `is not a PKCS12 store that can be read (${(error as Error).message})`)
  }
  // Without a password Java reads what is not encrypted and skips the MAC; forge checks any MAC it finds.
  if (password === null && Array.isArray(asn1.value) && asn1.value.length > 2) asn1.value = asn1.value.slice(0, 2)
  let pfx: forge.pkcs12.Pkcs12Pfx
  try {
    pfx = forge.pkcs12.pkcs12FromAsn1(asn1, false, password ?? '')
  } catch (error) {
    const message = (error as Error).message
    if (/MAC could not be verified/i.test(message)) throw new StoreError('wrong-password', 'fails its integrity check with this password')
    // Contents decrypted with no password are garbage: whatever forge then trips over, the password is missing.
    if (password === null) throw new StoreError('password-needed', 'has encrypted contents and needs its password')
    if (/decrypt|Invalid password|wrong password/i.test(message)) throw new StoreError('wrong-key-password', 'holds a key that this password does not decrypt')
    throw new StoreError('unknown-format', `is not a PKCS12 store that can be read (${message})`)
  }
  const bags = pfx.safeContents.flatMap((contents) => contents.safeBags)
  const keyIdOf = (bag: forge.pkcs12.Bag): string | null => (bag.attributes?.localKeyId?.[0] as string | undefined) ?? null
  const certBags = bags.filter((bag) => bag.type === forge.pki.oids.certBag!)
  const certificates = certBags.map((bag) => ({ keyId: keyIdOf(bag), der: certificateDer(bag) }))
  const all = certificates.map(({ der }) => new X509Certificate(der))
  const keys = bags
    .filter((bag) => bag.type === forge.pki.oids.keyBag! || bag.type === forge.pki.oids.pkcs8ShroudedKeyBag!)
    .map((bag) => {
      const keyId = keyIdOf(bag)
      const keyPem = toPem('PRIVATE KEY', privateKeyDer(bag))
      // The key's certificate: the one with its localKeyId, else the one whose public key matches.
      const privateKey = createPrivateKey(keyPem)
      const leafIndex = certificates.findIndex((certificate, index) =>
        keyId !== null && certificate.keyId !== null ? certificate.keyId === keyId : all[index]!.checkPrivateKey(privateKey),
      )
      const chainPem = leafIndex >= 0 ? chainFrom(all, leafIndex).map((certificate) => certificate.toString()) : []
      return { alias: (bag.attributes?.friendlyName?.[0] as string | undefined) ?? null, keyPem, chainPem }
    })
  return { format: 'PKCS12', certificates: unique(all.map((certificate) => certificate.toString())), keys }
}

/** A PEM key store file: a private key (encrypted or not) and its certificate chain. */
export function readPemKeyStore(text: string, keyPassword: string | null): StoreContents {
  const blocks = pemBlocks(text)
  const key = blocks.find(isPrivateKey)
  const chainPem = blocks.filter(isCertificate).map((block) => block.pem)
  if (!key) throw new StoreError('no-key', 'holds no private key (-----BEGIN PRIVATE KEY-----)')
  if (chainPem.length === 0) throw new StoreError('no-key', 'holds no certificate for its key (-----BEGIN CERTIFICATE-----)')
  return { format: 'PEM', certificates: chainPem, keys: [{ alias: null, keyPem: decryptPemKey(key.pem, keyPassword), chainPem }] }
}

/** A PEM trust store: its certificates. */
export function readPemTrustStore(text: string): StoreContents {
  const certificates = pemBlocks(text)
    .filter(isCertificate)
    .map((block) => block.pem)
  if (certificates.length === 0) throw new StoreError('no-certificates', 'holds no certificate (-----BEGIN CERTIFICATE-----)')
  return { format: 'PEM', certificates, keys: [] }
}

/** An unencrypted PKCS#8 PEM of a PEM private key, decrypting it with `password` when it is encrypted. */
export function decryptPemKey(keyPem: string, password: string | null): string {
  const encrypted = /-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: *4,ENCRYPTED/.test(keyPem)
  if (encrypted && password === null) throw new StoreError('key-password-needed', 'holds an encrypted private key, which needs a password')
  try {
    return createPrivateKey({ key: keyPem, format: 'pem', ...(password !== null ? { passphrase: password } : {}) })
      .export({ type: 'pkcs8', format: 'pem' })
      .toString()
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? ''
    const message = (error as Error).message
    if (code === 'ERR_MISSING_PASSPHRASE' || (password === null && /passphrase|encrypted|interrupted or cancelled/i.test(message))) {
      throw new StoreError('key-password-needed', 'holds an encrypted private key, which needs a password')
    }
    // A wrong password usually fails the padding check ("bad decrypt"), but about one in 200 yields valid
    // padding over garbage, which OpenSSL then reports as an unsupported structure: same cause, same advice.
    if ((encrypted && password !== null) || /bad decrypt|decrypt|mac|passphrase/i.test(`${code} ${message}`))
      throw new StoreError('wrong-key-password', 'holds a private key that this password does not decrypt')
    throw new StoreError('no-key', `holds a private key that cannot be read (${message.split('\n')[0]})`)
  }
}

/** The certificate at `leafIndex`, then its issuers as far as the store has them. */
function chainFrom(certificates: readonly X509Certificate[], leafIndex: number): X509Certificate[] {
  const chain = [certificates[leafIndex]!]
  for (;;) {
    const last = chain.at(-1)!
    if (last.issuer === last.subject) return chain
    const issuer = certificates.find((candidate) => !chain.includes(candidate) && last.checkIssued(candidate))
    if (!issuer) return chain
    chain.push(issuer)
  }
}

function certificateDer(bag: forge.pkcs12.Bag): Buffer {
  const forge = nodeForge()
  const asn1 = bag.cert ? forge.pki.certificateToAsn1(bag.cert) : bag.asn1
  return Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary')
}

// forge decodes RSA keys itself and hands other key types (EC) over as their PrivateKeyInfo.
function privateKeyDer(bag: forge.pkcs12.Bag): Buffer {
  const forge = nodeForge()
  const asn1 = bag.key ? forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(bag.key)) : bag.asn1
  return Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary')
}

function normaliseKey(keyPem: string): string {
  return createPrivateKey(keyPem).export({ type: 'pkcs8', format: 'pem' }).toString()
}

function unique(certificates: readonly string[]): string[] {
  return [...new Set(certificates)]
}
