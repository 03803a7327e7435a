import { describe, expect, it } from 'vitest'
import type { Broker, TopicState } from '../../lib/kafka/types.ts'
import { planReassignment, reassignmentJson } from '../../lib/plans/replica-placement.ts'

const broker = (id: number, rack: string | null, fenced = false): Broker => ({ id, host: '127.0.0.1', port: 9090 + id, rack, fenced })
const topic = (name: string, replicas: readonly (readonly number[])[]): TopicState => ({
  topic: name,
  topicId: null,
  internal: false,
  partitions: replicas.map((r, partition) => ({
    topic: name,
    partition,
    leader: r[0] ?? null,
    leaderEpoch: 0,
    replicas: r,
    isr: r,
    offline: [],
    elr: null,
    lastKnownElr: null,
  })),
})

const plan = (topics: TopicState[], brokers: Broker[], extra: Partial<Parameters<typeof planReassignment>[0]> = {}) =>
  planReassignment({ targetReplicationFactor: 3, topics, allTopics: topics, brokers, reassignments: [], sizes: null, ...extra })

const racksABC = [broker(1, 'a'), broker(2, 'b'), broker(3, 'c'), broker(4, 'a'), broker(5, 'b'), broker(6, 'c')]

describe('planReassignment', () => {
  it.each([
    { name: 'RF 1 → 3: new replicas in racks not used yet, the leader stays first', current: [1], expected: [1, 2, 3] },
    { name: 'RF 2 in one rack → grow into an unused rack, then move the duplicate-rack replica', current: [1, 4], expected: [1, 3, 2] },
    { name: 'RF 3 in one rack: two replicas move, the preferred leader stays', current: [1, 4, 7], expected: [1, 3, 2] },
    { name: 'RF 3 already spread: nothing', current: [1, 2, 3], expected: null },
  ])('$name', ({ current, expected }) => {
    const result = plan([topic('t', [current])], [...racksABC, broker(7, 'a')])
    if (expected === null) expect(result.moves).toEqual([])
    else expect(result.moves.map((m) => m.proposed)).toEqual([expected])
  })

  it('balances: new replicas go to the least loaded broker of an unused rack', () => {
    const busy = topic('busy', [[2], [2], [2]])
    const result = planReassignment({
      targetReplicationFactor: 2,
      topics: [topic('t', [[1]])],
      allTopics: [busy, topic('t', [[1]])],
      brokers: racksABC,
      reassignments: [],
      sizes: null,
    })
    expect(result.moves[0]!.proposed).toEqual([1, 3])
  })

  it('records why and what it costs: replicas added and removed, bytes of the largest replica per new copy', () => {
    const result = plan([topic('t', [[1, 4]])], racksABC, { sizes: new Map([['t', [1000n]]]) })
    expect(result.moves[0]).toMatchObject({
      added: [3, 2],
      removed: [4],
      why: ['raise-replication', 'spread-racks'],
      racksBefore: ['a', 'a'],
      racksAfter: ['a', 'c', 'b'],
      bytesPerReplica: 1000n,
    })
    expect(result.totals).toEqual({ partitions: 1, replicasAdded: 2, replicasRemoved: 1, bytesToCopy: 2000n })
  })

  it('cannot spread with one rack, still grows; unknown racks are never counted as spread', () => {
    const oneRack = [broker(1, 'a'), broker(2, 'a'), broker(3, 'a')]
    expect(plan([topic('t', [[1]])], oneRack).moves[0]!.proposed).toEqual([1, 2, 3])
    expect(plan([topic('t', [[1, 2]])], [broker(1, null), broker(2, null), broker(3, null)]).moves[0]!.why).toEqual(['raise-replication'])
  })

  it('caps the target at the live brokers; a partition on a dead broker or already moving is left out with the reason', () => {
    const brokers = [broker(1, 'a'), broker(2, 'b'), broker(3, 'c', true)]
    const result = plan([topic('t', [[1], [3], [2]])], brokers, { reassignments: [{ topic: 't', partition: 2, replicas: [2, 1], adding: [1], removing: [] }] })
    expect(result.targetReplicationFactor).toBe(2)
    expect(result.moves.map((m) => [m.partition, m.proposed])).toEqual([[0, [1, 2]]])
    expect(result.notPossible).toEqual([
      { topic: 't', partition: 1, reason: "broker 3 is down: kafka-reassign-partitions refuses while a replica's broker is down" },
      { topic: 't', partition: 2, reason: 'a reassignment of this partition is already in progress' },
    ])
  })

  it("writes kafka-reassign-partitions' JSON, and the current placement for rollback", () => {
    const result = plan([topic('t', [[1]])], racksABC)
    expect(JSON.parse(result.json)).toEqual({ version: 1, partitions: [{ topic: 't', partition: 0, replicas: [1, 2, 3] }] })
    expect(JSON.parse(result.rollbackJson)).toEqual({ version: 1, partitions: [{ topic: 't', partition: 0, replicas: [1] }] })
    expect(reassignmentJson([])).toBe('{\n  "version": 1,\n  "partitions": []\n}\n')
  })
})
