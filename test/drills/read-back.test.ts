// The drill's read-back on the fake, right after a leader moved: Kafka refuses the first reads of that partition
// for a moment (OFFSET_NOT_AVAILABLE from the new leader, NOT_LEADER_OR_FOLLOWER from stale metadata) — CI's
// acks-loss drill once failed there with "cannot read the log bounds". The read-back asks again, bounded.

import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { readBackSequences, settleMs } from '../../lib/drills/read-back.ts'
import { ErrorCode, kafkaError } from '../../lib/kafka/errors.ts'
import { fakeCluster } from '../../lib/kafka/fake/index.ts'
import type { KafkaOps } from '../../lib/kafka/types.ts'
import type { Clock } from '../../lib/poll/index.ts'

/** OFFSET_NOT_AVAILABLE: a new leader's answer until its high watermark passes the start of its epoch. */
const offsetNotAvailable = 78

const ledger = () => join(mkdtempSync(join(tmpdir(), 'read-back-')), 'read-back.jsonl')

/** A clock whose sleeps pass at once: the retries' deadline is counted without waiting it out. */
function pinnedClock(): Clock {
  let now = 1_800_000_000_000
  return { now: () => now, sleep: async (ms) => void (now += ms) }
}

async function ordersCluster(): Promise<KafkaOps> {
  const kafka = fakeCluster().brokers(3).topic('orders', { partitions: 2 }).build()
  const records = Array.from({ length: 6 }, (_, seq) => ({ partition: seq % 2, key: null, value: Buffer.from(JSON.stringify({ seq })) }))
  await kafka.produce('orders', records)
  return kafka
}

/** The cluster, with the first `times` answers of listOffsets and fetchRecords refused the way a moved leader refuses. */
function justAfterElection(kafka: KafkaOps, times: { listOffsets: number; fetchRecords: number }): KafkaOps {
  let offsets = times.listOffsets
  let fetches = times.fetchRecords
  return new Proxy(kafka, {
    get(target, name, receiver) {
      if (name === 'listOffsets')
        return async (queries: Parameters<KafkaOps['listOffsets']>[0]) => {
          const answers = await target.listOffsets(queries)
          if (offsets-- <= 0) return answers
          return answers.map((a, i) => (i === 0 ? { ...a, offset: null, error: kafkaError(offsetNotAvailable) } : a))
        }
      if (name === 'fetchRecords')
        return async (queries: Parameters<KafkaOps['fetchRecords']>[0]) => {
          const answers = await target.fetchRecords(queries)
          if (fetches-- <= 0) return answers
          return answers.map((a) => ({ ...a, batches: [], error: kafkaError(ErrorCode.NOT_LEADER_OR_FOLLOWER) }))
        }
      return Reflect.get(target, name, receiver) as unknown
    },
  })
}

describe('readBackSequences', () => {
  it('reads every record of every partition', async () => {
    const entries = await readBackSequences(await ordersCluster(), 'orders', 2, ledger(), pinnedClock())
    expect(entries.map((e) => e.seq).sort()).toEqual([0, 1, 2, 3, 4, 5])
  })

  it('right after a leader moved, asks again until the new leader answers the bounds and the fetch', async () => {
    const kafka = justAfterElection(await ordersCluster(), { listOffsets: 3, fetchRecords: 2 })
    const entries = await readBackSequences(kafka, 'orders', 2, ledger(), pinnedClock())
    expect(entries.map((e) => `${e.partition}@${e.offset}:${e.seq}`)).toEqual(['0@0:0', '0@1:2', '0@2:4', '1@0:1', '1@1:3', '1@2:5'])
  })

  it('a partition still refused after the settle bound fails with the error Kafka gave', async () => {
    const kafka = justAfterElection(await ordersCluster(), { listOffsets: Number.POSITIVE_INFINITY, fetchRecords: 0 })
    await expect(readBackSequences(kafka, 'orders', 2, ledger(), pinnedClock())).rejects.toThrow(
      new RegExp(
        `timed out after ${settleMs / 1000} s waiting for the log bounds of orders for the read-back \\(last seen: orders/0 earliest: OFFSET_NOT_AVAILABLE\\)`,
      ),
    )
  })
})
