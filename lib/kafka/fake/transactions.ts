// Transactions in the fake, by Kafka's rules as measured on 4.3.1 and 3.9.2 (with a Kafka 2.x-protocol client,
// as kafkajs is): a transactional id at its coordinator, producers' state on each partition (replayed from its
// log), the markers that end a transaction there, and the last stable offset (LSO) an open transaction holds.
//
// - A producer registers each partition with the coordinator before writing to it; the first registration
//   starts the transaction (Ongoing, its start time on the coordinator's clock).
// - Commit or abort: the coordinator writes a marker (one offset) on every partition of the transaction, then
//   the id is CompleteCommit / CompleteAbort; the producer keeps its epoch.
// - A transaction still open at start + timeout is aborted by the coordinator with the epoch bumped by one.
//   (Kafka checks every transaction.abort.timed.out.transaction.cleanup.interval.ms, 10 s by default; the fake
//   aborts at the deadline.)
// - InitProducerId on an id (a restarted producer, or a fence): an open transaction is aborted first with the
//   epoch bumped, then the epoch is bumped again; the id is Empty. 4.x forgets the last start time then, 3.9 keeps it.
// - A marker the coordinator cannot write yet (no leader, ISR under min.insync.replicas) waits: the id stays
//   PrepareCommit / PrepareAbort with those partitions until it can.
// - A partition leader appends an abort marker for any producer whose epoch is not below the one it knows.
//   A hanging transaction is data a producer wrote without registering the partition (transaction
//   verification off): no coordinator will ever write its marker.

import { ErrorCode, kafkaError } from '../errors.ts'
import { abortMarkerFor, duplicateAbort, duplicateFence, fenceRefusal, unknownTransactionalId } from '../transaction-rules.ts'
import type {
  ActiveProducer,
  CoordinatorTransactions,
  KafkaError,
  PartitionProducers,
  ProducerFence,
  ProducerFenceResult,
  ProducerQuery,
  TopicPartition,
  TransactionAbort,
  TransactionAbortResult,
  TransactionCoordinator,
  TransactionDescription,
  TransactionFilter,
} from '../types.ts'
import { recordedApis } from './api-versions.ts'
import { appendBatch } from './log.ts'
import { type ClusterState, type FakePartition, type FakeTransactionalId, answers, findPartition, isLive, partitionKey } from './state.ts'

/** The coordinator epoch of every transaction-state partition: a fresh cluster's coordinators never moved. */
const coordinatorEpoch = 0
const stateNames = new Set(['Empty', 'Ongoing', 'PrepareCommit', 'PrepareAbort', 'CompleteCommit', 'CompleteAbort', 'Dead', 'PrepareEpochFence'])

const unknownPartition = (tp: TopicPartition): KafkaError => kafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `${tp.topic}-${tp.partition} does not exist.`)
const noLeader = (): KafkaError => kafkaError(ErrorCode.LEADER_NOT_AVAILABLE, 'The partition has no leader.')

const splitKey = (key: string): TopicPartition => {
  const slash = key.lastIndexOf('/')
  return { topic: key.slice(0, slash), partition: Number(key.slice(slash + 1)) }
}

/** Which live broker coordinates a transactional id (Kafka: the leader of its __transaction_state partition). */
function coordinatorOf(state: ClusterState, transactionalId: string): number | null {
  const live = [...state.brokers.values()]
    .filter((b) => isLive(state, b.id))
    .map((b) => b.id)
    .sort((a, b) => a - b)
  if (live.length === 0) return null
  let hash = 0
  for (const ch of transactionalId) hash = (hash * 31 + ch.charCodeAt(0)) | 0
  return live[Math.abs(hash) % live.length]!
}

// -- Partition leaders: data batches and markers ---------------------------------------------------

/**
 * The producers a partition's leader keeps state for, replayed from its log as the leader rebuilds them: the
 * last batch of each producer id sets its epoch, sequence and time; its first transactional batch after a
 * marker opens a transaction; a marker closes it and records the coordinator's epoch.
 */
export function producerStates(partition: FakePartition): Map<bigint, ActiveProducer> {
  const states = new Map<bigint, { -readonly [K in keyof ActiveProducer]: ActiveProducer[K] }>()
  const end = partition.leader === null ? partition.highWatermark : (partition.logs.get(partition.leader)?.leo ?? partition.highWatermark)
  for (let offset = 0n; offset < end; offset++) {
    const stored = partition.payloads[Number(offset)]
    if (!stored || stored.producerId < 0n || stored.batchBase !== offset) continue
    let entry = states.get(stored.producerId)
    if (!entry) {
      entry = {
        producerId: stored.producerId,
        producerEpoch: -1,
        lastSequence: -1,
        lastTimestampMs: null,
        coordinatorEpoch: null,
        transactionStartOffset: null,
      }
      states.set(stored.producerId, entry)
    }
    // A new epoch starts the producer's sequence over (measured: last sequence -1 after a fence's marker).
    if (stored.producerEpoch !== entry.producerEpoch) entry.lastSequence = -1
    entry.producerEpoch = stored.producerEpoch
    entry.lastTimestampMs = partition.timestamps[Number(stored.batchLast)] ?? null
    if (stored.control) {
      entry.coordinatorEpoch = stored.coordinatorEpoch ?? 0
      entry.transactionStartOffset = null
    } else {
      if (stored.baseSequence >= 0) entry.lastSequence = stored.baseSequence + Number(stored.batchLast - stored.batchBase)
      if (stored.transactional) entry.transactionStartOffset ??= offset
    }
  }
  return states
}

/** A transactional batch as the partition's leader appends it; it opens the producer's transaction here if none is. */
function appendTransactional(
  state: ClusterState,
  partition: FakePartition,
  producer: { producerId: bigint; producerEpoch: number },
  count: number,
  timestampMs: number,
): { baseOffset: bigint } | { error: KafkaError } {
  const known = producerStates(partition).get(producer.producerId)
  if (known && producer.producerEpoch < known.producerEpoch) return { error: kafkaError(ErrorCode.INVALID_PRODUCER_EPOCH) }
  const baseSequence = known && known.producerEpoch === producer.producerEpoch ? known.lastSequence + 1 : 0
  const records = Array.from({ length: count }, (_, i) => ({
    timestamp: timestampMs,
    key: Buffer.from(`${producer.producerId}-${baseSequence + i}`),
    value: Buffer.from(`transactional record ${baseSequence + i} of producer ${producer.producerId}`),
  }))
  return appendBatch(state, partition, records, { ...producer, baseSequence, transactional: true })
}

/** A commit or abort marker as the partition's leader appends it (WriteTxnMarkers, acks=all). */
function appendMarker(
  state: ClusterState,
  partition: FakePartition,
  marker: { producerId: bigint; producerEpoch: number; coordinatorEpoch: number; commit: boolean },
): { offset: bigint } | { error: KafkaError } {
  const known = producerStates(partition).get(marker.producerId)
  if (known && marker.producerEpoch < known.producerEpoch) return { error: kafkaError(ErrorCode.INVALID_PRODUCER_EPOCH) }
  if (known && known.coordinatorEpoch !== null && known.coordinatorEpoch > marker.coordinatorEpoch) {
    return { error: kafkaError(ErrorCode.TRANSACTION_COORDINATOR_FENCED) }
  }
  const appended = appendBatch(state, partition, [{ timestamp: state.clock(), key: null, value: null }], {
    producerId: marker.producerId,
    producerEpoch: marker.producerEpoch,
    baseSequence: -1,
    transactional: true,
    control: marker.commit ? 'commit' : 'abort',
    coordinatorEpoch: marker.coordinatorEpoch,
  })
  return 'error' in appended ? appended : { offset: appended.baseOffset }
}

// -- Coordinators -----------------------------------------------------------------------------------

/** Begins ending the id's transaction: its markers are written now where they can be, later where not. */
function endTransaction(state: ClusterState, id: FakeTransactionalId, commit: boolean): void {
  id.state = commit ? 'PrepareCommit' : 'PrepareAbort'
  writePendingMarkers(state, id)
}

function writePendingMarkers(state: ClusterState, id: FakeTransactionalId): void {
  const commit = id.state === 'PrepareCommit'
  for (const key of [...id.partitions]) {
    const { topic, partition } = splitKey(key)
    const found = findPartition(state, topic, partition)
    if (!found) {
      id.partitions.delete(key)
      continue
    }
    const written = appendMarker(state, found, { producerId: id.producerId, producerEpoch: id.producerEpoch, coordinatorEpoch, commit })
    if ('offset' in written) id.partitions.delete(key)
  }
  if (id.partitions.size === 0) id.state = commit ? 'CompleteCommit' : 'CompleteAbort'
}

/**
 * What the coordinators do on their own, up to now on the cluster's clock: abort transactions past their
 * timeout (epoch bumped) and write markers that were waiting for a partition to take them.
 */
export function settleTransactions(state: ClusterState): void {
  const now = state.clock()
  for (const id of state.transactionalIds.values()) {
    if (id.state === 'Ongoing' && id.startTimeMs !== null && now >= id.startTimeMs + id.timeoutMs) {
      id.producerEpoch++
      endTransaction(state, id, false)
    } else if (id.state === 'PrepareCommit' || id.state === 'PrepareAbort') writePendingMarkers(state, id)
  }
}

/**
 * InitProducerId with a transactional id, as a producer's start or an admin's fence sends it: a new id gets a
 * new producer id at epoch 0; a known one has its open transaction aborted (epoch + 1) and its epoch bumped.
 */
export function initProducerId(
  state: ClusterState,
  transactionalId: string,
  timeoutMs: number,
): { producerId: bigint; producerEpoch: number } | { error: KafkaError } {
  const existing = state.transactionalIds.get(transactionalId)
  if (!existing) {
    const created: FakeTransactionalId = {
      transactionalId,
      producerId: state.nextProducerId++,
      producerEpoch: 0,
      state: 'Empty',
      timeoutMs,
      startTimeMs: null,
      partitions: new Set(),
    }
    state.transactionalIds.set(transactionalId, created)
    return { producerId: created.producerId, producerEpoch: 0 }
  }
  if (existing.state === 'Ongoing') {
    existing.producerEpoch++
    endTransaction(state, existing, false)
  }
  // Kafka answers CONCURRENT_TRANSACTIONS until the markers are written; the client asks again.
  if (existing.state === 'PrepareCommit' || existing.state === 'PrepareAbort') return { error: kafkaError(ErrorCode.CONCURRENT_TRANSACTIONS) }
  existing.producerEpoch++
  existing.state = 'Empty'
  existing.timeoutMs = timeoutMs
  existing.partitions.clear()
  if (state.kafkaLine !== '3.9') existing.startTimeMs = null
  return { producerId: existing.producerId, producerEpoch: existing.producerEpoch }
}

// -- What the fake's producers do (FakeKafka's driver methods) ---------------------------------------

/** AddPartitionsToTxn, then the batch: the id's transaction begins (or goes on) and includes the partition. */
export function sendInTransaction(
  state: ClusterState,
  transactionalId: string,
  tp: TopicPartition,
  count: number,
  timestampMs: number,
): { baseOffset: bigint } | { error: KafkaError } {
  const id = state.transactionalIds.get(transactionalId)
  if (!id) return { error: kafkaError(ErrorCode.INVALID_PRODUCER_ID_MAPPING, `transactional id ${transactionalId} has not been initialized`) }
  if (id.state !== 'Empty' && id.state !== 'Ongoing' && id.state !== 'CompleteCommit' && id.state !== 'CompleteAbort') {
    return { error: kafkaError(ErrorCode.CONCURRENT_TRANSACTIONS) }
  }
  const partition = findPartition(state, tp.topic, tp.partition)
  if (!partition) return { error: unknownPartition(tp) }
  if (id.state !== 'Ongoing') {
    id.state = 'Ongoing'
    id.startTimeMs = state.clock()
    id.partitions.clear()
  }
  id.partitions.add(partitionKey(tp.topic, tp.partition))
  return appendTransactional(state, partition, id, count, timestampMs)
}

/** EndTxn from the producer itself: commit or abort its open transaction. */
export function endOwnTransaction(state: ClusterState, transactionalId: string, commit: boolean): KafkaError | null {
  const id = state.transactionalIds.get(transactionalId)
  if (!id || id.state !== 'Ongoing') return kafkaError(ErrorCode.INVALID_TXN_STATE, `transactional id ${transactionalId} has no ongoing transaction`)
  endTransaction(state, id, commit)
  return null
}

/**
 * A transactional batch the coordinator never heard of: with `transactionalId`, from that id's producer
 * (initialized first), the partition never registered; with null, from a producer id no transactional id owns.
 */
export function appendUnregistered(
  state: ClusterState,
  tp: TopicPartition,
  count: number,
  transactionalId: string | null,
  timestampMs: number,
): { producerId: bigint; producerEpoch: number; firstOffset: bigint } | { error: KafkaError } {
  const partition = findPartition(state, tp.topic, tp.partition)
  if (!partition) return { error: unknownPartition(tp) }
  const producer = transactionalId === null ? { producerId: state.nextProducerId++, producerEpoch: 0 } : initProducerId(state, transactionalId, 60_000)
  if ('error' in producer) return producer
  const appended = appendTransactional(state, partition, producer, count, timestampMs)
  if ('error' in appended) return appended
  return { ...producer, firstOffset: appended.baseOffset }
}

// -- KafkaOps ---------------------------------------------------------------------------------------

export function describeFakeProducers(state: ClusterState, queries: readonly ProducerQuery[]): PartitionProducers[] {
  return queries.map((query): PartitionProducers => {
    const base = { topic: query.topic, partition: query.partition }
    const partition = findPartition(state, query.topic, query.partition)
    if (!partition) return { ...base, broker: null, producers: [], error: unknownPartition(query) }
    const broker = query.broker ?? partition.leader
    if (broker === null || (query.broker === undefined && !isLive(state, broker))) return { ...base, broker: null, producers: [], error: noLeader() }
    if (!answers(state, broker)) {
      return { ...base, broker, producers: [], error: kafkaError(ErrorCode.BROKER_NOT_AVAILABLE, `broker ${broker} did not answer: it is down or unreachable`) }
    }
    if (!partition.replicas.includes(broker)) return { ...base, broker, producers: [], error: kafkaError(ErrorCode.NOT_LEADER_OR_FOLLOWER) }
    const producers = [...producerStates(partition).values()].sort((a, b) => (a.producerId < b.producerId ? -1 : 1))
    return { ...base, broker, producers }
  })
}

export function findFakeTransactionCoordinators(state: ClusterState, transactionalIds: readonly string[]): TransactionCoordinator[] {
  return transactionalIds.map((transactionalId) => {
    const broker = coordinatorOf(state, transactionalId)
    return broker === null ? { transactionalId, broker, error: kafkaError(ErrorCode.COORDINATOR_NOT_AVAILABLE) } : { transactionalId, broker }
  })
}

export function listFakeTransactions(state: ClusterState, filter: TransactionFilter = {}): CoordinatorTransactions[] {
  const brokers = [...state.brokers.keys()].filter((id) => isLive(state, id)).sort((a, b) => a - b)
  const maxVersion = recordedApis(state.kafkaLine).get(66)?.max ?? -1
  const needed = filter.transactionalIdPattern !== undefined ? 2 : filter.openLongerThanMs !== undefined ? 1 : 0
  if (maxVersion < needed) {
    const what = needed === 2 ? 'by transactional id pattern (Kafka 4.1+)' : 'by how long they are open (Kafka 3.8+)'
    const error = kafkaError(ErrorCode.UNSUPPORTED_VERSION, `this cluster cannot list transactions ${what}`)
    return brokers.map((broker) => ({ broker, transactions: [], unknownStates: [], error }))
  }
  const states = filter.states ?? []
  const unknownStates = states.filter((s) => !stateNames.has(s))
  const pattern = filter.transactionalIdPattern ? new RegExp(filter.transactionalIdPattern) : null
  const now = state.clock()
  // Kafka's filter: a producer id and state among those asked (when any), open longer than asked (an id with no
  // transaction begun counts from -1, so it always passes), the id matching the pattern.
  const included = (id: FakeTransactionalId) =>
    id.state !== 'Dead' &&
    (!filter.producerIds?.length || filter.producerIds.includes(id.producerId)) &&
    (states.length === 0 || states.includes(id.state)) &&
    (filter.openLongerThanMs === undefined || filter.openLongerThanMs < 0 || now - (id.startTimeMs ?? -1) > filter.openLongerThanMs) &&
    (pattern === null || pattern.test(id.transactionalId))
  return brokers.map((broker) => ({
    broker,
    transactions: [...state.transactionalIds.values()]
      .filter((id) => coordinatorOf(state, id.transactionalId) === broker && included(id))
      .map((id) => ({ transactionalId: id.transactionalId, producerId: id.producerId, state: id.state }))
      .sort((a, b) => a.transactionalId.localeCompare(b.transactionalId)),
    unknownStates,
  }))
}

export function describeFakeTransactions(state: ClusterState, transactionalIds: readonly string[]): TransactionDescription[] {
  return transactionalIds.map((transactionalId): TransactionDescription => {
    const coordinator = coordinatorOf(state, transactionalId)
    const id = state.transactionalIds.get(transactionalId)
    const undescribed = { transactionalId, coordinator, state: 'Dead', timeoutMs: 0, startTimeMs: null, producerId: -1n, producerEpoch: -1, partitions: [] }
    if (coordinator === null) return { ...undescribed, error: kafkaError(ErrorCode.COORDINATOR_NOT_AVAILABLE) }
    if (!id) return { ...undescribed, error: unknownTransactionalId(transactionalId) }
    return {
      transactionalId,
      coordinator,
      state: id.state,
      timeoutMs: id.timeoutMs,
      startTimeMs: id.startTimeMs,
      producerId: id.producerId,
      producerEpoch: id.producerEpoch,
      partitions: [...id.partitions].map(splitKey).sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition),
    }
  })
}

export function abortFakeTransactions(state: ClusterState, aborts: readonly TransactionAbort[]): TransactionAbortResult[] {
  const seen = new Set<string>()
  return aborts.map((abort): TransactionAbortResult => {
    const base = { topic: abort.topic, partition: abort.partition, producerId: abort.producerId }
    const key = `${partitionKey(abort.topic, abort.partition)}/${abort.producerId}`
    if (seen.has(key)) return { ...base, marker: null, error: duplicateAbort(abort) }
    seen.add(key)
    const [live] = describeFakeProducers(state, [abort])
    const checked = abortMarkerFor(abort, live!)
    if ('error' in checked) return { ...base, marker: null, error: checked.error }
    const partition = findPartition(state, abort.topic, abort.partition)!
    const written = appendMarker(state, partition, { producerId: abort.producerId, ...checked.marker, commit: false })
    return 'error' in written ? { ...base, marker: null, error: written.error } : { ...base, marker: checked.marker }
  })
}

export function fenceFakeProducers(state: ClusterState, fences: readonly ProducerFence[]): ProducerFenceResult[] {
  const seen = new Set<string>()
  return fences.map((fence): ProducerFenceResult => {
    const { transactionalId } = fence
    if (seen.has(transactionalId)) return { transactionalId, fenced: null, error: duplicateFence(fence) }
    seen.add(transactionalId)
    const [description] = describeFakeTransactions(state, [transactionalId])
    const refusal = fenceRefusal(fence, description!)
    if (refusal) return { transactionalId, fenced: null, error: refusal }
    const id = state.transactionalIds.get(transactionalId)!
    // The abort of an open transaction has to finish first (its markers written), as Kafka makes the fencer wait.
    const result = initProducerId(state, transactionalId, id.timeoutMs)
    if ('error' in result) return { transactionalId, fenced: null, error: result.error }
    return { transactionalId, fenced: { coordinator: description!.coordinator!, ...result } }
  })
}
