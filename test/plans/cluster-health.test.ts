import { describe, expect, it } from 'vitest'
import { fakeCluster } from '../../lib/kafka/fake/index.ts'
import { type HealthSnapshot, partitionConditions, planClusterHealth } from '../../lib/plans/cluster-health.ts'
import type { ConfigEntry, KafkaOps } from '../../lib/kafka/types.ts'
import { readHealthSnapshot } from '../../lib/reads/status-snapshot.ts'

describe('partitionConditions: kafka-topics --describe report flags', () => {
  it.each([
    { name: 'healthy RF 3, min ISR 2', leader: 1, replicas: [1, 2, 3], isr: [1, 2, 3], minIsr: 2, adding: 0, expected: [] },
    {
      name: 'one follower out: at min ISR and under-replicated',
      leader: 1,
      replicas: [1, 2, 3],
      isr: [1, 2],
      minIsr: 2,
      adding: 0,
      expected: ['at-min-isr', 'under-replicated'],
    },
    {
      name: 'two followers out: under min ISR',
      leader: 1,
      replicas: [1, 2, 3],
      isr: [1],
      minIsr: 2,
      adding: 0,
      expected: ['under-min-isr', 'under-replicated'],
    },
    {
      name: 'leaderless with ELR: unavailable, under min ISR, under-replicated, not at min',
      leader: null,
      replicas: [1, 2, 3],
      isr: [],
      minIsr: 2,
      adding: 0,
      expected: ['unavailable', 'under-min-isr', 'under-replicated'],
    },
    {
      name: 'leaderless keeping its last ISR member (3.9)',
      leader: null,
      replicas: [1, 2, 3],
      isr: [2],
      minIsr: 2,
      adding: 0,
      expected: ['unavailable', 'under-min-isr', 'under-replicated'],
    },
    {
      name: 'leaderless RF 1 with min ISR 1: the empty ISR is not "at min"',
      leader: null,
      replicas: [3],
      isr: [],
      minIsr: 1,
      adding: 0,
      expected: ['unavailable', 'under-min-isr', 'under-replicated'],
    },
    {
      name: 'leaderless with its one ISR member listed, min ISR 1: at min too',
      leader: null,
      replicas: [3],
      isr: [3],
      minIsr: 1,
      adding: 0,
      expected: ['unavailable', 'under-min-isr', 'at-min-isr'],
    },
    { name: 'a leader is available, whatever another read says of its broker', leader: 4, replicas: [4, 1], isr: [4, 1], minIsr: 1, adding: 0, expected: [] },
    { name: 'RF 1, min ISR 1: always at min ISR', leader: 1, replicas: [1], isr: [1], minIsr: 1, adding: 0, expected: ['at-min-isr'] },
    {
      name: 'reassignment adding a replica: it does not count toward RF',
      leader: 1,
      replicas: [1, 2, 3, 4],
      isr: [1, 2, 3],
      minIsr: 2,
      adding: 1,
      expected: [],
    },
    { name: 'min ISR above RF: under min ISR forever', leader: 1, replicas: [1, 2], isr: [1, 2], minIsr: 3, adding: 0, expected: ['under-min-isr'] },
    { name: 'unknown min ISR: only leader and RF rules apply', leader: 1, replicas: [1, 2], isr: [1], minIsr: null, adding: 0, expected: ['under-replicated'] },
  ])('$name', ({ leader, replicas, isr, minIsr, adding, expected }) => {
    expect(partitionConditions({ leader, replicas, isr }, minIsr, adding)).toEqual(expected)
  })
})

describe('planClusterHealth', () => {
  const snapshotOf = async (
    build: (b: ReturnType<typeof fakeCluster>) => ReturnType<typeof fakeCluster>,
    after?: (k: ReturnType<ReturnType<typeof fakeCluster>['build']>) => void,
  ): Promise<HealthSnapshot> => {
    const kafka = build(fakeCluster().brokers(3)).build()
    after?.(kafka)
    return readHealthSnapshot(kafka)
  }

  it('a healthy cluster: every broker up, nothing flagged, nothing to run', async () => {
    const report = planClusterHealth(await snapshotOf((b) => b.topic('orders', { partitions: 3, configs: { 'min.insync.replicas': '2' } })))
    expect(report.brokers.map((b) => [b.id, b.state, b.rack])).toEqual([
      [1, 'up', 'r1'],
      [2, 'up', 'r2'],
      [3, 'up', 'r3'],
    ])
    expect(report.partitions).toMatchObject({ topics: 1, total: 3, unavailable: [], underMinIsr: [], atMinIsr: [], underReplicated: [], leaderless: 0 })
    expect(report.suggestions).toEqual([])
    expect(report.cluster.controller).toEqual({ id: 100, source: 'describe-quorum' })
  })

  it('a dead broker: leaderless RF-1 partitions call for unclean-election, shrunk ISRs for isr-shrink', async () => {
    const report = planClusterHealth(
      await snapshotOf(
        (b) =>
          b
            .topic('lonely', { replicas: [[3], [1]] })
            .topic('orders', { replicas: [[3, 1, 2]], configs: { 'min.insync.replicas': '2' } })
            .topic('strict', { replicas: [[1, 3]], configs: { 'min.insync.replicas': '2' } }),
        (k) => k.killBroker(3),
      ),
    )
    const keys = (list: readonly { topic: string; partition: number }[]) => list.map((p) => `${p.topic}/${p.partition}`)
    expect(report.brokers.find((b) => b.id === 3)?.state).toBe('fenced')
    expect(keys(report.partitions.unavailable)).toEqual(['lonely/0'])
    expect(keys(report.partitions.underMinIsr)).toEqual(['lonely/0', 'strict/0'])
    expect(keys(report.partitions.atMinIsr)).toEqual(['lonely/1', 'orders/0'])
    expect(keys(report.partitions.underReplicated)).toEqual(['lonely/0', 'orders/0', 'strict/0'])
    expect(report.partitions.leaderless).toBe(1)
    expect(report.suggestions.map((s) => s.runbook)).toEqual(['unclean-election', 'isr-shrink', 'durability-audit'])
    expect(report.suggestions[1]!.reason).toBe('1 partition under min ISR (acks=all writes fail there)')
  })

  it('counts leaders and replicas per broker over every partition: ids beyond the small-id array, a topic that could not be read', async () => {
    const kafka = fakeCluster().brokers(3).topic('orders', { partitions: 4 }).topic('audit', { partitions: 2 }).build()
    const read = await readHealthSnapshot(kafka)
    const [orders, audit] = [read.topics.find((t) => t.topic === 'orders')!, read.topics.find((t) => t.topic === 'audit')!]
    // A replica on broker 70000 (beyond the array ids are counted in), one led by it, and an unreadable topic
    // that still came with a partition.
    const odd = { ...orders.partitions[0]!, partition: 4, leader: 70_000, replicas: [70_000, 2, 1] }
    const unreadable = {
      ...audit,
      topic: 'gone',
      error: { code: 3, name: 'UNKNOWN_TOPIC_OR_PARTITION', message: 'gone' },
      partitions: [{ ...audit.partitions[0]!, topic: 'gone', leader: 2, replicas: [2, 3] }],
    }
    const snapshot: HealthSnapshot = { ...read, topics: [audit, { ...orders, partitions: [...orders.partitions, odd] }, unreadable] }
    const expected = new Map<number, { leaderOf: number; replicaOf: number }>()
    for (const topic of snapshot.topics)
      for (const p of topic.partitions) {
        for (const id of new Set([...(p.leader === null ? [] : [p.leader]), ...p.replicas]))
          if (!expected.has(id)) expected.set(id, { leaderOf: 0, replicaOf: 0 })
        if (p.leader !== null) expected.get(p.leader)!.leaderOf++
        for (const id of p.replicas) expected.get(id)!.replicaOf++
      }
    const report = planClusterHealth(snapshot)
    expect(report.brokers.map((b) => [b.id, b.state, b.leaderOf, b.replicaOf])).toEqual(
      [...expected].sort((a, b) => a[0] - b[0]).map(([id, c]) => [id, id === 70_000 ? 'unregistered' : 'up', c.leaderOf, c.replicaOf]),
    )
    expect(report.brokers.find((b) => b.id === 70_000)).toMatchObject({ leaderOf: 1, replicaOf: 1 })
  })

  it('a returning broker the brokers read still lists fenced while the partition read has it leading: led, not unavailable', async () => {
    // The two reads answered at different moments, as on a real cluster while broker 3 is unfenced and elected.
    const report = planClusterHealth(
      await snapshotOf((b) =>
        b
          .broker(3, { state: 'fenced' })
          .topic('lonely', { replicas: [[3]], configs: { 'min.insync.replicas': '1' } })
          .topic('orders', { replicas: [[1, 2, 3]] }),
      ),
    )
    expect(report.brokers.find((b) => b.id === 3)?.state).toBe('fenced')
    expect(report.partitions).toMatchObject({ unavailable: [], underMinIsr: [], leaderless: 0 })
    expect(report.suggestions.map((s) => s.runbook)).not.toContain('unclean-election')
  })

  it('before Kafka 4.0 a dead broker is not listed: it shows as unregistered from the replica lists', async () => {
    const kafka = fakeCluster({ kafka: '3.9' })
      .brokers(3)
      .topic('orders', { replicas: [[3, 1, 2]] })
      .build()
    kafka.killBroker(3)
    const report = planClusterHealth(await readHealthSnapshot(kafka))
    expect(report.brokers.map((b) => [b.id, b.state])).toEqual([
      [1, 'up'],
      [2, 'up'],
      [3, 'unregistered'],
    ])
    expect(report.cluster.elr).toBe('unsupported')
  })

  it('consumer groups: lag per group, stopped groups with lag call for consumer-oom-replay, negative lag too', async () => {
    const kafka = fakeCluster()
      .brokers(3)
      .topic('orders', { partitions: 2 })
      .records('orders', 0, { count: 100 })
      .records('orders', 1, { count: 50 })
      .group('billing', { offsets: { 'orders/0': 60n, 'orders/1': 50n } })
      .group('audit', { type: 'consumer', members: [{ assignment: ['orders/0', 'orders/1'] }], offsets: { 'orders/0': 100n, 'orders/1': 40n } })
      .group('replayed', { offsets: { 'orders/0': 120n } })
      .build()
    const report = planClusterHealth(await readHealthSnapshot(kafka))
    expect(report.groups.map((g) => [g.groupId, g.type, g.state, g.members, g.lag])).toEqual([
      ['billing', 'classic', 'Empty', 0, 40n],
      ['audit', 'consumer', 'Stable', 1, 10n],
      ['replayed', 'classic', 'Empty', 0, -20n],
    ])
    // One line for the runbook both kinds call for.
    expect(report.suggestions.filter((s) => s.runbook === 'consumer-oom-replay').map((s) => s.reason)).toEqual([
      '1 consumer group with no members, 40 messages of lag; 1 consumer group with negative lag (committed past the log end)',
    ])
  })

  it('lag of a leaderless partition is unknown, not zero', async () => {
    const kafka = fakeCluster()
      .brokers(3)
      .topic('lonely', { replicas: [[3]] })
      .records('lonely', 0, { count: 10 })
      .group('g', { offsets: { 'lonely/0': 4n } })
      .build()
    kafka.killBroker(3)
    const [group] = planClusterHealth(await readHealthSnapshot(kafka)).groups
    expect(group).toMatchObject({ lag: 0n, unknownLagPartitions: 1, partitions: 1 })
  })

  it('min ISR and retention per topic from entry lists the decoder shares (frozen, one per answer alike), as from lists of their own', async () => {
    // The DescribeConfigs decoder gives topics that answer alike one frozen list of frozen entries.
    const lists = new Map<string, readonly ConfigEntry[]>()
    const sharedList = (entries: readonly ConfigEntry[]) => {
      const key = JSON.stringify(entries)
      let known = lists.get(key)
      if (known === undefined) lists.set(key, (known = Object.freeze(entries.map((e) => Object.freeze({ ...e })))))
      return known
    }
    const decodedLike = (kafka: KafkaOps): KafkaOps =>
      new Proxy(kafka, {
        get(target, key) {
          if (key === 'describeConfigs')
            return async (...args: Parameters<KafkaOps['describeConfigs']>) =>
              (await target.describeConfigs(...args)).map((c) => ({ ...c, entries: sharedList(c.entries) as ConfigEntry[] }))
          const value: unknown = Reflect.get(target, key, target)
          return typeof value === 'function' ? value.bind(target) : value
        },
      })
    const settings: Record<string, string>[] = [
      {},
      { 'min.insync.replicas': '2' },
      { 'min.insync.replicas': '3' },
      { 'cleanup.policy': 'compact' },
      { 'cleanup.policy': 'compact,delete', 'retention.ms': '1000' },
      { 'retention.ms': '-1' },
      { 'min.insync.replicas': '2', 'retention.ms': '86400000' },
    ]
    const kafka = settings.reduce((b, configs, i) => b.topic(`t${i % 3}-${i}`, { replicationFactor: 3, configs }), fakeCluster().brokers(3)).build()
    const own = await readHealthSnapshot(kafka)
    // Twice: the second read meets the same shared lists again.
    for (let read = 0; read < 2; read++) {
      const shared = await readHealthSnapshot(decodedLike(kafka))
      expect(shared.minIsr).toEqual(own.minIsr)
      expect(shared.retention).toEqual(own.retention)
    }
    expect(new Set(own.minIsr.values())).toEqual(new Set([1, 2, 3]))
    expect(lists.size).toBeGreaterThan(settings.length - 1)
  })

  it('durability: the audit summarises settings risks (its one source), internal topics included, and status suggests the audit', async () => {
    const report = planClusterHealth(
      await snapshotOf((b) =>
        b
          .topic('__consumer_offsets', { partitions: 1, replicationFactor: 1 })
          .topic('one', { replicationFactor: 1 })
          .topic('tight', { replicationFactor: 2, configs: { 'min.insync.replicas': '2' } })
          .topic('loose', { replicationFactor: 3, configs: { 'min.insync.replicas': '1' } })
          .topic('fine', { replicationFactor: 3, configs: { 'min.insync.replicas': '2', 'unclean.leader.election.enable': 'true' } }),
      ),
    )
    expect(report.durability.worst.map((f) => [f.kind, f.severity, f.topics])).toEqual([
      ['single-replica', 'high', ['__consumer_offsets', 'one']],
      ['unclean-election', 'high', ['fine']],
      ['min-isr-one', 'medium', ['loose']],
      ['min-isr-equals-rf', 'medium', ['tight']],
    ])
    expect(report.durability.counts).toMatchObject({ high: 2, medium: 2 })
    expect(report.suggestions.find((s) => s.runbook === 'durability-audit')?.reason).toBe(
      '4 findings (2 high) on 5 topics that can lose or block acknowledged writes',
    )
  })

  it('group signals on the fake: a partition stuck behind an old record, an open transaction, unread records near retention — each runbook suggested', async () => {
    const now = Date.now()
    const kafka = fakeCluster()
      .brokers(3)
      .topic('orders', { partitions: 2 })
      .records('orders', 0, { count: 100, startMs: now - 600_000, stepMs: 1000 })
      .records('orders', 1, { count: 100, startMs: now - 600_000, stepMs: 1000 })
      .topic('payments', { partitions: 1 })
      .records('payments', 0, { count: 10, startMs: now - 900_000 })
      .topic('daily', { partitions: 1, configs: { 'retention.ms': String(24 * 3_600_000) } })
      .records('daily', 0, { count: 50, startMs: now - 23 * 3_600_000, stepMs: 60_000 })
      .group('billing', { members: [{ assignment: ['orders/0', 'orders/1'] }], offsets: { 'orders/0': 100n, 'orders/1': 30n } })
      .group('ledger', { members: [{ assignment: ['payments/0'] }], offsets: { 'payments/0': 10n } })
      .group('reports', { offsets: { 'daily/0': 0n } })
      .build()
    kafka.openTransaction('payments-tx', 'payments', [0], { records: 3, timestampMs: now - 600_000 })
    const report = planClusterHealth(await readHealthSnapshot(kafka))
    expect(report.groupSignals.poisonPill.map((s) => [s.groupId, `${s.topic}/${s.partition}`])).toEqual([['billing', 'orders/1']])
    expect(report.groupSignals.stuckTransactions).toMatchObject([{ topic: 'payments', partition: 0, heldRecords: 3n }])
    expect(report.groupSignals.lagRetention.map((s) => [s.groupId, `${s.topic}/${s.partition}`])).toEqual([['reports', 'daily/0']])
    expect(report.suggestions.map((s) => s.runbook)).toEqual(expect.arrayContaining(['poison-pill', 'stuck-transactions', 'lag-retention']))
  })

  it('a healthy group reading on: no group signal', async () => {
    const now = Date.now()
    const kafka = fakeCluster()
      .brokers(3)
      .topic('orders', { partitions: 2 })
      .records('orders', 0, { count: 100, startMs: now - 100_000, stepMs: 1000 })
      .records('orders', 1, { count: 100, startMs: now - 100_000, stepMs: 1000 })
      .group('billing', { members: [{ assignment: ['orders/0', 'orders/1'] }], offsets: { 'orders/0': 98n, 'orders/1': 99n } })
      .build()
    const report = planClusterHealth(await readHealthSnapshot(kafka))
    expect(report.groupSignals).toEqual({ poisonPill: [], stuckTransactions: [], lagRetention: [] })
    expect(report.suggestions.filter((s) => ['poison-pill', 'stuck-transactions', 'lag-retention'].includes(s.runbook))).toEqual([])
  })
})
