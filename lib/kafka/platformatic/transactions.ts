// Transactional ids at their coordinators: where each is coordinated (FindCoordinator, key type TRANSACTION),
// what every coordinator holds (ListTransactions, asked of each broker), one id's current transaction
// (DescribeTransactions), and fencing an id (InitProducerId with the id and no producer id or epoch, as
// Kafka's Admin fenceProducers does: the coordinator bumps the epoch and aborts the open transaction).

import { describeTransactionsV0, initProducerIdV3, initProducerIdV4, initProducerIdV5 } from './client.ts'
import { ErrorCode, kafkaError } from '../errors.ts'
import { duplicateFence, fenceRefusal, unknownTransactionalId } from '../transaction-rules.ts'
import type {
  CoordinatorTransactions,
  KafkaError,
  ProducerFence,
  ProducerFenceResult,
  TransactionCoordinator,
  TransactionDescription,
  TransactionFilter,
} from '../types.ts'
import { coordinatorRetryCodes, findCoordinators, onCoordinator, pause } from './coordinator.ts'
import { listTransactionsApis } from './protocol/list-transactions.ts'
import { type Session, send } from './session.ts'

const attempts = 8
const pauseMs = 250
/** A fence waits while the coordinator writes the abort markers of the transaction it ends (CONCURRENT_TRANSACTIONS). */
const fenceAttempts = 40

export async function findTransactionCoordinators(session: Session, transactionalIds: readonly string[]): Promise<TransactionCoordinator[]> {
  if (transactionalIds.length === 0) return []
  const found = await findCoordinators(session, 'transaction', transactionalIds)
  return transactionalIds.map((transactionalId) => {
    const answer = found.get(transactionalId)!
    return 'error' in answer ? { transactionalId, broker: null, error: answer.error } : { transactionalId, broker: answer.broker }
  })
}

export async function listTransactions(session: Session, filter: TransactionFilter = {}): Promise<CoordinatorTransactions[]> {
  const needed = filter.transactionalIdPattern !== undefined ? 2 : filter.openLongerThanMs !== undefined ? 1 : 0
  const version = session.version(
    66,
    [0, 1, 2].filter((v) => v >= needed),
  ) as 0 | 1 | 2 | null
  const brokers = [...(await session.addresses(true)).values()].filter((b) => b.fenced !== true).map((b) => b.id)
  brokers.sort((a, b) => a - b)
  if (version === null) {
    const what = needed === 2 ? 'by transactional id pattern (Kafka 4.1+)' : needed === 1 ? 'by how long they are open (Kafka 3.8+)' : '(Kafka 3.0+)'
    const error = kafkaError(ErrorCode.UNSUPPORTED_VERSION, `this cluster cannot list transactions ${what}`)
    return brokers.map((broker) => ({ broker, transactions: [], unknownStates: [], error }))
  }
  const states = filter.states ?? []
  const producerIds = filter.producerIds ?? []
  const durationMs = BigInt(filter.openLongerThanMs ?? -1)
  const pattern = filter.transactionalIdPattern ?? null
  return Promise.all(
    brokers.map(async (broker): Promise<CoordinatorTransactions> => {
      let error: KafkaError = kafkaError(ErrorCode.COORDINATOR_NOT_AVAILABLE)
      for (let attempt = 0; attempt < attempts; attempt++) {
        if (attempt > 0) await pause(pauseMs)
        const answer = await session.onBroker(broker, (c) => send(listTransactionsApis[version], c, states, producerIds, durationMs, pattern))
        if ('error' in answer) return { broker, transactions: [], unknownStates: [], error: answer.error }
        const { errorCode, transactionStates, unknownStateFilters } = answer.value
        if (errorCode === 0) {
          const transactions = transactionStates.map((t) => ({ transactionalId: t.transactionalId, producerId: t.producerId, state: t.transactionState }))
          transactions.sort((a, b) => a.transactionalId.localeCompare(b.transactionalId))
          return { broker, transactions, unknownStates: unknownStateFilters }
        }
        error = kafkaError(errorCode)
        if (!coordinatorRetryCodes.has(errorCode)) break
      }
      return { broker, transactions: [], unknownStates: [], error }
    }),
  )
}

type RawDescription = Awaited<ReturnType<typeof describeTransactionsV0.api.async>>['transactionStates'][number]

const undescribed = (transactionalId: string, coordinator: number | null, error: KafkaError): TransactionDescription => ({
  transactionalId,
  coordinator,
  state: 'Dead',
  timeoutMs: 0,
  startTimeMs: null,
  producerId: -1n,
  producerEpoch: -1,
  partitions: [],
  error,
})

function toDescription(raw: RawDescription, coordinator: number): TransactionDescription {
  if (raw.errorCode !== 0) {
    const error = raw.errorCode === ErrorCode.TRANSACTIONAL_ID_NOT_FOUND ? unknownTransactionalId(raw.transactionalId) : kafkaError(raw.errorCode)
    return undescribed(raw.transactionalId, coordinator, error)
  }
  return {
    transactionalId: raw.transactionalId,
    coordinator,
    state: raw.transactionState,
    timeoutMs: raw.transactionTimeoutMs,
    startTimeMs: raw.transactionStartTimeMs < 0n ? null : Number(raw.transactionStartTimeMs),
    producerId: raw.producerId,
    producerEpoch: raw.producerEpoch,
    partitions: raw.topics
      .flatMap((t) => t.partitions.map((partition) => ({ topic: t.topic, partition })))
      .sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition),
  }
}

export async function describeTransactions(session: Session, transactionalIds: readonly string[]): Promise<TransactionDescription[]> {
  const unique = [...new Set(transactionalIds)]
  const described = new Map<string, TransactionDescription>()
  if (unique.length > 0 && session.version(65, [0]) === null) {
    const error = kafkaError(ErrorCode.UNSUPPORTED_VERSION, 'DescribeTransactions is not served by this cluster (Kafka 3.0+)')
    for (const id of unique) described.set(id, undescribed(id, null, error))
  }
  let pending = unique.filter((id) => !described.has(id))
  for (let attempt = 0; attempt < attempts && pending.length > 0; attempt++) {
    if (attempt > 0) await pause(pauseMs)
    const coordinators = await findCoordinators(session, 'transaction', pending)
    const byBroker = new Map<number, string[]>()
    for (const id of pending) {
      const found = coordinators.get(id)!
      if ('error' in found) described.set(id, undescribed(id, null, found.error))
      else (byBroker.get(found.broker) ?? byBroker.set(found.broker, []).get(found.broker)!).push(id)
    }
    const retry: string[] = []
    await Promise.all(
      [...byBroker].map(async ([broker, ids]) => {
        const answer = await session.onBroker(broker, (c) => send(describeTransactionsV0.api, c, ids))
        if ('error' in answer) return ids.forEach((id) => described.set(id, undescribed(id, broker, answer.error)))
        const byId = new Map(answer.value.transactionStates.map((t) => [t.transactionalId, t]))
        for (const id of ids) {
          const raw = byId.get(id)
          if (!raw) described.set(id, undescribed(id, broker, kafkaError(ErrorCode.UNKNOWN_SERVER_ERROR, 'the coordinator gave no answer for this id')))
          else {
            described.set(id, toDescription(raw, broker))
            if (coordinatorRetryCodes.has(raw.errorCode)) retry.push(id)
          }
        }
      }),
    )
    pending = retry
  }
  return transactionalIds.map((id) => described.get(id)!)
}

type InitApi = typeof initProducerIdV5.api
const initApis: Record<number, InitApi> = {
  5: initProducerIdV5.api,
  4: initProducerIdV4.api as unknown as InitApi,
  3: initProducerIdV3.api as unknown as InitApi,
}

/** One id: described first (an unknown id is refused: InitProducerId would create it), checked, then fenced. */
async function fenceOne(session: Session, fence: ProducerFence, description: TransactionDescription): Promise<ProducerFenceResult> {
  const { transactionalId } = fence
  const refusal = fenceRefusal(fence, description)
  if (refusal) return { transactionalId, fenced: null, error: refusal }
  const version = session.version(22, [3, 4, 5])
  if (version === null)
    return { transactionalId, fenced: null, error: kafkaError(ErrorCode.UNSUPPORTED_VERSION, 'InitProducerId v3+ is not served by this cluster') }
  // The request's timeout becomes the id's transaction timeout: keep the one it has.
  const timeoutMs = description.timeoutMs > 0 ? description.timeoutMs : 60_000
  let last: KafkaError = kafkaError(ErrorCode.CONCURRENT_TRANSACTIONS)
  for (let attempt = 0; attempt < fenceAttempts; attempt++) {
    if (attempt > 0) await pause(pauseMs)
    const answer = await onCoordinator(
      session,
      transactionalId,
      (c) => send(initApis[version]!, c, transactionalId, timeoutMs, -1n, -1),
      (a) => a.errorCode,
      'transaction',
    )
    if ('error' in answer) return { transactionalId, fenced: null, error: answer.error }
    const { errorCode, producerId, producerEpoch } = answer.value
    if (errorCode === 0) return { transactionalId, fenced: { coordinator: answer.broker, producerId, producerEpoch } }
    last = kafkaError(errorCode)
    // The coordinator is ending the open transaction (this fence's abort, or the producer's own commit): ask again.
    if (errorCode !== ErrorCode.CONCURRENT_TRANSACTIONS) break
  }
  return { transactionalId, fenced: null, error: last }
}

export async function fenceProducers(session: Session, fences: readonly ProducerFence[]): Promise<ProducerFenceResult[]> {
  if (fences.length === 0) return []
  const descriptions = await describeTransactions(
    session,
    fences.map((f) => f.transactionalId),
  )
  const asked = new Set<string>()
  return Promise.all(
    fences.map((fence, index) => {
      if (asked.has(fence.transactionalId)) {
        return { transactionalId: fence.transactionalId, fenced: null, error: duplicateFence(fence) }
      }
      asked.add(fence.transactionalId)
      return fenceOne(session, fence, descriptions[index]!)
    }),
  )
}
