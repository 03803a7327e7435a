// Every runbook over SASL_SSL (SCRAM-SHA-512, the sandbox's own client file), read path and one change, so
// that a runbook that only works on plaintext cannot land: the change read back independently, and each
// transcript left in the folder the global setup scans for secrets afterwards. One run also carries the SASL
// password in an argument, which the transcript must mask.

import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { awaitHealthy, breakIntoLeaderless, restoreAfterLeaderless } from '../../../lib/drills/leaderless-fault.ts'
import { hangTransaction } from '../../../lib/drills/transaction-faults.ts'
import { createSandboxProbe } from '../../../lib/kafka/platformatic/sandbox-probe.ts'
import type { KafkaOps } from '../../../lib/kafka/types.ts'
import { ProduceAcks, Producer } from '@platformatic/kafka'
import { control } from '../../../lib/sandbox/index.ts'
import { uniqueTopic, waitFor } from '../../support/kafka.ts'
import { runCli } from '../../support/run-cli.ts'
import { clientPath, connectPlain, connectWith, kafkaToolWith, secureSandbox } from '../../support/secure-sandbox.ts'

let plain: KafkaOps
let secured: KafkaOps
const scramFile = () => clientPath('scram-sha-512.properties')

interface CliJson {
  status: string
  exitCode: number
  message?: string
  sessionDir: string
  cells: { id: string; outcome: string }[]
}

async function run(runbook: string, answers: Record<string, string>, extra: readonly string[] = []): Promise<CliJson> {
  const result = await runCli([
    'run',
    runbook,
    ...Object.entries(answers).flatMap(([k, v]) => ['--set', `${k}=${v}`]),
    '--command-config',
    scramFile(),
    '--sessions-dir',
    join(secureSandbox().transcriptsDir, runbook),
    '--yes',
    '--json',
    ...extra,
  ])
  const json = JSON.parse(result.stdout || '{}') as CliJson
  expect(result.code, `${result.stderr}\n${json.message ?? ''}`).toBe(0)
  return json
}

async function partition(topic: string) {
  const [state] = await secured.partitionStates([topic])
  return state!.partitions[0]!
}

/** acks=1 writes to partition 0 through the PLAINTEXT listener until stopped; failures while brokers die are expected. */
function keepWriting(topic: string): { stop(): Promise<void> } {
  const producer = new Producer({
    clientId: 'runbook-secure-writes',
    bootstrapBrokers: secureSandbox().status.bootstrap.split(','),
    idempotent: false,
    retries: 0,
    connectTimeout: 2000,
    requestTimeout: 3000,
  })
  let running = true
  const loop = (async () => {
    for (let i = 0; running; i++) {
      try {
        await producer.send({ acks: ProduceAcks.LEADER, messages: [{ topic, partition: 0, value: Buffer.from(`w${i}`) }] })
      } catch {
        // a write refused or lost while brokers die: expected here
      }
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  })()
  let stopped: Promise<void> | null = null
  return {
    stop: () =>
      (stopped ??= (async () => {
        running = false
        await loop
        await Promise.resolve(producer.close(true)).catch(() => {})
      })()),
  }
}

async function topicConfig(topic: string, name: string): Promise<string | null> {
  const [config] = await plain.describeConfigs([{ type: 'topic', name: topic }], { names: [name] })
  return config?.entries.find((entry) => entry.name === name)?.value ?? null
}

beforeAll(async () => {
  plain = await connectPlain()
  secured = (await connectWith(scramFile())).kafka
})
afterAll(async () => {
  await Promise.all([plain?.close(), secured?.close()])
})

describe('over SASL_SSL', () => {
  it('consumer-oom-replay rewinds a group; kafka-consumer-groups, given the same file, reads the new offsets', async () => {
    const topic = uniqueTopic('secure-oom')
    const group = uniqueTopic('secure-oom-group')
    await plain.createTopics([{ topic, partitions: 2, replicationFactor: 3 }])
    expect(
      (
        await secured.alterCommittedOffsets(
          group,
          [0, 1].map((partition) => ({ topic, partition, offset: 0n })),
        )
      ).every((r) => !r.error),
    ).toBe(true)
    // The topic is empty, so a rewind to the start is a plan of zero records: the change is the offsets themselves.
    const json = await run('consumer-oom-replay', { group, 'shift-by': '0', topics: topic }, ['--operator', `ops ${secureSandbox().secrets.saslPassword}`])
    expect(json.status).toBe('done')
    const described = await kafkaToolWith('kafka-consumer-groups', secureSandbox().status.listeners.SASL_SSL!, scramFile(), ['--describe', '--group', group])
    expect(described.exitCode, described.stderr).toBe(0)
    expect(described.stdout).toContain(topic)
    const events = readFileSync(join(json.sessionDir, 'events.jsonl'), 'utf8')
    expect(events).toContain('***')
  })

  it('durability-audit raises min.insync.replicas on a topic', async () => {
    const topic = uniqueTopic('secure-audit')
    await plain.createTopics([{ topic, partitions: 1, replicationFactor: 3, configs: { 'min.insync.replicas': '1' } }])
    const json = await run('durability-audit', { topics: topic, 'raise-min-isr': 'apply', 'min-isr': '2' })
    expect(json.cells.find((cell) => cell.id === 'min-isr')?.outcome).toBe('applied')
    expect(await topicConfig(topic, 'min.insync.replicas')).toBe('2')
  })

  it('isr-shrink lowers min.insync.replicas while a follower hangs and acks=all writes are refused', async () => {
    const topic = uniqueTopic('secure-isr')
    const secure = secureSandbox()
    await plain.createTopics([{ topic, assignments: [[1, 2, 3]], configs: { 'min.insync.replicas': '3' } }])
    await control(secure.config, 3, 'pause')
    try {
      await waitFor(async () => !(await partition(topic)).isr.includes(3), { what: `broker 3 to leave the ISR of ${topic}` })
      // Asked through broker 1 only, which stays up: with the hung broker in its bootstrap list Kafka's tool took 61 s, not 10.
      const flagged = await kafkaToolWith('kafka-topics', secure.status.listeners.SASL_SSL!.split(',')[0]!, scramFile(), [
        '--describe',
        '--under-min-isr-partitions',
        '--topic',
        topic,
      ])
      expect(flagged.stdout).toContain(`Topic: ${topic}`)
      // No watch for the ISR to recover: broker 3 stays hung until the test resumes it, so the watch would only wait out its 2 minutes.
      const json = await run('isr-shrink', { action: 'lower-min-isr', topics: topic, value: '2', 'sample-interval': '1s', 'wait-for-isr': '0s' })
      expect(json.cells.find((cell) => cell.id === 'lower-min-isr')?.outcome).toBe('applied')
      expect(await topicConfig(topic, 'min.insync.replicas')).toBe('2')
    } finally {
      await control(secure.config, 3, 'resume')
      await waitFor(async () => (await partition(topic)).isr.length === 3, { what: `broker 3 back in the ISR of ${topic}` })
    }
  })

  it('unclean-election elects the live out-of-sync replica of a leaderless partition', async () => {
    const topic = uniqueTopic('secure-unclean')
    const secure = secureSandbox()
    await plain.createTopics([{ topic, assignments: [[1, 2, 3]], configs: { 'min.insync.replicas': '2' } }])
    const env = {
      kafka: secured,
      sandbox: secure.config,
      probe: createSandboxProbe('runbook-secure-unclean'),
      now: Date.now,
      sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
    }
    const plan = { topic, partitions: [0], leader: 1, inSync: 2, lagging: 3, divergeMs: 1000 }
    // Writes go on through the fault, so the held-back replica really lacks records (and stays out of the ISR).
    const writes = keepWriting(topic)
    try {
      await breakIntoLeaderless(env, plan)
      await writes.stop()
      const json = await run('unclean-election', { partitions: `${topic}:0`, decision: 'elect', candidate: '3', 'aftermath-wait': '0s' })
      expect(json.cells.find((cell) => cell.id === 'elect')?.outcome).toBe('applied')
      const [state] = await secured.partitionStates([topic])
      expect(state?.partitions[0]?.leader).toBe(3)
    } finally {
      await writes.stop()
      await restoreAfterLeaderless(env, plan)
      await awaitHealthy(env, topic)
    }
  })

  /** The group's committed offset of partition 0 as kafka-consumer-groups, given the SASL file, prints it. */
  async function describedOffset(group: string, topic: string): Promise<string | undefined> {
    // A JVM on a machine shared by many runs can need more than the default minute to start.
    const described = await kafkaToolWith('kafka-consumer-groups', secureSandbox().status.listeners.SASL_SSL!, scramFile(), ['--describe', '--group', group], {
      timeoutMs: 180_000,
    })
    expect(described.exitCode, described.stderr).toBe(0)
    return described.stdout
      .split('\n')
      .map((line) => line.trim().split(/\s+/))
      .find((f) => f[0] === group && f[1] === topic && f[2] === '0')?.[3]
  }

  const writeRecords = async (topic: string, count: number) => {
    await plain.createTopics([{ topic, partitions: 1, replicationFactor: 3 }])
    await secured.produce(
      topic,
      Array.from({ length: count }, (_, i) => ({ partition: 0, key: null, value: Buffer.from(`r${i}`) })),
    )
  }

  it('poison-pill skips the record a stopped group stands on; kafka-consumer-groups reads the next offset', async () => {
    const topic = uniqueTopic('secure-pill')
    const group = uniqueTopic('secure-pill-group')
    await writeRecords(topic, 5)
    expect((await secured.alterCommittedOffsets(group, [{ topic, partition: 0, offset: 2n }])).every((r) => !r.error)).toBe(true)
    const json = await run('poison-pill', { group, partition: `${topic}:0`, action: 'skip', 'sample-interval': '1s', 'wait-for-empty': '0s' })
    expect(json.cells.find((cell) => cell.id === 'skip')?.outcome).toBe('applied')
    expect(await describedOffset(group, topic)).toBe('3')
  })

  it('lag-retention moves a group whose records were deleted unread to the log start', async () => {
    const topic = uniqueTopic('secure-lag')
    const group = uniqueTopic('secure-lag-group')
    await writeRecords(topic, 10)
    expect((await plain.deleteRecords([{ topic, partition: 0, offset: 4n }])).every((r) => !r.error)).toBe(true)
    expect((await secured.alterCommittedOffsets(group, [{ topic, partition: 0, offset: 0n }])).every((r) => !r.error)).toBe(true)
    const json = await run('lag-retention', { group, sample: '1s', 'way-out': 'move-to-log-start' })
    expect(json.status).toBe('done')
    expect(await describedOffset(group, topic)).toBe('4')
  })

  it('stuck-transactions aborts a hanging transaction: the last stable offset reaches the high watermark', async () => {
    const topic = uniqueTopic('secure-stuck')
    await writeRecords(topic, 2)
    await hangTransaction(plain, {
      bootstrap: secureSandbox().status.bootstrap.split(','),
      topic,
      partition: 0,
      records: 3,
      transactionalId: null,
      timestampMs: Date.now() - 3_600_000,
    })
    const ends = async () =>
      (
        await secured.listOffsets([
          { topic, partition: 0, spec: 'latest' },
          { topic, partition: 0, spec: 'latest', isolation: 'read_committed' },
        ])
      ).map((o) => o.offset)
    expect(await ends()).toEqual([5n, 2n])
    const json = await run('stuck-transactions', { topics: topic, partitions: `${topic}:0`, 'sample-gap': '1s', 'verify-timeout': '20s' })
    expect(json.cells.find((cell) => cell.id === 'abort')?.outcome).toBe('applied')
    const [end, stable] = await ends()
    expect(stable).toBe(end)
  })
})
