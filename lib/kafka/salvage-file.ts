// The salvage file: records copied out of a dead broker's log before an election deletes them, kept whole so the
// tool can produce them again and a person can read them with jq, grep or a text editor.
//
// JSON Lines, one object per line, UTF-8:
//   line 1   the header: what was salvaged (cluster, topic and its id, partition, broker, log dir, offsets, when)
//   then     one record per line, in offset order: offset, leader epoch, timestamp, key, value, headers,
//            producer id/epoch/sequence, whether it was transactional, and `sha256`, the record's content hash;
//            between them, in offset order too (version 2), the transaction markers of the range: {"marker":
//            "commit"|"abort", offset, producerId, producerEpoch, coordinatorEpoch, timestamp, sha256}
//   then     (version 2) one {"transaction": …} line per transaction with records in the file and no marker in it:
//            its producer id/epoch, first offset, and its outcome as far as it could be learnt while copying
//            (the coordinator's answer), or "open" / "unknown"
//   last     the trailer: the record count and a hash over every line's hash, written only once all lines are
//            in, so a file cut short (a crash while writing) is recognised as incomplete
// A data record is the line with a "value" field: `jq -c 'select(has("value"))'` lists the records alone.
// Version 1 files (records only) still read: their transactional records have no known outcome.
// Bytes are written as {"text": "..."} when they are valid UTF-8 (readable as they are) and {"base64": "..."}
// otherwise; null stays null. Offsets and producer ids are strings (they exceed JSON's safe integers).
//
// The content hash covers what a record keeps when it is produced again: timestamp, key, value and headers, not
// its offset or epoch (a re-produced record gets new ones). A re-produce verifies what it reads back against it.

import { createHash } from 'node:crypto'
import type { ControlMarker, KafkaRecord, RecordHeader } from './records.ts'

export const salvageFormat = 'kafka-runbooks/salvage'
export const salvageVersion = 2
/** The versions this reader reads: 1 had no marker or transaction lines. */
const readableVersions: readonly number[] = [1, 2]

/** A transaction marker (control record) of the salvaged range, with the producer whose transaction it ends. */
export interface SalvageMarker extends ControlMarker {
  readonly producerId: bigint
  /** The marker batch's epoch: the record's epoch, or one above it (transaction version 2 bumps it at each end). */
  readonly producerEpoch: number
}

/** How a transaction ended, as far as anything could tell. */
export type TransactionOutcomeKind = 'committed' | 'aborted' | 'open' | 'unknown'

/** A transaction with records in the file and no marker in it: what was learnt of its end elsewhere. */
export interface TransactionOutcome {
  readonly producerId: bigint
  readonly producerEpoch: number
  /** Its first record in the file. */
  readonly firstOffset: bigint
  readonly outcome: TransactionOutcomeKind
  /** Who said so: the transaction coordinator, the elected replica's log, or nobody. */
  readonly source: 'coordinator' | 'elected-replica' | 'none'
  /** In words, e.g. "coordinator: orders-tx is CompleteCommit at epoch 4". */
  readonly detail: string
}

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

function markerHash(m: SalvageMarker): string {
  return createHash('sha256').update(`marker|${m.type}|${m.offset}|${m.producerId}|${m.producerEpoch}|${m.coordinatorEpoch}|${m.timestamp}`).digest('hex')
}

function outcomeHash(o: TransactionOutcome): string {
  return createHash('sha256').update(`transaction|${o.producerId}|${o.producerEpoch}|${o.firstOffset}|${o.outcome}|${o.source}|${o.detail}`).digest('hex')
}

/**
 * Writes a salvage file line by line: `header()`, `record()` and `marker()` in offset order, `outcome()` for each
 * transaction whose marker is not in the file, then `trailer()`.
 */
export class SalvageEncoder {
  readonly #header: SalvageHeader
  readonly #all = createHash('sha256')
  #records = 0
  #markers = 0
  #outcomes = 0
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

  #inOrder(offset: bigint): void {
    if (this.#outcomes > 0) throw new Error('salvage records and markers come before the transaction lines')
    if (this.#lastOffset !== null && offset <= this.#lastOffset)
      throw new Error(`salvage records must come in offset order: ${offset} after ${this.#lastOffset}`)
    this.#lastOffset = offset
  }

  record(record: KafkaRecord): string {
    this.#inOrder(record.offset)
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

  marker(marker: SalvageMarker): string {
    this.#inOrder(marker.offset)
    const sha256 = markerHash(marker)
    this.#all.update(sha256)
    this.#markers++
    return JSON.stringify({
      marker: marker.type,
      offset: marker.offset.toString(),
      producerId: marker.producerId.toString(),
      producerEpoch: marker.producerEpoch,
      coordinatorEpoch: marker.coordinatorEpoch,
      timestamp: marker.timestamp,
      sha256,
    })
  }

  outcome(outcome: TransactionOutcome): string {
    const sha256 = outcomeHash(outcome)
    this.#all.update(sha256)
    this.#outcomes++
    return JSON.stringify({
      transaction: {
        producerId: outcome.producerId.toString(),
        producerEpoch: outcome.producerEpoch,
        firstOffset: outcome.firstOffset.toString(),
        outcome: outcome.outcome,
        source: outcome.source,
        detail: outcome.detail,
      },
      sha256,
    })
  }

  trailer(): string {
    return JSON.stringify({ end: true, records: this.#records, markers: this.#markers, transactions: this.#outcomes, sha256: this.#all.digest('hex') })
  }
}

/** What a salvage file holds besides its header: records and markers in offset order, then transaction outcomes. */
export interface SalvageBody {
  readonly records: Iterable<KafkaRecord>
  readonly markers?: readonly SalvageMarker[]
  readonly outcomes?: readonly TransactionOutcome[]
}

/** A whole salvage file: header, records and markers in offset order, transaction outcomes, trailer, one line each. */
export function salvageFileText(header: SalvageHeader, body: Iterable<KafkaRecord> | SalvageBody): string {
  const { records, markers = [], outcomes = [] } = Symbol.iterator in body ? { records: body } : body
  const encoder = new SalvageEncoder(header)
  const lines = [encoder.header()]
  const pending = [...markers].sort((a, b) => (a.offset < b.offset ? -1 : 1))
  let next = 0
  for (const record of records) {
    while (next < pending.length && pending[next]!.offset < record.offset) lines.push(encoder.marker(pending[next++]!))
    lines.push(encoder.record(record))
  }
  while (next < pending.length) lines.push(encoder.marker(pending[next++]!))
  for (const outcome of outcomes) lines.push(encoder.outcome(outcome))
  lines.push(encoder.trailer())
  return `${lines.join('\n')}\n`
}

/** A salvage file read back: its header, its records and whether it is whole and unaltered. */
export interface SalvageContents {
  readonly header: SalvageHeader
  /** The format version the file was written in (1 had no markers: its transactions' outcomes are unknown). */
  readonly version: number
  readonly records: readonly KafkaRecord[]
  /** The transaction markers of the salvaged range, in offset order (none in a version 1 file). */
  readonly markers: readonly SalvageMarker[]
  /** What was learnt while copying about transactions whose marker is not in the file. */
  readonly outcomes: readonly TransactionOutcome[]
  /** The trailer is there and its count and hash match the records. */
  readonly complete: boolean
  /** What does not check out, one line each (a record whose content no longer matches its hash, a missing trailer). */
  readonly problems: readonly string[]
}

const asBigInt = (value: unknown, what: string): bigint => {
  if (typeof value !== 'string' || !/^-?\d+$/.test(value)) throw new Error(`${what} is not an integer string`)
  return BigInt(value)
}

function parseHeader(line: string): SalvageHeader & { version: number } {
  const h = JSON.parse(line) as Record<string, unknown>
  if (h.format !== salvageFormat) throw new Error(`not a salvage file: its first line does not say "format": "${salvageFormat}"`)
  if (typeof h.version !== 'number' || !readableVersions.includes(h.version))
    throw new Error(
      `salvage file version ${String(h.version)} is not one this tool reads (${readableVersions.join(', ')}) — read it with a newer kafka-runbooks`,
    )
  return {
    version: h.version,
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

function parseMarker(value: Record<string, unknown>, line: number): SalvageMarker {
  const where = `line ${line}`
  if (value.marker !== 'commit' && value.marker !== 'abort') throw new Error(`${where}: marker is neither "commit" nor "abort"`)
  return {
    type: value.marker,
    offset: asBigInt(value.offset, `${where}: offset`),
    producerId: asBigInt(value.producerId, `${where}: producerId`),
    producerEpoch: Number(value.producerEpoch),
    coordinatorEpoch: Number(value.coordinatorEpoch),
    timestamp: Number(value.timestamp),
  }
}

const outcomeKinds: readonly TransactionOutcomeKind[] = ['committed', 'aborted', 'open', 'unknown']
const outcomeSources: readonly TransactionOutcome['source'][] = ['coordinator', 'elected-replica', 'none']

function parseOutcome(value: Record<string, unknown>, line: number): TransactionOutcome {
  const where = `line ${line}`
  const t = value.transaction as Record<string, unknown>
  return {
    producerId: asBigInt(t.producerId, `${where}: producerId`),
    producerEpoch: Number(t.producerEpoch),
    firstOffset: asBigInt(t.firstOffset, `${where}: firstOffset`),
    outcome: outcomeKinds.find((k) => k === t.outcome) ?? 'unknown',
    source: outcomeSources.find((k) => k === t.source) ?? 'none',
    detail: String(t.detail ?? ''),
  }
}

/** Reads a salvage file's lines back; throws (one line) only when it is not a salvage file at all. */
export function parseSalvage(lines: Iterable<string>): SalvageContents {
  let header: (SalvageHeader & { version: number }) | null = null
  const records: KafkaRecord[] = []
  const markers: SalvageMarker[] = []
  const outcomes: TransactionOutcome[] = []
  const problems: string[] = []
  const all = createHash('sha256')
  let trailer: { records: number; markers: number; transactions: number; sha256: string } | null = null
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
      trailer = {
        records: Number(value.records),
        markers: Number(value.markers ?? 0),
        transactions: Number(value.transactions ?? 0),
        sha256: String(value.sha256),
      }
      continue
    }
    if (header.version >= 2 && 'marker' in value) {
      const marker = parseMarker(value, number)
      if (markerHash(marker) !== value.sha256) problems.push(`line ${number}: marker at offset ${marker.offset} does not match its sha256`)
      all.update(String(value.sha256))
      markers.push(marker)
      continue
    }
    if (header.version >= 2 && 'transaction' in value) {
      const outcome = parseOutcome(value, number)
      if (outcomeHash(outcome) !== value.sha256) problems.push(`line ${number}: transaction line does not match its sha256`)
      all.update(String(value.sha256))
      outcomes.push(outcome)
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
    if (trailer.markers !== markers.length) problems.push(`the trailer counts ${trailer.markers} markers, the file holds ${markers.length}`)
    if (trailer.transactions !== outcomes.length)
      problems.push(`the trailer counts ${trailer.transactions} transaction lines, the file holds ${outcomes.length}`)
    if (trailer.sha256 !== all.digest('hex')) problems.push('the trailer hash does not match the records: lines were changed, added or removed')
  }
  const { version, ...rest } = header
  return { header: rest, version, records, markers, outcomes, complete: trailer !== null && problems.length === 0, problems }
}
