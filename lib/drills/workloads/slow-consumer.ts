// A consumer service whose downstream has an outage: records are handled inside eachMessage (so kafkajs's
// auto-commit covers only what was handled), each one ledgered as handled. During the outage every record waits
// on the downstream, so the group falls behind while producers keep writing — its oldest unread record ages
// towards the topic's retention. After the outage it handles at full speed and catches up.
//
// It does not read from the beginning (fromBeginning: false, the usual setting): when retention has deleted the
// next record it would fetch, kafkajs resets the position to the log end and the service skips the backlog still
// on disk — the silent loss the lag-retention drill scores.

import { groupConsumer, report, workloadStart } from './kafkajs-client.ts'
import { Ledger, type ProcessedEntry } from './ledger.ts'
import type { SlowConsumerConfig } from './protocol.ts'

const config = workloadStart<SlowConsumerConfig>()
const ledger = new Ledger<ProcessedEntry>(config.ledger)
const consumer = groupConsumer(config)

const positions: Record<string, string> = {}
let processed = 0
let outage: { fromMs: number; untilMs: number } | null = null
let stopping = false

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function main(): Promise<void> {
  consumer.on(consumer.events.GROUP_JOIN, () => report({ type: 'ready' }))
  await consumer.connect()
  await consumer.subscribe({ topic: config.topic, fromBeginning: false })
  await consumer.run({
    autoCommit: true,
    autoCommitInterval: config.autoCommitIntervalMs,
    eachMessage: async ({ partition, message, heartbeat }) => {
      if (outage === null && processed >= config.outageAfterRecords) {
        const fromMs = Date.now()
        outage = { fromMs, untilMs: fromMs + config.outageMs }
        report({ type: 'outage', ...outage })
      }
      // The downstream call: slow while the outage lasts (heartbeating so the group keeps the member).
      if (outage !== null && Date.now() < outage.untilMs) {
        await pause(config.outageMsPerRecord)
        await heartbeat()
      }
      const seq = (JSON.parse(message.value?.toString() ?? '{}') as { seq?: number }).seq ?? -1
      ledger.append([{ seq, partition, offset: message.offset, instance: 1, atMs: Date.now() }])
      positions[partition] = (BigInt(message.offset) + 1n).toString()
      processed++
      if (processed % 50 === 0 || (outage !== null && Date.now() < outage.untilMs)) report({ type: 'processed', total: processed, positions: { ...positions } })
    },
  })
}

/** SIGTERM is a clean stop: finish the record in hand, commit, leave the group. */
process.on('SIGTERM', () => {
  if (stopping) return
  stopping = true
  void (async () => {
    await consumer.stop().catch(() => {})
    await consumer.disconnect().catch(() => {})
    ledger.close()
    process.exit(0)
  })()
})

main().catch((error: Error) => {
  report({ type: 'failed', error: error.message })
  process.stderr.write(`slow consumer failed: ${error.stack ?? error.message}\n`)
  process.exit(1)
})
