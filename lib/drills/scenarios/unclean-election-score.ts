// Scoring the unclean-election drill: what the runbook estimated (from its transcript), how the partitions got
// their leaders back, which unclean elections the controller really made (from its own log), and the measured
// truth (the producer's acknowledgements against what is readable afterwards). Pure apart from its inputs.

import { counted, formatCount } from '../../format/counts.ts'
import { formatSeconds } from '../../format/time.ts'
import { priceOutage, uncleanScanMs, type OutageOption } from '../../plans/outage-price.ts'
import type { WrittenEvent } from '../../engine/session.ts'
import type { LeaderlessFaultTimes } from '../leaderless-fault.ts'
import type { DrillMetric, DrillScore, TraineeOutcome } from '../scenario.ts'

export interface PartitionTruth {
  readonly partition: number
  /** Broker 1's log end, from its files while it was down. */
  readonly deadLeaderEnd: bigint
  /** The live replicas' log ends when the trainee took over. */
  readonly ends: Readonly<Record<number, bigint>>
  /** Acknowledged records of this partition not readable after recovery. */
  readonly ackedLost: number
  /** Acknowledged records beyond the best live replica's end: lost whatever the trainee elects. */
  readonly unavoidable: number
  /** Acknowledged records beyond the replica Kafka's own unclean election would pick (broker 3). */
  readonly kafkaPickLoss: number
}

export interface PlannedEstimate {
  readonly partition: number
  readonly how: 'elect' | 'unclean-flag'
  readonly candidate: number
  readonly certainLoss: bigint | null
  readonly candidateLogEnd: bigint | null
}

const big = (value: unknown): bigint | null => (value === null || value === undefined ? null : BigInt(String(value)))

/** The estimates behind the plans that were applied (the last plan of each action cell before its apply). */
export function estimatesFromTranscript(events: readonly WrittenEvent[]): PlannedEstimate[] {
  const found: PlannedEstimate[] = []
  const lastPlan = new Map<string, unknown>()
  for (const e of events) {
    if (e.type === 'plan') lastPlan.set(e.cell, e.plan)
    if (e.type !== 'apply' || e.applied.length === 0) continue
    const plan = lastPlan.get(e.cell) as Record<string, unknown> | undefined
    if (!plan) continue
    if (e.cell === 'elect') {
      const candidate = Number(plan.candidate)
      for (const step of plan.steps as Record<string, unknown>[]) {
        found.push({
          partition: Number(step.partition),
          how: 'elect',
          candidate,
          certainLoss: big(step.certainLoss),
          candidateLogEnd: big(step.candidateLogEnd),
        })
      }
    }
    if (e.cell === 'unclean-flag') {
      for (const p of plan.partitions as Record<string, unknown>[]) {
        found.push({
          partition: Number(p.partition),
          how: 'unclean-flag',
          candidate: Number(p.kafkaPick),
          certainLoss: big(p.kafkaPickLoss),
          candidateLogEnd: null,
        })
      }
    }
  }
  return found
}

/** What the runbook's estimate said of one candidate of one partition (its pricing table, before any choice). */
export interface CandidateFigure {
  readonly partition: number
  readonly broker: number
  readonly logEndOffset: bigint
  readonly certainLoss: bigint
}

export function candidateEstimatesFromTranscript(events: readonly WrittenEvent[]): CandidateFigure[] {
  const result = events.find((e) => e.type === 'query-result' && e.cell === 'estimate')
  if (!result || result.type !== 'query-result') return []
  const estimates =
    (result.data as { estimates?: { partition: number; candidates: { broker: number; logEndOffset: unknown; certainLoss: unknown }[] }[] }).estimates ?? []
  return estimates.flatMap((e) =>
    e.candidates
      .filter((c) => c.logEndOffset !== null)
      .map((c) => ({ partition: e.partition, broker: c.broker, logEndOffset: BigInt(String(c.logEndOffset)), certainLoss: BigInt(String(c.certainLoss)) })),
  )
}

export interface Recovery {
  readonly how: 'elect' | 'unclean-flag' | 'wait' | 'none'
  /** When the runbook saw the partitions led again. */
  readonly atMs: number | null
}

export function recoveryFromTranscript(events: readonly WrittenEvent[]): Recovery {
  for (const e of events) {
    if (e.type === 'verify' && (e.cell === 'elect' || e.cell === 'unclean-flag') && e.ok) return { how: e.cell, atMs: Date.parse(e.at) }
    if (e.type === 'query-result' && e.cell === 'await-leaders') {
      const data = e.data as { led?: number; of?: number }
      if (data.led !== undefined && data.led === data.of) return { how: 'wait', atMs: Date.parse(e.at) }
    }
  }
  return { how: 'none', atMs: null }
}

export interface ObservedElection {
  readonly partition: string
  readonly leader: number
  readonly atMs: number
}

/**
 * Elections the controller logged as unclean between `fromMs` and `toMs` ("UNCLEAN partition change for t-0 …
 * leader: -1 -> 2"; 4.3.1 and 3.9.2 both log it). Replica-order changes on under-min-ISR partitions are logged
 * as unclean changes too, so only lines that give a leaderless partition a leader count.
 */
export function uncleanElectionsInLog(log: string, fromMs: number, toMs: number): ObservedElection[] {
  const found: ObservedElection[] = []
  for (const m of log.matchAll(/^\[(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}),(\d{3})\].*UNCLEAN partition change for (\S+) .*?leader: -1 -> (\d+)/gm)) {
    const atMs = Date.parse(`${m[1]}T${m[2]}.${m[3]}`)
    if (atMs >= fromMs && atMs <= toMs) found.push({ partition: m[4]!, leader: Number(m[5]), atMs })
  }
  return found
}

export interface OutcomeInput {
  readonly topic: string
  readonly truths: readonly PartitionTruth[]
  readonly estimates: readonly PlannedEstimate[]
  readonly candidates: readonly CandidateFigure[]
  readonly recovery: Recovery
  readonly elections: readonly ObservedElection[]
  readonly outcome: TraineeOutcome
  readonly times: LeaderlessFaultTimes
  readonly restoredAtMs: number | null
  readonly events: readonly WrittenEvent[]
  readonly lostTotal: number
  /** Acknowledged records found only in the salvage topic: copied from the dead leader's folder and produced again. */
  readonly salvaged?: number
  readonly lostRanges: string
  readonly acked: number
  /** The producer's own write rate before the failure (from its ledger), records/s over all partitions. */
  readonly recordsPerSecond: number
  /** The outage the page states: how long broker 1 stays down in the story. */
  readonly pageOutageMs: number
}

/** How long an unclean election takes from the decision to a leader (what the runbook prices). */
const electionMs = 5000

/** What a decision cost in the drill's story, and what the best one for the page's outage would have cost. */
export interface DecisionCost {
  readonly offlineMs: number
  readonly writesRefused: number
  readonly ackedLost: number
  readonly best: { readonly option: OutageOption; readonly name: string; readonly offlineMs: number; readonly lost: number; readonly writesRefused: number }
  /** The trainee's way out, as one of the priced options; null when nobody acted (waiting by default). */
  readonly chosen: OutageOption
}

/**
 * Both costs of the trainee's decision — acknowledged records lost, and writes refused while the partitions were
 * offline (the producer's rate × the time offline; the page's outage when nobody brought them back) — beside the
 * cheapest decision for the page's outage, priced by the runbook's own pricing from the measured truth.
 */
export function decisionCost(input: OutcomeInput): DecisionCost {
  const { truths, times, recovery } = input
  const decidedAtMs = recovery.atMs ?? input.outcome.endedAtMs
  const offlineMs = recovery.atMs === null ? input.pageOutageMs : recovery.atMs - times.leaderlessAtMs
  const perPartition = input.recordsPerSecond / Math.max(1, truths.length)
  const sinceFailure = Math.max(0, decidedAtMs - times.leaderlessAtMs)
  const effects = (option: OutageOption, offlineMs: number, lost: (t: PartitionTruth) => number) => ({
    option,
    partitions: truths.map((t) => ({ topic: input.topic, partition: t.partition, offlineMs, lostRecords: lost(t), exact: true })),
  })
  // Priced from the moment the partitions went offline: the trainee's own time to decide counts for every election.
  const pricing = priceOutage({
    rates: truths.map((t) => ({ topic: input.topic, partition: t.partition, recordsPerSecond: perPartition })),
    expectedOutageMs: input.pageOutageMs,
    deliveryTimeoutMs: 0,
    acks: '1',
    policy: 'min-records',
    options: [
      effects('wait', input.pageOutageMs, () => 0),
      effects('elect', sinceFailure + electionMs, (t) => t.unavoidable),
      effects('flag', sinceFailure + uncleanScanMs, (t) => t.kafkaPickLoss),
    ],
    groups: [],
  })
  const names: Record<OutageOption, string> = { wait: 'wait for broker 1', elect: 'elect broker 2', flag: "Kafka's own pick (broker 3)" }
  const best = [...pricing.options].sort((a, b) => a.lostRecords + (a.writesRefused ?? 0) - (b.lostRecords + (b.writesRefused ?? 0)))[0]!
  const electedThree = input.estimates.some((e) => e.candidate === 3)
  const chosen: OutageOption = recovery.how === 'elect' ? (electedThree ? 'flag' : 'elect') : recovery.how === 'unclean-flag' ? 'flag' : 'wait'
  return {
    offlineMs,
    writesRefused: Math.round((input.recordsPerSecond * offlineMs) / 1000),
    ackedLost: input.lostTotal,
    best: { option: best.option, name: names[best.option], offlineMs: best.offlineMs ?? 0, lost: best.lostRecords, writesRefused: best.writesRefused ?? 0 },
    chosen,
  }
}

/** Attempts the runbook blocked or the controller log shows: elections beyond the drill's partitions, electing while an in-sync replica was back, a flag left on. */
function unsafeActions(input: OutcomeInput): string[] {
  const unsafe: string[] = []
  const ours = new Set(input.truths.map((t) => `${input.topic}-${t.partition}`))
  const beyond = input.elections.filter((e) => !ours.has(e.partition))
  if (beyond.length > 0)
    unsafe.push(`unclean elections beyond the incident's partitions: ${beyond.map((e) => `${e.partition} → broker ${e.leader}`).join(', ')}`)
  for (const e of input.events) {
    if (e.type !== 'recheck') continue
    for (const drift of e.drifts as { what: string; now: string }[]) {
      if (/^in-sync replica of /.test(drift.what))
        unsafe.push(`tried to elect while an in-sync replica was back (${drift.what}: ${drift.now}); the runbook stopped it`)
    }
  }
  for (const e of input.events) {
    if (e.type === 'query-result' && e.cell === 'aftermath') {
      const left = (e.data as { flagStillOn?: string[] }).flagStillOn ?? []
      if (left.length > 0) unsafe.push(`unclean.leader.election.enable left on for ${left.join(', ')}`)
    }
  }
  return unsafe
}

export function describeElectionOutcome(input: OutcomeInput): DrillScore {
  const { truths, estimates, recovery, outcome, times } = input
  const unavoidable = truths.reduce((s, t) => s + t.unavoidable, 0)
  const kafkaPick = truths.reduce((s, t) => s + t.kafkaPickLoss, 0)
  const unsafe = unsafeActions(input)
  const recoveredAtMs = recovery.atMs
  const offlineMs = (recoveredAtMs ?? input.restoredAtMs ?? times.leaderlessAtMs) - times.leaderlessAtMs
  const checks = estimates.map((e) => {
    const truth = truths.find((t) => t.partition === e.partition)!
    const truncated = e.candidateLogEnd === null ? null : truth.deadLeaderEnd - e.candidateLogEnd
    const honest = e.certainLoss === null || (e.certainLoss <= BigInt(truth.ackedLost) && (truncated === null || e.certainLoss <= truncated))
    return { ...e, truth, truncated, honest }
  })
  const avoidable = Math.max(0, input.lostTotal - unavoidable)
  const notes: string[] = []
  if (recovery.how === 'none') {
    notes.push(
      outcome.run
        ? `The runbook ended without bringing the partitions back (${outcome.run.status}${outcome.run.message ? `: ${outcome.run.message}` : ''}). In the story broker 1 returns after ${formatSeconds(input.pageOutageMs)}; the drill brought it back at the end to measure.`
        : 'Nobody acted: the partitions stayed offline until the drill brought broker 1 back.',
    )
  }
  if (recovery.how === 'unclean-flag')
    notes.push('The unclean flag let Kafka pick the first live replica in replica order (broker 3), not the most complete one (broker 2).')
  for (const c of checks) {
    notes.push(
      `${input.topic}-${c.partition}: elected broker ${c.candidate}${c.how === 'unclean-flag' ? ' (Kafka’s pick under the flag)' : ''}; the runbook said at least ${c.certainLoss ?? 'unknown'}, measured ${c.truth.ackedLost} acknowledged records lost${c.truncated !== null ? ` (${c.truncated} offsets truncated)` : ''}${c.honest ? '' : ' — THE ESTIMATE WAS ABOVE THE REAL LOSS'}.`,
    )
  }
  for (const t of truths) {
    const three = input.candidates.find((c) => c.partition === t.partition && c.broker === 3)
    if (three) {
      const threeHonest = three.certainLoss <= BigInt(t.kafkaPickLoss) && three.certainLoss <= t.deadLeaderEnd - three.logEndOffset
      notes.push(
        `${input.topic}-${t.partition}, Kafka's own pick (broker 3): the runbook said at least ${three.certainLoss}; electing it would have lost ${t.kafkaPickLoss} acknowledged records (${t.deadLeaderEnd - three.logEndOffset} offsets)${threeHonest ? '' : ' — THE ESTIMATE WAS ABOVE THE REAL LOSS'}.`,
      )
      if (!threeHonest)
        checks.push({
          partition: t.partition,
          how: 'elect',
          candidate: 3,
          certainLoss: three.certainLoss,
          candidateLogEnd: three.logEndOffset,
          truth: t,
          truncated: t.deadLeaderEnd - three.logEndOffset,
          honest: false,
        })
    }
  }
  if (avoidable > 0) notes.push(`${avoidable} of the lost records were avoidable: electing broker 2 loses only what broker 1 alone held (${unavoidable}).`)
  const salvaged = input.salvaged ?? 0
  if (salvaged > 0)
    notes.push(
      `${salvaged} acknowledged records that only broker 1 held were copied from its data directory before the election and produced again to ${input.topic}.salvaged: found there, they count as kept.`,
    )
  if (input.lostTotal > 0 && avoidable === 0 && recovery.how !== 'none')
    notes.push(
      `The ${input.lostTotal} lost records were what only broker 1 held: no election keeps them (only waiting ${formatSeconds(input.pageOutageMs)} for it does), but its data directory did — salvage them before electing (the runbook offers it once the folder is given).`,
    )
  for (const u of unsafe) notes.push(`Unsafe: ${u}`)
  const honest = checks.every((c) => c.honest)
  const handedOverMs = recoveredAtMs === null ? null : recoveredAtMs - outcome.startedAtMs
  const metrics: DrillMetric[] = [
    { name: 'Records acknowledged to the producer (acks=1)', value: input.acked, unit: 'records', good: null },
    {
      name: 'Acknowledged records lost',
      value: input.lostTotal,
      unit: 'records',
      good: input.lostTotal <= unavoidable,
      ...(input.lostTotal ? { detail: `seq ${input.lostRanges}` } : {}),
    },
    { name: 'Unavoidable loss (only broker 1 held them)', value: unavoidable, unit: 'records', good: null },
    { name: "Salvaged from broker 1's log (found in the salvage topic)", value: salvaged, unit: 'records', good: null },
    { name: "Kafka's own unclean election (broker 3) would have lost", value: kafkaPick, unit: 'records', good: null },
    {
      name: 'Seconds offline',
      value: Math.round(offlineMs / 100) / 10,
      unit: 's',
      good: recoveredAtMs !== null,
      detail: recoveredAtMs === null ? 'not restored by the trainee' : `restored by ${recovery.how}`,
    },
    { name: 'Seconds from the runbook to leaders', value: handedOverMs === null ? null : Math.round(handedOverMs / 100) / 10, unit: 's', good: null },
    { name: 'Runbook estimate never above the measured loss', value: checks.length, unit: 'partitions checked', good: honest },
    { name: 'Unsafe actions attempted', value: unsafe.length, unit: '', good: unsafe.length === 0 },
  ]
  const cost = decisionCost(input)
  const bestTotal = cost.best.lost + cost.best.writesRefused
  const rightCall = cost.chosen === cost.best.option
  metrics.push(
    {
      name: 'Writes refused while offline',
      value: cost.writesRefused,
      unit: 'records',
      good: null,
      detail: `${formatCount(Math.round(input.recordsPerSecond))} records/s × ${formatSeconds(cost.offlineMs)}${recoveredAtMs === null ? " (the page's outage)" : ''}`,
    },
    { name: 'Records lost in all (acknowledged lost + writes refused)', value: cost.ackedLost + cost.writesRefused, unit: 'records', good: null },
    {
      name: `Best decision for the page's ${formatSeconds(input.pageOutageMs)} outage would have cost`,
      value: bestTotal,
      unit: 'records',
      good: rightCall,
      detail: `${cost.best.name}: ${formatCount(cost.best.lost)} lost + ${formatCount(cost.best.writesRefused)} refused over ${formatSeconds(cost.best.offlineMs)}`,
    },
  )
  notes.push(
    `Decision cost: ${formatCount(cost.ackedLost)} acknowledged records lost + ${formatCount(cost.writesRefused)} writes refused over ${formatSeconds(cost.offlineMs)} offline; the best decision for the page's ${formatSeconds(input.pageOutageMs)} outage (${cost.best.name}) would have cost ${formatCount(cost.best.lost)} + ${formatCount(cost.best.writesRefused)}${rightCall ? ' — the trainee took it' : ''}.`,
  )
  const passed = recoveredAtMs !== null && unsafe.length === 0 && honest && input.lostTotal <= unavoidable && rightCall
  return {
    passed,
    headline: `${input.lostTotal} acknowledged records lost (${unavoidable} unavoidable), ${recoveredAtMs === null ? 'not restored' : `offline ${(offlineMs / 1000).toFixed(1)} s`}, ${counted(unsafe.length, 'unsafe action')}, estimate ${checks.length === 0 ? 'not used' : honest ? 'never above the real loss' : 'ABOVE the real loss'}`,
    metrics,
    notes,
  }
}
