// The fake's consumer groups: listing, describing (classic and KIP-848), committed offsets, and the
// offset commit that Kafka accepts from an admin only while the group is empty.

import { ErrorCode, kafkaError } from '../errors.ts'
import { offsetsPartitionOf } from '../group-coordination.ts'
import type { GroupDescription, GroupList, GroupOffsets, KafkaError, OffsetCommit, PartitionResult } from '../types.ts'
import { acceptsAdminCommits, refuseNonEmptyGroup, refusePlaceholders } from '../commit-rules.ts'
import { type ClusterState, findPartition, groupState, partitionKey } from './state.ts'

/** `__consumer_offsets`' partition count: the fake's own topic when it has one, else the sandbox's three. */
export const offsetsPartitions = (state: ClusterState): number => state.topics.get('__consumer_offsets')?.partitions.length ?? 3

const firstLiveBroker = (state: ClusterState) => [...state.brokers.values()].find((b) => b.life === 'alive')?.id ?? null

/** The error a read of this group ends on when its coordinator is stalled, as the adapter gives it after waiting. */
function stalledError(state: ClusterState, groupId: string): KafkaError | null {
  const code = state.stalledCoordinators.get(offsetsPartitionOf(groupId, offsetsPartitions(state)))
  return code === undefined ? null : kafkaError(code)
}

export function listFakeGroups(state: ClusterState): GroupList {
  const groups = [...state.groups.values()]
    .filter((g) => stalledError(state, g.groupId) === null)
    .sort((a, b) => a.groupId.localeCompare(b.groupId))
    .map((g) => ({ groupId: g.groupId, state: groupState(g), type: g.type, protocolType: g.protocolType }))
  const unlisted = [...state.stalledCoordinators]
    .sort(([a], [b]) => a - b)
    .map(([partition, code]) => ({ partition, coordinator: firstLiveBroker(state), error: kafkaError(code) }))
  return { groups, unlisted }
}

export function describeFakeGroups(state: ClusterState, groupIds: readonly string[]): GroupDescription[] {
  const coordinator = firstLiveBroker(state)
  return groupIds.map((groupId): GroupDescription => {
    const stalled = stalledError(state, groupId)
    if (stalled) return { groupId, state: 'Dead', type: 'unknown', assignor: null, coordinator: null, members: [], error: stalled }
    const group = state.groups.get(groupId)
    if (!group) {
      return {
        groupId,
        state: 'Dead',
        type: 'unknown',
        assignor: null,
        coordinator,
        members: [],
        error: kafkaError(ErrorCode.GROUP_ID_NOT_FOUND, `Group ${groupId} not found.`),
      }
    }
    return {
      groupId,
      state: groupState(group),
      type: group.type,
      assignor: group.members.length || group.type === 'consumer' ? group.assignor : null,
      coordinator,
      members: group.members.map((m) => ({ ...m, assignment: m.assignment.map((tp) => ({ ...tp })) })),
      ...(group.type === 'consumer' ? { epoch: group.epoch } : {}),
    }
  })
}

export function readFakeCommittedOffsets(state: ClusterState, groupId: string, topics?: readonly string[]): GroupOffsets {
  const stalled = stalledError(state, groupId)
  if (stalled) return { groupId, offsets: [], error: stalled }
  const group = state.groups.get(groupId)
  if (!group) return { groupId, offsets: [] }
  const wanted = topics ? new Set(topics) : null
  const offsets = [...group.offsets.entries()]
    .map(([key, commit]) => {
      const slash = key.lastIndexOf('/')
      return { topic: key.slice(0, slash), partition: Number(key.slice(slash + 1)), ...commit }
    })
    .filter((o) => wanted === null || wanted.has(o.topic))
    .sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition)
  return { groupId, offsets }
}

export function alterFakeCommittedOffsets(state: ClusterState, groupId: string, commits: readonly OffsetCommit[]): PartitionResult[] {
  const stalled = stalledError(state, groupId)
  if (stalled) return commits.map(({ topic, partition }) => ({ topic, partition, error: stalled }))
  const group = state.groups.get(groupId)
  const current = group ? groupState(group) : 'Empty'
  if (group && !acceptsAdminCommits(current)) return refuseNonEmptyGroup(groupId, current, group.members.length, commits)
  // A placeholder anywhere refuses the whole request before anything is sent, as the real adapter does.
  if (commits.some((c) => c.offset < 0n)) return refusePlaceholders(commits)
  let target = group
  const results: PartitionResult[] = []
  for (const { topic, partition, offset } of commits) {
    // Kafka commits the partitions it knows and refuses the others, one by one.
    if (!findPartition(state, topic, partition)) {
      results.push({ topic, partition, error: kafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'This server does not host this topic-partition.') })
      continue
    }
    if (!target) {
      target = { groupId, type: 'classic', protocolType: '', assignor: null, pinnedState: null, members: [], offsets: new Map(), epoch: 0 }
      state.groups.set(groupId, target)
    }
    target.offsets.set(partitionKey(topic, partition), { offset, leaderEpoch: null, metadata: '' })
    results.push({ topic, partition })
  }
  return results
}
