// Stuck transactions on a real cluster, for drills and tests: a transaction whose producer was SIGKILLed
// between its sends and its commit (it stays open until the coordinator times it out), and a hanging one that
// its coordinator does not know (it stays open for good).

import type { KafkaOps } from '../kafka/types.ts'
import type { Workload, WorkloadProcesses } from './workload-processes.ts'
import { type HangingBatch, type HangingBatchOptions, produceHangingBatch } from './workloads/hanging-batch.ts'
import type { HeldPartition } from './workloads/protocol.ts'
import { entryOf } from '../kafka/types.ts'

const verification = 'transaction.partition.verification.enable'
const settleTimeoutMs = 30_000

/** What each live broker runs with for a setting, by broker id. */
async function brokerValues(ops: KafkaOps, name: string): Promise<Map<number, string | null>> {
  const brokers = (await ops.cluster()).brokers.filter((b) => b.fenced !== true)
  const configs = await ops.describeConfigs(
    brokers.map((b) => ({ type: 'broker', id: b.id }) as const),
    { names: [name] },
  )
  return new Map(brokers.map((b, i) => [b.id, configs[i]!.error ? null : (entryOf(configs[i], name)?.value ?? null)]))
}

/** Waits until every broker reports `expected(broker)` for the setting (a dynamic change reaches them a moment later). */
async function awaitBrokers(ops: KafkaOps, name: string, expected: (broker: number) => string | null | undefined): Promise<void> {
  const deadline = Date.now() + settleTimeoutMs
  for (;;) {
    const values = await brokerValues(ops, name)
    if ([...values].every(([broker, value]) => expected(broker) === undefined || value === expected(broker))) return
    if (Date.now() > deadline) throw new Error(`the brokers did not apply ${name} within ${settleTimeoutMs / 1000} s`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

/**
 * Runs `work` with transaction verification off cluster-wide (a dynamic broker default), then puts back the
 * default that was there — or none — and waits until every broker runs with what it ran with before.
 */
export async function withoutTransactionVerification<T>(ops: KafkaOps, work: () => Promise<T>): Promise<T> {
  const resource = { type: 'broker-default' } as const
  const [before] = await ops.describeConfigs([resource], { names: [verification] })
  const previous = entryOf(before, verification)?.value ?? null
  const running = await brokerValues(ops, verification)
  const change = async (op: { name: string; op: 'set'; value: string } | { name: string; op: 'delete' }) => {
    const [result] = await ops.incrementalAlterConfigs([{ resource, ops: [op] }], { validateOnly: false })
    if (result?.error) throw new Error(`could not change ${verification}: ${result.error.message}`)
  }
  await change({ name: verification, op: 'set', value: 'false' })
  try {
    await awaitBrokers(ops, verification, () => 'false')
    return await work()
  } finally {
    await change(previous === null ? { name: verification, op: 'delete' } : { name: verification, op: 'set', value: previous })
    await awaitBrokers(ops, verification, (broker) => running.get(broker))
  }
}

/** A hanging transaction on one partition: open there, unknown to (or not including the partition at) its coordinator. */
export function hangTransaction(ops: KafkaOps, options: HangingBatchOptions): Promise<HangingBatch> {
  return withoutTransactionVerification(ops, () => produceHangingBatch(options))
}

export interface AbandonedTransaction {
  readonly transactionalId: string
  readonly partitions: readonly HeldPartition[]
  /** The producer's process, already SIGKILLed. */
  readonly workload: Workload
}

export interface AbandonOptions {
  readonly bootstrap: readonly string[]
  readonly topic: string
  readonly partitions: readonly number[]
  readonly transactionalId: string
  /** How long the coordinator waits before it aborts the abandoned transaction. */
  readonly transactionTimeoutMs: number
  readonly recordsPerTransaction?: number
  /** Committed transactions before the abandoned one (their markers sit below it). */
  readonly committedBefore?: number
}

/** A transactional producer commits `committedBefore` transactions, writes one more and is SIGKILLed before committing it. */
export async function abandonTransaction(processes: WorkloadProcesses, options: AbandonOptions): Promise<AbandonedTransaction> {
  const workload = await processes.start(`transactional-producer-${options.transactionalId}`, {
    kind: 'transactional-producer',
    bootstrap: options.bootstrap,
    clientId: 'runbook-transactional-producer',
    topic: options.topic,
    partitions: options.partitions,
    transactionalId: options.transactionalId,
    transactionTimeoutMs: options.transactionTimeoutMs,
    recordsPerTransaction: options.recordsPerTransaction ?? options.partitions.length * 2,
    transactionIntervalMs: 50,
    holdAfter: options.committedBefore ?? 0,
  })
  return killWhenHolding(workload)
}

/** A transactional producer already running (committing until told otherwise) leaves its next transaction open and is SIGKILLed. */
export function abandonRunning(workload: Workload): Promise<AbandonedTransaction> {
  workload.nudge()
  return killWhenHolding(workload)
}

async function killWhenHolding(workload: Workload): Promise<AbandonedTransaction> {
  try {
    const holding = await workload.waitFor('holding', () => true, 60_000, 'the open transaction to be written')
    workload.kill()
    await workload.exited
    return { transactionalId: holding.transactionalId, partitions: holding.partitions, workload }
  } catch (error) {
    workload.kill()
    throw error
  }
}
