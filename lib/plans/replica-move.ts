// When a broker is gone for good: where its replicas of the flagged partitions could go, as a reassignment
// file kafka-reassign-partitions takes (--reassignment-json-file), with the file that moves them back. Each
// replica goes to a live broker that holds no replica of the partition yet, on a rack the partition does not
// use yet when there is one, the least loaded first. Nothing here applies it. Pure.

import type { AffectedPartition, BrokerView } from './isr-findings.ts'

export interface ReplicaMoveInput {
  /** The brokers to move away from. */
  readonly gone: readonly number[]
  readonly brokers: readonly BrokerView[]
  /** The flagged partitions (only those with a replica on a gone broker move). */
  readonly partitions: readonly AffectedPartition[]
  /** Replicas each live broker already holds, to spread the new ones. */
  readonly replicaCounts: ReadonlyMap<number, number>
  /** The leader's copy size per partition ("topic/partition" → bytes), what each new replica copies; absent when unknown. */
  readonly sizes: ReadonlyMap<string, bigint>
}

export interface ReplicaMove {
  readonly topic: string
  readonly partition: number
  readonly from: readonly number[]
  readonly to: readonly number[]
  readonly copyBytes: bigint | null
}

export interface ReplicaMovePlan {
  readonly gone: readonly number[]
  readonly moves: readonly ReplicaMove[]
  /** Partitions that cannot move: no live broker outside their replica list. */
  readonly stuck: readonly { readonly topic: string; readonly partition: number; readonly replicas: readonly number[] }[]
  readonly copyBytes: bigint
  readonly unknownSizes: number
  /** kafka-reassign-partitions JSON: the move, and the assignment as it is now (to go back). */
  readonly reassignmentJson: string
  readonly rollbackJson: string
}

function reassignmentFile(entries: readonly { topic: string; partition: number; replicas: readonly number[] }[]): string {
  return (
    JSON.stringify(
      {
        version: 1,
        partitions: entries.map((e) => ({ topic: e.topic, partition: e.partition, replicas: [...e.replicas], log_dirs: e.replicas.map(() => 'any') })),
      },
      null,
      2,
    ) + '\n'
  )
}

export function planReplicaMove(input: ReplicaMoveInput): ReplicaMovePlan {
  const gone = new Set(input.gone)
  const racks = new Map(input.brokers.map((b) => [b.id, b.rack]))
  const live = input.brokers.filter((b) => b.state === 'up' && !gone.has(b.id)).map((b) => b.id)
  const load = new Map(live.map((id) => [id, input.replicaCounts.get(id) ?? 0]))
  const moves: ReplicaMove[] = []
  const stuck: ReplicaMovePlan['stuck'][number][] = []
  const seen = new Set<string>()
  for (const p of [...input.partitions].sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition)) {
    const key = `${p.topic}/${p.partition}`
    if (seen.has(key) || !p.replicas.some((id) => gone.has(id))) continue
    seen.add(key)
    const target = [...p.replicas]
    let possible = true
    for (const [index, id] of p.replicas.entries()) {
      if (!gone.has(id)) continue
      const usedRacks = new Set(target.filter((r) => !gone.has(r)).map((r) => racks.get(r) ?? null))
      const candidates = live.filter((c) => !target.includes(c))
      if (candidates.length === 0) {
        possible = false
        break
      }
      candidates.sort((a, b) => {
        const rackA = usedRacks.has(racks.get(a) ?? null) ? 1 : 0
        const rackB = usedRacks.has(racks.get(b) ?? null) ? 1 : 0
        return rackA - rackB || load.get(a)! - load.get(b)! || a - b
      })
      const chosen = candidates[0]!
      target[index] = chosen
      load.set(chosen, load.get(chosen)! + 1)
    }
    if (!possible) {
      stuck.push({ topic: p.topic, partition: p.partition, replicas: p.replicas })
      continue
    }
    const added = target.filter((id) => !p.replicas.includes(id)).length
    const size = input.sizes.get(key)
    moves.push({ topic: p.topic, partition: p.partition, from: p.replicas, to: target, copyBytes: size === undefined ? null : size * BigInt(added) })
  }
  return {
    gone: [...gone].sort((a, b) => a - b),
    moves,
    stuck,
    copyBytes: moves.reduce((sum, m) => sum + (m.copyBytes ?? 0n), 0n),
    unknownSizes: moves.filter((m) => m.copyBytes === null).length,
    reassignmentJson: reassignmentFile(moves.map((m) => ({ topic: m.topic, partition: m.partition, replicas: m.to }))),
    rollbackJson: reassignmentFile(moves.map((m) => ({ topic: m.topic, partition: m.partition, replicas: m.from }))),
  }
}
