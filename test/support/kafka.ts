// Real-client helpers for integration tests: unique topics, create, produce, consume, and read partition
// state. Tests may use @platformatic/kafka directly; every wait here is bounded.

import { randomBytes } from 'node:crypto'
import { Admin, Connection, Consumer, MessagesStreamModes, ProduceAcks, Producer, metadataV12 } from '@platformatic/kafka'
import { testSandbox } from './sandbox.ts'
import { waitUntil, wallClock } from '../../lib/poll/index.ts'

/** A topic name no other test (or earlier run) has used. */
export function uniqueTopic(prefix = 'test'): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`
}

const clientOptions = (clientId: string) => ({
  clientId,
  bootstrapBrokers: testSandbox().bootstrap.split(','),
  connectTimeout: 3000,
  requestTimeout: 5000,
  retries: 3,
  retryDelay: 200,
})

/** Runs `work` with a short-lived Admin client. */
export async function withAdmin<T>(work: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = new Admin(clientOptions('runbook-test-admin'))
  try {
    return await work(admin)
  } finally {
    await admin.close()
  }
}

export interface TopicSpec {
  readonly partitions?: number
  readonly replicationFactor?: number
  readonly configs?: Readonly<Record<string, string>>
  /** Explicit replica lists, one per partition (the first replica is the preferred leader). */
  readonly assignments?: readonly (readonly number[])[]
}

/** Creates a topic and waits until every partition has a leader. */
export async function createTopic(topic: string, spec: TopicSpec = {}): Promise<void> {
  await withAdmin(async (admin) => {
    const configs = Object.entries(spec.configs ?? {}).map(([name, value]) => ({ name, value }))
    if (spec.assignments) {
      await admin.createTopics({
        topics: [topic],
        partitions: -1,
        replicas: -1,
        assignments: spec.assignments.map((brokers, partition) => ({ partition, brokers: [...brokers] })),
        configs,
      })
    } else {
      await admin.createTopics({ topics: [topic], partitions: spec.partitions ?? 1, replicas: spec.replicationFactor ?? 3, configs })
    }
  })
  await waitFor(async () => (await readPartitions(topic)).every((partition) => partition.leader >= 0), { what: `topic ${topic} to have leaders` })
}

export interface PartitionView {
  readonly partition: number
  readonly leader: number
  readonly replicas: readonly number[]
  readonly isr: readonly number[]
}

/** Leader, replicas and ISR of each partition, fresh from a broker (a leaderless partition shows leader -1; internal topics too). */
export async function readPartitions(topic: string): Promise<PartitionView[]> {
  type RawTopic = { name: string; partitions: { partitionIndex: number; leaderId: number; replicaNodes: number[]; isrNodes: number[] }[] }
  // The Admin client drops internal topics (__consumer_offsets) from its metadata, so ask the Metadata API itself.
  const connection = await connectToSomeBroker()
  let topics: RawTopic[]
  try {
    topics = (await metadataV12.api.async(connection, [topic], false, false)).topics as RawTopic[]
  } catch (error) {
    // A leaderless partition makes the client throw, but the decoded answer rides on the error.
    const response = (error as { response?: { topics?: RawTopic[] } }).response
    if (!response?.topics) throw error
    topics = response.topics
  } finally {
    await connection.close()
  }
  const found = topics.find((candidate) => candidate.name === topic)
  if (!found || found.partitions.length === 0) throw new Error(`topic ${topic} not found`)
  return found.partitions
    .map((p) => ({ partition: p.partitionIndex, leader: p.leaderId, replicas: p.replicaNodes, isr: p.isrNodes }))
    .sort((a, b) => a.partition - b.partition)
}

// A connection to the first broker that accepts one (a dead broker refuses at once).
async function connectToSomeBroker(): Promise<Connection> {
  let lastError: unknown = null
  for (const server of testSandbox().bootstrap.split(',')) {
    const colon = server.lastIndexOf(':')
    const connection = new Connection('runbook-test-metadata', { connectTimeout: 3000, requestTimeout: 5000 })
    connection.on('error', () => {})
    try {
      await connection.connect(server.slice(0, colon), Number(server.slice(colon + 1)))
      return connection
    } catch (error) {
      lastError = error
      await connection.close().catch(() => {})
    }
  }
  throw lastError
}

export interface ProduceOptions {
  readonly acks?: 'all' | 'leader' | 'none'
  readonly partition?: number
}

/** Writes the values in order and resolves once the cluster acknowledged all of them. */
export async function produce(topic: string, values: readonly string[], options: ProduceOptions = {}): Promise<void> {
  const acks = options.acks === 'leader' ? ProduceAcks.LEADER : options.acks === 'none' ? ProduceAcks.NO_RESPONSE : ProduceAcks.ALL
  // @platformatic/kafka 1.35 takes acks per send() for a non-idempotent producer (the constructor's is ignored).
  const producer = new Producer({ ...clientOptions('runbook-test-producer'), idempotent: false })
  try {
    await producer.send({
      acks,
      messages: values.map((value) => ({ topic, value: Buffer.from(value), ...(options.partition !== undefined ? { partition: options.partition } : {}) })),
    })
  } finally {
    await producer.close(true)
  }
}

/** Reads `count` records from the start of the topic (with a fresh consumer group); fails after timeoutMs. */
export async function consume(topic: string, count: number, timeoutMs = 30_000): Promise<string[]> {
  const consumer = new Consumer({ ...clientOptions('runbook-test-consumer'), groupId: uniqueTopic('group'), sessionTimeout: 10_000, heartbeatInterval: 1000 })
  const values: string[] = []
  try {
    const stream = await consumer.consume({ topics: [topic], mode: MessagesStreamModes.EARLIEST, autocommit: false })
    const timer = setTimeout(() => void stream.close(), timeoutMs)
    try {
      for await (const message of stream) {
        values.push(message.value.toString())
        if (values.length >= count) break
      }
    } finally {
      clearTimeout(timer)
      await stream.close()
    }
  } finally {
    await consumer.close(true)
  }
  if (values.length < count) throw new Error(`read ${values.length} of ${count} records from ${topic} within ${timeoutMs} ms`)
  return values
}

/** Polls `check` until it returns true; throws after timeoutMs naming what it waited for (lib/poll on the wall clock). */
export async function waitFor(
  check: () => Promise<boolean> | boolean,
  { what, timeoutMs = 60_000, intervalMs = 200 }: { what: string; timeoutMs?: number; intervalMs?: number },
): Promise<void> {
  await waitUntil(what, async () => await check(), wallClock, { timeoutMs, intervalMs })
}

/** A background producer writing small acks=all batches until stopped: the "writes flowing" of an ISR drill. */
export function startProducing(
  topic: string,
  { intervalMs = 50, partition = 0 }: { intervalMs?: number; partition?: number } = {},
): { stop(): Promise<number> } {
  const producer = new Producer({ ...clientOptions('runbook-test-load'), idempotent: false, retries: 0 })
  let running = true
  let acknowledged = 0
  const loop = (async () => {
    while (running) {
      try {
        await producer.send({
          acks: ProduceAcks.ALL,
          messages: Array.from({ length: 10 }, (_, i) => ({ topic, partition, value: Buffer.from(`load ${acknowledged + i}`) })),
        })
        acknowledged += 10
      } catch {
        // A request that fails while a broker is paused is expected here; keep writing.
      }
      await new Promise((resolve) => setTimeout(resolve, intervalMs))
    }
  })()
  return {
    async stop() {
      running = false
      await loop
      await producer.close(true)
      return acknowledged
    },
  }
}
