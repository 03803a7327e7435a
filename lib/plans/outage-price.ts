// Waiting and electing, priced in the same unit: records. Waiting loses no committed record but refuses every
// write into the offline partitions until an in-sync replica is back; the producers buffer and retry each batch
// until their delivery timeout, then fail the send (the application decides whether that record is gone).
// Electing brings the partitions back within seconds and deletes, silently, what the elected replica lacks.
// Pure: measured write rates, the operator's expected outage and policy, and each option's loss in; per-option
// totals, the stalled consumer groups and a recommendation (or the reason there is none) out.

import type { TopicPartition } from '../kafka/types.ts'

export type Acks = 'all' | '1' | '0'
export type LossPolicy = 'no-acked-loss' | 'min-records'
export type OutageOption = 'wait' | 'elect' | 'flag'

/**
 * How long each client keeps a batch for a partition without a leader before it fails the send, by default.
 * Java (2.1+): delivery.timeout.ms = 120 s, retries unbounded within it. librdkafka: message.timeout.ms = 300 s.
 * kafkajs 2.x (retry/defaults.js): 5 retries, waits starting at 300 ms and doubling, each ±20 % —
 * 300 + 600 + 1,200 + 2,400 + 4,800 ms ≈ 9.3 s, after which send() rejects.
 */
export const producerGiveUpMs = { java: 120_000, librdkafka: 300_000, kafkajs: 9_300 } as const

/** The controller's periodic unclean-election scan (unclean.leader.election.interval.ms, default 5 min). */
export const uncleanScanMs = 300_000

/** Writes per second into one leaderless partition before it lost its leader; null when it could not be measured. */
export interface PartitionRate extends TopicPartition {
  readonly recordsPerSecond: number | null
}

/** What one option does to one partition: how long it stays offline from now, and what it loses. */
export interface PartitionEffect extends TopicPartition {
  /** Milliseconds offline from now; 'outage' = until the expected outage ends (a returning broker). */
  readonly offlineMs: number | 'outage'
  /** Records deleted by this option (never committed-safe): exact when the dead leader's log was read, else a floor. */
  readonly lostRecords: number
  readonly exact: boolean
}

export interface OptionEffects {
  readonly option: OutageOption
  readonly partitions: readonly PartitionEffect[]
  /** Why the option cannot be taken now (then it is priced but never recommended). */
  readonly unavailable?: string
}

export interface StalledGroup {
  readonly groupId: string
  readonly partitions: readonly TopicPartition[]
}

export interface PricingInput {
  readonly rates: readonly PartitionRate[]
  /** Expected time from now until an in-sync replica is back; 'unknown' prices per option without a single answer. */
  readonly expectedOutageMs: number | 'unknown'
  /** How long the producers retry a batch before failing it (their delivery timeout or retry budget). */
  readonly deliveryTimeoutMs: number
  readonly acks: Acks
  readonly policy: LossPolicy
  readonly options: readonly OptionEffects[]
  readonly groups: readonly StalledGroup[]
}

export interface PricedPartition extends TopicPartition {
  readonly offlineMs: number | null
  /** Writes producers attempt while the partition is offline (rate × time offline). */
  readonly writesRefused: number | null
  /** Of those, the ones whose batches expire before the partition is back: failed sends. */
  readonly writesFailed: number | null
  readonly lostRecords: number
  readonly exact: boolean
}

export interface PricedOption {
  readonly option: OutageOption
  readonly partitions: readonly PricedPartition[]
  /** The longest time any of its partitions stays offline; null when it depends on an unknown outage. */
  readonly offlineMs: number | null
  readonly partitionsOffline: number
  readonly writesRefused: number | null
  readonly writesFailed: number | null
  /** Records deleted silently by the option (acknowledged ones: see `ackedLost`). */
  readonly lostRecords: number
  readonly lossExact: boolean
  /** Acknowledged records among the lost: all of them with acks=1, the committed ones with acks=all (at most all), none with acks=0. */
  readonly ackedLost: { readonly records: number; readonly atMost: boolean }
  /** Lost records plus failed writes: what the option costs in records, when the outage and rates are known. */
  readonly totalRecords: number | null
  readonly unavailable?: string
}

export type RecommendationReason =
  | 'no-acked-loss'
  | 'within-delivery-timeout'
  | 'failed-writes-exceed-loss'
  | 'loss-exceeds-failed-writes'
  | 'outage-unknown'
  | 'rate-unknown'
  | 'wait-unavailable'
  | 'only-wait'
  | 'election-loses-nothing'

export interface Recommendation {
  readonly option: OutageOption | null
  readonly reason: RecommendationReason
}

export interface StalledGroupPrice {
  readonly groupId: string
  readonly partitions: number
  /** How long the group stands still on those partitions with the recommended (else waiting) option. */
  readonly standstillMs: number | null
  /** Records that arrive at once when the partitions return: the producers' delayed batches. */
  readonly backlogRecords: number | null
}

export interface OutagePricing {
  readonly expectedOutageMs: number | 'unknown'
  readonly deliveryTimeoutMs: number
  readonly acks: Acks
  readonly policy: LossPolicy
  readonly recordsPerSecond: number | null
  readonly options: readonly PricedOption[]
  readonly recommendation: Recommendation
  /** The outage beyond which waiting fails more writes than the cheapest election loses; null when nothing to compare. */
  readonly breakEvenMs: number | null
  readonly groups: readonly StalledGroupPrice[]
}

const key = (tp: TopicPartition) => `${tp.topic}\u0000${tp.partition}`
const sumOrNull = (values: readonly (number | null)[]): number | null => (values.some((v) => v === null) ? null : values.reduce<number>((s, v) => s + v!, 0))

function pricePartition(effect: PartitionEffect, rate: number | null, outage: number | 'unknown', deliveryTimeoutMs: number): PricedPartition {
  const offlineMs = effect.offlineMs === 'outage' ? (outage === 'unknown' ? null : outage) : effect.offlineMs
  const during = offlineMs === null || rate === null ? null : Math.round((rate * offlineMs) / 1000)
  const failed = offlineMs === null || rate === null ? null : Math.round((rate * Math.max(0, offlineMs - deliveryTimeoutMs)) / 1000)
  return {
    topic: effect.topic,
    partition: effect.partition,
    offlineMs,
    writesRefused: during,
    writesFailed: failed,
    lostRecords: effect.lostRecords,
    exact: effect.exact,
  }
}

function priceOption(effects: OptionEffects, rates: ReadonlyMap<string, number | null>, input: PricingInput): PricedOption {
  const partitions = effects.partitions.map((e) => pricePartition(e, rates.get(key(e)) ?? null, input.expectedOutageMs, input.deliveryTimeoutMs))
  const offline = partitions.filter((p) => p.offlineMs === null || p.offlineMs > 0)
  const lostRecords = partitions.reduce((s, p) => s + p.lostRecords, 0)
  const writesFailed = sumOrNull(partitions.map((p) => p.writesFailed))
  return {
    option: effects.option,
    partitions,
    offlineMs: partitions.some((p) => p.offlineMs === null) ? null : Math.max(0, ...partitions.map((p) => p.offlineMs!)),
    partitionsOffline: offline.length,
    writesRefused: sumOrNull(partitions.map((p) => p.writesRefused)),
    writesFailed,
    lostRecords,
    lossExact: partitions.every((p) => p.exact),
    ackedLost: input.acks === '0' ? { records: 0, atMost: false } : { records: lostRecords, atMost: input.acks === 'all' },
    totalRecords: writesFailed === null ? null : writesFailed + lostRecords,
    ...(effects.unavailable ? { unavailable: effects.unavailable } : {}),
  }
}

/** The option to take, and why, from the priced options and the operator's policy. */
function recommend(options: readonly PricedOption[], input: PricingInput): Recommendation {
  const wait = options.find((o) => o.option === 'wait' && !o.unavailable)
  const elections = options.filter((o) => o.option !== 'wait' && !o.unavailable)
  const cheapest = [...elections].sort((a, b) => a.lostRecords - b.lostRecords)[0]
  if (!cheapest) return wait ? { option: 'wait', reason: 'only-wait' } : { option: null, reason: 'wait-unavailable' }
  if (!wait) return { option: cheapest.option, reason: 'wait-unavailable' }
  // With acks=0 nothing was ever acknowledged: the policy cannot forbid what it protects.
  // Counted in the dead leader's own log and nothing there: electing costs no record and ends the outage now.
  if (cheapest.lostRecords === 0 && cheapest.lossExact) return { option: cheapest.option, reason: 'election-loses-nothing' }
  // With acks=0 nothing was ever acknowledged: the policy has nothing to protect.
  if (input.policy === 'no-acked-loss' && cheapest.ackedLost.records > 0) return { option: 'wait', reason: 'no-acked-loss' }
  if (input.expectedOutageMs === 'unknown') return { option: null, reason: 'outage-unknown' }
  if (input.expectedOutageMs <= input.deliveryTimeoutMs) return { option: 'wait', reason: 'within-delivery-timeout' }
  if (wait.totalRecords === null || cheapest.totalRecords === null) return { option: null, reason: 'rate-unknown' }
  return cheapest.totalRecords < wait.totalRecords
    ? { option: cheapest.option, reason: 'failed-writes-exceed-loss' }
    : { option: 'wait', reason: 'loss-exceeds-failed-writes' }
}

/**
 * The outage at which waiting's failed writes reach the cheapest election's loss: delivery timeout + loss ÷ rate,
 * over the partitions that wait. Null when there is no election to compare or no measured rate.
 */
function breakEven(options: readonly PricedOption[], rates: ReadonlyMap<string, number | null>, input: PricingInput): number | null {
  const wait = options.find((o) => o.option === 'wait')
  const cheapest = options.filter((o) => o.option !== 'wait' && !o.unavailable).sort((a, b) => a.lostRecords - b.lostRecords)[0]
  if (!wait || !cheapest) return null
  const waiting = wait.partitions.filter((p) => p.offlineMs === null || p.offlineMs > 0)
  const rate = sumOrNull(waiting.map((p) => rates.get(key(p)) ?? null))
  if (rate === null || rate <= 0) return null
  return Math.round(input.deliveryTimeoutMs + (cheapest.lostRecords / rate) * 1000)
}

/** Prices every option for the leaderless partitions in question and recommends one when the numbers decide. */
export function priceOutage(input: PricingInput): OutagePricing {
  const rates = new Map(input.rates.map((r) => [key(r), r.recordsPerSecond]))
  const options = input.options.map((o) => priceOption(o, rates, input))
  const recommendation = recommend(options, input)
  const basis = options.find((o) => o.option === (recommendation.option ?? 'wait')) ?? options[0]
  const groups = input.groups.map((g): StalledGroupPrice => {
    const wanted = new Set(g.partitions.map(key))
    const mine = (basis?.partitions ?? []).filter((p) => wanted.has(key(p)))
    const standstill = mine.some((p) => p.offlineMs === null) ? null : Math.max(0, ...mine.map((p) => p.offlineMs!))
    return {
      groupId: g.groupId,
      partitions: g.partitions.length,
      standstillMs: standstill,
      backlogRecords: sumOrNull(mine.map((p) => (p.writesRefused === null || p.writesFailed === null ? null : p.writesRefused - p.writesFailed))),
    }
  })
  return {
    expectedOutageMs: input.expectedOutageMs,
    deliveryTimeoutMs: input.deliveryTimeoutMs,
    acks: input.acks,
    policy: input.policy,
    recordsPerSecond: sumOrNull(input.rates.map((r) => r.recordsPerSecond)),
    options,
    recommendation,
    breakEvenMs: breakEven(options, rates, input),
    groups,
  }
}

/** What a log shows of its recent writes: the first record at or after a time, and its end and newest record. */
export interface LogGrowth {
  readonly firstOffset: bigint
  readonly firstMs: number
  readonly endOffset: bigint
  readonly newestMs: number
}

/** Records written per second between the first and the newest record of a window; null when too little to tell. */
export function writeRate(growth: LogGrowth, minSpanMs = 1000): number | null {
  const records = Number(growth.endOffset - growth.firstOffset)
  const spanMs = growth.newestMs - growth.firstMs
  if (records < 2 || spanMs < minSpanMs) return null
  // n records whose timestamps span the window describe n - 1 gaps between writes.
  return ((records - 1) * 1000) / spanMs
}
