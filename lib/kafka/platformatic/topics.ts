// createTopics() / deleteTopics(): per-topic outcomes; any broker forwards them to the KRaft controller.

import { createTopicsV7, deleteTopicsV6 } from '@platformatic/kafka'
import { ErrorCode, kafkaError } from '../errors.ts'
import type { NewTopic, TopicResult } from '../types.ts'
import { type Session, send } from './session.ts'

const timeoutMs = 30_000

export async function createTopics(session: Session, topics: readonly NewTopic[]): Promise<TopicResult[]> {
  if (topics.length === 0) return []
  if (session.version(19, [7]) === null) return topics.map(({ topic }) => ({ topic, error: kafkaError(ErrorCode.UNSUPPORTED_VERSION, 'CreateTopics v7 is not served by this cluster') }))
  const request = topics.map((t) => ({
    name: t.topic,
    numPartitions: t.assignments ? -1 : (t.partitions ?? -1),
    replicationFactor: t.assignments ? -1 : (t.replicationFactor ?? -1),
    assignments: (t.assignments ?? []).map((brokerIds, partitionIndex) => ({ partitionIndex, brokerIds: [...brokerIds] })),
    configs: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value })),
  }))
  const answer = await session.anyBroker((c) => send(createTopicsV7.api, c, request, timeoutMs, false))
  const byName = new Map(answer.topics.map((t) => [t.name, t]))
  return topics.map(({ topic }) => {
    const result = byName.get(topic)
    if (!result) return { topic, error: kafkaError(ErrorCode.UNKNOWN_SERVER_ERROR, 'the broker did not answer for this topic') }
    return result.errorCode === 0 ? { topic } : { topic, error: kafkaError(result.errorCode, result.errorMessage) }
  })
}

export async function deleteTopics(session: Session, topics: readonly string[]): Promise<TopicResult[]> {
  if (topics.length === 0) return []
  if (session.version(20, [6]) === null) return topics.map((topic) => ({ topic, error: kafkaError(ErrorCode.UNSUPPORTED_VERSION, 'DeleteTopics v6 is not served by this cluster') }))
  const answer = await session.anyBroker((c) => send(deleteTopicsV6.api, c, topics.map((name) => ({ name })), timeoutMs))
  const byName = new Map(answer.responses.map((r) => [r.name, r]))
  return topics.map((topic) => {
    const result = byName.get(topic)
    if (!result) return { topic, error: kafkaError(ErrorCode.UNKNOWN_SERVER_ERROR, 'the broker did not answer for this topic') }
    return result.errorCode === 0 ? { topic } : { topic, error: kafkaError(result.errorCode, result.errorMessage) }
  })
}
