// When an abort marker or a fence may be sent, and the refusals when not: what the caller saw must still be
// what the cluster holds. Shared by the real adapter and the fake so both refuse with the same errors.
//
// Kafka itself checks little here. A partition leader appends an abort marker for any producer whose epoch is
// not below the one it knows — a producer with nothing open, or one that moved to a later transaction, gets a
// marker too — and InitProducerId with an unknown transactional id creates that id.

import { ErrorCode, kafkaError } from './errors.ts'
import type {
  ActiveProducer,
  KafkaError,
  PartitionProducers,
  ProducerFence,
  TransactionAbort,
  TransactionAbortResult,
  TransactionDescription,
} from './types.ts'

export type AbortMarker = NonNullable<TransactionAbortResult['marker']>

/** The marker to write for `abort`, from what the partition's leader reports now; or why none may be written. */
export function abortMarkerFor(abort: TransactionAbort, live: PartitionProducers): { marker: AbortMarker } | { error: KafkaError } {
  if (live.error) return { error: live.error }
  const where = `${abort.topic}-${abort.partition}`
  const producer: ActiveProducer | undefined = live.producers.find((p) => p.producerId === abort.producerId)
  if (!producer) return { error: kafkaError(ErrorCode.UNKNOWN_PRODUCER_ID, `producer ${abort.producerId} has no state on ${where}; nothing was written`) }
  if (producer.transactionStartOffset === null) {
    return { error: kafkaError(ErrorCode.INVALID_TXN_STATE, `producer ${abort.producerId} has no open transaction on ${where}; nothing was written`) }
  }
  if (abort.producerEpoch !== undefined && producer.producerEpoch !== abort.producerEpoch) {
    const message = `producer ${abort.producerId} is at epoch ${producer.producerEpoch} on ${where}, not ${abort.producerEpoch}; nothing was written`
    return { error: kafkaError(ErrorCode.INVALID_PRODUCER_EPOCH, message) }
  }
  if (abort.startOffset !== undefined && producer.transactionStartOffset !== abort.startOffset) {
    const message = `the open transaction of producer ${abort.producerId} on ${where} starts at offset ${producer.transactionStartOffset}, not ${abort.startOffset}; nothing was written`
    return { error: kafkaError(ErrorCode.INVALID_TXN_STATE, message) }
  }
  return {
    marker: {
      broker: live.broker!,
      producerEpoch: producer.producerEpoch,
      // null (no marker written here yet) becomes 0, which no coordinator epoch is below, as kafka-transactions does.
      coordinatorEpoch: Math.max(producer.coordinatorEpoch ?? 0, 0),
      startOffset: producer.transactionStartOffset,
    },
  }
}

/** A second abort of the same producer on the same partition in one call: it would find nothing open, or abort what began since. */
export function duplicateAbort(abort: TransactionAbort): KafkaError {
  return kafkaError(
    ErrorCode.INVALID_REQUEST,
    `producer ${abort.producerId} on ${abort.topic}-${abort.partition} is asked twice; nothing was written for the repeat`,
  )
}

/** Why a fence may not be sent, given the id's description at its coordinator; null when it may. */
export function fenceRefusal(fence: ProducerFence, description: TransactionDescription): KafkaError | null {
  const id = fence.transactionalId
  if (description.error) return description.error
  if (fence.producerId !== undefined && description.producerId !== fence.producerId) {
    return kafkaError(
      ErrorCode.INVALID_PRODUCER_ID_MAPPING,
      `transactional id ${id} now has producer id ${description.producerId}, not ${fence.producerId}; nothing changed`,
    )
  }
  if (fence.producerEpoch !== undefined && description.producerEpoch !== fence.producerEpoch) {
    return kafkaError(
      ErrorCode.INVALID_PRODUCER_EPOCH,
      `transactional id ${id} is at epoch ${description.producerEpoch}, not ${fence.producerEpoch}; nothing changed`,
    )
  }
  return null
}

export function duplicateFence(fence: ProducerFence): KafkaError {
  return kafkaError(ErrorCode.INVALID_REQUEST, `transactional id ${fence.transactionalId} is asked twice; it is fenced once`)
}

/** TRANSACTIONAL_ID_NOT_FOUND as both implementations word it. */
export function unknownTransactionalId(transactionalId: string): KafkaError {
  return kafkaError(ErrorCode.TRANSACTIONAL_ID_NOT_FOUND, `transactional id ${transactionalId} is not known to its coordinator`)
}
