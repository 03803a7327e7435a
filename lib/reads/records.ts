// Records with their payloads as a consumer of a group would get them: from an offset on, per isolation level,
// each with SHA-256 digests of its key, value and headers (what a plan keeps and a re-check compares, instead of
// the payload itself); the records just before an offset, for comparison; and fingerprints of a range again.

import { createHash } from 'node:crypto'
import type { FetchedRecords, KafkaError, KafkaOps, KafkaRecord, RecordHeader, TopicPartition } from '../kafka/types.ts'
import { type ConsumerView, consumerView, type RecordFingerprint, type RecordsRelied, type SeenRecord, type SeenView } from '../plans/consumer-view.ts'

const sha256 = (bytes: Buffer | null) => (bytes === null ? null : createHash('sha256').update(bytes).digest('hex'))

/** Headers in order, each key and value with its length (a null value as -1), hashed as one byte string. */
function headersSha256(headers: readonly RecordHeader[]): string {
  const hash = createHash('sha256')
  const length = (n: number) => {
    const b = Buffer.alloc(4)
    b.writeInt32BE(n)
    return b
  }
  hash.update(length(headers.length))
  for (const h of headers) {
    const keyBytes = Buffer.from(h.key, 'utf8')
    hash.update(length(keyBytes.length)).update(keyBytes)
    if (h.value === null) hash.update(length(-1))
    else hash.update(length(h.value.length)).update(h.value)
  }
  return hash.digest('hex')
}

/** A record's digests and size. */
export function fingerprintOf(record: KafkaRecord): RecordFingerprint {
  const headerBytes = record.headers.reduce((sum, h) => sum + Buffer.byteLength(h.key, 'utf8') + (h.value?.length ?? 0), 0)
  return {
    offset: record.offset,
    keySha256: sha256(record.key),
    valueSha256: sha256(record.value),
    headersSha256: headersSha256(record.headers),
    sizeBytes: (record.key?.length ?? 0) + (record.value?.length ?? 0) + headerBytes,
  }
}

const seen = (view: ConsumerView): SeenView => ({ ...view, records: view.records.map((r) => ({ ...r, fingerprint: fingerprintOf(r.record) })) })

/** What a consumer of each isolation level gets from `from` on (at most `maxRecords` data records read). */
export interface ConsumerWindows {
  readonly read_committed: SeenView
  readonly read_uncommitted: SeenView
}

/**
 * The records a consumer starting at `from` gets, for both isolation levels: one read_committed fetch (it lists
 * the aborted transactions and stops at the last stable offset), and a read_uncommitted one only when an open
 * transaction holds the last stable offset below the high watermark.
 */
export async function readConsumerWindows(
  kafka: KafkaOps,
  tp: TopicPartition,
  from: bigint,
  maxRecords: number,
): Promise<ConsumerWindows | { readonly error: KafkaError }> {
  const [committed] = await kafka.fetchRecords([{ ...tp, offset: from, maxRecords, isolation: 'read_committed' }])
  if (!committed || committed.error) return { error: committed?.error ?? { code: -1, name: 'NO_ANSWER', message: 'no answer' } }
  let uncommitted: FetchedRecords = committed
  const open = committed.lastStableOffset !== null && committed.highWatermark !== null && committed.lastStableOffset < committed.highWatermark
  if (open) {
    const [read] = await kafka.fetchRecords([{ ...tp, offset: from, maxRecords, isolation: 'read_uncommitted' }])
    if (!read || read.error) return { error: read?.error ?? { code: -1, name: 'NO_ANSWER', message: 'no answer' } }
    uncommitted = read
  }
  return { read_committed: seen(consumerView(committed, 'read_committed')), read_uncommitted: seen(consumerView(uncommitted, 'read_uncommitted')) }
}

/** Up to `count` data records just before `before` (as a read_uncommitted consumer sees them), for comparison. */
export async function readRecordsBefore(kafka: KafkaOps, tp: TopicPartition, before: bigint, count: number): Promise<SeenRecord[]> {
  if (count <= 0 || before <= 0n) return []
  const [earliest] = await kafka.listOffsets([{ ...tp, spec: 'earliest' }])
  const logStart = earliest?.offset ?? 0n
  // Markers and gaps take offsets too: reach back a little further than the count.
  const reach = BigInt(count * 3 + 2)
  const from = before - reach > logStart ? before - reach : logStart
  if (from >= before) return []
  const [answer] = await kafka.fetchRecords([{ ...tp, offset: from, endOffset: before, maxRecords: count * 3 + 2 }])
  if (!answer || answer.error) return []
  return seen(consumerView(answer, 'read_uncommitted')).records.slice(-count)
}

/**
 * The fingerprints of the data records in [from, to) as `isolation` sees them now, for a re-check; or why they
 * cannot be read (retention deleted them: OFFSET_OUT_OF_RANGE).
 */
export async function readRecordsRelied(
  kafka: KafkaOps,
  range: Pick<RecordsRelied, 'topic' | 'partition' | 'from' | 'to' | 'isolation'>,
): Promise<{ readonly records: readonly RecordFingerprint[] } | { readonly error: KafkaError }> {
  const { topic, partition, from, to, isolation } = range
  const count = Number(to - from)
  const [answer] = await kafka.fetchRecords([{ topic, partition, offset: from, endOffset: to, maxRecords: Math.max(1, count), isolation }])
  if (!answer || answer.error) return { error: answer?.error ?? { code: -1, name: 'NO_ANSWER', message: 'no answer' } }
  return { records: consumerView(answer, isolation).records.map((r) => fingerprintOf(r.record)) }
}

/** The records at these offsets of one partition (those that are data records), read in one range. */
export async function readRecordsAt(kafka: KafkaOps, tp: TopicPartition, offsets: readonly bigint[]): Promise<SeenRecord[]> {
  if (offsets.length === 0) return []
  const from = offsets.reduce((a, b) => (a < b ? a : b))
  const to = offsets.reduce((a, b) => (a > b ? a : b)) + 1n
  const [answer] = await kafka.fetchRecords([{ ...tp, offset: from, endOffset: to, maxRecords: Number(to - from) }])
  if (!answer || answer.error) return []
  const wanted = new Set(offsets)
  return seen(consumerView(answer, 'read_uncommitted')).records.filter((r) => wanted.has(r.record.offset))
}
