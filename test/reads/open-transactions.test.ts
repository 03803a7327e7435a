import { describe, expect, it } from 'vitest'
import { fakeCluster } from '../../lib/kafka/fake/index.ts'
import { classifyOpenTransactions } from '../../lib/plans/open-transactions.ts'
import { readOpenTransactions, readStableOffsets, readTransactionVerification } from '../../lib/reads/open-transactions.ts'
import { kafkaError } from '../../lib/kafka/errors.ts'
import type { ConfigResourceRef, KafkaOps } from '../../lib/kafka/types.ts'

const minute = 60_000

/** The fake cluster with one of its calls replaced. */
function replacing<K extends keyof KafkaOps>(fake: KafkaOps, call: K, replacement: KafkaOps[K]): KafkaOps {
  return new Proxy(fake, {
    get: (target, name) => {
      if (name === call) return replacement
      const value: unknown = Reflect.get(target, name)
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
}

describe('readOpenTransactions + classifyOpenTransactions on the fake', () => {
  it('finds the stuck partitions and tells a live transaction, an abandoned one and hanging ones apart', async () => {
    let now = 1_800_000_000_000
    const kafka = fakeCluster({ clock: () => now })
      .brokers(3)
      .topic('orders', { partitions: 4 })
      .topic('ledger', { partitions: 1 })
      .build()
    kafka.write('ledger', 0, 5)
    // A producer that committed and is gone: nothing open.
    kafka.openTransaction('ledger-writer', 'ledger', [0], { committedBefore: 1 })
    kafka.endTransaction('ledger-writer', 'commit')
    // orders/0: abandoned 5 minutes ago with a 15-minute timeout; orders/1: written just now.
    const abandoned = kafka.openTransaction('orders-etl', 'orders', [0], { timeoutMs: 15 * minute })
    now += 5 * minute
    const live = kafka.openTransaction('orders-api', 'orders', [1], { timeoutMs: minute })
    // orders/2: a producer id no transactional id owns, 40 minutes old; orders/3: the partition unknown to a known id.
    const orphan = kafka.hangTransaction('orders', 2, 3, { timestampMs: now - 40 * minute })
    const unregistered = kafka.hangTransaction('orders', 3, 1, { transactionalId: 'orders-import', timestampMs: now - 2 * minute })

    const snapshot = await readOpenTransactions(kafka, { takenAtMs: now })
    expect(snapshot).toMatchObject({ maxTransactionTimeoutMs: 15 * minute, abortCheckIntervalMs: 10_000, unlistedBrokers: [], unread: [] })
    const findings = classifyOpenTransactions(snapshot)
    expect(findings.map((f) => [`${f.topic}/${f.partition}`, f.lastStableOffset, f.highWatermark])).toEqual([
      ['orders/0', 0n, 2n],
      ['orders/1', 0n, 2n],
      ['orders/2', 0n, 3n],
      ['orders/3', 0n, 1n],
    ])
    const verdicts = findings.map((f) => f.transactions!.map((t) => ({ producerId: t.producerId, ...t.verdict })))
    expect(verdicts).toEqual([
      [
        {
          producerId: abandoned.producerId,
          kind: 'producer-gone',
          transactionalId: 'orders-etl',
          deadlineMs: now - 5 * minute + 15 * minute,
          idleMs: 5 * minute,
        },
      ],
      [{ producerId: live.producerId, kind: 'ongoing', transactionalId: 'orders-api', deadlineMs: now + minute, idleMs: 0 }],
      [
        {
          producerId: orphan.producerId,
          kind: 'hanging',
          reason: 'no-transactional-id',
          transactionalId: null,
          coordinatorState: null,
          coordinatorEpochOfId: null,
          pastMaxTimeout: true,
        },
      ],
      [
        {
          producerId: unregistered.producerId,
          kind: 'hanging',
          reason: 'partition-not-in-transaction',
          transactionalId: 'orders-import',
          coordinatorState: 'Empty',
          coordinatorEpochOfId: 0,
          pastMaxTimeout: false,
        },
      ],
    ])
    expect(findings.map((f) => f.unblockedByMs)).toEqual([now + 10 * minute + 10_000, now + minute + 10_000, null, null])

    // Past the abandoned transaction's deadline its coordinator has aborted it: orders/0 is no longer stuck.
    now += 11 * minute
    const later = classifyOpenTransactions(await readOpenTransactions(kafka, { takenAtMs: now, topics: ['orders'] }))
    expect(later.map((f) => `${f.topic}/${f.partition}`)).toEqual(['orders/2', 'orders/3'])
  })

  it('reports what it could not read: a topic that does not exist, a partition without a leader', async () => {
    const kafka = fakeCluster()
      .brokers(2)
      .topic('solo', { replicas: [[2]] })
      .build()
    kafka.killBroker(2)
    const snapshot = await readOpenTransactions(kafka, { takenAtMs: 0, topics: ['solo', 'nowhere'] })
    expect(snapshot.partitions).toEqual([])
    expect(snapshot.unread.map((u) => [u.topic, u.partition])).toEqual([
      ['nowhere', null],
      ['solo', 0],
    ])
  })

  it('reads the brokers’ transaction settings from the first broker that answers: one killed seconds ago is still listed unfenced', async () => {
    const fake = fakeCluster().brokers(3).topic('orders', { partitions: 1 }).build()
    // Broker 1 does not answer (connection refused); brokers 2 and 3 run a 30-minute maximum and verification off.
    const asked: number[] = []
    const describeConfigs: KafkaOps['describeConfigs'] = async (resources: readonly ConfigResourceRef[]) =>
      resources.map((resource) => {
        if (resource.type !== 'broker') throw new Error('only broker settings are asked here')
        asked.push(resource.id)
        if (resource.id === 1) return { resource, entries: [], error: kafkaError(-1, 'broker 1: connection refused') }
        const entry = (name: string, value: string) => ({ name, value, source: 'static-broker' as const, readOnly: true, sensitive: false, synonyms: [] })
        return { resource, entries: [entry('transaction.max.timeout.ms', '1800000'), entry('transaction.partition.verification.enable', 'false')] }
      })
    const kafka = replacing(fake, 'describeConfigs', describeConfigs)
    const snapshot = await readOpenTransactions(kafka, { takenAtMs: 0 })
    expect(snapshot.maxTransactionTimeoutMs).toBe(30 * minute)
    expect(asked).toEqual([1, 2])
    expect(await readTransactionVerification(kafka)).toBe(false)
  })

  it('reads the high watermarks before the stable offsets: records written in between never make a partition look stuck', async () => {
    const fake = fakeCluster().brokers(3).topic('orders', { partitions: 2 }).build()
    fake.write('orders', 0, 3)
    // Plain (non-transactional) writes land on orders/0 after every ListOffsets answer, as a busy producer's would.
    const listOffsets: KafkaOps['listOffsets'] = async (queries) => {
      const answers = await fake.listOffsets(queries)
      fake.write('orders', 0, 2)
      return answers
    }
    const kafka = replacing(fake, 'listOffsets', listOffsets)
    const snapshot = await readOpenTransactions(kafka, { takenAtMs: 0, topics: ['orders'] })
    expect(snapshot.unread).toEqual([])
    expect(classifyOpenTransactions(snapshot)).toEqual([])
    expect(await readStableOffsets(kafka, [{ topic: 'orders', partition: 0 }])).toEqual([
      // Asked after the high watermark, the LSO is the later and larger answer: never the smaller one.
      { topic: 'orders', partition: 0, highWatermark: 7n, lastStableOffset: 9n },
    ])
  })
})
