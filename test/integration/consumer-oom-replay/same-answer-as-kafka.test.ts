// The runbook's rewind targets must equal `kafka-consumer-groups --reset-offsets … --dry-run` on the same
// cluster, for the same group and option: a time between records, exactly on a record, before the first
// and after the last; durations; shifts clamped both ways; an offsets file; a group on several topics; --topic.

import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect } from '../../../lib/kafka/index.ts'
import type { KafkaOps } from '../../../lib/kafka/types.ts'
import { runCli } from '../../support/run-cli.ts'
import { kafkaToolOk } from '../../support/sandbox.ts'
import { testSandbox } from '../../support/sandbox.ts'
import { uniqueTopic } from '../../support/kafka.ts'
import { produceAt } from '../kafka/world.ts'

let ops: KafkaOps
const orders = uniqueTopic('oom-orders')
const audit = uniqueTopic('oom-audit')
const group = uniqueTopic('oom-billing')
// An hour ago, so the broker accepts the timestamps; records one second apart.
const t0 = Math.floor((Date.now() - 3_600_000) / 1000) * 1000
const at = (seconds: number) => new Date(t0 + seconds * 1000).toISOString()
const sessions = mkdtempSync(join(tmpdir(), 'oom-kafka-'))

beforeAll(async () => {
  ops = await connect({ bootstrapServers: testSandbox().bootstrap.split(','), clientId: 'oom-agreement' })
  expect(
    await ops.createTopics([
      { topic: orders, partitions: 3, replicationFactor: 3 },
      { topic: audit, partitions: 2, replicationFactor: 3 },
    ]),
  ).toEqual([{ topic: orders }, { topic: audit }])
  // orders/p: 20 records at t0+p*0.25 s + i s; audit/0: 10 records from t0+100 s; audit/1 stays empty.
  for (const partition of [0, 1, 2])
    await produceAt(
      orders,
      partition,
      Array.from({ length: 20 }, (_, i) => t0 + partition * 250 + i * 1000),
    )
  await produceAt(
    audit,
    0,
    Array.from({ length: 10 }, (_, i) => t0 + 100_000 + i * 1000),
  )
  // The group committed 18, 15, 20 on orders and 9 on audit/0: a stopped (Empty) group on two topics.
  const commits = [
    { topic: orders, partition: 0, offset: 18n },
    { topic: orders, partition: 1, offset: 15n },
    { topic: orders, partition: 2, offset: 20n },
    { topic: audit, partition: 0, offset: 9n },
  ]
  expect((await ops.alterCommittedOffsets(group, commits)).every((r) => !r.error)).toBe(true)
})

afterAll(async () => {
  await ops?.close()
})

/** Our plan's targets, from a headless dry run of the CLI. */
async function ourTargets(answers: Record<string, string>): Promise<Record<string, string>> {
  const args = [
    'run',
    'consumer-oom-replay',
    '--bootstrap-server',
    testSandbox().bootstrap,
    '--dry-run',
    '--json',
    '--sessions-dir',
    sessions,
    '--set',
    `group=${group}`,
  ]
  for (const [k, v] of Object.entries(answers)) args.push('--set', `${k}=${v}`)
  const result = await runCli(args)
  expect(result.code, result.stderr + result.stdout.slice(0, 2000)).toBe(0)
  const json = JSON.parse(result.stdout) as { cells: { id: string; plan?: { moves: { topic: string; partition: number; target: string }[] } }[] }
  const plan = json.cells.find((c) => c.id === 'rewind')!.plan!
  return Object.fromEntries(plan.moves.map((m) => [`${m.topic}/${m.partition}`, m.target]))
}

/**
 * Kafka's own answer: the NEW-OFFSET column of kafka-consumer-groups --reset-offsets --dry-run. The table is
 * read as a stream of words, four per row: Kafka 3.9.2 prints every row on one line (4.3.1 one per line).
 */
async function kafkaTargets(args: readonly string[]): Promise<Record<string, string>> {
  const out = await kafkaToolOk('kafka-consumer-groups', ['--group', group, '--reset-offsets', ...args, '--dry-run'])
  const header = out.indexOf('NEW-OFFSET')
  if (header === -1) throw new Error(`kafka-consumer-groups printed no reset table: ${out.trim().slice(0, 400)}`)
  const words = out
    .slice(header + 'NEW-OFFSET'.length)
    .trim()
    .split(/\s+/)
    .filter((w) => w !== '')
  const targets: Record<string, string> = {}
  for (let i = 0; i + 3 < words.length; i += 4) {
    const [name, topic, partition, offset] = words.slice(i, i + 4)
    if (name !== group || !/^\d+$/.test(partition!) || !/^\d+$/.test(offset!)) throw new Error(`unexpected reset row: ${words.slice(i, i + 4).join(' ')}`)
    targets[`${topic}/${partition}`] = offset!
  }
  return targets
}

describe('same targets as kafka-consumer-groups --reset-offsets --dry-run', () => {
  it.each([
    { name: 'a time between records', ours: () => ({ 'to-datetime': at(5.5) }), kafka: () => ['--all-topics', '--to-datetime', at(5.5)] },
    { name: 'a time exactly on a record', ours: () => ({ 'to-datetime': at(7) }), kafka: () => ['--all-topics', '--to-datetime', at(7)] },
    { name: 'a time before the first record', ours: () => ({ 'to-datetime': at(-60) }), kafka: () => ['--all-topics', '--to-datetime', at(-60)] },
    {
      name: 'a time after the last record (log end fallback)',
      ours: () => ({ 'to-datetime': at(1000) }),
      kafka: () => ['--all-topics', '--to-datetime', at(1000)],
    },
    { name: 'a time after the last record of one topic only', ours: () => ({ 'to-datetime': at(50) }), kafka: () => ['--all-topics', '--to-datetime', at(50)] },
    { name: 'a duration reaching before everything', ours: () => ({ 'by-duration': 'P1D' }), kafka: () => ['--all-topics', '--by-duration', 'P1D'] },
    {
      name: 'a duration shorter than the age of the last record',
      ours: () => ({ 'by-duration': 'PT5M' }),
      kafka: () => ['--all-topics', '--by-duration', 'PT5M'],
    },
    { name: 'a shift back', ours: () => ({ 'shift-by': '-4' }), kafka: () => ['--all-topics', '--shift-by', '-4'] },
    { name: 'a shift back past the log start (clamped)', ours: () => ({ 'shift-by': '-17' }), kafka: () => ['--all-topics', '--shift-by', '-17'] },
    { name: 'a shift forward past the log end (clamped)', ours: () => ({ 'shift-by': '3' }), kafka: () => ['--all-topics', '--shift-by', '3'] },
    {
      name: 'one topic, every partition (--topic)',
      ours: () => ({ 'to-datetime': at(8.1), topics: orders }),
      kafka: () => ['--topic', orders, '--to-datetime', at(8.1)],
    },
    {
      name: 'chosen partitions, one without a commit',
      ours: () => ({ 'to-datetime': at(3), topics: `${orders}:1,2 ${audit}:1` }),
      kafka: () => ['--topic', `${orders}:1,2`, '--topic', `${audit}:1`, '--to-datetime', at(3)],
    },
  ])('$name', async ({ ours, kafka }) => {
    const [mine, theirs] = await Promise.all([ourTargets(ours()), kafkaTargets(kafka())])
    expect(Object.keys(theirs).length).toBeGreaterThan(0)
    expect(mine).toEqual(theirs)
  })

  it('an offsets file, clamped where it is below the log start', async () => {
    await ops.deleteRecords([{ topic: orders, partition: 2, offset: 4n }])
    const file = join(mkdtempSync(join(tmpdir(), 'oom-csv-')), 'offsets.csv')
    writeFileSync(file, `${orders},0,3\n${orders},2,1\n${audit},0,9\n`)
    const [mine, theirs] = await Promise.all([ourTargets({ 'from-file': file }), kafkaTargets(['--from-file', file])])
    expect(theirs).toEqual({ [`${orders}/0`]: '3', [`${orders}/2`]: '4', [`${audit}/0`]: '9' })
    expect(mine).toEqual(theirs)
  })
})
