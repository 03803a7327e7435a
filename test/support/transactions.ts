// Stuck transactions on the test sandbox, for integration tests: a producer SIGKILLed mid-transaction and a
// hanging transaction (lib/drills/transaction-faults.ts, bound to the sandbox), plus a read_committed reader.

import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { abandonTransaction, type AbandonOptions, type AbandonedTransaction, hangTransaction } from '../../lib/drills/transaction-faults.ts'
import { WorkloadProcesses } from '../../lib/drills/workload-processes.ts'
import type { HangingBatch, HangingBatchOptions } from '../../lib/drills/workloads/hanging-batch.ts'
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
