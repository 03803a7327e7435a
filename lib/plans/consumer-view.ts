// PURE: the records a consumer gets when it starts at an offset. The committed offset need not hold a record:
// compaction leaves gaps, a transaction marker takes an offset of its own, and a read_committed consumer passes
// over the records of aborted transactions (and cannot read past an open one). What it gets first is the first
// data record at or after the offset that its isolation level lets through — as the Java consumer's fetcher
// decides it from the fetch answer's aborted-transaction list.

import type { FetchedRecords, KafkaRecord, RecordBatch, TopicPartition } from '../kafka/types.ts'

/** A consumer's isolation.level: the Java client reads uncommitted by default, kafkajs reads committed. */
export type Isolation = 'read_committed' | 'read_uncommitted'

/** What identifies a record's content without holding it: its offset, sizes and SHA-256 digests. */
export interface RecordFingerprint {
  readonly offset: bigint
  /** Hex SHA-256 of the key and the value; null where Kafka has null. */
  readonly keySha256: string | null
  readonly valueSha256: string | null
  /** Hex SHA-256 of the headers in order (each key and value with its length). */
  readonly headersSha256: string
  /** Key, value and header bytes together. */
  readonly sizeBytes: number
}

/** The data records of one partition between two offsets, as a consumer of one isolation level gets them. */
export interface RecordsRelied extends TopicPartition {
  readonly from: bigint
  /** Exclusive. */
  readonly to: bigint
  readonly isolation: Isolation
  readonly records: readonly RecordFingerprint[]
}

/** The facts of the batch a record came in that matter to a person looking at it. */
export type BatchFacts = Pick<
  RecordBatch,
  'baseOffset' | 'lastOffset' | 'compression' | 'sizeBytes' | 'transactional' | 'producerId' | 'producerEpoch' | 'timestampType'
>

/** A record a consumer gets, with its batch. */
export interface VisibleRecord {
  readonly record: KafkaRecord
  readonly batch: BatchFacts
}

/** A record a consumer gets, with its fingerprint (computed by the reader: digests need a hash function). */
export interface SeenRecord extends VisibleRecord {
  readonly fingerprint: RecordFingerprint
}

/** Offsets a consumer passes over without getting a record. */
export type PassedOver =
  | { readonly kind: 'marker'; readonly offset: bigint; readonly type: 'commit' | 'abort'; readonly producerId: bigint }
  | { readonly kind: 'aborted'; readonly from: bigint; readonly to: bigint; readonly count: number; readonly producerId: bigint }
  /** Offsets that hold nothing any more: compaction removed their records. */
  | { readonly kind: 'gap'; readonly from: bigint; readonly to: bigint }

export interface ConsumerView extends TopicPartition {
  readonly isolation: Isolation
  readonly from: bigint
  readonly records: readonly VisibleRecord[]
  /** What lies between `from` and the first record the consumer gets. */
  readonly passedBefore: readonly PassedOver[]
  /** Why the view ends: the log end, an open transaction (read_committed stops at the last stable offset), or the read limit. */
  readonly endsAt: 'log-end' | 'open-transaction' | 'limit'
  readonly nextOffset: bigint
  readonly highWatermark: bigint | null
  readonly lastStableOffset: bigint | null
  readonly logStartOffset: bigint | null
}

const batchFacts = (b: RecordBatch): BatchFacts => ({
  baseOffset: b.baseOffset,
  lastOffset: b.lastOffset,
  compression: b.compression,
  sizeBytes: b.sizeBytes,
  transactional: b.transactional,
  producerId: b.producerId,
  producerEpoch: b.producerEpoch,
  timestampType: b.timestampType,
})

/** The records of a fetch answer that a consumer of `isolation` gets, and what it passes over before the first. */
export function consumerView(fetched: FetchedRecords, isolation: Isolation): ConsumerView {
  const records: VisibleRecord[] = []
  const passedBefore: PassedOver[] = []
  const pending = [...fetched.abortedTransactions].sort((a, b) => (a.firstOffset < b.firstOffset ? -1 : a.firstOffset > b.firstOffset ? 1 : 0))
  const aborting = new Set<bigint>()
  let cursor = fetched.requested
  const before = (item: PassedOver) => {
    if (records.length > 0) return
    const last = passedBefore.at(-1)
    if (item.kind === 'aborted' && last?.kind === 'aborted' && last.producerId === item.producerId && last.to + 1n === item.from) {
      passedBefore[passedBefore.length - 1] = { ...last, to: item.to, count: last.count + item.count }
    } else passedBefore.push(item)
  }
  const reach = (offset: bigint) => {
    if (offset > cursor) before({ kind: 'gap', from: cursor, to: offset - 1n })
    if (offset + 1n > cursor) cursor = offset + 1n
  }
  for (const batch of fetched.batches) {
    if (batch.control) {
      for (const marker of batch.markers) {
        reach(marker.offset)
        before({ kind: 'marker', offset: marker.offset, type: marker.type, producerId: batch.producerId })
        if (isolation === 'read_committed' && marker.type === 'abort') aborting.delete(batch.producerId)
      }
      continue
    }
    let aborted = false
    if (isolation === 'read_committed' && batch.transactional) {
      // As the Java fetcher: every aborted transaction that began at or before this batch's end is now open.
      while (pending.length > 0 && pending[0]!.firstOffset <= batch.lastOffset) aborting.add(pending.shift()!.producerId)
      aborted = aborting.has(batch.producerId)
    }
    for (const record of batch.records) {
      reach(record.offset)
      if (aborted) before({ kind: 'aborted', from: record.offset, to: record.offset, count: 1, producerId: batch.producerId })
      else records.push({ record, batch: batchFacts(batch) })
    }
  }
  const hw = fetched.highWatermark
  const lso = fetched.lastStableOffset
  const endsAt =
    hw !== null && fetched.nextOffset >= hw
      ? 'log-end'
      : isolation === 'read_committed' && lso !== null && fetched.nextOffset >= lso && (hw === null || lso < hw)
        ? 'open-transaction'
        : 'limit'
  // Offsets below the end that no batch covered before the first record are a gap too (a compacted tail).
  if (records.length === 0 && endsAt !== 'limit' && fetched.nextOffset > cursor) before({ kind: 'gap', from: cursor, to: fetched.nextOffset - 1n })
  return {
    topic: fetched.topic,
    partition: fetched.partition,
    isolation,
    from: fetched.requested,
    records,
    passedBefore,
    endsAt,
    nextOffset: fetched.nextOffset,
    highWatermark: hw,
    lastStableOffset: lso,
    logStartOffset: fetched.logStartOffset,
  }
}

/** A consumer view whose records carry their fingerprints. */
export interface SeenView extends Omit<ConsumerView, 'records'> {
  readonly records: readonly SeenRecord[]
}

/** One sentence per thing passed over, for the explanation of what sits at the committed offset. */
export function describePassedOver(item: PassedOver): string {
  const span = (from: bigint, to: bigint) => (from === to ? `offset ${from}` : `offsets ${from}–${to}`)
  switch (item.kind) {
    case 'marker':
      return `${span(item.offset, item.offset)} is a transaction marker (${item.type} of producer ${item.producerId}): it takes an offset but is never handed to a consumer`
    case 'aborted':
      return `${span(item.from, item.to)} ${item.count === 1 ? 'is a record' : `are ${item.count} records`} of an aborted transaction (producer ${item.producerId}): a read_committed consumer never gets ${item.count === 1 ? 'it' : 'them'}`
    case 'gap':
      return `${span(item.from, item.to)} ${item.from === item.to ? 'holds' : 'hold'} no record any more (compaction removed ${item.from === item.to ? 'it' : 'them'}): the consumer moves on to the next offset that does`
  }
}
