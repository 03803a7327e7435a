// The transactions contract against the real sandbox (4.3.1, and 3.9.2 in the kafka39 run): what the fake
// promises about transactions, Kafka does.

import { randomBytes } from 'node:crypto'
import { connect } from '../../../lib/kafka/index.ts'
import { produce } from '../../support/kafka.ts'
import { testSandbox } from '../../support/sandbox.ts'
import { sandboxTransactions } from '../../support/transactions.ts'
import { type TransactionWorld, transactionsContract } from '../../kafka/transactions-contract.ts'

let stop: () => Promise<void> = async () => {}

transactionsContract(
  'platformatic adapter on the sandbox',
  async (): Promise<TransactionWorld> => {
    const sandbox = testSandbox()
    const ops = await connect({ bootstrapServers: sandbox.bootstrap.split(','), clientId: 'runbook-transactions-contract' })
    const makers = sandboxTransactions(ops)
    stop = makers.stop
    const run = randomBytes(3).toString('hex')
    let names = 0
    return {
      ops,
      line: sandbox.kafkaVersion.startsWith('3.9') ? '3.9' : '4.3',
      uniqueName: (prefix) => `${prefix}-${run}-${++names}`,
      produce: (topic, partition, count) =>
        produce(
          topic,
          Array.from({ length: count }, (_, i) => `plain ${i}`),
          { partition },
        ),
      async abandonTransaction(topic, partitions, options) {
        const abandoned = await makers.abandon({
          topic,
          partitions,
          transactionalId: options.transactionalId,
          transactionTimeoutMs: options.timeoutMs,
          committedBefore: options.committedBefore,
        })
        return { transactionalId: abandoned.transactionalId, partitions: abandoned.partitions.map((p) => ({ ...p, firstOffset: BigInt(p.firstOffset) })) }
      },
      hangTransaction: (topic, partition, records, options) => makers.hang({ topic, partition, records, ...options }),
      elapse: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    }
  },
  async (world) => {
    await stop()
    await world.ops.close()
  },
)
