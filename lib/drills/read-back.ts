// A drill's full read-back: every record a topic's partitions hold now, from the log start to the high watermark,
// read through the injected KafkaOps — what a fresh consumer reading from the beginning would see, without
// starting one (a new group right after a broker restart waits for the coordinator to load its offsets
// partition: measured 13–25 s per reader on the sandbox under load).
//
// The read-back follows a fault the drill has just repaired, often a leader moved back by a preferred election a
// moment before. For a short while Kafka then refuses reads of that partition, as it refuses a consumer: the new
// leader answers OFFSET_NOT_AVAILABLE until its high watermark passes the start of its leader epoch, and a broker
// whose metadata still names the old leader sends NOT_LEADER_OR_FOLLOWER. Each read is asked again until it
// answers, for up to `settleMs`; one that still fails then is reported with Kafka's error.

import type { FetchedRecords, KafkaOps, ListedOffset } from '../kafka/types.ts'
import { dataRecords } from '../kafka/records.ts'
import { type Clock, waitUntil, wallClock } from '../poll/index.ts'
import { Ledger, type ProcessedEntry } from './workloads/ledger.ts'

/** Records asked for per Fetch. */
const chunkRecords = 5000
/** How long one read may keep being refused (a leader change settles within a few follower fetches: seconds). */
export const settleMs = 30_000

/** Asks `read` until `failure` finds nothing wrong with the answer, for up to settleMs; then fails with what was wrong. */
async function untilAnswered<T>(what: string, read: () => Promise<T>, failure: (answer: T) => string | null, clock: Clock): Promise<T> {
  let answer: T | undefined
  let wrong: string | null = null
  await waitUntil(
    what,
    async () => {
      answer = await read()
      wrong = failure(answer)
      return wrong === null
    },
    clock,
    { timeoutMs: settleMs, intervalMs: 250, seen: () => wrong ?? '' },
  )
  return answer as T
}

const refusal = (answers: readonly ListedOffset[]) => {
  const bad = answers.find((a) => a.offset === null)
  return bad ? `${bad.topic}/${bad.partition} ${bad.spec}: ${bad.error?.name ?? 'no offset'}` : null
}

/** Every sequence-numbered record (a workload producer's `{"seq": n}`) the partitions hold, in offset order; also written to `ledgerPath`. */
export async function readBackSequences(
  kafka: KafkaOps,
  topic: string,
  partitions: number,
  ledgerPath: string,
  clock: Clock = wallClock,
): Promise<ProcessedEntry[]> {
  const queries = Array.from({ length: partitions }, (_, partition) => ({ topic, partition }))
  const bounds = await untilAnswered(
    `the log bounds of ${topic} for the read-back`,
    () =>
      kafka.listOffsets(
        queries.flatMap((q) => [
          { ...q, spec: 'earliest' as const },
          { ...q, spec: 'latest' as const },
        ]),
      ),
    refusal,
    clock,
  )
  const starts = bounds.filter((b) => b.spec === 'earliest')
  const ends = bounds.filter((b) => b.spec === 'latest')
  const entries: ProcessedEntry[] = []
  const atMs = Date.now()
  for (const { partition } of queries) {
    const start = starts.find((s) => s.partition === partition)?.offset
    const end = ends.find((e) => e.partition === partition)?.offset
    if (start == null || end == null) throw new Error(`drill: cannot read the log bounds of ${topic}/${partition} for the read-back`)
    let offset = start
    while (offset < end) {
      const [answer] = await untilAnswered(
        `the read-back of ${topic}/${partition} at ${offset}`,
        () => kafka.fetchRecords([{ topic, partition, offset, endOffset: end, maxRecords: chunkRecords }]),
        ([a]: FetchedRecords[]) => (!a ? 'no answer' : a.error ? a.error.name : null),
        clock,
      )
      if (!answer) throw new Error(`drill: read-back of ${topic}/${partition} at ${offset} failed: no answer`)
      if (answer.nextOffset <= offset) throw new Error(`drill: read-back of ${topic}/${partition} made no progress at ${offset} (log end ${end})`)
      for (const record of dataRecords(answer.batches)) {
        const seq = (JSON.parse(record.value?.toString() ?? '{}') as { seq?: number }).seq ?? -1
        entries.push({ seq, partition, offset: record.offset.toString(), instance: 1, atMs })
      }
      offset = answer.nextOffset
    }
  }
  const ledger = new Ledger<ProcessedEntry>(ledgerPath)
  ledger.append(entries)
  ledger.close()
  return entries
}
