// What a dead-letter copy needs to know of the cluster: the source topic and the dead-letter topic (whether it
// exists, its partitions, replication factor and the settings a copy depends on), and the newest records of the
// dead-letter partition (a copy already there is not made twice).

import type { KafkaOps, TopicPartition } from '../kafka/types.ts'
import { consumerView, type SeenRecord } from '../plans/consumer-view.ts'
import type { TopicFacts } from '../plans/record-skip.ts'
import { fingerprintOf } from './records.ts'
import { readTopicSettings } from './topic-settings.ts'

/** Partitions, replication factor and the named settings of each topic (a topic that does not exist says so). */
export async function readTopicFacts(kafka: KafkaOps, topics: readonly string[], names: readonly string[]): Promise<TopicFacts[]> {
  const [states, settings] = await Promise.all([kafka.partitionStates(topics), readTopicSettings(kafka, topics, names)])
  return topics.map((topic) => {
    const state = states.find((s) => s.topic === topic)
    const exists = Boolean(state && !state.error)
    const config = settings.find((s) => s.topic === topic)
    return {
      topic,
      exists,
      partitions: exists ? state!.partitions.length : null,
      replicationFactor: exists ? Math.max(0, ...state!.partitions.map((p) => p.replicas.length)) : null,
      settings: Object.fromEntries(names.map((n) => [n, config?.settings[n]?.value ?? null])),
      overrides: exists ? (config?.overrides ?? {}) : {},
    }
  })
}

/** The newest `count` records of a partition (fewer when it holds fewer), read as they are. */
export async function readNewestRecords(kafka: KafkaOps, tp: TopicPartition, count: number): Promise<SeenRecord[]> {
  const [earliest, latest] = await kafka.listOffsets([
    { ...tp, spec: 'earliest' },
    { ...tp, spec: 'latest' },
  ])
  const start = earliest?.offset ?? 0n
  const end = latest?.offset ?? 0n
  if (end <= start) return []
  const from = end - BigInt(count) > start ? end - BigInt(count) : start
  const [answer] = await kafka.fetchRecords([{ ...tp, offset: from, endOffset: end, maxRecords: count }])
  if (!answer || answer.error) return []
  return consumerView(answer, 'read_uncommitted').records.map((r) => ({ ...r, fingerprint: fingerprintOf(r.record) }))
}
