// The trust boundaries on real Kafka, through the CLI: two clusters with two cluster ids (the shared sandbox and a
// small side sandbox holding the same topic and group), so a change lands only on the cluster the operator named;
// a session record altered on disk, or rewritten whole, is found out before anything trusts it; approvals that
// no plan uses are never ignored; and every error is one line on stderr. Kafka's own tools are the oracle for
// cluster ids, committed offsets and the audit records (kafka-cluster, kafka-consumer-groups, kafka-console-consumer).

import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect } from '../../../lib/kafka/index.ts'
import { createSandboxProbe } from '../../../lib/kafka/platformatic/sandbox-probe.ts'
import type { KafkaOps } from '../../../lib/kafka/types.ts'
import { down, runKafkaTool, sandboxConfig, up, type SandboxConfig } from '../../../lib/sandbox/index.ts'
import { uniqueTopic } from '../../support/kafka.ts'
import { runCli, type CliResult } from '../../support/run-cli.ts'
import { kafkaToolOk, testSandbox } from '../../support/sandbox.ts'

/** A second cluster (1 controller + 1 broker): RUNBOOK_TEST_SIDE_SANDBOX(_PORT), default 80 ports above the shared one. */
function sideConfig(): SandboxConfig {
  const shared = testSandbox().config
  const port = process.env.RUNBOOK_TEST_SIDE_SANDBOX_PORT
  return sandboxConfig(
    {
      name: process.env.RUNBOOK_TEST_SIDE_SANDBOX || `${shared.name}-side-trust`,
      basePort: port ? Number(port) : shared.basePort + 80,
      brokers: 1,
      kafkaVersion: shared.kafkaVersion,
    },
    process.env,
  )
}

const side = sideConfig()
let sideBootstrap = ''
let sideStarted = false
/** The two cluster ids, as kafka-cluster cluster-id reports them. */
const ids = { main: '', side: '' }
const clusters: { main?: KafkaOps; side?: KafkaOps } = {}
const topic = uniqueTopic('trust')
const auditTopic = uniqueTopic('trust-audit')
const sessions = mkdtempSync(join(tmpdir(), 'trust-e2e-'))
const main = () => testSandbox().bootstrap

/** Only 127.0.0.1: the cluster id as Kafka's own tool reports it. */
async function clusterIdOf(bootstrap: string, config: SandboxConfig): Promise<string> {
  const result = await runKafkaTool(config, 'kafka-cluster', ['cluster-id', '--bootstrap-server', bootstrap], { timeoutMs: 60_000 })
  return /Cluster ID: (\S+)/.exec(result.stdout)![1]!
}

/** The group's committed offsets as kafka-consumer-groups describes them, "partition=offset". */
async function describedOffsets(bootstrap: string, config: SandboxConfig, group: string): Promise<string[]> {
  const result = await runKafkaTool(config, 'kafka-consumer-groups', ['--bootstrap-server', bootstrap, '--describe', '--group', group], { timeoutMs: 60_000 })
  return result.stdout
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f[0] === group && f[1] === topic)
    .sort((a, b) => Number(a[2]) - Number(b[2]))
    .map((f) => `${f[2]}=${f[3]}`)
}

/** The group's committed offsets read with our own client (the tool above is the oracle; this is the quick check). */
async function committed(ops: KafkaOps, group: string): Promise<string[]> {
  const { offsets } = await ops.committedOffsets(group, [topic])
  return offsets.map((o) => `${o.partition}=${o.offset}`).sort()
}

async function seed(ops: KafkaOps, group: string): Promise<void> {
  const t0 = Date.now() - 3_600_000
  for (const partition of [0, 1])
    await ops.produce(
      topic,
      Array.from({ length: 20 }, (_, i) => ({ partition, key: null, value: Buffer.from(`r${i}`), timestamp: t0 + i * 1000 })),
    )
  const results = await ops.alterCommittedOffsets(group, [
    { topic, partition: 0, offset: 15n },
    { topic, partition: 1, offset: 15n },
  ])
  expect(
    results.every((r) => !r.error),
    JSON.stringify(results),
  ).toBe(true)
}

const cli = (args: readonly string[], env: NodeJS.ProcessEnv = {}) => runCli([...args, '--sessions-dir', sessions], { env })
const rewind = (group: string, bootstrap: string, extra: readonly string[]) =>
  cli(['run', 'consumer-oom-replay', '--bootstrap-server', bootstrap, '--set', `group=${group}`, '--set', 'shift-by=-5', ...extra])
const sessionOf = (result: CliResult) => /^session: .*\/([^/\n]+)$/m.exec(result.stdout)![1]!
const hashOf = (result: CliResult) => /--approve rewind=([0-9a-f]{16})/.exec(result.stdout)![1]!

/** One line on stderr, no stack trace: what every error looks like. */
function oneLine(result: CliResult, command: string): string {
  expect(result.stderr.endsWith('\n'), result.stderr).toBe(true)
  expect(result.stderr.trimEnd().split('\n'), result.stderr).toHaveLength(1)
  expect(result.stderr).not.toMatch(/\n\s+at /)
  expect(result.stderr.startsWith(`runbook ${command}: `), result.stderr).toBe(true)
  return result.stderr.trimEnd()
}

beforeAll(async () => {
  const info = await up(side, { probe: createSandboxProbe('runbook-test-trust'), ownerPid: process.pid, timeoutMs: 180_000 })
  sideStarted = info.started
  sideBootstrap = info.bootstrap
  clusters.main = await connect({ bootstrapServers: main().split(','), clientId: 'trust-e2e' })
  clusters.side = await connect({ bootstrapServers: sideBootstrap.split(','), clientId: 'trust-e2e' })
  await clusters.main.createTopics([
    { topic, partitions: 2, replicationFactor: 3 },
    { topic: auditTopic, partitions: 3, replicationFactor: 3 },
  ])
  await clusters.side.createTopics([{ topic, partitions: 2, replicationFactor: 1 }])
  ;[ids.main, ids.side] = await Promise.all([clusterIdOf(main(), testSandbox().config), clusterIdOf(sideBootstrap, side)])
}, 300_000)

afterAll(async () => {
  await clusters.main?.close()
  await clusters.side?.close()
  if (sideStarted) await down(side, { wipe: true })
})

describe('a change lands only on the cluster the operator named', () => {
  it('two sandboxes, two ids; the header names the cluster acted on in one line, with the id Kafka reports', async () => {
    const { main: mainId, side: sideId } = ids
    expect(mainId).not.toBe(sideId)
    const group = uniqueTopic('trust-header')
    await seed(clusters.main!, group)
    const dry = await rewind(group, main(), ['--dry-run'])
    expect(dry.code, dry.stderr).toBe(0)
    const [first] = main().split(',')
    const line = `cluster ${first} +${main().split(',').length - 1} · id ${mainId} · Kafka ${testSandbox().kafkaVersion.split('.').slice(0, 2).join('.')} · ${testSandbox().kafkaVersion.startsWith('3.') ? 'no ELR' : testSandbox().elr ? 'ELR on' : 'ELR off'}`
    expect(dry.stdout.split('\n').slice(0, 4)).toContain(line)
  })

  it('undo refuses another cluster with the same group and offsets, naming both ids; the right cluster then restores', async () => {
    const group = uniqueTopic('trust-undo')
    await seed(clusters.main!, group)
    await seed(clusters.side!, group)
    const applied = await rewind(group, main(), ['--yes'])
    expect(applied.code, applied.stderr).toBe(0)
    const session = sessionOf(applied)
    await clusters.side!.alterCommittedOffsets(group, [
      { topic, partition: 0, offset: 10n },
      { topic, partition: 1, offset: 10n },
    ]) // the side cluster now looks exactly as the session left the main one
    const { main: mainId, side: sideId } = ids

    const wrong = await cli(['undo', session, '--bootstrap-server', sideBootstrap, '--yes'])
    expect(wrong.code).toBe(2)
    expect(oneLine(wrong, 'undo')).toMatch(
      new RegExp(
        `\\(id ${mainId}\\), but this is cluster .* \\(id ${sideId}\\) — connect to the cluster the session changed \\(--bootstrap-server ${main()}\\); nothing restored$`,
      ),
    )
    expect(await describedOffsets(sideBootstrap, side, group)).toEqual(['0=10', '1=10'])

    const right = await cli(['undo', session, '--bootstrap-server', main(), '--yes'])
    expect(right.code, right.stderr).toBe(0)
    expect(await describedOffsets(main(), testSandbox().config, group)).toEqual(['0=15', '1=15'])
  })

  it('a plan approved on one cluster is refused on the other before anything runs, naming both ids', async () => {
    const group = uniqueTopic('trust-approve')
    await seed(clusters.main!, group)
    await seed(clusters.side!, group)
    const hash = hashOf(await rewind(group, main(), ['--dry-run']))
    const result = await rewind(group, sideBootstrap, ['--approve', `rewind=${hash}`])
    expect(result.code).toBe(2)
    expect(oneLine(result, 'run')).toMatch(
      /that plan was reviewed on cluster .* \(id \S+, session \S+\), but this is cluster .* \(id \S+\) — review and approve a plan made on this cluster; nothing changed$/,
    )
    expect(await committed(clusters.side!, group)).toEqual(['0=15', '1=15'])
  })

  it('an empty or malformed connection option is bad input, never a fallback to the local sandbox — which is used only when nothing is given, and then said', async () => {
    const group = uniqueTopic('trust-empty')
    await seed(clusters.side!, group)
    const sandboxEnv = { RUNBOOK_SANDBOX_NAME: side.name }
    for (const [args, env, message] of [
      [['--bootstrap-server', ''], {}, '--bootstrap-server is empty'],
      [['--bootstrap-server', '127.0.0.1:abc'], {}, 'has no valid port ("abc")'],
      [['--profile', ''], {}, '--profile is empty'],
      [[], { KAFKA_BOOTSTRAP_SERVERS: '' }, 'KAFKA_BOOTSTRAP_SERVERS is set but empty'],
      [[], { RUNBOOK_PROFILE: '' }, 'RUNBOOK_PROFILE is set but empty'],
    ] as const) {
      const result = await cli(['run', 'consumer-oom-replay', ...args, '--set', `group=${group}`, '--set', 'shift-by=-5', '--yes'], { ...sandboxEnv, ...env })
      expect(result.code, `${args.join(' ')} ${JSON.stringify(env)}`).toBe(2)
      expect(oneLine(result, 'run')).toContain(message)
    }
    expect(await committed(clusters.side!, group)).toEqual(['0=15', '1=15'])
    const fallback = await cli(['run', 'consumer-oom-replay', '--set', `group=${group}`, '--set', 'shift-by=-5', '--dry-run'], sandboxEnv)
    expect(fallback.code, fallback.stderr).toBe(0)
    expect(fallback.stdout).toContain(`cluster sandbox ${side.name} · id ${ids.side}`)
    expect(fallback.stdout).toContain('no cluster was given, so the local sandbox')
  })
})

describe('the record is verified before it is trusted', () => {
  it('an undo record edited by hand: sessions and verify say so, undo refuses it, the offsets stay', async () => {
    const group = uniqueTopic('trust-edit')
    await seed(clusters.main!, group)
    const applied = await rewind(group, main(), ['--yes'])
    const session = sessionOf(applied)
    const record = join(sessions, session, 'undo', 'rewind.json')
    writeFileSync(record, readFileSync(record, 'utf8').replace('"$bigint": "15"', '"$bigint": "3"'))

    const listed = await cli(['sessions', '--json'])
    expect(JSON.parse(listed.stdout).find((s: { id: string }) => s.id === session)).toMatchObject({
      record: 'edited: undo/rewind.json',
      verified: false,
      undoable: false,
    })
    const verify = await cli(['verify', session, '--json'])
    expect(verify.code).toBe(1)
    expect(oneLine(verify, 'verify')).toMatch(/undo\/rewind.json is not what the transcript recorded at event \d+: it was changed after it was written$/)
    expect(JSON.parse(verify.stdout)).toMatchObject({
      verified: false,
      chain: { verified: true },
      files: expect.arrayContaining([expect.objectContaining({ name: 'undo/rewind.json', state: 'edited' })]),
    })
    const undo = await cli(['undo', session, '--bootstrap-server', main(), '--yes'])
    expect(undo.code).toBe(2)
    expect(oneLine(undo, 'undo')).toContain(`session ${session} does not verify: undo/rewind.json is not what the transcript recorded`)
    expect(await committed(clusters.main!, group)).toEqual(['0=10', '1=10'])
  })

  it('one byte of the transcript changed: listed as broken at that event, verify fails, undo refuses', async () => {
    const group = uniqueTopic('trust-byte')
    await seed(clusters.main!, group)
    const session = sessionOf(await rewind(group, main(), ['--yes']))
    const log = join(sessions, session, 'events.jsonl')
    const lines = readFileSync(log, 'utf8').split('\n')
    const at = lines.findIndex((l) => l.includes('"type":"decision"') || l.includes('"type":"plan"'))
    lines[at] = lines[at]!.replace('"cell":"', '"cell":"x')
    writeFileSync(log, lines.join('\n'))
    const listed = JSON.parse((await cli(['sessions', '--json'])).stdout).find((s: { id: string }) => s.id === session)
    expect(listed.record).toBe(`broken at event ${at + 1}`)
    expect((await cli(['verify', session])).code).toBe(1)
    const undo = await cli(['undo', session, '--bootstrap-server', main(), '--yes'])
    expect(undo.code).toBe(2)
    expect(await committed(clusters.main!, group)).toEqual(['0=10', '1=10'])
  })
})

describe('approvals that no plan uses are never ignored', () => {
  it('a mistyped hash is exit 2 before anything runs; a reviewed plan the cluster moved away from is exit 3, naming the dry run and what changed', async () => {
    const group = uniqueTopic('trust-hash')
    await seed(clusters.main!, group)
    const typo = await rewind(group, main(), ['--approve', 'rewind=deadbeef'])
    expect(typo.code).toBe(2)
    expect(oneLine(typo, 'run')).toContain('--approve rewind=deadbeef: not the hash of any reviewed plan')

    const dry = await rewind(group, main(), ['--dry-run'])
    const hash = hashOf(dry)
    await clusters.main!.alterCommittedOffsets(group, [{ topic, partition: 1, offset: 17n }]) // the consumer committed since
    const moved = await rewind(group, main(), ['--approve', `rewind=${hash}`])
    expect(moved.code).toBe(3)
    expect(oneLine(moved, 'run')).toMatch(new RegExp(`the plan reviewed in dry run ${sessionOf(dry)} is not the plan now \\([0-9a-f]{16}\\): .*17`))
    expect(await committed(clusters.main!, group)).toEqual(['0=15', '1=17'])
  })
})

describe('an audit trail outside the operator’s disk', () => {
  it('anchors approvals and changes in the topic (Kafka’s own consumer reads them, in the partition the Java producer picks), verify compares them, and a missing topic applies nothing', async () => {
    const group = uniqueTopic('trust-audit')
    await seed(clusters.main!, group)
    const missing = await rewind(group, main(), ['--yes', '--audit-topic', 'no-such-audit-topic'])
    expect(missing.code).toBe(2)
    expect(oneLine(missing, 'run')).toContain('audit topic no-such-audit-topic does not exist on this cluster')
    expect(await committed(clusters.main!, group)).toEqual(['0=15', '1=15'])

    const applied = await rewind(group, main(), ['--yes', '--audit-topic', auditTopic])
    expect(applied.code, applied.stderr).toBe(0)
    const session = sessionOf(applied)
    // kafka-console-producer with parse.key puts a record with the same key where the Java partitioner does.
    await kafkaToolOk('kafka-console-producer', ['--topic', auditTopic, '--property', 'parse.key=true', '--property', 'key.separator=|'], {
      input: `${session}|{"probe":true}\n`,
    })
    const consumed = await kafkaToolOk('kafka-console-consumer', [
      '--topic',
      auditTopic,
      '--from-beginning',
      '--max-messages',
      '4',
      '--timeout-ms',
      '30000',
      '--property',
      'print.key=true',
      '--property',
      'print.partition=true',
    ])
    // Each line: Partition:<n>, the key, the JSON value (the separators differ between Kafka versions).
    const lines = consumed.split('\n').filter((l) => l.includes(session) && l.includes('{'))
    const partitionOf = (line: string) => Number(/Partition:(\d+)/.exec(line)![1])
    const probe = lines.find((l) => l.includes('"probe":true'))!
    const records = lines
      .filter((l) => l !== probe)
      .map((l) => ({ partition: partitionOf(l), value: JSON.parse(l.slice(l.indexOf('{'))) as { seq: number; hash: string; event: string; session: string } }))
    const events = readFileSync(join(sessions, session, 'events.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { seq: number; hash: string; type: string })
    expect(records.map((r) => r.value.event)).toEqual(['confirmation', 'apply', 'session-end'])
    for (const r of records) expect(r.value).toMatchObject({ session, hash: events[r.value.seq - 1]!.hash })
    expect(new Set([...records.map((r) => r.partition), partitionOf(probe)]).size).toBe(1)

    const verified = await cli(['verify', session, '--bootstrap-server', main()])
    expect(verified.code, verified.stderr).toBe(0)
    expect(verified.stdout).toMatch(/Audit trail\s+3 anchors in topic \S+, matching the transcript/)
  })
})

describe('every error is one line on stderr', () => {
  it('refusals inside a run, invalid producer values and unwritable session folders; piped output is not hard-wrapped', async () => {
    const missingGroup = await cli(['run', 'consumer-oom-replay', '--bootstrap-server', main(), '--yes'])
    expect(missingGroup.code).toBe(2)
    expect(oneLine(missingGroup, 'run')).toMatch(/missing --set group=/)
    expect(missingGroup.stdout).toContain('Replay records a consumer lost to auto-commit') // the notebook stays on stdout

    const dir = mkdtempSync(join(tmpdir(), 'trust-producer-'))
    writeFileSync(join(dir, 'app.properties'), 'bootstrap.servers=k:9092\nacks=all\nenable.idempotence=maybe\n')
    const producer = await cli(['run', 'durability-audit', '--bootstrap-server', main(), '--set', `producer-config=${join(dir, 'app.properties')}`])
    expect(producer.code).toBe(2)
    expect(oneLine(producer, 'run')).toContain('enable.idempotence=maybe is refused by the Java client')

    writeFileSync(join(dir, 'file'), 'x')
    const unwritable = await runCli(['run', 'durability-audit', '--bootstrap-server', main(), '--sessions-dir', join(dir, 'file', 'sessions')])
    expect(unwritable.code).toBe(2)
    expect(oneLine(unwritable, 'run')).toContain('cannot write the session record in')

    const audit = await cli(['run', 'durability-audit', '--bootstrap-server', main()])
    expect(audit.code, audit.stderr).toBe(0)
    expect(audit.stdout.split('\n').some((line) => line.length > 120)).toBe(true)
  })
})
