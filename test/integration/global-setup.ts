// Starts (or reuses) the sandboxes the integration project runs against, and hands them to the tests with
// vitest's provide/inject: the plaintext one every test uses, and — when a test under test/integration/secure/
// is in the run — a secured one (SASL_SSL, mutual TLS, OAUTHBEARER against a local token endpoint), started in
// parallel. Stops each afterwards only if this run started it; a watchdog stops them if vitest dies. After the
// run, every transcript the secured tests wrote is scanned for their passwords, keys and tokens.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { generateKeyPairSync } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type {} from 'vitest'
import type { TestProject } from 'vitest/node'
import { compiledWorkloadsVariable } from '../../lib/drills/workload-processes.ts'
import { createSandboxProbe } from '../../lib/kafka/platformatic/sandbox-probe.ts'
import type { SandboxConfig, SandboxSecrets, SandboxStatus } from '../../lib/sandbox/index.ts'
import { clientDir, defaultTestBasePort, down, readSecrets, sandboxConfig, securityFiles, up } from '../../lib/sandbox/index.ts'
import { buildDist } from '../support/build-dist.ts'
import { findSecrets } from '../support/secret-scan.ts'
import { startTokenEndpoint } from '../support/token-endpoint.ts'

/** What every integration test can `inject('sandbox')`. */
export interface ProvidedSandbox {
  readonly config: SandboxConfig
  readonly bootstrap: string
  readonly kafkaVersion: string
  readonly elr: boolean
  readonly brokerIds: readonly number[]
  readonly controllerId: number
}

/** The secured sandbox (`inject('secureSandbox')`), null when no secured test is in the run. */
export interface ProvidedSecureSandbox {
  readonly config: SandboxConfig
  readonly status: SandboxStatus
  readonly secrets: SandboxSecrets
  /** The CA's key, for tests that make client certificates of their own. */
  readonly caKeyFile: string
  readonly oauth: { readonly tokenUrl: string; readonly clientId: string; readonly clientSecret: string }
  /** Where the secured tests write their transcripts: scanned for secrets after the run. */
  readonly transcriptsDir: string
}

declare module 'vitest' {
  export interface ProvidedContext {
    sandbox: ProvidedSandbox
    secureSandbox: ProvidedSecureSandbox | null
  }
}

/** The secured test sandbox: RUNBOOK_TEST_SECURE_SANDBOX (default "test-secure") on RUNBOOK_TEST_SECURE_SANDBOX_PORT (default 19600, listeners up to +39). */
export function secureSandboxConfig(env: NodeJS.ProcessEnv = process.env, oauthJwksUrl: string | null = null): SandboxConfig {
  return sandboxConfig(
    {
      name: env.RUNBOOK_TEST_SECURE_SANDBOX || 'test-secure',
      basePort: Number(env.RUNBOOK_TEST_SECURE_SANDBOX_PORT || 19600),
      security: 'sasl_ssl',
      oauthJwksUrl,
    },
    env,
  )
}

const oauthClient = { clientId: 'runbook-test-app', clientSecret: 'oauth-secret-' + Math.random().toString(36).slice(2) }

/** Is a test of test/integration/secure/ among the files this run will execute? */
async function runsSecureTests(project: TestProject): Promise<boolean> {
  const filters = (project.vitest as unknown as { filenamePattern?: string[] }).filenamePattern ?? []
  const { testFiles } = await project.globTestFiles(filters)
  return testFiles.some((file) => /[\\/]test[\\/]integration[\\/]secure[\\/]/.test(file))
}

// The token endpoint signs with a key kept beside the secured sandbox: brokers of a sandbox reused from an
// earlier run cached its JWKS, and accept the tokens of a new run only if the key is the same.
function signingKey(config: SandboxConfig): string {
  const file = join(config.stateDir, 'test-oauth-signing-key.pem')
  try {
    return readFileSync(file, 'utf8')
  } catch {
    mkdirSync(config.stateDir, { recursive: true })
    const pem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
    writeFileSync(file, pem, { mode: 0o600 })
    return pem
  }
}

/** The test sandbox: RUNBOOK_TEST_SANDBOX (default "test") on RUNBOOK_TEST_SANDBOX_PORT (default 19190). */
export function testSandboxConfig(env: NodeJS.ProcessEnv = process.env): SandboxConfig {
  const port = env.RUNBOOK_TEST_SANDBOX_PORT
  return sandboxConfig({ name: env.RUNBOOK_TEST_SANDBOX || 'test', basePort: port ? Number(port) : defaultTestBasePort }, env)
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const config = testSandboxConfig()
  const secured = (await runsSecureTests(project)) ? secureSandboxConfig() : null
  const idp = secured
    ? await startTokenEndpoint({
        port: Number(process.env.RUNBOOK_TEST_OAUTH_PORT || 19690),
        clients: { [oauthClient.clientId]: oauthClient.clientSecret },
        signingKeyPem: signingKey(secured),
      })
    : null
  const securedConfig = secured && idp ? { ...secured, oauthJwksUrl: idp.jwksUrl } : null
  const progress = (name: string) => (line: string) => process.stderr.write(`[sandbox ${name}] ${line}\n`)
  // Some tests start the built CLI against the sandbox: dist/ is built while the clusters start.
  const [plainStart, securedStart, build] = await Promise.allSettled([
    up(config, { probe: createSandboxProbe('runbook-test-setup'), ownerPid: process.pid, timeoutMs: 180_000, onProgress: progress(config.name) }),
    securedConfig
      ? up(securedConfig, {
          probe: createSandboxProbe('runbook-test-setup'),
          ownerPid: process.pid,
          timeoutMs: 180_000,
          onProgress: progress(securedConfig.name),
        })
      : Promise.resolve(null),
    buildDist(),
  ])
  if (plainStart.status === 'rejected' || securedStart.status === 'rejected' || build.status === 'rejected') {
    // One failed: stop what this run started of the others, then report the first failure.
    if (securedStart.status === 'fulfilled' && securedStart.value?.started && securedConfig) await down(securedConfig, { wipe: true })
    if (plainStart.status === 'fulfilled' && plainStart.value.started) await down(config, { wipe: true })
    await idp?.close()
    throw [plainStart, securedStart, build].find((result): result is PromiseRejectedResult => result.status === 'rejected')!.reason
  }
  // Drill workloads start as the compiled files of the build just made, not through the TypeScript loader:
  // 1.5 s against 18–37 s per workload on a loaded machine. The test workers inherit this environment.
  process.env[compiledWorkloadsVariable] ||= fileURLToPath(new URL('../../dist/lib/drills/workloads', import.meta.url))
  const info = plainStart.value
  const securedInfo = securedStart.value
  const effective: SandboxConfig = { ...config, kafkaVersion: info.kafkaVersion, elr: info.elr, brokers: info.nodes.length - 1 }
  project.provide('sandbox', {
    config: effective,
    bootstrap: info.bootstrap,
    kafkaVersion: info.kafkaVersion,
    elr: info.elr,
    brokerIds: info.nodes.filter((node) => node.role === 'broker').map((node) => node.id),
    controllerId: info.nodes.find((node) => node.role === 'controller')!.id,
  })
  const transcriptsDir = mkdtempSync(join(tmpdir(), 'runbook-secure-transcripts-'))
  const secrets = securedConfig ? readSecrets(securedConfig.stateDir) : null
  project.provide(
    'secureSandbox',
    securedConfig && securedInfo && secrets && idp
      ? {
          config: { ...securedConfig, kafkaVersion: securedInfo.kafkaVersion, elr: securedInfo.elr, brokers: securedInfo.nodes.length - 1 },
          status: securedInfo,
          secrets,
          caKeyFile: securityFiles(securedConfig.stateDir).caKey,
          oauth: { tokenUrl: idp.tokenUrl, ...oauthClient },
          transcriptsDir,
        }
      : null,
  )
  return async () => {
    try {
      if (securedConfig && secrets && idp) {
        // Every transcript the secured tests wrote: not one password, key, OAuth secret or token in it.
        const keyMaterial = [securityFiles(securedConfig.stateDir).caKey, join(clientDir(securedConfig.stateDir), 'user.key')].map((file) =>
          readFileSync(file, 'utf8'),
        )
        const leaks = findSecrets(transcriptsDir, [
          secrets.saslPassword,
          secrets.trustPassword,
          secrets.userPassword,
          secrets.brokerStorePassword,
          oauthClient.clientSecret,
          ...idp.issued,
          ...keyMaterial,
        ])
        if (leaks.length > 0) throw new Error(`secrets found in transcripts the secured tests wrote: ${leaks.join('; ')}`)
      }
    } finally {
      if (securedInfo?.started && securedConfig) await down(securedConfig, { wipe: true })
      await idp?.close()
      rmSync(transcriptsDir, { recursive: true, force: true })
      if (info.started) await down(config, { wipe: true })
    }
  }
}
