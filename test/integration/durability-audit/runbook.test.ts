// durability-audit end to end on the real sandbox through the CLI: each finding on real topics, with Kafka's
// own tools as the oracle for sources (kafka-configs) and for the misleading under-min-ISR report
// (kafka-topics); each fix and its undo; the exported reassignment run by kafka-reassign-partitions; the
// producer parser on each format; the --fail-on gate; drift after review; bad input.

import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect } from '../../../lib/kafka/index.ts'
import type { KafkaOps } from '../../../lib/kafka/types.ts'
import { createTopic, uniqueTopic, waitFor } from '../../support/kafka.ts'
import { runCli } from '../../support/run-cli.ts'
import { kafkaToolOk, testSandbox } from '../../support/sandbox.ts'

const sessions = mkdtempSync(join(tmpdir(), 'audit-e2e-'))
let ops: KafkaOps

interface Finding {
  id: string
  severity: string
  summary: string
}
interface CliJson {
  status: string
  exitCode: number
  message?: string
  session: string
  sessionDir: string
  findings?: Finding[]
  cells: { id: string; outcome: string; planHash?: string; data?: unknown; verified?: boolean }[]
}

async function audit(answers: Record<string, string>, extra: readonly string[] = []): Promise<{ code: number; json: CliJson; stderr: string }> {
  const args = [
    'run',
    'durability-audit',
    '--bootstrap-server',
    testSandbox().bootstrap,
    '--sessions-dir',
    sessions,
    '--json',
    ...Object.entries(answers).flatMap(([k, v]) => ['--set', `${k}=${v}`]),
    ...extra,
  ]
  const result = await runCli(args)
  return { code: result.code, json: JSON.parse(result.stdout || '{}') as CliJson, stderr: result.stderr }
}

/** The topic's own overrides as Kafka's own tool lists them ("Dynamic configs for topic …"). */
async function overrides(topic: string): Promise<Record<string, string>> {
  const out = await kafkaToolOk('kafka-configs', ['--describe', '--entity-type', 'topics', '--entity-name', topic])
  return Object.fromEntries([...out.matchAll(/^\s+([a-z.]+)=(\S+) sensitive=/gm)].map((m) => [m[1]!, m[2]!]))
}

/** Where Kafka's own tool says a topic's setting comes from: the first synonym of `--all`. */
async function sourceOf(topic: string, name: string): Promise<string> {
  const out = await kafkaToolOk('kafka-configs', ['--describe', '--all', '--entity-type', 'topics', '--entity-name', topic])
  const line = out.split('\n').find((l) => l.trim().startsWith(`${name}=`))!
  return /synonyms=\{(\w+):/.exec(line)![1]!
}

const file = (name: string, text: string) => {
  const path = join(mkdtempSync(join(tmpdir(), 'producer-')), name)
  writeFileSync(path, text)
  return path
}

const single = uniqueTopic('audit-single')
const loose = uniqueTopic('audit-loose')
const unclean = uniqueTopic('audit-unclean')
const above = uniqueTopic('audit-above')
const fine = uniqueTopic('audit-fine')

beforeAll(async () => {
  ops = await connect({ bootstrapServers: testSandbox().bootstrap.split(','), clientId: 'audit-e2e' })
  await createTopic(single, { partitions: 1, replicationFactor: 1 })
  await createTopic(loose, { partitions: 2, replicationFactor: 3 })
  await createTopic(unclean, { partitions: 1, replicationFactor: 3, configs: { 'unclean.leader.election.enable': 'true', 'min.insync.replicas': '2' } })
  await createTopic(above, { partitions: 1, replicationFactor: 3, configs: { 'min.insync.replicas': '5' } })
  await createTopic(fine, { partitions: 1, replicationFactor: 3, configs: { 'min.insync.replicas': '2' } })
})

afterAll(async () => {
  await ops?.deleteTopics([single, loose, unclean, above, fine]).catch(() => {})
  await ops?.close()
})

const topicFindings = (json: CliJson, topic: string) => json.findings!.filter((f) => f.summary.includes(topic)).map((f) => [f.id, f.severity])

describe('durability-audit on the sandbox', () => {
  it('finds each risk on real topics, with sources as kafka-configs reports them', async () => {
    const result = await audit({ topics: [single, loose, unclean, above, fine].join(',') })
    expect(result.code, result.json.message).toBe(0)
    expect(topicFindings(result.json, single)).toEqual([['single-replica', 'high']])
    expect(topicFindings(result.json, unclean)).toEqual([['unclean-election', 'high']])
    expect(topicFindings(result.json, loose)).toEqual([['min-isr-one', 'medium']])
    expect(topicFindings(result.json, above)).toEqual([
      ['min-isr-equals-rf', 'medium'],
      ['min-isr-above-rf', 'low'],
    ])
    expect(topicFindings(result.json, fine)).toEqual([])

    const topics = (
      result.json.cells.find((c) => c.id === 'topics')!.data as {
        topics: { topic: string; minIsr: { value: number; source: string }; effectiveMinIsr: number }[]
      }
    ).topics
    const looseRow = topics.find((t) => t.topic === loose)!
    // Kafka's tool names the same source: the cluster-level record on 4.x with ELR, Kafka's default on 3.9.
    const kafkaSays = await sourceOf(loose, 'min.insync.replicas')
    expect({ DYNAMIC_DEFAULT_BROKER_CONFIG: 'dynamic-broker-default', DEFAULT_CONFIG: 'default', STATIC_BROKER_CONFIG: 'static-broker' }[kafkaSays]).toBe(
      looseRow.minIsr.source,
    )
    expect(await sourceOf(unclean, 'unclean.leader.election.enable')).toBe('DYNAMIC_TOPIC_CONFIG')
    expect(topics.find((t) => t.topic === above)!.effectiveMinIsr).toBe(3)
  })

  it('min.insync.replicas above RF: healthy, yet kafka-topics lists it under min ISR — what the audit warns of', async () => {
    const out = await kafkaToolOk('kafka-topics', ['--describe', '--under-min-isr-partitions', '--topic', above])
    expect(out).toMatch(new RegExp(`Topic: ${above}\\s+Partition: 0\\s+Leader: \\d`))
    const [state] = await ops.partitionStates([above])
    expect(state!.partitions[0]!.isr).toHaveLength(3)
  })

  it('raises min ISR and turns unclean off as overrides Kafka’s tool sees; `runbook undo` restores them exactly', async () => {
    const applied = await audit({ topics: `${loose},${unclean}`, 'raise-min-isr': 'apply', 'unclean-off': 'apply' }, ['--yes'])
    expect(applied.code, applied.json.message).toBe(0)
    expect(applied.json.cells.filter((c) => c.id === 'min-isr' || c.id === 'unclean').map((c) => [c.id, c.outcome, c.verified])).toEqual([
      ['min-isr', 'applied', true],
      ['unclean', 'applied', true],
    ])
    await waitFor(async () => (await overrides(loose))['min.insync.replicas'] === '2', { what: 'the min ISR override to show' })
    expect(await overrides(unclean)).toMatchObject({ 'min.insync.replicas': '2', 'unclean.leader.election.enable': 'false' })
    expect(applied.json.findings!.filter((f) => f.summary.includes(loose) || f.summary.includes(unclean))).toEqual([])

    const undone = await runCli(['undo', applied.json.session, '--yes', '--bootstrap-server', testSandbox().bootstrap, '--sessions-dir', sessions])
    expect(undone.code, undone.stderr).toBe(0)
    // No override on loose before (deleted again); unclean's own "true" is back.
    await waitFor(async () => (await overrides(loose))['min.insync.replicas'] === undefined, { what: 'the min ISR override to be deleted' })
    expect(await overrides(unclean)).toMatchObject({ 'unclean.leader.election.enable': 'true', 'min.insync.replicas': '2' })
  })

  it('exports a reassignment kafka-reassign-partitions runs as written; afterwards the single replica is gone from the findings', async () => {
    const topic = uniqueTopic('audit-grow')
    await createTopic(topic, { partitions: 1, replicationFactor: 1 })
    const result = await audit({ topics: topic })
    const data = result.json.cells.find((c) => c.id === 'reassignment')!.data as { file: string; plan: { moves: { proposed: number[] }[] } }
    expect(data.plan.moves[0]!.proposed).toHaveLength(3)
    await kafkaToolOk('kafka-reassign-partitions', ['--reassignment-json-file', data.file, '--execute'])
    await waitFor(async () => /is completed/.test(await kafkaToolOk('kafka-reassign-partitions', ['--reassignment-json-file', data.file, '--verify'])), {
      what: 'the reassignment to complete',
      timeoutMs: 60_000,
    })
    const after = await audit({ topics: topic })
    expect(after.json.findings!.map((f) => f.id)).toEqual([
      'min-isr-one',
      ...(after.json.findings!.some((f) => f.id === 'default-min-isr-one') ? ['default-min-isr-one'] : []),
    ])
    await ops.deleteTopics([topic])
  })

  it('reads a producer configuration in each format and judges it on the topics it writes', async () => {
    const java = file(
      'payments.properties',
      'bootstrap.servers=127.0.0.1:9092\nacks=1\nkey.serializer=org.apache.kafka.common.serialization.StringSerializer\n',
    )
    const rdkafka = file('ledger.conf', 'metadata.broker.list=127.0.0.1:9092\nrequest.required.acks=-1\nenable.idempotence=true\n')
    const kafkajs = file('orders.json', JSON.stringify({ clientId: 'orders', send: { acks: -1 } }))
    const result = await audit({ 'producer-config': `${java}@${fine},${rdkafka}@${fine}+${loose},${kafkajs}@${loose}` })
    expect(result.code, result.json.message).toBe(0)
    const producers = (
      result.json.cells.find((c) => c.id === 'producers')!.data as {
        producers: {
          path: string
          client: { client: string }
          acks: { value: string }
          verdicts: { topics: string[]; guaranteedCopies: number; risks: { kind: string }[] }[]
        }[]
      }
    ).producers
    expect(producers.map((p) => [p.client.client, p.acks.value])).toEqual([
      ['java', 'leader'],
      ['librdkafka', 'all'],
      ['kafkajs', 'all'],
    ])
    expect(producers[1]!.verdicts.map((v) => [v.topics, v.guaranteedCopies, v.risks.map((r) => r.kind)])).toEqual([
      [[loose], 1, ['producer-one-copy']],
      [[fine], 2, []],
    ])
    expect(result.json.findings!.find((f) => f.id === 'producer-acks-leader')?.summary).toBe(`producer ${java}: acks-leader on topic ${fine}`)
  })

  it('--fail-on high: exit 4 with the findings in the JSON; --fail-on on a clean scope: exit 0', async () => {
    const failing = await audit({ topics: single }, ['--fail-on', 'high'])
    expect(failing.code).toBe(4)
    expect(failing.json).toMatchObject({ status: 'findings', exitCode: 4 })
    expect(failing.json.findings![0]).toMatchObject({ id: 'single-replica', severity: 'high' })
    const passing = await audit({ topics: fine }, ['--fail-on', 'medium'])
    expect(passing.code, passing.json.message).toBe(0)
    const bad = await runCli(['run', 'durability-audit', '--bootstrap-server', testSandbox().bootstrap, '--fail-on', 'severe'])
    expect([bad.code, bad.stderr.trim()]).toEqual([2, 'runbook run: --fail-on takes high, medium, low, not "severe"'])
  })

  it('stops with exit 3 when a topic changed after the plan was reviewed, and changes nothing', async () => {
    const topic = uniqueTopic('audit-drift')
    await createTopic(topic, { partitions: 1, replicationFactor: 3 })
    const reviewed = await audit({ topics: topic, 'raise-min-isr': 'apply' }, ['--dry-run'])
    const hash = reviewed.json.cells.find((c) => c.id === 'min-isr')!.planHash!
    await ops.incrementalAlterConfigs(
      [
        {
          resource: { type: 'topic', name: topic },
          ops: [
            { name: 'retention.ms', op: 'set', value: '3600000' },
            { name: 'min.insync.replicas', op: 'set', value: '1' },
          ],
        },
      ],
      { validateOnly: false },
    )
    await waitFor(async () => (await overrides(topic))['min.insync.replicas'] === '1', { what: 'the override to show' })
    const drifted = await audit({ topics: topic, 'raise-min-isr': 'apply' }, ['--approve', `min-isr=${hash}`])
    expect(drifted.code).toBe(3)
    expect(drifted.json.message).toMatch(
      new RegExp(`^--approve min-isr=${hash}: the plan reviewed in dry run ${reviewed.json.session} is not the plan now .* — the cluster moved since`),
    )
    expect(await overrides(topic)).toEqual({ 'retention.ms': '3600000', 'min.insync.replicas': '1' })
    await ops.deleteTopics([topic])
  })

  it.each([
    {
      name: 'a topic that does not exist',
      answers: { topics: 'audit-no-such-topic' },
      message: 'topic audit-no-such-topic does not exist on this cluster — check the name (`runbook status` lists topics); nothing changed',
    },
    {
      name: 'an unreadable producer config',
      answers: { 'producer-config': '/nonexistent/producer.properties' },
      message:
        "producer-config: cannot read /nonexistent/producer.properties (no such file) — give the path of the producer's configuration file; nothing was read",
    },
    {
      name: 'an unknown producer config',
      answers: { 'producer-config': '__UNKNOWN__' },
      message: /^producer-config: .*server.properties sets none of the producer settings .* is it a producer configuration\?; nothing was read$/,
    },
  ])('bad input, $name: one line, exit 2, nothing changed', async ({ answers, message }) => {
    const resolved = Object.fromEntries(
      Object.entries(answers).map(([k, v]) => [k, v.replace('__UNKNOWN__', file('server.properties', 'node.id=1\nlog.dirs=/tmp/x\n'))]),
    )
    const before = await overrides(loose)
    const result = await audit({ ...resolved, 'raise-min-isr': 'apply' }, ['--yes'])
    expect(result.code).toBe(2)
    if (typeof message === 'string') expect(result.json.message).toBe(message)
    else expect(result.json.message).toMatch(message)
    expect(await overrides(loose)).toEqual(before)
  })
})
