// Scoring the lag-retention drill from ledgers and samples: which unhandled records retention deleted and which
// a reset to the log end skipped, the extra disk against the least any decision holds, and the put-back check.

import { describe, expect, it } from 'vitest'
import type { WrittenEvent } from '../../lib/engine/session.ts'
import { scoreLagRetentionDrill, splitLost, type TopicSample } from '../../lib/drills/scenarios/lag-retention-score.ts'
import type { AckedEntry, ProcessedEntry } from '../../lib/drills/workloads/ledger.ts'

const t0 = 1_000_000
// Ten records on partition 0, one a second.
const acked: AckedEntry[] = Array.from({ length: 10 }, (_, i) => ({ seq: i, partition: 0, offset: String(i), atMs: t0 + i * 1000 }))
const handled = (seqs: readonly number[], atMs: number): ProcessedEntry[] => seqs.map((seq) => ({ seq, partition: 0, offset: String(seq), instance: 1, atMs }))
const sample = (atMs: number, logStart: number, bytes: number, records = 10 - logStart): TopicSample => ({
  atMs,
  logStarts: { 0: String(logStart) },
  bytes,
  records,
})

describe('splitting the records the service never handled', () => {
  it('deleted when the log start passed them before the service handled the next record; skipped when still on disk', () => {
    // Handled 0-1; retention deleted 2-4 (log start 5 at t0+20 s); the reset to the end skipped 5-7; handled 8-9.
    const processed = [...handled([0, 1], t0 + 2000), ...handled([8, 9], t0 + 21_000)]
    const lost = splitLost({ acked, processed, samples: [sample(t0 + 10_000, 0, 100), sample(t0 + 20_000, 5, 100), sample(t0 + 30_000, 9, 100)] })
    expect(lost).toEqual({ deleted: [2, 3, 4], skipped: [5, 6, 7] })
  })

  it('counts nothing when every record was handled', () => {
    expect(
      splitLost({
        acked,
        processed: handled(
          acked.map((a) => a.seq),
          t0 + 12_000,
        ),
        samples: [],
      }),
    ).toEqual({ deleted: [], skipped: [] })
  })
})

describe('the score', () => {
  const raisedAt = new Date(t0 + 5000).toISOString()
  const events = [{ type: 'apply', cell: 'raise-retention', applied: ['x'], failed: [], at: raisedAt }] as unknown as WrittenEvent[]
  const base = {
    acked,
    // Records 0-4 handled 25 s after their write: kept past a 20 s retention by the raise.
    processed: [...handled([0, 1, 2, 3, 4], t0 + 25_000), ...handled([5, 6, 7, 8, 9], t0 + 26_000)],
    samples: [sample(t0 + 4000, 0, 3000), sample(t0 + 8000, 0, 4500), sample(t0 + 12_000, 0, 6000)],
    brokenAtMs: t0,
    pagedAtMs: t0 + 3000,
    retentionMs: 20_000,
    replicationFactor: 3,
    events,
    outcome: { mode: 'follow' as const, run: null },
  }

  it('passes with nothing lost and the retention put back; extra disk against the least any decision holds', () => {
    const score = scoreLagRetentionDrill({ ...base, retentionAfter: { value: '20000', source: 'dynamic-topic' } })
    expect(score.passed).toBe(true)
    const extra = score.metrics.find((m) => m.name.startsWith('Extra disk'))!
    expect(extra.value).toBe(6000 - 3000)
    // 6000 bytes for 10 records on 3 replicas: 200 bytes a record; records 0-5 were read more than 20 s after their write.
    expect(extra.detail).toMatch(/about 3600 bytes \(6 records/)
    expect(score.metrics.find((m) => m.name === 'Time from the outage to safety')!.value).toBe(5000)
  })

  it('fails while the retention is still raised', () => {
    const score = scoreLagRetentionDrill({ ...base, retentionAfter: { value: '300000', source: 'dynamic-topic' } })
    expect(score.passed).toBe(false)
    expect(score.headline).toMatch(/still raised/)
  })
})
