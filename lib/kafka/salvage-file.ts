// The salvage file: records copied out of a dead broker's log before an election deletes them, kept whole so the
// tool can produce them again and a person can read them with jq, grep or a text editor.
//
// JSON Lines, one object per line, UTF-8:
//   line 1   the header: what was salvaged (cluster, topic and its id, partition, broker, log dir, offsets, when)
//   then     one record per line, in offset order: offset, leader epoch, timestamp, key, value, headers,
//            producer id/epoch/sequence, whether it was transactional, and `sha256`, the record's content hash
//   last     the trailer: the record count and a hash over every record's hash, written only once all records are
//            in, so a file cut short (a crash while writing) is recognised as incomplete
// Bytes are written as {"text": "..."} when they are valid UTF-8 (readable as they are) and {"base64": "..."}
// otherwise; null stays null. Offsets and producer ids are strings (they exceed JSON's safe integers).
//
// The content hash covers what a record keeps when it is produced again: timestamp, key, value and headers, not
// its offset or epoch (a re-produced record gets new ones). A re-produce verifies what it reads back against it.

import { createHash } from 'node:crypto'
import type { KafkaRecord, RecordHeader } from './records.ts'

export const salvageFormat = 'kafka-runbooks/salvage'
export const salvageVersion = 1

/** What the file holds, written as its first line. */
export interface SalvageHeader {
  readonly clusterId: string | null
  readonly topic: string
  readonly topicId: string | null
  readonly partition: number
  /** The broker whose log directory the records were read from. */
  readonly broker: number
  readonly logDir: string
  /** The first offset salvaged (the elected replica's end, where the dead broker will truncate). */
  readonly fromOffset: bigint
  /** The dead broker's log end: every record below it from `fromOffset` on is in the file. */
  readonly toOffset: bigint
  /** ISO-8601 time of writing. */
  readonly createdAt: string
  /** Why, in words: e.g. "electing broker 3 truncates broker 1's log to offset 1307". */
  readonly reason: string
}

type Bytes = { readonly text: string } | { readonly base64: string } | null

function encodeBytes(bytes: Buffer | null): Bytes {
  if (bytes === null) return null
  const text = bytes.toString('utf8')
  return Buffer.from(text, 'utf8').equals(bytes) ? { text } : { base64: bytes.toString('base64') }
}

function decodeBytes(value: unknown, what: string): Buffer | null {
  if (value === null) return null
  if (typeof value === 'object' && value !== null) {
    if ('text' in value && typeof value.text === 'string') return Buffer.from(value.text, 'utf8')
    if ('base64' in value && typeof value.base64 === 'string') return Buffer.from(value.base64, 'base64')
  }
  throw new Error(`${what} is neither null, {"text": …} nor {"base64": …}`)
}

function lengthPrefixed(hash: ReturnType<typeof createHash>, bytes: Buffer | null): void {
  const length = Buffer.alloc(4)
  length.writeInt32BE(bytes === null ? -1 : bytes.length)
  hash.update(length)
  if (bytes !== null) hash.update(bytes)
}

/** SHA-256 (hex) of what a record keeps when produced again: timestamp, key, value, headers, in that order. */
export function recordContentHash(record: Pick<KafkaRecord, 'timestamp' | 'key' | 'value' | 'headers'>): string {
  const hash = createHash('sha256')
  const timestamp = Buffer.alloc(8)
  timestamp.writeBigInt64BE(BigInt(record.timestamp))
  hash.update(timestamp)
  lengthPrefixed(hash, record.key)
  lengthPrefixed(hash, record.value)
  const count = Buffer.alloc(4)
  count.writeInt32BE(record.headers.length)
  hash.update(count)
  for (const header of record.headers) {
    lengthPrefixed(hash, Buffer.from(header.key, 'utf8'))
    lengthPrefixed(hash, header.value)
  }
  return hash.digest('hex')
}

/** Writes a salvage file line by line: `header()`, `record()` for each record in offset order, then `trailer()`. */
export class SalvageEncoder {
  readonly #header: SalvageHeader
  readonly #all = createHash('sha256')
  #records = 0
  #lastOffset: bigint | null = null

  constructor(header: SalvageHeader) {
    this.#header = header
  }

  header(): string {
    const h = this.#header
    return JSON.stringify({
      format: salvageFormat,
      version: salvageVersion,
      clusterId: h.clusterId,
      topic: h.topic,
      topicId: h.topicId,
      partition: h.partition,
      broker: h.broker,
      logDir: h.logDir,
      fromOffset: h.fromOffset.toString(),
      toOffset: h.toOffset.toString(),
      createdAt: h.createdAt,
      reason: h.reason,
    })
  }

  record(record: KafkaRecord): string {
    if (this.#lastOffset !== null && record.offset <= this.#lastOffset)
      throw new Error(`salvage records must come in offset order: ${record.offset} after ${this.#lastOffset}`)
    this.#lastOffset = record.offset
    const sha256 = recordContentHash(record)
    this.#all.update(sha256)
    this.#records++
    return JSON.stringify({
      offset: record.offset.toString(),
      leaderEpoch: record.leaderEpoch,
      timestamp: record.timestamp,
      timestampType: record.timestampType,
      key: encodeBytes(record.key),
      value: encodeBytes(record.value),
      headers: record.headers.map((h) => ({ key: h.key, value: encodeBytes(h.value) })),
      producerId: record.producerId.toString(),
      producerEpoch: record.producerEpoch,
      sequence: record.sequence,
      transactional: record.transactional,
      sha256,
    })
  }

  trailer(): string {
    return JSON.stringify({ end: true, records: this.#records, sha256: this.#all.digest('hex') })
  }
}

/** A whole salvage file: header, the records in offset order, trailer, one line each. */
export function salvageFileText(header: SalvageHeader, records: Iterable<KafkaRecord>): string {
  const encoder = new SalvageEncoder(header)
  const lines = [encoder.header()]
  for (const record of records) lines.push(encoder.record(record))
  lines.push(encoder.trailer())
  return `${lines.join('\n')}\n`
}

/** A salvage file read back: its header, its records and whether it is whole and unaltered. */
export interface SalvageContents {
  readonly header: SalvageHeader
  readonly records: readonly KafkaRecord[]
  /** The trailer is there and its count and hash match the records. */
  readonly complete: boolean
  /** What does not check out, one line each (a record whose content no longer matches its hash, a missing trailer). */
  readonly problems: readonly string[]
}

const asBigInt = (value: unknown, what: string): bigint => {
  if (typeof value !== 'string' || !/^-?\d+$/.test(value)) throw new Error(`${what} is not an integer string`)
  return BigInt(value)
}

function parseHeader(line: string): SalvageHeader {
  const h = JSON.parse(line) as Record<string, unknown>
  if (h.format !== salvageFormat) throw new Error(`not a salvage file: its first line does not say "format": "${salvageFormat}"`)
  if (h.version !== salvageVersion) throw new Error(`salvage file version ${String(h.version)} is not one this tool reads (${salvageVersion})`)
  return {
    clusterId: typeof h.clusterId === 'string' ? h.clusterId : null,
    topic: String(h.topic),
    topicId: typeof h.topicId === 'string' ? h.topicId : null,
    partition: Number(h.partition),
    broker: Number(h.broker),
    logDir: String(h.logDir),
    fromOffset: asBigInt(h.fromOffset, 'fromOffset'),
    toOffset: asBigInt(h.toOffset, 'toOffset'),
    createdAt: String(h.createdAt),
    reason: String(h.reason ?? ''),
  }
}

function parseRecord(value: Record<string, unknown>, line: number): KafkaRecord {
  const where = `line ${line}`
  const headers = value.headers
  if (!Array.isArray(headers)) throw new Error(`${where}: headers is not a list`)
  return {
    offset: asBigInt(value.offset, `${where}: offset`),
    leaderEpoch: Number(value.leaderEpoch),
    timestamp: Number(value.timestamp),
    timestampType: value.timestampType === 'log-append' ? 'log-append' : 'create',
    key: decodeBytes(value.key, `${where}: key`),
    value: decodeBytes(value.value, `${where}: value`),
    headers: headers.map((h: { key?: unknown; value?: unknown }): RecordHeader => ({
      key: String(h.key),
      value: decodeBytes(h.value ?? null, `${where}: header value`),
    })),
    producerId: asBigInt(value.producerId, `${where}: producerId`),
    producerEpoch: Number(value.producerEpoch),
    sequence: Number(value.sequence),
    transactional: value.transactional === true,
  }
}

/** Reads a salvage file's lines back; throws (one line) only when it is not a salvage file at all. */
export function parseSalvage(lines: Iterable<string>): SalvageContents {
  let header: SalvageHeader | null = null
  const records: KafkaRecord[] = []
  const problems: string[] = []
  const all = createHash('sha256')
  let trailer: { records: number; sha256: string } | null = null
  let number = 0
  for (const raw of lines) {
    number++
    const line = raw.trim()
    if (line === '') continue
    if (header === null) {
      header = parseHeader(line)
      continue
    }
    if (trailer !== null) {
      problems.push(`line ${number}: content after the trailer`)
      continue
    }
    const value = JSON.parse(line) as Record<string, unknown>
    if (value.end === true) {
      trailer = { records: Number(value.records), sha256: String(value.sha256) }
      continue
    }
    const record = parseRecord(value, number)
    const sha256 = recordContentHash(record)
    if (sha256 !== value.sha256) problems.push(`line ${number}: record at offset ${record.offset} does not match its sha256`)
    all.update(String(value.sha256))
    records.push(record)
  }
  if (header === null) throw new Error('empty salvage file')
  if (trailer === null) problems.push('no trailer line: the file was cut short while it was written')
  else {
    if (trailer.records !== records.length) problems.push(`the trailer counts ${trailer.records} records, the file holds ${records.length}`)
    if (trailer.sha256 !== all.digest('hex')) problems.push('the trailer hash does not match the records: lines were changed, added or removed')
  }
  return { header, records, complete: trailer !== null && problems.length === 0, problems }
}
