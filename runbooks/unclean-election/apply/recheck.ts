// Right before an election: are the planned partitions still leaderless, still without a live in-sync replica,
// and do their live replicas still end where the plan says? Anything else means the loss figures are stale —
// or, when an in-sync replica came back, that nothing needs to be lost at all.

import { formatCount } from '../../../lib/engine/blocks.ts'
import type { Drift } from '../../../lib/engine/runbook.ts'
import type { TopicPartition } from '../../../lib/kafka/types.ts'
import { classifyRecovery, electionRules, partitionName, type LeaderlessSnapshot } from '../../../lib/plans/leaderless.ts'
import type { LiveLog } from '../../../lib/plans/unclean-election.ts'
import { readLeaderlessSnapshot } from '../../../lib/reads/leaderless.ts'
import type { Context } from '../notebook.ts'

export interface PlannedPartition extends TopicPartition {
  readonly replicasBefore: readonly number[]
  readonly inSyncDead: readonly number[]
  /** null: the plan did not rely on log ends (the flag plan checks only the state). */
  readonly liveLogs: readonly LiveLog[] | null
}

const logsText = (logs: readonly LiveLog[]) => logs.map((l) => `${l.broker}@${formatCount(l.logEndOffset)}`).join(', ') || 'none'

export async function recheckLeaderless(ctx: Context, planned: readonly PlannedPartition[]): Promise<{ drifts: Drift[]; snapshot: LeaderlessSnapshot }> {
  const snapshot = await readLeaderlessSnapshot(ctx.kafka, { takenAtMs: ctx.now(), only: planned })
  const rules = electionRules(snapshot)
  const live = new Set(snapshot.liveBrokers)
  const drifts: Drift[] = []
  for (const step of planned) {
    const name = partitionName(step)
    const answer = snapshot.requested.find((r) => r.topic === step.topic && r.partition === step.partition)
    if (answer?.state === 'led') {
      drifts.push({ what: `leader of ${name}`, planned: 'none', now: `broker ${answer.leader} — it is back; nothing needs electing` })
      continue
    }
    const partition = snapshot.partitions.find((p) => p.topic === step.topic && p.partition === step.partition)
    if (!partition) {
      drifts.push({ what: name, planned: 'leaderless', now: answer?.state ?? 'not found' })
      continue
    }
    const back = step.inSyncDead.filter((id) => live.has(id))
    const path = classifyRecovery(partition, rules, snapshot.liveBrokers).path
    if (back.length > 0 || path.kind === 'electing') {
      const brokers = back.length > 0 ? back : path.kind === 'electing' ? path.brokers : []
      drifts.push({
        what: `in-sync replica of ${name}`,
        planned: `down (${step.inSyncDead.join(', ') || 'none'})`,
        now: `broker ${brokers.join(', ')} is alive — Kafka can elect it with nothing lost`,
      })
      continue
    }
    if (partition.replicas.join(',') !== step.replicasBefore.join(',')) {
      drifts.push({ what: `replica order of ${name}`, planned: step.replicasBefore.join(','), now: partition.replicas.join(',') })
    }
    if (step.liveLogs !== null) {
      const now = partition.replicaLogs.filter((l) => l.logEndOffset !== null).map((l) => ({ broker: l.broker, logEndOffset: l.logEndOffset! }))
      if (logsText(now) !== logsText(step.liveLogs))
        drifts.push({ what: `live replicas' log ends of ${name} (broker@offset)`, planned: logsText(step.liveLogs), now: logsText(now) })
    }
  }
  return { drifts, snapshot }
}

/** How long to read again after a controller change (a config, a replica order) before concluding: about 10 s. */
export const settling = (sleep: (ms: number) => Promise<void>) => ({ sleep, intervalMs: 250, attempts: 40 })
