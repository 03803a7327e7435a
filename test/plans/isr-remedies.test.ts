// The other ways out of an ISR shrink: which option the data points to, freeing throttled followers (exactly
// their list entries), and a reassignment plan for a broker gone for good.

import { describe, expect, it } from 'vitest'
import { fakeCluster } from '../../lib/kafka/fake/index.ts'
import { planIsrOptions } from '../../lib/plans/isr-decision.ts'
import { type BrokerView, planIsrFindings } from '../../lib/plans/isr-findings.ts'
import type { CauseReport, ReplicaCause } from '../../lib/plans/replica-causes.ts'
import { planReplicaMove } from '../../lib/plans/replica-move.ts'
import { isThrottleFault, listWithout, planThrottleRelease, throttleOps } from '../../lib/plans/throttle-release.ts'
import { readReplicationSnapshot } from '../../lib/reads/replication.ts'

const cause = (over: Partial<ReplicaCause>): ReplicaCause => ({
  topic: 't',
  partition: 0,
  broker: 3,
  leader: 1,
  brokerState: 'up',
  process: 'answering',
  lastContactMs: null,
  progress: { kind: 'stuck', behind: 100n, leaderRecordsPerSecond: 10 },
  throttles: [],
  offlineLogDir: null,
  verdict: 'stuck',
  ...over,
})
const rate = { bytesPerSecond: 1, source: 'dynamic-broker-default' as const }

describe('planThrottleRelease', () => {
  it.each([
    { list: '*', remove: ['0:3'], after: null },
    { list: '0:1,0:3,1:3', remove: ['0:3'], after: '0:1,1:3' },
    { list: '0:3', remove: ['0:3'], after: null },
  ])('$list without $remove → $after', ({ list, remove, after }) => {
    expect(listWithout(list, remove)).toBe(after)
  })

  it('takes out only the held-back followers’ entries, keeps the rates, warns about a reassignment, and restores exactly', () => {
    const causes = [
      cause({ partition: 0, broker: 3, throttles: [{ side: 'follower', broker: 3, rate, list: '0:3,1:2' }], verdict: 'throttled' }),
      cause({ partition: 1, broker: 2, leader: 3, throttles: [{ side: 'leader', broker: 3, rate, list: '*' }], verdict: 'throttled' }),
      cause({ partition: 2, broker: 2, process: 'hung', throttles: [{ side: 'leader', broker: 1, rate, list: '*' }] }),
    ]
    const plan = planThrottleRelease(causes, [{ topic: 't', leaderReplicas: '*', followerReplicas: '0:3,1:2' }], new Set(['t']))
    if (isThrottleFault(plan)) throw new Error('expected a plan')
    expect(plan.topics).toEqual([
      {
        topic: 't',
        changes: [
          { name: 'leader.replication.throttled.replicas', before: '*', after: null },
          { name: 'follower.replication.throttled.replicas', before: '0:3,1:2', after: '1:2' },
        ],
        frees: ['0:3', '1:2'],
      },
    ])
    expect(plan.followers).toBe(2)
    expect(plan.reassigning).toEqual(['t'])
    expect(plan.ratesKept.map((r) => [r.broker, r.side])).toEqual([
      [3, 'follower'],
      [3, 'leader'],
    ])
    expect(throttleOps(plan.topics[0]!.changes)).toEqual([
      { name: 'leader.replication.throttled.replicas', op: 'delete' },
      { name: 'follower.replication.throttled.replicas', op: 'set', value: '1:2' },
    ])
    expect(throttleOps(plan.topics[0]!.changes, true)).toEqual([
      { name: 'leader.replication.throttled.replicas', op: 'set', value: '*' },
      { name: 'follower.replication.throttled.replicas', op: 'set', value: '0:3,1:2' },
    ])
  })

  it('refuses when no throttle holds anyone back', () => {
    expect(planThrottleRelease([cause({})], [], new Set())).toEqual({ kind: 'nothing-throttled' })
  })
})

describe('planReplicaMove', () => {
  const brokers: BrokerView[] = [
    { id: 1, rack: 'a', state: 'up', lastContactMs: null },
    { id: 2, rack: 'b', state: 'up', lastContactMs: null },
    { id: 3, rack: 'c', state: 'fenced', lastContactMs: 5 },
    { id: 4, rack: 'a', state: 'up', lastContactMs: null },
    { id: 5, rack: 'c', state: 'up', lastContactMs: null },
  ]

  it('replaces the gone broker in place by a live one on an unused rack, the least loaded first, and writes both files', async () => {
    const kafka = fakeCluster()
      .broker(1, { rack: 'a' })
      .broker(2, { rack: 'b' })
      .broker(3, { rack: 'c' })
      .broker(4, { rack: 'a' })
      .broker(5, { rack: 'c' })
      .topic('t', {
        replicas: [
          [3, 1],
          [1, 3, 2],
          [2, 4],
        ],
      })
      .build()
    kafka.killBroker(3)
    const findings = planIsrFindings((await readReplicationSnapshot(kafka, { nowMs: 0 })).snapshot)
    const plan = planReplicaMove({
      gone: [3],
      brokers,
      partitions: findings.partitions,
      replicaCounts: new Map([
        [2, 10],
        [5, 1],
        [4, 0],
      ]),
      sizes: new Map([['t/0', 1000n]]),
    })
    expect(plan.moves.map((m) => [m.partition, m.from, m.to])).toEqual([
      // t/0 keeps broker 1 (rack a): racks b (broker 2, 10 replicas) and c (broker 5, 1 replica) are unused; 5 is lighter.
      [0, [3, 1], [5, 1]],
      // t/1 uses racks a and b: 5 (rack c) is the only unused rack.
      [1, [1, 3, 2], [1, 5, 2]],
    ])
    expect(plan.copyBytes).toBe(1000n)
    expect(plan.unknownSizes).toBe(1)
    expect(JSON.parse(plan.reassignmentJson)).toEqual({
      version: 1,
      partitions: [
        { topic: 't', partition: 0, replicas: [5, 1], log_dirs: ['any', 'any'] },
        { topic: 't', partition: 1, replicas: [1, 5, 2], log_dirs: ['any', 'any', 'any'] },
      ],
    })
    expect(JSON.parse(plan.rollbackJson).partitions.map((p: { replicas: number[] }) => p.replicas)).toEqual([
      [3, 1],
      [1, 3, 2],
    ])
  })

  it('says which partitions cannot move: every live broker already holds a replica', async () => {
    const kafka = fakeCluster()
      .brokers(3)
      .topic('full', { replicas: [[1, 2, 3]] })
      .build()
    kafka.killBroker(3)
    const findings = planIsrFindings((await readReplicationSnapshot(kafka, { nowMs: 0 })).snapshot)
    const plan = planReplicaMove({ gone: [3], brokers: brokers.slice(0, 3), partitions: findings.partitions, replicaCounts: new Map(), sizes: new Map() })
    expect(plan.moves).toEqual([])
    expect(plan.stuck).toEqual([{ topic: 'full', partition: 0, replicas: [1, 2, 3] }])
  })
})

describe('planIsrOptions', () => {
  const causes = (over: Partial<CauseReport>): CauseReport => ({
    replicas: [],
    brokers: [],
    sharedRacks: [],
    writesBackInMs: null,
    failingWithoutProgress: 0,
    ...over,
  })

  it.each([
    {
      name: 'a throttle holds a follower back → remove it',
      replicas: [cause({ throttles: [{ side: 'leader', broker: 1, rate, list: '*' }], verdict: 'throttled' })],
      writesBackInMs: null,
      expected: 'remove-throttle',
    },
    { name: 'writes come back within a minute by themselves → wait', replicas: [cause({ verdict: 'catching-up' })], writesBackInMs: 20_000, expected: 'wait' },
    {
      name: 'no replica catching up → lower min ISR',
      replicas: [cause({ brokerState: 'fenced', verdict: 'broker-fenced' })],
      writesBackInMs: null,
      expected: 'lower-min-isr',
    },
    { name: 'catching up, but slowly → lower min ISR', replicas: [cause({ verdict: 'catching-up' })], writesBackInMs: 600_000, expected: 'lower-min-isr' },
  ])('$name', async ({ replicas, writesBackInMs, expected }) => {
    const kafka = fakeCluster()
      .brokers(3)
      .topic('t', { replicas: [[1, 2, 3]], configs: { 'min.insync.replicas': '2' } })
      .partition('t', 0, { isr: [1] })
      .build()
    const findings = planIsrFindings((await readReplicationSnapshot(kafka, { nowMs: 0 })).snapshot)
    const facts = planIsrOptions(findings, causes({ replicas, writesBackInMs }), { recordsPerSecond: 50, lastAcceptedMs: 1000 }, 61_000)
    expect(facts.recommended).toBe(expected)
    expect(facts.lowerTo).toBe(1)
    expect(facts.failingForMs).toBe(60_000)
    if (writesBackInMs !== null) expect(facts.recordsRefusedWhileWaiting).toBe((50 * writesBackInMs) / 1000)
  })

  it('only settings put partitions at min ISR: nothing to wait for, report recommended', async () => {
    const kafka = fakeCluster()
      .brokers(3)
      .topic('single', { replicas: [[1]], configs: { 'min.insync.replicas': '1' } })
      .build()
    const facts = planIsrOptions(
      planIsrFindings((await readReplicationSnapshot(kafka, { nowMs: 0 })).snapshot),
      null,
      { recordsPerSecond: null, lastAcceptedMs: null },
      0,
    )
    expect(facts.recommended).toBe('report')
    expect(Object.keys(facts.unavailable).sort()).toEqual(['export-reassignment', 'lower-min-isr', 'remove-throttle', 'wait'])
  })
})
