// Produce v9 with batches we encode ourselves (see record-batch.ts); the answer is read by the client's parser.

import { createAPI, produceV9, Writer } from '../client.ts'

export interface ProducePartitionData {
  readonly partition: number
  /** One encoded record batch. */
  readonly batch: Buffer
}

/*
  Produce Request (Version: 9) => transactional_id acks timeout_ms [topic_data] TAG_BUFFER
    transactional_id => COMPACT_NULLABLE_STRING
    topic_data => name [partition_data] TAG_BUFFER
      partition_data => index records TAG_BUFFER
        records => COMPACT_RECORDS
*/
function createRequest(
  acks: number,
  timeoutMs: number,
  topics: readonly { readonly topic: string; readonly partitions: readonly ProducePartitionData[] }[],
): Writer {
  return Writer.create()
    .appendString(null)
    .appendInt16(acks)
    .appendInt32(timeoutMs)
    .appendArray([...topics], (w, t) => {
      w.appendString(t.topic).appendArray([...t.partitions], (w, p) => {
        w.appendInt32(p.partition)
          .appendUnsignedVarInt(p.batch.length + 1)
          .append(p.batch)
      })
    })
    .appendTaggedFields()
}

export const produceBatchesV9 = createAPI(0, 9, createRequest, produceV9.parseResponse)

export type ProduceAnswer = ReturnType<typeof produceV9.parseResponse>
