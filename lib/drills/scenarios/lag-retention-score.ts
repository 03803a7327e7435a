// Scoring the lag-retention drill: from the producer's and the service's ledgers and the samples taken while it
// ran (each partition's log start, the topic's bytes on every broker from DescribeLogDirs), how many records were
// deleted before the group read them, how many an offset reset skipped while they were still on disk, the extra
// disk a raised retention held at its peak, whether the retention was put back, and when the records were safe —
// each beside what the best decision would have cost. Pure apart from its inputs.

import { counted } from '../../format/counts.ts'
import type { WrittenEvent } from '../../engine/session.ts'
import type { DrillScore, TraineeOutcome } from '../scenario.ts'
import { appliedAtMs, compareLedgers, describeRanges } from '../scoring.ts'
import type { AckedEntry, ProcessedEntry } from '../workloads/ledger.ts'

/** One reading of the topic while the drill ran. */
export interface TopicSample {
  readonly atMs: number
  /** Log start per partition ("0" → offset as a decimal string). */
  readonly logStarts: Readonly<Record<string, string>>
  /** Bytes of the topic's replicas on every broker's log directories (DescribeLogDirs); null when unreadable. */
  readonly bytes: number | null
  /** Records on disk over every partition (log end − log start), for bytes per record. */
  readonly records: number
}

export interface LagRetentionScoreInput {
  readonly acked: readonly AckedEntry[]
  readonly processed: readonly ProcessedEntry[]
  readonly samples: readonly TopicSample[]
  readonly brokenAtMs: number
  readonly pagedAtMs: number
  readonly retentionMs: number
  readonly replicationFactor: number
  /** retention.ms and its source as the drill left it. */
  readonly retentionAfter: { readonly value: string | null; readonly source: string }
  readonly events: readonly WrittenEvent[]
  readonly outcome: Pick<TraineeOutcome, 'mode' | 'run'>
}

export interface LostRecords {
  /** Deleted by retention before the group read them. */
  readonly deleted: readonly number[]
  /** Still on disk when the service jumped past them (its position reset to the log end). */
  readonly skipped: readonly number[]
}

/**
 * Splits the records the service never handled: deleted unread when the log start had passed the record by the
 * time the service handled the next record of its partition; skipped by the reset otherwise.
 */
export function splitLost(input: Pick<LagRetentionScoreInput, 'acked' | 'processed' | 'samples'>): LostRecords {
  const { lost } = compareLedgers(input.acked, input.processed)
  const bySeq = new Map(input.acked.map((a) => [a.seq, a]))
  const handled = new Map<number, ProcessedEntry[]>()
  for (const p of input.processed) handled.set(p.partition, [...(handled.get(p.partition) ?? []), p])
  const deleted: number[] = []
  const skipped: number[] = []
  for (const seq of lost) {
    const record = bySeq.get(seq)!
    const offset = BigInt(record.offset)
    const next = (handled.get(record.partition) ?? []).filter((p) => BigInt(p.offset) > offset).sort((a, b) => a.atMs - b.atMs)[0]
    const until = next?.atMs ?? Number.POSITIVE_INFINITY
    const gone = input.samples.some((s) => s.atMs <= until && BigInt(s.logStarts[record.partition] ?? '0') > offset)
    ;(gone || next === undefined ? deleted : skipped).push(seq)
  }
  return { deleted, skipped }
}

const mib = (bytes: number) => `${(bytes / 1_048_576).toFixed(2)} MiB`

export function scoreLagRetentionDrill(input: LagRetentionScoreInput): DrillScore {
  const { deleted, skipped } = splitLost(input)
  const raisedAt = appliedAtMs(input.events, 'raise-retention')
  const movedAt = appliedAtMs(input.events, 'move-to-log-start')
  const revertedInRun = appliedAtMs(input.events, 'revert-retention')
  const safeAt = raisedAt ?? movedAt
  const putBack = input.retentionAfter.source === 'dynamic-topic' && input.retentionAfter.value === String(input.retentionMs)
  const before = input.samples.filter((s) => s.atMs <= (raisedAt ?? input.pagedAtMs) && s.bytes !== null).map((s) => s.bytes!)
  const after = input.samples.filter((s) => raisedAt !== null && s.atMs > raisedAt && s.bytes !== null).map((s) => s.bytes!)
  const extraBytes = before.length && after.length ? Math.max(0, Math.max(...after) - Math.max(...before)) : 0
  // The least any decision could hold: the records the group read later than the old retention after their write,
  // which had to stay on disk past it (on every replica), at the bytes per record measured.
  const sized = input.samples.filter((s) => s.bytes !== null && s.records > 0)
  const perRecord = sized.length ? sized.at(-1)!.bytes! / sized.at(-1)!.records / input.replicationFactor : 0
  const ackedAt = new Map(input.acked.map((a) => [a.seq, a.atMs]))
  const keptLate = new Set(input.processed.filter((p) => p.atMs - (ackedAt.get(p.seq) ?? p.atMs) > input.retentionMs).map((p) => p.seq)).size
  const bestExtra = Math.round(keptLate * perRecord * input.replicationFactor)
  const notes: string[] = []
  if (input.outcome.mode === 'nothing')
    notes.push(
      `Left alone, retention deleted ${counted(deleted.length, 'record')} the service had not read, and its position reset to the log end skipped ${counted(skipped.length, 'more record')} still on disk — and its lag looked normal afterwards.`,
    )
  if (safeAt !== null && deleted.length > 0)
    notes.push(
      'The retention went up after retention had already taken unread records: raise it before the first unread segment is due (the race table says when).',
    )
  if (safeAt !== null && deleted.length + skipped.length === 0)
    notes.push(`Every record was read: the raise kept the backlog on disk until the service caught up, holding ${mib(extraBytes)} more at the peak.`)
  if (raisedAt !== null && !putBack)
    notes.push(
      'The retention is still raised: put it back once the group has read what it kept (runbook undo <session>), or the topic keeps more on disk for good.',
    )
  if (input.outcome.run && safeAt === null)
    notes.push(`The runbook ended without a change (${input.outcome.run.status}${input.outcome.run.message ? `: ${input.outcome.run.message}` : ''}).`)
  const lost = deleted.length + skipped.length
  return {
    passed: lost === 0 && (raisedAt === null || putBack),
    headline: `${deleted.length} deleted unread, ${skipped.length} skipped by a reset, ${safeAt === null ? 'not made safe' : `safe ${((safeAt - input.brokenAtMs) / 1000).toFixed(1)} s after the outage began`}, retention ${putBack ? 'put back' : raisedAt === null ? 'unchanged' : 'still raised'}`,
    metrics: [
      { name: 'Records acknowledged to the producer', value: input.acked.length, unit: 'records', good: null },
      {
        name: 'Records deleted before the group read them',
        value: deleted.length,
        unit: 'records',
        good: deleted.length === 0,
        detail: `best decision: 0${deleted.length ? `; seq ${describeRanges(deleted)}` : ''}`,
      },
      {
        name: 'Records skipped by an offset reset',
        value: skipped.length,
        unit: 'records',
        good: skipped.length === 0,
        detail: `best decision: 0${skipped.length ? `; seq ${describeRanges(skipped)}` : ''}`,
      },
      {
        name: 'Extra disk at the peak (DescribeLogDirs, every replica)',
        value: extraBytes,
        unit: 'bytes',
        good: null,
        detail: `best decision: about ${bestExtra} bytes (${counted(keptLate, 'record')} read later than the old retention, ${perRecord.toFixed(0)} bytes each, ${input.replicationFactor} replicas)`,
      },
      {
        name: 'Retention put back',
        value: putBack ? 1 : 0,
        unit: '',
        good: raisedAt === null ? null : putBack,
        detail: `retention.ms ${input.retentionAfter.value ?? 'unset'} (${input.retentionAfter.source})${revertedInRun !== null ? ', put back in the run' : ''}`,
      },
      {
        name: 'Time from the outage to safety',
        value: safeAt === null ? null : safeAt - input.brokenAtMs,
        unit: 'ms',
        good: safeAt !== null && deleted.length === 0,
        detail: 'best decision: before the first unread segment is due',
      },
    ],
    notes,
  }
}
