// isr-shrink end to end on the real sandbox through the CLI, Kafka's own tools as the oracle: a reassignment
// plan for a broker gone for good that kafka-reassign-partitions executes; then, with two brokers down, a dry
// run, bad input (nothing changed), the approved plan applied to a topic with other overrides and to one that
// inherits min ISR, and `runbook undo` restoring the exact previous values and sources.

import { readFileSync, writeFileSync } from 'node:fs'
import { Producer, ProduceAcks } from '@platformatic/kafka'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect } from '../../../lib/kafka/index.ts'
import type { ConfigSource, KafkaOps } from '../../../lib/kafka/types.ts'
import { nodeAction, restoreCluster } from '../../support/faults.ts'
import { uniqueTopic, waitFor } from '../../support/kafka.ts'
import { kafkaTool, kafkaToolOk } from '../../support/sandbox.ts'
import { broker1, cell, cli, fencedByCluster, runIsrShrink, topicOverrides } from './cli.ts'

const overridden = uniqueTopic('isr-ovr')
const inherited = uniqueTopic('isr-inh')
const pairs = uniqueTopic('isr-pairs')
let ops: KafkaOps
/** The cluster-wide default of min.insync.replicas before the test set it to 2 (4.x with ELR keeps 1 there). */
let defaultBefore: string | null = null

async function minIsr(topic: string): Promise<{ value: string | null; source: ConfigSource | null }> {
  const [config] = await ops.describeConfigs([{ type: 'topic', name: topic }], { names: ['min.insync.replicas'] })
  const entry = config!.entries.find((e) => e.name === 'min.insync.replicas')
  return { value: entry?.value ?? null, source: entry?.source ?? null }
}

async function brokersDown(...ids: number[]): Promise<void> {
  for (const id of ids) await nodeAction(id, 'kill')
  await waitFor(async () => (await Promise.all(ids.map((id) => fencedByCluster(ops, id)))).every(Boolean), {
    what: `brokers ${ids.join(', ')} fenced`,
    timeoutMs: 30_000,
  })
}

beforeAll(async () => {
  ops = await connect({ bootstrapServers: [broker1()], clientId: 'isr-runbook-it' })
  const [defaults] = await ops.describeConfigs([{ type: 'broker-default' }], { names: ['min.insync.replicas'] })
  defaultBefore = defaults!.entries.find((e) => e.name === 'min.insync.replicas')?.value ?? null
  const set = await ops.incrementalAlterConfigs([{ resource: { type: 'broker-default' }, ops: [{ name: 'min.insync.replicas', op: 'set', value: '2' }] }], {
    validateOnly: false,
  })
  expect(set[0]!.error).toBeUndefined()
  const created = await ops.createTopics([
    {
      topic: overridden,
      assignments: [
        [1, 2, 3],
        [1, 3, 2],
      ],
      configs: { 'min.insync.replicas': '2', 'retention.ms': '7200000', 'max.message.bytes': '2000000', 'cleanup.policy': 'delete' },
    },
    { topic: inherited, assignments: [[1, 2, 3]] },
    {
      topic: pairs,
      assignments: [
        [1, 3],
        [3, 1],
      ],
      configs: { 'min.insync.replicas': '1' },
    },
  ])
  expect(created.every((r) => !r.error)).toBe(true)
  await waitFor(async () => (await minIsr(inherited)).value === '2', { what: 'the new cluster default visible' })
})

afterAll(async () => {
  // The cluster default goes back even when the brokers do not come back in time: later files read it.
  try {
    await restoreCluster()
  } finally {
    await ops.incrementalAlterConfigs(
      [
        {
          resource: { type: 'broker-default' },
          ops: [defaultBefore === null ? { name: 'min.insync.replicas', op: 'delete' } : { name: 'min.insync.replicas', op: 'set', value: defaultBefore }],
        },
      ],
      { validateOnly: false },
    )
    await ops.close()
  }
})

describe('isr-shrink on the sandbox', () => {
  it('exports a reassignment for a broker gone for good that kafka-reassign-partitions executes', async () => {
    await brokersDown(3)
    const run = await runIsrShrink({ action: 'export-reassignment' })
    expect(run.code, run.json.message).toBe(0)
    const data = cell(run.json, 'export-reassignment').data as { moves: { topic: string; partition: number; to: number[] }[] }
    expect(data.moves.filter((m) => m.topic === pairs).map((m) => [m.partition, m.to])).toEqual([
      [0, [1, 2]],
      [1, [2, 1]],
    ])
    const file = `${run.json.sessionDir}/reassignment.json`
    expect(JSON.parse(readFileSync(file, 'utf8')).version).toBe(1)
    // Nothing was applied by the runbook: the assignment is still as before.
    expect((await ops.partitionStates([pairs]))[0]!.partitions.map((p) => p.replicas)).toEqual([
      [1, 3],
      [3, 1],
    ])
    // Kafka's own tool takes the file (only our topic's moves: the others need broker 3's partners to be alive too).
    const ours = JSON.parse(readFileSync(file, 'utf8')) as { version: number; partitions: { topic: string }[] }
    const mine = `${run.json.sessionDir}/pairs-only.json`
    writeFileSync(mine, JSON.stringify({ ...ours, partitions: ours.partitions.filter((p) => p.topic === pairs) }))
    await kafkaToolOk('kafka-reassign-partitions', ['--bootstrap-server', broker1(), '--reassignment-json-file', mine, '--execute'])
    await waitFor(
      async () => {
        const verify = await kafkaTool('kafka-reassign-partitions', ['--bootstrap-server', broker1(), '--reassignment-json-file', mine, '--verify'])
        return verify.exitCode === 0 && !/still in progress/.test(verify.stdout)
      },
      { what: 'the reassignment to complete', timeoutMs: 90_000, intervalMs: 2000 },
    )
    expect((await ops.partitionStates([pairs]))[0]!.partitions.map((p) => p.replicas)).toEqual([
      [1, 2],
      [2, 1],
    ])
  })

  describe('with brokers 2 and 3 down', () => {
    let overridesBefore: Record<string, string>
    let approvedHash: string

    beforeAll(async () => {
      await brokersDown(2)
      overridesBefore = await topicOverrides(overridden)
    })

    it('a dry run prints the plan and its hash, changing nothing', async () => {
      const run = await runIsrShrink({ action: 'lower-min-isr', topics: `${overridden},${inherited}`, value: '1' }, ['--dry-run'])
      expect(run.code, run.json.message).toBe(0)
      const lower = cell(run.json, 'lower-min-isr')
      approvedHash = lower.planHash!
      expect(lower.outcome).toBe('planned')
      expect(lower.summary).toBe(
        `set min.insync.replicas=1 on ${overridden}, ${inherited}: acks=all writes resume on 3 partitions, acknowledged by a single copy (the leader alone) until the ISR is back`,
      )
      expect(await topicOverrides(overridden)).toEqual(overridesBefore)
      expect(await minIsr(inherited)).toEqual({ value: '2', source: 'dynamic-broker-default' })
    })

    it.each<{ name: string; answers: Record<string, string>; message: string }>([
      { name: 'unknown topic', answers: { topics: 'no-such-topic-here' }, message: 'topic no-such-topic-here does not exist on this cluster' },
      { name: 'min ISR below 1', answers: { value: '0' }, message: 'value: 0 is below the minimum of 1' },
      { name: 'min ISR above the replication factor', answers: { value: '4' }, message: 'min.insync.replicas=4 is above the replication factor of' },
    ])('bad input, $name: one line, nothing changed', async ({ answers, message }) => {
      const run = await runIsrShrink({ action: 'lower-min-isr', topics: overridden, ...answers }, ['--yes'])
      expect(run.code).toBe(2)
      expect(run.json.message).toContain(message)
      expect(run.json.message!.split('\n')).toHaveLength(1)
      expect(run.json.message).toMatch(/nothing changed$/)
      expect(await topicOverrides(overridden)).toEqual(overridesBefore)
    })

    it('applies exactly the approved plan: only min.insync.replicas changes, on both topics; runbook undo restores values and sources', async () => {
      const run = await runIsrShrink({ action: 'lower-min-isr', topics: `${overridden},${inherited}`, value: '1' }, [
        '--approve',
        `lower-min-isr=${approvedHash}`,
      ])
      expect(run.code, run.json.message).toBe(0)
      expect(cell(run.json, 'lower-min-isr').outcome).toBe('applied')
      expect(await topicOverrides(overridden)).toEqual({ ...overridesBefore, 'min.insync.replicas': '1' })
      expect(await topicOverrides(inherited)).toEqual({ 'min.insync.replicas': '1' })
      // acks=all writes are accepted again on the single remaining replica.
      const producer = new Producer({ clientId: 'isr-it-writer', bootstrapBrokers: [broker1()], idempotent: false, retries: 3, retryDelay: 300 })
      try {
        await producer.send({ acks: ProduceAcks.ALL, messages: [{ topic: overridden, partition: 0, value: Buffer.from('accepted') }] })
      } finally {
        await producer.close(true)
      }

      const undone = await cli(['undo', run.json.session, '--yes'])
      expect(undone.code, undone.json.message).toBe(0)
      expect(await topicOverrides(overridden)).toEqual(overridesBefore)
      expect(await minIsr(overridden)).toEqual({ value: '2', source: 'dynamic-topic' })
      expect(await topicOverrides(inherited)).toEqual({})
      expect(await minIsr(inherited)).toEqual({ value: '2', source: 'dynamic-broker-default' })
    })
  })
})
