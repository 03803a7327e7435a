// The replicas ongoing reassignments are adding, which do not count toward a partition's replication factor
// (kafka-topics leaves them out too). Looked up by topic, then by partition number: a large cluster looks up
// every partition, and a "topic/partition" string for each would be most of the cost. Pure.

import type { OngoingReassignment } from '../kafka/types.ts'

/** Topic → partition → how many replicas its reassignment is adding. */
export type AddingReplicas = ReadonlyMap<string, ReadonlyMap<number, number>>

/** By topic and partition; a partition named twice counts its last reassignment. */
export function addingReplicas(reassignments: readonly OngoingReassignment[]): AddingReplicas {
  const byTopic = new Map<string, Map<number, number>>()
  for (const r of reassignments) {
    let partitions = byTopic.get(r.topic)
    if (partitions === undefined) byTopic.set(r.topic, (partitions = new Map()))
    partitions.set(r.partition, r.adding.length)
  }
  return byTopic
}
