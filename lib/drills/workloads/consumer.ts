// A consumer service with auto-commit that loses records the way real services do when they are OOM-killed.
//
// kafkajs's auto-commit is not the Java client's: Java commits, at the next poll(), the position after every
// record poll() returned, handled or not; kafkajs commits only offsets it has *resolved*, and it resolves a
// record when the eachMessage handler returns (then commits after each batch and every autoCommitInterval).
// A service that handles records inside eachMessage therefore loses nothing on a kill: it only replays.
//
// The services that lose records are the ones that decouple fetching from handling: this one, like a bulk
// writer, accepts each record into an in-memory buffer and returns from eachMessage at once, so kafkajs
// counts it consumed and the next commit covers it; the buffer is written out (to the processed ledger, its
// "database") when it holds flushRecords records or its oldest record has waited flushIntervalMs. A SIGKILL
// between a commit and the next flush — an OOM kill — erases committed, unhandled records: lost to the group.

import { groupConsumer, report, workloadStart } from './kafkajs-client.ts'
import { Ledger, type ProcessedEntry } from './ledger.ts'
import type { ConsumerConfig } from './protocol.ts'
import { type BufferedRecord, WriteBuffer } from './write-buffer.ts'

const config = workloadStart<ConsumerConfig>()
const ledger = new Ledger<ProcessedEntry>(config.ledger)
const consumer = groupConsumer(config, {
  rebalanceTimeout: Math.max(config.sessionTimeoutMs * 2, 10_000),
  ...(config.maxWaitTimeMs === undefined ? {} : { maxWaitTimeInMs: config.maxWaitTimeMs }),
})

const buffer = new WriteBuffer({ flushRecords: config.flushRecords, flushIntervalMs: config.flushIntervalMs })
const positions: Record<string, string> = {}
let processed = 0
let stopping = false

/** Writes records out: after this, they are handled (durably, in the ledger). */
function flush(batch: readonly BufferedRecord[]): void {
  if (batch.length === 0) return
  const atMs = Date.now()
  ledger.append(batch.map((r) => ({ seq: r.seq, partition: r.partition, offset: r.offset.toString(), instance: config.instance, atMs })))
  for (const r of batch) {
    const next = r.offset + 1n
    if (BigInt(positions[r.partition] ?? '0') < next) positions[r.partition] = next.toString()
  }
  processed += batch.length
  report({ type: 'processed', total: processed, positions: { ...positions } })
}

/** The record's sequence number, or -1 for a record no drill producer wrote (not JSON, or without one). */
function seqOf(value: string): number {
  try {
    return (JSON.parse(value) as { seq?: number }).seq ?? -1
  } catch {
    return -1
  }
}

async function main(): Promise<void> {
  consumer.on(consumer.events.COMMIT_OFFSETS, (event) => {
    const committed = new Map<number, bigint>()
    for (const topic of event.payload.topics) for (const p of topic.partitions) committed.set(Number(p.partition), BigInt(p.offset))
    report({ type: 'committed', ...buffer.committed(committed), processed })
  })
  consumer.on(consumer.events.GROUP_JOIN, () => report({ type: 'ready' }))
  await consumer.connect()
  await consumer.subscribe({ topic: config.topic, fromBeginning: true })
  await consumer.run({
    autoCommit: true,
    autoCommitInterval: config.autoCommitIntervalMs,
    eachMessage: async ({ partition, message }) => {
      const seq = seqOf(message.value?.toString() ?? '')
      flush(buffer.add({ seq, partition, offset: BigInt(message.offset), sinceMs: Date.now() }))
    },
  })
  setInterval(() => flush(buffer.due(Date.now())), 50)
}

/** SIGUSR2 (the drill's nudge): the OOM moment comes at the next commit covering stallAfterCommitAtRisk records still in memory. */
process.on('SIGUSR2', () => buffer.stallAfterCommit(config.stallAfterCommitAtRisk ?? 1))

/** SIGTERM is a clean stop: no new fetches, write the buffer out, commit, leave the group. */
process.on('SIGTERM', () => {
  if (stopping) return
  stopping = true
  void (async () => {
    await consumer.stop().catch(() => {})
    flush(buffer.drain())
    await consumer.disconnect().catch(() => {})
    ledger.close()
    process.exit(0)
  })()
})

main().catch((error: Error) => {
  report({ type: 'failed', error: error.message })
  process.stderr.write(`consumer failed: ${error.stack ?? error.message}\n`)
  process.exit(1)
})
