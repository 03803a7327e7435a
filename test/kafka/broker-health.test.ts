// The bookkeeping behind "send it to a broker that answers": fresh after an answer, stale once the last answer is
// old, left aside and said once until it answers again.

import { describe, expect, it } from 'vitest'
import { BrokerHealth, freshForMs } from '../../lib/kafka/platformatic/broker-health.ts'
import { within } from '../../lib/kafka/within.ts'

function clocked() {
  let now = 1_000_000
  const notices: string[] = []
  const health = new BrokerHealth(
    (line) => notices.push(line),
    () => now,
  )
  return { health, notices, advance: (ms: number) => void (now += ms) }
}

describe('BrokerHealth', () => {
  it('a broker is fresh right after it answers, stale once its last answer is older than the window', () => {
    const { health, advance } = clocked()
    expect(health.fresh('b1')).toBe(false)
    expect(health.answers('b1')).toBe(false)
    health.sent('b1')
    health.settled('b1', true)
    expect(health.fresh('b1')).toBe(true)
    advance(freshForMs)
    expect(health.fresh('b1')).toBe(true)
    advance(1)
    expect(health.fresh('b1')).toBe(false)
    expect(health.answers('b1')).toBe(true)
  })

  it('a broker left aside is said once, stays aside after failures, and is back (and said again if it goes silent again) once it answers', () => {
    const { health, notices } = clocked()
    health.sent('b2')
    health.settled('b2', true)
    health.markSilent('b2', 'broker 2 (h:2)', 'no answer to a probe within 3 s')
    health.markSilent('b2', 'broker 2 (h:2)', 'it did not answer in time')
    health.sent('b2')
    health.settled('b2', false)
    expect(health.silent('b2')).toBe(true)
    expect(health.answers('b2')).toBe(false)
    expect(health.fresh('b2')).toBe(false)
    expect(notices).toEqual([
      'broker 2 (h:2) is not answering (no answer to a probe within 3 s): requests any broker can answer go to the others until it answers again',
    ])
    health.sent('b2')
    health.settled('b2', true)
    expect(health.silent('b2')).toBe(false)
    expect(health.fresh('b2')).toBe(true)
    health.markSilent('b2', 'broker 2 (h:2)', 'it did not answer in time')
    expect(notices).toHaveLength(2)
  })
})

describe('within', () => {
  it('gives the value when it comes in time, timedOut when it does not, and passes a failure on', async () => {
    expect(await within(Promise.resolve(7), 1000)).toEqual({ value: 7 })
    expect(await within(new Promise(() => {}), 5)).toBe('timedOut')
    await expect(within(Promise.reject(new Error('refused')), 1000)).rejects.toThrow('refused')
  })
})
