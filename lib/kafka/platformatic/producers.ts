// describeProducers(): the producer state a partition's leader keeps (DescribeProducers), open transactions
// included. abortTransactions(): what Kafka's Admin abortTransaction sends — an abort marker (WriteTxnMarkers)
// to the partition's leader, which needs ALTER or CLUSTER_ACTION on the cluster — with the producer epoch and
// coordinator epoch read from that leader just before, and refused by transaction-rules.ts when the producer
// or its open transaction is not what the caller saw.

import { describeProducersV0 } from './client.ts'
import { ErrorCode, kafkaError } from '../errors.ts'
import { type AbortMarker, abortMarkerFor, duplicateAbort } from '../transaction-rules.ts'
import type { ActiveProducer, KafkaError, PartitionProducers, ProducerQuery, TopicPartition, TransactionAbort, TransactionAbortResult } from '../types.ts'
import { pause } from './coordinator.ts'
import { readPartitionStates } from './partition-states.ts'
import { type TxnMarker, writeTxnMarkersApis } from './protocol/write-txn-markers.ts'
import { type Session, send } from './session.ts'

const key = (tp: TopicPartition) => `${tp.topic}\u0000${tp.partition}`
const orNull = (value: bigint | number): number | null => (value < 0 ? null : Number(value))

/** Errors after which the partition's leader is looked up again: leadership moved, or a broker restarted. */
const leaderMoved: ReadonlySet<number> = new Set([
  ErrorCode.NOT_LEADER_OR_FOLLOWER,
  ErrorCode.LEADER_NOT_AVAILABLE,
  ErrorCode.REPLICA_NOT_AVAILABLE,
  ErrorCode.BROKER_NOT_AVAILABLE,
])
const abortAttempts = 3
const abortPauseMs = 300

function toProducer(raw: {
  producerId: bigint
  producerEpoch: number
  lastSequence: number
  lastTimestamp: bigint
  coordinatorEpoch: number
  currentTxnStartOffset: bigint
}): ActiveProducer {
  return {
    producerId: raw.producerId,
    producerEpoch: raw.producerEpoch,
    lastSequence: raw.lastSequence,
    lastTimestampMs: orNull(raw.lastTimestamp),
    coordinatorEpoch: orNull(raw.coordinatorEpoch),
    transactionStartOffset: raw.currentTxnStartOffset < 0n ? null : raw.currentTxnStartOffset,
  }
}

export async function describeProducers(session: Session, queries: readonly ProducerQuery[]): Promise<PartitionProducers[]> {
  if (queries.length === 0) return []
  const results: PartitionProducers[] = new Array(queries.length)
  const fail = (index: number, broker: number | null, error: KafkaError) => {
    const q = queries[index]!
    results[index] = { topic: q.topic, partition: q.partition, broker, producers: [], error }
  }
  if (session.version(61, [0]) === null) {
    queries.forEach((_, index) => fail(index, null, kafkaError(ErrorCode.UNSUPPORTED_VERSION, 'DescribeProducers is not served by this cluster (Kafka 3.0+)')))
    return results
  }
  const states = await readPartitionStates(session, [...new Set(queries.map((q) => q.topic))])
  const leaders = new Map<string, number | null>()
  for (const topic of states) for (const p of topic.partitions) leaders.set(key(p), p.leader)

  const byBroker = new Map<number, number[]>()
  queries.forEach((query, index) => {
    const leader = leaders.get(key(query))
    if (leader === undefined) return fail(index, null, kafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `${query.topic}-${query.partition} does not exist.`))
    const broker = query.broker ?? leader
    if (broker === null) return fail(index, null, kafkaError(ErrorCode.LEADER_NOT_AVAILABLE, 'The partition has no leader.'))
    ;(byBroker.get(broker) ?? byBroker.set(broker, []).get(broker)!).push(index)
  })
  await Promise.all(
    [...byBroker].map(async ([broker, indexes]) => {
      const topics = new Map<string, Set<number>>()
      for (const index of indexes) {
        const q = queries[index]!
        ;(topics.get(q.topic) ?? topics.set(q.topic, new Set()).get(q.topic)!).add(q.partition)
      }
      const request = [...topics].map(([name, partitions]) => ({ name, partitionIndexes: [...partitions] }))
      const answer = await session.onBroker(broker, (c) => send(describeProducersV0.api, c, request))
      if ('error' in answer) return indexes.forEach((index) => fail(index, broker, answer.error))
      const found = new Map<string, (typeof answer.value.topics)[number]['partitions'][number]>()
      for (const t of answer.value.topics) for (const p of t.partitions) found.set(key({ topic: t.name, partition: p.partitionIndex }), p)
      for (const index of indexes) {
        const q = queries[index]!
        const partition = found.get(key(q))
        if (!partition) fail(index, broker, kafkaError(ErrorCode.UNKNOWN_SERVER_ERROR, 'the broker gave no answer for this partition'))
        else if (partition.errorCode !== 0) fail(index, broker, kafkaError(partition.errorCode, partition.errorMessage))
        else results[index] = { topic: q.topic, partition: q.partition, broker, producers: partition.activeProducers.map(toProducer) }
      }
    }),
  )
  return results
}

interface Planned {
  readonly index: number
  readonly abort: TransactionAbort
  readonly marker: AbortMarker
}

/** Writes the markers on their brokers, one request per broker; the error code per abort (0 when written). */
async function writeAbortMarkers(session: Session, planned: readonly Planned[]): Promise<(KafkaError | null)[]> {
  const version = session.version(27, [1, 2]) as 1 | 2 | null
  if (version === null) return planned.map(() => kafkaError(ErrorCode.UNSUPPORTED_VERSION, 'WriteTxnMarkers v1+ is not served by this cluster'))
  const outcomes: (KafkaError | null)[] = planned.map(() => null)
  const byBroker = new Map<number, number[]>()
  planned.forEach(({ marker }, index) => (byBroker.get(marker.broker) ?? byBroker.set(marker.broker, []).get(marker.broker)!).push(index))
  await Promise.all(
    [...byBroker].map(async ([broker, indexes]) => {
      const markers: TxnMarker[] = indexes.map((index) => {
        const { abort, marker } = planned[index]!
        return {
          producerId: abort.producerId,
          producerEpoch: marker.producerEpoch,
          commit: false,
          topics: [{ topic: abort.topic, partitions: [abort.partition] }],
          coordinatorEpoch: marker.coordinatorEpoch,
        }
      })
      const answer = await session.onBroker(broker, (c) => send(writeTxnMarkersApis[version], c, markers))
      if ('error' in answer) return indexes.forEach((index) => (outcomes[index] = answer.error))
      for (const index of indexes) {
        const { abort } = planned[index]!
        const result = answer.value.markers
          .filter((m) => m.producerId === abort.producerId)
          .flatMap((m) => m.topics.filter((t) => t.topic === abort.topic).flatMap((t) => t.partitions))
          .find((p) => p.partition === abort.partition)
        outcomes[index] = !result
          ? kafkaError(ErrorCode.UNKNOWN_SERVER_ERROR, 'the broker gave no answer for this marker')
          : result.errorCode === 0
            ? null
            : kafkaError(result.errorCode)
      }
    }),
  )
  return outcomes
}

export async function abortTransactions(session: Session, aborts: readonly TransactionAbort[]): Promise<TransactionAbortResult[]> {
  const results: TransactionAbortResult[] = new Array(aborts.length)
  const settle = (index: number, marker: TransactionAbortResult['marker'], error?: KafkaError) => {
    const a = aborts[index]!
    results[index] = { topic: a.topic, partition: a.partition, producerId: a.producerId, marker, ...(error ? { error } : {}) }
  }
  // One marker per producer and partition: a second would find nothing open, or abort what began since.
  const seen = new Set<string>()
  let pending: number[] = []
  aborts.forEach((abort, index) => {
    const id = `${key(abort)}\u0000${abort.producerId}`
    if (seen.has(id)) settle(index, null, duplicateAbort(abort))
    else {
      seen.add(id)
      pending.push(index)
    }
  })
  for (let attempt = 0; attempt < abortAttempts && pending.length > 0; attempt++) {
    if (attempt > 0) await pause(abortPauseMs)
    const live = await describeProducers(
      session,
      pending.map((index) => aborts[index]!),
    )
    const planned: Planned[] = []
    const retry: number[] = []
    pending.forEach((index, i) => {
      const checked = abortMarkerFor(aborts[index]!, live[i]!)
      if ('marker' in checked) planned.push({ index, abort: aborts[index]!, marker: checked.marker })
      else {
        settle(index, null, checked.error)
        if (live[i]!.error && leaderMoved.has(live[i]!.error!.code)) retry.push(index)
      }
    })
    const outcomes = await writeAbortMarkers(session, planned)
    planned.forEach(({ index, marker }, i) => {
      const error = outcomes[i]
      if (!error) return settle(index, marker)
      settle(index, null, error)
      if (leaderMoved.has(error.code)) retry.push(index)
    })
    pending = retry
  }
  return results
}
