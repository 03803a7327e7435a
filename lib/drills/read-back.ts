// A drill's full read-back: every record a topic's partitions hold now, from the log start to the high watermark,
// read through the injected KafkaOps — what a fresh consumer reading from the beginning would see, without
// starting one (a new group right after a broker restart waits for the coordinator to load its offsets
// partition: measured 13–25 s per reader on the sandbox under load).

import type { KafkaOps } from '../kafka/types.ts'
import { dataRecords } from '../kafka/records.ts'
import { Ledger, type ProcessedEntry } from './workloads/ledger.ts'

/** Records asked for per Fetch. */
const chunkRecords = 5000

/** Every sequence-numbered record (a workload producer's `{"seq": n}`) the partitions hold, in offset order; also written to `ledgerPath`. */
export async function readBackSequences(kafka: KafkaOps, topic: string, partitions: number, ledgerPath: string): Promise<ProcessedEntry[]> {
  const queries = Array.from({ length: partitions }, (_, partition) => ({ topic, partition }))
  const [starts, ends] = await Promise.all([
    kafka.listOffsets(queries.map((q) => ({ ...q, spec: 'earliest' as const }))),
    kafka.listOffsets(queries.map((q) => ({ ...q, spec: 'latest' as const }))),
  ])
  const entries: ProcessedEntry[] = []
  const atMs = Date.now()
  for (const { partition } of queries) {
    const start = starts.find((s) => s.partition === partition)?.offset
    const end = ends.find((e) => e.partition === partition)?.offset
    if (start == null || end == null) throw new Error(`drill: cannot read the log bounds of ${topic}/${partition} for the read-back`)
    let offset = start
    while (offset < end) {
      const [answer] = await kafka.fetchRecords([{ topic, partition, offset, endOffset: end, maxRecords: chunkRecords }])
      if (!answer || answer.error) throw new Error(`drill: read-back of ${topic}/${partition} at ${offset} failed: ${answer?.error?.name ?? 'no answer'}`)
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
