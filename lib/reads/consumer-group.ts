// Reads for consumer-group runbooks: a group as the planners see it (state, members, commits, topic sizes),
// the log around its partitions, record times, write rates, and the list of groups to pick from.

import type { GroupDescription, GroupListing, GroupOffsets, KafkaOps, RecordQuery, TopicPartition } from '../kafka/types.ts'
import { entryOf } from './topic-settings.ts'
import { describeUnlisted } from '../kafka/group-coordination.ts'

/** A group as the offset planners need it (lib/plans/offset-rewind.ts GroupSnapshot), plus what the screen shows. */
export interface GroupView {
  readonly groupId: string
  readonly exists: boolean
  readonly state: string
  readonly type: GroupDescription['type']
  readonly assignor: string | null
  readonly coordinator: number | null
  readonly members: GroupDescription['members']
  readonly committed: readonly (TopicPartition & { readonly offset: bigint })[]
  readonly topics: readonly { readonly topic: string; readonly partitions: number | null }[]
  readonly takenAtMs: number
}

/** Thrown when the cluster answered but the group could not be read (coordinator unavailable, not authorised). */
export class GroupReadError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'GroupReadError'
  }
}

/** The group, its commits, and the partition count of every topic it commits on or `alsoTopics` names. */
export async function readGroupView(
  kafka: KafkaOps,
  groupId: string,
  options: { readonly alsoTopics?: readonly string[]; readonly nowMs: number },
): Promise<GroupView> {
  const [[description], offsets] = await Promise.all([kafka.describeGroups([groupId]), kafka.committedOffsets(groupId)])
  if (offsets.error) throw new GroupReadError(`cannot read the committed offsets of ${groupId}: ${offsets.error.message}`)
  if (description?.error && description.error.name !== 'GROUP_ID_NOT_FOUND')
    throw new GroupReadError(`cannot describe group ${groupId}: ${description.error.message}`)
  const failed = offsets.offsets.find((o) => o.error)
  if (failed) throw new GroupReadError(`cannot read the committed offset of ${failed.topic}/${failed.partition}: ${failed.error!.message}`)
  const committed = offsets.offsets.map(({ topic, partition, offset }) => ({ topic, partition, offset }))
  const names = [...new Set([...committed.map((c) => c.topic), ...(options.alsoTopics ?? [])])].sort()
  const states = names.length ? await kafka.partitionStates(names) : []
  const found = description && !description.error
  return {
    groupId,
    exists: Boolean(found) || committed.length > 0,
    state: found ? description.state : committed.length > 0 ? 'Empty' : 'Dead',
    type: found ? description.type : 'classic',
    assignor: found ? description.assignor : null,
    coordinator: description?.coordinator ?? null,
    members: found ? description.members : [],
    committed,
    topics: states.map((s) => ({ topic: s.topic, partitions: s.error ? null : s.partitions.length })),
    takenAtMs: options.nowMs,
  }
}

/** The group's members right now; `found` is false when the coordinator knows no such group (it is gone: Dead). */
export interface GroupState {
  readonly groupId: string
  readonly found: boolean
  readonly state: string
  readonly type: GroupDescription['type']
  readonly members: GroupDescription['members']
}

/** State and members of a group, as the coordinator answers now (a re-check or a wait reads this again and again). */
export async function readGroupState(kafka: KafkaOps, groupId: string): Promise<GroupState> {
  const [description] = await kafka.describeGroups([groupId])
  if (!description || description.error) return { groupId, found: false, state: 'Dead', type: 'unknown', members: [] }
  return { groupId, found: true, state: description.state, type: description.type, members: description.members }
}

/** The group's committed offsets, by "topic/partition". */
export async function readCommittedOffsets(kafka: KafkaOps, groupId: string): Promise<Map<string, bigint>> {
  const offsets = await kafka.committedOffsets(groupId)
  if (offsets.error) throw new GroupReadError(`cannot read the committed offsets of ${groupId}: ${offsets.error.message}`)
  return new Map(offsets.offsets.map((o) => [`${o.topic}/${o.partition}`, o.offset]))
}

export interface LogBounds extends TopicPartition {
  readonly logStart: bigint
  readonly logEnd: bigint
  /** First offset at or after the asked time; null when no record is that recent; absent when no time was asked. */
  readonly atTime?: bigint | null
}

/** Log start and end (the high watermark) of each partition, and the offset at `timeMs` when given. */
export async function readLogBounds(
  kafka: KafkaOps,
  partitions: readonly TopicPartition[],
  timeMs: number | null,
): Promise<{ logs: LogBounds[]; unreadable: { partitions: TopicPartition[]; why: string } | null }> {
  const specs = timeMs === null ? (['earliest', 'latest'] as const) : (['earliest', 'latest', { timestamp: timeMs }] as const)
  const answers = await kafka.listOffsets(partitions.flatMap((tp) => specs.map((spec) => ({ ...tp, spec }))))
  const logs: LogBounds[] = []
  const bad: TopicPartition[] = []
  let why = ''
  partitions.forEach((tp, i) => {
    const [earliest, latest, byTime] = answers.slice(i * specs.length, (i + 1) * specs.length)
    const error = earliest?.error ?? latest?.error ?? byTime?.error
    if (error || earliest?.offset == null || latest?.offset == null) {
      bad.push(tp)
      why ||= error?.message ?? 'no offset answered'
      return
    }
    logs.push({ ...tp, logStart: earliest.offset, logEnd: latest.offset, ...(byTime ? { atTime: byTime.offset } : {}) })
  })
  return { logs, unreadable: bad.length ? { partitions: bad, why } : null }
}

/** Timestamps of records by offset; a record that cannot be read has a null timestamp. */
export async function readRecordTimes(kafka: KafkaOps, queries: readonly RecordQuery[]): Promise<(RecordQuery & { timestamp: number | null })[]> {
  if (queries.length === 0) return []
  const answers = await kafka.recordTimestamps(queries)
  return answers.map((a) => ({ topic: a.topic, partition: a.partition, offset: a.requested, timestamp: a.error ? null : a.timestamp }))
}

/**
 * The write rate into the partitions over the `windowMs` before `endMs`, in records per second. The span is
 * measured from the first record inside the window, so a topic younger than the window is not diluted.
 */
export async function readWriteRate(kafka: KafkaOps, partitions: readonly TopicPartition[], endMs: number, windowMs: number): Promise<number> {
  if (partitions.length === 0) return 0
  const answers = await kafka.listOffsets(
    partitions.flatMap((tp) => [
      { ...tp, spec: { timestamp: endMs - windowMs } },
      { ...tp, spec: { timestamp: endMs } },
      { ...tp, spec: 'latest' as const },
    ]),
  )
  let records = 0n
  let firstMs: number | null = null
  for (let i = 0; i < partitions.length; i++) {
    const [from, to, latest] = answers.slice(i * 3, i * 3 + 3)
    const end = latest?.offset ?? 0n
    const start = from?.offset ?? end
    const stop = to?.offset ?? end
    if (stop <= start) continue
    records += stop - start
    if (from?.timestamp != null && (firstMs === null || from.timestamp < firstMs)) firstMs = from.timestamp
  }
  const spanMs = Math.max(1000, endMs - (firstMs ?? endMs - windowMs))
  return records > 0n ? (Number(records) * 1000) / Math.min(spanMs, windowMs) : 0
}

/** A group for the picker: state, type, members and lag from the cluster. */
export interface GroupChoice {
  readonly groupId: string
  readonly state: string
  readonly type: GroupListing['type']
  readonly members: number | null
  readonly partitions: number
  /** Sum of (log end − committed) over committed partitions; null when it could not be read. */
  readonly lag: bigint | null
}

/** Consumer groups (classic and KIP-848) with state, members and lag; lag for at most `limit` groups. */
export async function readGroupChoices(kafka: KafkaOps, limit = 100): Promise<GroupChoice[]> {
  // A suggestion list: a group left out while its coordinator moves can still be typed, and is then checked.
  const listed = (await kafka.listGroups()).groups.filter((g) => g.type === 'classic' || g.type === 'consumer')
  const ids = listed.map((g) => g.groupId)
  const described = new Map((ids.length ? await kafka.describeGroups(ids, listed) : []).map((d) => [d.groupId, d]))
  const withLag = listed.slice(0, limit)
  // A suggestion list again: offsets that cannot be read leave the lag blank.
  const commits: readonly (GroupOffsets | null)[] = await kafka.groupsCommittedOffsets(withLag.map((g) => g.groupId)).catch(() => withLag.map(() => null))
  const partitions = new Map<string, TopicPartition>()
  for (const c of commits) for (const o of c?.offsets ?? []) partitions.set(`${o.topic}/${o.partition}`, { topic: o.topic, partition: o.partition })
  const ends = new Map<string, bigint | null>()
  const answers = partitions.size ? await kafka.listOffsets([...partitions.values()].map((tp) => ({ ...tp, spec: 'latest' as const }))) : []
  for (const a of answers) ends.set(`${a.topic}/${a.partition}`, a.error ? null : a.offset)
  return listed.map((g, i) => {
    const c = i < withLag.length ? commits[i] : null
    let lag: bigint | null = c && !c.error ? 0n : null
    for (const o of c?.offsets ?? []) {
      const end = ends.get(`${o.topic}/${o.partition}`)
      if (end == null || lag === null) lag = null
      else if (end > o.offset) lag += end - o.offset
    }
    const d = described.get(g.groupId)
    return { groupId: g.groupId, state: g.state, type: g.type, members: d && !d.error ? d.members.length : null, partitions: c?.offsets.length ?? 0, lag }
  })
}

/** Broker settings that decide how long a killed member keeps a group non-Empty; null when unreadable. */
export async function readSessionTimeouts(kafka: KafkaOps): Promise<{ classicMinMs: number | null; classicMaxMs: number | null; consumerMs: number | null }> {
  const none = { classicMinMs: null, classicMaxMs: null, consumerMs: null }
  const broker = (await kafka.cluster()).brokers.find((b) => b.fenced !== true)
  if (!broker) return none
  const [config] = await kafka.describeConfigs([{ type: 'broker', id: broker.id }])
  if (!config || config.error) return none
  const value = (name: string) => {
    const text = entryOf(config, name)?.value
    return text == null || text === '' || Number.isNaN(Number(text)) ? null : Number(text)
  }
  return {
    classicMinMs: value('group.min.session.timeout.ms'),
    classicMaxMs: value('group.max.session.timeout.ms'),
    consumerMs: value('group.consumer.session.timeout.ms'),
  }
}

/** Every consumer group's committed offsets on these topics (groups of an unknown type included: they may commit too). */
export async function readGroupCommitsOn(
  kafka: KafkaOps,
  topics: readonly string[],
): Promise<{ readonly groupId: string; readonly offsets: readonly (TopicPartition & { readonly offset: bigint })[] }[]> {
  const listing = await kafka.listGroups()
  // Which groups are affected is the answer: one that could not be listed or read is not "none".
  if (listing.unlisted.length) throw new GroupReadError(describeUnlisted(listing.unlisted))
  const groups = listing.groups.filter((g) => g.type === 'classic' || g.type === 'consumer' || g.type === 'unknown')
  // All of them at once: one request per coordinator, not two round trips per group.
  const answers = await kafka.groupsCommittedOffsets(
    groups.map((g) => g.groupId),
    topics,
  )
  return answers.map((answer) => {
    if (answer.error) throw new GroupReadError(`cannot read the committed offsets of ${answer.groupId}: ${answer.error.message}`)
    return { groupId: answer.groupId, offsets: answer.offsets.map(({ topic, partition, offset }) => ({ topic, partition, offset })) }
  })
}
