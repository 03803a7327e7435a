// The fake's Kafka rules beyond the shared contract: what a broker failure does to leaders, ISR and ELR
// (as measured in the incident lab), elections, produce and the high watermark, and the builder.

import { describe, expect, it } from 'vitest'
import { fakeCluster } from '../../lib/kafka/fake/index.ts'

const state = (kafka: ReturnType<ReturnType<typeof fakeCluster>['build']>, topic: string, partition = 0) => {
  const s = kafka.inspect(topic, partition)
  return { leader: s.leader, isr: s.isr, elr: s.elr, lastKnownElr: s.lastKnownElr }
}

describe('fake cluster: a broker failure', () => {
  // Incident lab §1.3: follower 3 out of the ISR, then leader 1 and in-sync follower 2 die (2 fenced first).
  const incident = (options: { kafka?: '4.3' | '3.9'; elr?: boolean }) => {
    const kafka = fakeCluster(options)
      .brokers(3)
      .topic('t', { replicas: [[1, 2, 3]], configs: { 'min.insync.replicas': '2' } })
      .records('t', 0, { count: 100 })
      .build()
    kafka.dropFromIsr('t', 0, 3)
    kafka.write('t', 0, 50, { acks: 1 })
    kafka.killBroker(2).killBroker(1)
    return kafka
  }

  it.each([
    {
      name: '4.3 with ELR: leaderless, ISR empty, ELR [1,2], last known ELR [1]',
      options: { kafka: '4.3' as const },
      expected: { leader: null, isr: [], elr: [1, 2], lastKnownElr: [1] },
    },
    {
      name: '4.3 without ELR: leaderless, keeps its last ISR member',
      options: { kafka: '4.3' as const, elr: false },
      expected: { leader: null, isr: [1], elr: [], lastKnownElr: [] },
    },
    { name: '3.9: leaderless, keeps its last ISR member', options: { kafka: '3.9' as const }, expected: { leader: null, isr: [1], elr: [], lastKnownElr: [] } },
  ])('$name', ({ options, expected }) => {
    expect(state(incident(options), 't')).toEqual(expected)
  })

  it('an unclean election picks the first live replica in replica order, and loses what only the dead leader had', async () => {
    const kafka = incident({})
    expect(kafka.inspect('t', 0).logEndOffsets.get(3)).toBe(100n)
    expect(await kafka.electLeaders('unclean', [{ topic: 't', partition: 0 }])).toEqual([{ topic: 't', partition: 0, outcome: 'elected' }])
    expect(state(kafka, 't')).toEqual({ leader: 3, isr: [3], elr: [], lastKnownElr: [] })
    const [latest] = await kafka.listOffsets([{ topic: 't', partition: 0, spec: 'latest' }])
    expect(latest!.offset).toBe(100n)
    expect(kafka.mutations).toEqual(['electLeaders:unclean'])
  })

  it('reordering replicas changes which live replica an unclean election picks', async () => {
    const kafka = fakeCluster()
      .brokers(4)
      .topic('t', { replicas: [[1, 3, 4]] })
      .records('t', 0, { count: 10 })
      .build()
    kafka.dropFromIsr('t', 0, 3).dropFromIsr('t', 0, 4)
    kafka.killBroker(1)
    expect(kafka.inspect('t', 0).leader).toBeNull()
    await kafka.alterPartitionReassignments([{ topic: 't', partition: 0, replicas: [1, 4, 3] }])
    await kafka.electLeaders('unclean', [{ topic: 't', partition: 0 }])
    expect(kafka.inspect('t', 0).leader).toBe(4)
  })

  it('with ELR on, a live ELR member is elected when the leader dies (lab §1.11); the dead leader moves into the ELR', () => {
    const kafka = fakeCluster()
      .brokers(3)
      .topic('t', { replicas: [[1, 2, 3]], configs: { 'min.insync.replicas': '2' } })
      .build()
    kafka.dropFromIsr('t', 0, 3).dropFromIsr('t', 0, 2)
    expect(state(kafka, 't')).toMatchObject({ leader: 1, isr: [1], elr: [2] })
    kafka.killBroker(1)
    expect(state(kafka, 't')).toEqual({ leader: 2, isr: [2], elr: [1], lastKnownElr: [] })
  })

  it('restarting the last known leader elects it; restarting another ELR member after SIGKILL drops it from the ELR', () => {
    const other = incident({})
    other.restartBroker(2)
    expect(state(other, 't')).toEqual({ leader: null, isr: [], elr: [1], lastKnownElr: [1] })
    other.restartBroker(1)
    expect(state(other, 't')).toMatchObject({ leader: 1 })
  })

  it('3.9: restarting the broker still listed in the ISR elects it cleanly; the other elects nothing', () => {
    const kafka = incident({ kafka: '3.9' })
    kafka.restartBroker(2)
    expect(kafka.inspect('t', 0).leader).toBeNull()
    kafka.restartBroker(1)
    expect(state(kafka, 't')).toMatchObject({ leader: 1 })
    expect(kafka.inspect('t', 0).isr).toEqual([1, 2])
  })

  it('under min ISR: acks=all is refused, acks=1 is written but the high watermark stays frozen', () => {
    const kafka = fakeCluster()
      .brokers(3)
      .topic('t', { replicas: [[1, 2, 3]], configs: { 'min.insync.replicas': '2' } })
      .records('t', 0, { count: 10 })
      .build()
    kafka.killBroker(2).killBroker(3)
    expect(kafka.write('t', 0, 5, { acks: 'all' }).error?.name).toBe('NOT_ENOUGH_REPLICAS')
    expect(kafka.write('t', 0, 5, { acks: 1 })).toEqual({ baseOffset: 10n })
    expect(kafka.inspect('t', 0)).toMatchObject({ highWatermark: 10n })
    expect(kafka.inspect('t', 0).logEndOffsets.get(1)).toBe(15n)
  })

  it('lowering min.insync.replicas clears the ELR (measured 4.3.1)', async () => {
    const kafka = fakeCluster()
      .brokers(3)
      .topic('t', { replicas: [[1, 2, 3]], configs: { 'min.insync.replicas': '2' } })
      .build()
    kafka.killBroker(3).killBroker(2)
    expect(kafka.inspect('t', 0).elr).toEqual([2])
    await kafka.incrementalAlterConfigs([{ resource: { type: 'topic', name: 't' }, ops: [{ name: 'min.insync.replicas', op: 'set', value: '1' }] }], {
      validateOnly: false,
    })
    expect(kafka.inspect('t', 0).elr).toEqual([])
  })

  it('a preferred election moves leadership back to the first replica when it is in sync', async () => {
    const kafka = fakeCluster()
      .brokers(3)
      .topic('t', { replicas: [[1, 2, 3]] })
      .build()
    kafka.killBroker(1)
    expect(kafka.inspect('t', 0).leader).toBe(2)
    expect((await kafka.electLeaders('preferred', [{ topic: 't', partition: 0 }]))[0]!.error?.name).toBe('PREFERRED_LEADER_NOT_AVAILABLE')
    kafka.restartBroker(1)
    expect(await kafka.electLeaders('preferred', [{ topic: 't', partition: 0 }])).toEqual([{ topic: 't', partition: 0, outcome: 'elected' }])
    expect(kafka.inspect('t', 0).leader).toBe(1)
  })

  it('an unreachable cluster throws a KafkaConnectionError from every call', async () => {
    const kafka = fakeCluster().brokers(1).build().setUnreachable(true)
    await expect(kafka.cluster()).rejects.toMatchObject({ name: 'KafkaConnectionError', kind: 'unreachable' })
  })
})

describe('fake cluster: builder', () => {
  it('places replicas round-robin and leads with the first', () => {
    const kafka = fakeCluster().brokers(3).topic('t', { partitions: 3, replicationFactor: 2 }).build()
    expect([0, 1, 2].map((p) => kafka.inspect('t', p).replicas)).toEqual([
      [1, 2],
      [2, 3],
      [3, 1],
    ])
    expect(kafka.inspect('t', 2).leader).toBe(3)
  })

  it('builds a partition state directly, per-replica log ends included', async () => {
    const kafka = fakeCluster()
      .brokers(3)
      .topic('t', { replicas: [[1, 2, 3]] })
      .partition('t', 0, { leader: null, isr: [], elr: [1, 2], lastKnownElr: [1], logEndOffsets: { 1: 500n, 2: 480n, 3: 120n }, highWatermark: 480n })
      .broker(1, { state: 'dead' })
      .broker(2, { state: 'dead' })
      .build()
    const replicas = await kafka.replicaOffsets([1, 2, 3].map((broker) => ({ topic: 't', partition: 0, broker, spec: 'latest' as const })))
    expect(replicas.map((r) => [r.broker, r.offset, r.error?.name ?? null])).toEqual([
      [1, null, 'BROKER_NOT_AVAILABLE'],
      [2, null, 'BROKER_NOT_AVAILABLE'],
      [3, 120n, null],
    ])
  })

  it('records carry timestamps for time lookups: the first record at or after t, below the high watermark', async () => {
    const kafka = fakeCluster().brokers(1).topic('t', { replicationFactor: 1 }).records('t', 0, { count: 10, startMs: 1000, stepMs: 100 }).build()
    const answers = await kafka.listOffsets([{ timestamp: 1250 }, { timestamp: 1900 }, { timestamp: 1901 }].map((spec) => ({ topic: 't', partition: 0, spec })))
    expect(answers.map((a) => [a.offset, a.timestamp])).toEqual([
      [3n, 1300],
      [9n, 1900],
      [null, null],
    ])
  })

  it('answers are copies: changing one does not change the cluster', async () => {
    const kafka = fakeCluster().brokers(3).topic('t').build()
    const [topic] = await kafka.partitionStates(['t'])
    ;(topic!.partitions[0]!.isr as number[]).length = 0
    expect((await kafka.partitionStates(['t']))[0]!.partitions[0]!.isr).toEqual([1, 2, 3])
  })
})
