// Starts (or reuses) the one sandbox the integration project runs against, and hands it to the tests with
// vitest's provide/inject. Stops it afterwards only if this run started it; a watchdog stops it if vitest dies.

import type {} from 'vitest'
import type { TestProject } from 'vitest/node'
import { createSandboxProbe } from '../../lib/kafka/platformatic/sandbox-probe.ts'
import type { SandboxConfig } from '../../lib/sandbox/index.ts'
import { defaultTestBasePort, down, sandboxConfig, up } from '../../lib/sandbox/index.ts'
import { buildDist } from '../support/build-dist.ts'

/** What every integration test can `inject('sandbox')`. */
export interface ProvidedSandbox {
  readonly config: SandboxConfig
  readonly bootstrap: string
  readonly kafkaVersion: string
  readonly elr: boolean
  readonly brokerIds: readonly number[]
  readonly controllerId: number
}

declare module 'vitest' {
  export interface ProvidedContext {
    sandbox: ProvidedSandbox
  }
}

/** The test sandbox: RUNBOOK_TEST_SANDBOX (default "test") on RUNBOOK_TEST_SANDBOX_PORT (default 19190). */
export function testSandboxConfig(env: NodeJS.ProcessEnv = process.env): SandboxConfig {
  const port = env.RUNBOOK_TEST_SANDBOX_PORT
  return sandboxConfig({ name: env.RUNBOOK_TEST_SANDBOX || 'test', basePort: port ? Number(port) : defaultTestBasePort }, env)
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const config = testSandboxConfig()
  // Some tests start the built CLI against the sandbox: dist/ is built while the cluster starts.
  const [info] = await Promise.all([
    up(config, {
      probe: createSandboxProbe('runbook-test-setup'),
      ownerPid: process.pid,
      timeoutMs: 180_000,
      onProgress: (line) => process.stderr.write(`[sandbox ${config.name}] ${line}\n`),
    }),
    buildDist(),
  ])
  const effective: SandboxConfig = { ...config, kafkaVersion: info.kafkaVersion, elr: info.elr, brokers: info.nodes.length - 1 }
  project.provide('sandbox', {
    config: effective,
    bootstrap: info.bootstrap,
    kafkaVersion: info.kafkaVersion,
    elr: info.elr,
    brokerIds: info.nodes.filter((node) => node.role === 'broker').map((node) => node.id),
    controllerId: info.nodes.find((node) => node.role === 'controller')!.id,
  })
  return async () => {
    if (info.started) await down(config, { wipe: true })
  }
}
