// Scoring the isr-shrink drill: outages from the producer's ledger, the lowering and its revert from the
// transcript, the single-copy exposure, and what passes.

import { describe, expect, it } from 'vitest'
import type { WrittenEvent } from '../../lib/engine/session.ts'
import { type IsrShrinkFacts, minIsrTimeline, scoreIsrShrink, writeOutages } from '../../lib/drills/scenarios/isr-shrink-score.ts'
import type { AckedEntry } from '../../lib/drills/workloads/ledger.ts'

const t0 = Date.parse('2026-11-24T03:00:00Z')
const at = (s: number) => new Date(t0 + s * 1000).toISOString()
/** One acknowledgement every 100 ms over [from, to) seconds. */
const acks = (from: number, to: number): AckedEntry[] =>
  Array.from({ length: Math.round((to - from) * 10) }, (_, i) => ({ seq: i, partition: 0, offset: String(i), atMs: t0 + from * 1000 + i * 100 }))
let seq = 0
const event = (e: Record<string, unknown>, s: number) => ({ seq: ++seq, at: at(s), prev: '', hash: '', ...e }) as unknown as WrittenEvent

const lowered = (s: number, warnings: string[] = []) => [
  event({ type: 'plan', cell: 'lower-min-isr', plan: { value: 1, topics: [{ topic: 'p' }], warnings }, planHash: 'x', summary: '' }, s - 1),
  event({ type: 'apply', cell: 'lower-min-isr', applied: ['p'], failed: [] }, s),
]
const revertedInRun = (s: number) => [
  event({ type: 'apply', cell: 'revert-min-isr', applied: ['p'], failed: [] }, s),
  event({ type: 'undone', cell: 'lower-min-isr', bySession: 'same' }, s),
]

function facts(over: Partial<IsrShrinkFacts>): IsrShrinkFacts {
  return {
    topic: 'p',
    original: { value: '2', source: 'dynamic-topic' },
    brokenAtMs: t0 + 10_000,
    hostsBackAtMs: t0 + 55_000,
    isrBackAtMs: t0 + 56_000,
    isrShortSeenAtMs: t0 + 55_700,
    endedAtMs: t0 + 70_000,
    acked: [...acks(0, 10), ...acks(25, 70)],
    refused: 0,
    lost: 0,
    lostRanges: '',
    finalMinIsr: { value: '2', source: 'dynamic-topic' },
    events: [...lowered(20), ...revertedInRun(57)],
    outcome: { mode: 'follow', run: null, startedAtMs: t0 + 12_000, endedAtMs: t0 + 58_000 },
    ...over,
  }
}

const metric = (score: ReturnType<typeof scoreIsrShrink>, prefix: string) => score.metrics.find((m) => m.name.startsWith(prefix))!

describe('writeOutages', () => {
  it.each([
    { name: 'steady writes: none', acked: acks(0, 10), until: 10, expected: [] },
    { name: 'one silence', acked: [...acks(0, 5), ...acks(8, 10)], until: 10, expected: [[4.9, 8]] },
    { name: 'silent to the end', acked: acks(0, 5), until: 9, expected: [[4.9, 9]] },
  ])('$name', ({ acked, until, expected }) => {
    expect(writeOutages(acked, t0, t0 + until * 1000).map((o) => [(o.fromMs - t0) / 1000, (o.toMs - t0) / 1000])).toEqual(expected)
  })
})

describe('minIsrTimeline', () => {
  it('reads the lowering, its value and topics, and who reverted it', () => {
    expect(minIsrTimeline([...lowered(20), ...revertedInRun(57)])).toMatchObject({
      loweredAtMs: t0 + 20_000,
      revertedAtMs: t0 + 57_000,
      revertedBy: 'this run',
      value: 1,
      topics: ['p'],
    })
    expect(minIsrTimeline([...lowered(20), event({ type: 'undone', cell: 'lower-min-isr', bySession: 'undo-1' }, 90)])).toMatchObject({
      revertedBy: 'runbook undo',
      revertedAtMs: t0 + 90_000,
    })
    expect(minIsrTimeline([])).toMatchObject({ loweredAtMs: null, revertedAtMs: null })
  })
})

describe('scoreIsrShrink', () => {
  it('passes a lowering that brought writes back before the hosts, with the revert once the ISR was back', () => {
    const score = scoreIsrShrink(facts({}))
    expect(score.passed).toBe(true)
    expect(metric(score, 'Seconds acks=all writes were failing')).toMatchObject({ value: 15_100, good: true })
    // Acknowledged between the lowering (20 s) and the revert (57 s), bounds included; on a single copy until the ISR was back (56 s).
    expect(metric(score, 'Records acknowledged while').value).toBe(321)
    expect(metric(score, '… of them on a single copy').value).toBe(311)
    expect(metric(score, 'min.insync.replicas restored').good).toBe(true)
  })

  it('fails a lowering never put back', () => {
    const score = scoreIsrShrink(facts({ events: lowered(20), finalMinIsr: { value: '1', source: 'dynamic-topic' } }))
    expect(score.passed).toBe(false)
    expect(metric(score, 'min.insync.replicas restored')).toMatchObject({ value: 0, good: false })
    expect(score.notes.join(' ')).toContain('was not put back')
  })

  it('counts a revert before the replicas were back, and a value lower than needed, as unsafe', () => {
    const early = scoreIsrShrink(facts({ events: [...lowered(20), ...revertedInRun(40)] }))
    expect(metric(early, 'Unsafe actions').value).toBe(1)
    const tooLow = scoreIsrShrink(
      facts({
        events: [
          ...lowered(20, ['3 of the failing partitions have 2 or more replicas in sync: a higher value would restore their writes with more copies']),
          ...revertedInRun(57),
        ],
      }),
    )
    expect(metric(tooLow, 'Unsafe actions').value).toBe(1)
    expect(tooLow.passed).toBe(false)
  })

  it('judges a revert by the last read that still found the ISR short, not by when the polling drill saw it back', () => {
    // The runbook read the ISR back at 55.8 s and restored at 55.9 s; the drill's next poll saw it at 56.0 s.
    const betweenReads = scoreIsrShrink(facts({ events: [...lowered(20), ...revertedInRun(55.9)] }))
    expect(metric(betweenReads, 'Unsafe actions').value).toBe(0)
    expect(betweenReads.passed).toBe(true)
    // A read asked after the restore still found a partition short: restored too early.
    const beforeLastShort = scoreIsrShrink(facts({ events: [...lowered(20), ...revertedInRun(55.6)] }))
    expect(metric(beforeLastShort, 'Unsafe actions').value).toBe(1)
    // Before the hosts were back the ISR cannot have been whole, whatever the first read after found.
    const beforeHosts = scoreIsrShrink(facts({ events: [...lowered(20), ...revertedInRun(54)], isrShortSeenAtMs: t0 + 55_000 }))
    expect(metric(beforeHosts, 'Unsafe actions').value).toBe(1)
  })

  it('doing nothing: writes fail until the hosts return, which does not pass', () => {
    const score = scoreIsrShrink(
      facts({ acked: [...acks(0, 10), ...acks(56, 70)], events: [], refused: 2000, outcome: { mode: 'nothing', run: null, startedAtMs: t0, endedAtMs: t0 } }),
    )
    expect(score.passed).toBe(false)
    expect(metric(score, 'Seconds acks=all writes were failing')).toMatchObject({ value: 46_100, good: false })
    expect(score.notes[0]).toContain('Left alone')
  })

  it('reports acknowledged records that were not read back', () => {
    const score = scoreIsrShrink(facts({ lost: 3, lostRanges: '5-7' }))
    expect(score.passed).toBe(false)
    expect(metric(score, 'Acknowledged records lost')).toMatchObject({ value: 3, detail: 'seq 5-7' })
  })
})
