// A kafkajs "ledger" service that handles JSON orders and dies on anything else, restarted by a tiny orchestrator
// loop until a stop file appears: the crash loop a poison record causes. It commits each record it handled
// (autoCommit off), so the committed offset stands exactly at the record it cannot get past.

import { existsSync } from 'node:fs'
import { Kafka, logLevel } from 'kafkajs'

export interface PoisonService {
  readonly crashes: () => number
  /** topic:partition@offset of every record handled, in order (a record handled twice shows twice). */
  readonly handled: string[]
  stop(): Promise<void>
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

export function startPoisonService(options: {
  readonly brokers: readonly string[]
  readonly groupId: string
  readonly topic: string
  readonly stopFile: string
  readonly restartMs?: number
}): PoisonService {
  let crashes = 0
  let stopping = false
  const handled: string[] = []
  const stopNow = () => stopping || existsSync(options.stopFile)
  const loop = (async () => {
    while (!stopNow()) {
      const kafka = new Kafka({ clientId: 'ledger-service', brokers: [...options.brokers], logLevel: logLevel.NOTHING, retry: { retries: 3 } })
      const consumer = kafka.consumer({ groupId: options.groupId, sessionTimeout: 6000, heartbeatInterval: 500, retry: { retries: 0 } })
      let crashed = false
      consumer.on(consumer.events.CRASH, () => {
        crashed = true
      })
      try {
        await consumer.connect()
        await consumer.subscribe({ topic: options.topic, fromBeginning: true })
        await consumer.run({
          autoCommit: false,
          eachMessage: async ({ topic, partition, message }) => {
            JSON.parse(message.value?.toString('utf8') ?? '')
            handled.push(`${topic}:${partition}@${message.offset}`)
            await consumer.commitOffsets([{ topic, partition, offset: (BigInt(message.offset) + 1n).toString() }])
          },
        })
        for (let i = 0; i < 600 && !crashed && !stopNow(); i++) await sleep(100)
      } catch {
        crashed = true
      } finally {
        await consumer.disconnect().catch(() => {})
      }
      if (crashed) crashes++
      if (!stopNow()) await sleep(options.restartMs ?? 300)
    }
  })()
  return {
    crashes: () => crashes,
    handled,
    async stop() {
      stopping = true
      await loop
    },
  }
}
