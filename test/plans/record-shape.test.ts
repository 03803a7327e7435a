// What a payload looks like and how it is shown: one row per kind of bytes a poison record tends to be.

import { describe, expect, it } from 'vitest'
import { escapeControls, hexDump, invalidUtf8At, judgeShape, previewBytes, shapeOf, type PayloadShape } from '../../lib/plans/record-shape.ts'

const utf8 = (text: string) => Buffer.from(text, 'utf8')
const framed = (schemaId: number, body: Buffer) =>
  Buffer.concat([Buffer.from([0, (schemaId >>> 24) & 255, (schemaId >>> 16) & 255, (schemaId >>> 8) & 255, schemaId & 255]), body])

describe('shapeOf', () => {
  it.each<{ name: string; bytes: Buffer | null; shape: PayloadShape }>([
    { name: 'null is a tombstone', bytes: null, shape: { kind: 'null' } },
    { name: 'zero bytes', bytes: Buffer.alloc(0), shape: { kind: 'empty' } },
    { name: 'a JSON object', bytes: utf8('{"order":42,"amount":12.5}'), shape: { kind: 'json', of: 'object' } },
    { name: 'a JSON array with whitespace first', bytes: utf8('  [1, 2]'), shape: { kind: 'json', of: 'array' } },
    { name: 'a bare JSON number', bytes: utf8('42'), shape: { kind: 'json', of: 'value' } },
    {
      name: 'JSON cut off in a string',
      bytes: utf8('{"order":42,"note":"ab'),
      shape: { kind: 'json-invalid', atByte: 22, problem: 'a string that never ends (cut off?)' },
    },
    { name: 'JSON cut off after a value', bytes: utf8('{"order":42'), shape: { kind: 'json-invalid', atByte: 11, problem: 'it ends too early (cut off?)' } },
    {
      name: 'a missing comma, its byte counted in UTF-8',
      bytes: utf8('{"città":"é" "x":1}'),
      shape: { kind: 'json-invalid', atByte: 15, problem: `unexpected "\\"" where ',' or '}' belongs` },
    },
    {
      name: 'single quotes',
      bytes: utf8("{'order':1}"),
      shape: { kind: 'json-invalid', atByte: 1, problem: `unexpected "'" where a property name in double quotes belongs` },
    },
    {
      name: 'a raw newline inside a string',
      bytes: utf8('{"a":"x\ny"}'),
      shape: { kind: 'json-invalid', atByte: 7, problem: 'a control character inside a string' },
    },
    { name: 'trailing garbage', bytes: utf8('{"a":1}}'), shape: { kind: 'json-invalid', atByte: 7, problem: 'more data after the JSON value ("}")' } },
    {
      name: 'JSON with a byte that is not UTF-8',
      bytes: Buffer.concat([utf8('{"a":"'), Buffer.from([0xff]), utf8('"}')]),
      shape: { kind: 'json-invalid', atByte: 6, problem: 'bytes that are not UTF-8' },
    },
    {
      name: 'Avro or Protobuf with a schema id',
      bytes: framed(7, Buffer.from([2, 0x84, 0x01, 0xff])),
      shape: { kind: 'schema-registry', schemaId: 7, body: 'binary' },
    },
    { name: 'JSON Schema framing', bytes: framed(300, utf8('{"a":1}')), shape: { kind: 'schema-registry', schemaId: 300, body: 'json' } },
    { name: 'a large schema id', bytes: framed(0x80000001, Buffer.from([1])), shape: { kind: 'schema-registry', schemaId: 0x80000001, body: 'binary' } },
    { name: 'plain text', bytes: utf8('order 42 paid'), shape: { kind: 'text' } },
    { name: 'not UTF-8', bytes: Buffer.from([0x41, 0xc3, 0x28]), shape: { kind: 'binary', invalidUtf8AtByte: 1 } },
    { name: 'UTF-8 that is mostly control characters', bytes: Buffer.from([1, 2, 3, 4, 0x41]), shape: { kind: 'binary', invalidUtf8AtByte: null } },
  ])('$name', ({ bytes, shape }) => {
    expect(shapeOf(bytes)).toEqual(shape)
  })

  it('agrees with JSON.parse on what is valid', () => {
    for (const text of ['{"a":[1,2,{"b":null}]}', '{"a":1,}', '[1,]', '{"a":01}', '"x"', 'true', '{"a":"\\u00e9"}', '{"a":"\\q"}', '[[[[]]]]', '{"a" 1}']) {
      let valid = true
      try {
        JSON.parse(text)
      } catch {
        valid = false
      }
      expect(shapeOf(utf8(text)).kind === 'json', text).toBe(valid)
    }
  })
})

describe('invalidUtf8At', () => {
  it.each([
    { bytes: [0x61, 0x62], at: null },
    { bytes: [0xe2, 0x82, 0xac], at: null },
    { bytes: [0xe2, 0x82], at: 0 },
    { bytes: [0x61, 0xc0, 0x80], at: 1 },
    { bytes: [0xed, 0xa0, 0x80], at: 0 },
    { bytes: [0xf4, 0x90, 0x80, 0x80], at: 0 },
    { bytes: [0xf0, 0x9f, 0x98, 0x80], at: null },
  ])('$bytes → $at', ({ bytes, at }) => {
    expect(invalidUtf8At(Uint8Array.from(bytes))).toBe(at)
  })
})

describe('previewBytes', () => {
  it('escapes what a terminal would act on or hide', () => {
    expect(escapeControls('a\nb\tc\r\u001b[31mred\u0000\u202eevil\u200b')).toBe('a\\nb\\tc\\r\\x1b[31mred\\x00\\u{202e}evil\\u{200b}')
    expect(previewBytes(utf8('{"a":"\u001b]0;pwned\u0007"}'))).toEqual({
      encoding: 'utf-8',
      text: '{"a":"\\x1b]0;pwned\\x07"}',
      shownBytes: 18,
      totalBytes: 18,
    })
  })

  it('cuts at the byte limit without splitting a character', () => {
    const preview = previewBytes(utf8('ééééé'), 5)
    expect(preview).toMatchObject({ encoding: 'utf-8', text: 'éé', shownBytes: 4, totalBytes: 10 })
  })

  it('shows binary as a hex dump of at most the limit', () => {
    const bytes = Buffer.from(Array.from({ length: 40 }, (_, i) => (i * 37) % 256))
    const preview = previewBytes(bytes, 20)
    expect(preview.encoding).toBe('hex')
    expect(preview.shownBytes).toBe(20)
    expect(preview.text.split('\n')).toHaveLength(2)
    expect(hexDump(Buffer.from('Hi\u0000', 'latin1'))).toBe('0000  48 69 00' + ' '.repeat(40) + '  |Hi.|')
  })

  it('says null and empty in words', () => {
    expect(previewBytes(null).text).toBe('(null)')
    expect(previewBytes(Buffer.alloc(0)).text).toBe('(empty)')
  })
})

describe('judgeShape', () => {
  const json: PayloadShape = { kind: 'json', of: 'object' }
  const sr = (schemaId: number): PayloadShape => ({ kind: 'schema-registry', schemaId, body: 'binary' })
  it.each<{ name: string; subject: PayloadShape; neighbours: PayloadShape[]; odd: boolean; reason?: RegExp }>([
    { name: 'broken JSON alone', subject: { kind: 'json-invalid', atByte: 3, problem: 'x' }, neighbours: [], odd: true, reason: /does not parse/ },
    { name: 'JSON among JSON', subject: json, neighbours: [json, json, { kind: 'json', of: 'array' }], odd: false },
    { name: 'text among JSON', subject: { kind: 'text' }, neighbours: [json, json, json], odd: true, reason: /^text where 3 of 3 neighbours are JSON object$/ },
    { name: 'another schema id', subject: sr(12), neighbours: [sr(7), sr(7)], odd: true, reason: /schema id 12 where 2 of 2 neighbours use schema id 7/ },
    { name: 'no header among framed', subject: json, neighbours: [sr(7), sr(7), json], odd: true, reason: /no Schema Registry header .* schema id 7/ },
    { name: 'a tombstone among JSON', subject: { kind: 'null' }, neighbours: [json, json], odd: true, reason: /null \(tombstone\)/ },
    { name: 'no clear majority', subject: { kind: 'text' }, neighbours: [json, { kind: 'binary', invalidUtf8AtByte: 0 }], odd: false },
    { name: 'no neighbours', subject: { kind: 'empty' }, neighbours: [], odd: false },
  ])('$name', ({ subject, neighbours, odd, reason }) => {
    const judged = judgeShape(subject, neighbours)
    expect(judged.odd).toBe(odd)
    if (reason) expect(judged.reason).toMatch(reason)
  })
})
