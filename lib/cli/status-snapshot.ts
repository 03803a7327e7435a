// Reads everything `runbook status` needs, in as few requests as the cluster allows, through KafkaOps.

import type { ConfigResourceRef, KafkaOps, OffsetQuery, ResourceConfig } from '../kafka/types.ts'
import type { GroupSnapshot, HealthSnapshot } from '../plans/cluster-health.ts'
import { durabilityConfigs, readDurability } from '../reads/durability.ts'
import { entryOf } from '../kafka/types.ts'

/** One consistent-enough snapshot: cluster, partitions, configs, reassignments, and groups with their log ends. */
export async function readHealthSnapshot(ops: KafkaOps): Promise<HealthSnapshot> {
  const problems: string[] = []
  // A large cluster answers partition states in pages (2,000 partitions each). The settings of the topics a
  // page names are asked for at once, beside the next pages, instead of after the last one.
  const configReads: Promise<ResourceConfig[]>[] = []
  const readConfigs = (resources: ConfigResourceRef[]) => {
    const read = ops.describeConfigs(resources, { names: durabilityConfigs })
    read.catch(() => {}) // awaited below; this only keeps a failure from being unhandled if the states fail first
    configReads.push(read)
  }
  readConfigs([{ type: 'broker-default' }])
  const [cluster, capabilities, topics, reassignments, listing] = await Promise.all([
    ops.cluster(),
    ops.capabilities(),
    ops.partitionStates(undefined, { onTopics: (names) => readConfigs(names.map((name) => ({ type: 'topic', name }))) }),
    ops.listPartitionReassignments(),
    ops.listGroups(),
  ])
  // In the order of the topics, the cluster default last: as one request for all of them would answer.
  const position = new Map(topics.map((t, i) => [t.topic, i]))
  const rank = (c: ResourceConfig) => (c.resource.type === 'topic' ? (position.get(c.resource.name) ?? topics.length) : topics.length + 1)
  const configs = (await Promise.all(configReads)).flat().sort((a, b) => rank(a) - rank(b))
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
