import { describe, expect, it } from 'vitest'
import { fakeCluster, type FakeClusterBuilder, type FakeKafka, type TopicOptions } from '../../lib/kafka/fake/index.ts'
import type { ConfigEntry, OngoingReassignment, ResourceConfig, TopicState } from '../../lib/kafka/types.ts'
import {
  type AuditReport,
  countBySeverity,
  type DurabilitySnapshot,
  planDurabilityAudit,
  planDurabilitySummary,
  replicaSizes,
} from '../../lib/plans/durability-audit.ts'
import { describeFindingLine } from '../../lib/plans/durability-lines.ts'
import { readDurability } from '../../lib/reads/durability.ts'

async function audit(
  build: (b: FakeClusterBuilder) => FakeClusterBuilder,
  options: { kafka?: '4.3' | '3.9'; elr?: boolean; racks?: boolean; full?: boolean } = {},
): Promise<AuditReport> {
  const base = fakeCluster({ kafka: options.kafka ?? '4.3', ...(options.elr !== undefined ? { elr: options.elr } : {}) }).brokers(3, {
    racks: options.racks ?? true,
  })
  const kafka = build(base).build()
  return planDurabilityAudit(await readDurability(kafka, { full: options.full ?? true, nowMs: 1_700_000_000_000 }))
}

const kinds = (report: AuditReport) => report.findings.map((f) => [f.kind, f.severity, f.topics.join(',')])

describe('per-topic findings', () => {
  it.each([
    {
      name: 'one replica: high, and unclean election does not matter with nothing to elect',
      topic: { replicationFactor: 1, configs: { 'unclean.leader.election.enable': 'true' } },
      expected: [['single-replica', 'high', 't']],
    },
    {
      name: 'RF 3 inheriting min ISR 1 from the ELR cluster record: one copy for acks=all',
      topic: { replicationFactor: 3 },
      expected: [['min-isr-one', 'medium', 't']],
    },
    { name: 'RF 3, min ISR 2: nothing', topic: { replicationFactor: 3, configs: { 'min.insync.replicas': '2' } }, expected: [] },
    {
      name: 'RF 2, min ISR 2: one broker down stops writes',
      topic: { replicationFactor: 2, configs: { 'min.insync.replicas': '2' } },
      expected: [['min-isr-equals-rf', 'medium', 't']],
    },
    {
      name: 'RF 3, min ISR 5: enforced as 3 (writes stop on any loss) and misreported',
      topic: { replicationFactor: 3, configs: { 'min.insync.replicas': '5' } },
      expected: [
        ['min-isr-equals-rf', 'medium', 't'],
        ['min-isr-above-rf', 'low', 't'],
      ],
    },
    {
      name: 'unclean election as a topic override: high, ranked before the one-copy risk',
      topic: { replicationFactor: 3, configs: { 'unclean.leader.election.enable': 'true' } },
      expected: [
        ['unclean-election', 'high', 't'],
        ['min-isr-one', 'medium', 't'],
      ],
    },
  ] as { name: string; topic: TopicOptions; expected: string[][] }[])('$name', async ({ topic, expected }) => {
    const report = await audit((b) => b.topic('t', topic))
    expect(kinds(report).filter(([kind]) => !String(kind).startsWith('default-'))).toEqual(expected)
  })

  it('effective min ISR and copies per topic, with where the value comes from', async () => {
    const report = await audit((b) =>
      b.topic('inherits', { replicationFactor: 3 }).topic('own', { replicationFactor: 3, configs: { 'min.insync.replicas': '5' } }),
    )
    expect(report.topics.map((t) => [t.topic, t.minIsr.value, t.minIsr.source, t.minIsr.override, t.effectiveMinIsr])).toEqual([
      ['inherits', 1, 'dynamic-broker-default', null, 1],
      ['own', 5, 'dynamic-topic', '5', 3],
    ])
  })

  it('groups topics that share a finding and the facts behind it; a different source is another group', async () => {
    const report = await audit((b) =>
      b
        .brokerDefaults({ 'unclean.leader.election.enable': 'true' })
        .topic('a', { replicationFactor: 3, configs: { 'min.insync.replicas': '2' } })
        .topic('b', { replicationFactor: 3, configs: { 'min.insync.replicas': '2' } })
        .topic('c', { replicationFactor: 3, configs: { 'min.insync.replicas': '2', 'unclean.leader.election.enable': 'true' } }),
    )
    const unclean = report.findings.filter((f) => f.kind === 'unclean-election')
    expect(unclean.map((f) => [f.facts.source, f.topics, f.partitions])).toEqual([
      ['dynamic-broker-default', ['a', 'b'], 2],
      ['dynamic-topic', ['c'], 1],
    ])
    expect(report.findings.find((f) => f.kind === 'default-unclean-on')).toMatchObject({ severity: 'medium', facts: { source: 'dynamic-broker-default' } })
    expect(describeFindingLine(unclean[0]!)).toBe(
      'unclean.leader.election.enable=true (cluster default) — a replica missing acknowledged writes may become leader: 2 topics a, b',
    )
  })

  it('ranks high before medium, and within a severity loss before outage, then partitions at risk', async () => {
    const report = await audit((b) =>
      b
        .topic('tight', { partitions: 6, replicationFactor: 2, configs: { 'min.insync.replicas': '2' } })
        .topic('loose', { partitions: 1, replicationFactor: 3, configs: { 'min.insync.replicas': '1' } })
        .topic('single', { replicationFactor: 1 }),
    )
    expect(report.findings.filter((f) => f.topics.length).map((f) => f.kind)).toEqual(['single-replica', 'min-isr-one', 'min-isr-equals-rf'])
  })
})

describe('racks', () => {
  it('every replica in one rack is a finding per partition; brokers without a rack are a cluster finding, not a one-rack verdict', async () => {
    const report = await audit((b) =>
      b
        .broker(1, { rack: 'zone-a' })
        .broker(2, { rack: 'zone-a' })
        .broker(3, { rack: null })
        .topic('same', {
          replicas: [
            [1, 2],
            [2, 1],
          ],
          configs: { 'min.insync.replicas': '2' },
        })
        .topic('unknown', { replicas: [[1, 3]], configs: { 'min.insync.replicas': '2' } }),
    )
    const same = report.topics.find((t) => t.topic === 'same')!
    expect([same.singleRackPartitions, same.racks]).toEqual([2, ['zone-a']])
    expect(report.topics.find((t) => t.topic === 'unknown')!.unknownRackPartitions).toBe(1)
    expect(report.findings.find((f) => f.kind === 'one-rack')).toMatchObject({ topics: ['same'], partitions: 2, facts: { racks: 'zone-a' } })
    expect(report.findings.find((f) => f.kind === 'racks-unknown')).toMatchObject({ severity: 'low', facts: { brokers: '3', of: 3 } })
  })

  it('replicas over different racks: no rack finding', async () => {
    const report = await audit((b) => b.topic('spread', { replicationFactor: 3, configs: { 'min.insync.replicas': '2' } }))
    expect(report.findings.filter((f) => f.topics.length)).toEqual([])
    expect(report.topics[0]!.racks).toEqual(['r1', 'r2', 'r3'])
  })
})

describe('cluster defaults and versions', () => {
  it('4.3 with ELR: the cluster-level min.insync.replicas record is the default topics inherit', async () => {
    const report = await audit((b) => b)
    expect(report.defaults).toMatchObject({
      minIsr: { value: 1, source: 'dynamic-broker-default' },
      unclean: { value: false, source: 'default' },
      elr: 'on',
      kafkaLine: '4.3',
    })
    expect(kinds(report)).toEqual([['default-min-isr-one', 'low', '']])
  })

  it('3.9: Kafka’s own default, no ELR finding (the feature does not exist)', async () => {
    const report = await audit((b) => b.topic('t', { replicationFactor: 3, configs: { 'min.insync.replicas': '2' } }), { kafka: '3.9' })
    expect(report.defaults).toMatchObject({ minIsr: { value: 1, source: 'default' }, elr: 'unsupported' })
    expect(kinds(report)).toEqual([['default-min-isr-one', 'low', '']])
  })

  it('4.x with ELR off: an info finding, only when some topic has replicas to elect from', async () => {
    const report = await audit((b) => b.topic('t', { replicationFactor: 3, configs: { 'min.insync.replicas': '2' } }), { elr: false })
    expect(report.findings.map((f) => f.kind)).toEqual(['default-min-isr-one', 'elr-off'])
  })

  it('brokers that resolve a setting differently (server.properties or per-broker overrides)', async () => {
    const report = await audit((b) => b.brokerConfig(2, { 'unclean.leader.election.enable': 'true' }), { kafka: '3.9' })
    expect(report.findings.find((f) => f.kind === 'brokers-disagree')?.facts.settings).toBe('unclean.leader.election.enable: false on 1,3; true on 2')
  })

  it('the light read (status) skips per-broker views and sizes', async () => {
    const report = await audit((b) => b.brokerConfig(2, { 'unclean.leader.election.enable': 'true' }).topic('t', { replicationFactor: 3 }), {
      kafka: '3.9',
      full: false,
    })
    expect(report.findings.some((f) => f.kind === 'brokers-disagree')).toBe(false)
    expect(report.topics[0]!.bytes).toBeNull()
  })
})

describe('planDurabilitySummary (status summary line): what the full audit counts and ranks', () => {
  /** The summary as the full audit gives it: its counts, and its high and medium findings in its order. */
  const fromFullAudit = (s: DurabilitySnapshot) => {
    const { findings } = planDurabilityAudit(s)
    return { counts: countBySeverity(findings), worst: findings.filter((f) => f.severity === 'high' || f.severity === 'medium') }
  }

  it.each([
    {
      name: 'per-topic min ISR overrides beside inherited ones, above and equal to RF',
      build: (b: FakeClusterBuilder) =>
        b
          .topic('inherits', { replicationFactor: 3 })
          .topic('two', { replicationFactor: 3, configs: { 'min.insync.replicas': '2' } })
          .topic('equal', { replicationFactor: 3, configs: { 'min.insync.replicas': '3' } })
          .topic('above', { replicationFactor: 2, configs: { 'min.insync.replicas': '5' } })
          .topic('one', { replicationFactor: 3, configs: { 'min.insync.replicas': '1' } }),
    },
    {
      name: 'RF 1 topics, with and without unclean election, and an empty cluster default',
      build: (b: FakeClusterBuilder) =>
        b
          .topic('lonely', { replicationFactor: 1 })
          .topic('lonely-unclean', { replicationFactor: 1, configs: { 'unclean.leader.election.enable': 'true' } })
          .topic('fine', { replicationFactor: 3, configs: { 'min.insync.replicas': '2' } }),
    },
    {
      name: 'unclean election on as a cluster default and as topic overrides (two sources, two groups)',
      build: (b: FakeClusterBuilder) =>
        b
          .brokerDefaults({ 'unclean.leader.election.enable': 'true', 'min.insync.replicas': '2' })
          .topic('a', { replicationFactor: 3 })
          .topic('b', { replicationFactor: 3, configs: { 'unclean.leader.election.enable': 'true' } })
          .topic('c', { replicationFactor: 3, configs: { 'unclean.leader.election.enable': 'false' } }),
    },
    {
      name: 'topics with mixed states: replica counts that differ, one rack, no rack, a dead broker',
      build: (b: FakeClusterBuilder) =>
        b
          .broker(4, { rack: null })
          .topic('mixed', { replicas: [[1, 2, 3], [1, 2], [3]], configs: { 'min.insync.replicas': '2' } })
          .topic('rackless', { replicas: [[1, 4]], configs: { 'min.insync.replicas': '2' } })
          .topic('Zeta', { replicas: [[2, 3, 1]], configs: { 'min.insync.replicas': '3' } })
          .topic('alpha', { replicas: [[3, 1, 2]], configs: { 'min.insync.replicas': '3' } }),
      after: (kafka: FakeKafka) => kafka.killBroker(3),
    },
  ])('$name', async ({ build, after }: { build: (b: FakeClusterBuilder) => FakeClusterBuilder; after?: (kafka: FakeKafka) => void }) => {
    for (const version of ['4.3', '3.9'] as const) {
      const kafka = build(fakeCluster({ kafka: version }).brokers(3, { racks: true })).build()
      after?.(kafka)
      for (const full of [false, true]) {
        const s = await readDurability(kafka, { full, nowMs: 1_700_000_000_000 })
        const summary = planDurabilitySummary(s)
        expect(summary).toEqual(fromFullAudit(s))
        expect(summary.worst.length).toBeGreaterThan(0)
      }
    }
  })

  // Random snapshots, built by hand so that topics and partitions arrive in any order, some unreadable, with
  // racks missing, reassignments adding replicas, settings from every source, with and without synonyms.
  function snapshot(seed: number): DurabilitySnapshot {
    let state = seed
    const next = (n: number) => {
      state = (state * 1103515245 + 12345) % 2 ** 31
      return state % n
    }
    const brokerCount = 1 + next(5)
    const brokers = Array.from({ length: brokerCount }, (_, i) => ({
      id: i + 1,
      host: 'h',
      port: 1,
      rack: next(4) === 0 ? null : `r${next(3)}`,
      fenced: next(5) === 0 ? true : false,
    }))
    const sources = ['dynamic-topic', 'dynamic-broker', 'dynamic-broker-default', 'static-broker', 'default'] as const
    const entry = (name: string, values: readonly string[]) => {
      const source = sources[next(sources.length)]!
      return {
        name,
        value: values[next(values.length)]!,
        source,
        readOnly: false,
        sensitive: false,
        synonyms: next(2) ? [{ name, value: values[next(values.length)]!, source: sources[1 + next(4)]! }] : [],
      }
    }
    const topics: TopicState[] = []
    const topicConfigs: ResourceConfig[] = []
    const reassignments: OngoingReassignment[] = []
    for (let t = 0; t < 1 + next(25); t++) {
      const name = ['orders', 'Zeta', 'alpha', 'b-1', 'b_1', 'événements'][next(6)]! + t
      const partitions = Array.from({ length: next(6) }, (_, p) => {
        const replicas = Array.from({ length: 1 + next(3) }, () => 1 + next(brokerCount + 1))
        if (next(6) === 0) reassignments.push({ topic: name, partition: p, replicas, adding: replicas.slice(0, 1), removing: [] })
        const isr = replicas.slice(0, next(replicas.length + 1))
        return { topic: name, partition: p, leader: isr[0] ?? null, leaderEpoch: 0, replicas, isr, offline: [], elr: next(3) ? [] : isr, lastKnownElr: [] }
      })
      if (next(2)) partitions.reverse()
      topics.push({
        topic: name,
        topicId: null,
        internal: false,
        partitions,
        ...(next(15) === 0 ? { error: { code: 3, name: 'UNKNOWN_TOPIC_OR_PARTITION', message: '' } } : {}),
      })
      if (next(10) === 0) continue
      topicConfigs.push({
        resource: { type: 'topic', name },
        entries: next(10) === 0 ? [] : [entry('min.insync.replicas', ['1', '2', '3', '4', 'x']), entry('unclean.leader.election.enable', ['true', 'false'])],
        ...(next(12) === 0 ? { error: { code: 29, name: 'TOPIC_AUTHORIZATION_FAILED', message: '' } } : {}),
      })
    }
    if (next(2)) topics.reverse()
    return {
      takenAtMs: 0,
      capabilities: { kafkaLine: '4.3', metadataVersion: '4.3-IV0', elr: (['on', 'off', 'unsupported'] as const)[next(3)]! },
      brokers,
      topics,
      topicConfigs,
      clusterDefault: next(3)
        ? {
            resource: { type: 'broker-default' },
            entries: [entry('min.insync.replicas', ['1', '2']), entry('unclean.leader.election.enable', ['true', 'false'])],
          }
        : null,
      brokerConfigs: next(2)
        ? brokers.map((b) => ({ resource: { type: 'broker' as const, id: b.id }, entries: [entry('min.insync.replicas', ['1', '2'])] }))
        : [],
      replicaBytes: null,
      reassignments,
      problems: [],
    }
  }

  it('counts and ranks exactly what the full audit does on 400 random snapshots', () => {
    let found = 0
    for (let seed = 1; seed <= 400; seed++) {
      const s = snapshot(seed)
      const summary = planDurabilitySummary(s)
      expect(summary).toEqual(fromFullAudit(s))
      found += summary.worst.length
    }
    expect(found).toBeGreaterThan(200)
  })

  /** Equal entries as one frozen object, shared between topics, resources and snapshots, as the DescribeConfigs decoder gives them. */
  const decodedEntries = new Map<string, ConfigEntry>()
  const shared = (e: ConfigEntry): ConfigEntry => {
    const key = JSON.stringify(e)
    let known = decodedEntries.get(key)
    if (known === undefined) decodedEntries.set(key, (known = Object.freeze({ ...e })))
    return known
  }
  const decoded = <C extends ResourceConfig>(c: C): C => ({ ...c, entries: Object.freeze(c.entries.map(shared)) as ConfigEntry[] })

  it('the audit and its summary read shared frozen entries as entries of their own, on 400 random snapshots', () => {
    for (let seed = 1; seed <= 400; seed++) {
      const s = snapshot(seed)
      const d = {
        ...s,
        topicConfigs: s.topicConfigs.map(decoded),
        clusterDefault: s.clusterDefault && decoded(s.clusterDefault),
        brokerConfigs: s.brokerConfigs.map(decoded),
      }
      expect(planDurabilityAudit(d)).toEqual(planDurabilityAudit(s))
      expect(planDurabilitySummary(d)).toEqual(planDurabilitySummary(s))
    }
    // The same entry objects met again across snapshots: what was concluded of one does not stick to another.
    expect(decodedEntries.size).toBeLessThan(100)
  })
})

describe('replica sizes', () => {
  it('each partition by its largest replica over every broker and dir, a replica being moved in left out', () => {
    const replica = (topic: string, partition: number, size: bigint, future = false) => ({ topic, partition, sizeBytes: size, offsetLag: 0n, future })
    const dir = (path: string, replicas: ReturnType<typeof replica>[]) => ({ path, totalBytes: null, usableBytes: null, replicas })
    const sizes = replicaSizes([
      { broker: 1, dirs: [dir('/a', [replica('t', 0, 100n), replica('t', 2, 7n)]), dir('/b', [replica('u', 0, 5n)])] },
      { broker: 2, dirs: [dir('/a', [replica('t', 0, 120n), replica('t', 2, 900n, true)])] },
      { broker: 3, dirs: [dir('/a', [replica('t', 0, 110n), replica('u', 0, 4n)])] },
    ])
    expect([...sizes.keys()].sort()).toEqual(['t', 'u'])
    expect(sizes.get('t')![0]).toBe(120n)
    expect(sizes.get('t')![1]).toBeUndefined()
    expect(sizes.get('t')![2]).toBe(7n)
    expect(sizes.get('u')![0]).toBe(5n)
  })
})
