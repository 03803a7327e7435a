import { describe, expect, it } from 'vitest'
import { readHealthSnapshot } from '../../lib/reads/status-snapshot.ts'
import { compressRanges, describeHealth, fitList, healthJson } from '../../lib/cli/status-view.ts'
import type { Block } from '../../lib/engine/blocks.ts'
import { fakeCluster } from '../../lib/kafka/fake/index.ts'
import { type FlaggedPartition, type HealthReport, planClusterHealth } from '../../lib/plans/cluster-health.ts'
import { renderBlocks, visibleLength } from '../../lib/terminal/render.ts'
import { largeCluster } from '../support/large-cluster.ts'

describe('compressRanges', () => {
  it.each([
    { input: [], expected: '' },
    { input: [4], expected: '4' },
    { input: [0, 1, 2, 3, 5, 7, 8], expected: '0-3,5,7-8' },
    { input: [9, 2, 3, 2], expected: '2-3,9' },
  ])('$input → "$expected"', ({ input, expected }) => expect(compressRanges(input)).toBe(expected))
})

describe('fitList', () => {
  it('keeps what fits and counts the rest', () => {
    expect(fitList(['alpha', 'beta', 'gamma', 'delta'], 16)).toBe('alpha, beta +2')
    expect(fitList(['alpha'], 3)).toBe('alpha')
    expect(fitList(['a', 'b'], 40)).toBe('a, b')
  })

  it('reads a lazy list only as far as it fits, counting the rest from the count given', () => {
    let read = 0
    function* topics() {
      for (let i = 0; i < 1000; i++) {
        read++
        yield `topic-${i}`
      }
    }
    expect(fitList(topics(), 20, 1000)).toBe('topic-0 +999')
    expect(read).toBe(2)
  })
})

describe('runbook status on a large broken cluster', () => {
  // 2,000 topics × 5 partitions, RF 3 spread over 3 brokers, 100 RF-1 topics on broker 3; then broker 3 dies.
  const build = () => {
    let builder = fakeCluster().brokers(3)
    for (let t = 0; t < 2000; t++) builder = builder.topic(`events-${String(t).padStart(4, '0')}`, { partitions: 5, configs: { 'min.insync.replicas': '2' } })
    for (let t = 0; t < 100; t++) builder = builder.topic(`scratch-${t}`, { replicas: [[3]] })
    for (let g = 0; g < 40; g++) builder = builder.group(`group-${g}`, { offsets: { [`events-${String(g).padStart(4, '0')}/0`]: 0n } })
    const kafka = builder.build()
    for (let g = 0; g < 40; g++) kafka.write(`events-${String(g).padStart(4, '0')}`, 0, g + 1)
    kafka.killBroker(3)
    return kafka
  }

  it('fits 100 columns and a screen or two: grouped, never one row per partition', async () => {
    const report = planClusterHealth(await readHealthSnapshot(build()))
    expect(report.partitions.total).toBe(10_100)
    expect(report.partitions.underReplicated.length).toBe(10_100)
    const text = renderBlocks(describeHealth(report), { color: false, width: 100 })
    const lines = text.split('\n')
    for (const line of lines) expect(visibleLength(line)).toBeLessThanOrEqual(100)
    expect(lines.length).toBeLessThan(80)
    expect(text).toContain('Unavailable: 100')
    expect(text).toContain('Under-replicated: 10,100')
    expect(text).toMatch(/runbook run unclean-election — 100 partitions have no leader/)
    expect(text).toMatch(/and \d+ more groups, [\d,]+ messages of lag between them/)
  })

  it('--json lists every flagged partition with stable keys and lag as decimal strings', async () => {
    const report = planClusterHealth(await readHealthSnapshot(build()))
    const json = JSON.parse(healthJson(report)) as Record<string, unknown> & {
      partitions: { unavailable: unknown[]; underReplicated: unknown[]; total: number }
      groups: { groupId: string; lag: string }[]
    }
    expect(Object.keys(json)).toEqual(['cluster', 'brokers', 'partitions', 'groups', 'groupSignals', 'durability', 'suggestions', 'problems'])
    expect(json.partitions.unavailable).toHaveLength(100)
    expect(json.partitions.underReplicated).toHaveLength(10_100)
    expect(json.partitions.unavailable[0]).toEqual({
      topic: 'scratch-0',
      partition: 0,
      leader: null,
      replicas: [3],
      isr: [],
      elr: [3],
      lastKnownElr: [3],
      offline: [3],
      minIsr: 1,
    })
    expect(json.groups[0]).toMatchObject({ groupId: 'group-39', lag: '40' })
  })

  it('a healthy cluster says so in one line', async () => {
    const kafka = fakeCluster()
      .brokers(3)
      .topic('orders', { partitions: 2, configs: { 'min.insync.replicas': '2' } })
      .build()
    const text = renderBlocks(describeHealth(planClusterHealth(await readHealthSnapshot(kafka))), { color: false, width: 100 })
    expect(text).toContain('All 2 partitions have a live leader and a full ISR.')
    expect(text).toContain('Nothing here calls for a runbook.')
  })
})

describe('runbook status on a production-sized cluster', () => {
  it('stays one screen: 100,000 partitions, 20,000 topics, 2,000 groups and a dead broker in ≤ 60 lines of ≤ 100 columns', async () => {
    const report = planClusterHealth(await readHealthSnapshot(largeCluster()))
    expect(report.partitions.total).toBe(100_000)
    expect(report.groups).toHaveLength(2_000)
    const text = renderBlocks(describeHealth(report), { color: false, width: 100 })
    const lines = text.split('\n')
    for (const line of lines) expect(visibleLength(line)).toBeLessThanOrEqual(100)
    expect(lines.length).toBeLessThanOrEqual(60)
    // Every kind of finding is still there, in its grouped form.
    for (const heading of ['Unavailable: 200', 'Under min ISR:', 'At min ISR:', 'Under-replicated:', 'Consumer groups: 2,000', 'Durability audit:'])
      expect(text).toContain(heading)
    // kafka-topics' categories overlap; a partition is shown once, in the first section that lists it.
    expect(text).toContain('and 200 listed above')
    expect(text).toMatch(/Under-replicated: 24,466 — [^\n]*: all listed above/)
    expect(text).toMatch(/and 11 more brokers, all up, leading [\d,]+–[\d,]+ and holding [\d,]+–[\d,]+ replicas each/)
    for (const runbook of ['unclean-election', 'isr-shrink', 'consumer-oom-replay', 'durability-audit']) expect(text).toContain(`runbook run ${runbook}`)
  }, 120_000)
})

describe('the rows of a partition section', () => {
  // Brokers 1 and 2 up, 3 and 4 down. Partitions come in runs of neighbours that look alike, each run changing one
  // thing from the one before: the view tries the shape of the partition before first, and must still give each
  // distinct look (leader state, ISR, min ISR, ELR, offline replicas) a row of its own. Two things vary per case,
  // so that every look fits in the section's eight rows and all of them are compared.
  const live = [1, 2]
  type Look = { leader: number | null; offline: number[]; isr: number; minIsr: number | null; elr: number[] | null }
  const values: { [K in keyof Look]: Look[K][] } = {
    leader: [1, 2, 3, 4, null],
    offline: [[3], [4], [3, 4], [4, 3]],
    isr: [1, 2],
    minIsr: [2, null],
    elr: [null, [], [2]],
  }
  function partitions(seed: number, varying: readonly (keyof Look)[]): FlaggedPartition[] {
    let state = seed
    // The high bits: this generator's low bits repeat every few draws.
    const next = (n: number) => Math.floor((state = (state * 1103515245 + 12345) % 2 ** 31) / 65_536) % n
    const list: FlaggedPartition[] = []
    let look: Look = { leader: 1, offline: [3], isr: 2, minIsr: 2, elr: [] }
    for (let run = 0; run < 80; run++) {
      const field = varying[next(varying.length)]!
      const options = values[field] as unknown[]
      // A fresh copy of a list: partitions that look alike need not share one.
      const value = options[next(options.length)]
      look = { ...look, [field]: Array.isArray(value) ? [...(value as number[])] : value }
      for (let i = 1 + next(6); i > 0; i--) {
        const n = list.length
        list.push({
          topic: `t${Math.floor(n / 5)}`,
          partition: n % 5,
          leader: look.leader,
          replicas: [1, 2, 3, 4],
          isr: look.isr === 1 ? [1] : [1, 2],
          elr: look.elr,
          lastKnownElr: null,
          offline: look.offline,
          minIsr: look.minIsr,
          conditions: ['under-min-isr'],
        })
      }
    }
    return list
  }
  const report = (underMinIsr: FlaggedPartition[]): HealthReport => ({
    cluster: { id: 'c', kafkaLine: '4.1', metadataVersion: null, elr: 'on', controller: { id: 1, source: 'describe-quorum' } },
    brokers: [1, 2, 3, 4].map((id) => ({ id, host: 'h', port: 9092, rack: null, state: live.includes(id) ? 'up' : 'fenced', leaderOf: 0, replicaOf: 0 })),
    partitions: { topics: 1, total: underMinIsr.length, unavailable: [], underMinIsr, atMinIsr: [], underReplicated: [], leaderless: 0 },
    groups: [],
    groupSignals: { poisonPill: [], stuckTransactions: [], lagRetention: [] },
    durability: { counts: { high: 0, medium: 0, low: 0, info: 0 }, worst: [] },
    suggestions: [],
    problems: [],
  })
  /** Each look's labels and partition count, most partitions first (ties in the order first met). */
  function expectedRows(list: readonly FlaggedPartition[]): string[] {
    const counts = new Map<string, number>()
    for (const p of list) {
      const leader = p.leader === null ? 'none' : live.includes(p.leader) ? 'live' : `${p.leader} (down)`
      const key = [leader, p.isr.length, p.minIsr ?? '?', p.elr === null ? '–' : p.elr.length, p.offline.join(',')].join(' ')
      counts.set(key, (counts.get(key) ?? 0) + 1)
    }
    return [...counts].sort((a, b) => b[1] - a[1]).map(([key, count]) => `${count} ${key}`)
  }

  it.each([
    { varying: ['leader', 'isr'] as const, seed: 1 },
    { varying: ['leader', 'isr'] as const, seed: 2 },
    { varying: ['offline', 'isr'] as const, seed: 3 },
    { varying: ['offline', 'isr'] as const, seed: 4 },
    { varying: ['minIsr', 'elr'] as const, seed: 5 },
    { varying: ['minIsr', 'elr'] as const, seed: 6 },
  ])('gives each look its own row when $varying vary (seed $seed)', ({ varying, seed }) => {
    const list = partitions(seed, varying)
    const section = describeHealth(report(list)).find(
      (b): b is Extract<Block, { kind: 'table' }> => b.kind === 'table' && b.title!.startsWith('Under min ISR'),
    )!
    expect(section.footer).toBeUndefined()
    expect(section.rows.map((row) => row.slice(0, 6).join(' '))).toEqual(expectedRows(list))
  })
})
