// Record batches (magic 2) as the access layer writes and reads them. Writing is ours: the client's writer keeps a
// record's headers in a Map, and a copy of a record (a dead-letter or salvage copy) must keep a header key that
// repeats, in order. Reading maps the client's decoded batch to the client-neutral StoredRecord.

import { crc32c, Writer } from './client.ts'
import type { Compression, ProduceRecord, RecordBatchInfo, StoredRecord, TransactionMarker } from '../types.ts'

/** The producer a batch is written by: an idempotent producer's id and epoch, and the batch's first sequence number. */
export interface BatchProducer {
  readonly producerId: bigint
  readonly producerEpoch: number
  readonly baseSequence: number
}

/** Bytes of a batch before its records: base offset … record count. */
export const batchOverheadBytes = 61

/** The bytes a record adds to a batch, roughly (varint lengths counted at their largest): for sizing batches. */
export function estimatedRecordBytes(record: ProduceRecord): number {
  const headers = (record.headers ?? []).reduce((sum, h) => sum + Buffer.byteLength(h.key) + (h.value?.length ?? 0) + 10, 0)
  return 21 + (record.key?.length ?? 0) + (record.value?.length ?? 0) + headers
}

/** One uncompressed, non-transactional batch of the records, offsets 0…n-1 (the broker assigns the real ones). */
export function encodeRecordBatch(records: readonly ProduceRecord[], producer: BatchProducer, nowMs: number): Buffer {
  const times = records.map((r) => BigInt(r.timestamp ?? nowMs))
  const first = times[0]!
  const max = times.reduce((a, b) => (a > b ? a : b))
  const body = Writer.create()
  records.forEach((record, i) => {
    const headers = record.headers ?? []
    const encoded = Writer.create()
      .appendInt8(0)
      .appendVarInt64(times[i]! - first)
      .appendVarInt(i)
      .appendVarIntBytes(record.key)
      .appendVarIntBytes(record.value)
      .appendVarInt(headers.length)
    for (const header of headers) encoded.appendVarIntBytes(Buffer.from(header.key, 'utf8')).appendVarIntBytes(header.value)
    body.appendFrom(encoded.prependVarIntLength())
  })
  // What the CRC covers: attributes to the end.
  const covered = Writer.create()
    .appendInt16(0)
    .appendInt32(records.length - 1)
    .appendInt64(first)
    .appendInt64(max)
    .appendInt64(producer.producerId)
    .appendInt16(producer.producerEpoch)
    .appendInt32(producer.baseSequence)
    .appendInt32(records.length)
    .appendFrom(body)
  const crc = crc32c(covered.dynamicBuffer)
  return (
    Writer.create()
      .appendInt64(0n)
      // Length: leader epoch (4) + magic (1) + CRC (4) + the covered bytes.
      .appendInt32(9 + covered.length)
      // A producer leaves the partition leader epoch unset; the broker fills it in.
      .appendInt32(-1)
      .appendInt8(2)
      .appendUnsignedInt32(crc)
      .appendFrom(covered).buffer
  )
}

/** A batch as the client decodes it (readRecordsBatch). */
export interface DecodedBatch {
  readonly firstOffset: bigint
  readonly length: number
  readonly partitionLeaderEpoch: number
  readonly attributes: number
  readonly lastOffsetDelta: number
  readonly firstTimestamp: bigint
  readonly maxTimestamp: bigint
  readonly producerId: bigint
  readonly producerEpoch: number
  readonly firstSequence: number
  readonly records: readonly {
    readonly timestampDelta: bigint
    readonly offsetDelta: number
    readonly key: Buffer | null
    readonly value: Buffer | null
    readonly headers: readonly (readonly [Buffer | null, Buffer | null])[]
  }[]
}

const compressions: readonly Compression[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd']
const logAppendTime = 0x08
const transactionalBit = 0x10
const controlBit = 0x20

export const isControlBatch = (batch: Pick<DecodedBatch, 'attributes'>): boolean => (batch.attributes & controlBit) !== 0

/** The batch's description shared by its records. */
export function batchInfo(batch: DecodedBatch): RecordBatchInfo {
  return {
    baseOffset: batch.firstOffset,
    lastOffset: batch.firstOffset + BigInt(batch.lastOffsetDelta),
    leaderEpoch: batch.partitionLeaderEpoch,
    producerId: batch.producerId,
    producerEpoch: batch.producerEpoch,
    baseSequence: batch.firstSequence,
    transactional: (batch.attributes & transactionalBit) !== 0,
    compression: compressions[batch.attributes & 0x07] ?? 'none',
    // The length field counts what follows it; the base offset (8) and the length itself (4) come before.
    sizeBytes: batch.length + 12,
    timestampType: batch.attributes & logAppendTime ? 'log-append-time' : 'create-time',
  }
}

/** The data records of a batch, with their absolute offsets and timestamps. */
export function storedRecords(batch: DecodedBatch): StoredRecord[] {
  const info = batchInfo(batch)
  return batch.records.map((record) => ({
    offset: batch.firstOffset + BigInt(record.offsetDelta),
    timestamp: Number(info.timestampType === 'log-append-time' ? batch.maxTimestamp : batch.firstTimestamp + record.timestampDelta),
    key: record.key,
    value: record.value,
    headers: record.headers.map(([key, value]) => ({ key: key?.toString('utf8') ?? '', value })),
    batch: info,
  }))
}

/** The markers of a control batch: a control record's key is version (int16) and type (int16: 0 abort, 1 commit). */
export function transactionMarkers(batch: DecodedBatch): TransactionMarker[] {
  return batch.records.flatMap((record) => {
    if (!record.key || record.key.length < 4) return []
    const type = record.key.readInt16BE(2)
    if (type !== 0 && type !== 1) return []
    return [
      {
        offset: batch.firstOffset + BigInt(record.offsetDelta),
        kind: type === 1 ? 'commit' : 'abort',
        producerId: batch.producerId,
        producerEpoch: batch.producerEpoch,
      },
    ]
  })
}
