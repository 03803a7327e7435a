// The fake cluster the engine tests run the topic-retention fixture against, and ways to poke it.

import { fakeCluster, type FakeKafka } from '../../lib/kafka/fake/index.ts'
import type { KafkaOps } from '../../lib/kafka/types.ts'

/** One broker, topic `orders` (and `audit`), with a retention.ms override on orders when given. */
export function retentionCluster(retentionMs?: string, kafka: '4.3' | '3.9' = '4.3'): FakeKafka {
  return fakeCluster({ kafka })
    .brokers(1)
    .topic('orders', { partitions: 1, replicationFactor: 1, configs: { 'cleanup.policy': 'delete', ...(retentionMs ? { 'retention.ms': retentionMs } : {}) } })
    .build()
}

/** retention.ms of a topic and whether the topic overrides it. */
export async function retentionOf(kafka: KafkaOps, topic = 'orders'): Promise<{ value: string | null; override: boolean }> {
  const [config] = await kafka.describeConfigs([{ type: 'topic', name: topic }])
  const entry = config!.entries.find((e) => e.name === 'retention.ms')
  return { value: entry?.value ?? null, override: entry?.source === 'dynamic-topic' }
}

/** Someone else changes the topic (between a plan and its apply, or after a session). */
export async function changeRetention(kafka: KafkaOps, value: string, topic = 'orders'): Promise<void> {
  const [result] = await kafka.incrementalAlterConfigs([{ resource: { type: 'topic', name: topic }, ops: [{ name: 'retention.ms', op: 'set', value }] }], {
    validateOnly: false,
  })
  if (result?.error) throw new Error(result.error.message)
}

/** The same cluster, except that config writes are refused as unauthorized (fault injection, not Kafka behaviour). */
export function refusingConfigWrites(kafka: FakeKafka): KafkaOps {
  return new Proxy(kafka, {
    get(target, property) {
      if (property === 'incrementalAlterConfigs') {
        return async (changes: Parameters<KafkaOps['incrementalAlterConfigs']>[0], options: { validateOnly: boolean }) =>
          options.validateOnly
            ? target.incrementalAlterConfigs(changes, options)
            : changes.map((change) => ({
                resource: change.resource,
                error: { code: 29, name: 'TOPIC_AUTHORIZATION_FAILED', message: 'Not authorized to access topics: [orders]' },
              }))
      }
      const value = Reflect.get(target, property, target) as unknown
      return typeof value === 'function' ? value.bind(target) : value
    },
  }) as KafkaOps
}
