// A producer service: writes sequence-numbered records at a steady rate, round-robin over the partitions,
// and ledgers every acknowledged record (seq → partition, offset) before sending the next batch. Asked to pause,
// it sends nothing more and says so once its last send resolved: from then on, every record a broker appended
// for it has been acknowledged to it (or reported failed), so a log end read during the pause is exact.

import { kafkaClient, report, workloadStart } from './kafkajs-client.ts'
import { type AckedEntry, Ledger } from './ledger.ts'
import type { ProducerConfig, WorkloadControl } from './protocol.ts'

const config = workloadStart<ProducerConfig>()
const ledger = new Ledger<AckedEntry>(config.ledger)
const producer = kafkaClient(config.clientId, config.bootstrap).producer({ allowAutoTopicCreation: false, retry: { retries: config.retries ?? 8 } })
const tickMs = 100
let stopping = false
let seq = 0
let unacked = 0
let paused = false
let pauseReported = true

async function main(): Promise<void> {
  await producer.connect()
  report({ type: 'ready' })
  const started = Date.now()
  while (!stopping) {
    if (paused) {
      if (!pauseReported) report({ type: 'paused', total: seq - unacked })
      pauseReported = true
      await new Promise((resolve) => setTimeout(resolve, 10))
      continue
    }
    const due = Math.floor(((Date.now() - started) / 1000) * config.recordsPerSecond) - seq
    if (due > 0) {
      const batch = Array.from({ length: due }, (_, i) => seq + i)
      const messages = batch.map((n) => ({ partition: n % config.partitions, key: String(n), value: JSON.stringify({ seq: n }) }))
      let results: Awaited<ReturnType<typeof producer.send>> | null = null
      try {
        results = await producer.send({ topic: config.topic, acks: config.acks, messages })
      } catch (error) {
        if (config.onSendFailure !== 'continue') throw error
        unacked += batch.length
        report({ type: 'unacked', total: unacked, error: (error as Error).message })
      }
      if (results) {
        // Within one partition Kafka appends in request order: the i-th record of a partition is baseOffset + i.
        const entries: AckedEntry[] = []
        const atMs = Date.now()
        for (const result of results) {
          const mine = batch.filter((n) => n % config.partitions === result.partition)
          mine.forEach((n, i) => entries.push({ seq: n, partition: result.partition, offset: (BigInt(result.baseOffset ?? '0') + BigInt(i)).toString(), atMs }))
        }
        ledger.append(entries.sort((a, b) => a.seq - b.seq))
      }
      seq += due
      if (results) report({ type: 'acked', total: seq - unacked })
    }
    await new Promise((resolve) => setTimeout(resolve, tickMs))
  }
  await producer.disconnect()
  ledger.close()
  process.exit(0)
}

process.on('message', (message: WorkloadControl) => {
  if (message.type === 'pause') {
    paused = true
    pauseReported = false
  } else if (message.type === 'resume') paused = false
})
process.on('SIGTERM', () => {
  stopping = true
})
main().catch((error: Error) => {
  report({ type: 'failed', error: error.message })
  process.stderr.write(`producer failed: ${error.stack ?? error.message}\n`)
  process.exit(1)
})
