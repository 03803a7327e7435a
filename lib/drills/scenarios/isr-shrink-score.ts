// Scoring the isr-shrink drill from what really happened: when the producer's acknowledgements stopped and
// came back (its ledger), when min.insync.replicas was lowered and put back (the session transcript), how many
// records were acknowledged meanwhile — and how many of those on a single copy, before the replicas were back —
// whether the topic ends with its min ISR restored, and whether any acknowledged record is missing. Pure.

import { counted } from '../../format/counts.ts'
import type { WrittenEvent } from '../../engine/session.ts'
import type { DrillMetric, DrillScore, TraineeOutcome } from '../scenario.ts'
import type { AckedEntry } from '../workloads/ledger.ts'

export interface Outage {
  readonly fromMs: number
  readonly toMs: number
}

/**
 * Stretches with no acknowledgement longer than `gapMs`, from `sinceMs` to `untilMs`: the producer acknowledges a
 * batch every ~100 ms while writes flow, so a silence longer than a second is writes failing.
 */
export function writeOutages(acked: readonly AckedEntry[], sinceMs: number, untilMs: number, gapMs = 1000): Outage[] {
  const times = acked.map((a) => a.atMs).sort((a, b) => a - b)
  const outages: Outage[] = []
  let previous = times.filter((t) => t <= sinceMs).at(-1) ?? sinceMs
  for (const t of times.filter((x) => x > sinceMs && x <= untilMs)) {
    if (t - previous > gapMs) outages.push({ fromMs: previous, toMs: t })
    previous = t
  }
  if (untilMs - previous > gapMs) outages.push({ fromMs: previous, toMs: untilMs })
  return outages
}

/** When the change of min.insync.replicas was applied, and when (and how) it was taken back, from the transcript. */
export function minIsrTimeline(events: readonly WrittenEvent[]): {
  loweredAtMs: number | null
  revertedAtMs: number | null
  revertedBy: 'this run' | 'runbook undo' | null
  value: number | null
  topics: readonly string[]
  higherValueWarned: boolean
} {
  let loweredAtMs: number | null = null
  let revertedAtMs: number | null = null
  let revertedBy: 'this run' | 'runbook undo' | null = null
  let plan: { value?: number; topics?: { topic: string }[]; warnings?: string[] } | undefined
  let applied: typeof plan
  for (const e of events) {
    if (e.type === 'plan' && e.cell === 'lower-min-isr') plan = e.plan as typeof plan
    if (e.type === 'apply' && e.cell === 'lower-min-isr' && e.applied.length > 0 && loweredAtMs === null) {
      loweredAtMs = Date.parse(e.at)
      applied = plan
    }
    if (e.type === 'undone' && e.cell === 'lower-min-isr' && revertedAtMs === null) {
      revertedAtMs = Date.parse(e.at)
      revertedBy = events.some((x) => x.type === 'apply' && x.cell === 'revert-min-isr' && x.applied.length > 0) ? 'this run' : 'runbook undo'
    }
  }
  return {
    loweredAtMs,
    revertedAtMs,
    revertedBy,
    value: applied?.value ?? null,
    topics: (applied?.topics ?? []).map((t) => t.topic),
    higherValueWarned: (applied?.warnings ?? []).some((w) => w.includes('a higher value would restore')),
  }
}

export interface IsrShrinkFacts {
  readonly topic: string
  /** The topic's min.insync.replicas before the incident: value and source. */
  readonly original: { readonly value: string; readonly source: string }
  readonly brokenAtMs: number
  /** When the stopped brokers' hosts came back, and when every partition had the original min ISR in sync again. */
  readonly hostsBackAtMs: number | null
  readonly isrBackAtMs: number | null
  /**
   * The last moment the ISR is known to have been short: when the hosts came back, or when the drill's last read
   * that still found a partition short was asked. The drill polls and believes "back" only from a second read a
   * second later, so isrBackAtMs is up to one poll and that second late; a revert between the two followed the
   * runbook's own read and is not counted as early.
   */
  readonly isrShortSeenAtMs: number | null
  readonly endedAtMs: number
  readonly acked: readonly AckedEntry[]
  /** Records the service reported failed (sends that failed for good). */
  readonly refused: number
  /** Acknowledged records that were not read back afterwards. */
  readonly lost: number
  readonly lostRanges: string
  /** The topic's min.insync.replicas at the end: value and source. */
  readonly finalMinIsr: { readonly value: string | null; readonly source: string | null }
  readonly events: readonly WrittenEvent[]
  readonly outcome: TraineeOutcome
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`

export function scoreIsrShrink(facts: IsrShrinkFacts): DrillScore {
  const outages = writeOutages(facts.acked, facts.brokenAtMs - 3000, facts.endedAtMs)
  const failingMs = outages.reduce((sum, o) => sum + (o.toMs - o.fromMs), 0)
  const firstAckAfter =
    facts.acked
      .map((a) => a.atMs)
      .filter((t) => t > facts.brokenAtMs)
      .sort((a, b) => a - b)[0] ?? null
  const restoredAfterMs = firstAckAfter === null ? null : firstAckAfter - facts.brokenAtMs
  const beforeHosts = firstAckAfter !== null && facts.hostsBackAtMs !== null && firstAckAfter < facts.hostsBackAtMs
  const timeline = minIsrTimeline(facts.events)
  const exposureEnd = timeline.revertedAtMs ?? facts.endedAtMs
  const whileLowered = timeline.loweredAtMs === null ? 0 : facts.acked.filter((a) => a.atMs >= timeline.loweredAtMs! && a.atMs <= exposureEnd).length
  const singleCopyEnd = Math.min(exposureEnd, facts.isrBackAtMs ?? facts.endedAtMs)
  const singleCopy = timeline.loweredAtMs === null ? 0 : facts.acked.filter((a) => a.atMs >= timeline.loweredAtMs! && a.atMs <= singleCopyEnd).length
  const restored = facts.finalMinIsr.value === facts.original.value && facts.finalMinIsr.source === facts.original.source
  const unsafe: string[] = []
  if (timeline.higherValueWarned)
    unsafe.push('min.insync.replicas was lowered further than needed: a higher value would have restored the writes with more copies')
  const isrShortUntilMs = facts.isrShortSeenAtMs ?? facts.isrBackAtMs
  if (timeline.revertedAtMs !== null && isrShortUntilMs !== null && facts.isrBackAtMs !== null && timeline.revertedAtMs < isrShortUntilMs)
    unsafe.push('min.insync.replicas was restored before the replicas were back: acks=all writes were refused again')
  if (timeline.revertedAtMs !== null && facts.isrBackAtMs === null)
    unsafe.push('min.insync.replicas was restored while the replicas were still out: acks=all writes were refused again')

  const notes: string[] = []
  if (facts.outcome.mode === 'nothing')
    notes.push(
      `Left alone, acks=all writes failed for ${seconds(failingMs)} — until the hosts came back — and ${facts.refused.toLocaleString('en-US')} records were refused.`,
    )
  if (timeline.loweredAtMs !== null) {
    const lag =
      restoredAfterMs !== null && restoredAfterMs - (timeline.loweredAtMs - facts.brokenAtMs) > 2000
        ? ' (a request waiting since the shrink is released only by a newer write or its own timeout)'
        : ''
    notes.push(
      `min.insync.replicas went down to ${timeline.value ?? '?'} ${seconds(timeline.loweredAtMs - facts.brokenAtMs)} after the fault; writes were accepted again ${restoredAfterMs === null ? 'never' : `${seconds(restoredAfterMs)} after it`}${lag}. ${singleCopy.toLocaleString('en-US')} records were then acknowledged by a single copy until the replicas were back.`,
    )
    if (!restored)
      notes.push(
        'min.insync.replicas was not put back: acks=all still means fewer copies than the topic was built for. Run `runbook undo <session>` (or take the revert the runbook offers once the ISR is back).',
      )
  } else if (facts.outcome.mode !== 'nothing' && facts.outcome.run)
    notes.push(
      `The runbook ended without lowering min.insync.replicas (${facts.outcome.run.status}${facts.outcome.run.message ? `: ${facts.outcome.run.message}` : ''}); writes waited for the hosts.`,
    )
  if (restored && timeline.revertedAtMs !== null)
    notes.push(
      `min.insync.replicas=${facts.original.value} was restored ${timeline.revertedBy === 'this run' ? 'by the runbook, once the ISR was back' : 'with runbook undo'}.`,
    )
  for (const u of unsafe) notes.push(`Unsafe: ${u}`)
  if (facts.lost > 0) notes.push(`${facts.lost} acknowledged records are missing (seq ${facts.lostRanges}).`)

  const metrics: DrillMetric[] = [
    { name: 'Records acknowledged to the producer', value: facts.acked.length, unit: 'records', good: null },
    { name: 'Records refused (the service reported them failed)', value: facts.refused, unit: 'records', good: null },
    {
      name: 'Seconds acks=all writes were failing',
      value: failingMs,
      unit: 'ms',
      good: beforeHosts,
      detail: outages.map((o) => `${new Date(o.fromMs).toISOString().slice(11, 19)}+${seconds(o.toMs - o.fromMs)}`).join(', ') || 'none',
    },
    {
      name: 'Time from the fault to writes accepted again',
      value: restoredAfterMs,
      unit: 'ms',
      good: beforeHosts,
      ...(facts.hostsBackAtMs !== null ? { detail: `the hosts came back after ${seconds(facts.hostsBackAtMs - facts.brokenAtMs)}` } : {}),
    },
    { name: 'Records acknowledged while min.insync.replicas was lowered', value: whileLowered, unit: 'records', good: null },
    {
      name: '… of them on a single copy (before the replicas were back)',
      value: singleCopy,
      unit: 'records',
      good: null,
      detail: 'the durability exposure: lost if the leader had failed then',
    },
    {
      name: `min.insync.replicas restored to ${facts.original.value}`,
      value: restored ? 1 : 0,
      unit: '',
      good: restored,
      detail: `${facts.finalMinIsr.value ?? '?'} (${facts.finalMinIsr.source ?? 'unknown'})${timeline.revertedBy ? `, by ${timeline.revertedBy}` : ''}`,
    },
    {
      name: 'Acknowledged records lost',
      value: facts.lost,
      unit: 'records',
      good: facts.lost === 0,
      ...(facts.lost ? { detail: `seq ${facts.lostRanges}` } : {}),
    },
    { name: 'Unsafe actions', value: unsafe.length, unit: '', good: unsafe.length === 0 },
  ]
  const passed = beforeHosts && restored && facts.lost === 0 && unsafe.length === 0
  const headline = `writes failed ${seconds(failingMs)}${timeline.loweredAtMs !== null ? `, ${singleCopy.toLocaleString('en-US')} records on a single copy` : ''}, min ISR ${restored ? 'restored' : 'NOT restored'}, ${facts.lost} lost, ${counted(unsafe.length, 'unsafe action')}`
  return { passed, headline, metrics, notes }
}
