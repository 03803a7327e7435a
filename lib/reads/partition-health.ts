// Partition health as kafka-topics --describe reports it: unavailable, under min ISR, at min ISR and
// under-replicated partitions (lib/plans/cluster-health.ts decides each condition), for some topics or all.

import type { KafkaOps, TopicPartition } from '../kafka/types.ts'
import { partitionConditions } from '../plans/cluster-health.ts'
import { readTopicSettings, settingOf } from './topic-settings.ts'

/** A partition kafka-topics would list, with its conditions ("under-min-isr", "unavailable", …). */
export interface FlaggedPartition extends TopicPartition {
  readonly leader: number | null
  readonly isr: readonly number[]
  readonly replicas: readonly number[]
  readonly conditions: readonly string[]
}

export interface PartitionHealth {
  /** Partitions read. */
  readonly total: number
  readonly flagged: readonly FlaggedPartition[]
  /** Named topics that do not exist. */
  readonly unknownTopics: readonly string[]
}

/** Every partition of `topics` (or of every topic) checked the way kafka-topics checks them. */
export async function readPartitionHealth(kafka: KafkaOps, topics?: readonly string[]): Promise<PartitionHealth> {
  const [states, reassignments] = await Promise.all([kafka.partitionStates(topics), kafka.listPartitionReassignments()])
  const names = states.filter((t) => !t.error).map((t) => t.topic)
  const minIsr = new Map(
    (await readTopicSettings(kafka, names, ['min.insync.replicas'])).map((t) => [t.topic, Number(settingOf(t, 'min.insync.replicas').value ?? NaN)]),
  )
  const adding = new Map(reassignments.map((r) => [`${r.topic}/${r.partition}`, r.adding.length]))
  const flagged: FlaggedPartition[] = []
  let total = 0
  for (const topic of states) {
    for (const p of topic.partitions) {
      total++
      const min = minIsr.get(topic.topic)
      const conditions = partitionConditions(
        p,
        min === undefined || Number.isNaN(min) ? null : min,
        adding.size ? (adding.get(`${p.topic}/${p.partition}`) ?? 0) : 0,
      )
      if (conditions.length) flagged.push({ topic: p.topic, partition: p.partition, leader: p.leader, isr: p.isr, replicas: p.replicas, conditions })
    }
  }
  return { total, flagged, unknownTopics: states.filter((t) => t.error).map((t) => t.topic) }
}
