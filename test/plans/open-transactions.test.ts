import { describe, expect, it } from 'vitest'
import {
  type CoordinatorDescription,
  classifyOpenTransactions,
  judgeTransaction,
  type OpenTransaction,
  type OpenTransactionsSnapshot,
} from '../../lib/plans/open-transactions.ts'

const now = 1_800_000_000_000
const minute = 60_000
const tp = { topic: 'payments', partition: 3 }

const open = (over: Partial<OpenTransaction> = {}): OpenTransaction => ({
  producerId: 7n,
  producerEpoch: 2,
  coordinatorEpoch: 0,
  startOffset: 120n,
  lastWriteMs: now - 1000,
  ...over,
})

const described = (over: Partial<CoordinatorDescription> = {}): CoordinatorDescription => ({
  transactionalId: 'payments-app-0',
  coordinator: 2,
  state: 'Ongoing',
  timeoutMs: 10 * minute,
  startTimeMs: now - 2 * minute,
  producerId: 7n,
  producerEpoch: 2,
  partitions: [tp, { topic: 'payments', partition: 4 }],
  ...over,
})

type Coordinators = Pick<OpenTransactionsSnapshot, 'transactionalIds' | 'descriptions' | 'unlistedBrokers'>

/** A snapshot with the coordinators' answers given; the partition list is filled in by the tests that need it. */
function snapshot(coordinators: Partial<Coordinators> = {}, over: Partial<OpenTransactionsSnapshot> = {}): OpenTransactionsSnapshot {
  return {
    takenAtMs: now,
    partitions: [],
    unread: [],
    transactionalIds: new Map([[7n, 'payments-app-0']]),
    unlistedBrokers: [],
    descriptions: new Map([['payments-app-0', described()]]),
    maxTransactionTimeoutMs: 15 * minute,
    abortCheckIntervalMs: 10_000,
    ...coordinators,
    ...over,
  }
}

describe('judgeTransaction: what ends an open transaction, by what its coordinator knows', () => {
  it.each([
    {
      name: 'listed by its coordinator, written a second ago → ongoing; the coordinator aborts it at start + timeout at the latest',
      snap: snapshot(),
      txn: open(),
      verdict: { kind: 'ongoing', transactionalId: 'payments-app-0', deadlineMs: now + 8 * minute, idleMs: 1000 },
    },
    {
      name: 'listed, but nothing written for 5 minutes → its producer is gone; aborted at the deadline',
      snap: snapshot(),
      txn: open({ lastWriteMs: now - 5 * minute }),
      verdict: { kind: 'producer-gone', transactionalId: 'payments-app-0', deadlineMs: now + 8 * minute, idleMs: 5 * minute },
    },
    {
      name: 'the idle limit is the caller’s: 10 minutes makes a 5-minute pause ongoing',
      snap: snapshot(),
      txn: open({ lastWriteMs: now - 5 * minute }),
      options: { producerIdleMs: 10 * minute },
      verdict: { kind: 'ongoing', idleMs: 5 * minute },
    },
    {
      name: 'no last write known: ongoing (nothing says the producer is gone)',
      snap: snapshot(),
      txn: open({ lastWriteMs: null }),
      verdict: { kind: 'ongoing', idleMs: null },
    },
    {
      name: 'a deadline already past: still the coordinator’s (it aborts at its next check)',
      snap: snapshot({ descriptions: new Map([['payments-app-0', described({ startTimeMs: now - 11 * minute })]]) }),
      txn: open({ lastWriteMs: now - 11 * minute }),
      verdict: { kind: 'producer-gone', deadlineMs: now - minute },
    },
    {
      name: 'the coordinator is writing its markers (PrepareCommit) → completing',
      snap: snapshot({ descriptions: new Map([['payments-app-0', described({ state: 'PrepareCommit' })]]) }),
      txn: open(),
      verdict: { kind: 'completing', transactionalId: 'payments-app-0', state: 'PrepareCommit' },
    },
    {
      name: 'no transactional id has the producer id → hanging; past the maximum timeout as find-hanging requires',
      snap: snapshot({ transactionalIds: new Map(), descriptions: new Map() }),
      txn: open({ lastWriteMs: now - 20 * minute, coordinatorEpoch: null }),
      verdict: { kind: 'hanging', reason: 'no-transactional-id', transactionalId: null, coordinatorState: null, pastMaxTimeout: true },
    },
    {
      name: 'no transactional id, last write 3 minutes ago → hanging, but not yet past the maximum timeout',
      snap: snapshot({ transactionalIds: new Map(), descriptions: new Map() }),
      txn: open({ lastWriteMs: now - 3 * minute }),
      verdict: { kind: 'hanging', reason: 'no-transactional-id', pastMaxTimeout: false },
    },
    {
      name: 'exactly the maximum timeout is not past it (find-hanging counts strictly longer)',
      snap: snapshot({ transactionalIds: new Map(), descriptions: new Map() }),
      txn: open({ lastWriteMs: now - 15 * minute }),
      verdict: { kind: 'hanging', pastMaxTimeout: false },
    },
    {
      name: 'not listed, and a broker did not answer ListTransactions → cannot tell',
      snap: snapshot({ transactionalIds: new Map(), descriptions: new Map(), unlistedBrokers: [{ broker: 3, error: 'broker 3 did not answer' }] }),
      txn: open(),
      verdict: { kind: 'unknown' },
    },
    {
      name: 'listed, but its coordinator no longer describes the id (expired meanwhile) → hanging',
      snap: snapshot({
        descriptions: new Map([['payments-app-0', { error: { name: 'TRANSACTIONAL_ID_NOT_FOUND', message: 'transactional id payments-app-0 is not known' } }]]),
      }),
      txn: open({ lastWriteMs: now - 16 * minute }),
      verdict: { kind: 'hanging', reason: 'transactional-id-not-found', transactionalId: 'payments-app-0', pastMaxTimeout: true },
    },
    {
      name: 'its coordinator could not be asked → cannot tell',
      snap: snapshot({
        descriptions: new Map([['payments-app-0', { error: { name: 'COORDINATOR_NOT_AVAILABLE', message: 'coordinator not available' } }]]),
      }),
      txn: open(),
      verdict: { kind: 'unknown' },
    },
    {
      name: 'the coordinator knows the id, its transaction is over (Empty) → hanging: the marker was lost or never due',
      snap: snapshot({ descriptions: new Map([['payments-app-0', described({ state: 'Empty', startTimeMs: null, partitions: [], producerEpoch: 3 })]]) }),
      txn: open(),
      verdict: { kind: 'hanging', reason: 'partition-not-in-transaction', coordinatorState: 'Empty', coordinatorEpochOfId: 3, pastMaxTimeout: false },
    },
    {
      name: 'the id’s current transaction is on other partitions only → hanging here',
      snap: snapshot({ descriptions: new Map([['payments-app-0', described({ partitions: [{ topic: 'payments', partition: 4 }] })]]) }),
      txn: open(),
      verdict: { kind: 'hanging', reason: 'partition-not-in-transaction', coordinatorState: 'Ongoing' },
    },
    {
      name: 'the same partition number of another topic does not count',
      snap: snapshot({ descriptions: new Map([['payments-app-0', described({ partitions: [{ topic: 'refunds', partition: 3 }] })]]) }),
      txn: open(),
      verdict: { kind: 'hanging', reason: 'partition-not-in-transaction' },
    },
  ])('$name', ({ snap, txn, options, verdict }) => {
    expect(judgeTransaction(snap, tp, txn, options)).toMatchObject(verdict)
  })
})

describe('classifyOpenTransactions: per stuck partition', () => {
  const hanging = open({ producerId: 99n, startOffset: 100n, lastWriteMs: now - 30 * minute, coordinatorEpoch: null })
  const ongoing = open({ startOffset: 120n })
  const other = { topic: 'payments', partition: 4 }

  it('judges every open transaction, earliest first; the LSO waits as long as the latest deadline, or forever behind a hanging one', () => {
    const snap = snapshot(
      {},
      {
        partitions: [
          { ...tp, highWatermark: 150n, lastStableOffset: 100n, transactions: [ongoing, hanging], error: null },
          { ...other, highWatermark: 40n, lastStableOffset: 30n, transactions: [open({ startOffset: 30n })], error: null },
          { topic: 'payments', partition: 5, highWatermark: 9n, lastStableOffset: 2n, transactions: null, error: 'broker 3 did not answer' },
        ],
      },
    )
    const [first, second, third] = classifyOpenTransactions(snap)
    expect(first).toMatchObject({ offsetsBehind: 50n, unblockedByMs: null })
    expect(first!.transactions!.map((t) => [t.producerId, t.startOffset, t.verdict.kind])).toEqual([
      [99n, 100n, 'hanging'],
      [7n, 120n, 'ongoing'],
    ])
    // Deadline (start 2 min ago + 10 min) plus the coordinators' check interval.
    expect(second).toMatchObject({ offsetsBehind: 10n, unblockedByMs: now + 8 * minute + 10_000 })
    expect(third).toMatchObject({ transactions: null, unblockedByMs: null, error: 'broker 3 did not answer' })
  })

  it('a transaction being completed does not hold the estimate back; an unknown one makes it unknown', () => {
    const completing = snapshot(
      { descriptions: new Map([['payments-app-0', described({ state: 'PrepareAbort' })]]) },
      { partitions: [{ ...tp, highWatermark: 10n, lastStableOffset: 5n, transactions: [open({ startOffset: 5n })], error: null }] },
    )
    expect(classifyOpenTransactions(completing)[0]!.unblockedByMs).toBe(now)
    const unknown = snapshot(
      { transactionalIds: new Map(), descriptions: new Map(), unlistedBrokers: [{ broker: 1, error: 'timed out' }] },
      { partitions: [{ ...tp, highWatermark: 10n, lastStableOffset: 5n, transactions: [open({ startOffset: 5n })], error: null }] },
    )
    expect(classifyOpenTransactions(unknown)[0]!.unblockedByMs).toBeNull()
  })
})
