// The transactions contract against the in-memory fake, imitating each supported Kafka line.

import { fakeCluster } from '../../lib/kafka/fake/index.ts'
import { type TransactionWorld, transactionsContract } from './transactions-contract.ts'

function fakeWorld(line: '4.3' | '3.9'): TransactionWorld {
  // The cluster's clock moves on with every look at it (a real one never stands still) and when the test lets time pass.
  let now = Date.now()
  const kafka = fakeCluster({ kafka: line, clock: () => now++ })
    .brokers(3)
    .build()
  let names = 0
  return {
    ops: kafka,
    line,
    uniqueName: (prefix) => `${prefix}-${++names}`,
    async produce(topic, partition, count) {
      const result = kafka.write(topic, partition, count)
      if (result.error) throw new Error(`fake produce failed: ${result.error.name}`)
    },
    async abandonTransaction(topic, partitions, options) {
      return kafka.openTransaction(options.transactionalId, topic, partitions, { timeoutMs: options.timeoutMs, committedBefore: options.committedBefore })
    },
    async hangTransaction(topic, partition, records, options) {
      return kafka.hangTransaction(topic, partition, records, options)
    },
    async elapse(ms) {
      now += ms
    },
  }
}

transactionsContract('fake imitating Kafka 4.3', async () => fakeWorld('4.3'))
transactionsContract('fake imitating Kafka 3.9', async () => fakeWorld('3.9'))
