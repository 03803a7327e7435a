// Record batches as a broker stores them in its segment files (the same bytes a Fetch answer carries), framed,
// checked and decoded with the Kafka client's own pieces: its Reader, its record decoder, its CRC-32C and its
// codecs. Two gaps of the client on Node 20 are filled around its codecs, not instead of them:
// - snappy: Java producers (and brokers recompressing) write snappy-java's framed stream ("xerial": a 16-byte
//   header, then length-prefixed raw snappy blocks); the client's decoder takes one raw block only (fixed in its
//   2.x line, which needs Node 22: platformatic/kafka#282). The blocks are unwrapped here and each one is given
//   to the client's snappy decoder.
// - zstd: the client decodes it with node:zlib, which has zstd only from Node 22.15 / 23.8; before that fzstd
//   (a pure-JavaScript zstd decoder) does it.

//
// Writing is ours too: the client's batch writer keeps a record's headers in a Map, and a copy of a record (a
// dead-letter or salvage copy) must keep a header key that repeats, in order.

import { createRequire } from 'node:module'
import { crc32 } from 'node:zlib'
import type { Compression, ControlMarker, KafkaRecord, RecordBatch, RecordHeader } from '../records.ts'
import type { ProduceRecord } from '../types.ts'
import type { BatchDecoder, ByteSource, FrameOutcome } from '../log-dir/segment-source.ts'
import { compressionsAlgorithmsByBitmask, crc32c, readRecord, Reader, Writer } from './client.ts'

// The fixed layout of a batch, in bytes from its start (the protocol's RecordBatch, magic 2).
const logOverhead = 12 // baseOffset (8) + batchLength (4)
const magicAt = 16 // after partitionLeaderEpoch (4)
const headerUpToMagic = 17
const attributesAt = 21
// lastOffsetDelta (4) and firstTimestamp (8) follow the attributes (2).
const maxTimestampAt = 35
/** Bytes of a batch before its records: base offset … record count. */
export const batchOverhead = 61
// A legacy (magic 0/1) message: offset, size, crc (4), magic, attributes, [timestamp (8) in v1], key, value.
const legacyOverheadV0 = 14
const legacyCrcAt = 12

const codecs: readonly Compression[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd']
const timestampTypeBit = 0x08
const transactionalBit = 0x10
const controlBit = 0x20

// fzstd loads on the first zstd batch on a Node without zlib's zstd: a command that reads no records (status)
// does not pay for it.
const requireModule = createRequire(import.meta.url)
let fzstd: typeof import('fzstd') | undefined
const zstdDecompress = (bytes: Uint8Array) => (fzstd ??= requireModule('fzstd') as typeof import('fzstd')).decompress(bytes)

const xerialMagic = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00])
const xerialHeaderBytes = 16

function decompress(compression: Compression, bytes: Buffer): Buffer {
  const codec = compressionsAlgorithmsByBitmask[codecs.indexOf(compression) as 1 | 2 | 3 | 4]
  if (!codec) throw new Error(`no ${compression} codec`)
  if (compression === 'zstd' && !codec.available) return Buffer.from(zstdDecompress(bytes))
  if (compression === 'snappy' && bytes.subarray(0, xerialMagic.length).equals(xerialMagic)) {
    const blocks: Buffer[] = []
    let at = xerialHeaderBytes
    while (at < bytes.length) {
      if (at + 4 > bytes.length) throw new Error('snappy-java stream cut inside a block length')
      const length = bytes.readUInt32BE(at)
      at += 4
      if (at + length > bytes.length) throw new Error('snappy-java stream cut inside a block')
      blocks.push(codec.decompressSync(bytes.subarray(at, at + length)))
      at += length
    }
    return Buffer.concat(blocks)
  }
  return codec.decompressSync(bytes)
}

/** The entry at `position`: framed as Kafka's log reader frames it, and checked as its recovery checks it. */
async function frameAt(source: ByteSource, position: number, verify: boolean): Promise<FrameOutcome> {
  const remaining = source.size - position
  if (remaining <= 0) return { kind: 'end' }
  if (remaining < headerUpToMagic) return { kind: 'invalid', position, reason: `${remaining} bytes at the end are too few for a batch header`, truncated: true }
  const head = await source.read(position, headerUpToMagic)
  const reader = Reader.from(head)
  const offset = reader.readInt64()
  const length = reader.readInt32()
  reader.skip(4)
  const magic = reader.readInt8()
  if (length < legacyOverheadV0) return { kind: 'invalid', position, reason: `batch length ${length} is below the smallest possible (${legacyOverheadV0})` }
  if (logOverhead + length > remaining)
    return { kind: 'invalid', position, reason: `batch of ${logOverhead + length} bytes cut short: ${remaining} bytes left in the segment`, truncated: true }
  if (magic < 0 || magic > 2) return { kind: 'invalid', position, reason: `unknown magic ${magic}` }
  const bytes = await source.read(position, logOverhead + length)
  if (magic < 2) {
    if (verify && typeof crc32 === 'function' && bytes.readUInt32BE(legacyCrcAt) !== crc32(bytes.subarray(magicAt)))
      return { kind: 'invalid', position, reason: `magic ${magic} message fails its CRC check` }
    return { kind: 'legacy', position, sizeBytes: bytes.length, offset, magic: magic as 0 | 1 }
  }
  if (bytes.length < batchOverhead) return { kind: 'invalid', position, reason: `batch of ${bytes.length} bytes is smaller than a batch header` }
  const batchReader = Reader.from(bytes)
  batchReader.skip(12)
  const partitionLeaderEpoch = batchReader.readInt32()
  batchReader.skip(1)
  const storedCrc = batchReader.readUnsignedInt32()
  if (verify && storedCrc !== crc32c(bytes.subarray(attributesAt))) {
    return { kind: 'invalid', position, reason: `batch at offset ${offset} fails its CRC check` }
  }
  batchReader.skip(2)
  const lastOffsetDelta = batchReader.readInt32()
  return { kind: 'batch', position, sizeBytes: bytes.length, baseOffset: offset, lastOffset: offset + BigInt(lastOffsetDelta), partitionLeaderEpoch, bytes }
}

const decodeHeaders = (pairs: readonly [Buffer | null, Buffer | null][]): RecordHeader[] =>
  pairs.map(([key, value]) => ({ key: key === null ? '' : key.toString('utf8'), value }))

/** A control record's key is (version int16, type int16: 0 abort, 1 commit); its value (version int16, coordinator epoch int32). */
function controlMarker(key: Buffer | null, value: Buffer | null, offset: bigint, timestamp: number): ControlMarker | null {
  if (key === null || key.length < 4) return null
  const type = key.readInt16BE(2)
  if (type !== 0 && type !== 1) return null
  return { offset, type: type === 1 ? 'commit' : 'abort', coordinatorEpoch: value !== null && value.length >= 6 ? value.readInt32BE(2) : -1, timestamp }
}

/** Decodes a framed magic-2 batch: its header fields, then its records through the client's record decoder. */
function decode(bytes: Buffer): RecordBatch {
  const reader = Reader.from(bytes)
  const baseOffset = reader.readInt64()
  reader.skip(4)
  const partitionLeaderEpoch = reader.readInt32()
  reader.skip(1 + 4)
  const attributes = reader.readInt16()
  const lastOffsetDelta = reader.readInt32()
  const firstTimestamp = reader.readInt64()
  const maxTimestamp = reader.readInt64()
  const producerId = reader.readInt64()
  const producerEpoch = reader.readInt16()
  const baseSequence = reader.readInt32()
  const count = reader.readInt32()
  const compression = codecs[attributes & 0x07]
  if (compression === undefined) throw new Error(`batch at offset ${baseOffset} names unknown compression ${attributes & 0x07}`)
  const payload = bytes.subarray(batchOverhead)
  const records = Reader.from(compression === 'none' ? payload : decompress(compression, payload))
  const logAppendTime = (attributes & timestampTypeBit) !== 0
  const transactional = (attributes & transactionalBit) !== 0
  const control = (attributes & controlBit) !== 0
  const data: KafkaRecord[] = []
  const markers: ControlMarker[] = []
  for (let i = 0; i < count; i++) {
    const record = readRecord(records)
    const offset = baseOffset + BigInt(record.offsetDelta)
    const timestamp = Number(logAppendTime ? maxTimestamp : firstTimestamp + record.timestampDelta)
    if (control) {
      const marker = controlMarker(record.key, record.value, offset, timestamp)
      if (marker) markers.push(marker)
      continue
    }
    data.push({
      offset,
      timestamp,
      timestampType: logAppendTime ? 'log-append' : 'create',
      key: record.key,
      value: record.value,
      headers: decodeHeaders(record.headers),
      producerId,
      producerEpoch,
      sequence: baseSequence < 0 ? -1 : (baseSequence + record.offsetDelta) % 2 ** 31,
      leaderEpoch: partitionLeaderEpoch,
      transactional,
    })
  }
  return {
    baseOffset,
    lastOffset: baseOffset + BigInt(lastOffsetDelta),
    partitionLeaderEpoch,
    magic: 2,
    compression,
    timestampType: logAppendTime ? 'log-append' : 'create',
    maxTimestamp: Number(maxTimestamp),
    producerId,
    producerEpoch,
    baseSequence,
    transactional,
    control,
    records: data,
    markers,
    sizeBytes: bytes.length,
  }
}

/** The batch decoder the log-dir reader uses. */
export const recordBatchDecoder: BatchDecoder = { frameAt, decode }

type WholeBatch = Extract<FrameOutcome, { kind: 'batch' }>

/** The whole batches framed in a Fetch answer's records, and whether the answer ended inside one (cut at the bytes asked for). */
async function fetchedFrames(bytes: Buffer): Promise<{ frames: WholeBatch[]; cut: boolean }> {
  const source: ByteSource = { size: bytes.length, read: async (position, length) => bytes.subarray(position, position + length) }
  const frames: WholeBatch[] = []
  for (let position = 0; ;) {
    const frame = await frameAt(source, position, true)
    if (frame.kind === 'end') return { frames, cut: false }
    if (frame.kind === 'invalid') {
      // Only the last batch may be cut short; anything else is damage the broker sent.
      if (frame.truncated) return { frames, cut: true }
      throw new Error(frame.reason)
    }
    if (frame.kind === 'legacy') throw new Error(`the record at offset ${frame.offset} is in the magic ${frame.magic} format, which this tool does not read`)
    frames.push(frame)
    position += frame.sizeBytes
  }
}

/** The whole batches in a Fetch answer's records, decoded; the answer may end inside a batch (it is cut at the bytes asked for). */
export async function decodeFetchedBatches(bytes: Buffer): Promise<RecordBatch[]> {
  return (await fetchedFrames(bytes)).frames.map((frame) => decode(frame.bytes))
}

/** A batch's place and time, read from its header alone (its records are neither decompressed nor decoded). */
export interface BatchExtent {
  readonly baseOffset: bigint
  readonly lastOffset: bigint
  readonly maxTimestamp: number
  readonly sizeBytes: number
}

/** The batches of a Fetch answer by their headers, and whether the answer ended inside a batch. */
export async function fetchedExtents(bytes: Buffer): Promise<{ batches: BatchExtent[]; cut: boolean }> {
  const { frames, cut } = await fetchedFrames(bytes)
  return {
    batches: frames.map((f) => ({
      baseOffset: f.baseOffset,
      lastOffset: f.lastOffset,
      maxTimestamp: Number(f.bytes.readBigInt64BE(maxTimestampAt)),
      sizeBytes: f.sizeBytes,
    })),
    cut,
  }
}

/** The producer a batch is written by: an idempotent producer's id and epoch, and the batch's first sequence number. */
export interface BatchProducer {
  readonly producerId: bigint
  readonly producerEpoch: number
  readonly baseSequence: number
}

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
