// The KafkaOps contract against the in-memory fake, imitating each supported Kafka line.

import { fakeCluster } from '../../lib/kafka/fake/index.ts'
import type { FakeKafka } from '../../lib/kafka/fake/index.ts'
import { offsetsPartitionOf } from '../../lib/kafka/group-coordination.ts'
import { type ContractWorld, kafkaContract } from './contract.ts'

function fakeWorld(line: '4.3' | '3.9'): ContractWorld {
  // As the sandbox's brokers are configured: records are kept unless a topic sets its own retention.
  const kafka: FakeKafka = fakeCluster({ kafka: line })
    .brokers(3)
    .staticBrokerConfig({ 'log.retention.ms': '-1' })
    .topic('__consumer_offsets', { partitions: 3, replicationFactor: 3 })
    .build()
  let names = 0
  return {
    ops: kafka,
    line,
    brokerIds: [1, 2, 3],
    controllerId: 100,
    uniqueName: (prefix) => `${prefix}-${++names}`,
    async produce(topic, partition, timestampsMs) {
      // One batch, as the real world's producer sends them (acks=all).
      const written = await kafka.produce(
        topic,
        timestampsMs.map((timestamp, i) => ({ partition, key: null, value: Buffer.from(`record ${i}`), timestamp })),
      )
      const failed = written.find((w) => w.error)
      if (failed) throw new Error(`fake produce failed: ${failed.error!.name}`)
    },
    async killBroker(id) {
      kafka.killBroker(id)
    },
    async restartBroker(id) {
      kafka.restartBroker(id)
    },
    async crashCoordinatorOf(groupId) {
      // Killed, not fenced yet: every partition it leads keeps it as leader, and reads of their groups fail.
      const [offsets] = await kafka.partitionStates(['__consumer_offsets'])
      const leader = offsets!.partitions[offsetsPartitionOf(groupId, offsets!.partitions.length)]!.leader
      const partitions = offsets!.partitions.filter((p) => p.leader === leader).map((p) => p.partition)
      for (const partition of partitions) kafka.stallCoordinator(partition, 'BROKER_NOT_AVAILABLE')
      return {
        partitions,
        async restore() {
          for (const partition of partitions) kafka.recoverCoordinator(partition)
        },
      }
    },
    async afterRetentionCheck(check) {
      kafka.enforceRetention(Date.now())
      await check()
    },
    async startGroup(groupId, topic, protocol) {
      const [state] = await kafka.partitionStates([topic])
      const assignment = state!.partitions.map((p) => ({ topic, partition: p.partition }))
      kafka.addMember(groupId, { memberId: `${groupId}-member-1`, assignment }, { type: protocol })
      for (const { partition } of assignment) {
        const [latest] = await kafka.listOffsets([{ topic, partition, spec: 'latest' }])
        kafka.commit(groupId, topic, partition, latest!.offset!)
      }
      return {
        async stop() {
          kafka.stopMembers(groupId)
        },
      }
    },
  }
}

kafkaContract('fake imitating Kafka 4.3', async () => fakeWorld('4.3'))
kafkaContract('fake imitating Kafka 3.9', async () => fakeWorld('3.9'))
