// The poison-pill drill's judge, on ledgers and samples built by hand: what counts as lost (skipped) versus still
// waiting, a reset of the whole topic found from the committed offsets alone, the lag falling, the loop's effect.

import { describe, expect, it } from 'vitest'
import {
  describeLoopEffect,
  findOutsideSkips,
  lagFallingAtMs,
  type LagSample,
  partitionsDuringLoop,
  scorePoisonPill,
  type PoisonDrillFacts,
} from '../../lib/drills/scenarios/poison-pill-score.ts'
import type { AckedEntry, ProcessedEntry } from '../../lib/drills/workloads/ledger.ts'

// Three partitions, ten orders each (offsets 0-9, seq = partition * 100 + offset); the poison at 1@5 is not an order.
const acked: AckedEntry[] = [0, 1, 2]
  .flatMap((partition) =>
    Array.from({ length: 10 }, (_, o) => ({
      seq: partition * 100 + (partition === 1 && o > 5 ? o - 1 : o),
      partition,
      offset: String(o),
      atMs: 1000 + o * 100,
    })),
  )
  .filter((a) => !(a.partition === 1 && a.offset === '5'))
const poison = { partition: 1, offset: 5n }
const handled = (partition: number, offsets: readonly number[], atMs = 2000): ProcessedEntry[] =>
  offsets.map((o) => ({ seq: acked.find((a) => a.partition === partition && a.offset === String(o))!.seq, partition, offset: String(o), instance: 1, atMs }))
const sample = (atMs: number, committed: readonly number[], logEnd: readonly number[] = [10, 10, 10], members = 0): LagSample => ({
  atMs,
  members,
  committed: new Map(committed.map((c, p) => [p, BigInt(c)])),
  logEnd: new Map(logEnd.map((e, p) => [p, BigInt(e)])),
})
const upTo = (n: number) => Array.from({ length: n }, (_, i) => i)

const facts = (over: Partial<PoisonDrillFacts>): PoisonDrillFacts => ({
  partitions: 3,
  poison,
  acked,
  processed: [...handled(0, upTo(10)), ...handled(1, upTo(5)), ...handled(1, [6, 7, 8, 9], 9000), ...handled(2, upTo(10))],
  samples: [sample(3000, [10, 5, 10], [10, 10, 10], 1), sample(8000, [10, 6, 10]), sample(9500, [10, 10, 10])],
  crashes: [{ atMs: 2500, instance: 1, partition: 1, offset: 5n, error: 'not an order' }],
  pagedAtMs: 6000,
  preservedAt: 'orders.dlq:1@0',
  triedOnActiveGroup: [],
  outcome: { mode: 'follow', run: null },
  ...over,
})
const value = (score: ReturnType<typeof scorePoisonPill>, prefix: string) => score.metrics.find((m) => m.name.startsWith(prefix))!.value

describe('poison-pill score', () => {
  it('the runbook’s way: the poison alone skipped and kept, nothing lost, nothing twice, passed', () => {
    const score = scorePoisonPill(facts({}))
    expect([value(score, 'Records lost'), value(score, 'Poison record preserved'), value(score, 'Records handled twice'), value(score, 'Unsafe')]).toEqual([
      0, 1, 0, 0,
    ])
    expect(value(score, 'Time from the first crash')).toBe(8000 - 2500)
    expect(score.passed).toBe(true)
  })

  it('skipping two records loses the good one after the poison; without a copy the poison is not preserved', () => {
    const score = scorePoisonPill(
      facts({
        processed: [...handled(0, upTo(10)), ...handled(1, upTo(5)), ...handled(1, [7, 8, 9], 9000), ...handled(2, upTo(10))],
        samples: [sample(3000, [10, 5, 10]), sample(8000, [10, 7, 10]), sample(9500, [10, 10, 10])],
        preservedAt: null,
      }),
    )
    expect(value(score, 'Records lost')).toBe(1)
    expect(score.metrics.find((m) => m.name.startsWith('Records lost'))!.detail).toBe('seq 105')
    expect(score.notes.join('\n')).toMatch(/passed 2 records where one was bad/)
    expect(score.passed).toBe(false)
  })

  it('a reset of the whole topic to latest is unsafe, found from the committed offsets alone', () => {
    const processed = [...handled(0, upTo(4)), ...handled(1, upTo(5)), ...handled(2, upTo(6))]
    const samples = [sample(3000, [4, 5, 6]), sample(8000, [10, 10, 10])]
    expect(findOutsideSkips(samples, processed)).toEqual([
      {
        atMs: 8000,
        members: 0,
        moves: [
          { partition: 0, from: 4n, to: 10n, unhandled: 6 },
          { partition: 1, from: 5n, to: 10n, unhandled: 5 },
          { partition: 2, from: 6n, to: 10n, unhandled: 4 },
        ],
      },
    ])
    const score = scorePoisonPill(facts({ processed, samples, preservedAt: null }))
    expect(value(score, 'Unsafe')).toBe(1)
    expect(score.notes.join('\n')).toMatch(/partition 0 \(4 → 10\), partition 2 \(6 → 10\), which were not stuck: a reset of the whole topic/)
    expect(value(score, 'Records lost')).toBe(6 + 4 + 4)
  })

  it('commits the service made itself are not skips; left alone, the orders behind the poison wait and are not lost', () => {
    const processed = [...handled(0, upTo(10)), ...handled(1, upTo(5)), ...handled(2, upTo(10))]
    const samples = [sample(3000, [3, 5, 2], [10, 10, 10], 1), sample(8000, [10, 5, 10], [10, 10, 10], 1)]
    expect(findOutsideSkips(samples, processed)).toEqual([])
    const score = scorePoisonPill(facts({ processed, samples, preservedAt: null, outcome: { mode: 'nothing', run: null } }))
    expect([value(score, 'Records lost'), value(score, 'Orders still waiting'), value(score, 'Time from the first crash')]).toEqual([0, 4, null])
    expect(score.passed).toBe(false)
  })

  it('the lag falls only once the stuck partition is past the poison and the total drops', () => {
    const samples = [sample(1000, [2, 5, 2]), sample(3000, [9, 5, 9]), sample(4000, [9, 6, 9], [12, 12, 12]), sample(5000, [12, 9, 12], [12, 12, 12])]
    expect(lagFallingAtMs(samples, poison, 2000)).toBe(5000)
    expect(lagFallingAtMs(samples.slice(0, 2), poison, 2000)).toBeNull()
  })

  it('says which other partitions starved, fell behind or kept up during the loop', () => {
    const rows = partitionsDuringLoop({
      partitions: 3,
      poisonPartition: 1,
      acked,
      processed: handled(2, [3, 4], 1500),
      samples: [sample(1000, [3, 5, 3]), sample(2000, [3, 5, 5])],
      fromMs: 1000,
      toMs: 2000,
    })
    expect(rows).toEqual([
      { partition: 0, produced: 10, handled: 0, lagAtStart: 7n, lagAtEnd: 7n },
      { partition: 2, produced: 10, handled: 2, lagAtStart: 7n, lagAtEnd: 5n },
    ])
    expect(describeLoopEffect(rows, 1)).toMatch(/partition 0 starved: 0 of 10 .*; partition 2 kept up: 2 of 10/)
  })
})
