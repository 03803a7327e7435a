// lag-retention on the real sandbox through the CLI: the predicted first deletion against the broker's own
// (records deleted vs predicted; the seconds measured and printed, not asserted), the group then below the log
// start moved to it (kafka-consumer-groups as the oracle), the raised retention and its undo (kafka-configs as the
// oracle), the replica sizes against kafka-log-dirs, and bad input. One topic; the shared sandbox checks
// retention every 2 s.

import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect } from '../../../lib/kafka/index.ts'
import type { KafkaOps } from '../../../lib/kafka/types.ts'
import { readLagRetention } from '../../../lib/reads/lag-retention.ts'
import { uniqueTopic, waitFor } from '../../support/kafka.ts'
import { runCli } from '../../support/run-cli.ts'
import { kafkaToolOk, testSandbox } from '../../support/sandbox.ts'
import { produceAt } from '../kafka/world.ts'

let ops: KafkaOps
const topic = uniqueTopic('lag-retention')
const group = uniqueTopic('racer')
const sessions = mkdtempSync(join(tmpdir(), 'lag-retention-'))
const retentionMs = 25_000

interface CliJson {
  status: string
  exitCode: number
  message?: string
  session: string
  cells: { id: string; outcome: string; data?: unknown }[]
}

async function cli(args: readonly string[]): Promise<{ code: number; json: CliJson; stderr: string }> {
  const result = await runCli([...args, '--bootstrap-server', testSandbox().bootstrap, '--sessions-dir', sessions, '--json'])
  return { code: result.code, json: JSON.parse(result.stdout || '{}') as CliJson, stderr: result.stderr }
}

const run = (answers: Record<string, string>, extra: readonly string[] = ['--yes']) =>
  cli(['run', 'lag-retention', ...Object.entries({ group, sample: '1s', ...answers }).flatMap(([k, v]) => ['--set', `${k}=${v}`]), ...extra])

const logStart = async () => (await ops.listOffsets([{ topic, partition: 0, spec: 'earliest' }]))[0]!.offset!

/** The topic's dynamic overrides, as kafka-configs --describe prints them. */
async function overrides(): Promise<Record<string, string>> {
  const out = await kafkaToolOk('kafka-configs', ['--describe', '--entity-type', 'topics', '--entity-name', topic])
  const line = out.split('\n').find((l) => l.includes('retention.ms=')) ?? ''
  return Object.fromEntries([...line.matchAll(/([a-z.]+)=([^,\s]+)/g)].map((m) => [m[1]!, m[2]!]))
}

/** CURRENT-OFFSET of partition 0 as kafka-consumer-groups --describe prints it. */
async function describedOffset(): Promise<string | undefined> {
  const out = await kafkaToolOk('kafka-consumer-groups', ['--describe', '--group', group])
  return out
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .find((f) => f[0] === group && f[1] === topic && f[2] === '0')?.[3]
}

beforeAll(async () => {
  ops = await connect({ bootstrapServers: testSandbox().bootstrap.split(','), clientId: 'lag-retention-e2e' })
  // Segments roll when a batch is more than segment.ms after the segment's first: one segment per batch here.
  await ops.createTopics([
    { topic, partitions: 1, replicationFactor: 3, configs: { 'retention.ms': String(retentionMs), 'segment.ms': '1000', 'retention.bytes': '-1' } },
  ])
  const now = Date.now()
  await produceAt(
    topic,
    0,
    Array.from({ length: 10 }, () => now - 12_000),
  )
  await produceAt(
    topic,
    0,
    Array.from({ length: 10 }, () => now - 4_000),
  )
  await produceAt(
    topic,
    0,
    Array.from({ length: 10 }, () => now + 6_000),
  )
  expect((await ops.alterCommittedOffsets(group, [{ topic, partition: 0, offset: 0n }])).every((r) => !r.error)).toBe(true)
})

afterAll(async () => {
  await ops?.deleteTopics([topic]).catch(() => {})
  await ops?.close()
})

describe('lag-retention on the real cluster', () => {
  it('predicts the first deletion of unread records, which the broker then makes; the group below the log start is moved to it', async () => {
    const found = await run({}, ['--dry-run'])
    expect(found.json.status, found.stderr).toBe('dry-run')
    const race = found.json.cells.find((c) => c.id === 'race')!.data as {
      partitions: { status: string; firstLoss: { dueMs: number; latestMs: number }; atRisk: string | number; segments: { endOffset: string | number }[] }[]
    }
    const [p] = race.partitions
    expect(p!.status).toBe('racing')
    expect(p!.segments.map((s) => String(s.endOffset))).toEqual(['10', '20', '30'])
    expect(String(p!.atRisk)).toBe('30')
    // The broker deletes the first segment: the records it takes are exactly the predicted ones.
    await waitFor(async () => (await logStart()) > 0n, { what: 'the first segment to be deleted', timeoutMs: 45_000, intervalMs: 250 })
    const deletedAt = Date.now()
    expect(await logStart()).toBe(10n)
    console.info(
      `lag-retention: first unread segment deleted ${((deletedAt - p!.firstLoss.dueMs) / 1000).toFixed(1)} s after the predicted due time (window ${((p!.firstLoss.latestMs - p!.firstLoss.dueMs) / 1000).toFixed(0)} s)`,
    )

    const moved = await run({ 'way-out': 'move-to-log-start' })
    expect(moved.json.status, moved.json.message ?? moved.stderr).toBe('done')
    const start = await logStart()
    expect(await describedOffset()).toBe(String(start))
  }, 90_000)

  it('raises retention.ms (kafka-configs reads it); runbook undo first counts the unread records the restore deletes, which the broker then deletes', async () => {
    // A fresh segment 10 s old the group has not read: racing again (what is left before it, the group has read).
    const start = (await ops.listOffsets([{ topic, partition: 0, spec: 'latest' }]))[0]!.offset!
    const writtenAt = Date.now() - 10_000
    await produceAt(
      topic,
      0,
      Array.from({ length: 10 }, () => writtenAt),
    )
    expect((await ops.alterCommittedOffsets(group, [{ topic, partition: 0, offset: start }])).every((r) => !r.error)).toBe(true)
    const raised = await run({ 'way-out': 'raise-retention', margin: '10m', 'revert-watch': '0s' })
    expect(raised.json.status, raised.json.message ?? raised.stderr).toBe('done')
    expect(raised.json.cells.find((c) => c.id === 'revert-retention')?.outcome).toBe('skipped')
    const value = Number((await overrides())['retention.ms'])
    expect(value).toBeGreaterThan(600_000)
    // Kept by the raise: once older than the old retention (plus one 2 s check), the restore would delete them.
    await waitFor(async () => Date.now() > writtenAt + retentionMs + 2_500, {
      what: 'the kept records to pass the old retention',
      timeoutMs: 30_000,
      intervalMs: 250,
    })
    expect(await logStart()).toBeLessThanOrEqual(start)
    const preview = await runCli(['undo', raised.json.session, '--dry-run', '--bootstrap-server', testSandbox().bootstrap, '--sessions-dir', sessions])
    expect(preview.stdout, preview.stderr).toMatch(new RegExp(`DELETES UNREAD RECORDS: 10 not yet read by group ${group}`))
    const undone = await cli(['undo', raised.json.session, '--yes'])
    expect(undone.json.status, undone.json.message ?? undone.stderr).toBe('done')
    expect((await overrides())['retention.ms']).toBe(String(retentionMs))
    // The broker deletes exactly what the preview counted.
    await waitFor(async () => (await logStart()) >= start + 10n, {
      what: 'the restored retention to delete the kept segment',
      timeoutMs: 20_000,
      intervalMs: 250,
    })
    expect(await logStart()).toBe(start + 10n)
  }, 150_000)

  it('reads replica sizes as kafka-log-dirs does', async () => {
    await produceAt(
      topic,
      0,
      Array.from({ length: 10 }, () => Date.now()),
    )
    const [state] = await ops.partitionStates([topic])
    const leader = state!.partitions[0]!.leader!
    const ours = async () => (await readLagRetention(ops, group, { sampleMs: 0, now: Date.now, sleep: async () => {} }))!.topics[0]!.partitions[0]!.bytesOnDisk
    const theirs = async () => {
      const out = await kafkaToolOk('kafka-log-dirs', ['--describe', '--topic-list', topic])
      const json = JSON.parse(out.split('\n').find((l) => l.startsWith('{'))!) as {
        brokers: { broker: number; logDirs: { partitions: { partition: string; size: number }[] }[] }[]
      }
      return BigInt(
        json.brokers
          .find((b) => b.broker === leader)!
          .logDirs.flatMap((d) => d.partitions)
          .find((p) => p.partition === `${topic}-0`)!.size,
      )
    }
    // Retention runs every 2 s on the sandbox: compare on a reading that did not change around Kafka's own.
    let compared: { before: bigint | null; tool: bigint; after: bigint | null } | null = null
    for (let attempt = 0; attempt < 5 && (compared === null || compared.before !== compared.after); attempt++) {
      const before = await ours()
      const tool = await theirs()
      compared = { before, tool, after: await ours() }
    }
    expect(compared!.before).toBe(compared!.after)
    expect(compared!.before).toBe(compared!.tool)
  })

  it('refuses bad input in one line and changes nothing', async () => {
    const unknown = await cli(['run', 'lag-retention', '--set', 'group=no-such-group-xyz', '--yes'])
    expect(unknown.code).not.toBe(0)
    expect(unknown.json.message ?? unknown.stderr).toMatch(/no consumer group/)
    const lower = await run({ 'way-out': 'raise-retention', 'retention-ms': '10s' })
    expect(lower.code).not.toBe(0)
    expect(lower.json.message).toMatch(/not above the current retention.ms 25000/)
    expect((await overrides())['retention.ms']).toBe(String(retentionMs))
  })
})
