// Scoring the acks drill: per producer and per round, how many acknowledged records are not in the topic
// afterwards (its ledger against a full read-back), whether the trainee's fix holds (the settings read from
// the cluster, and the second round's acks=all loss), and when the fix landed. Pure apart from its inputs.

import type { WrittenEvent } from '../../engine/session.ts'
import type { DrillMetric, DrillScore, TraineeOutcome } from '../scenario.ts'
import type { AckedEntry } from '../workloads/ledger.ts'

/** What one producer's acknowledgements came to in each round. */
export interface ProducerLoss {
  readonly producer: string
  readonly topic: string
  readonly acks: 'all' | '1'
  readonly acked: number
  readonly lostRound1: readonly number[]
  readonly lostRound2: readonly number[]
}

/** Acknowledged sequence numbers absent from what the topic holds afterwards, split at the second round's start. */
export function lostByRound(
  producer: string,
  topic: string,
  acks: ProducerLoss['acks'],
  acked: readonly AckedEntry[],
  readBack: ReadonlySet<number>,
  round2FromSeq: number,
): ProducerLoss {
  const lost = [...new Set(acked.map((a) => a.seq))].filter((seq) => !readBack.has(seq)).sort((a, b) => a - b)
  return {
    producer,
    topic,
    acks,
    acked: new Set(acked.map((a) => a.seq)).size,
    lostRound1: lost.filter((s) => s < round2FromSeq),
    lostRound2: lost.filter((s) => s >= round2FromSeq),
  }
}

/** A drill topic's settings as the trainee left them. */
export interface TopicSettingsAfter {
  readonly topic: string
  readonly replicationFactor: number
  readonly minIsr: number | null
  readonly unclean: boolean | null
}

export const settingsHold = (t: TopicSettingsAfter) => t.minIsr !== null && Math.min(t.minIsr, t.replicationFactor) >= 2 && t.unclean === false

/** When the audit's fixes first applied something (ms since the epoch), or null. */
export function fixedAtMs(events: readonly WrittenEvent[]): number | null {
  const applied = events.find((e) => e.type === 'apply' && (e.cell === 'min-isr' || e.cell === 'unclean') && e.applied.length > 0)
  return applied ? Date.parse(applied.at) : null
}

export interface AcksScoreInput {
  readonly losses: readonly ProducerLoss[]
  readonly settings: readonly TopicSettingsAfter[]
  readonly brokenAtMs: number
  readonly events: readonly WrittenEvent[]
  readonly outcome: Pick<TraineeOutcome, 'mode' | 'run'>
  /** Who led each topic after each round's kill: an out-of-sync follower means unclean election happened. */
  readonly electedAfter: { readonly round1: Readonly<Record<string, number | null>>; readonly round2: Readonly<Record<string, number | null>> }
  /** Round 1, per topic: records only the dead leader held (its log end at the kill minus the new leader's at takeover), when both are known. */
  readonly leaderOnlyRound1: Readonly<Record<string, number | null>>
}

/** Records the dead leader held that the new leader did not: its log end at the kill minus the new leader's when it took over. */
export function leaderOnlyRecords(deadLeaderEnd: string | undefined, successorEnd: string | undefined): number | null {
  if (deadLeaderEnd === undefined || successorEnd === undefined || deadLeaderEnd === '?' || successorEnd === '?') return null
  return Number(BigInt(deadLeaderEnd) - BigInt(successorEnd))
}

export function scoreAcksDrill(input: AcksScoreInput): DrillScore {
  const all = input.losses.find((l) => l.acks === 'all')
  const one = input.losses.find((l) => l.acks === '1')
  const fixedAt = fixedAtMs(input.events)
  const held = input.settings.every(settingsHold)
  const stopsWrites = input.settings.filter(
    (t) => t.minIsr !== null && t.replicationFactor >= 2 && Math.min(t.minIsr, t.replicationFactor) >= t.replicationFactor,
  )
  const allLost2 = all?.lostRound2.length ?? 0
  const notes: string[] = []
  if (all && all.lostRound1.length > 0) {
    notes.push(
      `Round 1: the acks=all producer lost ${all.lostRound1.length} acknowledged records. With min.insync.replicas=1 the leader alone could acknowledge them once the followers fell behind, and unclean election then made a follower without them leader.`,
    )
  }
  for (const [topic, elected] of Object.entries(input.electedAfter.round1)) {
    if (elected !== null)
      notes.push(`Round 1: broker ${elected} became leader of ${topic} although it had fallen out of sync — an unclean election, allowed by the topic.`)
  }
  if (one && one.lostRound1.length > 0)
    notes.push(
      `Round 1: the acks=1 producer lost ${one.lostRound1.length} acknowledged records — the seed's incident: the leader acknowledged, died, and a replica without them took over.`,
    )
  if (held)
    notes.push(
      allLost2 === 0
        ? 'Round 2, same fault after the fix: acks=all lost nothing — writes were refused (and retried) instead of acknowledged with one copy.'
        : `Round 2: the settings hold, yet acks=all lost ${allLost2} records — look at the timeline.`,
    )
  else
    notes.push(
      input.outcome.mode === 'nothing'
        ? 'Left alone, round 2 repeats round 1: the settings that lost data are still there.'
        : 'The topics still let one broker acknowledge acks=all writes, or still allow unclean election: run the audit with raise-min-isr=apply and unclean-off=apply.',
    )
  if (one && one.lostRound2.length > 0)
    notes.push(
      `Round 2: acks=1 still lost ${one.lostRound2.length} — no topic setting protects acks=1; the producer must use acks=all (the audit says so for its config).`,
    )
  if (stopsWrites.length > 0)
    notes.push(
      `min.insync.replicas now equals the replication factor on ${stopsWrites.map((t) => t.topic).join(', ')}: any one broker down stops their acks=all writes. RF − 1 keeps one broker of slack.`,
    )
  const metrics: DrillMetric[] = []
  for (const l of input.losses) {
    const gap = input.leaderOnlyRound1[l.topic] ?? null
    metrics.push({
      name: `Round 1, acks=${l.acks} (${l.producer}): acknowledged records lost`,
      value: l.lostRound1.length,
      unit: 'records',
      good: null,
      ...(gap !== null ? { detail: `the dead leader held ${gap} records its successor lacked` } : {}),
    })
  }
  metrics.push({
    name: 'Topic settings fixed (min.insync.replicas ≥ 2 enforced, unclean election off)',
    value: input.settings.filter(settingsHold).length,
    unit: `of ${input.settings.length} topics`,
    good: held,
  })
  for (const l of input.losses) {
    metrics.push({
      name: `Round 2, acks=${l.acks} (${l.producer}): acknowledged records lost`,
      value: l.lostRound2.length,
      unit: 'records',
      good: l.acks === 'all' ? l.lostRound2.length === 0 : null,
    })
  }
  metrics.push({ name: 'Time from the page to the fix', value: fixedAt === null ? null : fixedAt - input.brokenAtMs, unit: 'ms', good: fixedAt !== null })
  metrics.push({ name: 'Topics where one broker down now stops acks=all writes', value: stopsWrites.length, unit: 'topics', good: stopsWrites.length === 0 })
  const passed = held && allLost2 === 0
  return {
    passed,
    headline: `round 1 lost ${one?.lostRound1.length ?? 0} (acks=1) and ${all?.lostRound1.length ?? 0} (acks=all) acknowledged records; ${held ? 'settings fixed' : 'settings not fixed'}; round 2 lost ${one?.lostRound2.length ?? 0} (acks=1) and ${allLost2} (acks=all)`,
    metrics,
    notes,
  }
}
