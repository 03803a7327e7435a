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

const config = workloadStart<ConsumerConfig>()
const ledger = new Ledger<ProcessedEntry>(config.ledger)
const consumer = groupConsumer(config, {
  rebalanceTimeout: Math.max(config.sessionTimeoutMs * 2, 10_000),
  ...(config.maxWaitTimeMs === undefined ? {} : { maxWaitTimeInMs: config.maxWaitTimeMs }),
})

interface Buffered {
  readonly seq: number
  readonly partition: number
  readonly offset: bigint
  readonly sinceMs: number
}

const buffer: Buffered[] = []
const positions: Record<string, string> = {}
let processed = 0
let stopping = false

/** Writes the buffer out: after this, those records are handled (durably, in the ledger). */
function flush(): void {
  if (buffer.length === 0) return
  const batch = buffer.splice(0)
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
    const atRisk = buffer.filter((r) => r.offset < (committed.get(r.partition) ?? -1n)).length
    report({ type: 'committed', atRisk, buffered: buffer.length, processed })
  })
  consumer.on(consumer.events.GROUP_JOIN, () => report({ type: 'ready' }))
  await consumer.connect()
  await consumer.subscribe({ topic: config.topic, fromBeginning: true })
  await consumer.run({
    autoCommit: true,
    autoCommitInterval: config.autoCommitIntervalMs,
    eachMessage: async ({ partition, message }) => {
      const seq = seqOf(message.value?.toString() ?? '')
      buffer.push({ seq, partition, offset: BigInt(message.offset), sinceMs: Date.now() })
      if (buffer.length >= config.flushRecords) flush()
    },
  })
  setInterval(() => {
    if (buffer.length > 0 && Date.now() - buffer[0]!.sinceMs >= config.flushIntervalMs) flush()
  }, 50)
}

/** SIGTERM is a clean stop: no new fetches, write the buffer out, commit, leave the group. */
process.on('SIGTERM', () => {
  if (stopping) return
  stopping = true
  void (async () => {
    await consumer.stop().catch(() => {})
    flush()
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
