import { describe, expect, it } from 'vitest'
import type { KafkaRecord } from '../../lib/kafka/records.ts'
import { parseSalvage, recordContentHash, SalvageEncoder, type SalvageHeader } from '../../lib/kafka/salvage-file.ts'

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
})
