// The consumer-oom-replay runbook against the in-memory fake: headless, interactive, dry run, bad input,
// drift and undo. The real cluster and Kafka's own tool are in test/integration/consumer-oom-replay/.

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runRunbook, type RunOptions } from '../../../lib/engine/runner.ts'
import { readEvents, readUndo } from '../../../lib/engine/session.ts'
import { runUndo } from '../../../lib/engine/undo.ts'
import { fakeCluster, type FakeKafka } from '../../../lib/kafka/fake/index.ts'
import runbook from '../../../runbooks/consumer-oom-replay/index.ts'
import { given, runOptions } from '../../support/run-options.ts'
import { scriptedIo, type ScriptedIo } from '../../../lib/testkit/index.ts'
import { undoOptions } from '../../support/undo-options.ts'

const t0 = Date.parse('2026-11-24T03:00:00Z')
const now = t0 + 3_600_000
const clock = () => now

/** orders: 3 partitions, 100 records each, one per second from t0; billing has committed 90, 80, 100. */
function cluster(group: { members?: boolean; type?: 'classic' | 'consumer' } = {}): FakeKafka {
  const builder = fakeCluster().brokers(3).topic('orders', { partitions: 3 }).topic('audit', { partitions: 2 })
  for (const p of [0, 1, 2]) builder.records('orders', p, { count: 100, startMs: t0, stepMs: 1000 })
  builder.records('audit', 0, { count: 10, startMs: t0, stepMs: 1000 })
  builder.group('billing', {
    type: group.type ?? 'classic',
    offsets: { 'orders/0': 90n, 'orders/1': 80n, 'orders/2': 100n },
    members: group.members ? [{ clientId: 'billing-service', host: '/10.0.0.7', assignment: ['orders/0', 'orders/1', 'orders/2'] }] : [],
  })
  return builder.build()
}

const options = (io: ScriptedIo, kafka: FakeKafka, extra: Partial<RunOptions> = {}): RunOptions => runOptions(io, kafka, { clock, ...extra })

const headless = (kafka: FakeKafka, answers: Record<string, string>, extra: Partial<RunOptions> = {}) =>
  runRunbook(runbook, options(scriptedIo([], { interactive: false }), kafka, { given: given(answers), approvals: { yes: true, hashes: [] }, ...extra }))

const committed = async (kafka: FakeKafka, group = 'billing') =>
  (await kafka.committedOffsets(group)).offsets.map((o) => `${o.topic}/${o.partition}=${o.offset}`)

describe('headless', () => {
  it('rewinds to a time: the first record at or after it on each partition, previewed, applied, read back, undoable', async () => {
    const kafka = cluster()
    // 03:01:10.5 falls between records 70 and 71 on every partition.
    const result = await headless(kafka, { group: 'billing', 'to-datetime': '2026-11-24T03:01:10.500Z' })
    expect(result).toMatchObject({ status: 'done', exitCode: 0 })
    expect(await committed(kafka)).toEqual(['orders/0=71', 'orders/1=71', 'orders/2=71'])
    const rewind = result.cells.find((c) => c.id === 'rewind')!
    expect(rewind).toMatchObject({ outcome: 'applied', verified: true, summary: 'rewind group billing on 3 partitions: 57 messages to replay' })
    const plan = rewind.plan as { moves: { target: bigint; replayMessages: bigint; replayFromMs: number; replayToMs: number }[]; kafkaCommand: string }
    expect(plan.moves.map((m) => [m.target, m.replayMessages, m.replayFromMs - t0, m.replayToMs - t0])).toEqual([
      [71n, 19n, 71_000, 89_000],
      [71n, 9n, 71_000, 79_000],
      [71n, 29n, 71_000, 99_000],
    ])
    expect(plan.kafkaCommand).toContain('--group billing --reset-offsets --all-topics --to-datetime 2026-11-24T03:01:10.500Z --dry-run')
    const undo = readUndo<{ previous: unknown[] }>(join(result.sessionDir, 'undo', 'rewind.json'))
    expect(undo.status).toBe('applied')
    expect(readFileSync(join(result.sessionDir, 'undo', 'previous-offsets.csv'), 'utf8')).toBe('orders,0,90\norders,1,80\norders,2,100\n')
  })

  it('a dry run prints the plan and changes nothing, even while the group still runs', async () => {
    const kafka = cluster({ members: true })
    const result = await headless(kafka, { group: 'billing', 'shift-by': '-5' }, { dryRun: true })
    expect(result).toMatchObject({ status: 'dry-run', exitCode: 0 })
    expect(kafka.mutations).toEqual([])
    expect(result.cells.find((c) => c.id === 'rewind')).toMatchObject({
      outcome: 'planned',
      summary: 'rewind group billing on 3 partitions: 15 messages to replay',
    })
    expect(result.cells.find((c) => c.id === 'stop-command')).toMatchObject({ outcome: 'skipped' })
  })

  it('takes the suggested margin off the time: auto-commit interval plus one batch at the measured write rate', async () => {
    const kafka = cluster()
    // 270 records written from 03:00:00 to 03:01:30 = 3/s: 30 records span 10 s, plus the 2 s interval → 12 s earlier.
    const result = await headless(kafka, {
      group: 'billing',
      'to-datetime': '2026-11-24T03:01:30Z',
      'auto-commit-interval': '2s',
      'max-poll-records': '30',
      'safety-margin': 'suggested',
    })
    expect(result.exitCode).toBe(0)
    expect(await committed(kafka)).toEqual(['orders/0=78', 'orders/1=78', 'orders/2=78'])
  })

  it('shifts, clamping into the log as Kafka does, and says how many records retention deleted', async () => {
    const kafka = cluster()
    await kafka.deleteRecords([{ topic: 'orders', partition: 1, offset: 75n }])
    const result = await headless(kafka, { group: 'billing', 'shift-by': '-20' })
    expect(result.exitCode).toBe(0)
    expect(await committed(kafka)).toEqual(['orders/0=70', 'orders/1=75', 'orders/2=80'])
    const plan = result.cells.find((c) => c.id === 'rewind')!.plan as { totals: { goneMessages: bigint; replayMessages: bigint } }
    expect(plan.totals).toMatchObject({ goneMessages: 15n, replayMessages: 45n })
  })

  it('falls back to the log end when no record is that recent, and warns that this skips unread records', async () => {
    const kafka = cluster()
    const io = scriptedIo([], { interactive: false })
    const result = await runRunbook(runbook, options(io, kafka, { given: given({ group: 'billing', 'by-duration': '1m' }), dryRun: true }))
    const plan = result.cells.find((c) => c.id === 'rewind')!.plan as { moves: { target: bigint }[]; totals: { skipMessages: bigint } }
    expect(plan.moves.map((m) => m.target)).toEqual([100n, 100n, 100n])
    expect(plan.totals.skipMessages).toBe(30n)
    expect(io.screen()).toContain('falls back to the log end')
    expect(io.screen()).toContain('moves FORWARD: 20 unread records would be skipped')
  })

  it('rewinds to exact offsets from a kafka-consumer-groups CSV', async () => {
    const kafka = cluster()
    const file = join(mkdtempSync(join(tmpdir(), 'csv-')), 'offsets.csv')
    writeFileSync(file, 'orders,0,50\nother-group,orders,1,3\nbilling,orders,2,60\n')
    const result = await headless(kafka, { group: 'billing', 'from-file': file })
    expect(result.exitCode).toBe(0)
    expect(await committed(kafka)).toEqual(['orders/0=50', 'orders/1=80', 'orders/2=60'])
  })

  it('waits for a group whose members leave, then rewinds', async () => {
    const kafka = cluster({ members: true })
    setTimeout(() => kafka.stopMembers('billing'), 1500)
    const result = await headless(kafka, { group: 'billing', 'shift-by': '-1', 'stop-command': 'true', 'wait-for-empty': '10s' }, { clock: Date.now })
    expect(result).toMatchObject({ exitCode: 0 })
    expect(result.cells.find((c) => c.id === 'stop-command')).toMatchObject({ outcome: 'done', command: 'true' })
    expect(await committed(kafka)).toEqual(['orders/0=89', 'orders/1=79', 'orders/2=99'])
  })
})

describe('explanations for the version in front of the operator', () => {
  it.each([
    { line: '4.3' as const, says: 'On Kafka 4.x a group uses either the classic protocol or the KIP-848', not: 'On Kafka 3.9' },
    { line: '3.9' as const, says: 'On Kafka 3.9 groups use the classic protocol', not: 'On Kafka 4.x' },
  ])('Kafka $line', async ({ line, says, not }) => {
    const builder = fakeCluster({ kafka: line }).brokers(3).topic('orders', { partitions: 1 }).records('orders', 0, { count: 5, startMs: t0 })
    const kafka = builder.group('billing', { offsets: { 'orders/0': 5n } }).build()
    const io = scriptedIo([], { interactive: false })
    const result = await runRunbook(runbook, options(io, kafka, { given: given({ group: 'billing', 'shift-by': '-1' }), dryRun: true }))
    expect(result.exitCode).toBe(0)
    expect(io.screen()).toContain(says)
    expect(io.screen()).not.toContain(not)
  })
})

describe('bad input: one line, nothing changed', () => {
  it.each([
    { name: 'unknown group', answers: { group: 'nope', 'shift-by': '-1' }, message: 'no consumer group "nope"' },
    { name: 'unknown topic', answers: { group: 'billing', 'shift-by': '-1', topics: 'ordrs' }, message: 'topic ordrs does not exist on this cluster' },
    { name: 'unknown partition', answers: { group: 'billing', 'shift-by': '-1', topics: 'orders:7' }, message: 'orders has no partition 7' },
    { name: 'malformed time', answers: { group: 'billing', 'to-datetime': '24/11/2026 03:00' }, message: 'is not a time' },
    { name: 'future time', answers: { group: 'billing', 'to-datetime': '2030-01-01T00:00:00Z' }, message: 'is in the future' },
    { name: 'two rewind points', answers: { group: 'billing', 'to-datetime': '10 minutes ago', 'shift-by': '-3' }, message: 'give one rewind point' },
    { name: 'no rewind point', answers: { group: 'billing' }, message: 'say where to rewind to' },
    { name: 'shift without a commit', answers: { group: 'billing', 'shift-by': '-1', topics: 'audit' }, message: 'cannot shift audit/0, audit/1' },
    {
      name: 'active group',
      answers: { group: 'billing', 'shift-by': '-1', 'wait-for-empty': '0s' },
      members: true,
      message: 'still Stable with 1 active member (billing-service@/10.0.0.7)',
    },
  ])('$name', async ({ answers, message, members }) => {
    const kafka = cluster({ members: members ?? false })
    const result = await headless(kafka, answers as unknown as Record<string, string>)
    expect(result).toMatchObject({ status: 'refused', exitCode: 2 })
    expect(result.message).toContain(message)
    expect(result.message).toContain('nothing changed')
    expect(result.message!.split('\n')).toHaveLength(1)
    expect(kafka.mutations).toEqual([])
  })

  it('offsets beyond the log end in a file', async () => {
    const kafka = cluster()
    const file = join(mkdtempSync(join(tmpdir(), 'csv-')), 'offsets.csv')
    writeFileSync(file, 'orders,0,500\n')
    const result = await headless(kafka, { group: 'billing', 'from-file': file })
    expect(result).toMatchObject({ exitCode: 2, message: 'offset 500 for orders/0 is beyond the log end (100) — fix the offsets file; nothing changed' })
    expect(kafka.mutations).toEqual([])
  })
})

describe('interactive', () => {
  it('picks the group from the cluster, asks the method and the time, suggests a margin, confirms by typing the count', async () => {
    const kafka = cluster({ type: 'consumer' })
    const io = scriptedIo([
      { select: 'billing', message: /Which consumer group/ },
      { select: 'to-datetime', message: /rewind point/ },
      { input: '2026-11-24T03:01:20Z', message: /Rewind to which time/ },
      { input: '', message: /auto.commit.interval.ms/ },
      { input: '9', message: /Records held in memory/ },
      { select: 'suggested', message: /Start the replay earlier/ },
      { type: '54', message: /Type 54 to replay 54 messages of group billing/ },
    ])
    const result = await runRunbook(runbook, options(io, kafka))
    expect(result).toMatchObject({ exitCode: 0, status: 'done' })
    expect(io.remaining()).toBe(0)
    const choices = io.asked[0]!.choices!
    expect(choices.find((c) => c.value === 'billing')?.description).toBe('Empty · KIP-848 · 0 members · lag 30 on 3 partitions')
    // 240 records written from 03:00:00 to 03:01:20 = 3/s: 9 records span 3 s, plus the 5 s default interval → 03:01:12.
    expect(await committed(kafka)).toEqual(['orders/0=72', 'orders/1=72', 'orders/2=72'])
    const screen = io.screen()
    expect(screen).toContain('Suggested margin')
    expect(screen).toContain('consumer (KIP-848)')
    expect(screen).toContain("The same reset with Kafka's own tool")
  })

  it('stops before applying when the commits moved after the plan, and offers a new plan', async () => {
    const kafka = cluster()
    const io = scriptedIo([{ type: '3' }, { confirm: false, message: /new plan/ }])
    io.beforeNextPrompt(() => void kafka.commit('billing', 'orders', 0, 95n))
    const result = await runRunbook(runbook, options(io, kafka, { given: given({ group: 'billing', 'shift-by': '-1' }) }))
    expect(result).toMatchObject({ status: 'drifted', exitCode: 3 })
    expect(result.message).toContain('committed offset of orders/0 changed since the plan (90 → 95)')
    expect(await committed(kafka)).toEqual(['orders/0=95', 'orders/1=80', 'orders/2=100'])
  })
})

describe('undo', () => {
  it('restores the previous offsets after re-checking the group, and refuses once the consumer moved them', async () => {
    const kafka = cluster()
    const sessionsDir = mkdtempSync(join(tmpdir(), 'oom-undo-'))
    const applied = await headless(kafka, { group: 'billing', 'shift-by': '-10' }, { sessionsDir })
    expect(await committed(kafka)).toEqual(['orders/0=80', 'orders/1=70', 'orders/2=90'])
    const undoOptionsFor = (io: ScriptedIo) =>
      undoOptions({
        runbook,
        io,
        kafka,
        sessionDir: applied.sessionDir,
        sessionsDir,
        approvals: { yes: false, hashes: [] },
      })

    kafka.commit('billing', 'orders', 1, 72n)
    const drifted = await runUndo(undoOptionsFor(scriptedIo([])))
    expect(drifted).toMatchObject({ status: 'drifted', exitCode: 3 })
    kafka.commit('billing', 'orders', 1, 70n)

    const io = scriptedIo([{ type: 'billing', message: /restore its previous offsets/ }])
    const result = await runUndo(undoOptionsFor(io))
    expect(result).toMatchObject({ status: 'done', exitCode: 0 })
    expect(await committed(kafka)).toEqual(['orders/0=90', 'orders/1=80', 'orders/2=100'])
    expect(readEvents(applied.sessionDir).at(-1)).toMatchObject({ type: 'undone', cell: 'rewind' })
  })
})
