// sandbox.json: how a sandbox was formatted. Later commands read it so that ports and version come from the
// cluster that exists, and refuse a configuration that would not match its data.

import { randomBytes } from 'node:crypto'
import { readFileSync, renameSync, writeFileSync } from 'node:fs'
import type { SandboxConfig } from './config.ts'
import { SandboxError } from './errors.ts'
import { manifestFile } from './layout.ts'
import type { SandboxSecurity } from './listeners.ts'

export interface SandboxManifest {
  readonly name: string
  readonly kafkaVersion: string
  readonly brokers: number
  readonly basePort: number
  readonly elr: boolean
  /** Absent in sandboxes made before secured listeners existed: plaintext. */
  readonly security?: SandboxSecurity
  readonly oauthJwksUrl?: string | null
  readonly clusterId: string
  readonly createdAt: string
}

export function readManifest(stateDir: string): SandboxManifest | null {
  let text: string
  try {
    text = readFileSync(manifestFile(stateDir), 'utf8')
  } catch {
    return null
  }
  try {
    const manifest = JSON.parse(text) as SandboxManifest
    if (typeof manifest.clusterId !== 'string' || typeof manifest.basePort !== 'number' || typeof manifest.brokers !== 'number')
      throw new Error('fields missing')
    return manifest
  } catch (error) {
    throw new SandboxError(`${manifestFile(stateDir)} is damaged (${(error as Error).message}) — run \`runbook sandbox down --wipe\` for this sandbox`, 1)
  }
}

export function writeManifest(stateDir: string, manifest: SandboxManifest): void {
  const file = manifestFile(stateDir)
  writeFileSync(`${file}.tmp`, JSON.stringify(manifest, null, 2) + '\n')
  renameSync(`${file}.tmp`, file)
}

/** Where an explicitly chosen setting differs from what the sandbox's data was formatted with, as "had → asked". */
export function manifestMismatches(manifest: SandboxManifest, config: SandboxConfig): string[] {
  const differences: string[] = []
  const chosen = (field: SandboxConfig['explicit'][number]) => config.explicit.includes(field)
  if (chosen('kafkaVersion') && manifest.kafkaVersion !== config.kafkaVersion) differences.push(`Kafka ${manifest.kafkaVersion} → ${config.kafkaVersion}`)
  if (chosen('brokers') && manifest.brokers !== config.brokers) differences.push(`${manifest.brokers} → ${config.brokers} brokers`)
  if (chosen('basePort') && manifest.basePort !== config.basePort) differences.push(`port ${manifest.basePort} → ${config.basePort}`)
  if (chosen('elr') && manifest.elr !== config.elr) differences.push(`ELR ${manifest.elr ? 'on' : 'off'} → ${config.elr ? 'on' : 'off'}`)
  const security = manifest.security ?? 'plaintext'
  if (chosen('security') && security !== config.security) differences.push(`security ${security} → ${config.security}`)
  else if (chosen('security') && config.oauthJwksUrl !== null && (manifest.oauthJwksUrl ?? null) !== config.oauthJwksUrl) {
    differences.push(`OAuth JWKS ${manifest.oauthJwksUrl ?? 'none'} → ${config.oauthJwksUrl}`)
  }
  return differences
}

/** The configuration the sandbox was created with, keeping the caller's extra properties and paths. */
export function configFromManifest(config: SandboxConfig, manifest: SandboxManifest): SandboxConfig {
  return {
    ...config,
    kafkaVersion: manifest.kafkaVersion,
    brokers: manifest.brokers,
    basePort: manifest.basePort,
    elr: manifest.elr,
    security: manifest.security ?? 'plaintext',
    oauthJwksUrl: manifest.oauthJwksUrl ?? null,
  }
}

/** A KRaft cluster id: 16 random bytes in unpadded base64url, not starting with '-' (Kafka's Uuid rejects that). */
export function newClusterId(random: (size: number) => Buffer = randomBytes): string {
  for (;;) {
    const id = random(16).toString('base64url')
    if (!id.startsWith('-') && id !== 'AAAAAAAAAAAAAAAAAAAAAA' && id !== 'AAAAAAAAAAAAAAAAAAAAAQ') return id
  }
}
