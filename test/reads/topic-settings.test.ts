import { describe, expect, it } from 'vitest'
import { fakeCluster } from '../../lib/kafka/fake/index.ts'
import { readTopicSettings, settingOf } from '../../lib/reads/topic-settings.ts'

const cluster = () =>
  fakeCluster()
    .brokers(3)
    .brokerDefaults({ 'min.insync.replicas': '2' })
    .topic('orders', { partitions: 1, configs: { 'retention.ms': '3600000', 'min.insync.replicas': '1' } })
    .topic('payments', { partitions: 1 })
    .build()

describe('readTopicSettings', () => {
  it('reads each setting with its source, and the topic’s own overrides', async () => {
    const [orders, payments] = await readTopicSettings(cluster(), ['orders', 'payments'])
    expect(settingOf(orders, 'min.insync.replicas')).toMatchObject({ value: '1', source: 'dynamic-topic' })
    expect(settingOf(payments, 'min.insync.replicas')).toMatchObject({ value: '2', source: 'dynamic-broker-default' })
    expect(orders!.overrides).toEqual({ 'retention.ms': '3600000', 'min.insync.replicas': '1' })
    expect(payments!.overrides).toEqual({})
  })

  it('with names, reads only those; a name Kafka does not list reads as unset', async () => {
    const [orders] = await readTopicSettings(cluster(), ['orders'], ['min.insync.replicas', 'no.such.setting'])
    expect(Object.keys(orders!.settings)).toEqual(['min.insync.replicas'])
    expect(settingOf(orders, 'no.such.setting')).toEqual({ value: null, source: 'default', sensitive: false })
  })

  it('a topic Kafka does not know is read as not existing, with the reason', async () => {
    const [nope] = await readTopicSettings(cluster(), ['nope'])
    expect(nope).toMatchObject({ topic: 'nope', exists: false, error: { name: 'UNKNOWN_TOPIC_OR_PARTITION' } })
  })
})
