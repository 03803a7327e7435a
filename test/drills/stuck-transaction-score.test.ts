import { describe, expect, it } from 'vitest'
import { chooseVariant } from '../../lib/drills/drill.ts'
import { drillReportBlocks, type DrillReport } from '../../lib/drills/report.ts'
import { scoreStuckTransaction, type StuckTransactionOutcome } from '../../lib/drills/scenarios/stuck-transaction-score.ts'
import { stuckTransactionScenario } from '../../lib/drills/scenarios/stuck-transaction.ts'
import { consumerOomScenario } from '../../lib/drills/scenarios/consumer-oom.ts'
import { blocksToMarkdown } from '../../lib/engine/markdown.ts'

const t0 = Date.parse('2026-12-06T05:00:00.000Z')
const s = (seconds: number) => t0 + seconds * 1000

/** Partition 0: committed records at offsets 0-9 (seq = offset); the stuck transaction starts at 10, committed ones follow at 14-19. */
const acked = [...Array.from({ length: 10 }, (_, i) => i), ...Array.from({ length: 6 }, (_, i) => 14 + i)].map((offset) => ({
  seq: offset,
  partition: 0,
  offset: String(offset),
  atMs: s(0),
}))
const handled = (offsets: readonly number[], atSeconds: number) =>
  offsets.map((offset) => ({ seq: offset, partition: 0, offset: String(offset), instance: 1, atMs: s(atSeconds) }))
const before = Array.from({ length: 10 }, (_, i) => i)
const after = Array.from({ length: 6 }, (_, i) => 14 + i)

const outcome = (over: Partial<StuckTransactionOutcome>): StuckTransactionOutcome => ({
  variant: 'ongoing',
  brokenAtMs: s(0),
  scoredAtMs: s(60),
  held: [{ partition: 0, firstOffset: 10n, records: 4 }],
  acked,
  processed: [...handled(before, 0), ...handled(after, 25)],
  coordinatorEndsAtMs: s(600),
  bestWay: 'fence',
  decision: { chosen: 'fence', recommended: 'fence', atMs: s(20) },
  endedAtMs: s(23),
  liveProducerFailure: null,
  ...over,
})
const value = (score: ReturnType<typeof scoreStuckTransaction>, prefix: string) => score.metrics.find((m) => m.name.startsWith(prefix))!

describe('scoreStuckTransaction', () => {
  it('the best decision: stalled until the consumer handled a record past the held offset, beside the time the runbook decided', () => {
    const score = scoreStuckTransaction(outcome({}))
    expect(score.passed).toBe(true)
    expect(value(score, 'Seconds the read_committed consumer was stalled')).toMatchObject({ value: 25_000, best: 20_000, good: true })
    expect(value(score, 'Records of the stuck transaction discarded')).toMatchObject({ value: 4, best: 4 })
    expect(value(score, 'Records held behind')).toMatchObject({ value: 0 })
    expect(score.notes[0]).toBe('The decision was fence: the best one here, applied 3.0 s after the runbook offered it.')
  })

  it('waiting: still held at the end, the records behind the offset wait (not lost), the coordinator’s deadline in the debrief', () => {
    const score = scoreStuckTransaction(
      outcome({ processed: handled(before, 0), decision: { chosen: 'wait', recommended: 'fence', atMs: s(20) }, endedAtMs: null }),
    )
    expect(score.passed).toBe(false)
    expect(value(score, 'Seconds the read_committed consumer was stalled')).toMatchObject({ value: 60_000, good: false })
    expect(value(score, 'Records held behind')).toMatchObject({ value: 6, good: false })
    expect(value(score, 'Committed records aborted')).toMatchObject({ value: 0 })
    expect(value(score, 'Records of the stuck transaction discarded')).toMatchObject({ value: 0, detail: '(still open)' })
    expect(score.notes.join('\n')).toContain('The decision was wait; fence was the best one (the runbook recommended fence).')
    expect(score.notes.join('\n')).toContain('2026-12-06T05:10:00Z (10.0 min after the kill)')
  })

  it('committed records that never arrive on a partition that moved on, and a fenced live producer, are unsafe', () => {
    const score = scoreStuckTransaction(
      outcome({ processed: [...handled(before, 0), ...handled([14, 15], 25)], liveProducerFailure: 'The producer has been fenced' }),
    )
    expect(score.passed).toBe(false)
    expect(value(score, 'Committed records aborted')).toMatchObject({ value: 4, detail: 'seq 16-19' })
    expect(value(score, 'Unsafe actions')).toMatchObject({ value: 2, good: false })
  })

  it('the same offset handled twice fails the drill; one sequence number at two offsets is the producer’s duplicate, reported apart', () => {
    const again = scoreStuckTransaction(outcome({ processed: [...handled(before, 0), ...handled(after, 25), ...handled([3], 26)] }))
    expect(value(again, 'Records the consumer handled twice').value).toBe(1)
    expect(again.passed).toBe(false)
    const written = [...handled(before, 0), ...handled(after, 25), { seq: 3, partition: 0, offset: '20', instance: 1, atMs: s(26) }]
    const twice = scoreStuckTransaction(outcome({ processed: written }))
    expect(value(twice, 'Records the consumer handled twice').value).toBe(0)
    expect(value(twice, 'Records the producer wrote twice').value).toBe(1)
    expect(twice.passed).toBe(true)
    expect(twice.notes.join('\n')).toContain('The producer wrote 1 record twice')
  })

  it('hanging and nobody acted: no decision to compare with, the debrief says only an abort ends it', () => {
    const score = scoreStuckTransaction(
      outcome({ variant: 'hanging', bestWay: 'abort', coordinatorEndsAtMs: null, decision: null, endedAtMs: null, processed: handled(before, 0) }),
    )
    expect(value(score, 'Seconds the read_committed consumer was stalled').best).toBeNull()
    expect(score.notes.join('\n')).toContain('nothing ends it but an abort marker')
  })
})

describe('drill variants', () => {
  it('the first variant unless one is asked for; an unknown one, or one for a scenario without variants, is a one-line error', () => {
    const stuck = stuckTransactionScenario()
    expect(chooseVariant(stuck, undefined)).toEqual({ variant: 'ongoing' })
    expect(chooseVariant(stuck, 'hanging')).toEqual({ variant: 'hanging' })
    expect(chooseVariant(stuck, 'lost')).toEqual({ error: 'stuck-transaction has no variant "lost" — one of ongoing, hanging' })
    expect(chooseVariant(consumerOomScenario(), undefined)).toEqual({ variant: null })
    expect(chooseVariant(consumerOomScenario(), 'x')).toEqual({ error: 'consumer-oom has no variants — leave out --variant' })
  })

  it('the report names the variant and shows what the best decision costs beside each measure', () => {
    const report: DrillReport = {
      drillId: '20261206-050000-stuck-transaction-abc123',
      scenario: { id: 'stuck-transaction', title: 'Stuck', variant: 'hanging' },
      runbook: 'stuck-transactions',
      mode: 'follow',
      sandbox: { name: 's', bootstrap: '127.0.0.1:1', kafkaVersion: '4.3.1', reused: true },
      brokenAt: '',
      traineeStartedAt: '',
      traineeEndedAt: '',
      finishedAt: '',
      session: null,
      score: scoreStuckTransaction(outcome({})),
      timeline: [],
      dir: '/tmp/x',
    }
    const text = blocksToMarkdown(drillReportBlocks(report))
    expect(text).toContain('stuck-transaction, variant hanging')
    expect(text).toMatch(/Best decision/)
    expect(text).toMatch(/Seconds the read_committed consumer was stalled \| +25\.0 s \| +20\.0 s/)
  })
})
