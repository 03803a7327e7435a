// Reads everything `runbook status` needs, in as few requests as the cluster allows, through KafkaOps.

import type { ConfigEntry, ConfigResourceRef, KafkaOps, OffsetQuery, RecordQuery, ResourceConfig } from '../kafka/types.ts'
import type { GroupSnapshot, HealthSnapshot } from '../plans/cluster-health.ts'
import type { TopicRetentionSignal } from '../plans/group-signals.ts'
import { describeUnlisted } from '../kafka/group-coordination.ts'
import { entryOf } from '../kafka/types.ts'
import { durabilityConfigs, readDurability } from './durability.ts'

/** Besides the audit's settings: what decides whether retention deletes a group's unread records. */
const retentionConfigs = ['cleanup.policy', 'retention.ms'] as const
const statusConfigs = [...durabilityConfigs, ...retentionConfigs]
/** Timestamps read at most (the records groups wait on, the first of each open transaction): one Fetch per leader. */
const maxTimestampReads = 200

/** One consistent-enough snapshot: cluster, partitions, configs, reassignments, and groups with their log ends. */
export async function readHealthSnapshot(ops: KafkaOps): Promise<HealthSnapshot> {
  const problems: string[] = []
  // A large cluster answers partition states in pages (2,000 partitions each). The settings of the topics a
  // page names are asked for at once, beside the next pages, instead of after the last one. Only the value and
  // source of each setting are read: the synonyms (what a topic would inherit) are needed for one topic alone,
  // the one whose answer the audit reads the cluster's defaults from (see withDefaultsProbe).
  const configReads: Promise<ResourceConfig[]>[] = []
  const askConfigs = (resources: ConfigResourceRef[], synonyms: boolean) => {
    const read = ops.describeConfigs(resources, { names: statusConfigs, synonyms })
    read.catch(() => {}) // awaited below; this only keeps a failure from being unhandled if the states fail first
    return read
  }
  const readConfigs = (resources: ConfigResourceRef[], synonyms: boolean) => void configReads.push(askConfigs(resources, synonyms))
  const defaultsRead = askConfigs([{ type: 'broker-default' }], false)
  let probeAsked = false
  const [cluster, capabilities, topics, reassignments, listing] = await Promise.all([
    ops.cluster(),
    ops.capabilities(),
    ops.partitionStates(undefined, {
      onTopics: (names) => {
        let rest = names
        if (!probeAsked) {
          readConfigs([{ type: 'topic', name: names[0]! }], true)
          probeAsked = true
          rest = names.slice(1)
        }
        if (rest.length)
          readConfigs(
            rest.map((name) => ({ type: 'topic', name })),
            false,
          )
      },
    }),
    ops.listPartitionReassignments(),
    ops.listGroups(),
  ])
  // In the order of the topics, the cluster default last: as one request for all of them would answer. The pages
  // name topics in that order already, so the list is only checked; sorted when it is not.
  const position = new Map(topics.map((t, i) => [t.topic, i]))
  const rank = (c: ResourceConfig) => (c.resource.type === 'topic' ? (position.get(c.resource.name) ?? topics.length) : topics.length + 1)
  const read = [...(await Promise.all(configReads)).flat(), ...(await defaultsRead)]
  let inOrder = true
  for (let i = 1; i < read.length && inOrder; i++) inOrder = rank(read[i - 1]!) <= rank(read[i]!)
  const configs = await withDefaultsProbe(ops, inOrder ? read : read.sort((a, b) => rank(a) - rank(b)))
  // The durability audit's own read, light (no per-broker configs, no log dirs), on what was read above.
  const durability = await readDurability(ops, { full: false, nowMs: Date.now(), already: { cluster, capabilities, topics, reassignments, configs } })
  const minIsr = new Map<string, number>()
  const retention = new Map<string, TopicRetentionSignal>()
  for (const described of durability.topicConfigs) {
    if (described.resource.type !== 'topic') continue
    if (described.error) {
      problems.push(`configs of ${described.resource.name}: ${described.error.name}`)
      continue
    }
    const { min, signal } = topicSignals(described.entries)
    if (min !== null) minIsr.set(described.resource.name, min)
    if (signal !== null) retention.set(described.resource.name, signal)
  }

  // First: the status view shows the first problem whole, and this one says the group list is incomplete.
  if (listing.unlisted.length) problems.unshift(describeUnlisted(listing.unlisted))
  const managed = listing.groups.filter((g) => g.type === 'classic' || g.type === 'consumer')
  const [descriptions, offsets] = await Promise.all([
    managed.length
      ? ops.describeGroups(
          managed.map((g) => g.groupId),
          listing.groups,
        )
      : Promise.resolve([]),
    ops.groupsCommittedOffsets(managed.map((g) => g.groupId)),
  ])
  const wanted = new Map<string, { topic: string; partition: number }>()
  for (const group of offsets) {
    if (group.error) problems.push(`offsets of group ${group.groupId}: ${group.error.name}`)
    for (const o of group.offsets) wanted.set(`${o.topic}/${o.partition}`, { topic: o.topic, partition: o.partition })
  }
  // Per committed partition, in one request per leader: the log start, the log end and the last stable offset.
  const logs = new Map<string, { start: bigint | null; end: bigint | null; stable: bigint | null }>()
  if (wanted.size) {
    const queries: OffsetQuery[] = [...wanted.values()].flatMap((tp) => [
      { ...tp, spec: 'earliest' as const },
      { ...tp, spec: 'latest' as const },
      { ...tp, spec: 'latest' as const, isolation: 'read_committed' as const },
    ])
    for (const answer of await ops.listOffsets(queries)) {
      const log = logs.get(`${answer.topic}/${answer.partition}`) ?? { start: null, end: null, stable: null }
      if (answer.spec === 'earliest') log.start = answer.offset
      else if (answer.isolation === 'read_committed') log.stable = answer.offset
      else log.end = answer.offset
      logs.set(`${answer.topic}/${answer.partition}`, log)
    }
  }
  const timestamps = await readWaitingTimestamps(ops, offsets, logs)
  const groups: GroupSnapshot[] = managed.map((g, i) => ({
    groupId: g.groupId,
    type: g.type,
    state: descriptions[i]?.error ? g.state : (descriptions[i]?.state ?? g.state),
    members: descriptions[i]?.members.length ?? 0,
    partitions: (offsets[i]?.offsets ?? [])
      .filter((o) => !o.error)
      .map((o) => {
        const log = logs.get(`${o.topic}/${o.partition}`)
        const end = log?.end ?? null
        const stable = log?.stable ?? null
        return {
          topic: o.topic,
          partition: o.partition,
          committed: o.offset,
          logEnd: end,
          logStart: log?.start ?? null,
          stableEnd: stable,
          nextUnreadMs: timestamps.get(`${o.topic}/${o.partition}@${o.offset}`) ?? null,
          openSinceMs: stable !== null && end !== null && stable < end ? (timestamps.get(`${o.topic}/${o.partition}@${stable}`) ?? null) : null,
        }
      }),
  }))
  return { cluster, capabilities, topics, minIsr, retention, reassignments, durability, groups, problems, takenAtMs: Date.now() }
}

interface TopicSignals {
  readonly min: number | null
  readonly signal: TopicRetentionSignal | null
}

/**
 * What status keeps of a topic's settings, made once per shared entry list: the DescribeConfigs decoder gives every
 * topic that answers alike one frozen list, so a large cluster's 2,000 topics have a handful of them.
 */
const signalsOfList = new WeakMap<readonly ConfigEntry[], TopicSignals>()

function topicSignals(entries: readonly ConfigEntry[]): TopicSignals {
  const shared = Object.isFrozen(entries)
  const known = shared ? signalsOfList.get(entries) : undefined
  if (known !== undefined) return known
  const described = { entries }
  const min = entryOf(described, 'min.insync.replicas')?.value
  const policy = entryOf(described, 'cleanup.policy')?.value
  const ms = entryOf(described, 'retention.ms')?.value
  const signals: TopicSignals = { min: min == null ? null : Number(min), signal: policy == null ? null : retentionSignal(policy, ms ?? null) }
  if (shared) signalsOfList.set(entries, signals)
  return signals
}

/** Signals by cleanup.policy and retention.ms: most topics of a large cluster share one pair, and one object. */
const retentionSignals = new Map<string, Map<string | null, TopicRetentionSignal>>()

function retentionSignal(policy: string, ms: string | null): TopicRetentionSignal {
  let byMs = retentionSignals.get(policy)
  let signal = byMs?.get(ms)
  if (signal === undefined) {
    signal = Object.freeze({
      deletes: policy.split(',').some((p) => p.trim() === 'delete'),
      retentionMs: ms == null || Number(ms) < 0 ? null : Number(ms),
    })
    if (retentionSignals.size < 64) {
      if (!byMs) retentionSignals.set(policy, (byMs = new Map()))
      if (byMs.size < 64) byMs.set(ms, signal)
    }
  }
  return signal
}

/**
 * The audit reads the cluster's defaults from the synonyms of the first topic answer that has entries. That was
 * asked with synonyms when it is the first topic the cluster named (as it nearly always is: the broker names
 * topics in Java's order, this list is in the locale's); otherwise it is asked again, with them.
 */
async function withDefaultsProbe(ops: KafkaOps, configs: ResourceConfig[]): Promise<ResourceConfig[]> {
  const index = configs.findIndex((c) => c.resource.type === 'topic' && !c.error && c.entries.length > 0)
  const probe = configs[index]
  if (!probe || probe.entries.some((e) => e.synonyms.length > 0)) return configs
  const [again] = await ops.describeConfigs([probe.resource], { names: statusConfigs, synonyms: true })
  if (!again || again.error) return configs
  return configs.map((c, i) => (i === index ? again : c))
}

/**
 * When the records groups wait on were written: the first unread record of every lagging committed partition (the
 * most records behind first) and the first record of each open transaction (at the last stable offset). Keyed
 * "topic/partition@offset"; bounded, so a cluster with thousands of lagging groups costs one Fetch per leader.
 */
async function readWaitingTimestamps(
  ops: KafkaOps,
  offsets: readonly {
    readonly offsets: readonly { readonly topic: string; readonly partition: number; readonly offset: bigint; readonly error?: unknown }[]
  }[],
  logs: ReadonlyMap<string, { readonly start: bigint | null; readonly end: bigint | null; readonly stable: bigint | null }>,
): Promise<Map<string, number>> {
  const asked = new Map<string, RecordQuery & { behind: bigint }>()
  for (const group of offsets) {
    for (const o of group.offsets) {
      const log = logs.get(`${o.topic}/${o.partition}`)
      if (o.error || !log || log.end === null) continue
      if (o.offset < log.end && (log.start === null || o.offset >= log.start))
        asked.set(`${o.topic}/${o.partition}@${o.offset}`, { topic: o.topic, partition: o.partition, offset: o.offset, behind: log.end - o.offset })
      if (log.stable !== null && log.stable < log.end)
        asked.set(`${o.topic}/${o.partition}@${log.stable}`, { topic: o.topic, partition: o.partition, offset: log.stable, behind: log.end - log.stable })
    }
  }
  const chosen = [...asked.values()].sort((a, b) => (b.behind > a.behind ? 1 : b.behind < a.behind ? -1 : 0)).slice(0, maxTimestampReads)
  const found = new Map<string, number>()
  if (chosen.length === 0) return found
  const answers = await ops.recordTimestamps(chosen.map(({ topic, partition, offset }) => ({ topic, partition, offset })))
  for (const a of answers) if (!a.error && a.timestamp !== null) found.set(`${a.topic}/${a.partition}@${a.requested}`, a.timestamp)
  return found
}
