// Where more replicas should go: a reassignment that raises the replication factor and spreads each
// partition's replicas over racks, moving as little as it can, written in kafka-reassign-partitions' own JSON
// (with the current placement beside it for rollback). Exported for the operator to run; never applied here.
// Pure: brokers, partitions, sizes in; the plan out.

import type { Broker, OngoingReassignment, TopicState } from '../kafka/types.ts'
import type { ReplicaBytes } from './durability-audit.ts'

export interface PlacementRequest {
  /** The replication factor to reach (never lowered; capped at the number of live brokers). */
  readonly targetReplicationFactor: number
  /** Topics whose partitions may move. */
  readonly topics: readonly TopicState[]
  /** Every topic of the cluster: how many replicas each broker already holds (new replicas go to the least loaded). */
  readonly allTopics: readonly TopicState[]
  readonly brokers: readonly Broker[]
  readonly reassignments: readonly OngoingReassignment[]
  /** Each partition's largest replica in bytes (the durability snapshot's replicaBytes); null when unknown. */
  readonly sizes: ReplicaBytes | null
}

export interface PartitionMove {
  readonly topic: string
  readonly partition: number
  readonly current: readonly number[]
  readonly proposed: readonly number[]
  readonly added: readonly number[]
  readonly removed: readonly number[]
  readonly racksBefore: readonly (string | null)[]
  readonly racksAfter: readonly (string | null)[]
  readonly why: readonly ('raise-replication' | 'spread-racks')[]
  /** Bytes one new replica copies (the largest current replica); null when sizes are unknown. */
  readonly bytesPerReplica: bigint | null
}

export interface ReassignmentPlan {
  readonly targetReplicationFactor: number
  readonly moves: readonly PartitionMove[]
  /** Partitions that need a change this plan cannot make, and why. */
  readonly notPossible: readonly { readonly topic: string; readonly partition: number; readonly reason: string }[]
  readonly totals: { readonly partitions: number; readonly replicasAdded: number; readonly replicasRemoved: number; readonly bytesToCopy: bigint | null }
  /** For kafka-reassign-partitions --reassignment-json-file ... --execute */
  readonly json: string
  /** The placement before, in the same format: what --execute with it restores. */
  readonly rollbackJson: string
}

const key = (topic: string, partition: number) => `${topic}/${partition}`

/** kafka-reassign-partitions' reassignment file: version 1, one entry per partition, replicas in order. */
export function reassignmentJson(entries: readonly { readonly topic: string; readonly partition: number; readonly replicas: readonly number[] }[]): string {
  const partitions = entries.map((e) => ({ topic: e.topic, partition: e.partition, replicas: [...e.replicas] }))
  return JSON.stringify({ version: 1, partitions }, null, 2) + '\n'
}

export function planReassignment(request: PlacementRequest): ReassignmentPlan {
  const live = request.brokers.filter((b) => b.fenced !== true).sort((a, b) => a.id - b.id)
  const liveIds = new Set(live.map((b) => b.id))
  const rackOf = new Map(request.brokers.map((b) => [b.id, b.rack]))
  const knownRacks = new Set(live.map((b) => b.rack).filter((r): r is string => r !== null))
  const target = Math.min(request.targetReplicationFactor, live.length)
  const reassigning = new Set(request.reassignments.map((r) => key(r.topic, r.partition)))
  const load = new Map<number, number>(live.map((b) => [b.id, 0]))
  for (const topic of request.allTopics) for (const p of topic.partitions) for (const id of p.replicas) load.set(id, (load.get(id) ?? 0) + 1)

  const moves: PartitionMove[] = []
  const notPossible: { topic: string; partition: number; reason: string }[] = []
  const partitions = request.topics
    .filter((t) => !t.error)
    .flatMap((t) => t.partitions)
    .sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition)

  for (const p of partitions) {
    const current = [...p.replicas]
    const racksOf = (ids: readonly number[]) => ids.map((id) => rackOf.get(id) ?? null)
    const distinctKnown = (ids: readonly number[]) => new Set(racksOf(ids).filter((r) => r !== null)).size
    const wantsMore = current.length < target
    const allKnown = racksOf(current).every((r) => r !== null)
    const wantsSpread = knownRacks.size >= 2 && current.length >= 2 && allKnown && distinctKnown(current) < Math.min(current.length, knownRacks.size)
    if (!wantsMore && !wantsSpread) continue
    if (reassigning.has(key(p.topic, p.partition))) {
      notPossible.push({ topic: p.topic, partition: p.partition, reason: 'a reassignment of this partition is already in progress' })
      continue
    }
    const down = current.filter((id) => !liveIds.has(id))
    if (down.length > 0) {
      notPossible.push({
        topic: p.topic,
        partition: p.partition,
        reason: `broker ${down.join(', ')} is down: kafka-reassign-partitions refuses while a replica's broker is down`,
      })
      continue
    }
    const proposed = [...current]
    const pick = (exclude: ReadonlySet<number>, preferRacks: ReadonlySet<string | null> | null): number | null => {
      const candidates = live.filter(
        (b) => !exclude.has(b.id) && (preferRacks === null || !preferRacks.has(b.rack)) && (preferRacks === null || b.rack !== null),
      )
      candidates.sort((a, b) => (load.get(a.id) ?? 0) - (load.get(b.id) ?? 0) || a.id - b.id)
      return candidates[0]?.id ?? null
    }
    // Grow first: a broker in a rack not used yet, else any broker, least loaded first.
    while (proposed.length < target) {
      const exclude = new Set(proposed)
      const next = pick(exclude, new Set(racksOf(proposed))) ?? pick(exclude, null)
      if (next === null) break
      load.set(next, (load.get(next) ?? 0) + 1)
      proposed.push(next)
    }
    // Then spread: replace a replica that shares its rack with an earlier one (never the first: the preferred
    // leader) by one in an unused rack, while such a rack exists.
    const wanted = Math.min(proposed.length, knownRacks.size)
    for (let i = proposed.length - 1; i >= 1 && allKnown && distinctKnown(proposed) < wanted; i--) {
      const rack = rackOf.get(proposed[i]!) ?? null
      if (rack === null || !proposed.slice(0, i).some((id) => rackOf.get(id) === rack)) continue
      const replacement = pick(new Set(proposed), new Set(racksOf(proposed)))
      if (replacement === null) break
      load.set(proposed[i]!, (load.get(proposed[i]!) ?? 1) - 1)
      load.set(replacement, (load.get(replacement) ?? 0) + 1)
      proposed[i] = replacement
    }
    const added = proposed.filter((id) => !current.includes(id))
    const removed = current.filter((id) => !proposed.includes(id))
    if (added.length === 0 && removed.length === 0) {
      notPossible.push({
        topic: p.topic,
        partition: p.partition,
        reason: wantsMore ? 'no live broker is left to hold another replica' : 'no live broker in another rack',
      })
      continue
    }
    const why: PartitionMove['why'][number][] = []
    if (proposed.length > current.length) why.push('raise-replication')
    if (distinctKnown(proposed) > distinctKnown(current)) why.push('spread-racks')
    moves.push({
      topic: p.topic,
      partition: p.partition,
      current,
      proposed,
      added,
      removed,
      racksBefore: racksOf(current),
      racksAfter: racksOf(proposed),
      why,
      bytesPerReplica: request.sizes ? (request.sizes.get(p.topic)?.[p.partition] ?? 0n) : null,
    })
  }
  const bytesToCopy = request.sizes ? moves.reduce((sum, m) => sum + (m.bytesPerReplica ?? 0n) * BigInt(m.added.length), 0n) : null
  return {
    targetReplicationFactor: target,
    moves,
    notPossible,
    totals: {
      partitions: moves.length,
      replicasAdded: moves.reduce((n, m) => n + m.added.length, 0),
      replicasRemoved: moves.reduce((n, m) => n + m.removed.length, 0),
      bytesToCopy,
    },
    json: reassignmentJson(moves.map((m) => ({ topic: m.topic, partition: m.partition, replicas: m.proposed }))),
    rollbackJson: reassignmentJson(moves.map((m) => ({ topic: m.topic, partition: m.partition, replicas: m.current }))),
  }
}
