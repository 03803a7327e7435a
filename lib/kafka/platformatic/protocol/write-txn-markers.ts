// WriteTxnMarkers (key 27), which the client does not implement: what a transaction coordinator sends a partition
// leader to end a transaction there, and what Kafka's Admin abortTransaction sends to abort one partition's.
// v1 (flexible) is served by 3.9 (0-1) and 4.x (1-2); v2 adds a per-marker transaction version (KIP-1228).

import { createAPI, Writer, type Reader } from '../client.ts'
import { readTaggedFields } from './tagged-fields.ts'

export interface TxnMarker {
  readonly producerId: bigint
  readonly producerEpoch: number
  /** false ends the transaction as aborted, true as committed. */
  readonly commit: boolean
  readonly topics: readonly { readonly topic: string; readonly partitions: readonly number[] }[]
  readonly coordinatorEpoch: number
}

export interface WriteTxnMarkersAnswer {
  readonly markers: { producerId: bigint; topics: { topic: string; partitions: { partition: number; errorCode: number }[] }[] }[]
}

/*
  WriteTxnMarkers Request (Version: 1, 2) => [markers] TAG_BUFFER
    markers => producer_id producer_epoch transaction_result [topics] coordinator_epoch transaction_version (v2+) TAG_BUFFER
      producer_id => INT64, producer_epoch => INT16, transaction_result => BOOLEAN (false abort, true commit)
      topics => name [partition_indexes] TAG_BUFFER
      coordinator_epoch => INT32, transaction_version => INT8
  WriteTxnMarkers Response (Version: 1, 2) => [markers] TAG_BUFFER
    markers => producer_id [topics => name [partitions => partition_index error_code TAG_BUFFER] TAG_BUFFER] TAG_BUFFER
*/
function requestFor(version: 1 | 2) {
  return (markers: readonly TxnMarker[]): Writer =>
    Writer.create()
      .appendArray([...markers], (w, m) => {
        w.appendInt64(m.producerId)
          .appendInt16(m.producerEpoch)
          .appendBoolean(m.commit)
          .appendArray([...m.topics], (t, topic) => {
            t.appendString(topic.topic).appendArray([...topic.partitions], (p, partition) => p.appendInt32(partition), true, false)
          })
          .appendInt32(m.coordinatorEpoch)
        // Transaction version 0 asks the leader for the classic epoch check (the marker's epoch may equal the
        // producer's), as Kafka's Admin abortTransaction does: version 2 would demand a bumped epoch.
        if (version >= 2) w.appendInt8(0)
      })
      .appendTaggedFields()
}

function parseResponse(_correlationId: number, _apiKey: number, _apiVersion: number, reader: Reader): WriteTxnMarkersAnswer {
  const markers = reader.readArray(
    (m) => {
      const producerId = m.readInt64()
      const topics = m.readArray(
        (t) => {
          const topic = t.readString()
          const partitions = t.readArray(
            (p) => {
              const result = { partition: p.readInt32(), errorCode: p.readInt16() }
              readTaggedFields(p)
              return result
            },
            true,
            false,
          )
          readTaggedFields(t)
          return { topic, partitions }
        },
        true,
        false,
      )
      readTaggedFields(m)
      return { producerId, topics }
    },
    true,
    false,
  )
  readTaggedFields(reader)
  // Per-partition errors (INVALID_PRODUCER_EPOCH, TRANSACTION_COORDINATOR_FENCED...) are outcomes: never thrown.
  return { markers }
}

/** WriteTxnMarkers by version. */
export const writeTxnMarkersApis = {
  2: createAPI<[markers: readonly TxnMarker[]], WriteTxnMarkersAnswer>(27, 2, requestFor(2), parseResponse),
  1: createAPI<[markers: readonly TxnMarker[]], WriteTxnMarkersAnswer>(27, 1, requestFor(1), parseResponse),
} as const
