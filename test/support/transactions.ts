// Stuck transactions on the test sandbox, for integration tests: a producer SIGKILLed mid-transaction and a
// hanging transaction (lib/drills/transaction-faults.ts, bound to the sandbox), a read_committed consumer as a
// typical Node service runs one (kafkajs), and Kafka's own tables parsed.

import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { abandonTransaction, type AbandonOptions, type AbandonedTransaction, hangTransaction } from '../../lib/drills/transaction-faults.ts'
import { WorkloadProcesses } from '../../lib/drills/workload-processes.ts'
import type { HangingBatch, HangingBatchOptions } from '../../lib/drills/workloads/hanging-batch.ts'
import { kafkaClient } from '../../lib/drills/workloads/kafkajs-client.ts'
import type { KafkaOps } from '../../lib/kafka/types.ts'
import { testSandbox } from './sandbox.ts'

/** Makes stuck transactions on the test sandbox; `stop()` ends every producer process it started. */
export function sandboxTransactions(ops: KafkaOps) {
  const bootstrap = testSandbox().bootstrap.split(',')
  const processes = new WorkloadProcesses(mkdtempSync(join(tmpdir(), 'runbook-transactions-')))
  return {
    /** A transactional producer (kafkajs, its own process) writes a transaction and is SIGKILLed before committing it. */
    abandon: (options: Omit<AbandonOptions, 'bootstrap'>): Promise<AbandonedTransaction> => abandonTransaction(processes, { ...options, bootstrap }),
    /** A transactional batch no coordinator knows of, written with transaction verification off for the moment. */
    hang: (options: Omit<HangingBatchOptions, 'bootstrap'>): Promise<HangingBatch> => hangTransaction(ops, { ...options, bootstrap }),
    stop: () => processes.stopAll(),
  }
}

/** A read_committed consumer (kafkajs, as a Node service runs one) reading `topic` from the start in its own group. */
export async function startReadCommittedConsumer(topic: string, groupId: string) {
  const consumer = kafkaClient('runbook-read-committed', testSandbox().bootstrap.split(',')).consumer({
    groupId,
    readUncommitted: false,
    sessionTimeout: 10_000,
    heartbeatInterval: 1000,
    maxWaitTimeInMs: 200,
  })
  const received: { partition: number; offset: bigint; value: string }[] = []
  await consumer.connect()
  await consumer.subscribe({ topic, fromBeginning: true })
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      received.push({ partition, offset: BigInt(message.offset), value: message.value?.toString() ?? '' })
    },
  })
  return { received, stop: () => consumer.disconnect() }
}

/** The rows of a table Kafka's tools print (header line, then tab-separated padded cells), as header → cell. */
export function parseToolTable(stdout: string): Record<string, string>[] {
  const lines = stdout.split('\n').filter((line) => line.trim() !== '')
  if (lines.length === 0) return []
  const split = (line: string) => line.split('\t').map((cell) => cell.trim())
  const header = split(lines[0]!)
  // Every line ends with a tab: the empty column after it is no column.
  return lines.slice(1).map((line) => Object.fromEntries(split(line).flatMap((cell, i) => (header[i] ? [[header[i], cell]] : []))))
}
