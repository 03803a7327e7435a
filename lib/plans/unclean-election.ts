// The two ways to end a leaderless partition's outage at the cost of data: elect a chosen replica uncleanly
// (reordering the replicas first so that Kafka, which takes the first live one, takes the chosen one), or turn
// on unclean.leader.election.enable and let the controller pick. Pure: snapshot and operator input in; a plan
// or the reason there is none (a fault, as data) out.

import type { TopicPartition } from '../kafka/types.ts'
import type { CandidateExactLoss } from './exact-loss.ts'
import { classifyRecovery, electionRules, partitionName, uncleanEnabled, type LeaderlessPartition, type LeaderlessSnapshot } from './leaderless.ts'
import { candidateOf, estimateCandidates, totalLoss, type PartitionEstimate } from './unclean-estimate.ts'

export interface LiveLog {
  readonly broker: number
  readonly logEndOffset: bigint
}

export interface ElectionStep extends TopicPartition {
  readonly leaderEpoch: number
  readonly replicasBefore: readonly number[]
  /** The same replicas with the candidate first; null when it is first already. */
  readonly replicasAfter: readonly number[] | null
  /** Every live replica's log end at plan time: the re-check compares them. */
  readonly liveLogs: readonly LiveLog[]
  /** ISR, ELR and last-known-ELR members, all dead at plan time: one of them returning makes the loss unnecessary. */
  readonly inSyncDead: readonly number[]
  readonly candidateLogEnd: bigint
  readonly certainLoss: bigint
  readonly lossFromReplicas: bigint
  readonly lossFromGroups: bigint
  readonly groupsAhead: readonly { readonly groupId: string; readonly committed: bigint }[]
  readonly newestRecordMs: number | null
  /** Who Kafka would have elected without the reorder, and what that would certainly lose. */
  readonly kafkaPick: number | null
  readonly kafkaPickLoss: bigint | null
  readonly unit: 'records' | 'offsets'
  /** What the election deletes, counted in the dead leader's own log (dead-leader-loss.ts); absent when not read. */
  readonly exactLoss?: CandidateExactLoss
}

export interface ElectionPlan {
  readonly candidate: number
  readonly steps: readonly ElectionStep[]
  readonly reorders: number
  readonly certainLoss: bigint
  readonly unit: 'records' | 'offsets'
}

export type PlanFault =
  | { readonly kind: 'no-partitions' }
  | { readonly kind: 'unknown-topic'; readonly topic: string }
  | { readonly kind: 'unknown-partition'; readonly topic: string; readonly partition: number; readonly partitionCount: number }
  | { readonly kind: 'has-leader'; readonly topic: string; readonly partition: number; readonly leader: number }
  | { readonly kind: 'in-sync-alive'; readonly topic: string; readonly partition: number; readonly brokers: readonly number[] }
  | { readonly kind: 'not-a-replica'; readonly topic: string; readonly partition: number; readonly candidate: number; readonly replicas: readonly number[] }
  | {
      readonly kind: 'candidate-not-live'
      readonly topic: string
      readonly partition: number
      readonly candidate: number
      readonly liveReplicas: readonly number[]
    }
  | { readonly kind: 'candidate-unreadable'; readonly topic: string; readonly partition: number; readonly candidate: number; readonly why: string }
  | { readonly kind: 'no-live-replica'; readonly topic: string; readonly partition: number; readonly replicas: readonly number[] }
  | { readonly kind: 'flag-already-on'; readonly topics: readonly string[] }

export type Planned<T> = { readonly ok: true; readonly plan: T } | { readonly ok: false; readonly fault: PlanFault }

const fault = (f: PlanFault): { ok: false; fault: PlanFault } => ({ ok: false, fault: f })

/** The operator's partitions, each found leaderless with a live replica and no live in-sync one — or the first reason not. */
export function findLeaderless(snapshot: LeaderlessSnapshot, requested: readonly TopicPartition[]): Planned<LeaderlessPartition[]> {
  if (requested.length === 0) return fault({ kind: 'no-partitions' })
  const rules = electionRules(snapshot)
  const found: LeaderlessPartition[] = []
  const seen = new Set<string>()
  for (const tp of requested) {
    const id = partitionName(tp)
    if (seen.has(id)) continue
    seen.add(id)
    const answer = snapshot.requested.find((r) => r.topic === tp.topic && r.partition === tp.partition)
    if (answer?.state === 'unknown-topic') return fault({ kind: 'unknown-topic', topic: tp.topic })
    if (answer?.state === 'unknown-partition')
      return fault({ kind: 'unknown-partition', topic: tp.topic, partition: tp.partition, partitionCount: answer.partitionCount })
    if (answer?.state === 'led') return fault({ kind: 'has-leader', topic: tp.topic, partition: tp.partition, leader: answer.leader })
    const partition = snapshot.partitions.find((p) => p.topic === tp.topic && p.partition === tp.partition)
    if (!partition) return fault({ kind: 'unknown-partition', topic: tp.topic, partition: tp.partition, partitionCount: -1 })
    const path = classifyRecovery(partition, rules, snapshot.liveBrokers).path
    if (path.kind === 'electing') return fault({ kind: 'in-sync-alive', topic: tp.topic, partition: tp.partition, brokers: path.brokers })
    if (partition.replicaLogs.length === 0) return fault({ kind: 'no-live-replica', topic: tp.topic, partition: tp.partition, replicas: partition.replicas })
    found.push(partition)
  }
  return { ok: true, plan: found }
}

/** Elect `candidate` uncleanly on exactly these partitions: reorder where Kafka would take another replica, then elect. */
export function planUncleanElection(
  snapshot: LeaderlessSnapshot,
  request: { readonly partitions: readonly TopicPartition[]; readonly candidate: number },
): Planned<ElectionPlan> {
  const checked = findLeaderless(snapshot, request.partitions)
  if (!checked.ok) return checked
  const { candidate } = request
  const steps: ElectionStep[] = []
  for (const partition of checked.plan) {
    const where = { topic: partition.topic, partition: partition.partition }
    if (!partition.replicas.includes(candidate)) return fault({ kind: 'not-a-replica', ...where, candidate, replicas: partition.replicas })
    const estimate = estimateCandidates(partition)
    const chosen = candidateOf(estimate, candidate)
    if (!chosen) return fault({ kind: 'candidate-not-live', ...where, candidate, liveReplicas: partition.replicaLogs.map((l) => l.broker) })
    if (chosen.unreadable !== null || chosen.logEndOffset === null)
      return fault({ kind: 'candidate-unreadable', ...where, candidate, why: chosen.unreadable ?? 'no answer' })
    const pick = estimate.kafkaPick === null ? undefined : candidateOf(estimate, estimate.kafkaPick)
    const replicasAfter = partition.replicas[0] === candidate ? null : [candidate, ...partition.replicas.filter((id) => id !== candidate)]
    steps.push({
      ...where,
      leaderEpoch: partition.leaderEpoch,
      replicasBefore: partition.replicas,
      replicasAfter,
      liveLogs: partition.replicaLogs.filter((l) => l.logEndOffset !== null).map((l) => ({ broker: l.broker, logEndOffset: l.logEndOffset! })),
      inSyncDead: inSyncMembers(partition),
      candidateLogEnd: chosen.logEndOffset,
      certainLoss: chosen.certainLoss,
      lossFromReplicas: chosen.lossFromReplicas,
      lossFromGroups: chosen.lossFromGroups,
      groupsAhead: chosen.groupsAhead.map((g) => ({ groupId: g.groupId, committed: g.committed })),
      newestRecordMs: chosen.newestRecordMs,
      kafkaPick: estimate.kafkaPick,
      kafkaPickLoss: pick && pick.unreadable === null ? pick.certainLoss : null,
      unit: estimate.unit,
    })
  }
  const total = totalLoss(steps)
  return {
    ok: true,
    plan: { candidate, steps, reorders: steps.filter((s) => s.replicasAfter !== null).length, certainLoss: total.certainLoss, unit: total.unit },
  }
}

/** Every broker that held the committed records last: ISR, ELR and last-known ELR. */
export function inSyncMembers(partition: Pick<LeaderlessPartition, 'replicas' | 'isr' | 'elr' | 'lastKnownElr'>): number[] {
  const set = new Set([...partition.isr, ...(partition.elr ?? []), ...(partition.lastKnownElr ?? [])])
  return partition.replicas.filter((id) => set.has(id))
}

export interface FlagTopic {
  readonly topic: string
  /** The topic-level override before the change; null when there was none. */
  readonly overrideBefore: string | null
  readonly effectiveBefore: string | null
  readonly sourceBefore: string | null
}

export interface FlagPartition extends TopicPartition {
  readonly leaderEpoch: number
  readonly replicas: readonly number[]
  readonly inSyncDead: readonly number[]
  /** The first live replica in replica order: the one the controller will elect. */
  readonly kafkaPick: number
  readonly kafkaPickLoss: bigint | null
  readonly best: number | null
  readonly bestLoss: bigint | null
  readonly unit: 'records' | 'offsets'
}

export interface FlagPlan {
  readonly topics: readonly FlagTopic[]
  readonly partitions: readonly FlagPartition[]
  /** How long to wait for the controller before reverting anyway. */
  readonly waitMs: number
  readonly certainLoss: bigint
  readonly unit: 'records' | 'offsets'
}

/** Turn the flag on for the topics of these partitions, wait for leaders, and turn it back off. */
export function planUncleanFlag(
  snapshot: LeaderlessSnapshot,
  request: { readonly partitions: readonly TopicPartition[]; readonly waitMs: number },
): Planned<FlagPlan> {
  const checked = findLeaderless(snapshot, request.partitions)
  if (!checked.ok) return checked
  const topics = [...new Set(checked.plan.map((p) => p.topic))]
  const alreadyOn = topics.filter((topic) => checked.plan.some((p) => p.topic === topic && uncleanEnabled(p)))
  if (alreadyOn.length === topics.length) return fault({ kind: 'flag-already-on', topics })
  const partitions = checked.plan.map((partition): FlagPartition => {
    const estimate: PartitionEstimate = estimateCandidates(partition)
    const pick = candidateOf(estimate, estimate.kafkaPick!)!
    const best = estimate.best === null ? undefined : candidateOf(estimate, estimate.best)
    return {
      topic: partition.topic,
      partition: partition.partition,
      leaderEpoch: partition.leaderEpoch,
      replicas: partition.replicas,
      inSyncDead: inSyncMembers(partition),
      kafkaPick: pick.broker,
      kafkaPickLoss: pick.unreadable === null ? pick.certainLoss : null,
      best: best?.broker ?? null,
      bestLoss: best ? best.certainLoss : null,
      unit: estimate.unit,
    }
  })
  const flagTopics = topics
    .filter((topic) => !alreadyOn.includes(topic))
    .map((topic): FlagTopic => {
      const sample = checked.plan.find((p) => p.topic === topic)!
      const overrideBefore = sample.unclean.source === 'dynamic-topic' ? sample.unclean.value : null
      return { topic, overrideBefore, effectiveBefore: sample.unclean.value, sourceBefore: sample.unclean.source }
    })
  const counted = partitions.filter((p) => p.kafkaPickLoss !== null).map((p) => ({ certainLoss: p.kafkaPickLoss!, unit: p.unit }))
  const total = totalLoss(counted)
  return { ok: true, plan: { topics: flagTopics, partitions, waitMs: request.waitMs, certainLoss: total.certainLoss, unit: total.unit } }
}

/** The one line an operator reads when there is no plan; always ends saying nothing changed. */
export function describePlanFault(f: PlanFault): string {
  const name = 'topic' in f && 'partition' in f ? partitionName(f as TopicPartition) : ''
  switch (f.kind) {
    case 'no-partitions':
      return 'no partitions given — list them as topic:partition, e.g. --set partitions=orders:0,orders:3; nothing changed'
    case 'unknown-topic':
      return `topic ${f.topic} does not exist — check the name (kafka-topics --list); nothing changed`
    case 'unknown-partition':
      return f.partitionCount >= 0
        ? `${name} does not exist: ${f.topic} has partitions 0-${f.partitionCount - 1} — check the number; nothing changed`
        : `${name} is not among the leaderless partitions — check the name; nothing changed`
    case 'has-leader':
      return `${name} has a leader (broker ${f.leader}): there is nothing to elect — leave it out; nothing changed`
    case 'in-sync-alive':
      return `${name} has a live in-sync replica (broker ${f.brokers.join(', ')}): Kafka elects it by itself with no loss — wait a few seconds and check again; nothing changed`
    case 'not-a-replica':
      return `broker ${f.candidate} holds no replica of ${name} (replicas ${f.replicas.join(', ')}) — pick one of those, or list ${name} separately; nothing changed`
    case 'candidate-not-live':
      return `broker ${f.candidate} is not alive for ${name} (live replicas: ${f.liveReplicas.join(', ') || 'none'}) — pick a live replica; nothing changed`
    case 'candidate-unreadable':
      return `the log end of broker ${f.candidate}'s replica of ${name} could not be read (${f.why}), so its loss is unknown — fix access to broker ${f.candidate} or pick another replica; nothing changed`
    case 'no-live-replica':
      return `${name} has no live replica (replicas ${f.replicas.join(', ')}): no election can give it a leader — bring one of those brokers back; nothing changed`
    case 'flag-already-on':
      return `unclean.leader.election.enable is already on for ${f.topics.join(', ')}: the controller will elect on its own — elect a chosen replica instead, or turn the flag off; nothing changed`
  }
}
