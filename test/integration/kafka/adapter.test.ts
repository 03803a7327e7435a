// Adapter paths the contract cannot reach through KafkaOps alone: the Metadata fallback used before Kafka 3.8
// (read off the error the client throws for leaderless partitions), DescribeTopicPartitions' paging, a hung
// broker kept out of the requests spread over brokers, and connection failures as one line.

import { tracingChannel } from 'node:diagnostics_channel'
import { ProduceAcks, Producer } from '@platformatic/kafka'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect } from '../../../lib/kafka/index.ts'
import { readPartitionStates } from '../../../lib/kafka/platformatic/partition-states.ts'
import { Session } from '../../../lib/kafka/platformatic/session.ts'
import type { KafkaOps } from '../../../lib/kafka/types.ts'
import { nodeAction } from '../../support/faults.ts'
import { waitFor } from '../../support/kafka.ts'
import { testSandbox } from '../../support/sandbox.ts'
import { awaitFullIsr, produceAt } from './world.ts'

describe('partition states through Metadata (brokers before 3.8)', () => {
  let ops: KafkaOps
  let session: Session
  const lonely = `fallback-lonely-${Date.now().toString(36)}`
  const healthy = `fallback-healthy-${Date.now().toString(36)}`
  beforeAll(async () => {
    const servers = testSandbox().bootstrap.split(',')
    ops = await connect({ bootstrapServers: servers })
    session = await Session.open({ bootstrapServers: servers })
    await ops.createTopics([
      { topic: lonely, assignments: [[3], [1]] },
      { topic: healthy, assignments: [[1, 2]] },
    ])
    await produceAt(lonely, 0, [1])
    await new Promise((resolve) => setTimeout(resolve, 1000))
    await nodeAction(3, 'kill')
    await waitFor(async () => (await ops.partitionStates([lonely]))[0]!.partitions[0]!.leader === null, {
      what: `${lonely}-0 to lose its leader`,
      timeoutMs: 30_000,
    })
  })
  afterAll(async () => {
    await nodeAction(3, 'start')
    await awaitFullIsr(ops)
    await session.close()
    await ops.close()
  })

  it('answers a leaderless partition beside healthy ones, as DescribeTopicPartitions does (without ELR)', async () => {
    const viaMetadata = await readPartitionStates(session, [lonely, healthy, 'fallback-missing'], { via: 'metadata' })
    const viaDescribe = await readPartitionStates(session, [lonely, healthy, 'fallback-missing'])
    const strip = (states: typeof viaMetadata) => states.map((t) => ({ ...t, partitions: t.partitions.map((p) => ({ ...p, elr: null, lastKnownElr: null })) }))
    expect(viaMetadata[0]!.partitions[0]).toMatchObject({ leader: null, replicas: [3], offline: [3], elr: null })
    expect(strip(viaMetadata)).toEqual(strip(viaDescribe))
    expect(viaMetadata[2]!.error?.name).toBe('UNKNOWN_TOPIC_OR_PARTITION')
  })

  it('reads page after page (one partition each) to the same answer, naming each topic once as it first appears', async () => {
    const onePage = await readPartitionStates(session, [lonely, healthy])
    const pages: string[][] = []
    const paged = await readPartitionStates(session, [lonely, healthy, 'paged-missing'], { pageSize: 1, onTopics: (names) => pages.push([...names]) })
    expect(paged.slice(0, 2)).toEqual(onePage)
    expect(paged[2]!.error?.name).toBe('UNKNOWN_TOPIC_OR_PARTITION')
    // Pages come in name order (fallback-healthy, then fallback-lonely's two partitions, the second of which
    // names nothing new); the missing topic is never named.
    expect(pages).toEqual([[healthy], [lonely]])
  })
})

describe('a hung broker that still accepts connections', () => {
  it('gets no request but the API-versions probe, while reads made together spread over the brokers that answer', async () => {
    const servers = testSandbox().bootstrap.split(',')
    const hungPort = Number(servers[1]!.split(':')[1])
    const answeringPort = Number(servers[2]!.split(':')[1])
    const sentTo = new Map<number, number[]>()
    const requests = tracingChannel<unknown, { apiKey: number; connection: { port?: number } }>('plt:kafka:connections:api')
    const onStart = (message: { apiKey: number; connection: { port?: number } }) => {
      const port = message.connection.port ?? 0
      sentTo.set(port, [...(sentTo.get(port) ?? []), message.apiKey])
    }
    const answered = new Set<number>()
    const onAnswer = (message: { connection: { port?: number } }) => answered.add(message.connection.port ?? 0)
    const subscribers = { start: onStart, end() {}, asyncStart: onAnswer, asyncEnd() {}, error() {} }
    await nodeAction(2, 'pause')
    let kafka: KafkaOps | undefined
    try {
      requests.subscribe(subscribers)
      kafka = await connect({ bootstrapServers: servers, requestTimeoutMs: 20_000 })
      const reads = kafka
      const topics = (await reads.partitionStates()).map((t) => ({ type: 'topic' as const, name: t.topic }))
      // Broker 3 answers its probe in the background; the reads below start once it has.
      await waitFor(() => answered.has(answeringPort), { what: 'broker 3 to answer the API-versions probe', timeoutMs: 10_000 })
      await Promise.all([
        reads.partitionStates(),
        reads.cluster(),
        reads.listPartitionReassignments(),
        reads.describeConfigs(topics),
        reads.partitionStates(),
        reads.describeConfigs(topics),
      ])
      // Broker 3 answered its probe and took a share; broker 2 was only probed (ApiVersions is key 18).
      expect(sentTo.get(hungPort) ?? []).toEqual([18])
      expect((sentTo.get(answeringPort) ?? []).filter((key) => key !== 18).length).toBeGreaterThan(0)
    } finally {
      requests.unsubscribe(subscribers)
      await nodeAction(2, 'resume')
      await kafka?.close()
    }
  })
})

describe('writing right after a topic is created', () => {
  // Brokers that do not lead a partition yet answer NOT_LEADER_OR_FOLLOWER and name the leader in a tagged field
  // (KIP-951): @platformatic/kafka 1.35 misread that field and failed with "Out of bounds" (platformatic/kafka#313;
  // measured here: 3 of 16 fresh 12-partition topics without the fix in client.ts, 0 with it).
  const topics = Array.from({ length: 16 }, (_, i) => `fresh-${Date.now().toString(36)}-${i}`)
  let ops: KafkaOps

  beforeAll(async () => {
    ops = await connect({ bootstrapServers: testSandbox().bootstrap.split(',') })
  })
  afterAll(async () => {
    await ops?.deleteTopics(topics)
    await ops?.close()
  })

  it('every record lands, through our producer and through the client’s own, on every fresh topic', async () => {
    const producer = new Producer({ clientId: 'runbook-fresh-topics', bootstrapBrokers: testSandbox().bootstrap.split(','), idempotent: true, retries: 0 })
    try {
      for (const topic of topics) {
        expect(await ops.createTopics([{ topic, partitions: 12, replicationFactor: 3 }])).toEqual([{ topic }])
        const half = topics.indexOf(topic) % 2 === 0
        const records = Array.from({ length: 24 }, (_, i) => ({ partition: i % 12, key: null, value: Buffer.from(`r${i}`) }))
        if (half) {
          const written = await ops.produce(topic, records)
          expect(written.filter((w) => w.error)).toEqual([])
        } else {
          await producer.send({ acks: ProduceAcks.ALL, messages: records.map((r) => ({ topic, partition: r.partition, value: r.value })) })
        }
        const latest = await ops.listOffsets(Array.from({ length: 12 }, (_, partition) => ({ topic, partition, spec: 'latest' as const })))
        expect(latest.map((l) => l.offset)).toEqual(Array.from({ length: 12 }, () => 2n))
      }
    } finally {
      await producer.close(true)
    }
  })
})

describe('connection failures are one line with what to do', () => {
  it('TLS against a plaintext listener', async () => {
    const error = await connect({ bootstrapServers: [testSandbox().bootstrap.split(',')[0]!], tls: {}, connectTimeoutMs: 3000, requestTimeoutMs: 3000 }).catch(
      (e: unknown) => e,
    )
    expect(error).toMatchObject({ name: 'KafkaConnectionError' })
    expect((error as Error).message.split('\n')).toHaveLength(1)
    expect((error as { kind: string }).kind).toMatch(/tls|timeout|unreachable/)
  })

  it('SASL against a listener without SASL', async () => {
    const error = await connect({
      bootstrapServers: [testSandbox().bootstrap.split(',')[0]!],
      sasl: { mechanism: 'SCRAM-SHA-256', username: 'u', password: 'p' },
      connectTimeoutMs: 3000,
      requestTimeoutMs: 3000,
    }).catch((e: unknown) => e)
    expect(error).toMatchObject({ name: 'KafkaConnectionError' })
    expect((error as Error).message).not.toContain('p\n')
    expect((error as Error).message.split('\n')).toHaveLength(1)
  })
})
