// alterPartitionReassignments() / listPartitionReassignments(): the low-level requests, which also work on a
// leaderless partition (the kafka-reassign-partitions tool refuses while a replica's broker is down).

import { alterPartitionReassignmentsV0, listPartitionReassignmentsV0 } from './client.ts'
import { ErrorCode, kafkaError } from '../errors.ts'
import type { OngoingReassignment, PartitionResult, ReplicaMove } from '../types.ts'
import { type Session, send } from './session.ts'

const timeoutMs = 30_000

export async function alterPartitionReassignments(session: Session, moves: readonly ReplicaMove[]): Promise<PartitionResult[]> {
  if (moves.length === 0) return []
  if (session.version(45, [0]) === null) {
    return moves.map(({ topic, partition }) => ({
      topic,
      partition,
      error: kafkaError(ErrorCode.UNSUPPORTED_VERSION, 'AlterPartitionReassignments v0 is not served by this cluster'),
    }))
  }
  const byTopic = new Map<string, { partitionIndex: number; replicas: number[] }[]>()
  for (const move of moves) {
    // A null replica list cancels the reassignment of that partition.
    ;(byTopic.get(move.topic) ?? byTopic.set(move.topic, []).get(move.topic)!).push({
      partitionIndex: move.partition,
      replicas: move.replicas === null ? (null as unknown as number[]) : [...move.replicas],
    })
  }
  const request = [...byTopic].map(([name, partitions]) => ({ name, partitions }))
  const answer = await session.anyBroker((c) => send(alterPartitionReassignmentsV0.api, c, timeoutMs, false, request))
  const outcomes = new Map<string, { errorCode: number; errorMessage: string | null | undefined }>()
  for (const topic of answer.responses) for (const p of topic.partitions) outcomes.set(`${topic.name}/${p.partitionIndex}`, p)
  return moves.map(({ topic, partition }): PartitionResult => {
    const outcome = outcomes.get(`${topic}/${partition}`)
    if (!outcome)
      return {
        topic,
        partition,
        error: kafkaError(answer.errorCode || ErrorCode.UNKNOWN_SERVER_ERROR, answer.errorMessage ?? 'the controller gave no answer for this partition'),
      }
    return outcome.errorCode === 0 ? { topic, partition } : { topic, partition, error: kafkaError(outcome.errorCode, outcome.errorMessage) }
  })
}

export async function listPartitionReassignments(session: Session): Promise<OngoingReassignment[]> {
  if (session.version(46, [0]) === null) return []
  // A null topic list asks for every ongoing reassignment.
  const answer = await session.anyBroker((c) => send(listPartitionReassignmentsV0.api, c, timeoutMs, null as unknown as []))
  if (answer.errorCode !== 0) throw new Error(`listing reassignments failed: ${kafkaError(answer.errorCode, answer.errorMessage).name}`)
  return answer.topics
    .flatMap((t) =>
      t.partitions.map((p) => ({ topic: t.name, partition: p.partitionIndex, replicas: p.replicas, adding: p.addingReplicas, removing: p.removingReplicas })),
    )
    .sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition)
}
