// Samples of consumer groups for finding the stuck ones: each group's description and commits with the log of
// every committed partition, read twice some seconds apart, and the group descriptions read every second in
// between (a crash loop's members join and leave faster than two samples can tell).

import type { KafkaOps, TopicPartition } from '../kafka/types.ts'
import type { GroupObservation, GroupSample } from '../plans/stuck-partitions.ts'
import { describeUnlisted } from '../kafka/group-coordination.ts'
import { GroupReadError, readLogBounds } from './consumer-group.ts'

const key = (tp: TopicPartition) => `${tp.topic}/${tp.partition}`

/** The consumer groups a stuck partition can belong to (classic and KIP-848), at most `limit`. */
export async function readConsumerGroupIds(kafka: KafkaOps, limit = 500): Promise<string[]> {
  const listed = await kafka.listGroups()
  // The stuck group may be one that could not be listed: say so rather than find nothing.
  if (listed.unlisted.length) throw new GroupReadError(describeUnlisted(listed.unlisted))
  return listed.groups
    .filter((g) => g.type === 'classic' || g.type === 'consumer')
    .map((g) => g.groupId)
    .slice(0, limit)
}

/** One sample of each group: description, commits, and the log start and end of every committed partition. */
export async function readGroupSamples(kafka: KafkaOps, groupIds: readonly string[], nowMs: () => number): Promise<GroupSample[]> {
  if (groupIds.length === 0) return []
  const [described, commits] = await Promise.all([kafka.describeGroups(groupIds), kafka.groupsCommittedOffsets(groupIds)])
  const partitions = new Map<string, TopicPartition>()
  for (const c of commits) for (const o of c.offsets) if (!o.error) partitions.set(key(o), { topic: o.topic, partition: o.partition })
  const { logs } = await readLogBounds(kafka, [...partitions.values()], null)
  const atMs = nowMs()
  const byKey = new Map(logs.map((l) => [key(l), l]))
  return groupIds.map((groupId, i) => {
    const d = described[i]
    const found = d && !d.error
    const committed = commits[i]!.offsets.filter((o) => !o.error).map(({ topic, partition, offset }) => ({ topic, partition, offset }))
    return {
      groupId,
      type: found ? d.type : 'classic',
      state: found ? d.state : committed.length ? 'Empty' : 'Dead',
      members: found ? d.members.map(({ memberId, clientId, host, assignment }) => ({ memberId, clientId, host, assignment })) : [],
      ...(found && d.epoch !== undefined ? { epoch: d.epoch } : {}),
      committed,
      logs: committed.flatMap((c) => {
        const log = byKey.get(key(c))
        return log ? [{ topic: c.topic, partition: c.partition, logStart: log.logStart, logEnd: log.logEnd }] : []
      }),
      atMs,
    }
  })
}

/** The groups' state and member ids every `everyMs` until `durationMs` has passed (a bounded watch). */
export async function watchGroups(
  kafka: KafkaOps,
  groupIds: readonly string[],
  options: { readonly durationMs: number; readonly everyMs: number; readonly now: () => number; readonly sleep: (ms: number) => Promise<void> },
): Promise<Map<string, GroupObservation[]>> {
  const seen = new Map<string, GroupObservation[]>(groupIds.map((id) => [id, []]))
  if (groupIds.length === 0) return seen
  // Counted in reads as well as by the clock, so a pinned test clock cannot stall it.
  const end = options.now() + options.durationMs
  const reads = Math.ceil(options.durationMs / options.everyMs)
  for (let read = 0; read < reads; read++) {
    const left = end - options.now()
    if (left <= 0) break
    await options.sleep(Math.min(options.everyMs, left))
    const described = await kafka.describeGroups(groupIds)
    const atMs = options.now()
    for (const d of described) {
      if (d.error) continue
      seen.get(d.groupId)?.push({ atMs, state: d.state, memberIds: d.members.map((m) => m.memberId), ...(d.epoch !== undefined ? { epoch: d.epoch } : {}) })
    }
  }
  return seen
}

/** Where a group stands on one partition: its committed offset, the log end, and its members and state. */
export async function readPartitionProgress(kafka: KafkaOps, groupId: string, tp: TopicPartition) {
  const [commits, ends, [group]] = await Promise.all([
    kafka.committedOffsets(groupId, [tp.topic]),
    kafka.listOffsets([{ ...tp, spec: 'latest' }]),
    kafka.describeGroups([groupId]),
  ])
  return {
    committed: commits.offsets.find((o) => o.partition === tp.partition && o.topic === tp.topic && !o.error)?.offset ?? null,
    logEnd: ends[0]?.offset ?? null,
    members: group?.members.length ?? 0,
    state: group?.state ?? 'unknown',
  }
}
