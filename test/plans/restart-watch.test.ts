import { describe, expect, it } from 'vitest'
import { priceOutage, producerGiveUpMs, type OptionEffects, type PricingInput } from '../../lib/plans/outage-price.ts'
import {
  classifyRestart,
  maxRestartWatchMs,
  minRestartWatchMs,
  remainingOutage,
  repriceWithElapsed,
  restartWatchDeadline,
  watchIsOver,
  watchMilestones,
  type CommandEnd,
  type WatchMilestones,
  type WatchObservation,
} from '../../lib/plans/restart-watch.ts'

const minute = 60_000
const hour = 60 * minute

describe('restartWatchDeadline: how long a restart is watched', () => {
  it.each([
    // break-even and delivery timeout from the pricing, time already spent since it → watch, basis
    {
      name: 'the break-even outage, nothing spent yet',
      breakEven: 5 * minute,
      timeout: 120_000,
      elapsed: 0,
      ms: 5 * minute,
      basis: 'break-even',
      passed: false,
    },
    {
      name: 'the break-even outage less the minute spent deciding',
      breakEven: 5 * minute,
      timeout: 120_000,
      elapsed: minute,
      ms: 4 * minute,
      basis: 'break-even',
      passed: false,
    },
    {
      name: 'no election to compare: the delivery timeout',
      breakEven: null,
      timeout: 120_000,
      elapsed: 0,
      ms: 120_000,
      basis: 'delivery-timeout',
      passed: false,
    },
    {
      name: 'librdkafka’s 300 s, 100 s spent',
      breakEven: null,
      timeout: producerGiveUpMs.librdkafka,
      elapsed: 100_000,
      ms: 200_000,
      basis: 'delivery-timeout',
      passed: false,
    },
    {
      name: 'kafkajs’s 9.3 s budget is shorter than a broker start',
      breakEven: null,
      timeout: producerGiveUpMs.kafkajs,
      elapsed: 0,
      ms: minRestartWatchMs,
      basis: 'floor',
      passed: false,
    },
    { name: 'break-even already behind', breakEven: 121_567, timeout: 120_000, elapsed: 200_000, ms: minRestartWatchMs, basis: 'floor', passed: true },
    { name: 'a break-even of hours is capped', breakEven: 6 * hour, timeout: 120_000, elapsed: 0, ms: maxRestartWatchMs, basis: 'cap', passed: false },
  ])('$name', ({ breakEven, timeout, elapsed, ms, basis, passed }) => {
    expect(restartWatchDeadline({ breakEvenMs: breakEven, deliveryTimeoutMs: timeout, elapsedMs: elapsed })).toEqual({ ms, basis, breakEvenPassed: passed })
  })

  it('the operator’s own bound wins, and still says whether the break-even is behind', () => {
    expect(restartWatchDeadline({ breakEvenMs: 60_000, deliveryTimeoutMs: 120_000, elapsedMs: 90_000, givenMs: 5000 })).toEqual({
      ms: 5000,
      basis: 'given',
      breakEvenPassed: true,
    })
  })
})

const look = (atMs: number, registered: boolean, led: number, inIsr = 0, of = 2): WatchObservation => ({ atMs, registered, led, inIsr, of })

describe('watchMilestones and classifyRestart: what the watch comes to', () => {
  const started = 1_000_000
  const back = [
    look(started + 400, false, 0),
    look(started + 1400, false, 0),
    look(started + 2400, true, 0),
    look(started + 3400, true, 2),
    look(started + 4400, true, 2, 2),
    look(started + 5400, true, 2, 2),
  ]

  it('first time each milestone held, after the command started', () => {
    expect(watchMilestones(started, back)).toEqual({ registeredAfterMs: 2400, ledAfterMs: 3400, inIsrAfterMs: 4400 })
    expect(watchMilestones(started, back.slice(0, 2))).toEqual({ registeredAfterMs: null, ledAfterMs: null, inIsrAfterMs: null })
    // One partition led of two is not the end of the outage.
    expect(watchMilestones(started, [look(started + 100, true, 1)]).ledAfterMs).toBeNull()
  })

  it('a milestone seen by one poll only is not seen: the next poll must find it too', () => {
    // A broker just back from a pause answers from its old metadata: the dead broker registered and every
    // partition led (+400 ms); the next poll finds the real state.
    const stale = [look(started + 400, true, 2, 2), look(started + 1400, false, 0), look(started + 2400, true, 2, 2), look(started + 3400, true, 2, 2)]
    expect(watchMilestones(started, stale)).toEqual({ registeredAfterMs: 2400, ledAfterMs: 2400, inIsrAfterMs: 2400 })
    expect(watchMilestones(started, stale.slice(0, 3))).toEqual({ registeredAfterMs: null, ledAfterMs: null, inIsrAfterMs: null })
    expect(classifyRestart(null, watchMilestones(started, stale.slice(0, 2)), 1400)).toMatchObject({ kind: 'not-back' })
  })

  const led: WatchMilestones = { registeredAfterMs: 2400, ledAfterMs: 3400, inIsrAfterMs: null }
  const none: WatchMilestones = { registeredAfterMs: null, ledAfterMs: null, inIsrAfterMs: null }
  const registered: WatchMilestones = { registeredAfterMs: 2400, ledAfterMs: null, inIsrAfterMs: null }
  it.each<{ name: string; end: CommandEnd; milestones: WatchMilestones; kind: string; extra?: object }>([
    { name: 'led, command succeeded', end: { exitCode: 0 }, milestones: led, kind: 'back', extra: { outageMs: 3400, commandFailed: false } },
    { name: 'led, command still running', end: null, milestones: led, kind: 'back', extra: { commandFailed: false } },
    {
      name: 'led although the command failed (someone else restarted it)',
      end: { exitCode: 1 },
      milestones: led,
      kind: 'back',
      extra: { commandFailed: true },
    },
    { name: 'exit 3, nothing back', end: { exitCode: 3 }, milestones: none, kind: 'command-failed', extra: { exitCode: 3, elapsedMs: 9000 } },
    { name: 'exit 0, deadline passed, registered but unled', end: { exitCode: 0 }, milestones: registered, kind: 'not-back', extra: { registered: true } },
    { name: 'command stopped at its deadline', end: { stoppedBy: 'deadline' }, milestones: none, kind: 'not-back', extra: { registered: false } },
    { name: 'Ctrl-C', end: { stoppedBy: 'interrupt' }, milestones: none, kind: 'interrupted' },
  ])('$name → $kind', ({ end, milestones, kind, extra }) => {
    expect(classifyRestart(end, milestones, 9000)).toMatchObject({ kind, ...extra })
  })

  it.each<{ name: string; end: CommandEnd; milestones: WatchMilestones; elapsed: number; over: boolean }>([
    { name: 'nothing yet, command running, before the deadline', end: null, milestones: none, elapsed: 5000, over: false },
    { name: 'command done with exit 0: keep watching the broker start', end: { exitCode: 0 }, milestones: none, elapsed: 5000, over: false },
    { name: 'command failed: stop now', end: { exitCode: 1 }, milestones: none, elapsed: 5000, over: true },
    { name: 'deadline passed', end: null, milestones: none, elapsed: 30_000, over: true },
    { name: 'led, ISR not yet whole: a few more polls', end: { exitCode: 0 }, milestones: led, elapsed: 5000, over: false },
    { name: 'led and ISR whole', end: { exitCode: 0 }, milestones: { ...led, inIsrAfterMs: 4400 }, elapsed: 5000, over: true },
    { name: 'led, ISR not whole, deadline passed', end: null, milestones: led, elapsed: 30_000, over: true },
  ])('watchIsOver: $name', ({ end, milestones, elapsed, over }) => {
    expect(watchIsOver(end, milestones, elapsed, 30_000)).toBe(over)
  })
})

/** The drill's page: two partitions at 75 records/s, the least-loss election deletes 118 + 117 records. */
function page(over: Partial<PricingInput> = {}): PricingInput {
  const tp = (partition: number) => ({ topic: 'payments', partition })
  const options: OptionEffects[] = [
    { option: 'wait', partitions: [0, 1].map((p) => ({ ...tp(p), offlineMs: 'outage' as const, lostRecords: 0, exact: true })) },
    { option: 'elect', partitions: [118, 117].map((lost, p) => ({ ...tp(p), offlineMs: 5000, lostRecords: lost, exact: true })) },
    { option: 'flag', partitions: [1030, 1020].map((lost, p) => ({ ...tp(p), offlineMs: 300_000, lostRecords: lost, exact: true })) },
  ]
  return {
    rates: [0, 1].map((p) => ({ ...tp(p), recordsPerSecond: 75 })),
    expectedOutageMs: 'unknown',
    deliveryTimeoutMs: producerGiveUpMs.java,
    acks: '1',
    policy: 'min-records',
    options,
    groups: [],
    ...over,
  }
}

describe('repriceWithElapsed: the options once the restart did not work', () => {
  it('adds the time spent to every option’s offline time and keeps the break-even', () => {
    const before = priceOutage(page())
    const after = repriceWithElapsed(page(), 90_000, 'unknown')
    const elect = after.options.find((o) => o.option === 'elect')!
    // 95 s offline in all at 150 records/s: 14,250 writes refused, none failed yet (under Java's 120 s).
    expect(elect).toMatchObject({ offlineMs: 95_000, writesRefused: 14_250, writesFailed: 0, lostRecords: 235 })
    expect(after.breakEvenMs).toBe(before.breakEvenMs)
    expect(after.breakEvenMs).toBe(121_567)
    expect(after.recommendation).toEqual({ option: null, reason: 'outage-unknown' })
  })

  it.each([
    // elapsed, what is left of a 4 h estimate → what the numbers say now
    {
      name: 'a vendor’s 4 h still ahead: electing (235 deleted) beats ~2.1 M failed writes',
      expected: 4 * hour,
      elapsed: 3 * minute,
      option: 'elect',
      reason: 'failed-writes-exceed-loss',
    },
    {
      name: 'a 1 min estimate, 30 s spent: the rest is inside the delivery timeout',
      expected: minute,
      elapsed: 30_000,
      option: 'wait',
      reason: 'within-delivery-timeout',
    },
    { name: 'an estimate already used up: unknown, no single answer', expected: minute, elapsed: 2 * minute, option: null, reason: 'outage-unknown' },
  ])('$name', ({ expected, elapsed, option, reason }) => {
    const remaining = remainingOutage(expected, elapsed)
    const after = repriceWithElapsed(page({ expectedOutageMs: expected }), elapsed, remaining)
    expect(after.recommendation).toEqual({ option, reason })
    if (remaining !== 'unknown') expect(after.expectedOutageMs).toBe(expected)
  })

  it('past the delivery timeout, electing now fails the writes already waiting too', () => {
    const after = repriceWithElapsed(page({ expectedOutageMs: 4 * hour }), 200_000, remainingOutage(4 * hour, 200_000))
    const elect = after.options.find((o) => o.option === 'elect')!
    // 205 s offline, 85 s of them past the 120 s timeout, at 150 records/s.
    expect(elect).toMatchObject({ offlineMs: 205_000, writesFailed: 12_750, totalRecords: 12_985 })
    expect(after.options.find((o) => o.option === 'wait')).toMatchObject({ offlineMs: 4 * hour, writesFailed: Math.round(150 * (4 * 3600 - 120)) })
  })

  it('remainingOutage', () => {
    expect(remainingOutage('unknown', 1000)).toBe('unknown')
    expect(remainingOutage(10_000, 4000)).toBe(6000)
    expect(remainingOutage(10_000, 10_000)).toBe('unknown')
  })
})
