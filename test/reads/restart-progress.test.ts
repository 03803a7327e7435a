import { describe, expect, it } from 'vitest'
import { fakeCluster } from '../../lib/kafka/fake/index.ts'
import { readRestartProgress } from '../../lib/reads/leaderless.ts'

const partitions = [
  { topic: 'orders', partition: 0 },
  { topic: 'orders', partition: 1 },
]

/** Three brokers, orders/0 and orders/1 on these replicas (the first leads), broker 1 listed fenced or not. */
function restartOf1(options: { fenced: boolean; replicas: number[][] }) {
  const builder = fakeCluster().brokers(3)
  if (options.fenced) builder.broker(1, { state: 'fenced' })
  return readRestartProgress(builder.topic('orders', { replicas: options.replicas }).build(), [1], partitions)
}

describe('readRestartProgress', () => {
  it('counts a restarted broker as back when the cluster lists it unfenced', async () => {
    const progress = await restartOf1({
      fenced: false,
      replicas: [
        [1, 2],
        [2, 3],
      ],
    })
    expect(progress).toMatchObject({ registered: true, up: [1], led: 2, inIsr: 2, of: 2 })
  })

  it('a broker still listed as fenced counts as back once it leads a partition (the cluster read older than the partition read)', async () => {
    const progress = await restartOf1({
      fenced: true,
      replicas: [
        [1, 2],
        [2, 3],
      ],
    })
    expect(progress).toMatchObject({ registered: true, up: [1], led: 2 })
  })

  it('a fenced broker that leads nothing, even if still in an ISR, is not back', async () => {
    const progress = await restartOf1({
      fenced: true,
      replicas: [
        [2, 1],
        [2, 3],
      ],
    })
    expect(progress).toMatchObject({ registered: false, up: [] })
  })
})
