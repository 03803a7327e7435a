// When an admin may commit a group's offsets, and the per-partition refusals when it may not.
// Shared by the real adapter and the fake so both refuse with the same errors.

import { ErrorCode, kafkaError } from './errors.ts'
import type { OffsetCommit, PartitionResult } from './types.ts'

/** Kafka accepts an admin commit (generation -1) only from an empty group; Dead means no group left. */
export function acceptsAdminCommits(groupState: string): boolean {
  return groupState === 'Empty' || groupState === 'Dead'
}

/** NON_EMPTY_GROUP on every partition: stop the members (and wait out their session), then retry. */
export function refuseNonEmptyGroup(groupId: string, state: string, members: number, commits: readonly OffsetCommit[]): PartitionResult[] {
  const error = kafkaError(
    ErrorCode.NON_EMPTY_GROUP,
    `group ${groupId} is ${state} with ${members} member(s) — stop them and wait for the group to be Empty; nothing was committed`,
  )
  return commits.map(({ topic, partition }) => ({ topic, partition, error }))
}

/** Offsets -1/-2 are "no offset" placeholders: committing them makes consumers fall back to auto.offset.reset. */
export function refusePlaceholders(commits: readonly OffsetCommit[]): PartitionResult[] {
  return commits.map(({ topic, partition, offset }) => ({
    topic,
    partition,
    error:
      offset < 0n
        ? kafkaError(ErrorCode.INVALID_REQUEST, `offset ${offset} is a placeholder, not a real offset — give an offset ≥ 0; nothing was committed`)
        : kafkaError(ErrorCode.INVALID_REQUEST, 'not committed: another offset in the same request is a placeholder'),
  }))
}
