// The durability-audit runbook against the in-memory fake: read-only by default, the --fail-on gate, fixes
// applied, verified and undone, drift, producers' configurations, bad input. The real cluster is in
// test/integration/durability-audit/.

import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runRunbook, type RunOptions } from '../../../lib/engine/runner.ts'
import { runUndo } from '../../../lib/engine/undo.ts'
import { fakeCluster, type FakeKafka } from '../../../lib/kafka/fake/index.ts'
import runbook from '../../../runbooks/durability-audit/index.ts'
import { given, runOptions } from '../../support/run-options.ts'
import { scriptedIo, type ScriptedIo } from '../../../lib/testkit/index.ts'
import { undoOptions } from '../../support/undo-options.ts'

/** orders: RF 3 inheriting min ISR 1; audit: RF 3 with unclean election on; single: one replica; fine: RF 3, min ISR 2. */
function cluster(kafka: '4.3' | '3.9' = '4.3'): FakeKafka {
  return fakeCluster({ kafka })
    .brokers(3)
    .topic('orders', { partitions: 3, replicationFactor: 3 })
    .topic('audit', { partitions: 2, replicationFactor: 3, configs: { 'unclean.leader.election.enable': 'true' } })
    .topic('single', { partitions: 1, replicationFactor: 1 })
    .topic('fine', { partitions: 1, replicationFactor: 3, configs: { 'min.insync.replicas': '2' } })
    .build()
}

const options = (io: ScriptedIo, kafka: FakeKafka, extra: Partial<RunOptions> = {}): RunOptions =>
  runOptions(io, kafka, { clock: () => 1_700_000_000_000, ...extra })

const headless = (kafka: FakeKafka, answers: Record<string, string> = {}, extra: Partial<RunOptions> = {}) =>
  runRunbook(runbook, options(scriptedIo([], { interactive: false }), kafka, { given: given(answers), approvals: { yes: true, hashes: [] }, ...extra }))

const override = async (kafka: FakeKafka, topic: string, name: string) => {
  const entry = (await kafka.describeConfigs([{ type: 'topic', name: topic }], { names: [name] }))[0]!.entries[0]!
  return entry.source === 'dynamic-topic' ? entry.value : null
}

const file = (name: string, text: string) => {
  const path = join(mkdtempSync(join(tmpdir(), 'producer-')), name)
  writeFileSync(path, text)
  return path
}

describe('read-only by default', () => {
  it('reports ranked findings, changes nothing, and exports a reassignment plan for the single replica', async () => {
    const kafka = cluster()
    const result = await headless(kafka)
    expect(result).toMatchObject({ status: 'done', exitCode: 0 })
    expect(kafka.mutations).toEqual([])
    expect(result.cells.filter((c) => c.kind === 'action').map((c) => [c.id, c.outcome])).toEqual([
      ['min-isr', 'skipped'],
      ['unclean', 'skipped'],
    ])
    expect(result.findings!.map((f) => [f.id, f.severity])).toEqual([
      ['single-replica', 'high'],
      ['unclean-election', 'high'],
      ['min-isr-one', 'medium'],
      ['default-min-isr-one', 'low'],
    ])
    const plan = JSON.parse(readFileSync(join(result.sessionDir, 'reassignment.json'), 'utf8'))
    expect(plan).toEqual({ version: 1, partitions: [{ topic: 'single', partition: 0, replicas: [1, 2, 3] }] })
    expect(readFileSync(join(result.sessionDir, 'reassignment-rollback.json'), 'utf8')).toContain('"replicas": [\n        1\n      ]')
  })

  it('--fail-on: exit 4 with the first finding at or above the level; below it the run passes', async () => {
    const failing = await headless(cluster(), {}, { failOn: 'high' })
    expect(failing).toMatchObject({
      status: 'findings',
      exitCode: 4,
      message: '2 findings at or above high (--fail-on high): one replica — a broker loss takes the only copy: topic single (and 1 more)',
    })
    const kafka = fakeCluster()
      .brokers(3)
      .topic('fine', { replicationFactor: 3, configs: { 'min.insync.replicas': '2' } })
      .build()
    expect(await headless(kafka, {}, { failOn: 'medium' })).toMatchObject({ status: 'done', exitCode: 0 })
    expect(await headless(kafka, {}, { failOn: 'low' })).toMatchObject({ status: 'findings', exitCode: 4 })
  })

  it('stays readable in 100 columns on a large cluster: topics sharing a finding are one line with "+N more"', async () => {
    const builder = fakeCluster().brokers(6)
    for (let i = 0; i < 400; i++) {
      const configs: Record<string, string> =
        i % 4 === 0
          ? { 'unclean.leader.election.enable': 'true' }
          : i % 4 === 1
            ? { 'min.insync.replicas': '2' }
            : i % 4 === 2
              ? { 'min.insync.replicas': String(2 + (i % 7)) }
              : {}
      builder.topic(`service-${String(i).padStart(3, '0')}-events`, { partitions: 3, replicationFactor: 1 + (i % 3), configs })
    }
    const io = scriptedIo([], { interactive: false })
    const result = await runRunbook(runbook, options(io, builder.build(), { approvals: { yes: true, hashes: [] } }))
    expect(result.exitCode).toBe(0)
    const screen = io.screen()
    // Only the lines that name a file (the session folder's path) may be longer.
    const widest = Math.max(
      ...screen
        .split('\n')
        .filter((line) => !/^\s+(PLAN|ROLLBACK)=/.test(line))
        .map((line) => line.length),
    )
    expect(widest).toBeLessThanOrEqual(100)
    expect(screen).toMatch(/HIGH one replica — 134 topics: service-000-events, service-003-events \+132 more/)
    expect(screen).toMatch(/and \d+ more topics in \d+ other groups \(--json lists every one\)/)
    const topics = (result.cells.find((c) => c.id === 'topics')!.data as { topics: unknown[] }).topics
    expect(topics).toHaveLength(400)
  })

  it('a dry run plans the chosen fixes without applying them', async () => {
    const kafka = cluster()
    const result = await headless(kafka, { 'raise-min-isr': 'apply', 'unclean-off': 'apply' }, { dryRun: true })
    expect(result).toMatchObject({ status: 'dry-run', exitCode: 0 })
    expect(result.cells.find((c) => c.id === 'min-isr')).toMatchObject({ outcome: 'planned', summary: 'set min.insync.replicas on 2 topics (5 partitions)' })
    expect(kafka.mutations).toEqual([])
  })

  it('explains with the ending for the version in front of the operator', async () => {
    const io = scriptedIo([], { interactive: false })
    await runRunbook(runbook, options(io, cluster('3.9'), { approvals: { yes: true, hashes: [] } }))
    expect(io.screen()).toContain('This cluster: Kafka 3.9.')
    expect(io.screen()).toContain('min.insync.replicas       1 (Kafka default) for topics without their own')
  })
})

describe('fixes', () => {
  it('raises min ISR and turns unclean election off as topic overrides, reads them back, and undoes exactly', async () => {
    const kafka = cluster()
    const sessionsDir = mkdtempSync(join(tmpdir(), 'audit-fix-'))
    const result = await headless(kafka, { 'raise-min-isr': 'apply', 'unclean-off': 'apply' }, { sessionsDir })
    expect(result).toMatchObject({ status: 'done', exitCode: 0 })
    expect(result.cells.filter((c) => c.kind === 'action').map((c) => [c.id, c.outcome, c.verified])).toEqual([
      ['min-isr', 'applied', true],
      ['unclean', 'applied', true],
    ])
    expect([
      await override(kafka, 'orders', 'min.insync.replicas'),
      await override(kafka, 'audit', 'min.insync.replicas'),
      await override(kafka, 'audit', 'unclean.leader.election.enable'),
    ]).toEqual(['2', '2', 'false'])
    expect(result.findings!.map((f) => f.id)).toEqual(['single-replica', 'default-min-isr-one'])

    const undone = await runUndo(
      undoOptions({
        runbook,
        io: scriptedIo([], { interactive: false }),
        kafka,
        sessionDir: result.sessionDir,
        sessionsDir,
      }),
    )
    expect(undone).toMatchObject({ status: 'done', exitCode: 0 })
    // No override before on orders (deleted again); audit's own "true" restored.
    expect([await override(kafka, 'orders', 'min.insync.replicas'), await override(kafka, 'audit', 'unclean.leader.election.enable')]).toEqual([null, 'true'])
  })

  it('a topic with two replicas needs a typed confirmation: one broker down would stop its acks=all writes', async () => {
    const kafka = fakeCluster().brokers(3).topic('pair', { partitions: 4, replicationFactor: 2 }).build()
    const io = scriptedIo([
      { input: '', message: /Producer configuration files/ },
      { select: 'apply', message: /Raise min.insync.replicas/ },
      { type: '4', message: /Type 4 to raise min.insync.replicas on 4 partitions/ },
    ])
    const result = await runRunbook(runbook, options(io, kafka))
    expect(result).toMatchObject({ status: 'done', exitCode: 0 })
    expect(io.screen().replace(/\s+/g, ' ')).toContain(
      '1 topic has only 2 replicas: min.insync.replicas then equals the replication factor, and ANY one broker down — a crash or a rolling restart — stops their acks=all writes',
    )
    expect(await override(kafka, 'pair', 'min.insync.replicas')).toBe('2')
  })

  it('stops before applying when a topic’s setting changed after the plan (exit 3, nothing changed)', async () => {
    const kafka = cluster()
    const io = scriptedIo([
      { input: '' },
      { select: 'apply' },
      { confirm: true, message: /Raise min.insync.replicas on 2 topics/ },
      { confirm: false, message: /new plan/ },
    ])
    // Somebody sets orders to 3 after the plan was shown, while the operator reads it (before the confirmation).
    const change = async () =>
      void (await kafka.incrementalAlterConfigs(
        [{ resource: { type: 'topic', name: 'orders' }, ops: [{ name: 'min.insync.replicas', op: 'set', value: '3' }] }],
        { validateOnly: false },
      ))
    io.beforeNextPrompt(() => io.beforeNextPrompt(() => io.beforeNextPrompt(change)))
    const result = await runRunbook(runbook, options(io, kafka))
    expect(result).toMatchObject({ status: 'drifted', exitCode: 3 })
    expect(result.message).toBe(
      'min.insync.replicas of orders changed since the plan (1 (inherited: dynamic-broker-default) → 3) — review a new plan; nothing changed',
    )
    expect(await override(kafka, 'audit', 'min.insync.replicas')).toBeNull()
  })
})

describe('producers', () => {
  it('judges a Java producer with acks=1 on the topics it names: high, whatever the topic', async () => {
    const path = file('payments.properties', 'bootstrap.servers=kafka:9092\nacks=1\n')
    const io = scriptedIo([], { interactive: false })
    const result = await runRunbook(runbook, options(io, cluster(), { given: given({ 'producer-config': `${path}@fine`, 'producer-client': 'java@3.9.2' }) }))
    expect(result.exitCode).toBe(0)
    expect(result.findings!.filter((f) => f.id.startsWith('producer-')).map((f) => [f.id, f.severity, f.summary])).toEqual([
      ['producer-acks-leader', 'high', `producer ${path}: acks-leader on topic fine`],
      ['producer-duplicates', 'low', `producer ${path}: duplicates on topic fine`],
    ])
    expect(io.screen()).toContain('on the leader only (3')
    expect(io.screen()).toContain('on by default, switched off by acks=1')
  })

  it('a kafkajs options JSON against every non-internal topic by default', async () => {
    const path = file('orders.json', JSON.stringify({ producer: { idempotent: true }, send: { acks: -1 } }))
    const result = await headless(cluster(), { 'producer-config': path })
    const producers = result.cells.find((c) => c.id === 'producers')!.data as { producers: { verdicts: { topics: string[] }[] }[] }
    expect(producers.producers[0]!.verdicts.flatMap((v) => v.topics).sort()).toEqual(['audit', 'fine', 'orders', 'single'])
  })
})

describe('bad input: one line, nothing read or changed', () => {
  it.each([
    {
      name: 'a topic that does not exist',
      answers: { topics: 'orders,nope' },
      message: 'topic nope does not exist on this cluster — check the name (`runbook status` lists topics); nothing changed',
    },
    {
      name: 'a producer topic that does not exist',
      answers: { 'producer-config': '__FILE__@ghost' },
      message: 'topic ghost does not exist on this cluster — check the name (`runbook status` lists topics); nothing changed',
    },
    {
      name: 'an unreadable producer file',
      answers: { 'producer-config': '/nonexistent/app.properties' },
      message: "producer-config: cannot read /nonexistent/app.properties (no such file) — give the path of the producer's configuration file; nothing was read",
    },
    {
      name: 'an unknown producer format',
      answers: { 'producer-config': '__YAML__' },
      message:
        /^producer-config: cannot tell which client reads .*producer.yaml — give producer-client=java, librdkafka or kafkajs \(@version\); nothing was read$/,
    },
    {
      name: 'an unknown client',
      answers: { 'producer-config': '__FILE__', 'producer-client': 'sarama' },
      message: /^producer-client: "sarama" is not a client/,
    },
  ])('$name', async ({ answers, message }) => {
    const kafka = cluster()
    const resolved = Object.fromEntries(
      Object.entries(answers).map(([k, v]) => [
        k,
        v.replace('__FILE__', file('app.properties', 'acks=all\n')).replace('__YAML__', file('producer.yaml', 'acks: 1\n')),
      ]),
    )
    const result = await headless(kafka, resolved)
    expect(result).toMatchObject({ status: 'refused', exitCode: 2 })
    if (typeof message === 'string') expect(result.message).toBe(message)
    else expect(result.message).toMatch(message)
    expect(kafka.mutations).toEqual([])
    expect(existsSync(join(result.sessionDir, 'reassignment.json'))).toBe(false)
  })
})
