// The in-memory KafkaOps: every operation reads or changes the state the builder made, by Kafka's rules,
// plus fault helpers a runbook test uses to break the cluster the way real incidents do.

import { ErrorCode, kafkaError } from '../errors.ts'
import {
  type Capabilities,
  type ClusterView,
  type ConfigChange,
  type CoordinatorTransactions,
  type PartitionProducers,
  type ProducerFence,
  type ProducerFenceResult,
  type ProducerQuery,
  type TransactionAbort,
  type TransactionAbortResult,
  type TransactionCoordinator,
  type TransactionDescription,
  type TransactionFilter,
  type ConfigChangeResult,
  type ConfigResourceRef,
  type ElectionResult,
  type ElectionType,
  type GroupDescription,
  type GroupList,
  type GroupOffsets,
  KafkaConnectionError,
  type BrokerLogDirs,
  type DeletedRecords,
  type DescribeConfigsOptions,
  type FetchedRecords,
  type FetchQuery,
  type KafkaError,
  type KafkaOps,
  type ListedOffset,
  type NewTopic,
  type OffsetCommit,
  type OffsetQuery,
  type OngoingReassignment,
  type PartitionResult,
  type PartitionStatesOptions,
  type ProducedRecord,
  type ProduceOptions,
  type ProduceRecord,
  type RecordQuery,
  type RecordsBefore,
  type RecordTimestamp,
  type ReplicaMove,
  type ReplicaOffset,
  type ReplicaOffsetQuery,
  type ResourceConfig,
  type SegmentQuery,
  type SegmentSpan,
  type TopicPartition,
  type TopicResult,
  type TopicState,
} from '../types.ts'
import { alterFakeConfigs, describeFakeConfigs } from './configs.ts'
import { alterFakeCommittedOffsets, describeFakeGroups, listFakeGroups, offsetsPartitions, readFakeCommittedOffsets } from './groups.ts'
import { deleteFakeRecords, describeFakeLogDirs, listFakeOffsets, readFakeRecordTimestamps, readFakeReplicaOffsets } from './offsets.ts'
import { fetchFakeRecords, lastStableOffset, produceFakeRecords } from './records.ts'
import { enforceFakeRetention, fakeSegmentSpans } from './segments.ts'
import { readCapabilities, readCluster, readPartitionStates } from './read-cluster.ts'
import { alterFakeReassignments, createFakeTopics, deleteFakeTopics, electFakeLeaders, listFakeReassignments } from './replication.ts'
import { catchUpReplica, failLogDir, fenceBroker, removeFromIsr, unfenceBroker } from './rules.ts'
import { appendBatch, plainRecords } from './log.ts'
import { type ClusterState, type FakeMember, type FakePartition, findPartition } from './state.ts'
import {
  abortFakeTransactions,
  appendUnregistered,
  describeFakeProducers,
  describeFakeTransactions,
  endOwnTransaction,
  fenceFakeProducers,
  findFakeTransactionCoordinators,
  initProducerId,
  listFakeTransactions,
  sendInTransaction,
  settleTransactions,
} from './transactions.ts'

/** What a produce call did: the first offset written, or why nothing was. */
export interface ProduceResult {
  readonly baseOffset: bigint | null
  readonly error?: KafkaError
}

/** One partition as the fake holds it, for assertions. */
export interface PartitionSnapshot {
  readonly leader: number | null
  readonly leaderEpoch: number
  readonly replicas: readonly number[]
  readonly isr: readonly number[]
  readonly elr: readonly number[]
  readonly lastKnownElr: readonly number[]
  readonly highWatermark: bigint
  /** Where read_committed readers stop: the first offset of the earliest open transaction, else the high watermark. */
  readonly lastStableOffset: bigint
  readonly logStartOffset: bigint
  readonly logEndOffsets: ReadonlyMap<number, bigint>
}

/** A producer's transaction written and left open on some partitions (its process gone, or never finishing). */
export interface OpenTransaction {
  readonly transactionalId: string
  readonly producerId: bigint
  readonly producerEpoch: number
  readonly partitions: readonly { readonly partition: number; readonly firstOffset: bigint; readonly records: number }[]
}

/** A deep copy of an answer, so a caller never holds the fake's own state; Buffers stay Buffers (structuredClone makes them Uint8Arrays). */
function copy<T>(value: T): T {
  if (Buffer.isBuffer(value)) return Buffer.from(value) as T
  if (Array.isArray(value)) return value.map(copy) as T
  if (value instanceof Map) return new Map([...value].map(([k, v]) => [copy(k), copy(v)])) as T
  if (value instanceof Set) return new Set([...value].map(copy)) as T
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, copy(v)])) as T
  return value
}

export class FakeKafka implements KafkaOps {
  readonly #state: ClusterState

  constructor(state: ClusterState) {
    this.#state = state
  }

  // -- KafkaOps --------------------------------------------------------------------------------

  async capabilities(): Promise<Capabilities> {
    return this.#read(() => readCapabilities(this.#state))
  }
  async cluster(): Promise<ClusterView> {
    return this.#read(() => readCluster(this.#state))
  }
  async partitionStates(topics?: readonly string[], options: PartitionStatesOptions = {}): Promise<TopicState[]> {
    return this.#read(() => {
      const states = readPartitionStates(this.#state, topics)
      // One page: every existing topic is named before the answer is returned, as a one-page cluster does.
      options.onTopics?.(states.filter((s) => !s.error).map((s) => s.topic))
      return states
    })
  }
  async createTopics(topics: readonly NewTopic[]): Promise<TopicResult[]> {
    return this.#write('createTopics', () => createFakeTopics(this.#state, topics))
  }
  async deleteTopics(topics: readonly string[]): Promise<TopicResult[]> {
    return this.#write('deleteTopics', () => deleteFakeTopics(this.#state, topics))
  }
  async describeConfigs(resources: readonly ConfigResourceRef[], options: DescribeConfigsOptions = {}): Promise<ResourceConfig[]> {
    return this.#read(() => describeFakeConfigs(this.#state, resources, options))
  }
  async incrementalAlterConfigs(changes: readonly ConfigChange[], options: { readonly validateOnly: boolean }): Promise<ConfigChangeResult[]> {
    if (options.validateOnly) return this.#read(() => alterFakeConfigs(this.#state, changes, true))
    return this.#write('incrementalAlterConfigs', () => alterFakeConfigs(this.#state, changes, false))
  }
  async electLeaders(type: ElectionType, partitions: readonly TopicPartition[]): Promise<ElectionResult[]> {
    return this.#write(`electLeaders:${type}`, () => electFakeLeaders(this.#state, type, partitions))
  }
  async alterPartitionReassignments(moves: readonly ReplicaMove[]): Promise<PartitionResult[]> {
    return this.#write('alterPartitionReassignments', () => alterFakeReassignments(this.#state, moves))
  }
  async listPartitionReassignments(): Promise<OngoingReassignment[]> {
    return this.#read(() => listFakeReassignments(this.#state))
  }
  async listOffsets(queries: readonly OffsetQuery[]): Promise<ListedOffset[]> {
    return this.#read(() => listFakeOffsets(this.#state, queries))
  }
  async replicaOffsets(queries: readonly ReplicaOffsetQuery[]): Promise<ReplicaOffset[]> {
    return this.#read(() => readFakeReplicaOffsets(this.#state, queries))
  }
  async recordTimestamps(queries: readonly RecordQuery[]): Promise<RecordTimestamp[]> {
    return this.#read(() => readFakeRecordTimestamps(this.#state, queries))
  }
  async fetchRecords(queries: readonly FetchQuery[]): Promise<FetchedRecords[]> {
    return this.#read(() => fetchFakeRecords(this.#state, queries))
  }
  async produce(topic: string, records: readonly ProduceRecord[], _options: ProduceOptions = {}): Promise<ProducedRecord[]> {
    return this.#write('produce', () => produceFakeRecords(this.#state, topic, records, Date.now()))
  }
  async deleteRecords(before: readonly RecordsBefore[]): Promise<DeletedRecords[]> {
    return this.#write('deleteRecords', () => deleteFakeRecords(this.#state, before))
  }
  async segmentSpans(queries: readonly SegmentQuery[]): Promise<SegmentSpan[]> {
    return this.#read(() => fakeSegmentSpans(this.#state, queries))
  }
  async describeLogDirs(brokers?: readonly number[]): Promise<BrokerLogDirs[]> {
    return this.#read(() => describeFakeLogDirs(this.#state, brokers))
  }
  async listGroups(): Promise<GroupList> {
    return this.#read(() => listFakeGroups(this.#state))
  }
  async describeGroups(groupIds: readonly string[]): Promise<GroupDescription[]> {
    return this.#read(() => describeFakeGroups(this.#state, groupIds))
  }
  async committedOffsets(groupId: string, topics?: readonly string[]): Promise<GroupOffsets> {
    return this.#read(() => readFakeCommittedOffsets(this.#state, groupId, topics))
  }
  async groupsCommittedOffsets(groupIds: readonly string[], topics?: readonly string[]): Promise<GroupOffsets[]> {
    return this.#read(() => groupIds.map((groupId) => readFakeCommittedOffsets(this.#state, groupId, topics)))
  }
  async alterCommittedOffsets(groupId: string, offsets: readonly OffsetCommit[]): Promise<PartitionResult[]> {
    return this.#write('alterCommittedOffsets', () => alterFakeCommittedOffsets(this.#state, groupId, offsets))
  }
  async describeProducers(queries: readonly ProducerQuery[]): Promise<PartitionProducers[]> {
    return this.#read(() => describeFakeProducers(this.#state, queries))
  }
  async findTransactionCoordinators(transactionalIds: readonly string[]): Promise<TransactionCoordinator[]> {
    return this.#read(() => findFakeTransactionCoordinators(this.#state, transactionalIds))
  }
  async listTransactions(filter?: TransactionFilter): Promise<CoordinatorTransactions[]> {
    return this.#read(() => listFakeTransactions(this.#state, filter))
  }
  async describeTransactions(transactionalIds: readonly string[]): Promise<TransactionDescription[]> {
    return this.#read(() => describeFakeTransactions(this.#state, transactionalIds))
  }
  async abortTransactions(aborts: readonly TransactionAbort[]): Promise<TransactionAbortResult[]> {
    return this.#write('abortTransactions', () => abortFakeTransactions(this.#state, aborts))
  }
  async fenceProducers(fences: readonly ProducerFence[]): Promise<ProducerFenceResult[]> {
    return this.#write('fenceProducers', () => fenceFakeProducers(this.#state, fences))
  }
  async close(): Promise<void> {}

  // -- Faults and workloads ----------------------------------------------------------------------

  /**
   * SIGKILL a broker and let its session expire: out of every ISR; its partitions move to another ISR/ELR member
   * or go leaderless. `lastContactMs`: when the controller last heard from it (default: now).
   */
  killBroker(id: number, options: { lastContactMs?: number } = {}): this {
    fenceBroker(this.#state, id, 'dead', options.lastContactMs)
    return this
  }

  /**
   * The coordinator of one `__consumer_offsets` partition (of the fake's topic, or of three) stays unavailable for
   * longer than a read waits: it was killed a moment ago and is not fenced yet (BROKER_NOT_AVAILABLE), or it is
   * still loading a large partition (COORDINATOR_LOAD_IN_PROGRESS). Its groups are then left out of listings,
   * which say so, and describing them or reading their offsets ends on that error. `recoverCoordinator` ends it.
   */
  stallCoordinator(partition: number, error: 'BROKER_NOT_AVAILABLE' | 'COORDINATOR_LOAD_IN_PROGRESS' = 'COORDINATOR_LOAD_IN_PROGRESS'): this {
    const count = offsetsPartitions(this.#state)
    if (!Number.isInteger(partition) || partition < 0 || partition >= count)
      throw new Error(`fake cluster: __consumer_offsets has partitions 0-${count - 1}, not ${partition}`)
    this.#state.stalledCoordinators.set(partition, ErrorCode[error])
    return this
  }

  /** The coordinator of that partition answers again (moved, fenced, or done loading). */
  recoverCoordinator(partition: number): this {
    this.#state.stalledCoordinators.delete(partition)
    return this
  }

  /** The broker's process stays up but the controller fences it (e.g. SIGSTOP past the session timeout). */
  fenceBroker(id: number, options: { lastContactMs?: number } = {}): this {
    fenceBroker(this.#state, id, 'fenced', options.lastContactMs)
    return this
  }

  /** A broker's log directory fails: the broker stays up, its replicas go offline (DescribeLogDirs reports the directory's error). */
  failLogDir(id: number): this {
    failLogDir(this.#state, id)
    return this
  }

  /** Start a dead (or unfence a fenced) broker: it catches up where a leader exists and may be elected where none does. */
  restartBroker(id: number): this {
    unfenceBroker(this.#state, id)
    return this
  }

  /** A live follower falls behind and leaves the ISR (below min ISR with ELR on, it joins the ELR); it stays behind until catchUp(). */
  dropFromIsr(topic: string, partition: number, broker: number): this {
    const found = this.#partition(topic, partition)
    if (found.leader === broker) throw new Error(`fake cluster: broker ${broker} leads ${topic}/${partition}; kill it instead`)
    const log = found.logs.get(broker)
    if (log) log.stalled = true
    removeFromIsr(this.#state, this.#state.topics.get(topic)!, found, broker)
    return this
  }

  /** Followers fetch up to the leader and rejoin the ISR (all live replicas, or one). */
  catchUp(topic: string, partition: number, broker?: number): this {
    const found = this.#partition(topic, partition)
    const topicState = this.#state.topics.get(topic)!
    for (const id of broker === undefined ? found.replicas : [broker]) if (id !== found.leader) catchUpReplica(this.#state, topicState, found, id)
    return this
  }

  /**
   * A producer writes `count` records to the leader. In-sync followers copy them; the high watermark
   * follows only while the ISR is at least min.insync.replicas (it freezes below, as in Kafka 3.7+).
   * acks=all is refused with NOT_ENOUGH_REPLICAS under min ISR; acks=1 is accepted.
   */
  write(topic: string, partition: number, count: number, options: { acks?: 'all' | 1; timestampMs?: number; stepMs?: number } = {}): ProduceResult {
    const found = findPartition(this.#state, topic, partition)
    if (!found) return { baseOffset: null, error: kafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) }
    const appended = appendBatch(this.#state, found, plainRecords(found, count, options), null, options.acks)
    return 'error' in appended ? { baseOffset: null, error: appended.error } : appended
  }

  // -- Transactional producers (Kafka's rules: see transactions.ts) ----------------------------------

  /** A transactional producer starts (InitProducerId): a new id, or the id's open transaction aborted and its epoch bumped. */
  initTransactions(transactionalId: string, options: { timeoutMs?: number } = {}): { producerId: bigint; producerEpoch: number } {
    this.#settle()
    const result = initProducerId(this.#state, transactionalId, options.timeoutMs ?? 60_000)
    if ('error' in result) throw new Error(`fake cluster: InitProducerId for ${transactionalId}: ${result.error.name}`)
    return result
  }

  /** The producer writes `count` records in its transaction (registering the partition first). */
  sendInTransaction(transactionalId: string, topic: string, partition: number, count: number, options: { timestampMs?: number } = {}): ProduceResult {
    this.#settle()
    const result = sendInTransaction(this.#state, transactionalId, { topic, partition }, count, options.timestampMs ?? this.#state.clock())
    return 'error' in result ? { baseOffset: null, error: result.error } : result
  }

  /** The producer commits (or aborts) its transaction: markers on its partitions, where they can be written now. */
  endTransaction(transactionalId: string, result: 'commit' | 'abort'): this {
    this.#settle()
    const error = endOwnTransaction(this.#state, transactionalId, result === 'commit')
    if (error) throw new Error(`fake cluster: ${error.message}`)
    return this
  }

  /**
   * A producer writes a transaction over `partitions` (`records` each) and never ends it: its process is gone.
   * The coordinator aborts it once `timeoutMs` has passed on the cluster's clock. `committedBefore` transactions
   * are committed first.
   */
  openTransaction(
    transactionalId: string,
    topic: string,
    partitions: readonly number[],
    options: { records?: number; timeoutMs?: number; committedBefore?: number; timestampMs?: number } = {},
  ): OpenTransaction {
    this.initTransactions(transactionalId, { timeoutMs: options.timeoutMs ?? 60_000 })
    const records = options.records ?? 2
    const write = () =>
      partitions.map((partition) => {
        const sent = this.sendInTransaction(
          transactionalId,
          topic,
          partition,
          records,
          options.timestampMs === undefined ? {} : { timestampMs: options.timestampMs },
        )
        if (sent.error) throw new Error(`fake cluster: transactional send to ${topic}/${partition}: ${sent.error.name}`)
        return { partition, firstOffset: sent.baseOffset!, records }
      })
    for (let i = 0; i < (options.committedBefore ?? 0); i++) {
      write()
      this.endTransaction(transactionalId, 'commit')
    }
    const held = write()
    const id = this.#state.transactionalIds.get(transactionalId)!
    return { transactionalId, producerId: id.producerId, producerEpoch: id.producerEpoch, partitions: held }
  }

  /**
   * A hanging transaction: `count` transactional records appended without registering the partition at any
   * coordinator (what transaction verification prevents). With `transactionalId`, that id's producer writes
   * them (the id is known, the partition is not in its transaction); with null (the default), a producer id no
   * transactional id owns. `timestampMs` is the batch's timestamp (the producer's last write).
   */
  hangTransaction(
    topic: string,
    partition: number,
    count: number,
    options: { transactionalId?: string | null; timestampMs?: number } = {},
  ): { producerId: bigint; producerEpoch: number; firstOffset: bigint } {
    this.#settle()
    const result = appendUnregistered(this.#state, { topic, partition }, count, options.transactionalId ?? null, options.timestampMs ?? this.#state.clock())
    if ('error' in result) throw new Error(`fake cluster: hanging batch on ${topic}/${partition}: ${result.error.name}`)
    return result
  }

  /**
   * One retention check, as a broker runs it every log.retention.check.interval.ms: expired segments go from the
   * oldest (by their newest record's time, or while a partition is over retention.bytes) and log starts move.
   */
  enforceRetention(nowMs: number = Date.now()): this {
    enforceFakeRetention(this.#state, nowMs)
    return this
  }

  /** Every member of a group leaves (stopped consumers, session expired): the group is Empty. */
  stopMembers(groupId: string): this {
    const group = this.#group(groupId)
    group.epoch += group.members.length
    group.members = []
    return this
  }

  /** One member leaves (a clean stop, or its session expired after a crash). */
  removeMember(groupId: string, memberId: string): this {
    const group = this.#group(groupId)
    const before = group.members.length
    group.members = group.members.filter((m) => m.memberId !== memberId)
    group.epoch += before - group.members.length
    return this
  }

  /** A consumer joins a group with an assignment; the group is created (classic unless said) if it does not exist. */
  addMember(
    groupId: string,
    member: { memberId: string; clientId?: string; host?: string; assignment?: readonly TopicPartition[] },
    options: { type?: 'classic' | 'consumer' } = {},
  ): this {
    if (!this.#state.groups.has(groupId)) {
      const type = options.type ?? 'classic'
      this.#state.groups.set(groupId, {
        groupId,
        type,
        protocolType: 'consumer',
        assignor: type === 'classic' ? 'range' : 'uniform',
        pinnedState: null,
        members: [],
        offsets: new Map(),
        epoch: 0,
      })
    }
    const created: FakeMember = {
      memberId: member.memberId,
      groupInstanceId: null,
      clientId: member.clientId ?? member.memberId,
      host: member.host ?? '/127.0.0.1',
      assignment: [...(member.assignment ?? [])],
    }
    const group = this.#group(groupId)
    group.members.push(created)
    group.epoch++
    return this
  }

  /** A running consumer commits an offset (no emptiness check: it is a member). */
  commit(groupId: string, topic: string, partition: number, offset: bigint): this {
    this.#group(groupId).offsets.set(`${topic}/${partition}`, { offset, leaderEpoch: null, metadata: '' })
    return this
  }

  /** While on, every call fails as if no broker answered. */
  setUnreachable(unreachable: boolean): this {
    this.#state.unreachable = unreachable
    return this
  }

  /** Mutating calls that reached the cluster, in order ("electLeaders:unclean", "incrementalAlterConfigs"...). */
  get mutations(): readonly string[] {
    return [...this.#state.mutations]
  }

  /** One partition's full state, including what no API shows (every replica's log end offset). */
  inspect(topic: string, partition: number): PartitionSnapshot {
    this.#settle()
    const p = this.#partition(topic, partition)
    return copy({
      leader: p.leader,
      leaderEpoch: p.leaderEpoch,
      replicas: p.replicas,
      isr: p.isr,
      elr: p.elr,
      lastKnownElr: p.lastKnownElr,
      highWatermark: p.highWatermark,
      lastStableOffset: lastStableOffset(p),
      logStartOffset: p.logStartOffset,
      logEndOffsets: new Map([...p.logs].map(([id, log]) => [id, log.leo])),
    })
  }

  #partition(topic: string, partition: number): FakePartition {
    const found = findPartition(this.#state, topic, partition)
    if (!found) throw new Error(`fake cluster: no partition ${topic}/${partition}`)
    return found
  }

  #group(groupId: string) {
    const group = this.#state.groups.get(groupId)
    if (!group) throw new Error(`fake cluster: no group ${groupId}`)
    return group
  }

  #checkReachable(): void {
    if (this.#state.unreachable) {
      throw new KafkaConnectionError('unreachable', 'cannot reach any broker of the fake cluster — check --bootstrap-server and that the brokers are up')
    }
  }

  /** The coordinators catch up with the clock (timeouts, markers that were waiting) before anything is read or done. */
  #settle(): void {
    settleTransactions(this.#state)
  }

  // Answers are deep copies: a caller mutating a result must not change the cluster.
  #read<T>(operation: () => T): T {
    this.#checkReachable()
    this.#settle()
    return copy(operation())
  }

  #write<T>(name: string, operation: () => T): T {
    this.#checkReachable()
    this.#settle()
    this.#state.mutations.push(name)
    return copy(operation())
  }
}
