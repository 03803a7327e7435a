import { describe, expect, it } from 'vitest'
import {
  describeGroupSignals,
  type GroupPartitionSignal,
  type GroupSignalInput,
  planGroupSignals,
  type TopicRetentionSignal,
} from '../../lib/plans/group-signals.ts'

const now = 1_800_000_000_000
const minute = 60_000
const hour = 60 * minute

/** A committed partition: `lag` records behind, the first unread one written `waitingMs` ago. */
function p(partition: number, lag: bigint, waitingMs: number | null, extra: Partial<GroupPartitionSignal> = {}): GroupPartitionSignal {
  return {
    topic: 'orders',
    partition,
    committed: 1000n,
    logStart: 0n,
    logEnd: 1000n + lag,
    stableEnd: 1000n + lag,
    nextUnreadMs: lag > 0n && waitingMs !== null ? now - waitingMs : null,
    openSinceMs: null,
    ...extra,
  }
}

const group = (partitions: GroupPartitionSignal[], members = 1, state = 'Stable'): GroupSignalInput => ({ groupId: 'billing', state, members, partitions })
const keep: ReadonlyMap<string, TopicRetentionSignal> = new Map([['orders', { deletes: true, retentionMs: 7 * 24 * hour }]])

describe('planGroupSignals: poison pill', () => {
  it.each([
    {
      name: 'one partition waits on an old record while its sibling is caught up',
      partitions: [p(0, 0n, null), p(1, 40n, 5 * minute)],
      members: 1,
      state: 'Stable',
      stuck: ['orders/1'],
    },
    {
      name: 'one waits while its sibling keeps up with recent records',
      partitions: [p(0, 3n, 2000), p(1, 40n, 5 * minute)],
      members: 1,
      state: 'Stable',
      stuck: ['orders/1'],
    },
    {
      name: 'every partition behind on old records: a slow group, not one record',
      partitions: [p(0, 900n, hour), p(1, 800n, hour)],
      members: 2,
      state: 'Stable',
      stuck: [],
    },
    {
      name: 'rebalancing over and over (a crash loop), even with one partition',
      partitions: [p(0, 40n, 5 * minute)],
      members: 1,
      state: 'PreparingRebalance',
      stuck: ['orders/0'],
    },
    { name: 'a KIP-848 group reconciling', partitions: [p(0, 40n, 5 * minute)], members: 1, state: 'Reconciling', stuck: ['orders/0'] },
    {
      name: 'no members: a stopped group (consumer-oom-replay), not a pill',
      partitions: [p(0, 0n, null), p(1, 40n, 5 * minute)],
      members: 0,
      state: 'Empty',
      stuck: [],
    },
    { name: 'behind on a record written a moment ago: in flight', partitions: [p(0, 0n, null), p(1, 40n, 10_000)], members: 1, state: 'Stable', stuck: [] },
  ])('$name', ({ partitions, members, state, stuck }) => {
    const signals = planGroupSignals([group(partitions, members, state)], keep, now)
    expect(signals.poisonPill.map((s) => `${s.topic}/${s.partition}`)).toEqual(stuck)
  })
})

describe('planGroupSignals: stuck transactions', () => {
  it.each([
    { name: 'LSO held below the log end by a transaction open 10 min', stable: 990n, openMs: 10 * minute, stuck: true },
    { name: 'a transaction open 5 s: in progress', stable: 990n, openMs: 5000, stuck: false },
    { name: 'LSO at the log end: nothing open', stable: 1000n, openMs: 10 * minute, stuck: false },
  ])('$name', ({ stable, openMs, stuck }) => {
    const part = p(0, 0n, null, { committed: 980n, logEnd: 1000n, stableEnd: stable, openSinceMs: stable < 1000n ? now - openMs : null })
    const signals = planGroupSignals([group([part])], keep, now)
    expect(signals.stuckTransactions).toEqual(stuck ? [{ topic: 'orders', partition: 0, openMs, heldRecords: 1000n - stable }] : [])
  })

  it('one partition two groups read is one stuck partition', () => {
    const part = p(0, 0n, null, { committed: 980n, logEnd: 1000n, stableEnd: 990n, openSinceMs: now - hour })
    const signals = planGroupSignals([group([part]), { ...group([part]), groupId: 'audit' }], keep, now)
    expect(signals.stuckTransactions).toHaveLength(1)
  })
})

describe('planGroupSignals: lag racing retention', () => {
  const retention = (retentionMs: number | null, deletes = true): ReadonlyMap<string, TopicRetentionSignal> => new Map([['orders', { deletes, retentionMs }]])
  it.each([
    { name: 'oldest unread 20 h old of 24 h retention', waiting: 20 * hour, retention: retention(24 * hour), risk: true },
    { name: 'oldest unread 10 h old of 24 h retention', waiting: 10 * hour, retention: retention(24 * hour), risk: false },
    { name: 'a compacted topic deletes nothing by age', waiting: 30 * hour, retention: retention(24 * hour, false), risk: false },
    { name: 'retention.ms=-1 keeps everything', waiting: 30 * hour, retention: retention(null), risk: false },
  ])('$name', ({ waiting, retention, risk }) => {
    const signals = planGroupSignals([group([p(0, 500n, waiting)], 0, 'Empty')], retention, now)
    expect(signals.lagRetention.length).toBe(risk ? 1 : 0)
  })

  it('committed below the log start: the records in between were deleted unread', () => {
    const part = p(0, 500n, null, { committed: 100n, logStart: 400n, logEnd: 600n })
    const signals = planGroupSignals([group([part], 0, 'Empty')], retention(24 * hour), now)
    expect(signals.lagRetention).toMatchObject([{ deleted: 300n, oldestUnreadMs: null }])
    expect(describeGroupSignals(signals)).toEqual([{ runbook: 'lag-retention', reason: '1 consumer group: 300 records deleted unread (billing at orders/0)' }])
  })
})

describe('describeGroupSignals', () => {
  it('one line per runbook, naming the worst case', () => {
    const signals = planGroupSignals(
      [
        group([p(0, 0n, null), p(1, 40n, 5 * minute), p(2, 0n, null, { committed: 980n, logEnd: 1000n, stableEnd: 990n, openSinceMs: now - 10 * minute })]),
        { groupId: 'reports', state: 'Empty', members: 0, partitions: [p(0, 500n, 20 * hour, { topic: 'daily' })] },
      ],
      new Map([
        ['orders', { deletes: true, retentionMs: 7 * 24 * hour }],
        ['daily', { deletes: true, retentionMs: 24 * hour }],
      ]),
      now,
    )
    expect(describeGroupSignals(signals)).toEqual([
      { runbook: 'poison-pill', reason: '1 consumer group not moving past one record while reading on (billing at orders/1 for 5.0 min)' },
      {
        runbook: 'stuck-transactions',
        reason: '1 partition held at the last stable offset by an open transaction (orders/2 for 10.0 min); 10 records read_committed consumers cannot reach',
      },
      { runbook: 'lag-retention', reason: '1 consumer group: oldest unread near retention (reports at daily/0: 20.0 h of 24.0 h)' },
    ])
  })
})
