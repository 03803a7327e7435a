// listGroups() and describeGroups(): classic groups through DescribeGroups (assignment bytes decoded),
// KIP-848 consumer groups through ConsumerGroupDescribe — DescribeGroups answers those as unknown/Dead.

import { describeGroupsV5, listGroupsV4, listGroupsV5 } from './client.ts'
import { ErrorCode, kafkaError } from '../errors.ts'
import type { GroupDescription, GroupListing, GroupType, KafkaError } from '../types.ts'
import { type CoordinatorAnswers, onCoordinators } from './coordinator.ts'
import { decodeClassicAssignment } from './protocol/classic-assignment.ts'
import { consumerGroupDescribeApis } from './protocol/consumer-group-describe.ts'
import { type Session, send } from './session.ts'

const groupType = (wire: string | undefined, protocolType: string): GroupType => {
  if (wire === 'classic' || wire === 'consumer' || wire === 'share' || wire === 'streams') return wire
  // Before ListGroups v5 there were only classic groups.
  return wire === undefined && (protocolType === 'consumer' || protocolType === '') ? 'classic' : 'unknown'
}

const loadRetries = 20
const loadRetryMs = 250

export async function listGroups(session: Session): Promise<GroupListing[]> {
  const version = session.version(16, [4, 5])
  if (version === null) throw new Error('ListGroups v4+ is not served by this cluster')
  // Every broker coordinates some groups: ask each live one.
  const brokers = [...(await session.addresses(true)).values()].filter((b) => b.fenced !== true)
  const ask = (id: number) =>
    session.onBroker(id, async (c) =>
      version === 5 ? send(listGroupsV5.api, c, [], []) : ((await send(listGroupsV4.api, c, [], [])) as Awaited<ReturnType<typeof listGroupsV5.api.async>>),
    )
  // A broker that has just become coordinator of some groups (another one went down) answers "loading" until it
  // has read them back, and lists none meanwhile: asked again, boundedly, as Kafka's own admin client does.
  const answers = await Promise.all(
    brokers.map(async (b) => {
      let answer = await ask(b.id)
      for (let attempt = 0; attempt < loadRetries && 'value' in answer && answer.value.errorCode === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, loadRetryMs))
        answer = await ask(b.id)
      }
      return answer
    }),
  )
  const groups = new Map<string, GroupListing>()
  for (const answer of answers) {
    if ('error' in answer) continue
    for (const g of answer.value.groups) {
      groups.set(g.groupId, {
        groupId: g.groupId,
        state: g.groupState,
        type: groupType(version === 5 ? g.groupType : undefined, g.protocolType),
        protocolType: g.protocolType,
      })
    }
  }
  return [...groups.values()].sort((a, b) => a.groupId.localeCompare(b.groupId))
}

const notFound = (groupId: string, coordinator: number | null): GroupDescription => ({
  groupId,
  state: 'Dead',
  type: 'unknown',
  assignor: null,
  coordinator,
  members: [],
  error: kafkaError(ErrorCode.GROUP_ID_NOT_FOUND, `Group ${groupId} not found.`),
})

/**
 * Each group's description from its coordinator's answer: the coordinator's error, or the group's own error code,
 * or what `describe` makes of the group's entry (null: the coordinator no longer has it).
 */
function fromAnswers<T, G extends { groupId: string; errorCode: number }>(
  answers: CoordinatorAnswers<T>,
  groupsOf: (answer: T) => readonly G[],
  describe: (group: G, coordinator: number) => GroupDescription | null,
  errorOf: (group: G) => KafkaError = (group) => kafkaError(group.errorCode),
): Map<string, GroupDescription> {
  const described = new Map<string, GroupDescription>()
  for (const [groupId, answer] of answers) {
    if ('error' in answer) {
      described.set(groupId, { ...notFound(groupId, null), error: answer.error })
      continue
    }
    const group = groupsOf(answer.value).find((g) => g.groupId === groupId)
    if (group && group.errorCode !== 0) described.set(groupId, { ...notFound(groupId, answer.broker), error: errorOf(group) })
    else described.set(groupId, (group && describe(group, answer.broker)) ?? notFound(groupId, answer.broker))
  }
  return described
}

/** Classic groups, one DescribeGroups per coordinator. */
async function describeClassic(session: Session, groupIds: readonly string[]): Promise<Map<string, GroupDescription>> {
  const answers = await onCoordinators(
    session,
    groupIds,
    (c, asked) => send(describeGroupsV5.api, c, asked, false),
    (a) => new Map(a.groups.map((g) => [g.groupId, g.errorCode])),
  )
  return fromAnswers(
    answers,
    (a) => a.groups,
    (group, coordinator) =>
      group.groupState === 'Dead'
        ? null
        : {
            groupId: group.groupId,
            state: group.groupState,
            type: 'classic',
            assignor: group.protocolData || null,
            coordinator,
            members: group.members.map((m) => ({
              memberId: m.memberId,
              groupInstanceId: m.groupInstanceId ?? null,
              clientId: m.clientId,
              host: m.clientHost,
              assignment: decodeClassicAssignment(m.memberAssignment),
            })),
          },
  )
}

/** KIP-848 consumer groups, one ConsumerGroupDescribe per coordinator. */
async function describeConsumer(session: Session, groupIds: readonly string[]): Promise<Map<string, GroupDescription>> {
  if (groupIds.length === 0) return new Map()
  const version = session.version(69, [0, 1]) as 0 | 1 | null
  if (version === null) {
    const error = kafkaError(ErrorCode.UNSUPPORTED_VERSION, 'ConsumerGroupDescribe is not served by this cluster')
    return new Map(groupIds.map((groupId) => [groupId, { ...notFound(groupId, null), error }]))
  }
  const answers = await onCoordinators(
    session,
    groupIds,
    (c, asked) => send(consumerGroupDescribeApis[version], c, asked, false),
    (a) => new Map(a.map((g) => [g.groupId, g.errorCode])),
  )
  return fromAnswers(
    answers,
    (a) => a,
    (group, coordinator) => ({
      groupId: group.groupId,
      state: group.groupState,
      type: 'consumer',
      assignor: group.assignorName || null,
      coordinator,
      epoch: group.groupEpoch,
      members: group.members.map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.instanceId,
        clientId: m.clientId,
        host: m.clientHost,
        assignment: m.assignment
          .flatMap((t) => t.partitions.map((partition) => ({ topic: t.topic, partition })))
          .sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition),
      })),
    }),
    (group) => kafkaError(group.errorCode, group.errorMessage),
  )
}

/**
 * Each group through the API its type is described by, one request of each kind per coordinator. The types come
 * from `listed` when the caller has just listed the groups, otherwise from a ListGroups of their own.
 */
export async function describeGroups(session: Session, groupIds: readonly string[], listed?: readonly GroupListing[]): Promise<GroupDescription[]> {
  if (groupIds.length === 0) return []
  const types = new Map((listed ?? (await listGroups(session))).map((g) => [g.groupId, g.type]))
  const ofType = (type: GroupType) => groupIds.filter((id) => types.get(id) === type)
  const [classic, consumer] = await Promise.all([describeClassic(session, ofType('classic')), describeConsumer(session, ofType('consumer'))])
  return groupIds.map((groupId) => {
    const type = types.get(groupId)
    if (type === undefined) return notFound(groupId, null)
    const described = (type === 'consumer' ? consumer : classic).get(groupId)
    if (described) return described
    return { ...notFound(groupId, null), type, error: kafkaError(ErrorCode.UNSUPPORTED_VERSION, `${type} groups are listed but not described by runbook`) }
  })
}
