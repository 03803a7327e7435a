// The in-memory cluster the fake serves: plain mutable records, and the lookups every fake operation shares.

import type { GroupType, TopicPartition } from '../types.ts'
import { topicConfigs } from './config-catalog.ts'

/** alive: registered and serving; fenced: process up but fenced by the controller; dead: process gone (and fenced). */
export type BrokerLife = 'alive' | 'fenced' | 'dead'

export interface FakeBroker {
  id: number
  host: string
  port: number
  rack: string | null
  life: BrokerLife
  /** When the controller last heard from a broker that is down (DescribeQuorum's observer fetch time); live ones report "now". */
  lastContactMs: number | null
  /** Its log directory failed: the broker stays registered, its replicas are offline and out of every ISR. */
  logDirOffline: boolean
}

export interface FakeReplicaLog {
  /** Log end offset of this replica's copy. */
  leo: bigint
  /** A follower that cannot keep up (throttled, slow disk): it stays out of the ISR until caught up by hand. */
  stalled?: boolean
}

export interface FakePartition {
  topic: string
  partition: number
  replicas: number[]
  leader: number | null
  leaderEpoch: number
  isr: number[]
  elr: number[]
  lastKnownElr: number[]
  /** Per replica: its own log end offset. */
  logs: Map<number, FakeReplicaLog>
  highWatermark: bigint
  logStartOffset: bigint
  /** Timestamp (ms) of the record at each offset of the leader's log; offset = index. */
  timestamps: number[]
  /** What the record at each offset holds, where a test or a produce gave it; a default record otherwise (see recordAt). */
  payloads: (FakeStoredRecord | undefined)[]
  /** Ongoing reassignment: replicas being added / removed (replicas holds both). */
  adding: number[]
  removing: number[]
  /** The leader's log segments, oldest first; the last is the active one (see segments.ts for how they roll and go). */
  segments: FakeSegment[]
}

/** A log segment: where it starts, and the largest timestamp of its first batch (what segment.ms is measured from). */
export interface FakeSegment {
  baseOffset: bigint
  firstBatchMaxTimestamp: number | null
}

/** A new, empty partition. */
export function emptyPartition(topic: string, partition: number, replicas: readonly number[], leader: number | null, isr: readonly number[]): FakePartition {
  return {
    topic,
    partition,
    replicas: [...replicas],
    leader,
    leaderEpoch: 0,
    isr: [...isr],
    elr: [],
    lastKnownElr: [],
    logs: new Map(replicas.map((id) => [id, { leo: 0n }])),
    highWatermark: 0n,
    logStartOffset: 0n,
    timestamps: [],
    payloads: [],
    adding: [],
    removing: [],
    segments: [{ baseOffset: 0n, firstBatchMaxTimestamp: null }],
  }
}

/** A record's content and the batch it came in; a transaction marker when `control` is set. */
export interface FakeStoredRecord {
  readonly key: Buffer | null
  readonly value: Buffer | null
  readonly headers: readonly { readonly key: string; readonly value: Buffer | null }[]
  readonly producerId: bigint
  readonly producerEpoch: number
  readonly baseSequence: number
  readonly transactional: boolean
  /** The batch's first and last offsets (a record alone is a batch of one). */
  readonly batchBase: bigint
  readonly batchLast: bigint
  readonly leaderEpoch: number
  readonly control?: 'commit' | 'abort'
  /** A marker's coordinator epoch (control records only). */
  readonly coordinatorEpoch?: number
}

/** The record at an offset: what was stored there, or the default a builder-made record holds (value "record <offset>"). */
export function recordAt(partition: FakePartition, offset: bigint): FakeStoredRecord {
  return (
    partition.payloads[Number(offset)] ?? {
      key: null,
      value: Buffer.from(`record ${offset}`),
      headers: [],
      producerId: -1n,
      producerEpoch: -1,
      baseSequence: -1,
      transactional: false,
      batchBase: offset,
      batchLast: offset,
      leaderEpoch: partition.leaderEpoch,
    }
  )
}

/** Cuts a partition's log at `leo` (a new leader's history wins; records only the old leader had are gone). */
export function truncateLog(partition: FakePartition, leo: bigint): void {
  if (BigInt(partition.timestamps.length) > leo) partition.timestamps.length = Number(leo)
  if (BigInt(partition.payloads.length) > leo) partition.payloads.length = Number(leo)
  // Segments that start past the new end go with their records; one (empty) segment always remains.
  const kept = partition.segments.filter((s) => s.baseOffset < leo || s === partition.segments[0])
  if (kept.length < partition.segments.length) partition.segments = kept
}

export interface FakeTopic {
  name: string
  id: string
  internal: boolean
  partitions: FakePartition[]
  /** Dynamic topic overrides. */
  configs: Map<string, string>
}

export interface FakeMember {
  memberId: string
  groupInstanceId: string | null
  clientId: string
  host: string
  assignment: TopicPartition[]
}

export interface FakeCommit {
  offset: bigint
  leaderEpoch: number | null
  metadata: string | null
}

export interface FakeGroup {
  groupId: string
  type: GroupType
  protocolType: string
  assignor: string | null
  /** Set only when a test pins a state (e.g. PreparingRebalance); otherwise derived from the members. */
  pinnedState: string | null
  members: FakeMember[]
  offsets: Map<string, FakeCommit>
  /** KIP-848 groups: bumped on every member that joins or leaves, as the coordinator's group epoch is. */
  epoch: number
}

/** A transactional id at its coordinator. */
export interface FakeTransactionalId {
  transactionalId: string
  producerId: bigint
  producerEpoch: number
  /** Kafka's names: Empty, Ongoing, PrepareCommit, PrepareAbort, CompleteCommit, CompleteAbort. */
  state: string
  timeoutMs: number
  startTimeMs: number | null
  /** The current transaction's partitions (partitionKey); while it completes, those still without their marker. */
  partitions: Set<string>
}

export interface ClusterState {
  clusterId: string
  /** The Kafka release line the fake behaves as ("4.3", "3.9"). */
  kafkaLine: string
  elrEnabled: boolean
  controllerId: number
  brokers: Map<number, FakeBroker>
  topics: Map<string, FakeTopic>
  staticBrokerConfig: Map<string, string>
  brokerDefaults: Map<string, string>
  brokerConfigs: Map<number, Map<string, string>>
  groups: Map<string, FakeGroup>
  /**
   * `__consumer_offsets` partitions (of `offsetsPartitions`) whose coordinator stays unavailable for longer than a
   * read waits, with the error a read then ends on.
   */
  stalledCoordinators: Map<number, number>
  /** Bytes a record takes on disk, for log-dir sizes. */
  recordBytes: number
  unreachable: boolean
  /** Transactional ids their coordinators know, and the next producer id to hand out. */
  transactionalIds: Map<string, FakeTransactionalId>
  nextProducerId: bigint
  /** The coordinators' clock (transaction start times and timeouts): Date.now unless a test sets its own. */
  clock: () => number
  /** Every mutating call that reached the fake, in order: what a runbook test asserts on. */
  mutations: string[]
}

export const partitionKey = (topic: string, partition: number): string => `${topic}/${partition}`

/** A broker that can lead and replicate: registered and unfenced. */
export function isLive(state: ClusterState, brokerId: number): boolean {
  return state.brokers.get(brokerId)?.life === 'alive'
}

/** A broker whose process answers requests (fenced brokers still do). */
export function answers(state: ClusterState, brokerId: number): boolean {
  const life = state.brokers.get(brokerId)?.life
  return life === 'alive' || life === 'fenced'
}

export function findPartition(state: ClusterState, topic: string, partition: number): FakePartition | undefined {
  return state.topics.get(topic)?.partitions[partition]
}

/** The value a topic runs with and where it comes from, following Kafka's order: topic, broker, default, static. */
export function resolveTopicConfig(
  state: ClusterState,
  topic: FakeTopic,
  name: string,
): { value: string | null; source: 'dynamic-topic' | 'dynamic-broker' | 'dynamic-broker-default' | 'static-broker' | 'default' } {
  const override = topic.configs.get(name)
  if (override !== undefined) return { value: override, source: 'dynamic-topic' }
  const spec = topicConfigs[name]
  const synonym = spec?.brokerSynonym
  if (synonym) {
    const fromDefault = state.brokerDefaults.get(synonym)
    if (fromDefault !== undefined) return { value: fromDefault, source: 'dynamic-broker-default' }
    const fromStatic = state.staticBrokerConfig.get(synonym)
    if (fromStatic !== undefined) return { value: fromStatic, source: 'static-broker' }
  }
  return { value: spec?.defaultValue ?? null, source: 'default' }
}

/** min.insync.replicas as the topic's leader enforces it. */
export function minIsrOf(state: ClusterState, topic: FakeTopic): number {
  return Number(resolveTopicConfig(state, topic, 'min.insync.replicas').value ?? '1')
}

export function leaderLog(partition: FakePartition): FakeReplicaLog | undefined {
  return partition.leader === null ? undefined : partition.logs.get(partition.leader)
}

/** Derived group state, as Kafka names it: Empty without members, Stable with them, unless a test pinned one. */
export function groupState(group: FakeGroup): string {
  if (group.pinnedState !== null) return group.pinnedState
  return group.members.length === 0 ? 'Empty' : 'Stable'
}
