// The runbook's find against kafka-topics and `runbook status` at each step of a pause / resume sequence on the
// real sandbox: healthy; broker 3 hung (writes flowing on one topic, none on another); brokers 2 and 3 hung
// (under min ISR); min ISR lowered by the runbook; brokers back; min ISR restored by `runbook undo`.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect } from '../../../lib/kafka/index.ts'
import type { KafkaOps } from '../../../lib/kafka/types.ts'
import { nodeAction, restoreCluster } from '../../support/faults.ts'
import { startProducing, uniqueTopic, waitFor } from '../../support/kafka.ts'
import { runCli } from '../../support/run-cli.ts'
import { broker1, cell, cli, kafkaTopicsFlags, runIsrShrink, topicOverrides } from './cli.ts'

const busy = uniqueTopic('isr-busy')
const idle = uniqueTopic('isr-idle')
const strict = uniqueTopic('isr-strict')
const topics = [busy, idle, strict]

const flags = {
  underMinIsr: '--under-min-isr-partitions',
  atMinIsr: '--at-min-isr-partitions',
  underReplicated: '--under-replicated-partitions',
  unavailable: '--unavailable-partitions',
} as const

interface StatusJson {
  partitions: Record<keyof typeof flags, { topic: string; partition: number }[]>
}

let ops: KafkaOps
let load: { stop(): Promise<number> } | null = null

/** The runbook's find, kafka-topics and runbook status must list the same partitions of our topics, under every flag. */
async function expectAgreement(): Promise<Record<keyof typeof flags, string[]> & { readonly find: unknown }> {
  const entries = Object.entries(flags) as [keyof typeof flags, string][]
  // Kafka's tool runs while ours do: the cluster holds still at each step, so all read the same state.
  const oracles = Promise.all(entries.map(([, flag]) => kafkaTopicsFlags(flag, topics)))
  oracles.catch(() => {})
  const run = await runIsrShrink({})
  expect(run.code, run.json.message).toBe(0)
  const find = cell(run.json, 'find').data as Record<keyof typeof flags, string[]>
  const status = JSON.parse((await runCli(['status', '--json', '--bootstrap-server', broker1()])).stdout) as StatusJson
  const ours = (list: readonly string[]) => list.filter((tp) => topics.includes(tp.slice(0, tp.lastIndexOf('/')))).sort()
  const result = { find } as Record<keyof typeof flags, string[]> & { find: unknown }
  const answers = await oracles
  for (const [i, [key, flag]] of entries.entries()) {
    const oracle = answers[i]!
    expect(ours(find[key]), `runbook vs kafka-topics ${flag}`).toEqual(oracle)
    expect(ours(status.partitions[key].map((p) => `${p.topic}/${p.partition}`)), `status vs kafka-topics ${flag}`).toEqual(oracle)
    result[key] = oracle
  }
  return result
}

async function isrOf(topic: string): Promise<number[]> {
  const [state] = await ops.partitionStates([topic])
  return [...state!.partitions[0]!.isr].sort()
}

beforeAll(async () => {
  ops = await connect({ bootstrapServers: [broker1()], clientId: 'isr-conditions-it' })
  const created = await ops.createTopics([
    { topic: busy, assignments: [[1, 2, 3]], configs: { 'min.insync.replicas': '2' } },
    { topic: idle, assignments: [[1, 3, 2]], configs: { 'min.insync.replicas': '2' } },
    { topic: strict, assignments: [[1, 2]], configs: { 'min.insync.replicas': '3' } },
  ])
  expect(created.every((r) => !r.error)).toBe(true)
  await waitFor(async () => (await isrOf(busy)).length === 3 && (await isrOf(idle)).length === 3 && (await isrOf(strict)).length === 2, { what: 'full ISRs' })
  load = startProducing(busy)
})

afterAll(async () => {
  await load?.stop()
  await restoreCluster()
  await ops?.close()
})

describe('find agrees with kafka-topics through a pause / resume sequence', () => {
  let lowered: string

  it('healthy: only the topic whose min ISR is above its replication factor is flagged (under min ISR, writes still flow)', async () => {
    const flagged = await expectAgreement()
    expect(flagged.underMinIsr).toEqual([`${strict}/0`])
    expect(flagged.underReplicated).toEqual([])
  })

  it('broker 3 hung: both topics lose it once it is fenced; at min ISR, acks=all still accepted', async () => {
    await nodeAction(3, 'pause')
    await waitFor(async () => !(await isrOf(busy)).includes(3) && !(await isrOf(idle)).includes(3), {
      what: 'broker 3 out of both ISRs (the idle topic only at fencing)',
      timeoutMs: 60_000,
    })
    const flagged = await expectAgreement()
    expect(flagged.atMinIsr).toEqual([`${busy}/0`, `${idle}/0`].sort())
    expect(flagged.underMinIsr).toEqual([`${strict}/0`])
  })

  it('brokers 2 and 3 hung: under min ISR, the runbook says writes are refused', async () => {
    await nodeAction(2, 'pause')
    await waitFor(async () => (await isrOf(busy)).join() === '1' && (await isrOf(idle)).join() === '1' && (await isrOf(strict)).join() === '1', {
      what: 'ISR [1] everywhere',
      timeoutMs: 60_000,
    })
    const flagged = await expectAgreement()
    expect(flagged.underMinIsr).toEqual([busy, idle, strict].map((t) => `${t}/0`).sort())
    expect((flagged.find as { writesRefused: string[] }).writesRefused).toEqual(expect.arrayContaining([`${busy}/0`, `${idle}/0`, `${strict}/0`]))
  })

  it('min ISR lowered to 1 by the runbook: at min ISR again, ELR cleared, only min.insync.replicas changed', async () => {
    const before = await topicOverrides(busy)
    const run = await runIsrShrink({ action: 'lower-min-isr', topics: busy, value: '1' }, ['--yes'])
    expect(run.code, run.json.message).toBe(0)
    lowered = run.json.session
    expect(await topicOverrides(busy)).toEqual({ ...before, 'min.insync.replicas': '1' })
    const [state] = await ops.partitionStates([busy])
    expect(state!.partitions[0]!.elr ?? []).toEqual([])
    const flagged = await expectAgreement()
    expect(flagged.atMinIsr).toContain(`${busy}/0`)
    expect(flagged.underMinIsr).not.toContain(`${busy}/0`)
  })

  it('brokers back: nothing flagged but the strict topic; runbook undo restores min ISR 2 exactly', async () => {
    await nodeAction(2, 'resume')
    await nodeAction(3, 'resume')
    await waitFor(async () => (await isrOf(busy)).length === 3 && (await isrOf(idle)).length === 3 && (await isrOf(strict)).length === 2, {
      what: 'full ISRs again',
      timeoutMs: 90_000,
    })
    let flagged = await expectAgreement()
    expect(flagged.underReplicated).toEqual([])
    const undone = await cli(['undo', lowered, '--yes'])
    expect(undone.code, undone.json.message).toBe(0)
    expect((await topicOverrides(busy))['min.insync.replicas']).toBe('2')
    flagged = await expectAgreement()
    expect(flagged.underMinIsr).toEqual([`${strict}/0`])
  })
})
