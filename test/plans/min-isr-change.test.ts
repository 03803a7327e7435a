// Lowering min.insync.replicas: the topics and value chosen, refusals for bad input, what it restores and costs,
// the ELR it clears, the exact revert, and the read-back comparison.

import { describe, expect, it } from 'vitest'
import { fakeCluster, type FakeKafka } from '../../lib/kafka/fake/index.ts'
import { planIsrFindings } from '../../lib/plans/isr-findings.ts'
import {
  compareTopicConfig,
  describeMinIsrFault,
  isMinIsrFault,
  type MinIsrChangePlan,
  planMinIsrChange,
  restoreOp,
  revertCommand,
  type TopicMinIsr,
} from '../../lib/plans/min-isr-change.ts'
import { readMinIsr, readReplicationSnapshot } from '../../lib/reads/replication.ts'

/** orders: 3 partitions on [1,2,3], min ISR 2 (override), retention override; audit inherits min ISR 2 (cluster default on 4.x, server.properties on 3.9). */
function cluster(options: { elr?: boolean; kafka?: '4.3' | '3.9' } = {}): FakeKafka {
  const kafka = fakeCluster({ kafka: options.kafka ?? '4.3', ...(options.elr === undefined ? {} : { elr: options.elr }) })
    .brokers(3)
    .staticBrokerConfig({ 'min.insync.replicas': '2' })
    .brokerDefaults(options.kafka === '3.9' || options.elr === false ? {} : { 'min.insync.replicas': '2' })
    .topic('orders', { partitions: 3, replicationFactor: 3, configs: { 'min.insync.replicas': '2', 'retention.ms': '3600000' } })
    .topic('audit', { replicas: [[1, 2, 3]] })
    .topic('calm', { replicas: [[2, 1]], configs: { 'min.insync.replicas': '1' } })
    .build()
  return kafka
}

async function plan(kafka: FakeKafka, topics: string[] | null, value: number | null, line: 'on' | 'off' | 'unsupported' = 'on') {
  const { snapshot } = await readReplicationSnapshot(kafka, { nowMs: 0 })
  const findings = planIsrFindings(snapshot)
  const names = topics ?? ['orders', 'audit', 'calm', 'nope']
  const configs: TopicMinIsr[] = await readMinIsr(kafka, names)
  return planMinIsrChange(findings, configs, { topics, value }, line, 'localhost:9092')
}

describe('planMinIsrChange', () => {
  it('by default: every failing topic, the highest value that restores all writes; ELR cleared and the revert exact', async () => {
    const kafka = cluster()
    // Broker 2 out of orders/0's ISR with ELR on: it joins the ELR only when the ISR is below min ISR.
    kafka.dropFromIsr('orders', 0, 2).dropFromIsr('orders', 0, 3).dropFromIsr('audit', 0, 3).dropFromIsr('audit', 0, 2)
    const result = (await plan(kafka, null, null)) as MinIsrChangePlan
    expect(isMinIsrFault(result)).toBe(false)
    expect(result.value).toBe(1)
    expect(result.valueChosen).toBe('highest-that-restores-writes')
    expect(result.topics.map((t) => [t.topic, t.previous, t.otherOverrides])).toEqual([
      ['audit', { value: '2', source: 'dynamic-broker-default', override: false }, {}],
      ['orders', { value: '2', source: 'dynamic-topic', override: true }, { 'retention.ms': '3600000' }],
    ])
    expect(result.totals).toMatchObject({ topics: 2, failingBefore: 2, restored: 2, stillFailing: 0, singleCopy: 2 })
    expect(result.topics.map((t) => t.elrCleared)).toEqual([[{ partition: 0, brokers: [2] }], [{ partition: 0, brokers: [3] }]])
    expect(result.revertWhenIsrAtLeast).toEqual({ orders: 2, audit: 2 })
    expect(result.kafkaCommands.revert).toEqual([
      'kafka-configs --bootstrap-server localhost:9092 --entity-type topics --entity-name audit --alter --delete-config min.insync.replicas',
      'kafka-configs --bootstrap-server localhost:9092 --entity-type topics --entity-name orders --alter --add-config min.insync.replicas=2',
    ])
  })

  it('takes the largest value that still restores writes: ISR of 2 on a min ISR of 3 → 2, and warns when a given 1 is lower than needed', async () => {
    const kafka = fakeCluster()
      .brokers(3)
      .topic('strict', { replicas: [[1, 2, 3]], configs: { 'min.insync.replicas': '3' } })
      .partition('strict', 0, { isr: [1, 2] })
      .build()
    expect(((await plan(kafka, ['strict'], null)) as MinIsrChangePlan).value).toBe(2)
    const lower = (await plan(kafka, ['strict'], 1)) as MinIsrChangePlan
    expect(lower.warnings[0]).toContain('a higher value would restore their writes with more copies (strict/0)')
  })

  it.each([
    { name: 'an unknown topic', topics: ['nope'], value: 1, text: 'topic "nope" does not exist' },
    { name: 'a topic whose writes do not fail', topics: ['calm'], value: 1, text: 'topic calm has no partition under its min ISR (1)' },
    {
      name: 'a value above the replication factor',
      topics: ['orders'],
      value: 4,
      text: 'min.insync.replicas=4 is above the replication factor of orders (3) — give a value from 1 to 3',
    },
    { name: 'a value that is not lower', topics: ['orders'], value: 2, text: 'min.insync.replicas of orders is already 2; 2 would not lower it' },
  ])('refuses $name in one line, nothing changed', async ({ topics, value, text }) => {
    const kafka = cluster()
    kafka.dropFromIsr('orders', 0, 2).dropFromIsr('orders', 0, 3)
    const fault = await plan(kafka, topics, value)
    expect(isMinIsrFault(fault)).toBe(true)
    const line = describeMinIsrFault(fault as never)
    expect(line).toContain(text)
    expect(line).toMatch(/nothing changed$/)
    expect(line.split('\n')).toHaveLength(1)
  })

  it('refuses when nothing fails at all', async () => {
    const fault = await plan(cluster(), null, null)
    expect(fault).toEqual({ kind: 'nothing-failing' })
  })

  it.each([
    { line: 'off' as const, cleared: 0 },
    { line: 'unsupported' as const, cleared: 0 },
  ])('ELR $line: nothing to clear', async ({ line, cleared }) => {
    const kafka = cluster(line === 'off' ? { elr: false } : { kafka: '3.9' })
    kafka.dropFromIsr('orders', 0, 2).dropFromIsr('orders', 0, 3)
    const result = (await plan(kafka, ['orders'], 1, line)) as MinIsrChangePlan
    expect(result.topics[0]!.elrCleared).toHaveLength(cleared)
  })
})

describe('restoring', () => {
  it.each([
    {
      previous: { value: '2', source: 'dynamic-topic' as const, override: true },
      op: { name: 'min.insync.replicas', op: 'set', value: '2' },
      command: '--add-config min.insync.replicas=2',
    },
    {
      previous: { value: '1', source: 'dynamic-broker-default' as const, override: false },
      op: { name: 'min.insync.replicas', op: 'delete' },
      command: '--delete-config min.insync.replicas',
    },
  ])('a $previous.source value is restored by $op.op', ({ previous, op, command }) => {
    expect(restoreOp(previous)).toEqual(op)
    expect(revertCommand('my topic', previous, 'b:9092')).toBe(
      `kafka-configs --bootstrap-server b:9092 --entity-type topics --entity-name 'my topic' --alter ${command}`,
    )
  })

  it('compares value, source and every other override', () => {
    const expected = { topic: 't', value: '2', source: 'dynamic-topic' as const, otherOverrides: { 'retention.ms': '1000', 'cleanup.policy': 'compact' } }
    const found = (over: Partial<TopicMinIsr>): TopicMinIsr => ({
      topic: 't',
      exists: true,
      value: '2',
      source: 'dynamic-topic',
      overrides: { 'min.insync.replicas': '2', 'retention.ms': '1000', 'cleanup.policy': 'compact' },
      ...over,
    })
    expect(compareTopicConfig(expected, found({}))).toEqual([])
    expect(compareTopicConfig(expected, found({ source: 'static-broker' }))).toEqual([
      { topic: 't', what: 'min.insync.replicas', expected: '2 (dynamic-topic)', found: '2 (static-broker)' },
    ])
    expect(compareTopicConfig(expected, found({ overrides: { 'retention.ms': '1000', 'max.message.bytes': '10' } }))).toEqual(
      [
        { topic: 't', what: 'retention.ms', expected: '1000', found: '1000' },
        { topic: 't', what: 'cleanup.policy', expected: 'compact', found: '(none)' },
        { topic: 't', what: 'max.message.bytes', expected: '(none)', found: '10' },
      ].filter((d) => d.expected !== d.found),
    )
  })
})
