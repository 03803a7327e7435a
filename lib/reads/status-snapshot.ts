// Reads everything `runbook status` needs, in as few requests as the cluster allows, through KafkaOps.

import type { ConfigResourceRef, KafkaOps, OffsetQuery, ResourceConfig } from '../kafka/types.ts'
import type { GroupSnapshot, HealthSnapshot } from '../plans/cluster-health.ts'
import { entryOf } from '../kafka/types.ts'
import { durabilityConfigs, readDurability } from './durability.ts'

/** One consistent-enough snapshot: cluster, partitions, configs, reassignments, and groups with their log ends. */
export async function readHealthSnapshot(ops: KafkaOps): Promise<HealthSnapshot> {
  const problems: string[] = []
  // A large cluster answers partition states in pages (2,000 partitions each). The settings of the topics a
  // page names are asked for at once, beside the next pages, instead of after the last one. Only the value and
  // source of each setting are read: the synonyms (what a topic would inherit) are needed for one topic alone,
  // the one whose answer the audit reads the cluster's defaults from (see withDefaultsProbe).
  const configReads: Promise<ResourceConfig[]>[] = []
  const readConfigs = (resources: ConfigResourceRef[], synonyms: boolean) => {
    const read = ops.describeConfigs(resources, { names: durabilityConfigs, synonyms })
    read.catch(() => {}) // awaited below; this only keeps a failure from being unhandled if the states fail first
    configReads.push(read)
  }
  readConfigs([{ type: 'broker-default' }], false)
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
  // In the order of the topics, the cluster default last: as one request for all of them would answer.
  const position = new Map(topics.map((t, i) => [t.topic, i]))
  const rank = (c: ResourceConfig) => (c.resource.type === 'topic' ? (position.get(c.resource.name) ?? topics.length) : topics.length + 1)
  const configs = await withDefaultsProbe(
    ops,
    (await Promise.all(configReads)).flat().sort((a, b) => rank(a) - rank(b)),
  )
  // The durability audit's own read, light (no per-broker configs, no log dirs), on what was read above.
  const durability = await readDurability(ops, { full: false, nowMs: Date.now(), already: { cluster, capabilities, topics, reassignments, configs } })
  const minIsr = new Map<string, number>()
  for (const described of durability.topicConfigs) {
    if (described.resource.type !== 'topic') continue
    if (described.error) {
      problems.push(`configs of ${described.resource.name}: ${described.error.name}`)
      continue
    }
    const min = entryOf(described, 'min.insync.replicas')?.value
    if (min != null) minIsr.set(described.resource.name, Number(min))
  }

  const managed = listing.filter((g) => g.type === 'classic' || g.type === 'consumer')
  const [descriptions, offsets] = await Promise.all([
    managed.length ? ops.describeGroups(managed.map((g) => g.groupId)) : Promise.resolve([]),
    Promise.all(managed.map((g) => ops.committedOffsets(g.groupId))),
  ])
  const wanted = new Map<string, OffsetQuery>()
  for (const group of offsets) {
    if (group.error) problems.push(`offsets of group ${group.groupId}: ${group.error.name}`)
    for (const o of group.offsets) wanted.set(`${o.topic}/${o.partition}`, { topic: o.topic, partition: o.partition, spec: 'latest' })
  }
  const logEnds = new Map<string, bigint | null>()
  if (wanted.size) for (const answer of await ops.listOffsets([...wanted.values()])) logEnds.set(`${answer.topic}/${answer.partition}`, answer.offset)
  const groups: GroupSnapshot[] = managed.map((g, i) => ({
    groupId: g.groupId,
    type: g.type,
    state: descriptions[i]?.error ? g.state : (descriptions[i]?.state ?? g.state),
    members: descriptions[i]?.members.length ?? 0,
    partitions: (offsets[i]?.offsets ?? [])
      .filter((o) => !o.error)
      .map((o) => ({ topic: o.topic, partition: o.partition, committed: o.offset, logEnd: logEnds.get(`${o.topic}/${o.partition}`) ?? null })),
  }))
  return { cluster, capabilities, topics, minIsr, reassignments, durability, groups, problems }
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
  const [again] = await ops.describeConfigs([probe.resource], { names: durabilityConfigs, synonyms: true })
  if (!again || again.error) return configs
  return configs.map((c, i) => (i === index ? again : c))
}
