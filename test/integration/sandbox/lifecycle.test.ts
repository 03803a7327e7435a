// The sandbox's lifecycle on real JVMs: readiness as the cluster reports it, idempotent up, a second sandbox
// beside the first, down from pid files, the watchdog, port collisions and stale pid files.

import { spawn } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { createSandboxProbe } from '../../../lib/kafka/platformatic/sandbox-probe.ts'
import type { SandboxConfig } from '../../../lib/sandbox/index.ts'
import { down, runKafkaTool, runningSandboxBootstrap, sandboxConfig, status, up } from '../../../lib/sandbox/index.ts'
import { consume, createTopic, produce, uniqueTopic, waitFor } from '../../support/kafka.ts'
import { kafkaToolOk, testSandbox } from '../../support/sandbox.ts'

const probe = createSandboxProbe('runbook-test-lifecycle')

/** A second, small sandbox (controller + 1 broker) on ports 20 above the shared one, named after it. */
function sideSandbox(suffix: string, offset: number, extra: { elr?: boolean } = {}): SandboxConfig {
  const shared = testSandbox().config
  return sandboxConfig(
    { name: `${shared.name}-${suffix}`, basePort: shared.basePort + offset, brokers: 1, kafkaVersion: shared.kafkaVersion, ...extra },
    process.env,
  )
}

const kafka4 = () => !testSandbox().kafkaVersion.startsWith('3.')

// A process that exited but was not yet reaped by its parent (a zombie) counts as gone.
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2))
  } catch {
    return false
  }
}

describe('the shared test sandbox', () => {
  it('is ready: every node up, every broker registered and unfenced, the controller active', async () => {
    const sandbox = testSandbox()
    const current = status(sandbox.config)
    expect(current.nodes.map((node) => [node.id, node.role, node.state])).toEqual([
      [sandbox.controllerId, 'controller', 'up'],
      ...sandbox.brokerIds.map((id) => [id, 'broker', 'up']),
    ])
    const view = await probe.readCluster(sandbox.bootstrap, { timeoutMs: 3000 })
    expect(
      view.brokers
        .filter((broker) => !broker.fenced)
        .map((broker) => broker.id)
        .sort(),
    ).toEqual([...sandbox.brokerIds])
    expect(view.activeControllerId).toBe(sandbox.controllerId)
  })

  it("agrees with Kafka's own tools on the quorum leader and the feature levels", async () => {
    const sandbox = testSandbox()
    const quorum = await kafkaToolOk('kafka-metadata-quorum', ['describe', '--status'])
    expect(quorum).toMatch(new RegExp(`LeaderId:\\s+${sandbox.controllerId}\\b`))
    const features = await kafkaToolOk('kafka-features', ['describe'])
    const elrLevel = /Feature: eligible\.leader\.replicas\.version\s.*FinalizedVersionLevel: (\d+)/.exec(features)?.[1]
    if (sandbox.kafkaVersion.startsWith('3.')) expect(elrLevel).toBeUndefined()
    else expect(elrLevel).toBe(sandbox.elr ? '1' : '0')
  })

  it('gives each broker its rack and carries records end to end with acks=all', async () => {
    const topic = uniqueTopic('lifecycle')
    await createTopic(topic, { partitions: 3, replicationFactor: 3 })
    await produce(topic, ['a', 'b', 'c', 'd'])
    expect((await consume(topic, 4)).sort()).toEqual(['a', 'b', 'c', 'd'])
    const described = await kafkaToolOk('kafka-topics', ['--describe', '--topic', topic])
    expect(described).toContain('ReplicationFactor: 3')
    const racks = await kafkaToolOk('kafka-broker-api-versions', [])
    for (const id of testSandbox().brokerIds) expect(racks).toMatch(new RegExp(`\\(id: ${id} rack: r${id}[ )]`))
  })

  it('is the default cluster of the other commands when its name is the configured one', async () => {
    const { config, bootstrap } = testSandbox()
    expect(await runningSandboxBootstrap({ env: { ...process.env, RUNBOOK_SANDBOX_NAME: config.name }, probe })).toBe(bootstrap)
    expect(await runningSandboxBootstrap({ env: { ...process.env, RUNBOOK_SANDBOX_NAME: `${config.name}-never-created` } })).toBeNull()
  })

  it('up again is a no-op that re-checks readiness', async () => {
    const info = await up(testSandbox().config, { probe })
    expect(info.started).toBe(false)
    expect(info.startedNodes).toEqual([])
    expect(info.bootstrap).toBe(testSandbox().bootstrap)
  })
})

describe('more sandboxes on one machine', () => {
  const created: SandboxConfig[] = []
  afterAll(async () => {
    for (const config of created) await down(config, { wipe: true })
  })

  it('runs a second sandbox beside the first (ELR off at format on 4.x), and down stops all its processes (brokers first) and wipes it', async () => {
    const side = sideSandbox('side', 20, kafka4() ? { elr: false } : {})
    created.push(side)
    const info = await up(side, { probe })
    expect(info.started).toBe(true)
    expect(info.bootstrap).toBe(`127.0.0.1:${side.basePort + 1}`)
    expect(info.bootstrap).not.toBe(testSandbox().bootstrap)
    const topics = await runKafkaTool(side, 'kafka-topics', ['--bootstrap-server', info.bootstrap, '--list'])
    expect(topics.exitCode).toBe(0)
    expect(topics.stdout.split('\n')).toContain('runbook-sandbox-probe')
    // Started as Kafka's own scripts start it (G1, JMX agent), the tool gives the same answer.
    const asScripts = await runKafkaTool(side, 'kafka-topics', ['--bootstrap-server', info.bootstrap, '--list'], { jvm: 'kafka-scripts' })
    expect(asScripts).toMatchObject({ exitCode: 0, stdout: topics.stdout })
    if (kafka4()) {
      const features = await runKafkaTool(side, 'kafka-features', ['--bootstrap-server', info.bootstrap, 'describe'])
      expect(features.stdout).toMatch(/Feature: eligible\.leader\.replicas\.version\s.*FinalizedVersionLevel: 0\b/)
    }

    const pids = info.nodes.map((node) => node.pid!)
    const result = await down(side, { wipe: true })
    expect(result.stopped.map((node) => node.id)).toEqual([1, 100])
    expect(result.stopped.every((node) => node.how === 'exited')).toBe(true)
    expect(pids.filter(alive)).toEqual([])
    expect(existsSync(side.stateDir)).toBe(false)
    expect(status(side).nodes.every((node) => node.state === 'dead')).toBe(true)
    // The shared sandbox was not touched.
    expect(status(testSandbox().config).nodes.every((node) => node.state === 'up')).toBe(true)
  })

  it('refuses a port that is taken, naming it, and starts nothing', async () => {
    const side = sideSandbox('busy', 30)
    created.push(side)
    const blocker = createServer()
    await new Promise<void>((resolve) => blocker.listen(side.basePort + 1, '127.0.0.1', resolve))
    try {
      await expect(up(side, { probe })).rejects.toThrow(new RegExp(`^port ${side.basePort + 1} \\(broker 1\\) is already in use .* --port`))
      expect(status(side).nodes.every((node) => node.state === 'dead')).toBe(true)
    } finally {
      await new Promise((resolve) => blocker.close(resolve))
    }
  })

  it('a watchdog stops a sandbox whose owner process died', async () => {
    const side = sideSandbox('owned', 40)
    created.push(side)
    const owner = spawn('sleep', ['600'], { stdio: 'ignore' })
    try {
      const info = await up(side, { probe, ownerPid: owner.pid! })
      expect(info.reaperPid ?? status(side).reaperPid).not.toBeNull()
      const pids = info.nodes.map((node) => node.pid!)
      owner.kill('SIGKILL')
      await waitFor(() => status(side).reaperPid === null, { what: 'the watchdog to stop the orphaned sandbox and exit', timeoutMs: 60_000 })
      expect(pids.filter(alive)).toEqual([])
    } finally {
      owner.kill('SIGKILL')
    }
  })

  it('a down cut short by the death of its process (the owner) is finished by the watchdog, controller included', async () => {
    const side = sideSandbox('cut', 70)
    created.push(side)
    const register = fileURLToPath(new URL('../../../lib/drills/ts-loader/register.mjs', import.meta.url))
    const script = fileURLToPath(new URL('./down-child.ts', import.meta.url))
    const owner = spawn(process.execPath, ['--import', register, script, JSON.stringify(side)], { stdio: ['pipe', 'pipe', 'inherit'] })
    let said = ''
    owner.stdout!.on('data', (chunk: Buffer) => (said += chunk.toString()))
    try {
      await waitFor(() => said.includes('ready'), { what: 'the down process to load', timeoutMs: 60_000 })
      const info = await up(side, { probe, ownerPid: owner.pid! })
      const broker = info.nodes.find((node) => node.role === 'broker')!.pid!
      const pids = info.nodes.map((node) => node.pid!)
      owner.stdin!.write('go\n')
      await waitFor(() => said.includes('stopping'), { what: 'the down process to start', timeoutMs: 10_000, intervalMs: 20 })
      // Cut in while the broker's controlled shutdown is still under way (it takes seconds), before the controller's turn.
      await new Promise((resolve) => setTimeout(resolve, 200))
      expect(alive(broker)).toBe(true)
      owner.kill('SIGKILL')
      await waitFor(() => pids.every((pid) => !alive(pid)), { what: 'the watchdog to stop what the cut-short down left running', timeoutMs: 60_000 })
      await waitFor(() => status(side).reaperPid === null, { what: 'the watchdog to exit', timeoutMs: 10_000 })
    } finally {
      owner.kill('SIGKILL')
    }
  })

  it('treats a pid file that names some other live process as stale, and down leaves that process alone', async () => {
    const side = sideSandbox('stale', 50)
    created.push(side)
    const stranger = spawn('sleep', ['600'], { stdio: 'ignore' })
    try {
      await up(side, { probe })
      await down(side)
      writeFileSync(join(side.stateDir, 'node-1', 'pid'), String(stranger.pid))
      expect(status(side).nodes.find((node) => node.role === 'broker')!.state).toBe('dead')
      await down(side)
      expect(alive(stranger.pid!)).toBe(true)
    } finally {
      stranger.kill('SIGKILL')
    }
  })
})
