import { describe, expect, it } from 'vitest'
import { fakeBatches } from '../../lib/kafka/fake/index.ts'
import type { EpochStart, LogEntry } from '../../lib/kafka/log-dir/types.ts'
import type { RecordBatch } from '../../lib/kafka/records.ts'
import { candidateExactLoss } from '../../lib/plans/dead-leader-loss.ts'
import { endOffsetForEpoch, priceExactLoss, truncationOffset, type ReplicaHistory } from '../../lib/plans/exact-loss.ts'
import { exactLossText } from '../../runbooks/unclean-election/text.ts'

const epochs = (...pairs: [number, number][]): EpochStart[] => pairs.map(([epoch, start]) => ({ epoch, startOffset: BigInt(start) }))
const entries = (batches: readonly RecordBatch[]): LogEntry[] => batches.map((batch) => ({ kind: 'batch', batch, segment: 's', position: 0 }))

describe("Kafka's end offset of an epoch", () => {
  const cache = epochs([0, 0], [2, 100], [5, 180])
  it.each([
    [5, { epoch: 5, endOffset: 250n }],
    [2, { epoch: 2, endOffset: 180n }],
    [3, { epoch: 2, endOffset: 180n }],
    [0, { epoch: 0, endOffset: 100n }],
    [1, { epoch: 0, endOffset: 100n }],
    [9, null],
  ])('epoch %i', (requested, expected) => expect(endOffsetForEpoch(cache, 250n, requested)).toEqual(expected))
  it('an epoch below every known one ends where the first known one starts', () =>
    expect(endOffsetForEpoch(epochs([3, 50]), 90n, 1)).toEqual({ epoch: 1, endOffset: 50n }))
})

describe('where the dead leader is cut when a candidate is elected', () => {
  const dead = { logEndOffset: 150n, epochs: epochs([0, 0], [2, 100]) }
  it.each<{ name: string; candidate: ReplicaHistory; expected: object }>([
    {
      name: 'a follower that fell behind in the same epoch: at its log end',
      candidate: { logEndOffset: 120n, epochs: epochs([0, 0], [2, 100]) },
      expected: { basis: 'epochs', offset: 120n, diverged: false },
    },
    {
      name: 'a follower from an older epoch: at its log end, below where the dead leader moved on',
      candidate: { logEndOffset: 80n, epochs: epochs([0, 0]) },
      expected: { basis: 'epochs', offset: 80n, diverged: false },
    },
    {
      name: 'one elected uncleanly earlier (epoch 1 at 80) that the dead leader never followed: where the epochs part',
      candidate: { logEndOffset: 90n, epochs: epochs([0, 0], [1, 80]) },
      expected: { basis: 'epochs', offset: 80n, diverged: true },
    },
    {
      name: 'a candidate ahead in the same epoch: nothing to cut',
      candidate: { logEndOffset: 170n, epochs: epochs([0, 0], [2, 100]) },
      expected: { basis: 'epochs', offset: 150n, diverged: false },
    },
    {
      name: 'only its newest epoch known, one the dead leader has: exact',
      candidate: { logEndOffset: 120n, epochs: null, latestEpoch: 2 },
      expected: { basis: 'latest-epoch', offset: 120n },
    },
    {
      name: 'only its newest epoch known, one the dead leader never had: bounded',
      candidate: { logEndOffset: 90n, epochs: null, latestEpoch: 1 },
      expected: { basis: 'unknown', atMost: 90n },
    },
    {
      name: 'nothing known of its epochs: taken as a prefix, cut at its log end',
      candidate: { logEndOffset: 120n, epochs: null },
      expected: { basis: 'log-end', offset: 120n, diverged: false },
    },
  ])('$name', ({ candidate, expected }) => expect(truncationOffset(dead, candidate)).toMatchObject(expected))
})

describe('the records an election deletes from the dead leader', () => {
  const startMs = Date.parse('2026-11-24T03:00:00Z')
  const deadLog = [
    ...fakeBatches({ baseOffset: 0n, records: 100, startMs, stepMs: 10 }),
    ...fakeBatches({ baseOffset: 100n, records: 30, startMs: startMs + 1000, producerId: 7n, transaction: 'commit' }),
    ...fakeBatches({ baseOffset: 131n, records: 9, startMs: startMs + 2000, producerId: 8n, transaction: 'abort' }),
    ...fakeBatches({ baseOffset: 141n, records: 9, startMs: startMs + 3000, producerId: 9n, transaction: 'open' }),
  ]
  const dead = { logEndOffset: 150n, epochs: epochs([0, 0]) }

  it.each([
    { broker: 2, end: 150n, records: 0, committed: 0, aborted: 0, open: 0 },
    { broker: 3, end: 141n, records: 9, committed: 0, aborted: 0, open: 9 },
    { broker: 4, end: 95n, records: 53, committed: 30, aborted: 9, open: 9 },
    { broker: 5, end: 0n, records: 148, committed: 30, aborted: 9, open: 9 },
  ])('candidate ending at $end loses $records records', ({ broker, end, records, committed, aborted, open }) => {
    const [loss] = priceExactLoss(dead, [{ broker, logEndOffset: end, epochs: epochs([0, 0]) }], entries(deadLog))
    expect(loss).toMatchObject({ broker, records, transactional: { committed, aborted, open }, atLeast: false })
  })

  it('dates the loss and names the producers, markers never counted as records', () => {
    const [loss] = priceExactLoss(dead, [{ broker: 3, logEndOffset: 95n, epochs: epochs([0, 0]) }], entries(deadLog))
    expect(loss!.records).toBe(5 + 30 + 9 + 9)
    expect(loss!.first).toEqual({ offset: 95n, timestamp: startMs + 950 })
    expect(loss!.last).toEqual({ offset: 149n, timestamp: startMs + 3008 })
    expect([...loss!.producers]).toEqual([
      [-1n, 5],
      [7n, 30],
      [8n, 9],
      [9n, 9],
    ])
  })

  it('flags a marker lost when its transaction stays behind on the candidate: that transaction hangs', () => {
    const [loss] = priceExactLoss(dead, [{ broker: 3, logEndOffset: 130n, epochs: epochs([0, 0]) }], entries(deadLog))
    expect(loss!.orphanedTransactions).toEqual([{ producerId: 7n, marker: 'commit', offset: 130n }])
    expect(loss!.transactional.committed).toBe(0)
  })

  it('a new producer epoch without a marker begins another transaction: the earlier one counts as open, as in the salvage', () => {
    const bumped = (batches: RecordBatch[]) => batches.map((b) => ({ ...b, producerEpoch: 1, records: b.records.map((r) => ({ ...r, producerEpoch: 1 })) }))
    const log = [
      ...fakeBatches({ baseOffset: 0n, records: 100, startMs }),
      ...fakeBatches({ baseOffset: 100n, records: 5, startMs, producerId: 7n, transaction: 'open' }),
      ...bumped(fakeBatches({ baseOffset: 105n, records: 4, startMs, producerId: 7n, transaction: 'commit' })),
    ]
    const [loss] = priceExactLoss({ logEndOffset: 110n, epochs: epochs([0, 0]) }, [{ broker: 3, logEndOffset: 100n, epochs: epochs([0, 0]) }], entries(log))
    expect(loss!.transactional).toEqual({ committed: 4, aborted: 0, open: 5 })
  })

  it('counts from where the epochs part, not the candidate end, after an earlier unclean election', () => {
    const diverged = { logEndOffset: 150n, epochs: epochs([0, 0], [2, 100]) }
    const log = [...fakeBatches({ baseOffset: 0n, records: 100, startMs }), ...fakeBatches({ baseOffset: 100n, records: 50, startMs, leaderEpoch: 2 })]
    const [loss] = priceExactLoss(diverged, [{ broker: 3, logEndOffset: 90n, epochs: epochs([0, 0], [1, 80]) }], entries(log))
    expect(loss).toMatchObject({ fromOffset: 80n, records: 70, truncation: { diverged: true } })
  })

  it('says the count is a lower bound when older-format batches or a damaged batch were met above the cut', () => {
    const [loss] = priceExactLoss(
      dead,
      [{ broker: 3, logEndOffset: 140n, epochs: null }],
      [
        { kind: 'legacy', magic: 1, offset: 145n, sizeBytes: 40, segment: 's', position: 0 },
        { kind: 'invalid', segment: 's', position: 99, reason: 'damaged' },
      ],
    )
    expect(loss).toMatchObject({ atLeast: true, uncounted: ['a magic 1 batch ending at offset 145', 'reading stopped at s byte 99: damaged'] })
  })
})

describe("the plan's cut and what it says, from what is known of a candidate's epochs (its full history, from a dead replica's folder, or its newest epoch)", () => {
  const startMs = Date.parse('2026-11-24T03:00:00Z')
  // The dead leader led epoch 0 from 0, then epoch 2 from 100 (epoch 1 went to another replica it never followed).
  const dead = { logEndOffset: 150n, epochs: epochs([0, 0], [2, 100]) }
  const log = [...fakeBatches({ baseOffset: 0n, records: 100, startMs }), ...fakeBatches({ baseOffset: 100n, records: 50, startMs, leaderEpoch: 2 })]
  const price = (candidate: ReplicaHistory) => {
    const [loss] = priceExactLoss(dead, [{ broker: 3, ...candidate }], entries(log))
    return candidateExactLoss(loss!, { broker: 1, logEndOffset: dead.logEndOffset }, [])
  }
  it.each<{ name: string; candidate: ReplicaHistory; truncateFrom: bigint; records: number; divergedAt: bigint | null; bounded: boolean; says: RegExp | null }>(
    [
      {
        name: 'behind in the dead leader’s newest epoch: a prefix, cut at its end',
        candidate: { logEndOffset: 120n, epochs: null, latestEpoch: 2 },
        truncateFrom: 120n,
        records: 30,
        divergedAt: null,
        bounded: false,
        says: null,
      },
      {
        name: 'stopped in an older epoch the dead leader also had: cut at its end',
        candidate: { logEndOffset: 90n, epochs: null, latestEpoch: 0 },
        truncateFrom: 90n,
        records: 60,
        divergedAt: null,
        bounded: false,
        says: null,
      },
      {
        name: 'went on in epoch 0 past offset 100, where the dead leader had started epoch 2 (a diverged follower): cut at 100, not at its end',
        candidate: { logEndOffset: 120n, epochs: null, latestEpoch: 0 },
        truncateFrom: 100n,
        records: 50,
        divergedAt: 100n,
        bounded: false,
        says: /parts from broker 1's at offset 100/,
      },
      {
        name: 'its full history shows epoch 1 from 80, which the dead leader never had: cut where they part, 10 more lost than its end suggests',
        candidate: { logEndOffset: 90n, epochs: epochs([0, 0], [1, 80]) },
        truncateFrom: 80n,
        records: 70,
        divergedAt: 80n,
        bounded: false,
        says: /parts from broker 1's at offset 80/,
      },
      {
        name: 'its newest epoch (1) is one the dead leader never had, older ones unknown: the cut is only bounded, the count a floor',
        candidate: { logEndOffset: 90n, epochs: null, latestEpoch: 1 },
        truncateFrom: 90n,
        records: 60,
        divergedAt: null,
        bounded: true,
        says: /cut only bounded: the candidate holds records of epoch 1/,
      },
      {
        name: 'led a later epoch (3) after the dead leader died, a second unclean election: bounded at the shorter log',
        candidate: { logEndOffset: 160n, epochs: null, latestEpoch: 3 },
        truncateFrom: 150n,
        records: 0,
        divergedAt: null,
        bounded: true,
        says: /^at least none counted \(cut only bounded: the candidate holds records of epoch 3/,
      },
    ],
  )('$name', ({ candidate, truncateFrom, records, divergedAt, bounded, says }) => {
    const loss = price(candidate)
    expect(loss).toMatchObject({ truncateFrom, records, divergedAt, atLeast: bounded })
    expect(loss.cutBounded !== null).toBe(bounded)
    const text = exactLossText(loss, startMs)
    if (says) expect(text).toMatch(says)
    else expect(text).not.toMatch(/parts from|bounded/)
  })
})
