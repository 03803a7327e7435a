// consumer-oom-replay end to end on the real sandbox through the CLI: apply, an independent read-back with
// kafka-consumer-groups, the undo CSV that Kafka's tool accepts, `runbook undo`; bad input; a running
// group (classic and KIP-848); drift between the reviewed plan and the apply.

import { readFileSync } from 'node:fs'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect } from '../../../lib/kafka/index.ts'
import type { KafkaOps } from '../../../lib/kafka/types.ts'
import { uniqueTopic } from '../../support/kafka.ts'
import { runCli } from '../../support/run-cli.ts'
import { kafkaToolOk, testSandbox } from '../../support/sandbox.ts'
import { produceAt, startGroup } from '../kafka/world.ts'

let ops: KafkaOps
const topic = uniqueTopic('oom-e2e')
const t0 = Math.floor((Date.now() - 3_600_000) / 1000) * 1000
const at = (seconds: number) => new Date(t0 + seconds * 1000).toISOString()
const sessions = mkdtempSync(join(tmpdir(), 'oom-e2e-'))
const initial = [12n, 12n, 12n]

interface CliJson {
  status: string
  exitCode: number
  message?: string
  session: string
  sessionDir: string
  cells: { id: string; outcome: string; planHash?: string; plan?: { totals: { replayMessages: string } } }[]
}

async function cli(args: readonly string[]): Promise<{ code: number; json: CliJson; stderr: string }> {
  const result = await runCli([...args, '--bootstrap-server', testSandbox().bootstrap, '--sessions-dir', sessions, '--json'])
  return { code: result.code, json: JSON.parse(result.stdout || '{}') as CliJson, stderr: result.stderr }
}

const run = (group: string, answers: Record<string, string>, extra: readonly string[] = ['--yes']) =>
  cli(['run', 'consumer-oom-replay', '--set', `group=${group}`, ...Object.entries(answers).flatMap(([k, v]) => ['--set', `${k}=${v}`]), ...extra])

/** CURRENT-OFFSET per partition, as Kafka's own tool describes the group. */
async function describedOffsets(group: string): Promise<string[]> {
  const out = await kafkaToolOk('kafka-consumer-groups', ['--describe', '--group', group])
  const rows = out
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f[0] === group && f[1] === topic)
  return rows.sort((a, b) => Number(a[2]) - Number(b[2])).map((f) => `${f[2]}=${f[3]}`)
}

async function freshGroup(prefix: string): Promise<string> {
  const group = uniqueTopic(prefix)
  const results = await ops.alterCommittedOffsets(
    group,
    initial.map((offset, partition) => ({ topic, partition, offset })),
  )
  expect(results.every((r) => !r.error)).toBe(true)
  return group
}

beforeAll(async () => {
  ops = await connect({ bootstrapServers: testSandbox().bootstrap.split(','), clientId: 'oom-e2e' })
  await ops.createTopics([{ topic, partitions: 3, replicationFactor: 3 }])
  for (const partition of [0, 1, 2])
    await produceAt(
      topic,
      partition,
      Array.from({ length: 15 }, (_, i) => t0 + i * 1000),
    )
})

afterAll(async () => {
  await ops?.close()
})

describe('consumer-oom-replay on the sandbox', () => {
  it('rewinds, reads back, leaves a CSV kafka-consumer-groups accepts, and `runbook undo` restores the previous offsets', async () => {
    const group = await freshGroup('oom-apply')
    const applied = await run(group, { 'to-datetime': at(4.5) })
    expect(applied.code, applied.json.message).toBe(0)
    expect(applied.json.cells.find((c) => c.id === 'rewind')).toMatchObject({ outcome: 'applied' })
    expect(await describedOffsets(group)).toEqual(['0=5', '1=5', '2=5'])

    const csv = join(applied.json.sessionDir, 'undo', 'previous-offsets.csv')
    expect(readFileSync(csv, 'utf8')).toBe(`${topic},0,12\n${topic},1,12\n${topic},2,12\n`)
    const kafkaReadsIt = await kafkaToolOk('kafka-consumer-groups', ['--group', group, '--reset-offsets', '--from-file', csv, '--dry-run'])
    expect(kafkaReadsIt).toMatch(new RegExp(`${group}\\s+${topic}\\s+0\\s+12`))

    const undone = await cli(['undo', applied.json.session, '--yes'])
    expect(undone.code, undone.json.message).toBe(0)
    expect(await describedOffsets(group)).toEqual(['0=12', '1=12', '2=12'])
  })

  it.each([
    { name: 'unknown group', group: 'no-such-group-anywhere', answers: { 'shift-by': '-1' }, message: 'no consumer group "no-such-group-anywhere"' },
    { name: 'unknown topic', answers: { 'shift-by': '-1', topics: 'no-such-topic' }, message: 'topic no-such-topic does not exist on this cluster' },
    { name: 'future time', answers: { 'to-datetime': '2099-01-01T00:00:00Z' }, message: 'is in the future' },
    { name: 'malformed time', answers: { 'to-datetime': 'yesterday-ish' }, message: 'is not a time' },
  ])('bad input, $name: one line, nothing changed', async ({ group, answers, message }) => {
    const target = group ?? (await freshGroup('oom-bad'))
    const result = await run(target, answers as unknown as Record<string, string>)
    expect(result.code).toBe(2)
    expect(result.json.message).toContain(message)
    expect(result.json.message).toContain('nothing changed')
    expect(result.json.message!.split('\n')).toHaveLength(1)
    if (!group) expect(await describedOffsets(target)).toEqual(['0=12', '1=12', '2=12'])
  })

  it('refuses a group with a running member, then rewinds once it is stopped', async () => {
    const group = uniqueTopic('oom-active')
    const running = await startGroup(ops, group, topic, 'classic')
    try {
      const refused = await run(group, { 'shift-by': '-2', 'wait-for-empty': '2s' })
      expect(refused.code).toBe(2)
      expect(refused.json.message).toMatch(/still Stable with 1 active member .* nothing changed$/)
      expect(await describedOffsets(group)).toEqual(['0=15', '1=15', '2=15'])
    } finally {
      await running.stop()
    }
    const applied = await run(group, { 'shift-by': '-2' })
    expect(applied.code, applied.json.message).toBe(0)
    expect(await describedOffsets(group)).toEqual(['0=13', '1=13', '2=13'])
  })

  it('describes a KIP-848 group with its members, and previews a dry run while it still runs', async () => {
    // The consumer protocol is generally available from Kafka 4.0.
    if (testSandbox().kafkaVersion.startsWith('3.')) return
    const group = uniqueTopic('oom-kip848')
    const running = await startGroup(ops, group, topic, 'consumer')
    try {
      const result = await runCli([
        'run',
        'consumer-oom-replay',
        '--bootstrap-server',
        testSandbox().bootstrap,
        '--sessions-dir',
        sessions,
        '--set',
        `group=${group}`,
        '--set',
        'shift-by=-3',
        '--dry-run',
      ])
      expect(result.code).toBe(0)
      expect(result.stdout).toContain('consumer (KIP-848)')
      expect(result.stdout).toContain('runbook-contract-consumer')
      expect(result.stdout).toMatch(/a real run waits here and\s+refuses to rewind until it is Empty/)
      expect(result.stdout).toMatch(/Messages to replay\s+9/)
    } finally {
      await running.stop()
    }
  })

  it('stops with exit 3 when the commits moved after the plan was reviewed', async () => {
    const group = await freshGroup('oom-drift')
    const reviewed = await run(group, { 'shift-by': '-5' }, ['--dry-run'])
    const hash = reviewed.json.cells.find((c) => c.id === 'rewind')!.planHash!
    await ops.alterCommittedOffsets(group, [{ topic, partition: 1, offset: 14n }])
    const drifted = await run(group, { 'shift-by': '-5' }, ['--approve', `rewind=${hash}`])
    expect(drifted.code).toBe(3)
    expect(drifted.json.message).toContain('the cluster changed since the plan was reviewed')
    expect(await describedOffsets(group)).toEqual(['0=12', '1=14', '2=12'])
  })
})
