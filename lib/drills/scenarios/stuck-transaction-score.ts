// Scoring the stuck-transaction drill: how long the read_committed consumer was held (from its ledger), what the
// pipeline committed that never reached it (records a wrong choice threw away), what it handled twice, and the
// unsafe moves (a live producer fenced, committed records aborted) — each beside what the best decision costs.
// Pure apart from its inputs.

import { counted } from '../../format/counts.ts'
import { formatSeconds, iso } from '../../format/time.ts'
import type { DrillMetric, DrillScore } from '../scenario.ts'
import { compareLedgers, describeRanges } from '../scoring.ts'
import type { AckedEntry, ProcessedEntry } from '../workloads/ledger.ts'

/** One partition the faulted transaction holds: the consumer stops at `firstOffset` until it ends. */
export interface HeldShare {
  readonly partition: number
  readonly firstOffset: bigint
  readonly records: number
}

export interface StuckTransactionOutcome {
  readonly variant: 'ongoing' | 'hanging'
  readonly brokenAtMs: number
  /** When the score was taken: a partition still held counts as stalled until then. */
  readonly scoredAtMs: number
  readonly held: readonly HeldShare[]
  /** Every record the pipeline's producers committed (their ledgers), and every record the consumer handled. */
  readonly acked: readonly AckedEntry[]
  readonly processed: readonly ProcessedEntry[]
  /** ongoing: when the coordinator aborts the transaction by itself (the cost of waiting); hanging: never (null). */
  readonly coordinatorEndsAtMs: number | null
  /** The way that ends it at no extra cost. */
  readonly bestWay: 'fence' | 'abort'
  /** The runbook's decision, as the transcript has it; null when no decision was made. */
  readonly decision: { readonly chosen: string; readonly recommended: string | null; readonly atMs: number } | null
  /** When a fence or an abort was applied; null if none was. */
  readonly endedAtMs: number | null
  /** Why the pipeline's live producer stopped, if it failed (a fence of its transactional id shows here). */
  readonly liveProducerFailure: string | null
}

/**
 * Records the consumer handled more than once (the same partition and offset), apart from records the producer
 * wrote twice (one sequence number at two offsets: kafkajs retries a whole transactional send when one broker's
 * share of it fails, and the share that had gone through is written again, in the same transaction).
 */
function handledTwice(processed: readonly ProcessedEntry[]): { consumer: number; producer: number } {
  const byOffset = new Map<string, number>()
  const offsetsOfSeq = new Map<number, Set<string>>()
  for (const p of processed) {
    const at = `${p.partition}:${p.offset}`
    byOffset.set(at, (byOffset.get(at) ?? 0) + 1)
    if (p.seq >= 0) offsetsOfSeq.set(p.seq, (offsetsOfSeq.get(p.seq) ?? new Set()).add(at))
  }
  let consumer = 0
  for (const n of byOffset.values()) consumer += n - 1
  let producer = 0
  for (const at of offsetsOfSeq.values()) producer += at.size - 1
  return { consumer, producer }
}

/** When the consumer first handled a record past the held offset of a partition; null while it is still held. */
function resumedAtMs(processed: readonly ProcessedEntry[], share: HeldShare): number | null {
  let first: number | null = null
  for (const p of processed) if (p.partition === share.partition && BigInt(p.offset) >= share.firstOffset && (first === null || p.atMs < first)) first = p.atMs
  return first
}

export function scoreStuckTransaction(o: StuckTransactionOutcome): DrillScore {
  const resumed = o.held.map((share) => ({ share, at: resumedAtMs(o.processed, share) }))
  const stillHeld = resumed.filter((r) => r.at === null).map((r) => r.share)
  const stalledMs = Math.max(0, ...resumed.map((r) => (r.at ?? o.scoredAtMs) - o.brokenAtMs))
  // Committed records behind a partition still held are waiting, not lost.
  const behind = (a: AckedEntry) => stillHeld.some((s) => s.partition === a.partition && BigInt(a.offset) >= s.firstOffset)
  const compared = compareLedgers(o.acked, o.processed)
  const twice = handledTwice(o.processed)
  const handled = new Set(o.processed.map((p) => p.seq))
  const waiting = o.acked.filter((a) => !handled.has(a.seq) && behind(a)).length
  const ackedBySeq = new Map(o.acked.map((a) => [a.seq, a]))
  const discardedCommitted = compared.lost.filter((seq) => !behind(ackedBySeq.get(seq)!))
  const doomedRecords = o.held.reduce((sum, s) => sum + s.records, 0)
  const ended = stillHeld.length === 0

  const unsafe: string[] = []
  if (o.liveProducerFailure !== null) unsafe.push(`the live producer of the pipeline failed (${o.liveProducerFailure}): its open transaction was aborted`)
  if (discardedCommitted.length)
    unsafe.push(`${counted(discardedCommitted.length, 'committed record')} never reached the consumer: a transaction that would have committed was aborted`)

  const bestStallMs = o.decision ? Math.max(0, o.decision.atMs - o.brokenAtMs) : null
  const notes: string[] = []
  const heldNames = o.held.map((s) => s.partition).join(', ')
  if (o.decision) {
    notes.push(
      o.decision.chosen === o.bestWay
        ? `The decision was ${o.decision.chosen}: the best one here${o.endedAtMs !== null ? `, applied ${formatSeconds(o.endedAtMs - o.decision.atMs)} after the runbook offered it` : ''}.`
        : `The decision was ${o.decision.chosen}; ${o.bestWay} was the best one (the runbook recommended ${o.decision.recommended ?? 'none'}).`,
    )
  }
  if (!ended && o.variant === 'ongoing' && o.coordinatorEndsAtMs !== null)
    notes.push(
      `The consumer was still held on partition(s) ${heldNames} at the end: waiting keeps it there until the coordinator aborts the transaction at its timeout, about ${iso(o.coordinatorEndsAtMs)} (${formatSeconds(o.coordinatorEndsAtMs - o.brokenAtMs)} after the kill). Its producer was dead, so a fence discards exactly the same ${counted(doomedRecords, 'record')} now.`,
    )
  if (!ended && o.variant === 'hanging')
    notes.push(
      `The consumer was still held on partition(s) ${heldNames} at the end: no coordinator tracks a hanging transaction, so nothing ends it but an abort marker on the partition (its ${counted(doomedRecords, 'record')} were never going to commit).`,
    )
  if (ended)
    notes.push(
      `The transaction's ${counted(doomedRecords, 'record')} were discarded, as with any way out: ${o.variant === 'ongoing' ? 'its producer was dead, so it could never commit' : 'no coordinator would ever commit it'}.`,
    )
  for (const u of unsafe) notes.push(`Unsafe: ${u}.`)
  if (twice.consumer) notes.push(`The consumer handled ${counted(twice.consumer, 'record')} a second time (the same offsets again).`)
  if (twice.producer)
    notes.push(
      `The producer wrote ${counted(twice.producer, 'record')} twice, both copies committed (kafkajs retried a transactional send after part of it had gone through): not the trainee's doing, and no read_committed setting hides it.`,
    )

  const metrics: DrillMetric[] = [
    { name: 'Records the pipeline committed', value: compared.acked, unit: 'records', good: null },
    {
      name: 'Seconds the read_committed consumer was stalled',
      value: stalledMs,
      unit: 'ms',
      good: ended,
      best: bestStallMs,
      detail: ended ? `partition(s) ${heldNames}` : `still held on partition(s) ${heldNames}`,
    },
    {
      name: 'Records held behind the last stable offset at the end',
      value: waiting,
      unit: 'records',
      good: waiting === 0,
      best: 0,
    },
    {
      name: 'Records of the stuck transaction discarded',
      value: ended ? doomedRecords : 0,
      unit: 'records',
      good: null,
      best: doomedRecords,
      detail: ended ? '' : '(still open)',
    },
    {
      name: 'Committed records aborted (a correct choice keeps them)',
      value: discardedCommitted.length,
      unit: 'records',
      good: discardedCommitted.length === 0,
      best: 0,
      ...(discardedCommitted.length ? { detail: `seq ${describeRanges(discardedCommitted)}` } : {}),
    },
    {
      name: 'Records the consumer handled twice',
      value: twice.consumer,
      unit: 'records',
      good: twice.consumer === 0,
      best: 0,
    },
    { name: 'Records the producer wrote twice (informative)', value: twice.producer, unit: 'records', good: null },
    { name: 'Unsafe actions', value: unsafe.length, unit: '', good: unsafe.length === 0, best: 0 },
  ]
  const passed = ended && unsafe.length === 0 && discardedCommitted.length === 0 && twice.consumer === 0
  return {
    passed,
    headline: `consumer ${ended ? 'stalled' : 'still stalled after'} ${formatSeconds(stalledMs)}${bestStallMs !== null ? ` (best ${formatSeconds(bestStallMs)})` : ''}, ${counted(discardedCommitted.length, 'committed record')} aborted, ${counted(twice.consumer, 'record')} handled twice, ${counted(unsafe.length, 'unsafe action')}`,
    metrics,
    notes,
  }
}
