// committedOffsets() and alterCommittedOffsets(). An admin commit (generation -1) is accepted by Kafka only
// from an empty group: the state is checked first so a running group is refused before anything is sent,
// and -1/-2 placeholders are never sent (consumers would read them as "no offset").

import { offsetCommitV8, offsetCommitV9, offsetFetchV8, offsetFetchV9 } from './client.ts'
import { acceptsAdminCommits, refuseNonEmptyGroup, refusePlaceholders } from '../commit-rules.ts'
import { ErrorCode, kafkaError } from '../errors.ts'
import type { GroupOffsets, OffsetCommit, PartitionResult } from '../types.ts'
import { byGroupId, onCoordinator, onCoordinators } from './coordinator.ts'
import { describeGroups } from './groups.ts'
import { type Session, send } from './session.ts'

type FetchApi = typeof offsetFetchV9.api
type CommitApi = typeof offsetCommitV9.api
const fetchApis: Record<number, FetchApi> = { 9: offsetFetchV9.api, 8: offsetFetchV8.api as unknown as FetchApi }
const commitApis: Record<number, CommitApi> = { 9: offsetCommitV9.api, 8: offsetCommitV8.api as unknown as CommitApi }

/** Members joined between the check and the commit: the broker's refusals, said as Kafka's admin tools say it. */
const memberErrors: ReadonlySet<number> = new Set([22, 25, 110, 113])

/** The committed offsets of many groups (of `topics` only, when given): one OffsetFetch (v8+ takes many groups) per coordinator. */
export async function groupsCommittedOffsets(session: Session, groupIds: readonly string[], topics?: readonly string[]): Promise<GroupOffsets[]> {
  if (groupIds.length === 0) return []
  const version = session.version(9, [8, 9])
  if (version === null) {
    const error = kafkaError(ErrorCode.UNSUPPORTED_VERSION, 'OffsetFetch v8+ is not served by this cluster')
    return groupIds.map((groupId) => ({ groupId, offsets: [], error }))
  }
  const groupsOf = byGroupId<Awaited<ReturnType<FetchApi['async']>>['groups'][number]>()
  const groupOf = (answer: Awaited<ReturnType<FetchApi['async']>>, groupId: string) => groupsOf(answer.groups).get(groupId)
  const answers = await onCoordinators(
    session,
    groupIds,
    (c, asked) =>
      send(
        fetchApis[version]!,
        c,
        asked.map((groupId) => ({ groupId, memberId: null, memberEpoch: -1, topics: null })),
        false,
      ),
    (a) => new Map(a.groups.map((g) => [g.groupId, g.errorCode])),
    'group',
    // "No offsets" is only an answer from a coordinator that sees its whole partition.
    (a, groupId) => {
      const group = groupOf(a, groupId)
      return group !== undefined && (group.errorCode === ErrorCode.GROUP_ID_NOT_FOUND || group.topics.every((t) => t.partitions.length === 0))
    },
  )
  const wanted = topics ? new Set(topics) : null
  return groupIds.map((groupId): GroupOffsets => {
    const answer = answers.get(groupId)!
    if ('error' in answer) return { groupId, offsets: [], error: answer.error }
    const group = groupOf(answer.value, groupId)
    if (!group)
      return {
        groupId,
        offsets: [],
        error: kafkaError(ErrorCode.UNKNOWN_SERVER_ERROR, `the coordinator (broker ${answer.broker}) gave no answer for this group`),
      }
    if (group.errorCode !== 0 && group.errorCode !== ErrorCode.GROUP_ID_NOT_FOUND) return { groupId, offsets: [], error: kafkaError(group.errorCode) }
    const offsets = group.topics
      .filter((t) => wanted === null || wanted.has(t.name))
      .flatMap((t) =>
        t.partitions
          // -1 means "no committed offset" for that partition.
          .filter((p) => p.committedOffset >= 0n || p.errorCode !== 0)
          .map((p) => ({
            topic: t.name,
            partition: p.partitionIndex,
            offset: p.committedOffset,
            leaderEpoch: p.committedLeaderEpoch < 0 ? null : p.committedLeaderEpoch,
            metadata: p.metadata ?? null,
            ...(p.errorCode !== 0 ? { error: kafkaError(p.errorCode) } : {}),
          })),
      )
      .sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition)
    return { groupId, offsets }
  })
}

/** The committed offsets of one group (of `topics` only, when given). */
export async function committedOffsets(session: Session, groupId: string, topics?: readonly string[]): Promise<GroupOffsets> {
  return (await groupsCommittedOffsets(session, [groupId], topics))[0]!
}

export async function alterCommittedOffsets(session: Session, groupId: string, commits: readonly OffsetCommit[]): Promise<PartitionResult[]> {
  if (commits.length === 0) return []
  if (commits.some((c) => c.offset < 0n)) return refusePlaceholders(commits)
  const [group] = await describeGroups(session, [groupId])
  if (group && !group.error && !acceptsAdminCommits(group.state)) return refuseNonEmptyGroup(groupId, group.state, group.members.length, commits)
  const version = session.version(8, [8, 9])
  if (version === null)
    return commits.map(({ topic, partition }) => ({
      topic,
      partition,
      error: kafkaError(ErrorCode.UNSUPPORTED_VERSION, 'OffsetCommit v8+ is not served by this cluster'),
    }))

  const byTopic = new Map<string, { partitionIndex: number; committedOffset: bigint; committedLeaderEpoch: number; committedMetadata: string }[]>()
  for (const c of commits)
    (byTopic.get(c.topic) ?? byTopic.set(c.topic, []).get(c.topic)!).push({
      partitionIndex: c.partition,
      committedOffset: c.offset,
      committedLeaderEpoch: -1,
      committedMetadata: '',
    })
  const request = [...byTopic].map(([name, partitions]) => ({ name, partitions }))
  // Generation -1 with no member id: an admin commit, which Kafka accepts only while the group has no members.
  const answer = await onCoordinator(
    session,
    groupId,
    (c) => send(commitApis[version]!, c, groupId, -1, '', null, request),
    (a) => a.topics.flatMap((t) => t.partitions).find((p) => p.errorCode !== 0)?.errorCode ?? 0,
  )
  return commits.map(({ topic, partition }): PartitionResult => {
    if ('error' in answer) return { topic, partition, error: answer.error }
    const found = answer.value.topics.find((t) => t.name === topic)?.partitions.find((p) => p.partitionIndex === partition)
    if (!found) return { topic, partition, error: kafkaError(ErrorCode.UNKNOWN_SERVER_ERROR, 'the coordinator gave no answer for this partition') }
    if (found.errorCode === 0) return { topic, partition }
    if (memberErrors.has(found.errorCode)) {
      return {
        topic,
        partition,
        error: kafkaError(
          ErrorCode.NON_EMPTY_GROUP,
          `group ${groupId} has members again (${kafkaError(found.errorCode).name}) — stop them and retry; not committed`,
        ),
      }
    }
    return { topic, partition, error: kafkaError(found.errorCode) }
  })
}
