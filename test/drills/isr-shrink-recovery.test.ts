// The isr-shrink drill's own watch of the ISR coming back after the hosts resume, on the fake: its "back" decides
// when the incident ended and whether the trainee's revert of min.insync.replicas was early.

import { describe, expect, it } from 'vitest'
import { watchIsrBack } from '../../lib/drills/scenarios/isr-shrink.ts'
import { fakeCluster } from '../../lib/kafka/fake/index.ts'
import type { Clock } from '../../lib/poll/index.ts'

/** A clock that moves only when slept on. */
function pinnedClock(startMs: number): Clock {
  let now = startMs
  return {
    now: () => now,
    sleep: async (ms) => {
      now += ms
    },
  }
}

describe('isr-shrink drill: when the ISR is back', () => {
  it('one read answered from before the pause (the full ISR) is not the ISR back: the read a second later finds it short', async () => {
    const kafka = fakeCluster({ kafka: '4.3' })
      .brokers(3)
      .topic('payments', {
        replicas: [
          [1, 2, 3],
          [1, 3, 2],
          [1, 2, 3],
        ],
        configs: { 'min.insync.replicas': '2' },
      })
      .build()
    kafka.killBroker(2).killBroker(3)
    let reads = 0
    const readSizes = async () => {
      reads++
      // The brokers rejoin before the third read; the first read comes from a broker just resumed, still listing
      // the ISR it knew before the shrink.
      if (reads === 3) kafka.restartBroker(2).restartBroker(3)
      const [topic] = await kafka.partitionStates(['payments'])
      const sizes = topic!.partitions.map((p) => p.isr.length)
      return reads === 1 ? sizes.map(() => 3) : sizes
    }
    const state = { isrBackAtMs: null as number | null, isrShortSeenAtMs: 1_000 as number | null }
    const back = await watchIsrBack(readSizes, state, pinnedClock(1_000), new AbortController().signal)
    expect(back).toBe(true)
    expect(reads).toBe(4)
    // Short at the confirming read (asked 1 s after the stale one); back at the fourth read, which confirms the third.
    expect(state).toEqual({ isrShortSeenAtMs: 2_000, isrBackAtMs: 3_250 })
  })

  it('gives up after two minutes of a short ISR, having noted the last short read', async () => {
    const kafka = fakeCluster({ kafka: '4.3' })
      .brokers(3)
      .topic('payments', { replicas: [[1, 2, 3]], configs: { 'min.insync.replicas': '2' } })
      .build()
    kafka.killBroker(2).killBroker(3)
    const readSizes = async () => (await kafka.partitionStates(['payments']))[0]!.partitions.map((p) => p.isr.length)
    const state = { isrBackAtMs: null as number | null, isrShortSeenAtMs: 0 as number | null }
    expect(await watchIsrBack(readSizes, state, pinnedClock(0), new AbortController().signal)).toBe(false)
    expect(state).toEqual({ isrBackAtMs: null, isrShortSeenAtMs: 119_750 })
  })
})
