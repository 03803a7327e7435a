// The consumer protocol's member assignment bytes (what a classic group's leader hands each member).

import { Reader } from '../client.ts'

/*
  ConsumerProtocolAssignment => version:INT16 [assigned_partitions => topic:STRING [partitions:INT32]] user_data:BYTES
  (non-flexible encoding; later versions only add fields at the end)
*/
/** The partitions in a classic member's assignment; [] for empty or unreadable bytes. */
export function decodeClassicAssignment(bytes: Buffer | null | undefined): { topic: string; partition: number }[] {
  if (!bytes || bytes.length < 6) return []
  try {
    const reader = Reader.from(bytes)
    reader.readInt16()
    const topics = reader.readArray((r) => ({ topic: r.readString(false), partitions: r.readArray((p) => p.readInt32(), false, false) }), false, false)
    return topics.flatMap((t) => t.partitions.map((partition) => ({ topic: t.topic, partition })))
  } catch {
    return []
  }
}
