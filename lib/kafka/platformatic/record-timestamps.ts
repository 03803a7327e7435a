// recordTimestamps(): when the record at an offset was written. ListOffsets maps a time to an offset but never
// an offset to a time, so this reads the first data record at or after the offset, as a consumer would.

import { dataRecords } from '../records.ts'
import type { RecordQuery, RecordTimestamp } from '../types.ts'
import { fetchRecords } from './fetch-records.ts'
import type { Session } from './session.ts'

export async function recordTimestamps(session: Session, queries: readonly RecordQuery[]): Promise<RecordTimestamp[]> {
  const read = await fetchRecords(
    session,
    queries.map((q) => ({ topic: q.topic, partition: q.partition, offset: q.offset, maxRecords: 1 })),
  )
  return read.map((answer) => {
    const first = dataRecords(answer.batches)[0]
    return {
      topic: answer.topic,
      partition: answer.partition,
      requested: answer.requested,
      offset: first?.offset ?? null,
      timestamp: first?.timestamp ?? null,
      ...(answer.error && !first ? { error: answer.error } : {}),
    }
  })
}
