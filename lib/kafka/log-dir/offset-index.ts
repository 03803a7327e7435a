// A segment's `.index`: 8-byte entries (offset relative to the segment's base, byte position in the .log), in
// increasing order, each pointing at the start of a batch whose last offset is that offset. The active segment's
// index is preallocated and zero-filled past its last entry, and after a crash may be stale: it is a hint that
// the caller checks against the batch it points at, never the truth.

import type { ByteSource } from './segment-source.ts'

const entryBytes = 8

/**
 * The byte position of the last indexed batch ending at or before `target`, or 0 when none does. Binary search
 * with one 8-byte read per step: a 10 MB index costs about twenty reads, not 10 MB.
 */
export async function indexedPosition(index: ByteSource, baseOffset: bigint, target: bigint): Promise<number> {
  const relative = target - baseOffset
  if (relative <= 0n) return 0
  const count = Math.floor(index.size / entryBytes)
  // Trailing zero entries (preallocated space) sort after every real entry.
  const keyAt = async (i: number): Promise<{ key: number; position: number }> => {
    const entry = await index.read(i * entryBytes, entryBytes)
    if (entry.length < entryBytes) return { key: Infinity, position: 0 }
    const key = entry.readInt32BE(0)
    const position = entry.readInt32BE(4)
    return i > 0 && key === 0 && position === 0 ? { key: Infinity, position } : { key, position }
  }
  let low = 0
  let high = count - 1
  let found = 0
  while (low <= high) {
    const middle = (low + high) >>> 1
    const { key, position } = await keyAt(middle)
    if (key <= Number(relative)) {
      found = position
      low = middle + 1
    } else high = middle - 1
  }
  return found
}
