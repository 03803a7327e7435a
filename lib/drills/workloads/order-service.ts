// An order service that dies on a poison record. It handles each order inside kafkajs's eachMessage (its
// "database" is the processed ledger) and commits that record's offset right after, auto-commit off: so the
// group's committed offset always stands at the first record it has not handled. A record that is not JSON
// throws in the handler; with no retries left kafkajs crashes the consumer, and the service does what a service
// with a shutdown hook does on a fatal error: it says where it died, leaves the group and exits 1. Its
// orchestrator (lib/drills/restart-loop.ts) starts it again — on the same record, every time. With
// restartInProcessMs the process lives on and its consumer rejoins instead (a framework restarting its listener):
// a loop of a few hundred milliseconds rather than a process start's seconds.

import { kafkaClient, report, workloadStart } from './kafkajs-client.ts'
import { Ledger, type ProcessedEntry } from './ledger.ts'
import type { OrderServiceConfig } from './protocol.ts'

const config = workloadStart<OrderServiceConfig>()
const ledger = new Ledger<ProcessedEntry>(config.ledger)
const kafka = kafkaClient(config.clientId, config.bootstrap)

let failedAt: { partition: number; offset: string; error: string } | null = null
let current: ReturnType<typeof kafka.consumer> | null = null
let leaving = false

async function leave(code: number): Promise<never> {
  leaving = true
  await current?.disconnect().catch(() => {})
  ledger.close()
  process.exit(code)
}

/** One life of the consumer: join, handle, and on a record it cannot handle, crash. */
async function runConsumer(): Promise<void> {
  const consumer = kafka.consumer({
    groupId: config.groupId,
    sessionTimeout: config.sessionTimeoutMs,
    heartbeatInterval: 500,
    // No retries of a failed handler: the first throw crashes the consumer (CRASH), as a deserializer error would.
    retry: { retries: 0 },
  })
  current = consumer
  failedAt = null
  consumer.on(consumer.events.GROUP_JOIN, () => report({ type: 'ready' }))
  consumer.on(consumer.events.CRASH, () => {
    if (leaving || current !== consumer) return
    const where = failedAt ?? { partition: -1, offset: '-1', error: 'the consumer crashed' }
    report({ type: 'crashed', ...where })
    process.stderr.write(`order-service crashed on partition ${where.partition} offset ${where.offset}: ${where.error}\n`)
    if (config.restartInProcessMs === undefined) {
      void leave(1)
      return
    }
    // A framework that restarts its consumer in place: leave the group, join again a moment later.
    current = null
    void consumer
      .disconnect()
      .catch(() => {})
      .then(() => setTimeout(() => void (leaving ? null : runConsumer().catch(fail)), config.restartInProcessMs))
  })
  await consumer.connect()
  await consumer.subscribe({ topic: config.topic, fromBeginning: true })
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ topic, partition, message }) => {
      let order: unknown
      try {
        order = JSON.parse(message.value?.toString('utf8') ?? '')
      } catch (error) {
        failedAt = { partition, offset: message.offset, error: `not an order: ${(error as Error).message}` }
        throw error
      }
      const seq = typeof (order as { seq?: unknown })?.seq === 'number' ? (order as { seq: number }).seq : -1
      ledger.append([{ seq, partition, offset: message.offset, instance: config.instance, atMs: Date.now() }])
      await consumer.commitOffsets([{ topic, partition, offset: (BigInt(message.offset) + 1n).toString() }])
    },
  })
}

function fail(error: Error): void {
  report({ type: 'failed', error: error.message })
  process.stderr.write(`order-service failed: ${error.stack ?? error.message}\n`)
  void leave(1)
}

/** SIGTERM is a clean stop (the orchestrator scaled it down): leave the group, exit 0. */
process.on('SIGTERM', () => {
  if (!leaving) void leave(0)
})

runConsumer().catch(fail)
