// The order reports list topics and partitions in: topics by name as String.prototype.localeCompare orders
// them, partitions by number. Reads arrive in that order already (KafkaOps.partitionStates sorts), so a list
// is only checked, and copied and sorted when it is not in order. Pure.

import type { PartitionState, TopicState } from '../kafka/types.ts'

let collator: Intl.Collator | undefined

/**
 * localeCompare's order, from one collator instead of one per comparison. Made on the first comparison, not when
 * the module loads: the first collator of a process loads ICU's collation data (~9 ms of CPU), and `runbook status`
 * loads this module before it connects, but compares names only while it waits on the brokers' answers.
 */
export function compareNames(a: string, b: string): number {
  return (collator ??= new Intl.Collator()).compare(a, b)
}

/**
 * Lists already checked and found in order, with their length then: status and the durability audit it summarises
 * check the same 20,000 topics, and a collator comparison costs about a microsecond. Reads are readonly lists; the
 * length is kept so that a list grown since is checked again.
 */
const checkedInOrder = new WeakMap<readonly unknown[], number>()

export function inTopicOrder<T extends Pick<TopicState, 'topic'>>(topics: readonly T[]): readonly T[] {
  if (checkedInOrder.get(topics) === topics.length) return topics
  for (let i = 1; i < topics.length; i++)
    if (compareNames(topics[i - 1]!.topic, topics[i]!.topic) > 0) return [...topics].sort((a, b) => compareNames(a.topic, b.topic))
  checkedInOrder.set(topics, topics.length)
  return topics
}

export function inPartitionOrder<T extends Pick<PartitionState, 'partition'>>(partitions: readonly T[]): readonly T[] {
  for (let i = 1; i < partitions.length; i++)
    if (partitions[i - 1]!.partition > partitions[i]!.partition) return [...partitions].sort((a, b) => a.partition - b.partition)
  return partitions
}
