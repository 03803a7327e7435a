// Fetch v12 (topics by name) with each partition's records kept as bytes: they are decoded afterwards, partition
// by partition, by the same decoder as a broker's segment files (record-batches.ts). The client's own answer
// parser decodes every batch at once, so one batch it cannot read (snappy as Java writes it, zstd on Node 20)
// would fail the whole answer.

import { createAPI, fetchV12, ResponseError, type Reader } from '../client.ts'

export interface FetchedPartitionBytes {
  readonly partitionIndex: number
  readonly errorCode: number
  readonly highWatermark: bigint
  readonly lastStableOffset: bigint
  readonly logStartOffset: bigint
  readonly abortedTransactions: readonly { readonly producerId: bigint; readonly firstOffset: bigint }[]
  /** The record batches as the broker sent them; the last one may be cut short. */
  readonly records: Buffer
}

export interface FetchBytesAnswer {
  readonly errorCode: number
  readonly responses: readonly { readonly topic: string; readonly partitions: readonly FetchedPartitionBytes[] }[]
}

/*
  Fetch Response (Version: 12) => throttle_time_ms error_code session_id [responses] TAG_BUFFER
    responses => topic [partitions] TAG_BUFFER
      partitions => partition_index error_code high_watermark last_stable_offset log_start_offset
                    [aborted_transactions => producer_id first_offset TAG_BUFFER] preferred_read_replica records TAG_BUFFER
*/
function parseResponse(_correlationId: number, apiKey: number, apiVersion: number, reader: Reader): FetchBytesAnswer {
  reader.readInt32()
  const errorCode = reader.readInt16()
  reader.readInt32()
  const responses = reader.readArray((r) => ({
    topic: r.readString(),
    partitions: r.readArray((r): FetchedPartitionBytes => {
      const partitionIndex = r.readInt32()
      const partitionError = r.readInt16()
      const highWatermark = r.readInt64()
      const lastStableOffset = r.readInt64()
      const logStartOffset = r.readInt64()
      const abortedTransactions = r.readArray((r) => ({ producerId: r.readInt64(), firstOffset: r.readInt64() }))
      r.readInt32()
      // COMPACT_RECORDS: length + 1, then the bytes (0: null).
      const size = Math.max(0, r.readUnsignedVarInt() - 1)
      const records: Buffer = r.buffer.slice(r.position, r.position + size)
      r.skip(size)
      return { partitionIndex, errorCode: partitionError, highWatermark, lastStableOffset, logStartOffset, abortedTransactions, records }
    }),
  }))
  const answer = { errorCode, responses }
  if (errorCode !== 0) throw new ResponseError(apiKey, apiVersion, { '/': [errorCode, null] }, answer)
  return answer
}

export const fetchBytesV12 = createAPI(1, 12, fetchV12.createRequest, parseResponse)
