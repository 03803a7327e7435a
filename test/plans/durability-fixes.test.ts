import { describe, expect, it } from 'vitest'
import { fakeCluster, type FakeClusterBuilder, type FakeKafka } from '../../lib/kafka/fake/index.ts'
import { planDurabilityAudit } from '../../lib/plans/durability-audit.ts'
import { isFixFault, type MinIsrPlan, planMinIsrRaise, planUncleanOff, type UncleanPlan } from '../../lib/plans/durability-fixes.ts'
import { readDurability } from '../../lib/reads/durability.ts'

async function report(build: (b: FakeClusterBuilder) => FakeClusterBuilder, after?: (kafka: FakeKafka) => void) {
  const kafka = build(fakeCluster().brokers(3)).build()
  after?.(kafka)
  return planDurabilityAudit(await readDurability(kafka, { full: false, nowMs: 0 }))
}

describe('planMinIsrRaise', () => {
  it.each([
    { name: 'RF 3 at 1 → 2, one broker of slack left', rf: 3, configs: {}, target: 2, to: '2', stopsWrites: false },
    { name: 'RF 2 → 2 = RF: marked, one broker down stops acks=all', rf: 2, configs: {}, target: 2, to: '2', stopsWrites: true },
    { name: 'target 3 on RF 2 is capped at the replication factor', rf: 2, configs: {}, target: 3, to: '2', stopsWrites: true },
    { name: 'RF 3 at 2 raised to a target of 3 = RF', rf: 3, configs: { 'min.insync.replicas': '2' }, target: 3, to: '3', stopsWrites: true },
  ] as { name: string; rf: number; configs: Record<string, string>; target: number; to: string; stopsWrites: boolean }[])(
    '$name',
    async ({ rf, configs, target, to, stopsWrites }) => {
      const plan = planMinIsrRaise(await report((b) => b.topic('t', { replicationFactor: rf, configs })), target) as MinIsrPlan
      expect(plan.changes.map((c) => [c.topic, c.to, c.stopsWritesOnBrokerLoss, c.before])).toEqual([
        [
          't',
          to,
          stopsWrites,
          {
            value: configs['min.insync.replicas'] ?? '1',
            source: Object.keys(configs).length ? 'dynamic-topic' : 'dynamic-broker-default',
            override: configs['min.insync.replicas'] ?? null,
          },
        ],
      ])
    },
  )

  it('prices the change now: partitions whose ISR is already below the new value, and ELR records Kafka will clear', async () => {
    const plan = planMinIsrRaise(
      await report((b) =>
        b
          .topic('t', { partitions: 3, replicationFactor: 3 })
          .partition('t', 0, { isr: [1] })
          .partition('t', 1, { isr: [2], leader: 2, elr: [1] }),
      ),
      2,
    ) as MinIsrPlan
    expect(plan.totals).toEqual({ topics: 1, partitions: 3, stopsWritesTopics: 0, failingAtOnce: 2, elrCleared: 1 })
  })

  it('skips internal topics and single replicas with the reason, leaves topics already at the target alone', async () => {
    const plan = planMinIsrRaise(
      await report((b) =>
        b
          .topic('__consumer_offsets', { replicationFactor: 3 })
          .topic('single', { replicationFactor: 1 })
          .topic('fine', { replicationFactor: 3, configs: { 'min.insync.replicas': '2' } })
          .topic('loose', { replicationFactor: 3 }),
      ),
      2,
    ) as MinIsrPlan
    expect(plan.changes.map((c) => c.topic)).toEqual(['loose'])
    expect(plan.skipped.map((s) => s.topic)).toEqual(['__consumer_offsets'])
  })

  it('nothing to raise is a fault saying so', async () => {
    const plan = planMinIsrRaise(await report((b) => b.topic('fine', { replicationFactor: 3, configs: { 'min.insync.replicas': '2' } })), 2)
    expect(isFixFault(plan) && plan.what).toBe('no topic has min.insync.replicas below 2 that this audit may change')
  })
})

describe('planUncleanOff', () => {
  it('turns off what resolves to true — inherited or overridden — remembering the override to restore, and counts leaderless partitions', async () => {
    const plan = planUncleanOff(
      await report(
        (b) =>
          b
            .brokerDefaults({ 'unclean.leader.election.enable': 'true' })
            .topic('inherits', { replicationFactor: 3 })
            .topic('own', { replicationFactor: 3, configs: { 'unclean.leader.election.enable': 'true' } })
            .topic('off', { replicationFactor: 3, configs: { 'unclean.leader.election.enable': 'false' } })
            .topic('single', { replicationFactor: 1 }),
        (kafka) => kafka.killBroker(1).killBroker(2).killBroker(3),
      ),
    ) as UncleanPlan
    expect(plan.changes.map((c) => [c.topic, c.before.override, c.before.source, c.leaderless])).toEqual([
      ['inherits', null, 'dynamic-broker-default', 1],
      ['own', 'true', 'dynamic-topic', 1],
    ])
  })

  it('nothing on is a fault', async () => {
    expect(isFixFault(planUncleanOff(await report((b) => b.topic('t', { replicationFactor: 3 }))))).toBe(true)
  })
})
