// The consumer service's in-memory buffer: when it writes out, what a commit exposes, and the stall that makes the
// consumer-oom drill's kill exact (a write-out due just after the commit the drill kills on must not happen).

import { describe, expect, it } from 'vitest'
import { type BufferedRecord, WriteBuffer } from '../../lib/drills/workloads/write-buffer.ts'

const record = (offset: number, sinceMs = 0, partition = 0): BufferedRecord => ({ seq: offset, partition, offset: BigInt(offset), sinceMs })
const offsets = (records: readonly BufferedRecord[]) => records.map((r) => Number(r.offset))

describe('WriteBuffer', () => {
  it('writes out when full, or when the oldest record has waited the interval', () => {
    const buffer = new WriteBuffer({ flushRecords: 3, flushIntervalMs: 1000 })
    expect(buffer.add(record(0, 0))).toEqual([])
    expect(buffer.add(record(1, 10))).toEqual([])
    expect(offsets(buffer.add(record(2, 20)))).toEqual([0, 1, 2])
    expect(buffer.add(record(3, 500))).toEqual([])
    expect(buffer.due(1499)).toEqual([])
    expect(offsets(buffer.due(1500))).toEqual([3])
    expect(buffer.size).toBe(0)
  })

  it('counts the records a commit covered while they were only in memory, per partition', () => {
    const buffer = new WriteBuffer({ flushRecords: 100, flushIntervalMs: 60_000 })
    for (const r of [record(5, 0, 0), record(6, 0, 0), record(7, 0, 0), record(9, 0, 1)]) buffer.add(r)
    // Next offsets to read: partition 0 up to 7 (5 and 6 covered), partition 1 up to 10 (9 covered).
    expect(
      buffer.committed(
        new Map([
          [0, 7n],
          [1, 10n],
        ]),
      ),
    ).toEqual({ atRisk: 3, buffered: 4, stalled: false })
    expect(buffer.committed(new Map([[2, 100n]]))).toEqual({ atRisk: 0, buffered: 4, stalled: false })
  })

  it('without a stall asked for, a write-out due right after a commit saves the records it covered', () => {
    const buffer = new WriteBuffer({ flushRecords: 4, flushIntervalMs: 1000 })
    for (let o = 0; o < 3; o++) buffer.add(record(o))
    expect(buffer.committed(new Map([[0, 3n]]))).toMatchObject({ atRisk: 3, stalled: false })
    expect(offsets(buffer.add(record(3)))).toEqual([0, 1, 2, 3])
  })

  it('once asked, the first commit covering enough records stalls it: no write-out after, full or due, until a clean stop drains it', () => {
    const buffer = new WriteBuffer({ flushRecords: 4, flushIntervalMs: 1000 })
    buffer.stallAfterCommit(2)
    buffer.add(record(0))
    // One record covered: not enough, the buffer still writes out.
    expect(buffer.committed(new Map([[0, 1n]]))).toMatchObject({ atRisk: 1, stalled: false })
    buffer.add(record(1))
    buffer.add(record(2))
    expect(buffer.committed(new Map([[0, 3n]]))).toEqual({ atRisk: 3, buffered: 3, stalled: true })
    // The write-out that was due a moment later (the race the drill's kill lost under load) does not happen.
    expect(buffer.add(record(3))).toEqual([])
    expect(buffer.due(60_000)).toEqual([])
    expect(buffer.committed(new Map([[0, 4n]]))).toEqual({ atRisk: 4, buffered: 4, stalled: true })
    expect(offsets(buffer.drain())).toEqual([0, 1, 2, 3])
  })

  it('a stall asked for after the commit that would have met it waits for the next one', () => {
    const buffer = new WriteBuffer({ flushRecords: 10, flushIntervalMs: 1000 })
    buffer.add(record(0))
    buffer.add(record(1))
    expect(buffer.committed(new Map([[0, 2n]]))).toMatchObject({ atRisk: 2, stalled: false })
    buffer.stallAfterCommit(2)
    expect(buffer.due(5000)).toHaveLength(2)
    buffer.add(record(2))
    buffer.add(record(3))
    expect(buffer.committed(new Map([[0, 4n]]))).toMatchObject({ atRisk: 2, stalled: true })
  })
})
