import { describe, expect, it } from 'vitest'
import { fakeCluster } from '../../lib/kafka/fake/index.ts'
import { readPartitionHealth } from '../../lib/reads/partition-health.ts'

describe('readPartitionHealth', () => {
  it('flags a partition without a leader as unavailable', async () => {
    const kafka = fakeCluster()
      .brokers(3)
      .topic('lonely', { replicas: [[3]] })
      .build()
    kafka.killBroker(3)
    expect((await readPartitionHealth(kafka)).flagged).toMatchObject([
      { topic: 'lonely', partition: 0, leader: null, conditions: ['unavailable', 'under-min-isr', 'under-replicated'] },
    ])
  })

  it('a partition led by a broker the brokers read still lists fenced (the two reads from different moments) is not unavailable', async () => {
    const kafka = fakeCluster()
      .brokers(3)
      .broker(3, { state: 'fenced' })
      .topic('orders', { replicas: [[3, 1, 2]] })
      .build()
    expect(await readPartitionHealth(kafka)).toMatchObject({ total: 1, flagged: [] })
  })
})
