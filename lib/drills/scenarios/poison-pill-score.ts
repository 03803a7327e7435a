// Scoring the poison-pill drill from what really happened: the producer's and the service's ledgers, the group's
// committed offsets sampled every second through the incident, the crashes the orchestrator saw, the dead-letter
// copy found on the cluster, and the unsafe tries the transcript shows. No answer of the trainee counts here.
// Pure: the scenario reads, this judges.

import { counted } from '../../format/counts.ts'
import type { DrillMetric, DrillScore, TraineeOutcome } from '../scenario.ts'
import { compareLedgers, describeRanges, type UnsafeAction } from '../scoring.ts'
import type { Crash } from '../restart-loop.ts'
import type { AckedEntry, ProcessedEntry } from '../workloads/ledger.ts'

/** The group as one sample saw it: members, and per partition the committed offset and the log end. */
export interface LagSample {
  readonly atMs: number
  readonly members: number
  readonly committed: ReadonlyMap<number, bigint>
  readonly logEnd: ReadonlyMap<number, bigint>
}

/** Committed offsets that moved past records the service never handled: someone else committed them. */
export interface OutsideSkip {
  readonly atMs: number
  /** Members in both samples around the move (the smaller): Kafka refuses an outside commit to a group with members, so above 0 it was members' own. */
  readonly members: number
  readonly moves: readonly { readonly partition: number; readonly from: bigint; readonly to: bigint; readonly unhandled: number }[]
}

/** How one of the other partitions fared while the service crash-looped. */
export interface PartitionDuringLoop {
  readonly partition: number
  readonly produced: number
  readonly handled: number
  readonly lagAtStart: bigint | null
  readonly lagAtEnd: bigint | null
}

const lagOf = (s: LagSample, partition: number): bigint | null => {
  const c = s.committed.get(partition)
  const e = s.logEnd.get(partition)
  return c === undefined || e === undefined ? null : e > c ? e - c : 0n
}

export const totalLag = (s: LagSample): bigint => [...s.logEnd.keys()].reduce((sum, p) => sum + (lagOf(s, p) ?? 0n), 0n)

/** Per partition other than the poisoned one: records produced and handled in [fromMs, toMs], lag at both ends. */
export function partitionsDuringLoop(input: {
  readonly partitions: number
  readonly poisonPartition: number
  readonly acked: readonly AckedEntry[]
  readonly processed: readonly ProcessedEntry[]
  readonly samples: readonly LagSample[]
  readonly fromMs: number
  readonly toMs: number
}): PartitionDuringLoop[] {
  const inside = (atMs: number) => atMs >= input.fromMs && atMs <= input.toMs
  const window = input.samples.filter((s) => inside(s.atMs))
  const out: PartitionDuringLoop[] = []
  for (let partition = 0; partition < input.partitions; partition++) {
    if (partition === input.poisonPartition) continue
    out.push({
      partition,
      produced: input.acked.filter((a) => a.partition === partition && inside(a.atMs)).length,
      handled: new Set(input.processed.filter((p) => p.partition === partition && inside(p.atMs)).map((p) => p.offset)).size,
      lagAtStart: window.length ? lagOf(window[0]!, partition) : null,
      lagAtEnd: window.length ? lagOf(window[window.length - 1]!, partition) : null,
    })
  }
  return out
}

/** Whether a partition starved (nothing handled), fell behind (its lag grew) or kept up during the crash loop. */
export function loopVerdict(r: PartitionDuringLoop): 'starved' | 'fell behind' | 'kept up' {
  if (r.produced > 0 && r.handled === 0) return 'starved'
  return r.lagAtStart !== null && r.lagAtEnd !== null && r.lagAtEnd > r.lagAtStart ? 'fell behind' : 'kept up'
}

/** One sentence for the page and the debrief: how the other partitions fared while the service crash-looped. */
export function describeLoopEffect(rows: readonly PartitionDuringLoop[], seconds: number): string {
  if (rows.length === 0) return 'The topic has no other partitions.'
  const each = rows.map(
    (r) => `partition ${r.partition} ${loopVerdict(r)}: ${r.handled} of ${r.produced} new records handled, lag ${r.lagAtStart ?? '?'} → ${r.lagAtEnd ?? '?'}`,
  )
  const verdicts = new Set(rows.map(loopVerdict))
  const why =
    verdicts.size === 1 && verdicts.has('starved')
      ? 'each restart dies on the bad record before it reaches the others'
      : verdicts.has('kept up') && verdicts.size === 1
        ? 'each restart handles what it fetched from them before it reaches the bad record'
        : 'they move only between a restart and the next crash, and every rejoin costs them time'
  return `In ${seconds} s of crash loop (${why}): ${each.join('; ')}.`
}

/** Moves of the committed offsets, between consecutive samples, past offsets the service never handled. */
export function findOutsideSkips(samples: readonly LagSample[], processed: readonly ProcessedEntry[]): OutsideSkip[] {
  const handled = new Map<number, Set<string>>()
  for (const p of processed) {
    let set = handled.get(p.partition)
    if (!set) handled.set(p.partition, (set = new Set()))
    set.add(p.offset)
  }
  const skips: OutsideSkip[] = []
  for (let i = 1; i < samples.length; i++) {
    const before = samples[i - 1]!
    const after = samples[i]!
    const moves: OutsideSkip['moves'][number][] = []
    for (const [partition, to] of after.committed) {
      const from = before.committed.get(partition)
      if (from === undefined || to <= from) continue
      let unhandled = 0
      for (let o = from; o < to; o++) if (!handled.get(partition)?.has(o.toString())) unhandled++
      if (unhandled > 0) moves.push({ partition, from, to, unhandled })
    }
    if (moves.length) skips.push({ atMs: after.atMs, members: Math.min(before.members, after.members), moves })
  }
  return skips
}

/** When the group's lag first fell after the first crash: the stuck partition past the poison and less lag than a second before. */
export function lagFallingAtMs(samples: readonly LagSample[], poison: { partition: number; offset: bigint }, firstCrashMs: number): number | null {
  for (let i = 1; i < samples.length; i++) {
    const s = samples[i]!
    if (s.atMs < firstCrashMs) continue
    const committed = s.committed.get(poison.partition)
    if (committed !== undefined && committed > poison.offset && totalLag(s) < totalLag(samples[i - 1]!)) return s.atMs
  }
  return null
}

export interface PoisonDrillFacts {
  readonly partitions: number
  readonly poison: { readonly partition: number; readonly offset: bigint }
  readonly acked: readonly AckedEntry[]
  readonly processed: readonly ProcessedEntry[]
  readonly samples: readonly LagSample[]
  readonly crashes: readonly Crash[]
  readonly pagedAtMs: number
  /** Where a byte-equal copy of the poison record was found (topic:partition@offset), or null. */
  readonly preservedAt: string | null
  /** Unsafe tries the transcript shows (a skip refused because members were active). */
  readonly triedOnActiveGroup: readonly UnsafeAction[]
  readonly outcome: Pick<TraineeOutcome, 'mode' | 'run'>
}

export function scorePoisonPill(facts: PoisonDrillFacts): DrillScore {
  const compared = compareLedgers(facts.acked, facts.processed)
  // An unhandled order below the final committed offset was skipped for good; at or above it, it still waits.
  const final = facts.samples[facts.samples.length - 1]
  const bySeq = new Map(facts.acked.map((a) => [a.seq, a]))
  const skippedSeqs = compared.lost.filter((seq) => {
    const a = bySeq.get(seq)!
    const committed = final?.committed.get(a.partition)
    return committed !== undefined && BigInt(a.offset) < committed
  })
  const waiting = compared.lost.length - skippedSeqs.length
  const lost = skippedSeqs.length
  const firstCrash = facts.crashes[0]?.atMs ?? null
  const fellAt = firstCrash === null ? null : lagFallingAtMs(facts.samples, facts.poison, firstCrash)
  const skips = findOutsideSkips(facts.samples, facts.processed)
  const unsafe: UnsafeAction[] = [...facts.triedOnActiveGroup]
  for (const skip of skips) {
    const others = skip.moves.filter((m) => m.partition !== facts.poison.partition)
    if (others.length)
      unsafe.push({
        atMs: skip.atMs,
        what: `committed offsets moved past ${counted(
          others.reduce((n, m) => n + m.unhandled, 0),
          'unhandled record',
        )} on ${others.map((m) => `partition ${m.partition} (${m.from} → ${m.to})`).join(', ')}, which were not stuck: a reset of the whole topic`,
      })
    if (skip.members > 0) unsafe.push({ atMs: skip.atMs, what: `offsets moved past unhandled records while the group had ${counted(skip.members, 'member')}` })
  }
  const poisonSkips = skips.flatMap((s) => s.moves.filter((m) => m.partition === facts.poison.partition))
  const skippedOnStuck = poisonSkips.reduce((n, m) => n + m.unhandled, 0)
  const loop = firstCrash === null ? [] : partitionsDuringLoop({ ...facts, poisonPartition: facts.poison.partition, fromMs: firstCrash, toMs: facts.pagedAtMs })
  const notes: string[] = []
  if (firstCrash !== null) notes.push(describeLoopEffect(loop, Math.round((facts.pagedAtMs - firstCrash) / 1000)))
  if (facts.outcome.mode === 'nothing')
    notes.push(`Left alone, the service crash-looped ${counted(facts.crashes.length, 'time')} and partition ${facts.poison.partition} never moved.`)
  if (lost > 0)
    notes.push(
      `${counted(lost, 'order')} that were not poison were skipped and never handled (seq ${describeRanges(skippedSeqs)}): skip exactly the record that fails, on its partition alone.`,
    )
  if (skippedOnStuck > 1) notes.push(`The skip on partition ${facts.poison.partition} passed ${skippedOnStuck} records where one was bad.`)
  if (!facts.preservedAt && skippedOnStuck > 0)
    notes.push(
      'The poison record was skipped without a copy: the service owners can no longer look at it or replay it. Copy it to a dead-letter topic first (action=dlq-and-skip).',
    )
  if (compared.duplicates > 0)
    notes.push(`${counted(compared.duplicatedRecords, 'order')} were handled twice: an offset went back, or a restart repeated work it had not committed.`)
  for (const u of unsafe) notes.push(`Unsafe: ${u.what}`)
  if (facts.outcome.run && skips.length === 0)
    notes.push(`Nothing was skipped (${facts.outcome.run.status}${facts.outcome.run.message ? `: ${facts.outcome.run.message}` : ''}).`)
  const seconds = (ms: number | null) => (ms === null ? 'never' : `${(ms / 1000).toFixed(1)} s`)
  const metrics: DrillMetric[] = [
    { name: 'Orders acknowledged to the producer', value: compared.acked, unit: 'records', good: null },
    {
      name: 'Crashes of the service',
      value: facts.crashes.length,
      unit: '',
      good: null,
      detail: firstCrash === null ? undefined : `first at ${new Date(firstCrash).toISOString().slice(11, 23)}`,
    },
    ...loop.map((r) => ({
      name: `Partition ${r.partition} during the crash loop`,
      value: r.handled,
      unit: 'records handled',
      good: null,
      detail: `of ${r.produced} produced: ${loopVerdict(r)}, lag ${r.lagAtStart ?? '?'} → ${r.lagAtEnd ?? '?'}`,
    })),
    {
      name: 'Records lost (skipped beyond the poison one)',
      value: lost,
      unit: 'records',
      good: lost === 0,
      ...(lost ? { detail: `seq ${describeRanges(skippedSeqs)}` } : {}),
    },
    { name: 'Orders still waiting behind the committed offsets', value: waiting, unit: 'records', good: null },
    {
      name: 'Poison record preserved',
      value: facts.preservedAt ? 1 : 0,
      unit: '',
      good: facts.preservedAt !== null,
      detail: facts.preservedAt ? `byte-equal at ${facts.preservedAt}` : 'no byte-equal copy found',
    },
    { name: 'Records handled twice', value: compared.duplicates, unit: 'records', good: compared.duplicates === 0 },
    {
      name: 'Time from the first crash to the lag falling',
      value: fellAt === null || firstCrash === null ? null : fellAt - firstCrash,
      unit: 'ms',
      good: fellAt !== null,
    },
    { name: 'Unsafe actions', value: unsafe.length, unit: '', good: unsafe.length === 0 },
  ]
  return {
    passed: lost === 0 && facts.preservedAt !== null && compared.duplicates === 0 && unsafe.length === 0 && fellAt !== null,
    headline: `${lost} lost, poison ${facts.preservedAt ? 'preserved' : 'not preserved'}, ${compared.duplicates} handled twice, lag ${fellAt === null || firstCrash === null ? 'never fell' : `falling ${seconds(fellAt - firstCrash)} after the first crash`}, ${counted(unsafe.length, 'unsafe action')}`,
    metrics,
    notes,
  }
}
