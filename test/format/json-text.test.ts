import { describe, expect, it } from 'vitest'
import { JsonTextWriter, type RecordField, type RecordValue } from '../../lib/format/json-text.ts'

type Row = Readonly<Record<string, RecordValue>>
const fieldsOf = (keys: readonly string[]): RecordField<Row>[] => keys.map((key) => ({ key, read: (r: Row) => r[key] }))

/** The list as JSON.stringify(…, null, 2) writes it at the top, and as the value of a key two levels deep. */
function stringified(records: readonly Row[], keys: readonly string[]): { top: string; nested: string } {
  const list = records.map((r) => Object.fromEntries(keys.map((k) => [k, r[k]])))
  return { top: JSON.stringify(list, null, 2), nested: JSON.stringify({ a: { k: list } }, null, 2) }
}

function written(records: readonly Row[], keys: readonly string[]): { top: string; nested: string } {
  return {
    top: new JsonTextWriter().records(records, fieldsOf(keys), 0).toString(),
    nested: new JsonTextWriter().text('{\n  "a": {\n    "k": ').records(records, fieldsOf(keys), 2).text('\n  }\n}').toString(),
  }
}

describe('JsonTextWriter.records: byte for byte what JSON.stringify(…, null, 2) writes', () => {
  it.each([
    { name: 'no records', records: [], keys: ['topic'] },
    {
      name: 'flagged partitions as status lists them',
      records: [
        { topic: 'orders', partition: 0, leader: null, replicas: [3], isr: [], elr: [3], lastKnownElr: null, offline: [3], minIsr: 1 },
        { topic: 'orders', partition: 1, leader: 2, replicas: [2, 3, 1], isr: [2, 1], elr: null, lastKnownElr: [], offline: [], minIsr: null },
        { topic: 'payments', partition: 12, leader: 1, replicas: [1, 2], isr: [1], elr: [], lastKnownElr: [], offline: [], minIsr: 2 },
      ],
      keys: ['topic', 'partition', 'leader', 'replicas', 'isr', 'elr', 'lastKnownElr', 'offline', 'minIsr'],
    },
    {
      name: 'strings that need escaping, non-ASCII and lone surrogates',
      records: [{ s: 'é"\\\n\t\u0001\u2028' }, { s: '\ud800x' }, { s: '日本' }, { s: '' }],
      keys: ['s'],
    },
    {
      name: 'numbers: zero, negative zero, negatives, fractions, huge, NaN and infinities',
      records: [
        { n: 0, l: [0, -0, -1, 4294967295, 4294967296] },
        { n: -0, l: [1.5, 1e21, 2 ** 53, Number.NaN] },
        { n: -12, l: [Number.POSITIVE_INFINITY, null, 7] },
        { n: 0.1 + 0.2, l: [Number.NEGATIVE_INFINITY] },
        { n: Number.NaN, l: [] },
      ],
      keys: ['n', 'l'],
    },
    {
      name: 'undefined fields left out, booleans, a record with nothing left',
      records: [
        { a: undefined, b: true },
        { a: 1, b: undefined },
        { a: undefined, b: undefined },
        { a: false, b: null },
      ],
      keys: ['a', 'b'],
    },
  ] as { name: string; records: Row[]; keys: string[] }[])('$name', ({ records, keys }) => {
    expect(written(records, keys)).toEqual(stringified(records, keys))
  })

  it('grows past its first buffer and keeps every byte', () => {
    const records = Array.from({ length: 5_000 }, (_, i) => ({ topic: `t-${i % 7}`, partition: i, replicas: [i, i + 1, i + 2] }))
    const keys = ['topic', 'partition', 'replicas']
    expect(written(records, keys)).toEqual(stringified(records, keys))
  })
})

describe('JsonTextWriter.value', () => {
  it.each([{ value: { a: [1, { b: 'c' }], d: {}, e: [] } }, { value: [] }, { value: 'x\ny' }, { value: 42 }, { value: [[1, 2], { f: null }] }])(
    '$value as the value of a key two levels deep',
    ({ value }) => {
      const text = new JsonTextWriter().text('{\n  "a": {\n    "k": ').value(value, 2).text('\n  }\n}').toString()
      expect(text).toBe(JSON.stringify({ a: { k: value } }, null, 2))
    },
  )
})
