// listGroups() and describeGroups(): classic groups through DescribeGroups (assignment bytes decoded),
// KIP-848 consumer groups through ConsumerGroupDescribe — DescribeGroups answers those as unknown/Dead.

import { describeGroupsV5, listGroupsV4, listGroupsV5 } from './client.ts'
import { ErrorCode, kafkaError } from '../errors.ts'
import type { GroupDescription, GroupListing, GroupType } from '../types.ts'
import { onCoordinator } from './coordinator.ts'
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

async function describeClassic(session: Session, groupId: string): Promise<GroupDescription> {
  const answer = await onCoordinator(
    session,
    groupId,
    (c) => send(describeGroupsV5.api, c, [groupId], false),
    (a) => a.groups[0]?.errorCode ?? 0,
  )
  if ('error' in answer) return { ...notFound(groupId, null), error: answer.error }
  const group = answer.value.groups[0]
  if (!group) return notFound(groupId, answer.broker)
  if (group.errorCode !== 0) return { ...notFound(groupId, answer.broker), error: kafkaError(group.errorCode) }
  if (group.groupState === 'Dead') return notFound(groupId, answer.broker)
  return {
    groupId,
    state: group.groupState,
    type: 'classic',
    assignor: group.protocolData || null,
    coordinator: answer.broker,
    members: group.members.map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId ?? null,
      clientId: m.clientId,
      host: m.clientHost,
      assignment: decodeClassicAssignment(m.memberAssignment),
    })),
  }
}

async function describeConsumer(session: Session, groupId: string): Promise<GroupDescription> {
  const version = session.version(69, [0, 1]) as 0 | 1 | null
  if (version === null)
    return { ...notFound(groupId, null), error: kafkaError(ErrorCode.UNSUPPORTED_VERSION, 'ConsumerGroupDescribe is not served by this cluster') }
  const answer = await onCoordinator(
    session,
    groupId,
    (c) => send(consumerGroupDescribeApis[version], c, [groupId], false),
    (a) => a[0]?.errorCode ?? 0,
  )
  if ('error' in answer) return { ...notFound(groupId, null), error: answer.error }
  const group = answer.value[0]
  if (!group) return notFound(groupId, answer.broker)
  if (group.errorCode !== 0) return { ...notFound(groupId, answer.broker), error: kafkaError(group.errorCode, group.errorMessage) }
  return {
    groupId,
    state: group.groupState,
    type: 'consumer',
    assignor: group.assignorName || null,
    coordinator: answer.broker,
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
  }
}

export async function describeGroups(session: Session, groupIds: readonly string[]): Promise<GroupDescription[]> {
  if (groupIds.length === 0) return []
  const types = new Map((await listGroups(session)).map((g) => [g.groupId, g.type]))
  return Promise.all(
    groupIds.map(async (groupId) => {
      const type = types.get(groupId)
      if (type === undefined) return notFound(groupId, null)
      if (type === 'consumer') return describeConsumer(session, groupId)
      if (type === 'classic') return describeClassic(session, groupId)
      return { ...notFound(groupId, null), type, error: kafkaError(ErrorCode.UNSUPPORTED_VERSION, `${type} groups are listed but not described by runbook`) }
    }),
  )
}
