import { describe, expect, it } from 'vitest'
import { priceOutage, producerGiveUpMs, type Acks, type LossPolicy, type OptionEffects, type PricingInput } from '../../lib/plans/outage-price.ts'

const tp = (partition: number) => ({ topic: 'payments', partition })
const minute = 60_000
const hour = 60 * minute

/** The drill's page: two partitions at 75 records/s each, broker 2 loses 118 and 117, broker 3 about a thousand each. */
function input(over: Partial<PricingInput> & { electLoss?: [number, number]; exact?: boolean; rate?: number | null } = {}): PricingInput {
  const [l0, l1] = over.electLoss ?? [118, 117]
  const exact = over.exact ?? true
  const options: OptionEffects[] = [
    { option: 'wait', partitions: [0, 1].map((p) => ({ ...tp(p), offlineMs: 'outage' as const, lostRecords: 0, exact: true })) },
    {
      option: 'elect',
      partitions: [
        { ...tp(0), offlineMs: 5000, lostRecords: l0, exact },
        { ...tp(1), offlineMs: 5000, lostRecords: l1, exact },
      ],
    },
    {
      option: 'flag',
      partitions: [
        { ...tp(0), offlineMs: 300_000, lostRecords: 1030, exact },
        { ...tp(1), offlineMs: 300_000, lostRecords: 1020, exact },
      ],
    },
  ]
  const rate = over.rate === undefined ? 75 : over.rate
  return {
    rates: [0, 1].map((p) => ({ ...tp(p), recordsPerSecond: rate })),
    expectedOutageMs: 4 * hour,
    deliveryTimeoutMs: producerGiveUpMs.java,
    acks: '1',
    policy: 'min-records',
    options,
    groups: [{ groupId: 'ledger', partitions: [tp(0), tp(1)] }],
    ...over,
  }
}

describe('priceOutage: waiting against electing, in records', () => {
  it.each([
    // rate per partition, outage, delivery timeout → writes refused while waiting, failed after the timeout
    { name: '4 h at 150/s, Java timeout', rate: 75, outage: 4 * hour, timeout: 120_000, refused: 2_160_000, failed: 2_142_000 },
    { name: '90 s at 150/s, Java timeout: everything retried in time', rate: 75, outage: 90_000, timeout: 120_000, refused: 13_500, failed: 0 },
    { name: '90 s at 150/s, kafkajs budget', rate: 75, outage: 90_000, timeout: producerGiveUpMs.kafkajs, refused: 13_500, failed: 12_106 },
    { name: '10 min at 2/s, librdkafka timeout', rate: 1, outage: 10 * minute, timeout: producerGiveUpMs.librdkafka, refused: 1200, failed: 600 },
    { name: 'an idle topic', rate: 0, outage: 4 * hour, timeout: 120_000, refused: 0, failed: 0 },
  ])('$name', ({ rate, outage, timeout, refused, failed }) => {
    const priced = priceOutage(input({ rate, expectedOutageMs: outage, deliveryTimeoutMs: timeout }))
    const wait = priced.options.find((o) => o.option === 'wait')!
    expect(wait).toMatchObject({ writesRefused: refused, writesFailed: failed, lostRecords: 0, offlineMs: outage, partitionsOffline: 2 })
    expect(wait.partitions.map((p) => p.writesRefused)).toEqual([refused / 2, refused / 2])
    expect(priced.recordsPerSecond).toBe(rate * 2)
  })

  it('prices the elections in the same unit: their loss, and the writes refused for the seconds they take', () => {
    const priced = priceOutage(input())
    const elect = priced.options.find((o) => o.option === 'elect')!
    expect(elect).toMatchObject({ lostRecords: 235, lossExact: true, writesRefused: 750, writesFailed: 0, totalRecords: 235, offlineMs: 5000 })
    const flag = priced.options.find((o) => o.option === 'flag')!
    // Up to the controller's 5-minute scan: 300 s of writes, 180 s of them beyond Java's 120 s timeout.
    expect(flag).toMatchObject({ lostRecords: 2050, writesRefused: 45_000, writesFailed: 27_000, totalRecords: 29_050 })
  })

  it.each<{
    name: string
    outage: number | 'unknown'
    policy: LossPolicy
    acks: Acks
    timeout?: number
    loss?: [number, number]
    exact?: boolean
    option: string | null
    reason: string
  }>([
    {
      name: 'a 4 h outage, min-records: elect the least-loss replica',
      outage: 4 * hour,
      policy: 'min-records',
      acks: '1',
      option: 'elect',
      reason: 'failed-writes-exceed-loss',
    },
    { name: 'a 4 h outage, no acknowledged loss allowed: wait', outage: 4 * hour, policy: 'no-acked-loss', acks: '1', option: 'wait', reason: 'no-acked-loss' },
    { name: 'acks=all is acknowledged too: wait', outage: 4 * hour, policy: 'no-acked-loss', acks: 'all', option: 'wait', reason: 'no-acked-loss' },
    {
      name: 'acks=0 acknowledges nothing: the records decide',
      outage: 4 * hour,
      policy: 'no-acked-loss',
      acks: '0',
      option: 'elect',
      reason: 'failed-writes-exceed-loss',
    },
    { name: 'shorter than the delivery timeout: wait', outage: 100_000, policy: 'min-records', acks: '1', option: 'wait', reason: 'within-delivery-timeout' },
    {
      name: 'the same 100 s against kafkajs’ 9 s budget: elect',
      outage: 100_000,
      policy: 'min-records',
      acks: '1',
      timeout: producerGiveUpMs.kafkajs,
      option: 'elect',
      reason: 'failed-writes-exceed-loss',
    },
    {
      name: 'an outage barely past the timeout: the election loses more',
      outage: 121_000,
      policy: 'min-records',
      acks: '1',
      option: 'wait',
      reason: 'loss-exceeds-failed-writes',
    },
    { name: 'unknown outage: no single answer', outage: 'unknown', policy: 'min-records', acks: '1', option: null, reason: 'outage-unknown' },
    { name: 'unknown outage but no acked loss allowed: wait', outage: 'unknown', policy: 'no-acked-loss', acks: '1', option: 'wait', reason: 'no-acked-loss' },
    {
      name: 'an exact loss of nothing: elect at once',
      outage: 'unknown',
      policy: 'no-acked-loss',
      acks: '1',
      loss: [0, 0],
      option: 'elect',
      reason: 'election-loses-nothing',
    },
    {
      name: 'a floor of nothing proves nothing: no single answer',
      outage: 'unknown',
      policy: 'min-records',
      acks: '1',
      loss: [0, 0],
      exact: false,
      option: null,
      reason: 'outage-unknown',
    },
  ])('$name', ({ outage, policy, acks, timeout, loss, exact, option, reason }) => {
    const priced = priceOutage(
      input({
        expectedOutageMs: outage,
        policy,
        acks,
        ...(timeout ? { deliveryTimeoutMs: timeout } : {}),
        ...(loss ? { electLoss: loss } : {}),
        ...(exact === undefined ? {} : { exact }),
      }),
    )
    expect(priced.recommendation).toEqual({ option, reason })
  })

  it('with no measured rate, a long outage has no single answer under min-records', () => {
    expect(priceOutage(input({ rate: null })).recommendation).toEqual({ option: null, reason: 'rate-unknown' })
    expect(priceOutage(input({ rate: null })).breakEvenMs).toBeNull()
  })

  it('says from which outage waiting fails more writes than the least-loss election loses', () => {
    // 235 records at 150/s = 1.57 s beyond the 120 s timeout.
    expect(priceOutage(input({ expectedOutageMs: 'unknown' })).breakEvenMs).toBe(121_567)
    const atBreakEven = priceOutage(input({ expectedOutageMs: 121_567 }))
    // Each partition's count is rounded on its own: within a record of the loss per partition.
    expect(Math.abs(atBreakEven.options.find((o) => o.option === 'wait')!.writesFailed! - 235)).toBeLessThanOrEqual(2)
  })

  it('acknowledged loss follows acks: all of it with acks=1, at most all with acks=all, none with acks=0', () => {
    const acked = (acks: Acks) => priceOutage(input({ acks })).options.find((o) => o.option === 'elect')!.ackedLost
    expect(acked('1')).toEqual({ records: 235, atMost: false })
    expect(acked('all')).toEqual({ records: 235, atMost: true })
    expect(acked('0')).toEqual({ records: 0, atMost: false })
  })

  it('an option that cannot be taken is priced but never recommended', () => {
    const base = input()
    const options = base.options.map((o) => (o.option === 'wait' ? { ...o, unavailable: 'no dead broker holds every committed record' } : o))
    expect(priceOutage({ ...base, options, policy: 'no-acked-loss' }).recommendation).toEqual({ option: 'elect', reason: 'wait-unavailable' })
    const onlyWait = base.options.map((o) => (o.option === 'wait' ? o : { ...o, unavailable: 'nothing to elect' }))
    expect(priceOutage({ ...base, options: onlyWait }).recommendation).toEqual({ option: 'wait', reason: 'only-wait' })
  })

  it('stalled groups stand still as long as the chosen option keeps their partitions offline, then get the delayed writes', () => {
    const waiting = priceOutage(input({ expectedOutageMs: 100_000 }))
    expect(waiting.groups).toEqual([{ groupId: 'ledger', partitions: 2, standstillMs: 100_000, backlogRecords: 15_000 }])
    const electing = priceOutage(input())
    expect(electing.groups).toEqual([{ groupId: 'ledger', partitions: 2, standstillMs: 5000, backlogRecords: 750 }])
    expect(priceOutage(input({ expectedOutageMs: 'unknown' })).groups[0]).toMatchObject({ standstillMs: null, backlogRecords: null })
  })
})
