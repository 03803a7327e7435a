// Why replicas are out of sync: progress from two log-end samples, which throttles apply, and the verdict per
// replica, broker and rack.

import { describe, expect, it } from 'vitest'
import { fakeCluster } from '../../lib/kafka/fake/index.ts'
import { planIsrFindings } from '../../lib/plans/isr-findings.ts'
import {
  type BrokerThrottles,
  type CauseEvidence,
  listNames,
  planProgress,
  planReplicaCauses,
  type ReplicaSample,
  throttlesOn,
} from '../../lib/plans/replica-causes.ts'
import { readReplicationSnapshot } from '../../lib/reads/replication.ts'

const sample = (atMs: number, follower: bigint | null, leader: bigint, hw: bigint, failure: ReplicaSample['failure'] = null): ReplicaSample => ({
  topic: 't',
  partition: 0,
  broker: 3,
  followerLeo: follower,
  failure,
  failureMessage: failure ? 'x' : null,
  leaderLeo: leader,
  highWatermark: hw,
  atMs,
})

describe('planProgress', () => {
  it.each([
    {
      name: 'catching up: closes 100/s on a HW growing 50/s',
      a: sample(0, 1000n, 2000n, 2000n),
      b: sample(2000, 1300n, 2100n, 2100n),
      kind: 'catching-up',
      eta: 8000,
    },
    { name: 'stuck: fetched nothing while the leader grew', a: sample(0, 1000n, 2000n, 2000n), b: sample(2000, 1000n, 2400n, 2400n), kind: 'stuck', eta: null },
    {
      name: 'falling behind: fetches 50/s, the HW grows 200/s',
      a: sample(0, 1000n, 2000n, 2000n),
      b: sample(2000, 1100n, 2400n, 2400n),
      kind: 'falling-behind',
      eta: null,
    },
    {
      name: 'under min ISR the HW is frozen: reaching it is enough',
      a: sample(0, 900n, 2000n, 1000n),
      b: sample(2000, 1000n, 2400n, 1000n),
      kind: 'at-high-watermark',
      eta: null,
    },
    {
      name: 'a broker that did not answer: unknown',
      a: sample(0, null, 2000n, 2000n, 'timeout'),
      b: sample(2000, null, 2400n, 2400n, 'timeout'),
      kind: 'unknown',
      eta: null,
    },
    { name: 'no time between the samples: unknown', a: sample(0, 1000n, 2000n, 2000n), b: sample(0, 1100n, 2000n, 2000n), kind: 'unknown', eta: null },
  ])('$name', ({ a, b, kind, eta }) => {
    const progress = planProgress(a, b)
    expect(progress.kind).toBe(kind)
    if (eta !== null) expect(progress).toMatchObject({ etaMs: eta, behind: 800n, recordsPerSecond: 100 })
  })

  it('says which broker did not answer', () => {
    expect(planProgress(sample(0, null, 1n, 1n, 'timeout'), sample(1, null, 1n, 1n, 'timeout'))).toEqual({
      kind: 'unknown',
      why: 'broker 3 did not answer in time',
    })
  })
})

describe('throttles', () => {
  it.each([
    { list: '*', partition: 4, broker: 9, named: true },
    { list: '0:1,0:2,1:3', partition: 0, broker: 2, named: true },
    { list: '0:1, 0:2', partition: 0, broker: 3, named: false },
    { list: null, partition: 0, broker: 1, named: false },
  ])('list $list names $partition:$broker → $named', ({ list, partition, broker, named }) => {
    expect(listNames(list, partition, broker)).toBe(named)
  })

  const rates = (entries: Partial<BrokerThrottles>[]) =>
    new Map(entries.map((e) => [e.broker!, { broker: e.broker!, leaderRate: e.leaderRate ?? null, followerRate: e.followerRate ?? null, unreadable: null }]))
  const rate = { bytesPerSecond: 1, source: 'dynamic-broker-default' as const }

  it('the leader side needs the leader’s rate and partition:leader listed; the follower side its own rate and partition:follower', () => {
    const lists = { topic: 't', leaderReplicas: '0:1', followerReplicas: '0:3' }
    expect(
      throttlesOn(
        lists,
        0,
        1,
        3,
        rates([
          { broker: 1, leaderRate: rate },
          { broker: 3, followerRate: rate },
        ]),
      ).map((h) => [h.side, h.broker]),
    ).toEqual([
      ['leader', 1],
      ['follower', 3],
    ])
    // A list without a rate throttles nothing; a rate without a list neither.
    expect(throttlesOn(lists, 0, 1, 3, rates([{ broker: 2, leaderRate: rate }]))).toEqual([])
    expect(throttlesOn({ topic: 't', leaderReplicas: null, followerReplicas: null }, 0, 1, 3, rates([{ broker: 1, leaderRate: rate }]))).toEqual([])
  })
})

describe('planReplicaCauses', () => {
  const evidence = (overrides: Partial<CauseEvidence>): CauseEvidence => ({
    first: [],
    second: [],
    throttles: [],
    topicThrottles: [],
    logDirs: [],
    ...overrides,
  })

  it('names a killed broker down with the controller’s last contact, and counts the idle partitions that still list it', async () => {
    const kafka = fakeCluster({ kafka: '3.9' })
      .brokers(3)
      .topic('busy', { replicas: [[1, 2, 3]], configs: { 'min.insync.replicas': '2' } })
      .topic('idle', { replicas: [[1, 3, 2]] })
      .build()
    kafka.killBroker(3, { lastContactMs: 1_000 })
    // The idle partition still lists it (no writes since); the fake fences it out of every ISR, so put it back.
    const snapshot = (await readReplicationSnapshot(kafka, { nowMs: 31_000 })).snapshot
    const idleKept = {
      ...snapshot,
      topics: snapshot.topics.map((t) => (t.topic === 'idle' ? { ...t, partitions: t.partitions.map((p) => ({ ...p, isr: [1, 3, 2] })) } : t)),
    }
    const report = planReplicaCauses(planIsrFindings(idleKept), snapshot.brokers, evidence({}), 31_000)
    expect(report.replicas.map((r) => [r.topic, r.broker, r.verdict])).toEqual([['busy', 3, 'broker-down']])
    expect(report.brokers).toEqual([
      expect.objectContaining({ broker: 3, state: 'unregistered', process: 'unknown', lastContactMs: 1_000, silentForMs: 30_000, stillInIsrOf: 1 }),
    ])
  })

  it('tells a hung broker (timeouts) from a dead one, and a throttled follower from one catching up', async () => {
    const kafka = fakeCluster()
      .brokers(4)
      .topic('t', { replicas: [[1, 2, 3, 4]], configs: { 'min.insync.replicas': '2' } })
      .partition('t', 0, { isr: [1] })
      .build()
    const { snapshot } = await readReplicationSnapshot(kafka, { nowMs: 0 })
    const at = (ms: number, broker: number, follower: bigint | null, failure: ReplicaSample['failure'] = null) => ({
      ...sample(ms, follower, 5000n + BigInt(ms), 5000n + BigInt(ms), failure),
      broker,
    })
    const report = planReplicaCauses(
      planIsrFindings(snapshot),
      snapshot.brokers,
      evidence({
        first: [at(0, 2, null, 'timeout'), at(0, 3, 1000n), at(0, 4, 1000n)],
        second: [at(1000, 2, null, 'timeout'), at(1000, 3, 1000n), at(1000, 4, 3000n)],
        throttles: [{ broker: 1, leaderRate: { bytesPerSecond: 1, source: 'dynamic-broker-default' }, followerRate: null, unreadable: null }],
        topicThrottles: [{ topic: 't', leaderReplicas: '0:1', followerReplicas: null }],
      }),
      1000,
    )
    expect(report.replicas.map((r) => [r.broker, r.brokerState, r.process, r.verdict, r.progress.kind])).toEqual([
      [2, 'up', 'hung', 'broker-hung', 'unknown'],
      [3, 'up', 'answering', 'throttled', 'stuck'],
      [4, 'up', 'answering', 'catching-up', 'catching-up'],
    ])
    // Broker 4 closes 1,000 records/s on a 3,000-record gap: writes back in ~3 s (ISR [1] + 4 = min ISR 2).
    expect(report.writesBackInMs).toBe(3000)
  })

  it('reports an offline log directory on a live broker, and out-of-sync replicas that share a rack', async () => {
    const kafka = fakeCluster()
      .broker(1, { rack: 'a' })
      .broker(2, { rack: 'b' })
      .broker(3, { rack: 'b' })
      .topic('t', { replicas: [[1, 2, 3]], configs: { 'min.insync.replicas': '2' } })
      .build()
    kafka.failLogDir(2).killBroker(3)
    const { snapshot } = await readReplicationSnapshot(kafka, { nowMs: 0 })
    const logDirs = [{ broker: 2, offlineDirs: [{ path: '/data/kafka', error: 'KAFKA_STORAGE_ERROR' }], unreadable: null }]
    const report = planReplicaCauses(planIsrFindings(snapshot), snapshot.brokers, evidence({ logDirs }), 0)
    expect(report.replicas.map((r) => [r.broker, r.verdict, r.offlineLogDir])).toEqual([
      [2, 'offline-log-dir', '/data/kafka (KAFKA_STORAGE_ERROR)'],
      [3, 'broker-fenced', null],
    ])
    expect(report.sharedRacks).toEqual([{ rack: 'b', brokers: [2, 3], partitions: 1 }])
    expect(report.writesBackInMs).toBeNull()
    expect(report.failingWithoutProgress).toBe(1)
  })
})
