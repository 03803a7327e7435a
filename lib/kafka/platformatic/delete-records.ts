// deleteRecords(): moves each partition's log start up to an offset, asked of the partition's leader.

import { deleteRecordsV2 } from './client.ts'
import { ErrorCode, kafkaError } from '../errors.ts'
import type { DeletedRecords, RecordsBefore } from '../types.ts'
import { readPartitionStates } from './partition-states.ts'
import { type Session, send } from './session.ts'

const timeoutMs = 30_000

export async function deleteRecords(session: Session, before: readonly RecordsBefore[]): Promise<DeletedRecords[]> {
  if (before.length === 0) return []
  const states = await readPartitionStates(session, [...new Set(before.map((b) => b.topic))])
  const leaders = new Map<string, number | null>()
  for (const topic of states) for (const p of topic.partitions) leaders.set(`${p.topic}/${p.partition}`, p.leader)
  const results: DeletedRecords[] = new Array(before.length)
  const byLeader = new Map<number, number[]>()
  before.forEach((item, index) => {
    const leader = leaders.get(`${item.topic}/${item.partition}`)
    const base = { topic: item.topic, partition: item.partition, lowWatermark: null }
    if (leader === undefined)
      results[index] = { ...base, error: kafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'This server does not host this topic-partition.') }
    else if (leader === null) results[index] = { ...base, error: kafkaError(ErrorCode.LEADER_NOT_AVAILABLE, 'The partition has no leader.') }
    else if (session.version(21, [2]) === null)
      results[index] = { ...base, error: kafkaError(ErrorCode.UNSUPPORTED_VERSION, 'DeleteRecords v2 is not served by this cluster') }
    else (byLeader.get(leader) ?? byLeader.set(leader, []).get(leader)!).push(index)
  })
  await Promise.all(
    [...byLeader].map(async ([leader, indexes]) => {
      const byTopic = new Map<string, { partitionIndex: number; offset: bigint }[]>()
      for (const i of indexes)
        (byTopic.get(before[i]!.topic) ?? byTopic.set(before[i]!.topic, []).get(before[i]!.topic)!).push({
          partitionIndex: before[i]!.partition,
          offset: before[i]!.offset,
        })
      const answer = await session.onBroker(leader, (c) =>
        send(
          deleteRecordsV2.api,
          c,
          [...byTopic].map(([name, partitions]) => ({ name, partitions })),
          timeoutMs,
        ),
      )
      for (const i of indexes) {
        const { topic, partition } = before[i]!
        if ('error' in answer) {
          results[i] = { topic, partition, lowWatermark: null, error: answer.error }
          continue
        }
        const found = answer.value.topics.find((t) => t.name === topic)?.partitions.find((p) => p.partitionIndex === partition)
        if (!found)
          results[i] = {
            topic,
            partition,
            lowWatermark: null,
            error: kafkaError(ErrorCode.UNKNOWN_SERVER_ERROR, 'the leader gave no answer for this partition'),
          }
        else if (found.errorCode !== 0) results[i] = { topic, partition, lowWatermark: null, error: kafkaError(found.errorCode) }
        else results[i] = { topic, partition, lowWatermark: found.lowWatermark }
      }
    }),
  )
  return results
}
