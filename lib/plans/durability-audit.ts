// The durability audit: from one snapshot of the cluster, what each topic would lose before any incident —
// how many copies an acks=all write is guaranteed, what losing one broker (or one rack) does, whether a replica
// missing records may be elected — ranked by risk, topics that share a finding grouped. Pure.

import { inPartitionOrder, inTopicOrder } from './topic-order.ts'
import { type AddingReplicas, addingReplicas } from './adding-replicas.ts'
import type { Broker, BrokerLogDirs, Capabilities, ConfigEntry, ConfigSource, OngoingReassignment, ResourceConfig, TopicState } from '../kafka/types.ts'
import { mostSevereFirst, type Severity } from '../format/severity.ts'
import { entryOf } from '../kafka/types.ts'

/** Everything the audit reads, in one place, before it concludes anything. */
export interface DurabilitySnapshot {
  readonly takenAtMs: number
  readonly capabilities: Pick<Capabilities, 'kafkaLine' | 'metadataVersion' | 'elr'>
  readonly brokers: readonly Broker[]
  readonly topics: readonly TopicState[]
  /** Each topic's min.insync.replicas and unclean.leader.election.enable, with sources and synonyms. */
  readonly topicConfigs: readonly ResourceConfig[]
  /** The cluster-wide dynamic default (broker ""); null when it could not be read. */
  readonly clusterDefault: ResourceConfig | null
  /** Each broker's own view of the same settings (static server.properties differ per broker); may be empty. */
  readonly brokerConfigs: readonly ResourceConfig[]
  /**
   * Each partition's largest replica in bytes (what one new replica copies: replicaSizes of the log dirs); null
   * when the log dirs were not read. Kept instead of the log dirs themselves: on a large cluster they hold
   * an object per replica that nothing else reads.
   */
  readonly replicaBytes: ReplicaBytes | null
  readonly reassignments: readonly OngoingReassignment[]
  /** What could not be read, one line each. */
  readonly problems: readonly string[]
}

export type AuditSeverity = Severity

/** A setting as a topic resolves it: the value, where it came from, and the topic's own override if any. */
export interface SettingView<T> {
  readonly value: T | null
  readonly source: ConfigSource | null
  /** The topic-level override (kafka-configs --entity-type topics), or null when the topic inherits. */
  readonly override: string | null
}

/** What a topic's findings are made of: one pass over its partitions, in any order. */
export interface TopicRiskFacts {
  readonly topic: string
  readonly partitions: number
  /** The smallest replica count of any partition (replicas being added by a reassignment not counted). */
  readonly replicationFactor: number
  /** More than one when partitions differ (a reassignment left half done, or one by hand). */
  readonly replicationFactors: readonly number[]
  readonly minIsr: SettingView<number>
  /** What the leader enforces for acks=all: min(min.insync.replicas, replication factor). */
  readonly effectiveMinIsr: number | null
  readonly unclean: SettingView<boolean>
  /** Partitions whose replicas all sit in one (known) rack. */
  readonly singleRackPartitions: number
  /** Partitions with a replica on a broker that has no rack. */
  readonly unknownRackPartitions: number
  /** The racks this topic's replicas use. */
  readonly racks: readonly string[]
}

export interface TopicAudit extends TopicRiskFacts {
  readonly internal: boolean
  readonly leaderless: number
  /** Partitions with fewer in-sync replicas than the effective min ISR right now (acks=all fails there). */
  readonly underMinIsrNow: number
  /** The ISR size of each partition that has a leader (what a new min ISR is compared with). */
  readonly isrSizes: readonly number[]
  /** Partitions with eligible leader replicas recorded (changing min.insync.replicas clears them). */
  readonly elrPartitions: number
  /** Bytes of the largest replica of each partition, summed; null when log dirs were not read. */
  readonly bytes: bigint | null
}

export type TopicFindingKind =
  'single-replica' | 'unclean-election' | 'min-isr-one' | 'min-isr-equals-rf' | 'min-isr-above-rf' | 'one-rack' | 'mixed-replication'
export type ClusterFindingKind = 'default-unclean-on' | 'default-min-isr-one' | 'racks-unknown' | 'brokers-disagree' | 'elr-off'
export type FindingKind = TopicFindingKind | ClusterFindingKind

/** One risk, shared by every topic listed (grouped by kind and the facts that make it the same risk). */
export interface AuditFinding {
  readonly kind: FindingKind
  readonly severity: AuditSeverity
  /** Topics sharing this finding, by name; empty for cluster-level findings. */
  readonly topics: readonly string[]
  readonly partitions: number
  /** The facts that make these topics one group: replication factor, min ISR and its source, the rack. */
  readonly facts: Readonly<Record<string, string | number>>
}

export interface ClusterDefaults {
  /** The cluster-wide value a topic without an override gets (as the brokers resolve it), and where it is set. */
  readonly minIsr: { readonly value: number | null; readonly source: ConfigSource | null }
  readonly unclean: { readonly value: boolean | null; readonly source: ConfigSource | null }
  readonly elr: 'on' | 'off' | 'unsupported'
  readonly kafkaLine: string | null
  readonly metadataVersion: string | null
}

export interface AuditReport {
  readonly takenAtMs: number
  readonly defaults: ClusterDefaults
  readonly brokers: readonly { readonly id: number; readonly rack: string | null; readonly fenced: boolean | null }[]
  readonly topics: readonly TopicAudit[]
  /** Ranked: severity first, then the number of partitions at risk. */
  readonly findings: readonly AuditFinding[]
  readonly problems: readonly string[]
}

const settingNames = { minIsr: 'min.insync.replicas', unclean: 'unclean.leader.election.enable' } as const

/** The configs the audit reads for every topic and broker. */
export const auditedConfigs: readonly string[] = [settingNames.minIsr, settingNames.unclean]

/**
 * Views made of frozen entries, with the parse they were made by. The DescribeConfigs decoder shares one frozen
 * entry between every topic that answers alike, so a large cluster's 2,000 topics need one view, not 2,000.
 */
const frozenViews = new WeakMap<ConfigEntry, { readonly parse: (text: string) => unknown; readonly view: SettingView<unknown> }>()
const noSetting: SettingView<never> = Object.freeze({ value: null, source: null, override: null })

function settingOf<T>(entry: ConfigEntry | undefined, parse: (text: string) => T | null): SettingView<T> {
  if (!entry) return noSetting
  const frozen = Object.isFrozen(entry)
  if (frozen) {
    const known = frozenViews.get(entry)
    if (known !== undefined && known.parse === parse) return known.view as SettingView<T>
  }
  const view: SettingView<T> = {
    value: entry.value === null ? null : parse(entry.value),
    source: entry.source,
    override: entry.source === 'dynamic-topic' ? entry.value : (entry.synonyms.find((s) => s.source === 'dynamic-topic')?.value ?? null),
  }
  if (frozen) frozenViews.set(entry, { parse, view: Object.freeze(view) })
  return view
}

/** A parse remembered by text: every topic of a large cluster carries one of a few values ("2", "false"). */
function remembered<T>(parse: (text: string) => T): (text: string) => T {
  const known = new Map<string, T>()
  return (text) => {
    if (known.has(text)) return known.get(text)!
    const value = parse(text)
    if (known.size < 64) known.set(text, value)
    return value
  }
}

const parseInteger = remembered((text: string): number | null => (/^\d+$/.test(text.trim()) ? Number(text.trim()) : null))
const parseBoolean = remembered((text: string): boolean | null => (/^true$/i.test(text.trim()) ? true : /^false$/i.test(text.trim()) ? false : null))

/**
 * Topic → bytes of each partition's largest replica (what one new replica copies), indexed by partition number.
 * By topic, not by a "topic/partition" string: a large cluster looks up every partition, and building and
 * hashing a string for each is most of the cost.
 */
export type ReplicaBytes = ReadonlyMap<string, readonly (bigint | undefined)[]>

/** The largest replica of each partition, from every broker's log dirs (a replica being moved in left out). */
export function replicaSizes(logDirs: readonly BrokerLogDirs[]): ReplicaBytes {
  const largest = new Map<string, (bigint | undefined)[]>()
  for (const broker of logDirs) {
    for (const dir of broker.dirs) {
      for (const replica of dir.replicas) {
        if (replica.future) continue
        let sizes = largest.get(replica.topic)
        if (sizes === undefined) largest.set(replica.topic, (sizes = []))
        const size = sizes[replica.partition]
        if (size === undefined || replica.sizeBytes > size) sizes[replica.partition] = replica.sizeBytes
      }
    }
  }
  return largest
}

/** [n], one shared list per replica count: nearly every topic's partitions all have the same count. */
const oneFactorLists = new Map<number, readonly number[]>()
function oneFactor(count: number): readonly number[] {
  let list = oneFactorLists.get(count)
  if (list === undefined) oneFactorLists.set(count, (list = Object.freeze([count])))
  return list
}

function riskFactsOf(topic: TopicState, config: ResourceConfig | undefined, racks: RackIndex, adding: AddingReplicas): TopicRiskFacts {
  const topicAdding = adding.get(topic.topic)
  let replicationFactor = Infinity
  const factors: number[] = []
  let singleRack = 0
  let unknownRack = 0
  const used: number[] = []
  // RackIndex.of and .use, inline: on a cold start this loop runs in the interpreter, where a method call per
  // replica (30,000 at 10,000 partitions) is most of its cost.
  const user = racks.newUser()
  const { byId, lastUser } = racks
  const partitions = topic.partitions
  for (let i = 0; i < partitions.length; i++) {
    const p = partitions[i]!
    const ids = p.replicas
    const count = ids.length - (topicAdding === undefined ? 0 : (topicAdding.get(p.partition) ?? 0))
    if (count < replicationFactor) replicationFactor = count
    if (factors.length !== 1 || factors[0] !== count) if (!factors.includes(count)) factors.push(count)
    let first = -1
    let unknown = false
    let oneRack = true
    for (let r = 0; r < ids.length; r++) {
      const id = ids[r]!
      const rack = id >= 0 && id < byId.length ? (byId[id] ?? -1) : racks.other(id)
      if (rack < 0) unknown = true
      else {
        if (lastUser[rack] !== user) {
          lastUser[rack] = user
          used.push(rack)
        }
        if (first < 0) first = rack
        else if (rack !== first) oneRack = false
      }
    }
    if (unknown) unknownRack++
    else if (ids.length > 1 && oneRack) singleRack++
  }
  if (topic.partitions.length === 0) replicationFactor = 0
  const minIsr = settingOf(entryOf(config, settingNames.minIsr), parseInteger)
  const unclean = settingOf(entryOf(config, settingNames.unclean), parseBoolean)
  return {
    topic: topic.topic,
    partitions: topic.partitions.length,
    replicationFactor,
    replicationFactors: factors.length === 1 ? oneFactor(factors[0]!) : factors.sort((a, b) => a - b),
    minIsr,
    effectiveMinIsr: minIsr.value === null ? null : Math.min(minIsr.value, Math.max(1, replicationFactor)),
    unclean,
    singleRackPartitions: singleRack,
    unknownRackPartitions: unknownRack,
    racks: used.sort((a, b) => a - b).map((rack) => racks.names[rack]!),
  }
}

function auditTopic(topic: TopicState, config: ResourceConfig | undefined, racks: RackIndex, adding: AddingReplicas, sizes: ReplicaBytes | null): TopicAudit {
  const facts = riskFactsOf(topic, config, racks, adding)
  let leaderless = 0
  let underMin = 0
  let elr = 0
  const topicSizes = sizes?.get(topic.topic)
  let bytes: bigint | null = sizes ? 0n : null
  const isrSizes: number[] = []
  for (const p of inPartitionOrder(topic.partitions)) {
    if (p.leader === null) leaderless++
    else {
      isrSizes.push(p.isr.length)
      if (facts.effectiveMinIsr !== null && p.isr.length < facts.effectiveMinIsr) underMin++
    }
    if (p.elr && p.elr.length > 0) elr++
    if (bytes !== null) bytes += topicSizes?.[p.partition] ?? 0n
  }
  // Field by field rather than spreading the facts: a spread copies through a slow path, 20,000 times on a large cluster.
  return {
    topic: facts.topic,
    partitions: facts.partitions,
    replicationFactor: facts.replicationFactor,
    replicationFactors: facts.replicationFactors,
    minIsr: facts.minIsr,
    effectiveMinIsr: facts.effectiveMinIsr,
    unclean: facts.unclean,
    singleRackPartitions: facts.singleRackPartitions,
    unknownRackPartitions: facts.unknownRackPartitions,
    racks: facts.racks,
    internal: topic.internal,
    leaderless,
    underMinIsrNow: underMin,
    isrSizes,
    elrPartitions: elr,
    bytes,
  }
}

/** The topic-level risks of one topic, before grouping. */
function topicRisks(t: TopicRiskFacts): { kind: TopicFindingKind; severity: AuditSeverity; facts: Record<string, string | number>; partitions: number }[] {
  const risks: ReturnType<typeof topicRisks> = []
  const source = t.minIsr.source ?? 'unknown'
  if (t.partitions === 0) return risks
  if (t.replicationFactor === 1) risks.push({ kind: 'single-replica', severity: 'high', facts: {}, partitions: t.partitions })
  if (t.unclean.value === true && t.replicationFactor >= 2)
    risks.push({ kind: 'unclean-election', severity: 'high', facts: { source: t.unclean.source ?? 'unknown' }, partitions: t.partitions })
  if (t.replicationFactor >= 2 && t.minIsr.value !== null) {
    const facts = { rf: t.replicationFactor, minIsr: t.minIsr.value, source }
    if (t.effectiveMinIsr === 1) risks.push({ kind: 'min-isr-one', severity: 'medium', facts, partitions: t.partitions })
    else if (t.minIsr.value > t.replicationFactor) risks.push({ kind: 'min-isr-above-rf', severity: 'low', facts, partitions: t.partitions })
    if (t.effectiveMinIsr === t.replicationFactor) risks.push({ kind: 'min-isr-equals-rf', severity: 'medium', facts, partitions: t.partitions })
  }
  if (t.singleRackPartitions > 0) {
    risks.push({
      kind: 'one-rack',
      severity: 'medium',
      facts: { racks: t.racks.length === 1 ? t.racks[0]! : t.racks.join(',') },
      partitions: t.singleRackPartitions,
    })
  }
  if (t.replicationFactors.length > 1)
    risks.push({ kind: 'mixed-replication', severity: 'info', facts: { factors: t.replicationFactors.join('/') }, partitions: t.partitions })
  return risks
}

function clusterFindings(
  defaults: ClusterDefaults,
  brokers: readonly Broker[],
  brokerConfigs: readonly ResourceConfig[],
  anyReplicated: boolean,
): AuditFinding[] {
  const findings: AuditFinding[] = []
  const finding = (kind: ClusterFindingKind, severity: AuditSeverity, facts: Record<string, string | number>): AuditFinding => ({
    kind,
    severity,
    topics: [],
    partitions: 0,
    facts,
  })
  if (defaults.unclean.value === true) findings.push(finding('default-unclean-on', 'medium', { source: defaults.unclean.source ?? 'unknown' }))
  if (defaults.minIsr.value === 1) findings.push(finding('default-min-isr-one', 'low', { source: defaults.minIsr.source ?? 'unknown' }))
  const unracked = brokers.filter((b) => b.rack === null).map((b) => b.id)
  if (unracked.length > 0) findings.push(finding('racks-unknown', 'low', { brokers: unracked.join(','), of: brokers.length }))
  const disagreements: string[] = []
  for (const name of auditedConfigs) {
    const values = new Map<string, number[]>()
    for (const config of brokerConfigs) {
      if (config.resource.type !== 'broker' || config.error) continue
      const value = entryOf(config, name)?.value ?? '(unset)'
      values.set(value, [...(values.get(value) ?? []), config.resource.id])
    }
    if (values.size > 1) disagreements.push(`${name}: ${[...values].map(([value, ids]) => `${value} on ${ids.join(',')}`).join('; ')}`)
  }
  if (disagreements.length > 0) findings.push(finding('brokers-disagree', 'low', { settings: disagreements.join(' | ') }))
  // ELR (KIP-966) exists from 4.0 and is on by default for clusters formatted at 4.1+.
  if (defaults.elr === 'off' && anyReplicated) findings.push(finding('elr-off', 'info', {}))
  return findings
}

function groupKey(kind: FindingKind, facts: Readonly<Record<string, string | number>>): string {
  return `${kind}|${Object.keys(facts)
    .sort()
    .map((k) => `${k}=${facts[k]}`)
    .join('|')}`
}

// Within one severity: what loses acknowledged data before what stops writes, before what only misleads.
const kindOrder: readonly FindingKind[] = [
  'single-replica',
  'unclean-election',
  'min-isr-one',
  'one-rack',
  'default-unclean-on',
  'min-isr-equals-rf',
  'min-isr-above-rf',
  'default-min-isr-one',
  'racks-unknown',
  'brokers-disagree',
  'mixed-replication',
  'elr-off',
]

/** Ranked: severity, then loss before outage (kind), then partitions at risk, then first topic (stable). */
export function rankFindings(findings: readonly AuditFinding[]): AuditFinding[] {
  return [...findings].sort(
    (a, b) =>
      mostSevereFirst(a, b) ||
      kindOrder.indexOf(a.kind) - kindOrder.indexOf(b.kind) ||
      b.partitions - a.partitions ||
      (a.topics[0] ?? '').localeCompare(b.topics[0] ?? ''),
  )
}

/** Topics in name order, those that could not be read left out as problems, each with its config. */
function readableTopics(snapshot: DurabilitySnapshot, problems: string[]): { topic: TopicState; config: ResourceConfig | undefined }[] {
  // The last answer for a name wins.
  const configs = new Map<string, ResourceConfig>()
  for (const c of snapshot.topicConfigs) if (c.resource.type === 'topic') configs.set(c.resource.name, c)
  const readable: { topic: TopicState; config: ResourceConfig | undefined }[] = []
  for (const topic of inTopicOrder(snapshot.topics)) {
    if (topic.error) {
      problems.push(`topic ${topic.topic}: ${topic.error.name}`)
      continue
    }
    const config = configs.get(topic.topic)
    if (config?.error) problems.push(`configs of ${topic.topic}: ${config.error.name}`)
    readable.push({ topic, config: config?.error ? undefined : config })
  }
  return readable
}

function clusterDefaults(snapshot: DurabilitySnapshot): ClusterDefaults {
  // A topic's answer carries the cluster's resolution below the topic: its first synonym that is not the override.
  const probe = snapshot.topicConfigs.find((c) => !c.error && c.entries.length > 0)
  const inherited = (name: string) => {
    const entry = entryOf(probe, name)
    const below = entry?.synonyms.find((s) => s.source !== 'dynamic-topic')
    if (below) return { value: below.value, source: below.source }
    const fromDefault = entryOf(snapshot.clusterDefault ?? undefined, name)
    if (fromDefault) return { value: fromDefault.value, source: fromDefault.source }
    const fromBroker = snapshot.brokerConfigs.map((c) => entryOf(c, name)).find((e) => e !== undefined)
    return fromBroker ? { value: fromBroker.value, source: fromBroker.source } : { value: null, source: null }
  }
  const minIsrDefault = inherited(settingNames.minIsr)
  const uncleanDefault = inherited(settingNames.unclean)
  return {
    minIsr: { value: minIsrDefault.value === null ? null : parseInteger(minIsrDefault.value), source: minIsrDefault.source },
    unclean: { value: uncleanDefault.value === null ? null : parseBoolean(uncleanDefault.value), source: uncleanDefault.source },
    elr: snapshot.capabilities.elr,
    kafkaLine: snapshot.capabilities.kafkaLine,
    metadataVersion: snapshot.capabilities.metadataVersion,
  }
}

/** Topics that share a risk, grouped by its kind and the facts that make it the same risk. */
class TopicFindingGroups {
  private readonly groups = new Map<
    string,
    { kind: TopicFindingKind; severity: AuditSeverity; facts: Record<string, string | number>; topics: string[]; partitions: number }
  >()
  /** Whether any topic added has two replicas or more (the ELR finding is about those). */
  anyReplicated = false

  add(t: TopicRiskFacts): void {
    if (t.replicationFactor >= 2) this.anyReplicated = true
    for (const risk of topicRisks(t)) {
      const key = groupKey(risk.kind, risk.facts)
      const group = this.groups.get(key)
      if (group) {
        group.topics.push(t.topic)
        group.partitions += risk.partitions
      } else this.groups.set(key, { kind: risk.kind, severity: risk.severity, facts: risk.facts, topics: [t.topic], partitions: risk.partitions })
    }
  }

  /** The grouped findings, then the cluster's own, ranked. */
  ranked(snapshot: DurabilitySnapshot, defaults: ClusterDefaults): AuditFinding[] {
    return rankFindings([
      ...[...this.groups.values()].map((g) => ({ ...g })),
      ...clusterFindings(defaults, snapshot.brokers, snapshot.brokerConfigs, this.anyReplicated),
    ])
  }
}

/**
 * Each broker's rack as a number: racks numbered in name order, -1 for a broker without one (or one the cluster
 * does not know). A large cluster looks up every replica (300,000 for 100,000 partitions): an array read and a
 * number compare each, no string compared or hashed. Ids beyond the array's reach (or negative) go to a Map.
 */
class RackIndex {
  /** Rack names in their (default sort) order: a rack's number is its place here. */
  readonly names: readonly string[]
  /** Each broker id's rack number (-1: none); ids beyond it are in `others`. */
  readonly byId: number[] = []
  private readonly others = new Map<number, number>()
  /** Which topic last used each rack (see newUser): one array for every topic, instead of a list per topic. */
  readonly lastUser: number[]
  private user = 0

  constructor(brokers: readonly Broker[]) {
    this.names = [...new Set(brokers.flatMap((b) => (b.rack === null ? [] : [b.rack])))].sort()
    const number = new Map(this.names.map((name, i) => [name, i]))
    for (const b of brokers) {
      const rack = b.rack === null ? -1 : number.get(b.rack)!
      if (Number.isInteger(b.id) && b.id >= 0 && b.id < 1_000_000) {
        while (this.byId.length < b.id) this.byId.push(-1)
        this.byId[b.id] = rack
      } else this.others.set(b.id, rack)
    }
    this.lastUser = this.names.map(() => -1)
  }

  /** The rack number of an id beyond `byId` (or not an index): -1 when the cluster does not know it. */
  other(id: number): number {
    return this.others.get(id) ?? -1
  }

  /** Starts a new topic's set of racks used: a rack is used by it once its `lastUser` entry is the number returned. */
  newUser(): number {
    return ++this.user
  }
}

const auditContext = (snapshot: DurabilitySnapshot) => ({
  racks: new RackIndex(snapshot.brokers),
  adding: addingReplicas(snapshot.reassignments),
})

/** The audit of a snapshot: per-topic facts, cluster defaults, and the ranked, grouped findings. */
export function planDurabilityAudit(snapshot: DurabilitySnapshot): AuditReport {
  const { racks, adding } = auditContext(snapshot)
  const sizes = snapshot.replicaBytes
  const problems = [...snapshot.problems]
  const topics = readableTopics(snapshot, problems).map(({ topic, config }) => auditTopic(topic, config, racks, adding, sizes))
  const defaults = clusterDefaults(snapshot)
  const groups = new TopicFindingGroups()
  for (const t of topics) groups.add(t)
  return {
    takenAtMs: snapshot.takenAtMs,
    defaults,
    brokers: [...snapshot.brokers].sort((a, b) => a.id - b.id).map((b) => ({ id: b.id, rack: b.rack, fenced: b.fenced })),
    topics,
    findings: groups.ranked(snapshot, defaults),
    problems,
  }
}

/** The durability audit in one line's worth: how many findings of each severity, and the worst ones. */
export interface DurabilitySummary {
  readonly counts: Readonly<Record<AuditSeverity, number>>
  /** Ranked as the audit ranks them, high and medium only. */
  readonly worst: readonly AuditFinding[]
}

/**
 * The audit's counts and its high and medium findings, exactly as planDurabilityAudit ranks them (status's summary
 * line), from one pass over the topics that keeps nothing per topic beyond the findings it joins and nothing per
 * partition: on a large cluster the audit's per-topic report is most of its cost.
 */
export function planDurabilitySummary(snapshot: DurabilitySnapshot): DurabilitySummary {
  const { racks, adding } = auditContext(snapshot)
  const groups = new TopicFindingGroups()
  for (const { topic, config } of readableTopics(snapshot, [])) groups.add(riskFactsOf(topic, config, racks, adding))
  const findings = groups.ranked(snapshot, clusterDefaults(snapshot))
  return { counts: countBySeverity(findings), worst: findings.filter((f) => f.severity === 'high' || f.severity === 'medium') }
}

/** Findings per severity, for a summary line. */
export function countBySeverity(findings: readonly AuditFinding[]): Record<AuditSeverity, number> {
  const counts: Record<AuditSeverity, number> = { high: 0, medium: 0, low: 0, info: 0 }
  for (const f of findings) counts[f.severity]++
  return counts
}
