import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import type { KafkaRecord } from '../../lib/kafka/records.ts'
import {
  parseSalvage,
  recordContentHash,
  SalvageEncoder,
  salvageFileText,
  type SalvageHeader,
  type SalvageMarker,
  type TransactionOutcome,
} from '../../lib/kafka/salvage-file.ts'

const header: SalvageHeader = {
  clusterId: 'jbPPo-f8jenY8VxL2TQoYQ',
  topic: 'payments',
  topicId: 'i91hkhFUQJKsMlgnLHu7fA',
  partition: 3,
  broker: 1,
  logDir: '/mnt/broker-1/kafka-logs',
  fromOffset: 1307n,
  toOffset: 1310n,
  createdAt: '2026-11-24T03:12:00.000Z',
  reason: "electing broker 3 truncates broker 1's log to offset 1307",
}

const record = (offset: bigint, over: Partial<KafkaRecord> = {}): KafkaRecord => ({
  offset,
  timestamp: 1_800_000_000_000 + Number(offset),
  timestampType: 'create',
  key: Buffer.from(`order-${offset}`),
  value: Buffer.from(`{"amount": ${offset}}`),
  headers: [{ key: 'trace', value: Buffer.from('abc') }],
  producerId: 4001n,
  producerEpoch: 0,
  sequence: Number(offset),
  leaderEpoch: 0,
  transactional: false,
  ...over,
})

const records = [
  record(1307n),
  record(1308n, { key: null, value: Buffer.from([0xff, 0x00, 0xfe]), headers: [{ key: 'bin', value: null }] }),
  record(1309n, { value: null, producerId: -1n, producerEpoch: -1, sequence: -1, transactional: true }),
]

function write(list: readonly KafkaRecord[]): string[] {
  const encoder = new SalvageEncoder(header)
  return [encoder.header(), ...list.map((r) => encoder.record(r)), encoder.trailer()]
}

describe('the salvage file', () => {
  it('reads back every record whole, and the header', () => {
    const read = parseSalvage(write(records))
    expect(read).toMatchObject({ complete: true, problems: [] })
    expect(read.header).toEqual(header)
    expect(read.records).toEqual(records)
  })

  it('is readable as text where the bytes are text, base64 where they are not', () => {
    const lines = write(records)
    expect(JSON.parse(lines[1]!)).toMatchObject({ offset: '1307', key: { text: 'order-1307' }, value: { text: '{"amount": 1307}' }, producerId: '4001' })
    expect(JSON.parse(lines[2]!)).toMatchObject({ key: null, value: { base64: '/wD+' }, headers: [{ key: 'bin', value: null }] })
    expect(JSON.parse(lines[0]!)).toMatchObject({ format: 'kafka-runbooks/salvage', version: 2, topic: 'payments', fromOffset: '1307' })
  })

  it('hashes what a record keeps when produced again, not where it was', () => {
    expect(recordContentHash(record(1n))).not.toBe(recordContentHash(record(1n, { value: Buffer.from('other') })))
    expect(recordContentHash(record(1n, { key: null }))).not.toBe(recordContentHash(record(1n, { key: Buffer.alloc(0) })))
    expect(recordContentHash(record(1n, { offset: 99n, leaderEpoch: 7 }))).toBe(recordContentHash(record(1n)))
  })

  it('notices a record changed, a line removed, and a file cut short', () => {
    const lines = write(records)
    const edited = [...lines]
    edited[1] = edited[1]!.replace('order-1307', 'order-9999')
    expect(parseSalvage(edited).problems).toEqual(['line 2: record at offset 1307 does not match its sha256'])
    expect(parseSalvage([lines[0]!, lines[1]!, lines[3]!, lines[4]!]).problems).toEqual([
      'the trailer counts 3 records, the file holds 2',
      'the trailer hash does not match the records: lines were changed, added or removed',
    ])
    expect(parseSalvage(lines.slice(0, 3))).toMatchObject({ complete: false, problems: ['no trailer line: the file was cut short while it was written'] })
  })

  it('refuses what is not a salvage file, and records out of order', () => {
    expect(() => parseSalvage(['{"hello": 1}'])).toThrow(/not a salvage file/)
    const encoder = new SalvageEncoder(header)
    encoder.record(record(5n))
    expect(() => encoder.record(record(4n))).toThrow(/offset order/)
  })

  describe('version 2: transaction markers and outcomes', () => {
    const tx = (offset: bigint, producerId: bigint) => record(offset, { producerId, producerEpoch: 2, sequence: 0, transactional: true })
    const commit: SalvageMarker = { type: 'commit', offset: 1309n, producerId: 4001n, producerEpoch: 2, coordinatorEpoch: 5, timestamp: 1_800_000_001_309 }
    const outcome: TransactionOutcome = {
      producerId: 4002n,
      producerEpoch: 2,
      firstOffset: 1310n,
      outcome: 'committed',
      source: 'coordinator',
      detail: 'coordinator: orders-tx is CompleteCommit at epoch 3',
    }
    const body = { records: [tx(1307n, 4001n), tx(1308n, 4001n), tx(1310n, 4002n)], markers: [commit], outcomes: [outcome] }
    const text = salvageFileText({ ...header, toOffset: 1311n }, body)
    const lines = text.trimEnd().split('\n')

    it('puts markers between the records in offset order, outcomes after them, and reads all of it back', () => {
      expect(lines.map((l) => Object.keys(JSON.parse(l) as object)[0])).toEqual(['format', 'offset', 'offset', 'marker', 'offset', 'transaction', 'end'])
      const read = parseSalvage(lines)
      expect(read).toMatchObject({ version: 2, complete: true, problems: [], markers: [commit], outcomes: [outcome] })
      expect(read.records).toEqual(body.records)
      expect(JSON.parse(lines.at(-1)!)).toMatchObject({ records: 3, markers: 1, transactions: 1 })
    })

    it('keeps the records apart for jq: only record lines have a value', () => {
      const withValue = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => 'value' in l)
      expect(withValue.map((l) => l.offset)).toEqual(['1307', '1308', '1310'])
    })

    it('notices a marker turned from abort to commit, and a marker line removed', () => {
      const flipped = lines.map((l) => l.replace('"marker":"commit"', '"marker":"abort"'))
      expect(parseSalvage(flipped).problems).toEqual(['line 4: marker at offset 1309 does not match its sha256'])
      const without = lines.filter((l) => !l.includes('"marker"'))
      expect(parseSalvage(without).problems).toEqual([
        'the trailer counts 1 markers, the file holds 0',
        'the trailer hash does not match the records: lines were changed, added or removed',
      ])
      const outcomeChanged = lines.map((l) => l.replace('"outcome":"committed"', '"outcome":"aborted"'))
      expect(parseSalvage(outcomeChanged).problems).toEqual(['line 6: transaction line does not match its sha256'])
    })

    it('still reads a version 1 file, written before markers were kept', () => {
      const v1 = [
        JSON.stringify({ ...JSON.parse(lines[0]!), version: 1 }),
        lines[1]!,
        JSON.stringify({
          end: true,
          records: 1,
          sha256: createHash('sha256')
            .update(String(JSON.parse(lines[1]!).sha256))
            .digest('hex'),
        }),
      ]
      expect(parseSalvage(v1)).toMatchObject({ version: 1, complete: true, problems: [], markers: [], outcomes: [], records: [body.records[0]] })
      expect(() => parseSalvage([JSON.stringify({ ...JSON.parse(lines[0]!), version: 3 })])).toThrow(/version 3 is not one this tool reads \(1, 2\)/)
    })
  })
})
