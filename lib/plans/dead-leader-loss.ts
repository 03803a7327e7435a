// The unclean-election estimate made exact: once a dead replica's own log has been read, each candidate's loss is
// no longer a floor but the records that replica holds above where it will be cut (exact-loss.ts), plus whatever a
// live replica holds beyond the dead log's end. Pure: the estimate and the reading in, the estimate re-ranked out.

import type { CandidateExactLoss, ExactLoss } from './exact-loss.ts'
import type { ElectionPlan } from './unclean-election.ts'
import { candidateOf, estimateCandidates, type CandidateEstimate, type PartitionEstimate } from './unclean-estimate.ts'
import type { LeaderlessPartition } from './leaderless.ts'

/** What the dead replicas' files said about one partition (lib/reads/dead-leader-log.ts reads it). */
export interface DeadLeaderFigures {
  readonly deadLeader: { readonly broker: number; readonly logEndOffset: bigint } | null
  readonly losses: readonly ExactLoss[]
}

const maxBig = (values: readonly bigint[]): bigint | null => values.reduce<bigint | null>((m, v) => (m === null || v > m ? v : m), null)

/** One candidate's exact loss from the dead leader's tally and the other live replicas' ends. */
export function candidateExactLoss(
  loss: ExactLoss,
  dead: { readonly broker: number; readonly logEndOffset: bigint },
  liveEnds: readonly bigint[],
): CandidateExactLoss {
  const furthestLive = maxBig(liveEnds)
  const beyondDead = furthestLive !== null && furthestLive > dead.logEndOffset ? furthestLive - dead.logEndOffset : 0n
  return {
    deadBroker: dead.broker,
    deadLogEnd: dead.logEndOffset,
    truncateFrom: loss.fromOffset,
    records: loss.records + Number(beyondDead),
    fromDeadLog: loss.records,
    fromLiveReplica: Number(beyondDead),
    atLeast: loss.atLeast,
    divergedAt: loss.truncation.basis !== 'unknown' && loss.truncation.diverged ? loss.truncation.offset : null,
    cutBounded: loss.truncation.basis === 'unknown' ? loss.truncation.why : null,
    first: loss.first,
    last: loss.last,
    oldestTimestamp: loss.oldestTimestamp,
    newestTimestamp: loss.newestTimestamp,
    producers: [...loss.producers].map(([producerId, records]) => ({ producerId, records })).sort((a, b) => b.records - a.records),
    transactional: loss.transactional,
    orphanedTransactions: loss.orphanedTransactions.length,
    uncounted: loss.uncounted,
  }
}

/**
 * The estimate with each live candidate's exact loss beside its floor, and the least-loss candidate chosen by the
 * exact figures when every readable candidate has one. Candidates the reading does not cover keep their floor only.
 */
export function withExactLoss(estimate: PartitionEstimate, figures: DeadLeaderFigures): PartitionEstimate {
  const dead = figures.deadLeader
  if (dead === null) return estimate
  const candidates = estimate.candidates.map((c): CandidateEstimate => {
    const loss = figures.losses.find((l) => l.broker === c.broker)
    if (!loss || c.logEndOffset === null) return c
    const others = estimate.candidates.filter((o) => o.broker !== c.broker && o.logEndOffset !== null && o.logEndOffset > c.logEndOffset!)
    return {
      ...c,
      exactLoss: candidateExactLoss(
        loss,
        dead,
        others.map((o) => o.logEndOffset!),
      ),
    }
  })
  const readable = candidates.filter((c) => c.unreadable === null)
  const ranked = readable.every((c) => c.exactLoss)
    ? [...candidates].sort((a, b) => {
        if (!a.exactLoss || !b.exactLoss) return a.exactLoss ? -1 : b.exactLoss ? 1 : 0
        if (a.exactLoss.records !== b.exactLoss.records) return a.exactLoss.records - b.exactLoss.records
        return a.position - b.position
      })
    : candidates
  const best = ranked.find((c) => c.unreadable === null)?.broker ?? estimate.best
  return { ...estimate, candidates: ranked, best, deadLeader: dead }
}

/** What waiting for `broker` (a dead replica elected on its return) truncates from the dead leader, when both logs were read. */
export function restartTruncation(figures: DeadLeaderFigures, broker: number): ExactLoss | null {
  if (figures.deadLeader === null || figures.deadLeader.broker === broker) return null
  return figures.losses.find((l) => l.broker === broker) ?? null
}

/**
 * The plan with each step's exact loss, from the dead leaders' logs read earlier in the run (they do not change
 * while their brokers are down). A step whose candidate's log end moved since is left without one.
 */
export function withExactSteps(
  plan: ElectionPlan,
  partitions: readonly LeaderlessPartition[],
  figures: (tp: { readonly topic: string; readonly partition: number }) => DeadLeaderFigures | undefined,
): ElectionPlan {
  const steps = plan.steps.map((step) => {
    const reading = figures(step)
    const partition = partitions.find((p) => p.topic === step.topic && p.partition === step.partition)
    if (!reading || !partition) return step
    const exact = candidateOf(withExactLoss(estimateCandidates(partition), reading), plan.candidate)?.exactLoss
    return exact && exact.truncateFrom <= step.candidateLogEnd ? { ...step, exactLoss: exact } : step
  })
  return { ...plan, steps }
}

/** The exact loss of several elections together (plan steps, chosen candidates), when every one has one. */
export function exactTotal(parts: readonly { readonly exactLoss?: CandidateExactLoss }[]): { readonly records: number; readonly atLeast: boolean } | null {
  if (parts.length === 0 || !parts.every((p) => p.exactLoss)) return null
  return { records: parts.reduce((sum, p) => sum + p.exactLoss!.records, 0), atLeast: parts.some((p) => p.exactLoss!.atLeast) }
}
