// An exactly-once style producer service: each transaction writes a few sequence-numbered records over its
// partitions and commits. Told to (holdAfter), it leaves one transaction open after writing it, as a service
// does that hangs or is killed between its sends and its commit: read_committed consumers then stop at the
// transaction's first offset until it ends.

import { kafkaClient, report, workloadStart } from './kafkajs-client.ts'
import { type AckedEntry, Ledger } from './ledger.ts'
import type { HeldPartition, TransactionalProducerConfig } from './protocol.ts'

const config = workloadStart<TransactionalProducerConfig>()
const ledger = config.ledger ? new Ledger<AckedEntry>(config.ledger) : null
const producer = kafkaClient(config.clientId, config.bootstrap).producer({
  transactionalId: config.transactionalId,
  transactionTimeout: config.transactionTimeoutMs,
  idempotent: true,
  maxInFlightRequests: 1,
  allowAutoTopicCreation: false,
})
let stopping = false
let seq = config.firstSeq ?? 0
// SIGUSR2 from the drill: leave the next transaction open (the moment of a kill, chosen by the drill).
let holdNext = false
process.on('SIGUSR2', () => {
  holdNext = true
})

/** Writes one transaction's records; what each partition got (its first offset and count). */
async function writeTransaction(transaction: Awaited<ReturnType<typeof producer.transaction>>): Promise<{ entries: AckedEntry[]; held: HeldPartition[] }> {
  const batch = Array.from({ length: config.recordsPerTransaction }, (_, i) => seq + i)
  const partitionOf = (n: number) => config.partitions[n % config.partitions.length]!
  const messages = batch.map((n) => ({ partition: partitionOf(n), key: String(n), value: JSON.stringify({ seq: n }) }))
  const results = await transaction.send({ topic: config.topic, acks: -1, messages })
  seq += batch.length
  const entries: AckedEntry[] = []
  const held: HeldPartition[] = []
  const atMs = Date.now()
  for (const result of results) {
    const mine = batch.filter((n) => partitionOf(n) === result.partition)
    // Within one partition Kafka appends in request order: the i-th record of a partition is baseOffset + i.
    const base = BigInt(result.baseOffset ?? '0')
    mine.forEach((n, i) => entries.push({ seq: n, partition: result.partition, offset: (base + BigInt(i)).toString(), atMs }))
    held.push({ partition: result.partition, firstOffset: base.toString(), records: mine.length })
  }
  return { entries: entries.sort((a, b) => a.seq - b.seq), held: held.sort((a, b) => a.partition - b.partition) }
}

async function main(): Promise<void> {
  await producer.connect()
  report({ type: 'ready' })
  let committed = 0
  while (!stopping) {
    const transaction = await producer.transaction()
    const { entries, held } = await writeTransaction(transaction)
    if (holdNext || (config.holdAfter !== undefined && committed >= config.holdAfter)) {
      report({ type: 'holding', transactionalId: config.transactionalId, partitions: held })
      // Never ends it: the process waits to be killed (or stopped, when the transaction is left to time out).
      await new Promise<void>((resolve) => process.once('SIGTERM', () => resolve()))
      process.exit(0)
    }
    await transaction.commit()
    committed++
    ledger?.append(entries)
    report({ type: 'transaction-committed', total: committed })
    await new Promise((resolve) => setTimeout(resolve, config.transactionIntervalMs))
  }
  await producer.disconnect()
  ledger?.close()
  process.exit(0)
}

process.on('SIGTERM', () => {
  stopping = true
})
main().catch((error: Error) => {
  report({ type: 'failed', error: error.message })
  process.stderr.write(`transactional producer failed: ${error.stack ?? error.message}\n`)
  process.exit(1)
})
