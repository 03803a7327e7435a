// PURE: which salvaged records a target partition already holds. Every copy a re-produce writes carries the
// provenance headers (original topic, partition, offset, leader epoch); those four name one record of one
// partition's history, so a record whose coordinates are already in the target was written by an earlier
// re-produce and is skipped, and one found there twice came from a run interrupted after Kafka took the first copy.

import type { KafkaRecord, RecordHeader } from '../kafka/records.ts'
import type { TopicPartition } from '../kafka/types.ts'
import { type ReproducePlan, type ReproduceStep, salvageHeaders } from './salvage.ts'

/** Where a record was first written: its partition, offset and the leader epoch it was written in. */
export interface SalvageCoordinates extends TopicPartition {
  readonly offset: bigint
  readonly leaderEpoch: number
}

/** A record in the target partition that carries provenance headers. */
export interface CopyFound {
  /** Its offset in the target partition. */
  readonly at: bigint
  readonly from: SalvageCoordinates
  readonly record: KafkaRecord
}

const key = (c: SalvageCoordinates) => `${c.topic}\u0000${c.partition}\u0000${c.offset}\u0000${c.leaderEpoch}`

/**
 * The provenance a copy carries; null for a record without all four headers. The re-produce appends them after the
 * record's own headers, so the last of each name counts (a copy of a copy keeps its first provenance too).
 */
export function salvageCoordinatesOf(headers: readonly RecordHeader[]): SalvageCoordinates | null {
  const last = (name: string) => headers.findLast((h) => h.key === name)?.value?.toString('utf8')
  const topic = last(salvageHeaders.topic)
  const partition = last(salvageHeaders.partition)
  const offset = last(salvageHeaders.offset)
  const epoch = last(salvageHeaders.leaderEpoch)
  if (topic === undefined || partition === undefined || offset === undefined || epoch === undefined) return null
  if (!/^\d+$/.test(partition) || !/^\d+$/.test(offset) || !/^-?\d+$/.test(epoch)) return null
  return { topic, partition: Number(partition), offset: BigInt(offset), leaderEpoch: Number(epoch) }
}

/** The salvaged records of one source partition against what the target partition holds. */
export interface Presence {
  /** Not in the target yet, in offset order: what a re-produce writes. */
  readonly missing: readonly KafkaRecord[]
  /** In the target once. */
  readonly once: readonly { readonly record: KafkaRecord; readonly at: bigint }[]
  /** In the target more than once (an earlier run interrupted after Kafka took a copy), with every offset. */
  readonly duplicated: readonly { readonly record: KafkaRecord; readonly at: readonly bigint[] }[]
}

/** Which of `records` (salvaged from `source`) `found` holds: matched by original coordinates, not by content. */
export function presenceOf(records: readonly KafkaRecord[], source: TopicPartition, found: readonly CopyFound[]): Presence {
  const where = new Map<string, bigint[]>()
  for (const copy of found) where.set(key(copy.from), [...(where.get(key(copy.from)) ?? []), copy.at])
  const missing: KafkaRecord[] = []
  const once: { record: KafkaRecord; at: bigint }[] = []
  const duplicated: { record: KafkaRecord; at: bigint[] }[] = []
  for (const record of records) {
    const at = where.get(key({ topic: source.topic, partition: source.partition, offset: record.offset, leaderEpoch: record.leaderEpoch })) ?? []
    if (at.length === 0) missing.push(record)
    else if (at.length === 1) once.push({ record, at: at[0]! })
    else duplicated.push({ record, at })
  }
  return { missing, once, duplicated }
}

/**
 * The earliest timestamp any copy of these records can carry: a copy keeps its original time (or gets the broker's,
 * later still), so no copy sits before the first offset with that timestamp. 0 when a record has none (-1).
 */
export function earliestCopyTimestamp(records: readonly KafkaRecord[]): number {
  if (records.length === 0 || records.some((r) => r.timestamp < 0)) return 0
  return records.reduce((min, r) => Math.min(min, r.timestamp), Number.POSITIVE_INFINITY)
}

/** One partition's copies, net of what the target already holds. `records` (from ReproduceStep) is what gets written. */
export interface PresentStep extends ReproduceStep {
  /** The salvaged records a re-produce covers for this partition. */
  readonly salvaged: number
  /** Already in the target (from an earlier re-produce), once or more. */
  readonly present: number
  /** Found in the target more than once: the original offset and every offset it sits at there. */
  readonly duplicated: readonly { readonly offset: bigint; readonly at: readonly bigint[] }[]
}

export interface RepeatSafePlan extends Omit<ReproducePlan, 'steps' | 'records'> {
  readonly steps: readonly PresentStep[]
  /** Records to write, all steps together. */
  readonly records: number
  /** Salvaged records already in their target. */
  readonly present: number
}

/** The plan narrowed to the records the targets do not hold yet; a step with no presence (a topic to create) writes all. */
export function skipPresent(plan: ReproducePlan, presence: (step: ReproduceStep) => Presence | null): RepeatSafePlan {
  const steps = plan.steps.map((step): PresentStep => {
    const found = presence(step)
    if (!found) return { ...step, salvaged: step.records, present: 0, duplicated: [] }
    return {
      ...step,
      salvaged: step.records,
      records: found.missing.length,
      present: found.once.length + found.duplicated.length,
      duplicated: found.duplicated.map((d) => ({ offset: d.record.offset, at: d.at })),
      firstOffset: found.missing[0]?.offset ?? null,
      lastOffset: found.missing.at(-1)?.offset ?? null,
    }
  })
  return {
    ...plan,
    steps,
    records: steps.reduce((sum, s) => sum + s.records, 0),
    present: steps.reduce((sum, s) => sum + s.present, 0),
  }
}

/** Nothing to create and nothing to write: every salvaged record is already in its target. */
export const nothingToWrite = (plan: RepeatSafePlan): boolean => plan.records === 0 && plan.topics.every((t) => t.create === null)
