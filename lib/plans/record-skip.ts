// PURE: skipping a poison record. Which record the group is stuck on (the one the operator names from the
// service's error, else the first record after the committed offset that is unlike its neighbours, else the
// first one the consumer gets), which records the skip passes (those before it, which the service handles before
// every crash), the one new committed offset on the one partition, what the re-check must find unchanged, and
// the dead-letter copy: where it goes, the topic to create if there is none, the headers that say where it came from.

import type { RecordHeader, TopicPartition } from '../kafka/types.ts'
import {
  type Isolation,
  type PassedOver,
  type RecordFingerprint,
  type RecordsRelied,
  type SeenRecord,
  type SeenView,
  describePassedOver,
} from './consumer-view.ts'
import { copyPartition, copySettingNames, type CopyTopic, defaultMaxMessageBytes, numberSetting, planCopyTopic, type TopicFacts } from './copy-topic.ts'
import { judgeShape, type Oddity, type PayloadShape, shapeLabel, shapeOf } from './record-shape.ts'

export type SkipAction = 'skip' | 'dlq-and-skip' | 'skip-n'

/** How far after the committed offset a poison record is looked for (a Java poll hands over 500 records by default). */
export const scanRecords = 500

/** Records on each side of a record that it is compared with. */
const neighbourReach = 3

export interface RecordJudgement {
  readonly offset: bigint
  readonly shape: PayloadShape
  readonly odd: Oddity
}

/** Each record of the view judged against the records around it (the ones before the committed offset included). */
export function judgeRecords(view: SeenView, before: readonly SeenRecord[]): RecordJudgement[] {
  const all = [...before, ...view.records]
  const shapes = all.map((r) => shapeOf(r.record.value))
  return view.records.map((r, i) => {
    const at = before.length + i
    const neighbours = shapes.filter((_, j) => j !== at && Math.abs(j - at) <= neighbourReach)
    return { offset: r.record.offset, shape: shapes[at]!, odd: judgeShape(shapes[at]!, neighbours) }
  })
}

export type SkipFault =
  | { readonly kind: 'not-stuck'; readonly groupId: string; readonly tp: TopicPartition; readonly committed: bigint; readonly logEnd: bigint }
  | {
      readonly kind: 'open-transaction'
      readonly tp: TopicPartition
      readonly committed: bigint
      readonly lastStableOffset: bigint | null
      readonly highWatermark: bigint | null
    }
  | { readonly kind: 'below-log-start'; readonly groupId: string; readonly tp: TopicPartition; readonly committed: bigint; readonly logStart: bigint }
  | { readonly kind: 'offset-outside-log'; readonly tp: TopicPartition; readonly offset: bigint; readonly logStart: bigint; readonly logEnd: bigint }
  | { readonly kind: 'offset-before-committed'; readonly tp: TopicPartition; readonly offset: bigint; readonly committed: bigint }
  | { readonly kind: 'offset-not-a-record'; readonly tp: TopicPartition; readonly offset: bigint; readonly why: string }
  | { readonly kind: 'offset-too-far'; readonly tp: TopicPartition; readonly offset: bigint; readonly committed: bigint }
  | { readonly kind: 'count-too-large'; readonly tp: TopicPartition; readonly count: number; readonly available: number; readonly from: bigint }
  | { readonly kind: 'isolation-needed'; readonly tp: TopicPartition; readonly committedFirst: bigint | null; readonly uncommittedFirst: bigint | null }
  | { readonly kind: 'dlq-is-source'; readonly topic: string }
  | { readonly kind: 'dlq-too-small'; readonly topic: string; readonly maxMessageBytes: number; readonly neededBytes: number }

export const isSkipFault = (value: object): value is SkipFault => 'kind' in value && typeof (value as { kind: unknown }).kind === 'string'

const tpText = (tp: TopicPartition) => `${tp.topic}:${tp.partition}`

/** A fault as the one line the run stops with. */
export function describeSkipFault(f: SkipFault): string {
  switch (f.kind) {
    case 'not-stuck':
      return `${tpText(f.tp)} is not stuck: group ${f.groupId} has read it to the end (committed ${f.committed}, log end ${f.logEnd}) — name a partition with lag, or leave partition unset to find the stuck ones; nothing changed`
    case 'open-transaction':
      return `a read_committed consumer of ${tpText(f.tp)} waits at offset ${f.committed} behind an open transaction (last stable offset ${f.lastStableOffset ?? '?'}, high watermark ${f.highWatermark ?? '?'}): there is no record to skip — find the hanging transaction (kafka-transactions find-hanging) or wait for it to end; nothing changed`
    case 'below-log-start':
      return `group ${f.groupId}'s committed offset on ${tpText(f.tp)} (${f.committed}) is below the log start (${f.logStart}): retention deleted those records, so the consumer resets by its auto.offset.reset — not a record to skip; nothing changed`
    case 'offset-outside-log':
      return `offset ${f.offset} is outside the log of ${tpText(f.tp)} (${f.logStart}–${f.logEnd}) — give the offset the service's error names; nothing changed`
    case 'offset-before-committed':
      return `offset ${f.offset} is before the group's committed offset on ${tpText(f.tp)} (${f.committed}): the group is already past it — give an offset at or after ${f.committed}; nothing changed`
    case 'offset-not-a-record':
      return `offset ${f.offset} of ${tpText(f.tp)} holds no record a consumer gets: ${f.why} — give the offset of the record the service fails on; nothing changed`
    case 'offset-too-far':
      return `offset ${f.offset} is more than ${scanRecords} records after the committed offset ${f.committed} of ${tpText(f.tp)}: a skip to it would pass every record in between — check the offset, or move the group with consumer-oom-replay (shift-by); nothing changed`
    case 'count-too-large':
      return `count=${f.count} asks for more records than ${tpText(f.tp)} holds from offset ${f.from} on (${f.available}) — give a smaller count; nothing changed`
    case 'isolation-needed':
      return `which record is next on ${tpText(f.tp)} depends on the consumer's isolation.level (read_committed gets ${f.committedFirst ?? 'none'}, read_uncommitted gets ${f.uncommittedFirst ?? 'none'}) — add --set isolation=read_committed (kafkajs's default) or read_uncommitted (the Java client's default); nothing changed`
    case 'dlq-is-source':
      return `the dead-letter topic cannot be the topic itself (${f.topic}) — give another dlq-topic; nothing changed`
    case 'dlq-too-small':
      return `dead-letter topic ${f.topic} accepts batches up to ${f.maxMessageBytes} bytes (max.message.bytes), and a copy needs about ${f.neededBytes} — raise its max.message.bytes or give another dlq-topic; nothing changed`
  }
}

/** Where the poison record is in the view and how it was found. */
export interface PoisonLocation {
  readonly index: number
  /** given: the operator named its offset; odd: first record unlike its neighbours; first: the next record, nothing stood out. */
  readonly how: 'given' | 'odd' | 'first'
}

/** The record the group is stuck on, among the records a consumer gets from the committed offset. */
export function locatePoison(
  view: SeenView,
  judged: readonly RecordJudgement[],
  context: { readonly groupId: string; readonly offset: bigint | null; readonly logStart: bigint; readonly logEnd: bigint },
): PoisonLocation | SkipFault {
  const tp = { topic: view.topic, partition: view.partition }
  if (view.from < context.logStart) return { kind: 'below-log-start', groupId: context.groupId, tp, committed: view.from, logStart: context.logStart }
  const asked = context.offset
  if (asked !== null) {
    if (asked < context.logStart || asked >= context.logEnd)
      return { kind: 'offset-outside-log', tp, offset: asked, logStart: context.logStart, logEnd: context.logEnd }
    if (asked < view.from) return { kind: 'offset-before-committed', tp, offset: asked, committed: view.from }
    const index = view.records.findIndex((r) => r.record.offset === asked)
    if (index >= 0) return { index, how: 'given' }
    const passed = view.passedBefore.find((p) => (p.kind === 'marker' ? p.offset === asked : p.from <= asked && asked <= p.to))
    if (passed) return { kind: 'offset-not-a-record', tp, offset: asked, why: describePassedOver(passed) }
    if (view.endsAt === 'limit' && asked >= view.nextOffset) return { kind: 'offset-too-far', tp, offset: asked, committed: view.from }
    if (view.endsAt === 'open-transaction' && asked >= view.nextOffset)
      return {
        kind: 'offset-not-a-record',
        tp,
        offset: asked,
        why: 'it is after the last stable offset: an open transaction keeps a read_committed consumer before it',
      }
    return { kind: 'offset-not-a-record', tp, offset: asked, why: 'a transaction marker, an aborted record or a compacted one takes that offset' }
  }
  if (view.records.length === 0) {
    if (view.endsAt === 'open-transaction')
      return { kind: 'open-transaction', tp, committed: view.from, lastStableOffset: view.lastStableOffset, highWatermark: view.highWatermark }
    return { kind: 'not-stuck', groupId: context.groupId, tp, committed: view.from, logEnd: context.logEnd }
  }
  const odd = judged.findIndex((j) => j.odd.odd)
  return odd >= 0 ? { index: odd, how: 'odd' } : { index: 0, how: 'first' }
}

/** A skipped record as the plan keeps it: never its bytes, only what identifies and describes them. */
export interface SkippedRecord {
  readonly fingerprint: RecordFingerprint
  readonly timestamp: number
  readonly timestampType: 'create' | 'log-append'
  readonly batchSizeBytes: number
  readonly shape: string
  readonly odd: string | null
}

export interface DlqCopy {
  readonly sourceOffset: bigint
  readonly timestamp: number
  /** Appended after the record's own headers, in this order. */
  readonly addedHeaders: readonly { readonly key: string; readonly value: string }[]
}

export interface DlqPlan {
  readonly topic: string
  readonly partition: number
  /** Present when the topic does not exist yet. */
  readonly create: CopyTopic | null
  readonly copies: readonly DlqCopy[]
}

export interface SkipPlan {
  readonly groupId: string
  readonly topic: string
  readonly partition: number
  readonly action: SkipAction
  readonly isolation: Isolation
  readonly committed: bigint
  readonly target: bigint
  readonly how: PoisonLocation['how']
  /** Records between the committed offset and the poison: handed to the service before every crash. */
  readonly passed: readonly SkippedRecord[]
  readonly poison: readonly SkippedRecord[]
  /** What sits at the committed offset before the first record (markers, gaps, aborted records). */
  readonly passedOver: readonly PassedOver[]
  readonly moves: readonly (TopicPartition & { readonly committed: bigint; readonly target: bigint })[]
  readonly basedOn: {
    readonly committed: readonly (TopicPartition & { readonly offset: bigint })[]
    readonly records: readonly RecordsRelied[]
  }
  readonly dlq: DlqPlan | null
}

/** The settings the dead-letter planner reads from the source (and the dead-letter topic). */
export type { TopicFacts } from './copy-topic.ts'
export const dlqSettingNames = copySettingNames

/** Header keys a dead-letter copy carries after the record's own headers. */
export const dlqHeaders = {
  topic: 'dlq.original.topic',
  partition: 'dlq.original.partition',
  offset: 'dlq.original.offset',
  timestamp: 'dlq.original.timestamp',
  timestampType: 'dlq.original.timestamp-type',
  group: 'dlq.consumer-group',
  reason: 'dlq.reason',
} as const

/** Bytes a one-record batch of the copy takes, over-estimated (batch header, record framing, varints). */
export function copyBatchBytes(record: SeenRecord, added: DlqCopy['addedHeaders']): number {
  const headers = [
    ...record.record.headers.map((h) => ({ key: h.key, value: h.value?.length ?? 0 })),
    ...added.map((h) => ({ key: h.key, value: h.value.length })),
  ]
  const headerBytes = headers.reduce((sum, h) => sum + h.key.length * 3 + h.value + 10, 0)
  return 61 + 30 + (record.record.key?.length ?? 0) + (record.record.value?.length ?? 0) + headerBytes
}

/** The dead-letter copies of `records` and the topic they go to (created like the source where it does not exist). */
export function planDlq(input: {
  readonly source: TopicFacts
  readonly dlq: TopicFacts
  readonly sourcePartition: number
  readonly records: readonly SeenRecord[]
  readonly groupId: string
  readonly reasons: readonly (string | null)[]
}): DlqPlan | SkipFault {
  const { source, dlq } = input
  if (dlq.topic === source.topic) return { kind: 'dlq-is-source', topic: dlq.topic }
  const copies: DlqCopy[] = input.records.map((r, i) => ({
    sourceOffset: r.record.offset,
    timestamp: r.record.timestamp,
    addedHeaders: [
      { key: dlqHeaders.topic, value: source.topic },
      { key: dlqHeaders.partition, value: String(input.sourcePartition) },
      { key: dlqHeaders.offset, value: r.record.offset.toString() },
      { key: dlqHeaders.timestamp, value: String(r.record.timestamp) },
      { key: dlqHeaders.timestampType, value: r.record.timestampType === 'create' ? 'CreateTime' : 'LogAppendTime' },
      { key: dlqHeaders.group, value: input.groupId },
      { key: dlqHeaders.reason, value: input.reasons[i] ?? 'skipped by the poison-pill runbook' },
    ],
  }))
  const neededBytes = Math.max(0, ...input.records.map((r, i) => copyBatchBytes(r, copies[i]!.addedHeaders)))
  if (dlq.exists) {
    const limit = numberSetting(dlq, 'max.message.bytes') ?? defaultMaxMessageBytes
    if (neededBytes > limit) return { kind: 'dlq-too-small', topic: dlq.topic, maxMessageBytes: limit, neededBytes }
    return { topic: dlq.topic, partition: copyPartition(input.sourcePartition, dlq.partitions ?? 1), create: null, copies }
  }
  const create = planCopyTopic(source, neededBytes)
  return { topic: dlq.topic, partition: copyPartition(input.sourcePartition, create.partitions), create, copies }
}

const skippedOf = (r: SeenRecord, judged: RecordJudgement | undefined): SkippedRecord => ({
  fingerprint: r.fingerprint,
  timestamp: r.record.timestamp,
  timestampType: r.record.timestampType,
  batchSizeBytes: r.batch.sizeBytes,
  shape: judged ? shapeLabel(judged.shape) : shapeLabel(shapeOf(r.record.value)),
  odd: judged?.odd.reason ?? null,
})

/** The records skipping `count` from the poison on would take from the consumer, and where its offset goes. */
export function planSkip(input: {
  readonly groupId: string
  readonly action: SkipAction
  readonly count: number
  readonly view: SeenView
  readonly judged: readonly RecordJudgement[]
  readonly location: PoisonLocation
  readonly dlq: DlqPlan | null
}): SkipPlan | SkipFault {
  const { view, location, judged } = input
  const tp = { topic: view.topic, partition: view.partition }
  const poisonRecords = view.records.slice(location.index, location.index + input.count)
  if (poisonRecords.length < input.count) {
    return {
      kind: 'count-too-large',
      tp,
      count: input.count,
      available: view.records.length - location.index,
      from: view.records[location.index]!.record.offset,
    }
  }
  const passedRecords = view.records.slice(0, location.index)
  const byOffset = new Map(judged.map((j) => [j.offset, j]))
  const target = poisonRecords.at(-1)!.record.offset + 1n
  return {
    groupId: input.groupId,
    ...tp,
    action: input.action,
    isolation: view.isolation,
    committed: view.from,
    target,
    how: location.how,
    passed: passedRecords.map((r) => skippedOf(r, byOffset.get(r.record.offset))),
    poison: poisonRecords.map((r) => skippedOf(r, byOffset.get(r.record.offset))),
    passedOver: view.passedBefore,
    moves: [{ ...tp, committed: view.from, target }],
    basedOn: {
      committed: [{ ...tp, offset: view.from }],
      records: [{ ...tp, from: view.from, to: target, isolation: view.isolation, records: [...passedRecords, ...poisonRecords].map((r) => r.fingerprint) }],
    },
    dlq: input.dlq,
  }
}

/** The copy as it is written: the record's key and value, its headers in order, then ours. */
export function dlqRecord(
  record: SeenRecord,
  copy: DlqCopy,
  partition: number,
): { partition: number; key: Buffer | null; value: Buffer | null; headers: RecordHeader[]; timestamp: number } {
  return {
    partition,
    key: record.record.key,
    value: record.record.value,
    headers: [...record.record.headers, ...copy.addedHeaders.map((h) => ({ key: h.key, value: Buffer.from(h.value, 'utf8') }))],
    timestamp: copy.timestamp,
  }
}

/** Whether a record in the dead-letter topic is already a copy of `original` for this group (a second run copies nothing twice). */
export function isCopyOf(candidate: SeenRecord, original: SkippedRecord, source: TopicPartition, groupId: string): boolean {
  const header = (key: string) => {
    const found = candidate.record.headers.filter((h) => h.key === key).at(-1)
    return found?.value?.toString('utf8') ?? null
  }
  return (
    header(dlqHeaders.topic) === source.topic &&
    header(dlqHeaders.partition) === String(source.partition) &&
    header(dlqHeaders.offset) === original.fingerprint.offset.toString() &&
    header(dlqHeaders.group) === groupId &&
    candidate.fingerprint.valueSha256 === original.fingerprint.valueSha256 &&
    candidate.fingerprint.keySha256 === original.fingerprint.keySha256
  )
}

/** Whether the copy read back is byte for byte the original plus our headers. */
export function sameAsCopy(read: SeenRecord, original: SeenRecord, copy: DlqCopy): boolean {
  const expected = [...original.record.headers, ...copy.addedHeaders.map((h) => ({ key: h.key, value: Buffer.from(h.value, 'utf8') }))]
  const eq = (a: Buffer | null, b: Buffer | null) => (a === null || b === null ? a === b : a.equals(b))
  return (
    eq(read.record.key, original.record.key) &&
    eq(read.record.value, original.record.value) &&
    read.record.headers.length === expected.length &&
    read.record.headers.every((h, i) => h.key === expected[i]!.key && eq(h.value, expected[i]!.value))
  )
}
