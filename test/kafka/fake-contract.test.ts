// The KafkaOps contract against the in-memory fake, imitating each supported Kafka line.

import { fakeCluster } from '../../lib/kafka/fake/index.ts'
import type { FakeKafka } from '../../lib/kafka/fake/index.ts'
import { type ContractWorld, kafkaContract } from './contract.ts'

function fakeWorld(line: '4.3' | '3.9'): ContractWorld {
  const kafka: FakeKafka = fakeCluster({ kafka: line }).brokers(3).topic('__consumer_offsets', { partitions: 3, replicationFactor: 3 }).build()
  let names = 0
  return {
    ops: kafka,
    line,
    brokerIds: [1, 2, 3],
    controllerId: 100,
    uniqueName: (prefix) => `${prefix}-${++names}`,
    async produce(topic, partition, timestampsMs) {
      for (const timestampMs of timestampsMs) {
        const result = kafka.write(topic, partition, 1, { acks: 'all', timestampMs })
        if (result.error) throw new Error(`fake produce failed: ${result.error.name}`)
      }
    },
    async killBroker(id) {
      kafka.killBroker(id)
    },
    async restartBroker(id) {
      kafka.restartBroker(id)
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
