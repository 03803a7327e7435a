import { describe, expect, it } from 'vitest'
import { fakeCluster } from '../../lib/kafka/fake/index.ts'
import type { KafkaOps } from '../../lib/kafka/types.ts'
import { readHealthSnapshot } from '../../lib/reads/status-snapshot.ts'

describe('readHealthSnapshot: what waits for what', () => {
  it("the groups' reads start once the groups are listed, without waiting for the topics' settings", async () => {
    const kafka = fakeCluster()
      .brokers(3)
      .topic('orders', { partitions: 2, configs: { 'min.insync.replicas': '2' } })
      .records('orders', 0, { count: 100 })
      .group('billing', { offsets: { 'orders/0': 60n } })
      .build()
    // The settings answers are held for one turn of the event loop, as a broker's answers are held by the
    // network: the group reads must have been asked in the meantime.
    const events: string[] = []
    const held = new Proxy(kafka, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver)
        if (typeof value !== 'function') return value
        if (property === 'describeConfigs')
          return async (...args: Parameters<KafkaOps['describeConfigs']>) => {
            const answer = await target.describeConfigs(...args)
            await new Promise((resolve) => setImmediate(resolve))
            if (args[0].some((r) => r.type === 'topic')) events.push('topic settings answered')
            return answer
          }
        if (property === 'committedOffsets' || property === 'describeGroups')
          return (...args: unknown[]) => {
            events.push(`${String(property)} asked`)
            return (value as (...a: unknown[]) => unknown).apply(target, args)
          }
        return value.bind(target)
      },
    })
    const snapshot = await readHealthSnapshot(held)
    expect(events.indexOf('committedOffsets asked')).toBeLessThan(events.indexOf('topic settings answered'))
    expect(events.indexOf('describeGroups asked')).toBeLessThan(events.indexOf('topic settings answered'))
    // The same reading as without the hold.
    const unheld = await readHealthSnapshot(kafka)
    const reading = ({ topics, minIsr, retention, groups, problems }: typeof snapshot) => ({ topics, minIsr, retention, groups, problems })
    expect(reading(snapshot)).toEqual(reading(unheld))
    expect(snapshot.groups).toMatchObject([{ groupId: 'billing', partitions: [{ topic: 'orders', partition: 0, committed: 60n, logEnd: 100n }] }])
  })
})
