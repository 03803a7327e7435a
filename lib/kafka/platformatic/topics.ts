// createTopics() / deleteTopics(): per-topic outcomes; any broker forwards them to the KRaft controller, and
// the answer comes once every live broker sees the change.

import { createTopicsV7, deleteTopicsV6, metadataV12 } from './client.ts'
import { ErrorCode, kafkaError } from '../errors.ts'
import type { NewTopic, TopicResult } from '../types.ts'
import { describeTopicPartitionsV0 } from './protocol/describe-topic-partitions.ts'
import { type Session, send } from './session.ts'

const timeoutMs = 30_000
/** How long to wait for every live broker to see created / deleted topics. */
const propagationMs = 15_000

/**
 * Waits until every live broker's metadata agrees that the topics exist (or no longer exist), so the next
 * request — to whichever broker — sees them. CreateTopics answers once the controller has committed, before
 * the brokers have caught up (measured: a produce or DescribeConfigs right after can miss the topic).
 */
async function awaitVisibility(session: Session, topics: readonly string[], present: boolean): Promise<void> {
  if (topics.length === 0) return
  const deadline = Date.now() + propagationMs
  const brokers = [...(await session.addresses(true)).values()].filter((b) => b.fenced !== true).map((b) => b.id)
  const useDescribe = session.version(75, [0]) !== null
  const sees = async (broker: number): Promise<boolean> => {
    const answer = await session.onBroker(broker, async (c): Promise<{ name: string | null | undefined; errorCode: number }[]> =>
      useDescribe
        ? (await send(describeTopicPartitionsV0.withoutElr, c, topics, 2000, undefined)).topics
        : (await send(metadataV12.api, c, [...topics], false, false)).topics,
    )
    if ('error' in answer) return true
    const known = new Set(answer.value.filter((t) => t.errorCode === 0).map((t) => t.name))
    return topics.every((t) => known.has(t) === present)
  }
  let pending = brokers
  while (pending.length && Date.now() < deadline) {
    const seen = await Promise.all(pending.map(sees))
    pending = pending.filter((_, i) => !seen[i])
    if (pending.length) await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

export async function createTopics(session: Session, topics: readonly NewTopic[]): Promise<TopicResult[]> {
  if (topics.length === 0) return []
  if (session.version(19, [7]) === null)
    return topics.map(({ topic }) => ({ topic, error: kafkaError(ErrorCode.UNSUPPORTED_VERSION, 'CreateTopics v7 is not served by this cluster') }))
  const request = topics.map((t) => ({
    name: t.topic,
    numPartitions: t.assignments ? -1 : (t.partitions ?? -1),
    replicationFactor: t.assignments ? -1 : (t.replicationFactor ?? -1),
    assignments: (t.assignments ?? []).map((brokerIds, partitionIndex) => ({ partitionIndex, brokerIds: [...brokerIds] })),
    configs: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value })),
  }))
  const answer = await session.anyBroker((c) => send(createTopicsV7.api, c, request, timeoutMs, false))
  const byName = new Map(answer.topics.map((t) => [t.name, t]))
  await awaitVisibility(
    session,
    answer.topics.filter((t) => t.errorCode === 0).map((t) => t.name),
    true,
  )
  return topics.map(({ topic }) => {
    const result = byName.get(topic)
    if (!result) return { topic, error: kafkaError(ErrorCode.UNKNOWN_SERVER_ERROR, 'the broker did not answer for this topic') }
    return result.errorCode === 0 ? { topic } : { topic, error: kafkaError(result.errorCode, result.errorMessage) }
  })
}

export async function deleteTopics(session: Session, topics: readonly string[]): Promise<TopicResult[]> {
  if (topics.length === 0) return []
  if (session.version(20, [6]) === null)
    return topics.map((topic) => ({ topic, error: kafkaError(ErrorCode.UNSUPPORTED_VERSION, 'DeleteTopics v6 is not served by this cluster') }))
  const answer = await session.anyBroker((c) =>
    send(
      deleteTopicsV6.api,
      c,
      topics.map((name) => ({ name })),
      timeoutMs,
    ),
  )
  const byName = new Map(answer.responses.map((r) => [r.name, r]))
  await awaitVisibility(
    session,
    answer.responses.filter((r) => r.errorCode === 0 && r.name).map((r) => r.name!),
    false,
  )
  return topics.map((topic) => {
    const result = byName.get(topic)
    if (!result) return { topic, error: kafkaError(ErrorCode.UNKNOWN_SERVER_ERROR, 'the broker did not answer for this topic') }
    return result.errorCode === 0 ? { topic } : { topic, error: kafkaError(result.errorCode, result.errorMessage) }
  })
}
