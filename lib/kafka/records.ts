// Kafka records as data, whatever read them: a broker's segment files, a Fetch answer, a salvage file. Bytes stay
// bytes (Buffers, null where Kafka has null); offsets are bigint; times are milliseconds since the epoch.

/** One record header. Kafka requires a key (a string) and allows a null value. */
export interface RecordHeader {
  readonly key: string
  readonly value: Buffer | null
}

/** How a batch's payload is compressed (record batch attributes, bits 0-2). */
export type Compression = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd'

/** CreateTime: the producer's clock; LogAppendTime: the broker's, the same for every record of the batch. */
export type TimestampType = 'create' | 'log-append'

/** No producer id: a producer that is neither idempotent nor transactional (-1 on the wire). */
export const noProducerId = -1n

/** A data record, with what its batch says about who wrote it and when. */
export interface KafkaRecord {
  readonly offset: bigint
  readonly timestamp: number
  readonly timestampType: TimestampType
  readonly key: Buffer | null
  readonly value: Buffer | null
  readonly headers: readonly RecordHeader[]
  /** -1 (noProducerId) for a plain producer. */
  readonly producerId: bigint
  readonly producerEpoch: number
  /** The producer's sequence number for this record, -1 when the producer is not idempotent. */
  readonly sequence: number
  /** The leader epoch the batch was written in: who led the partition when it was appended. */
  readonly leaderEpoch: number
  readonly transactional: boolean
}

/** A transaction marker: the end of one producer's transaction on this partition. */
export interface ControlMarker {
  readonly offset: bigint
  readonly type: 'commit' | 'abort'
  readonly coordinatorEpoch: number
  readonly timestamp: number
}

/** A record batch (magic 2) with its records decoded. */
export interface RecordBatch {
  readonly baseOffset: bigint
  readonly lastOffset: bigint
  readonly partitionLeaderEpoch: number
  readonly magic: 2
  readonly compression: Compression
  readonly timestampType: TimestampType
  readonly maxTimestamp: number
  readonly producerId: bigint
  readonly producerEpoch: number
  readonly baseSequence: number
  readonly transactional: boolean
  /** A control batch holds transaction markers, never data. */
  readonly control: boolean
  /** The data records (empty for a control batch). */
  readonly records: readonly KafkaRecord[]
  /** The markers of a control batch (empty for a data batch). */
  readonly markers: readonly ControlMarker[]
  /** Bytes the batch takes in the log, its 12-byte offset and length prefix included. */
  readonly sizeBytes: number
}

/** The data records of batches, in offset order (a Fetch answer, a stretch of a segment). */
export function dataRecords(batches: readonly RecordBatch[]): KafkaRecord[] {
  return batches.flatMap((batch) => batch.records)
}
