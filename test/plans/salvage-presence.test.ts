import { describe, expect, it } from 'vitest'
import type { KafkaRecord } from '../../lib/kafka/records.ts'
import { type CopyFound, earliestCopyTimestamp, nothingToWrite, presenceOf, salvageCoordinatesOf, skipPresent } from '../../lib/plans/salvage-presence.ts'
import { type ReproducePlan, salvagedRecord } from '../../lib/plans/salvage.ts'

const record = (offset: bigint, leaderEpoch = 4, timestamp = 1_000 + Number(offset)): KafkaRecord => ({
  offset,
  timestamp,
  timestampType: 'create',
  key: Buffer.from('k'),
  value: Buffer.from(`v${offset}`),
  headers: [{ key: 'trace', value: Buffer.from('t') }],
  producerId: -1n,
  producerEpoch: -1,
  sequence: -1,
  leaderEpoch,
  transactional: false,
})

const orders0 = { topic: 'orders', partition: 0 }
const salvaged = [100n, 101n, 102n, 103n].map((o) => record(o))

/** What a target partition holds: the re-produced copy of `original` (from `source`) at offset `at`. */
function copyAt(at: bigint, original: KafkaRecord, source = orders0): CopyFound {
  const produced = salvagedRecord(original, source, 0)
  const read: KafkaRecord = { ...original, offset: at, headers: produced.headers ?? [] }
  return { at, from: salvageCoordinatesOf(read.headers)!, record: read }
}

describe('salvageCoordinatesOf', () => {
  it('reads the provenance headers a re-produce appends, and nothing from a plain record', () => {
    expect(salvageCoordinatesOf(salvagedRecord(record(7n, 3), { topic: 'a.b', partition: 2 }, 0).headers!)).toEqual({
      topic: 'a.b',
      partition: 2,
      offset: 7n,
      leaderEpoch: 3,
    })
    expect(salvageCoordinatesOf(record(7n).headers)).toBeNull()
  })

  it('takes the last provenance of a copy of a copy: where it was salvaged this time', () => {
    const first = salvagedRecord(record(7n, 3), { topic: 'orders', partition: 2 }, 0)
    const again = salvagedRecord({ ...record(50n, 9), headers: first.headers! }, { topic: 'orders.salvaged', partition: 2 }, 0)
    expect(salvageCoordinatesOf(again.headers!)).toMatchObject({ topic: 'orders.salvaged', offset: 50n, leaderEpoch: 9 })
  })
})

describe('presenceOf: which salvaged records the target already holds', () => {
  const table: { name: string; found: CopyFound[]; missing: bigint[]; once: bigint[]; duplicated: [bigint, bigint[]][] }[] = [
    { name: 'none present', found: [], missing: [100n, 101n, 102n, 103n], once: [], duplicated: [] },
    {
      name: 'all present (an earlier re-produce finished)',
      found: salvaged.map((r, i) => copyAt(BigInt(i), r)),
      missing: [],
      once: [100n, 101n, 102n, 103n],
      duplicated: [],
    },
    {
      name: 'some present (an earlier re-produce stopped half way)',
      found: [copyAt(0n, salvaged[0]!), copyAt(1n, salvaged[1]!)],
      missing: [102n, 103n],
      once: [100n, 101n],
      duplicated: [],
    },
    {
      name: 'a duplicate already in the target',
      found: [copyAt(0n, salvaged[0]!), copyAt(1n, salvaged[1]!), copyAt(2n, salvaged[1]!)],
      missing: [102n, 103n],
      once: [100n],
      duplicated: [[101n, [1n, 2n]]],
    },
    {
      name: 'copies from another salvage of another partition and topic in the same target',
      found: [
        copyAt(0n, salvaged[0]!, { topic: 'orders', partition: 1 }),
        copyAt(1n, salvaged[1]!, { topic: 'payments', partition: 0 }),
        copyAt(2n, salvaged[2]!),
      ],
      missing: [100n, 101n, 103n],
      once: [102n],
      duplicated: [],
    },
    {
      name: 'the same offset written in another leader epoch (another history) is another record',
      found: [copyAt(0n, record(100n, 5))],
      missing: [100n, 101n, 102n, 103n],
      once: [],
      duplicated: [],
    },
  ]
  it.each(table)('$name', ({ found, missing, once, duplicated }) => {
    const presence = presenceOf(salvaged, orders0, found)
    expect(presence.missing.map((r) => r.offset)).toEqual(missing)
    expect(presence.once.map((o) => o.record.offset)).toEqual(once)
    expect(presence.duplicated.map((d) => [d.record.offset, d.at])).toEqual(duplicated)
  })
})

describe('skipPresent', () => {
  const plan: ReproducePlan = {
    destination: 'salvage-topic',
    topics: [{ topic: 'orders.salvaged', create: null, timestampType: 'CreateTime' }],
    steps: [
      {
        source: orders0,
        file: '/s/0.jsonl',
        sha256: 'x',
        topic: 'orders.salvaged',
        partition: 0,
        records: 4,
        originalOffsets: [100n, 101n, 102n, 103n],
        plain: 4,
        committed: 0,
        aborted: 0,
        undecided: 0,
        transactions: [],
        hanging: [],
        alreadyRead: 0,
        firstOffset: 100n,
        lastOffset: 103n,
      },
    ],
    records: 4,
  }

  it('writes only what is missing, and says how many are there already', () => {
    const narrowed = skipPresent(plan, () => presenceOf(salvaged, orders0, [copyAt(0n, salvaged[0]!), copyAt(1n, salvaged[0]!)]))
    expect(narrowed).toMatchObject({ records: 3, present: 1 })
    expect(narrowed.steps[0]).toMatchObject({
      salvaged: 4,
      records: 3,
      present: 1,
      firstOffset: 101n,
      lastOffset: 103n,
      duplicated: [{ offset: 100n, at: [0n, 1n] }],
    })
    expect(nothingToWrite(narrowed)).toBe(false)
  })

  it('has nothing to write when everything is there, unless a topic is to be created', () => {
    const all = skipPresent(plan, () =>
      presenceOf(
        salvaged,
        orders0,
        salvaged.map((r, i) => copyAt(BigInt(i), r)),
      ),
    )
    expect(all).toMatchObject({ records: 0, present: 4 })
    expect(nothingToWrite(all)).toBe(true)
    const fresh = skipPresent(
      { ...plan, topics: [{ ...plan.topics[0]!, create: { partitions: 1, replicationFactor: 1, configs: {}, why: [] } as never }] },
      () => null,
    )
    expect(fresh).toMatchObject({ records: 4, present: 0 })
    expect(nothingToWrite(fresh)).toBe(false)
  })
})

describe('earliestCopyTimestamp', () => {
  it('is the earliest original time, or 0 when a record has none', () => {
    expect(earliestCopyTimestamp([record(1n, 4, 5_000), record(2n, 4, 4_000)])).toBe(4_000)
    expect(earliestCopyTimestamp([record(1n, 4, -1), record(2n, 4, 4_000)])).toBe(0)
    expect(earliestCopyTimestamp([])).toBe(0)
  })
})
