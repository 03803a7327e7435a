import { describe, expect, it } from 'vitest'
import { fakeCluster } from '../../lib/kafka/fake/index.ts'
import { readRestartProgress } from '../../lib/reads/leaderless.ts'

const partitions = [
  { topic: 'orders', partition: 0 },
  { topic: 'orders', partition: 1 },
]

describe('readRestartProgress', () => {
  it('counts a restarted broker as back when the cluster lists it unfenced', async () => {
    const kafka = fakeCluster()
      .brokers(3)
      .topic('orders', {
        replicas: [
          [1, 2],
          [2, 3],
        ],
      })
      .build()
    const progress = await readRestartProgress(kafka, [1], partitions)
    expect(progress).toMatchObject({ registered: true, up: [1], led: 2, inIsr: 2, of: 2 })
  })

  it('a broker still listed as fenced counts as back once it leads a partition (the two reads from brokers at different metadata)', async () => {
    const kafka = fakeCluster()
      .brokers(3)
      .broker(1, { state: 'fenced' })
      .topic('orders', {
        replicas: [
          [1, 2],
          [2, 3],
        ],
      })
      .build()
    const progress = await readRestartProgress(kafka, [1], partitions)
    expect(progress).toMatchObject({ registered: true, up: [1], led: 2 })
  })

  it('a fenced broker that leads nothing, even if still in an ISR, is not back', async () => {
    const kafka = fakeCluster()
      .brokers(3)
      .broker(1, { state: 'fenced' })
      .topic('orders', {
        replicas: [
          [2, 1],
          [2, 3],
        ],
      })
      .build()
    const progress = await readRestartProgress(kafka, [1], partitions)
    expect(progress).toMatchObject({ registered: false, up: [] })
  })
})
