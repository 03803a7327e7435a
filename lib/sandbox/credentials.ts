// A secured sandbox's credentials on disk: made once when the sandbox is created (a throwaway CA, the brokers'
// key store, a client certificate in every store format, passwords), read again at every start. The
// client folder holds what a client uses; security/ holds what only the brokers and tests use (the CA key).

import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { type ClientFile, type ClientSecrets, clientFiles, clientStoreFiles } from './client-files.ts'
import type { SandboxConfig } from './config.ts'
import { SandboxError } from './errors.ts'
import type { JavaRuntime } from './java.ts'
import { keytoolPath, runKeytool, writeJksKeyStore, writeJksTrustStore } from './keytool.ts'
import { createAuthority, encryptedKeyPem, issueCertificate, newPassword, pkcs12Store, validFor } from './pki.ts'

/** Everything secret a secured sandbox's brokers and clients share. */
export interface SandboxSecrets extends ClientSecrets {
  /** The brokers' own key store (broker.p12). */
  readonly brokerStorePassword: string
}

/** The common name of the client certificate: the principal mutual-TLS clients are known by (User:CN=…). */
export const clientCommonName = 'runbook-client'
/** The SASL user (SCRAM-SHA-512, SCRAM-SHA-256 and PLAIN share it). */
export const saslUser = 'runbook'

export const clientDir = (stateDir: string) => join(stateDir, 'client')
export const securityDir = (stateDir: string) => join(stateDir, 'security')

/** Files only the brokers (and tests that make certificates of their own) read. */
export function securityFiles(stateDir: string) {
  const dir = securityDir(stateDir)
  return {
    secrets: join(dir, 'secrets.json'),
    caKey: join(dir, 'ca.key'),
    brokerStore: join(dir, 'broker.p12'),
    caCert: join(clientDir(stateDir), clientStoreFiles.caCert),
  }
}

/** The sandbox's secrets, or null when it has none (a plaintext sandbox, or one not created yet). */
export function readSecrets(stateDir: string): SandboxSecrets | null {
  let text: string
  try {
    text = readFileSync(securityFiles(stateDir).secrets, 'utf8')
  } catch {
    return null
  }
  try {
    return JSON.parse(text) as SandboxSecrets
  } catch (error) {
    throw new SandboxError(
      `${securityFiles(stateDir).secrets} is damaged (${(error as Error).message}) — run \`runbook sandbox down --wipe\` for this sandbox`,
      1,
    )
  }
}

/**
 * Makes the CA, the brokers' certificate (127.0.0.1 and localhost), the client certificate in PEM, PKCS12 and
 * JKS stores, and the passwords. Runs before the first format; keytool (for JKS) runs in parallel.
 */
export async function createCredentials(config: SandboxConfig, java: JavaRuntime, env: NodeJS.ProcessEnv): Promise<SandboxSecrets> {
  const secrets: SandboxSecrets = {
    saslUser,
    saslPassword: newPassword(),
    trustPassword: newPassword(),
    userPassword: newPassword(),
    brokerStorePassword: newPassword(),
  }
  const files = securityFiles(config.stateDir)
  const client = clientDir(config.stateDir)
  rmSync(securityDir(config.stateDir), { recursive: true, force: true })
  rmSync(client, { recursive: true, force: true })
  mkdirSync(securityDir(config.stateDir), { recursive: true, mode: 0o700 })
  mkdirSync(client, { recursive: true, mode: 0o700 })
  const validity = validFor(3650)
  const ca = createAuthority(`runbook sandbox ${config.name} CA`, validity)
  const broker = issueCertificate(ca, {
    commonName: `runbook sandbox ${config.name} broker`,
    purpose: 'server',
    dnsNames: ['localhost'],
    ipAddresses: ['127.0.0.1'],
    validity,
  })
  const user = issueCertificate(ca, { commonName: clientCommonName, purpose: 'client', validity })
  const at = (file: keyof typeof clientStoreFiles) => join(client, clientStoreFiles[file])

  writeSecret(files.caKey, ca.keyPem)
  writeSecret(
    files.brokerStore,
    pkcs12Store({ key: broker.keyPem, certificates: [broker.certPem, ca.certPem], password: secrets.brokerStorePassword, alias: 'broker' }),
  )
  writeFileSync(at('caCert'), ca.certPem)
  writeSecret(at('caPassword'), secrets.trustPassword)
  writeFileSync(at('userCert'), user.certPem)
  writeSecret(at('userKey'), user.keyPem)
  writeSecret(at('userPassword'), secrets.userPassword)
  // As Strimzi hands it out: the user's key and certificate in a PKCS12 store written by a non-Java tool.
  writeSecret(at('userP12'), pkcs12Store({ key: user.keyPem, certificates: [user.certPem, ca.certPem], password: secrets.userPassword, alias: 'user' }))
  writeSecret(at('userPemStore'), encryptedKeyPem(user.keyPem, secrets.userPassword) + user.certPem + ca.certPem)

  // Java only trusts a PKCS12 certificate that carries its own "trusted" attribute, so ca.p12 comes from keytool.
  const keytool = keytoolPath(java, env)
  await Promise.all([
    runKeytool(
      keytool,
      [
        '-importcert',
        '-noprompt',
        '-alias',
        'ca',
        '-file',
        at('caCert'),
        '-keystore',
        at('caP12'),
        '-storetype',
        'PKCS12',
        '-storepass',
        secrets.trustPassword,
      ],
      env,
    ),
    writeJksTrustStore(keytool, { caFile: at('caCert'), out: at('trustJks'), password: secrets.trustPassword, alias: 'ca' }, env),
    writeJksKeyStore(keytool, { p12: at('userP12'), p12Password: secrets.userPassword, out: at('userJks'), password: secrets.userPassword }, env),
  ])
  for (const file of [at('caP12'), at('trustJks'), at('userJks')]) chmodSync(file, 0o600)
  writeSecret(files.secrets, JSON.stringify(secrets, null, 2) + '\n')
  return secrets
}

/** Writes the sandbox's client.properties files (again at every start, so they follow the sandbox's ports); returns them. */
export function writeClientFiles(config: SandboxConfig, secrets: SandboxSecrets): ClientFile[] {
  const dir = clientDir(config.stateDir)
  const files = clientFiles(config, dir, secrets)
  for (const file of files) writeSecret(join(dir, file.file), file.text)
  return files
}

/** The client files of an existing sandbox, without writing anything. */
export function listClientFiles(config: SandboxConfig): (ClientFile & { readonly path: string })[] {
  const secrets = readSecrets(config.stateDir)
  if (!secrets) return []
  const dir = clientDir(config.stateDir)
  return clientFiles(config, dir, secrets)
    .map((file) => ({ ...file, path: join(dir, file.file) }))
    .filter((file) => existsSync(file.path))
}

// Readable by this user only: keys and passwords.
function writeSecret(path: string, text: string | Buffer): void {
  writeFileSync(`${path}.tmp`, text, { mode: 0o600 })
  renameSync(`${path}.tmp`, path)
}
