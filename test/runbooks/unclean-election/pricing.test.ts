import { describe, expect, it } from 'vitest'
import { runRunbook, type RunOptions } from '../../../lib/engine/runner.ts'
import { readEvents } from '../../../lib/engine/session.ts'
import { fakeCluster, type FakeKafka } from '../../../lib/kafka/fake/index.ts'
import type { OutagePricing } from '../../../lib/plans/outage-price.ts'
import type { MeasuredRate } from '../../../lib/reads/write-rate.ts'
import { scriptedIo } from '../../../lib/testkit/index.ts'
import runbook from '../../../runbooks/unclean-election/index.ts'
import { given, runOptions } from '../../support/run-options.ts'

const clock = () => Date.parse('2026-11-24T03:00:00Z')
const t0 = clock() - 600_000

/**
 * payments-0 (replicas 1,2,3) took 50 records/s for 20 s in sync, then 500 more that follower 3 missed; payments-1
 * (replicas 1,2) has no live replica left; payments-2 (replicas 3,1,2) keeps its leader and took 20 records/s.
 * Group billing read payments-0 up to 1,300. Then brokers 2 and 1 died.
 */
function incident(kafkaLine: '4.3' | '3.9' = '4.3'): FakeKafka {
  const kafka = fakeCluster({ kafka: kafkaLine, clock })
    .brokers(3)
    .topic('payments', {
      replicas: [
        [1, 2, 3],
        [1, 2],
        [3, 1, 2],
      ],
      configs: { 'min.insync.replicas': '2' },
    })
    .group('billing', { offsets: { 'payments/0': 1300n } })
    .build()
  kafka.write('payments', 0, 1000, { acks: 1, timestampMs: t0, stepMs: 20 })
  kafka.write('payments', 1, 1000, { acks: 1, timestampMs: t0, stepMs: 20 })
  kafka.write('payments', 2, 400, { acks: 1, timestampMs: t0, stepMs: 50 })
  kafka.dropFromIsr('payments', 0, 3)
  kafka.write('payments', 0, 500, { acks: 1, timestampMs: t0 + 20_000, stepMs: 20 })
  kafka.killBroker(2).killBroker(1)
  return kafka
}

const headless = () => scriptedIo([], { interactive: false })
const options = (kafka: FakeKafka, set: Record<string, string>, extra: Partial<RunOptions> = {}): RunOptions =>
  runOptions(headless(), kafka, { clock, given: given(set), ...extra })

interface PricingData {
  rates: MeasuredRate[]
  pricing: OutagePricing
}
const pricingOf = (result: Awaited<ReturnType<typeof runRunbook>>) => result.cells.find((c) => c.id === 'cost-of-waiting')!.data as PricingData
const decisionOf = (result: Awaited<ReturnType<typeof runRunbook>>) =>
  readEvents(result.sessionDir).find((e) => e.type === 'decision') as unknown as {
    recommended: string | null
    chosen: string
    options: { value: string; cost: string }[]
  }

describe('unclean-election: waiting priced against electing', () => {
  it('measures the pre-failure rate from the live replica’s own log, else from the led siblings', async () => {
    const result = await runRunbook(runbook, options(incident(), { 'expected-outage': '4h', policy: 'min-records', decision: 'wait', 'wait-timeout': '1s' }))
    const { rates } = pricingOf(result)
    expect(rates.map((r) => [r.partition, r.source, r.broker, r.siblings, r.records])).toEqual([
      [0, 'replica', 3, [], 1000],
      [1, 'siblings', null, [2], 400],
    ])
    // 1,000 records 20 ms apart, 400 records 50 ms apart.
    expect(rates[0]!.recordsPerSecond).toBeCloseTo(50, 6)
    expect(rates[1]!.recordsPerSecond).toBeCloseTo(20, 6)
  })

  it('a long outage under min-records: elect, in the same unit as the writes waiting would fail', async () => {
    const result = await runRunbook(
      runbook,
      options(incident(), { partitions: 'payments:0', candidate: '3', 'expected-outage': '4h', policy: 'min-records' }, { dryRun: true }),
    )
    expect(result.exitCode).toBe(0)
    const { pricing } = pricingOf(result)
    const [wait, elect] = pricing.options
    // 4 h at 50 records/s = 720,000 writes refused; 6,000 of them inside Java's 120 s delivery timeout.
    expect(wait).toMatchObject({ option: 'wait', writesRefused: 720_000, writesFailed: 714_000, lostRecords: 0, offlineMs: 4 * 3_600_000 })
    // Billing read 300 records past broker 3's end: at least those go; the election takes about 5 s.
    expect(elect).toMatchObject({ option: 'elect', lostRecords: 300, lossExact: false, writesRefused: 250, writesFailed: 0, totalRecords: 300 })
    expect(pricing.recommendation).toEqual({ option: 'elect', reason: 'failed-writes-exceed-loss' })
    expect(pricing.groups).toEqual([{ groupId: 'billing', partitions: 1, standstillMs: 5000, backlogRecords: 250 }])
    const decision = decisionOf(result)
    expect(decision.recommended).toBe('elect')
    expect(decision.options.find((o) => o.value === 'wait')!.cost).toContain('720,000 writes refused while offline, 714,000 of them failed by producers')
  })

  it.each<{ name: string; set: Record<string, string>; option: string; reason: string }>([
    { name: 'no acknowledged loss allowed: wait', set: { 'expected-outage': '4h', policy: 'no-acked-loss' }, option: 'wait', reason: 'no-acked-loss' },
    {
      name: 'an outage inside the delivery timeout: wait',
      set: { 'expected-outage': '90s', policy: 'min-records' },
      option: 'wait',
      reason: 'within-delivery-timeout',
    },
    {
      name: 'the same 90 s for kafkajs producers (about 9 s of retries): elect',
      set: { 'expected-outage': '90s', policy: 'min-records', 'delivery-timeout': '9300ms' },
      option: 'elect',
      reason: 'failed-writes-exceed-loss',
    },
    {
      name: 'acks=0 producers were never answered: the records decide',
      set: { 'expected-outage': '4h', policy: 'no-acked-loss', 'producer-acks': '0' },
      option: 'elect',
      reason: 'failed-writes-exceed-loss',
    },
  ])('$name', async ({ set, option, reason }) => {
    const result = await runRunbook(runbook, options(incident(), { partitions: 'payments:0', candidate: '3', ...set }, { dryRun: true }))
    expect(pricingOf(result).pricing.recommendation).toEqual({ option, reason })
    expect(decisionOf(result).recommended).toBe(option)
  })

  it('an unknown outage: the table, the break-even outage, and no single answer — headless needs an explicit decision', async () => {
    const kafka = incident()
    const result = await runRunbook(runbook, options(kafka, { partitions: 'payments:0' }))
    expect(result).toMatchObject({ status: 'refused', exitCode: 2 })
    expect(result.message).toContain('--set decision=')
    const { pricing } = pricingOf(result)
    expect(pricing).toMatchObject({ expectedOutageMs: 'unknown', policy: 'min-records', recommendation: { option: null, reason: 'outage-unknown' } })
    // Waiting fails 300 writes once the outage is 6 s past the 120 s delivery timeout.
    expect(pricing.breakEvenMs).toBe(126_000)
    expect(pricing.options.find((o) => o.option === 'wait')).toMatchObject({ writesRefused: null, writesFailed: null })
    expect(decisionOf(result)).toBeUndefined()
    expect(kafka.mutations).toEqual([])
  })

  it('says the two losses apart, and what ends the outage on this version', async () => {
    for (const [line, words] of [
      ['4.3', 'Kafka 4.x, ELR on: waiting ends when the last known leader'],
      ['3.9', 'Kafka 3.9 (no ELR): waiting ends when the broker still listed as the ISR'],
    ] as const) {
      const io = headless()
      await runRunbook(
        runbook,
        runOptions(io, incident(line), { clock, dryRun: true, given: given({ partitions: 'payments:0', candidate: '3', 'expected-outage': '4h' }) }),
      )
      const screen = io.screen().replace(/\s+/g, ' ')
      expect(screen).toContain(words)
      expect(screen).toContain('Writes refused while waiting are not lost by Kafka')
      expect(screen).toContain('are lost silently')
      expect(screen).toContain('No --set policy given: priced as min-records')
    }
  })

  it.each<{ name: string; set: Record<string, string>; message: string }>([
    { name: 'an outage that is no duration', set: { 'expected-outage': 'soon' }, message: 'expected-outage' },
    { name: 'an unknown policy', set: { policy: 'no-loss' }, message: 'policy' },
    { name: 'an unknown acks', set: { 'producer-acks': '2' }, message: 'producer-acks' },
  ])('refuses $name before any cell runs', async ({ set, message }) => {
    const kafka = incident()
    const result = await runRunbook(runbook, options(kafka, set))
    expect(result).toMatchObject({ status: 'refused', exitCode: 2 })
    expect(result.message).toContain(message)
    expect(result.cells.every((c) => c.outcome === 'not-run')).toBe(true)
  })
})
