import { describe, expect, it } from 'vitest'
import { formatOffsetsCsv, parseOffsetsCsv } from '../../lib/plans/offset-csv.ts'
import {
  describeRewindFault,
  type GroupSnapshot,
  isoDuration,
  isRewindFault,
  parseTopicsScope,
  planRewindScope,
  planRewindTargets,
  type PartitionLog,
  replayTimeQueries,
  type RewindPlan,
  type RewindRequest,
  withReplayTimes,
} from '../../lib/plans/offset-rewind.ts'
import { suggestSafetyMargin } from '../../lib/plans/replay-margin.ts'

const takenAtMs = Date.parse('2026-11-24T04:00:00Z')

function snapshot(overrides: Partial<GroupSnapshot> = {}): GroupSnapshot {
  return {
    groupId: 'billing',
    exists: true,
    state: 'Empty',
    type: 'classic',
    members: [],
    committed: [{ topic: 'orders', partition: 0, offset: 120n }],
    topics: [{ topic: 'orders', partitions: 2 }],
    takenAtMs,
    ...overrides,
  }
}

const request = (method: RewindRequest['method'], extra: Partial<RewindRequest> = {}): RewindRequest => ({
  method,
  scope: { kind: 'all-topics' },
  marginMs: 0,
  ...extra,
})
const log = (extra: Partial<PartitionLog> = {}): PartitionLog => ({ topic: 'orders', partition: 0, logStart: 0n, logEnd: 200n, ...extra })

function plan(method: RewindRequest['method'], logs: PartitionLog[], snap = snapshot(), extra: Partial<RewindRequest> = {}): RewindPlan {
  const result = planRewindTargets(snap, request(method, extra), logs)
  if (isRewindFault(result)) throw new Error(describeRewindFault(result))
  return result
}

describe('targets, as kafka-consumer-groups computes them', () => {
  it.each([
    {
      name: 'a time: the first record at or after it',
      method: { kind: 'to-datetime', atMs: 0 } as const,
      log: log({ atTime: 90n }),
      target: 90n,
      replay: 30n,
      notes: [],
    },
    {
      name: 'no record that recent: the log end',
      method: { kind: 'to-datetime', atMs: 0 } as const,
      log: log({ atTime: null }),
      target: 200n,
      replay: 0n,
      notes: ['no-record-after-time', 'skips'],
    },
    { name: 'shift back', method: { kind: 'shift-by', shift: -20n } as const, log: log(), target: 100n, replay: 20n, notes: [] },
    {
      name: 'shift back past the log start: clamped, the rest gone',
      method: { kind: 'shift-by', shift: -50n } as const,
      log: log({ logStart: 100n }),
      target: 100n,
      replay: 20n,
      notes: ['below-log-start'],
    },
    {
      name: 'shift past the log end: clamped, skipping',
      method: { kind: 'shift-by', shift: 500n } as const,
      log: log(),
      target: 200n,
      replay: 0n,
      notes: ['above-log-end', 'skips'],
    },
    {
      name: 'committed below the log start',
      method: { kind: 'shift-by', shift: 0n } as const,
      log: log({ logStart: 150n }),
      target: 150n,
      replay: 0n,
      notes: ['below-log-start', 'committed-below-log-start'],
    },
  ])('$name', ({ method, log: partitionLog, target, replay, notes }) => {
    const [move] = plan(method, [partitionLog]).moves
    expect(move).toMatchObject({ target, replayMessages: replay })
    expect(move!.notes.map((n) => n.kind)).toEqual(notes)
  })

  it('counts what retention deleted when a shift reaches below the log start', () => {
    const [move] = plan({ kind: 'shift-by', shift: -200n }, [log({ logStart: 30n })]).moves
    expect(move!.notes[0]).toEqual({ kind: 'below-log-start', requested: -80n, goneMessages: 30n })
  })

  it('takes the margin off a time and counts a duration back from the snapshot', () => {
    const timed = plan({ kind: 'to-datetime', atMs: takenAtMs - 60_000 }, [log({ atTime: 1n })], snapshot(), { marginMs: 15_000 })
    expect(timed.rewindToMs).toBe(takenAtMs - 75_000)
    expect(timed.kafkaCommand).toContain('--to-datetime 2026-11-24T03:58:45.000Z')
    const back = plan({ kind: 'by-duration', durationMs: 900_000 }, [log({ atTime: 1n })], snapshot(), { marginMs: 5000 })
    expect(back.rewindToMs).toBe(takenAtMs - 905_000)
    expect(back.kafkaCommand).toContain('--by-duration PT15M5S')
  })

  it('lists the partitions of the group’s topics it leaves alone for having no commit', () => {
    expect(plan({ kind: 'shift-by', shift: -1n }, [log()]).untouched).toEqual([{ topic: 'orders', partition: 1 }])
  })

  it('fills in each partition’s replayed time span, and notes a window older than the oldest record kept', () => {
    const planned = plan({ kind: 'to-datetime', atMs: 1000 }, [log({ logStart: 100n, atTime: 100n })])
    expect(replayTimeQueries(planned)).toEqual([
      { topic: 'orders', partition: 0, offset: 100n },
      { topic: 'orders', partition: 0, offset: 119n },
    ])
    const timed = withReplayTimes(planned, [
      { topic: 'orders', partition: 0, offset: 100n, timestamp: 5000 },
      { topic: 'orders', partition: 0, offset: 119n, timestamp: 9000 },
    ])
    expect(timed.moves[0]).toMatchObject({ replayFromMs: 5000, replayToMs: 9000 })
    expect(timed.moves[0]!.notes).toEqual([{ kind: 'before-oldest-kept', oldestKeptMs: 5000 }])
    expect(timed.totals).toMatchObject({ replayMessages: 20n, replayFromMs: 5000, replayToMs: 9000 })
  })
})

describe('scope and refusals', () => {
  it.each([
    { name: 'unknown group', snap: snapshot({ exists: false }), fault: 'unknown-group' },
    {
      name: 'group with members',
      snap: snapshot({ state: 'Stable', members: [{ memberId: 'm', groupInstanceId: null, clientId: 'c', host: 'h', assignment: [] }] }),
      fault: 'group-active',
    },
    { name: 'rebalancing group', snap: snapshot({ state: 'PreparingRebalance' }), fault: 'group-active' },
    { name: 'streams group', snap: snapshot({ type: 'streams' }), fault: 'unsupported-group' },
    { name: 'no commits', snap: snapshot({ committed: [] }), fault: 'no-commits' },
  ])('$name', ({ snap, fault }) => {
    const result = planRewindScope(snap, request({ kind: 'shift-by', shift: -1n }))
    expect(isRewindFault(result) && result.kind).toBe(fault)
    if (isRewindFault(result)) expect(describeRewindFault(result)).toMatch(/nothing changed$/)
  })

  it('names topics as --topic does, and refuses unknown topics and partitions', () => {
    const snap = snapshot({
      topics: [
        { topic: 'orders', partitions: 2 },
        { topic: 'ghost', partitions: null },
      ],
    })
    const scoped = (text: string) => {
      const scope = parseTopicsScope(text)
      if (typeof scope === 'string') throw new Error(scope)
      return planRewindScope(snap, request({ kind: 'shift-by', shift: -1n }, { scope }))
    }
    expect(scoped('orders')).toEqual([
      { topic: 'orders', partition: 0 },
      { topic: 'orders', partition: 1 },
    ])
    expect(scoped('orders:1')).toEqual([{ topic: 'orders', partition: 1 }])
    expect(scoped('ghost')).toEqual({ kind: 'unknown-topic', topic: 'ghost' })
    expect(scoped('orders:5')).toEqual({ kind: 'unknown-partition', topic: 'orders', partition: 5, partitions: 2 })
    expect(parseTopicsScope('orders:a')).toMatch(/whole numbers/)
    expect(parseTopicsScope('orders:0,1; payments')).toEqual({
      kind: 'topics',
      topics: [
        { topic: 'orders', partitions: [0, 1] },
        { topic: 'payments', partitions: null },
      ],
    })
  })

  it('refuses to shift a partition without a commit, and file offsets beyond the log end', () => {
    expect(planRewindTargets(snapshot(), request({ kind: 'shift-by', shift: -1n }), [log({ partition: 1 })])).toMatchObject({ kind: 'shift-without-commit' })
    const lines = [{ topic: 'orders', partition: 0, offset: 201n }]
    expect(planRewindTargets(snapshot(), request({ kind: 'from-file', file: 'f.csv', lines }), [log()])).toEqual({
      kind: 'offset-beyond-log',
      topic: 'orders',
      partition: 0,
      offset: 201n,
      logEnd: 200n,
    })
  })
})

describe('offsets files', () => {
  it.each([
    { text: 'orders,0,5\norders,1,7\n', lines: ['orders/0=5', 'orders/1=7'] },
    { text: 'billing,orders,0,5\nother,orders,1,7\n\n', lines: ['orders/0=5'] },
    { text: 'orders,0,5\norders,0,9\n', lines: ['orders/0=9'] },
  ])('reads $text', ({ text, lines }) => {
    const parsed = parseOffsetsCsv(text, 'billing')
    expect(Array.isArray(parsed) && parsed.map((l) => `${l.topic}/${l.partition}=${l.offset}`)).toEqual(lines)
  })

  it.each([
    { text: 'orders,0\n', message: 'line 1 has 2 fields' },
    { text: 'orders,x,1\n', message: 'partition "x" is not a whole number' },
    { text: 'orders,0,-1\n', message: 'offset "-1" is not a whole number' },
    { text: 'other,orders,0,1\n', message: 'no line for group billing' },
    { text: '\n', message: 'the file has no offsets' },
  ])('refuses $text', ({ text, message }) => {
    expect(parseOffsetsCsv(text, 'billing')).toMatchObject({ kind: 'offsets-file', message: expect.stringContaining(message) })
  })

  it('writes what it reads', () => {
    const lines = [{ topic: 'orders', partition: 0, offset: 5n }]
    expect(parseOffsetsCsv(formatOffsetsCsv(lines), 'billing')).toEqual(lines)
  })
})

describe('safety margin', () => {
  it.each([
    { name: 'Java defaults at 100 records/s', inputs: { autoCommitIntervalMs: null, batchRecords: null, recordsPerSecond: 100 }, marginMs: 10_000 },
    { name: 'given interval and batch', inputs: { autoCommitIntervalMs: 1000, batchRecords: 50, recordsPerSecond: 20 }, marginMs: 4000 },
    { name: 'rounded up to whole seconds', inputs: { autoCommitIntervalMs: 5000, batchRecords: 500, recordsPerSecond: 300 }, marginMs: 7000 },
    { name: 'nothing written: the interval alone', inputs: { autoCommitIntervalMs: 5000, batchRecords: 500, recordsPerSecond: 0 }, marginMs: 5000 },
  ])('$name', ({ inputs, marginMs }) => {
    expect(suggestSafetyMargin(inputs).marginMs).toBe(marginMs)
  })

  it('writes durations as java.time.Duration reads them', () => {
    expect([isoDuration(900_000), isoDuration(5_400_500), isoDuration(1500), isoDuration(86_400_000)]).toEqual(['PT15M', 'PT1H30M0.5S', 'PT1.5S', 'PT24H'])
  })
})
