import { describe, expect, it } from 'vitest'
import type { Clock } from '../../lib/poll/index.ts'
import { confirmAfterMs, confirmedRead, pollUntil, waitFor, waitUntil } from '../../lib/poll/index.ts'

/** A clock that moves only when slept on: the waits below cost no real time. */
function pinnedClock(): Clock & { slept: number[] } {
  let now = 1_000
  const slept: number[] = []
  return {
    slept,
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms)
      now += ms
    },
  }
}

describe('waitUntil', () => {
  it('returns as soon as the check holds, sleeping the interval between checks', async () => {
    const clock = pinnedClock()
    let reads = 0
    await waitUntil('the third read', async () => ++reads === 3, clock, { timeoutMs: 10_000, intervalMs: 100 })
    expect(reads).toBe(3)
    expect(clock.slept).toEqual([100, 100])
  })

  it('counts a failing check as not yet, and names what it waited for and the last error when time runs out', async () => {
    const clock = pinnedClock()
    let reads = 0
    const wait = waitUntil(
      'a leader',
      async () => {
        reads++
        throw new Error('NOT_LEADER_OR_FOLLOWER\nstack')
      },
      clock,
      { timeoutMs: 1000, intervalMs: 250, seen: () => 'p0 leader none' },
    )
    await expect(wait).rejects.toThrow('timed out after 1.0 s waiting for a leader (last seen: p0 leader none; NOT_LEADER_OR_FOLLOWER)')
    expect(reads).toBe(5)
  })

  it('ends at once on a fatal error or an abort, without waiting out the deadline', async () => {
    const clock = pinnedClock()
    const gone = new RangeError('broker 2 exited')
    await expect(waitUntil('never', () => Promise.reject(gone), clock, { timeoutMs: 60_000, fatal: (e) => e instanceof RangeError })).rejects.toBe(gone)
    const controller = new AbortController()
    let reads = 0
    const aborted = waitUntil(
      'never',
      async () => {
        if (++reads === 2) controller.abort(new Error('Ctrl-C'))
        return false
      },
      clock,
      { timeoutMs: 60_000, signal: controller.signal },
    )
    await expect(aborted).rejects.toThrow('Ctrl-C')
    expect(reads).toBe(2)
    expect(clock.slept).toEqual([250])
  })
})

describe('waitFor', () => {
  it('reports a timeout as an outcome rather than an error', async () => {
    const clock = pinnedClock()
    expect(await waitFor(async () => false, clock, { timeoutMs: 500, intervalMs: 200 })).toEqual({ held: false, lastSeen: '' })
    expect(await waitFor(async () => true, clock, { timeoutMs: 0 })).toEqual({ held: true, lastSeen: '' })
  })
})

/** Reads that answer from a list, one value each, the last repeated: a stale answer first, then the real state. */
const answers = <T>(values: readonly T[]) => {
  let reads = 0
  return { read: async () => values[Math.min(reads++, values.length - 1)]!, reads: () => reads }
}

describe('confirmedRead: good news from one read is not believed', () => {
  it('reads again a second later when the first read is good, and returns that second read', async () => {
    const clock = pinnedClock()
    const cluster = answers(['back (stale)', 'short'])
    const read = confirmedRead(cluster.read, (v) => v.startsWith('back'), clock)
    expect(await read()).toBe('short')
    expect(cluster.reads()).toBe(2)
    expect(clock.slept).toEqual([confirmAfterMs])
  })

  it('returns bad news at once, without a second read', async () => {
    const clock = pinnedClock()
    const cluster = answers(['short', 'back'])
    expect(await confirmedRead(cluster.read, (v) => v === 'back', { sleep: clock.sleep, confirmMs: 300 })()).toBe('short')
    expect(cluster.reads()).toBe(1)
    expect(clock.slept).toEqual([])
  })
})

describe('pollUntil', () => {
  it('reads at most the given number of times and returns the last value', async () => {
    const clock = pinnedClock()
    let n = 0
    expect(
      await pollUntil(
        async () => ++n,
        (v) => v > 10,
        { sleep: clock.sleep, intervalMs: 50, attempts: 4 },
      ),
    ).toBe(4)
    expect(clock.slept).toEqual([50, 50, 50])
  })
})
