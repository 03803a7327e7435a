// What a read of groups may answer while their coordinators move: the truth, or a clear error — never "unknown
// group" or "no offsets" for a group that has them, never a group missing from a listing without a word.

import { offsetsPartitionOf } from '../../lib/kafka/group-coordination.ts'
import { expect, vi } from 'vitest'
import type { KafkaOps } from '../../lib/kafka/types.ts'

/** A group as it was committed: one offset on partition 0 of the test's topic. */
export interface CommittedGroup {
  readonly groupId: string
  readonly offset: bigint
}

/** One reading of every group at once (listing, descriptions, committed offsets). */
export interface GroupReading {
  /** Each broken promise, as a line naming the group: empty when every answer was true or an error. */
  readonly untrue: string[]
  /** Groups answered with an error, or left out of a listing that said so: allowed while a coordinator moves. */
  readonly unanswered: Set<string>
}

/** Reads every group the ways status and the runbooks do (offsets one group at a time and all at once), side by side, and checks each answer against what was committed. */
export async function readGroupsTruly(ops: KafkaOps, groups: readonly CommittedGroup[], offsetsPartitions: number): Promise<GroupReading> {
  const ids = groups.map((g) => g.groupId)
  const [listing, described, alone, together] = await Promise.all([
    ops.listGroups(),
    ops.describeGroups(ids),
    Promise.all(ids.map((g) => ops.committedOffsets(g))),
    ops.groupsCommittedOffsets(ids),
  ])
  const listed = new Set(listing.groups.map((g) => g.groupId))
  const unlisted = new Set(listing.unlisted.map((u) => u.partition))
  const untrue: string[] = []
  const unanswered = new Set<string>()
  for (const [i, { groupId, offset }] of groups.entries()) {
    const partition = offsetsPartitionOf(groupId, offsetsPartitions)
    if (!listed.has(groupId)) {
      if (unlisted.has(partition)) unanswered.add(groupId)
      else untrue.push(`${groupId}: missing from the listing, whose unlisted partitions are [${[...unlisted].join(', ')}], not ${partition}`)
    }
    const d = described[i]!
    if (d.error?.name === 'GROUP_ID_NOT_FOUND') untrue.push(`${groupId}: described as unknown by broker ${d.coordinator}`)
    else if (d.error) unanswered.add(groupId)
    else if (d.state !== 'Empty' || d.coordinator === null) untrue.push(`${groupId}: described as ${d.state} by coordinator ${d.coordinator}`)
    for (const [how, o] of [
      ['alone', alone[i]!],
      ['together', together[i]!],
    ] as const) {
      const read = o.offsets.map((c) => c.offset)
      if (o.groupId !== groupId) untrue.push(`${groupId}: offsets read ${how} answered for ${o.groupId}`)
      else if (o.error) unanswered.add(groupId)
      else if (read.length !== 1 || read[0] !== offset) untrue.push(`${groupId}: offsets read ${how} [${read.join(', ')}] with no error, committed ${offset}`)
    }
  }
  return { untrue, unanswered }
}

/**
 * `__consumer_offsets`' partition count, once it exists with a leader for each partition: a fresh cluster creates it
 * on the first group request, so one group commits on `topic` (partition 0) first.
 */
export async function offsetsPartitions(ops: KafkaOps, topic: string): Promise<number> {
  expect(await ops.alterCommittedOffsets(`${topic}-first-group`, [{ topic, partition: 0, offset: 0n }])).toEqual([{ topic, partition: 0 }])
  return vi.waitFor(
    async () => {
      const [offsets] = await ops.partitionStates(['__consumer_offsets'])
      if (!offsets?.partitions.length || offsets.partitions.some((p) => p.leader === null)) throw new Error('__consumer_offsets is not led yet')
      return offsets.partitions.length
    },
    { timeout: 30_000, interval: 200 },
  )
}

/** `perPartition` new group ids on each `__consumer_offsets` partition, so that every coordinator holds some. */
export function groupsOnEveryPartition(name: (i: number) => string, offsetsPartitions: number, perPartition: number): string[] {
  const groups: string[] = []
  const held = new Array<number>(offsetsPartitions).fill(0)
  for (let i = 0; groups.length < offsetsPartitions * perPartition; i++) {
    const id = name(i)
    const partition = offsetsPartitionOf(id, offsetsPartitions)
    if (held[partition]! < perPartition) {
      held[partition]!++
      groups.push(id)
    }
  }
  return groups
}
