// How fast producers wrote into each leaderless partition before it lost its leader: from the most complete live
// replica's own log (its end, its newest record, and the first record in the window before it, asked of its
// broker — no leader needed), else from the partition's siblings in the same topic that still have a leader.

import type { KafkaOps, TopicPartition } from '../kafka/types.ts'
import type { LeaderlessSnapshot } from '../plans/leaderless.ts'
import { writeRate, type PartitionRate } from '../plans/outage-price.ts'

export interface MeasuredRate extends PartitionRate {
  /** Where the rate was read: a live replica's log, the led siblings of the topic, or nowhere. */
  readonly source: 'replica' | 'siblings' | 'none'
  /** The replica's broker, or the sibling partitions measured. */
  readonly broker: number | null
  readonly siblings: readonly number[]
  /** The stretch of time the rate covers (the newest record measured ends it). */
  readonly fromMs: number | null
  readonly toMs: number | null
  readonly records: number
}

export interface RateOptions {
  /** How far back from the newest record to measure (default 5 min). */
  readonly windowMs?: number
  /** At most this many siblings per topic are asked (a topic can have thousands of partitions). */
  readonly maxSiblings?: number
}

const key = (tp: TopicPartition) => `${tp.topic}\u0000${tp.partition}`

/** The pre-failure write rate of every leaderless partition of the snapshot (or of `only`). */
export async function readPreFailureRates(
  kafka: KafkaOps,
  snapshot: LeaderlessSnapshot,
  only: readonly TopicPartition[] | null,
  options: RateOptions = {},
): Promise<MeasuredRate[]> {
  const windowMs = options.windowMs ?? 300_000
  const wanted = only ? new Set(only.map(key)) : null
  const partitions = snapshot.partitions.filter((p) => wanted === null || wanted.has(key(p)))
  const picks = partitions.map((p) => {
    const readable = p.replicaLogs.filter((l) => l.logEndOffset !== null && l.newestRecordMs !== null)
    return readable.sort((a, b) => (a.logEndOffset! === b.logEndOffset! ? 0 : a.logEndOffset! > b.logEndOffset! ? -1 : 1))[0] ?? null
  })
  const answers = await kafka.replicaOffsets(
    partitions.flatMap((p, i) => {
      const pick = picks[i]
      return pick ? [{ topic: p.topic, partition: p.partition, broker: pick.broker, spec: { timestamp: pick.newestRecordMs! - windowMs } }] : []
    }),
  )
  const byReplica = new Map(answers.map((a) => [key(a), a]))
  const measured = partitions.map((p, i): MeasuredRate => {
    const pick = picks[i]
    const answer = byReplica.get(key(p))
    const none: MeasuredRate = {
      topic: p.topic,
      partition: p.partition,
      recordsPerSecond: null,
      source: 'none',
      broker: null,
      siblings: [],
      fromMs: null,
      toMs: null,
      records: 0,
    }
    if (!pick || !answer || answer.error || answer.offset === null || answer.timestamp === null) return none
    const growth = { firstOffset: answer.offset, firstMs: answer.timestamp, endOffset: pick.logEndOffset!, newestMs: pick.newestRecordMs! }
    const rate = writeRate(growth)
    if (rate === null) return none
    return {
      ...none,
      recordsPerSecond: rate,
      source: 'replica',
      broker: pick.broker,
      fromMs: growth.firstMs,
      toMs: growth.newestMs,
      records: Number(growth.endOffset - growth.firstOffset),
    }
  })
  const missing = measured.filter((m) => m.recordsPerSecond === null)
  if (missing.length === 0) return measured
  const fromSiblings = await readSiblingRates(kafka, [...new Set(missing.map((m) => m.topic))], windowMs, options.maxSiblings ?? 32)
  return measured.map((m) => (m.recordsPerSecond === null ? { ...m, ...(fromSiblings.get(m.topic) ?? {}) } : m))
}

/** The mean write rate of a topic's partitions that have a leader, over the window before their newest record. */
async function readSiblingRates(
  kafka: KafkaOps,
  topics: readonly string[],
  windowMs: number,
  maxSiblings: number,
): Promise<Map<string, Partial<MeasuredRate>>> {
  const found = new Map<string, Partial<MeasuredRate>>()
  const states = await kafka.partitionStates(topics)
  for (const topic of states) {
    const led = topic.partitions.filter((p) => p.leader !== null).slice(0, maxSiblings)
    if (led.length === 0) continue
    const ask = (spec: 'latest' | 'max-timestamp' | { timestamp: number }) =>
      kafka.listOffsets(led.map((p) => ({ topic: topic.topic, partition: p.partition, spec })))
    const [ends, newest] = await Promise.all([ask('latest'), ask('max-timestamp')])
    const starts = await kafka.listOffsets(
      led.flatMap((p, i) =>
        newest[i]?.timestamp == null ? [] : [{ topic: topic.topic, partition: p.partition, spec: { timestamp: newest[i]!.timestamp! - windowMs } }],
      ),
    )
    const rates: number[] = []
    const measured: number[] = []
    let records = 0
    let fromMs = Infinity
    let toMs = -Infinity
    for (const start of starts) {
      const i = led.findIndex((p) => p.partition === start.partition)
      const end = ends[i]
      const top = newest[i]
      if (start.error || start.offset === null || start.timestamp === null || !end || end.offset === null || !top || top.timestamp === null) continue
      const growth = { firstOffset: start.offset, firstMs: start.timestamp, endOffset: end.offset, newestMs: top.timestamp }
      const rate = writeRate(growth)
      if (rate === null) continue
      rates.push(rate)
      measured.push(start.partition)
      records += Number(growth.endOffset - growth.firstOffset)
      fromMs = Math.min(fromMs, growth.firstMs)
      toMs = Math.max(toMs, growth.newestMs)
    }
    if (rates.length === 0) continue
    found.set(topic.topic, {
      recordsPerSecond: rates.reduce((s, r) => s + r, 0) / rates.length,
      source: 'siblings',
      siblings: measured,
      fromMs,
      toMs,
      records,
    })
  }
  return found
}
