// The find of the ISR-shrink runbook: kafka-topics' four conditions (the same ones `runbook status` uses),
// what acks=all gets on each partition, and the grouping by the replicas that left the ISR.

import { describe, expect, it } from 'vitest'
import { fakeCluster, type FakeKafka } from '../../lib/kafka/fake/index.ts'
import { planClusterHealth } from '../../lib/plans/cluster-health.ts'
import { planIsrFindings } from '../../lib/plans/isr-findings.ts'
import { readReplicationSnapshot } from '../../lib/reads/replication.ts'
import { readHealthSnapshot } from '../../lib/reads/status-snapshot.ts'

const findings = async (kafka: FakeKafka) => planIsrFindings((await readReplicationSnapshot(kafka, { nowMs: 0 })).snapshot)
const names = (ps: readonly { topic: string; partition: number }[]) => ps.map((p) => `${p.topic}/${p.partition}`)

describe('planIsrFindings', () => {
  it.each([
    { name: 'healthy', isr: [1, 2, 3], minIsr: '2', conditions: [], writes: null },
    { name: 'one follower out', isr: [1, 2], minIsr: '2', conditions: ['at-min-isr', 'under-replicated'], writes: 'at-min' },
    { name: 'two followers out', isr: [1], minIsr: '2', conditions: ['under-min-isr', 'under-replicated'], writes: 'failing' },
    { name: 'two out, min ISR 1', isr: [1], minIsr: '1', conditions: ['at-min-isr', 'under-replicated'], writes: 'at-min' },
    { name: 'one out, min ISR 1', isr: [1, 2], minIsr: '1', conditions: ['under-replicated'], writes: 'flowing' },
  ])('$name: $conditions', async ({ isr, minIsr, conditions, writes }) => {
    const kafka = fakeCluster()
      .brokers(3)
      .topic('t', { replicas: [[1, 2, 3]], configs: { 'min.insync.replicas': minIsr } })
      .partition('t', 0, { isr })
      .build()
    const found = await findings(kafka)
    expect(found.partitions.map((p) => [p.conditions, p.writes])).toEqual(conditions.length ? [[conditions, writes]] : [])
  })

  it('flags a leaderless partition as unavailable and under min ISR, with no leader to write to', async () => {
    const kafka = fakeCluster()
      .brokers(3)
      .topic('t', { replicas: [[3]] })
      .build()
    kafka.killBroker(3)
    const [p] = (await findings(kafka)).partitions
    expect(p).toMatchObject({ leader: null, writes: 'no-leader', conditions: ['unavailable', 'under-min-isr', 'under-replicated'] })
  })

  it('a leader the brokers read lists fenced (that read older than the partition read) still leads: writes fail on the ISR, not for want of a leader', async () => {
    const kafka = fakeCluster()
      .brokers(3)
      .broker(1, { state: 'fenced' })
      .topic('t', { replicas: [[1, 2, 3]], configs: { 'min.insync.replicas': '2' } })
      .partition('t', 0, { isr: [1] })
      .build()
    const [p] = (await findings(kafka)).partitions
    expect(p).toMatchObject({ leader: 1, writes: 'failing', conditions: ['under-min-isr', 'under-replicated'] })
  })

  it('a broker that leads is up in the snapshot, whatever the separate (older) cluster read lists it as — fenced on 4.x, absent on 3.9', async () => {
    for (const line of ['4.3', '3.9'] as const) {
      const kafka = fakeCluster({ kafka: line })
        .brokers(3)
        .broker(1, { state: 'fenced' })
        .broker(2, { state: 'fenced' })
        .topic('t', { replicas: [[1, 2, 3]] })
        .partition('t', 0, { isr: [1, 2] })
        .build()
      const { snapshot } = await readReplicationSnapshot(kafka, { nowMs: 0 })
      // Broker 1 leads t/0; broker 2 leads nothing, so its listing stands.
      expect(snapshot.brokers.map((b) => [b.id, b.state])).toEqual([
        [1, 'up'],
        [2, line === '3.9' ? 'unregistered' : 'fenced'],
        [3, 'up'],
      ])
    }
  })

  it('a min ISR above the replication factor is under min ISR for kafka-topics, but the leader caps it: writes flow', async () => {
    const kafka = fakeCluster()
      .brokers(3)
      .topic('t', { replicas: [[1, 2]], configs: { 'min.insync.replicas': '3' } })
      .build()
    const found = await findings(kafka)
    expect(found.partitions[0]).toMatchObject({ conditions: ['under-min-isr'], effectiveMinIsr: 2, writes: 'at-min' })
    expect(names(found.cappedMinIsr)).toEqual(['t/0'])
    expect(found.failing).toEqual([])
  })

  it('groups by the replicas out of sync, refusing partitions first, and counts where a down broker still sits in the ISR', async () => {
    const kafka = fakeCluster()
      .brokers(4)
      .topic('a', {
        replicas: [
          [1, 2, 3],
          [2, 3, 4],
        ],
        configs: { 'min.insync.replicas': '2' },
      })
      .topic('b', { replicas: [[1, 3, 4]], configs: { 'min.insync.replicas': '2' } })
      .topic('single', { replicas: [[4]], configs: { 'min.insync.replicas': '1' } })
      .partition('a', 0, { isr: [1] })
      .partition('a', 1, { isr: [2, 4] })
      .partition('b', 0, { isr: [1, 4] })
      .build()
    const found = await findings(kafka)
    expect(found.groups.map((g) => [g.outOfSync, names(g.partitions), g.failing, g.atMin])).toEqual([
      [[2, 3], ['a/0'], 1, 0],
      [[3], ['a/1', 'b/0'], 0, 2],
      [[], ['single/0'], 0, 1],
    ])
    expect(found.stillInSyncElsewhere).toEqual([{ broker: 2, partitions: 1 }])
  })

  it('agrees with runbook status on every condition', async () => {
    const kafka = fakeCluster()
      .brokers(3)
      .topic('x', {
        replicas: [
          [1, 2, 3],
          [2, 3, 1],
          [3, 1, 2],
        ],
        configs: { 'min.insync.replicas': '2' },
      })
      .topic('y', { replicas: [[3], [1, 2]] })
      .build()
    kafka.killBroker(3)
    const found = await findings(kafka)
    const health = planClusterHealth(await readHealthSnapshot(kafka))
    expect(names(found.partitions.filter((p) => p.conditions.includes('under-min-isr')))).toEqual(names(health.partitions.underMinIsr))
    expect(names(found.partitions.filter((p) => p.conditions.includes('at-min-isr')))).toEqual(names(health.partitions.atMinIsr))
    expect(names(found.partitions.filter((p) => p.conditions.includes('under-replicated')))).toEqual(names(health.partitions.underReplicated))
    expect(names(found.partitions.filter((p) => p.conditions.includes('unavailable')))).toEqual(names(health.partitions.unavailable))
  })
})
