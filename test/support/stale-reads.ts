// A broker just back from a pause answers from the metadata it had before (measured on 4.3.1: for about half a
// second after SIGCONT it listed an ISR the leader had already shrunk). On the fake: the next read of partition
// states after `arm()`, or the next view of the cluster, answers with the state the test gives — once.

import type { Io } from '../../lib/engine/io.ts'
import type { FakeKafka } from '../../lib/kafka/fake/index.ts'
import type { ClusterView, PartitionState } from '../../lib/kafka/types.ts'

export interface StaleReads {
  /** The next read answers stale; `thenBefore` runs just before the partition-state read after that one. */
  arm(thenBefore?: () => void): void
  /** How many stale answers were served. */
  served(): number
}

/**
 * The next partition-state read after `arm()` answers each partition as `stale` rewrites it (e.g. the leader and
 * ISR from before the failure); with `cluster`, the cluster view read next is rewritten too.
 */
export function staleOnce(kafka: FakeKafka, stale: (p: PartitionState) => PartitionState, cluster?: (view: ClusterView) => ClusterView): StaleReads {
  const states = kafka.partitionStates.bind(kafka)
  const view = kafka.cluster.bind(kafka)
  let statesArmed = false
  let viewArmed = false
  let served = 0
  let next: (() => void) | undefined
  let after: (() => void) | undefined
  kafka.partitionStates = async (...args) => {
    const before = after
    after = undefined
    before?.()
    const answer = await states(...args)
    if (!statesArmed) return answer
    statesArmed = false
    after = next
    served++
    return answer.map((t) => ({ ...t, partitions: t.partitions.map(stale) }))
  }
  kafka.cluster = async () => {
    const answer = await view()
    if (!viewArmed || !cluster) return answer
    viewArmed = false
    return cluster(answer)
  }
  return {
    arm: (thenBefore) => {
      next = thenBefore
      statesArmed = true
      viewArmed = cluster !== undefined
    },
    served: () => served,
  }
}

/** Calls `then` as the run starts the cell titled `title` (the engine shows each cell's title first). */
export function onCellStart(io: Io, title: string, then: () => void): void {
  const show = io.show.bind(io)
  io.show = (blocks) => {
    if (blocks.some((b) => b.kind === 'markdown' && b.text === `## ${title}`)) then()
    show(blocks)
  }
}
