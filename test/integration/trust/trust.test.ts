// The trust boundaries on real Kafka, through the CLI: a session record altered on disk is found out before
// anything trusts it; approvals that no plan uses are never ignored; approvals and changes are anchored in an
// audit topic; and every error is one line on stderr. Kafka's own tools are the oracle for the audit records
// (kafka-console-producer, kafka-console-consumer). The checks that need two cluster ids are in
// test/integration/secure/cluster-identity.test.ts (the secured sandbox is the second cluster).

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect } from '../../../lib/kafka/index.ts'
import type { KafkaOps } from '../../../lib/kafka/types.ts'
import { uniqueTopic } from '../../support/kafka.ts'
import { runCli } from '../../support/run-cli.ts'
import { kafkaToolOk, testSandbox } from '../../support/sandbox.ts'
import { committedOffsets, hashOf, oneLine, seedGroup, sessionOf } from '../../support/trust.ts'

const clusters: { main?: KafkaOps } = {}
const topic = uniqueTopic('trust')
const auditTopic = uniqueTopic('trust-audit')
const sessions = mkdtempSync(join(tmpdir(), 'trust-e2e-'))
const main = () => testSandbox().bootstrap
const committed = (ops: KafkaOps, group: string) => committedOffsets(ops, group, topic)
const seed = (ops: KafkaOps, group: string) => seedGroup(ops, group, topic)

const cli = (args: readonly string[], env: NodeJS.ProcessEnv = {}) => runCli([...args, '--sessions-dir', sessions], { env })
const rewind = (group: string, bootstrap: string, extra: readonly string[]) =>
  cli(['run', 'consumer-oom-replay', '--bootstrap-server', bootstrap, '--set', `group=${group}`, '--set', 'shift-by=-5', ...extra])

beforeAll(async () => {
  clusters.main = await connect({ bootstrapServers: main().split(','), clientId: 'trust-e2e' })
  await clusters.main.createTopics([
    { topic, partitions: 2, replicationFactor: 3 },
    { topic: auditTopic, partitions: 3, replicationFactor: 3 },
  ])
})

afterAll(async () => {
  await clusters.main?.deleteTopics([topic, auditTopic]).catch(() => {})
  await clusters.main?.close()
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
