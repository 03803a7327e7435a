// Which `__consumer_offsets` partition holds a group, and how a listing that missed some partitions is said.

import type { UnlistedGroups } from './types.ts'

/** Java's String.hashCode, over UTF-16 code units as Java iterates them. */
function javaStringHash(text: string): number {
  let hash = 0
  for (let i = 0; i < text.length; i++) hash = (Math.imul(hash, 31) + text.charCodeAt(i)) | 0
  return hash
}

/** The `__consumer_offsets` partition whose leader coordinates `groupId`: Kafka's abs(hashCode) mod the partition count. */
export function offsetsPartitionOf(groupId: string, partitions: number): number {
  const hash = javaStringHash(groupId)
  // Kafka's Utils.abs maps Integer.MIN_VALUE to 0 rather than overflowing.
  return (hash === -2147483648 ? 0 : Math.abs(hash)) % partitions
}

/** One line for the partitions a listing could not read: what is missing, why, and what to do. */
export function describeUnlisted(unlisted: readonly UnlistedGroups[]): string {
  const partitions = unlisted.map((u) => u.partition).sort((a, b) => a - b)
  const reasons = new Map<string, number[]>()
  for (const u of unlisted) {
    const reason = `${u.coordinator === null ? 'no leader' : `broker ${u.coordinator}`}: ${u.error.name}`
    reasons.set(reason, [...(reasons.get(reason) ?? []), u.partition])
  }
  const why = [...reasons.keys()].sort().join('; ')
  const noun = partitions.length === 1 ? 'partition' : 'partitions'
  return `groups on __consumer_offsets ${noun} ${partitions.join(', ')} not listed (${why}) — some groups may be missing; rerun in a few seconds`
}
