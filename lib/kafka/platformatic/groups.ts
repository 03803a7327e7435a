// listGroups() and describeGroups(): classic groups through DescribeGroups (assignment bytes decoded),
// KIP-848 consumer groups through ConsumerGroupDescribe — DescribeGroups answers those as unknown/Dead.

import { describeGroupsV5, listGroupsV4, listGroupsV5 } from './client.ts'
import { ErrorCode, kafkaError } from '../errors.ts'
import { offsetsPartitionOf } from '../group-coordination.ts'
import type { GroupDescription, GroupList, GroupListing, GroupType, KafkaError, UnlistedGroups } from '../types.ts'
import { byGroupId, coordinatorCaughtUp, coordinatorRetryCodes, onCoordinators, pause } from './coordinator.ts'
import { readPartitionStates } from './partition-states.ts'
import { decodeClassicAssignment } from './protocol/classic-assignment.ts'
import { consumerGroupDescribeApis } from './protocol/consumer-group-describe.ts'
import { type Session, send } from './session.ts'

const groupType = (wire: string | undefined, protocolType: string): GroupType => {
  if (wire === 'classic' || wire === 'consumer' || wire === 'share' || wire === 'streams') return wire
  // Before ListGroups v5 there were only classic groups.
  return wire === undefined && (protocolType === 'consumer' || protocolType === '') ? 'classic' : 'unknown'
}

/** How often a listing that missed a partition is read again, and the pause between: about as long as a coordinator read waits. */
const listAttempts = 8
const listRetryMs = 250

type ListAnswer = Awaited<ReturnType<typeof listGroupsV5.api.async>>

/** One ListGroups answer per live broker (fenced ones left out), or the error that kept it from answering. */
async function askEveryBroker(session: Session, version: 4 | 5): Promise<Map<number, { value: ListAnswer } | { error: KafkaError }>> {
  // Every broker coordinates some groups: ask each live one.
  const brokers = [...(await session.addresses(true)).values()].filter((b) => b.fenced !== true)
  const answers = await Promise.all(
    brokers.map(
      async (b) =>
        [
          b.id,
          await session.onBroker(b.id, async (c) =>
            version === 5 ? send(listGroupsV5.api, c, [], []) : ((await send(listGroupsV4.api, c, [], [])) as ListAnswer),
          ),
        ] as const,
    ),
  )
  return new Map(answers)
}

function listingOf(answers: Iterable<{ value: ListAnswer } | { error: KafkaError }>, version: 4 | 5): GroupListing[] {
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

/** Per `__consumer_offsets` partition, a group id of ours that it holds: asking for it shows whether the partition's coordinator is active. */
const probeIds = new Map<number, string[]>()
function probeIdsFor(partitions: number): string[] {
  let ids = probeIds.get(partitions)
  if (ids) return ids
  ids = new Array<string>(partitions)
  let missing = partitions
  for (let n = 0; missing > 0; n++) {
    const id = `runbook-coordinator-probe-${n}`
    const partition = offsetsPartitionOf(id, partitions)
    if (ids[partition] === undefined) {
      ids[partition] = id
      missing--
    }
  }
  probeIds.set(partitions, ids)
  return ids
}

type Coordination = { broker: number } | { broker: number | null; error: KafkaError }

/**
 * Which broker actively coordinates each `__consumer_offsets` partition right now: its leader is asked to describe
 * a group id that hashes to the partition (one DescribeGroups per leader). NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS
 * or no answer means the partition's groups are between coordinators or still being read back.
 */
async function probeCoordinators(session: Session, leaders: readonly { partition: number; leader: number | null }[]): Promise<Map<number, Coordination>> {
  const found = new Map<number, Coordination>()
  const ids = probeIdsFor(leaders.length)
  const byBroker = new Map<number, number[]>()
  for (const { partition, leader } of leaders) {
    if (leader === null) found.set(partition, { broker: null, error: kafkaError(ErrorCode.COORDINATOR_NOT_AVAILABLE, 'the partition has no leader') })
    else byBroker.set(leader, [...(byBroker.get(leader) ?? []), partition])
  }
  await Promise.all(
    [...byBroker].map(async ([broker, partitions]) => {
      const [answer, caughtUp] = await Promise.all([
        session.onBroker(broker, (c) =>
          send(
            describeGroupsV5.api,
            c,
            partitions.map((p) => ids[p]!),
            false,
          ),
        ),
        coordinatorCaughtUp(session, broker, partitions),
      ])
      for (const partition of partitions) {
        if ('error' in answer) {
          found.set(partition, { broker, error: answer.error })
          continue
        }
        const code = answer.value.groups.find((g) => g.groupId === ids[partition])?.errorCode ?? ErrorCode.COORDINATOR_NOT_AVAILABLE
        const behind = caughtUp.get(partition) ?? null
        if (coordinatorRetryCodes.has(code)) found.set(partition, { broker, error: kafkaError(code) })
        else if (behind) found.set(partition, { broker, error: behind })
        else found.set(partition, { broker })
      }
    }),
  )
  return found
}

/**
 * Every group, from every live broker's ListGroups. A broker lists only the groups of the partitions it
 * coordinates and has finished loading; while a partition moves (a leader election, a broker killed a moment
 * ago) the old coordinator has dropped its groups and the new one does not list them yet, and Kafka 4 answers
 * that without an error. So the coordinators are probed before and after the listing: a partition that was not
 * actively coordinated by the same broker both times is read again (boundedly), then reported as unlisted.
 */
export async function listGroups(session: Session): Promise<GroupList> {
  const version = session.version(16, [4, 5]) as 4 | 5 | null
  if (version === null) throw new Error('ListGroups v4+ is not served by this cluster')
  let last: GroupList = { groups: [], unlisted: [] }
  for (let attempt = 0; attempt < listAttempts; attempt++) {
    if (attempt > 0) await pause(listRetryMs)
    const [offsetsTopic] = await readPartitionStates(session, ['__consumer_offsets'], { via: 'metadata' })
    // No __consumer_offsets yet: no group has ever been coordinated, and whatever the brokers list is all there is.
    const leaders = offsetsTopic && !offsetsTopic.error ? offsetsTopic.partitions.map((p) => ({ partition: p.partition, leader: p.leader })) : []
    const before = await probeCoordinators(session, leaders)
    const answers = await askEveryBroker(session, version)
    const after = await probeCoordinators(session, leaders)
    const unlisted: UnlistedGroups[] = []
    for (const { partition } of leaders) {
      const [was, is] = [before.get(partition)!, after.get(partition)!]
      const listed = was.broker === null ? undefined : answers.get(was.broker)
      let error: KafkaError | null = null
      if ('error' in was) error = was.error
      else if ('error' in is) error = is.error
      else if (was.broker !== is.broker)
        error = kafkaError(ErrorCode.NOT_COORDINATOR, `the coordinator moved from broker ${was.broker} to ${is.broker} during the listing`)
      else if (!listed) error = kafkaError(ErrorCode.COORDINATOR_NOT_AVAILABLE, `broker ${was.broker} was not asked (fenced)`)
      else if ('error' in listed) error = listed.error
      else if (listed.value.errorCode !== 0) error = kafkaError(listed.value.errorCode)
      if (error) unlisted.push({ partition, coordinator: 'error' in is ? is.broker : was.broker, error })
    }
    last = { groups: listingOf(answers.values(), version), unlisted }
    if (unlisted.length === 0) break
  }
  return last
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

/** Classic groups, one DescribeGroups per coordinator broker; each group keeps its own answer or error. */
async function describeClassic(session: Session, groupIds: readonly string[]): Promise<GroupDescription[]> {
  type Answer = Awaited<ReturnType<typeof describeGroupsV5.api.async>>
  const groupsOf = byGroupId<Answer['groups'][number]>()
  const answers = await onCoordinators(
    session,
    groupIds,
    (c, keys) => send(describeGroupsV5.api, c, keys, false),
    (a) => new Map([...groupsOf(a.groups)].map(([id, g]) => [id, g.errorCode])),
    'group',
    // "No such group" is only an answer from a coordinator that sees its whole partition.
    (a, groupId) => {
      const group = groupsOf(a.groups).get(groupId)
      return group === undefined || group.errorCode === ErrorCode.GROUP_ID_NOT_FOUND || group.groupState === 'Dead'
    },
  )
  return groupIds.map((groupId): GroupDescription => {
    const answer = answers.get(groupId)!
    if ('error' in answer) return { ...notFound(groupId, null), error: answer.error }
    const group = groupsOf(answer.value.groups).get(groupId)
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
  })
}

/** Consumer (KIP-848) groups, one ConsumerGroupDescribe per coordinator broker; each group keeps its own answer or error. */
async function describeConsumer(session: Session, groupIds: readonly string[]): Promise<GroupDescription[]> {
  const version = session.version(69, [0, 1]) as 0 | 1 | null
  if (version === null)
    return groupIds.map((groupId) => ({
      ...notFound(groupId, null),
      error: kafkaError(ErrorCode.UNSUPPORTED_VERSION, 'ConsumerGroupDescribe is not served by this cluster'),
    }))
  type Answer = Awaited<ReturnType<(typeof consumerGroupDescribeApis)[0 | 1]['async']>>
  const groupsOf = byGroupId<Answer[number]>()
  const answers = await onCoordinators(
    session,
    groupIds,
    (c, keys) => send(consumerGroupDescribeApis[version], c, keys, false),
    (a) => new Map([...groupsOf(a)].map(([id, g]) => [id, g.errorCode])),
    'group',
    (a, groupId) => {
      const group = groupsOf(a).get(groupId)
      return group === undefined || group.errorCode === ErrorCode.GROUP_ID_NOT_FOUND
    },
  )
  return groupIds.map((groupId): GroupDescription => {
    const answer = answers.get(groupId)!
    if ('error' in answer) return { ...notFound(groupId, null), error: answer.error }
    const group = groupsOf(answer.value).get(groupId)
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
  })
}

/**
 * Groups the brokers did not list: asked of their coordinators, first as classic groups, then (Kafka 4, where
 * DescribeGroups answers a KIP-848 group as not found) those not found as consumer groups. Only a coordinator's
 * own answer makes a group unknown; a coordinator that is moving, loading or down gives its error instead.
 */
async function describeUnlisted(session: Session, groupIds: readonly string[]): Promise<GroupDescription[]> {
  const classic = await describeClassic(session, groupIds)
  const notFoundAsClassic = classic.filter((d) => d.error?.code === ErrorCode.GROUP_ID_NOT_FOUND).map((d) => d.groupId)
  if (notFoundAsClassic.length === 0 || session.version(69, [0, 1]) === null) return classic
  const consumer = new Map((await describeConsumer(session, notFoundAsClassic)).map((d) => [d.groupId, d]))
  // 3.9 lists ConsumerGroupDescribe but answers UNSUPPORTED_VERSION unless the new protocol is enabled (measured, 3.9.2).
  return classic.map((d) => {
    const asConsumer = consumer.get(d.groupId)
    return asConsumer && asConsumer.error?.code !== ErrorCode.UNSUPPORTED_VERSION ? asConsumer : d
  })
}

/** Every group asked for, described the way its listed type is, with one request per coordinator for each way. */
export async function describeGroups(session: Session, groupIds: readonly string[], listed?: readonly GroupListing[]): Promise<GroupDescription[]> {
  if (groupIds.length === 0) return []
  const version = session.version(16, [4, 5]) as 4 | 5 | null
  // The listing only says how each group is described; one that is missing from it (its coordinator moving or
  // loading, or the group new) is asked of its coordinator directly, so this listing need not be complete.
  const listing = listed ?? (version === null ? [] : listingOf((await askEveryBroker(session, version)).values(), version))
  const types = new Map(listing.map((g) => [g.groupId, g.type]))
  const unique = [...new Set(groupIds)]
  const ofType = (wanted: GroupType | undefined) => unique.filter((groupId) => types.get(groupId) === wanted)
  const [classic, consumer, unlisted] = await Promise.all([
    describeClassic(session, ofType('classic')),
    describeConsumer(session, ofType('consumer')),
    describeUnlisted(session, ofType(undefined)),
  ])
  const described = new Map([...classic, ...consumer, ...unlisted].map((d) => [d.groupId, d]))
  return groupIds.map((groupId) => {
    const description = described.get(groupId)
    if (description) return description
    const type = types.get(groupId)!
    return { ...notFound(groupId, null), type, error: kafkaError(ErrorCode.UNSUPPORTED_VERSION, `${type} groups are listed but not described by runbook`) }
  })
}
