// PURE: what a record's bytes look like, and how to show them without trusting them. A payload is classified
// (null, empty, JSON that parses or where it breaks, Confluent Schema Registry framing with its schema id, text,
// binary), compared with its neighbours (one record unlike the rest is the usual poison), and turned into text
// that is safe on a terminal: UTF-8 where it decodes, a hex dump otherwise, control characters escaped.

/** What a payload is, as far as its bytes tell. */
export type PayloadShape =
  | { readonly kind: 'null' }
  | { readonly kind: 'empty' }
  | { readonly kind: 'json'; readonly of: 'object' | 'array' | 'value' }
  /** Starts like JSON but does not parse: where (byte offset) and why. */
  | { readonly kind: 'json-invalid'; readonly atByte: number; readonly problem: string }
  /** Magic byte 0 and a 4-byte schema id (Confluent wire format); the body is JSON (JSON Schema) or binary (Avro, Protobuf). */
  | { readonly kind: 'schema-registry'; readonly schemaId: number; readonly body: 'json' | 'binary' }
  | { readonly kind: 'text' }
  /** Not UTF-8 (or mostly control characters). */
  | { readonly kind: 'binary'; readonly invalidUtf8AtByte: number | null }

/** Bytes shown safely: decoded text with control characters escaped, or a hex dump. */
export interface SafePreview {
  readonly encoding: 'utf-8' | 'hex' | 'none'
  /** One or more lines; hex dumps are 16 bytes a line. */
  readonly text: string
  readonly shownBytes: number
  readonly totalBytes: number
}

/** The first byte that is not part of well-formed UTF-8, or null when all of it is. */
export function invalidUtf8At(bytes: Uint8Array): number | null {
  let i = 0
  while (i < bytes.length) {
    const b = bytes[i]!
    const need = b < 0x80 ? 0 : b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : -1
    if (need < 0) return i
    if (i + need >= bytes.length && need > 0) return i
    for (let k = 1; k <= need; k++) if ((bytes[i + k]! & 0xc0) !== 0x80) return i
    // Overlong three-byte forms, UTF-16 surrogates, and code points above U+10FFFF are not UTF-8 either.
    if (b === 0xe0 && bytes[i + 1]! < 0xa0) return i
    if (b === 0xed && bytes[i + 1]! > 0x9f) return i
    if (b === 0xf0 && bytes[i + 1]! < 0x90) return i
    if (b === 0xf4 && bytes[i + 1]! > 0x8f) return i
    i += need + 1
  }
  return null
}

/** C0 and C1 control characters other than \n \r \t (those get their own escapes), and DEL. */
const isControl = (c: string) => {
  const code = c.codePointAt(0)!
  return code < 0x20 || (code >= 0x7f && code <= 0x9f)
}
// Characters that reorder or hide text on a terminal (bidirectional controls, zero-width marks, BOM).
const invisiblePattern = /[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/gu

/** Text with everything a terminal would act on or hide written out: \n \r \t, \xNN, \u{NNNN}. */
export function escapeControls(text: string): string {
  return text
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/\t/g, '\\t')
    .replace(/./gsu, (c) => (isControl(c) ? `\\x${c.codePointAt(0)!.toString(16).padStart(2, '0')}` : c))
    .replace(invisiblePattern, (c) => `\\u{${c.codePointAt(0)!.toString(16).padStart(4, '0')}}`)
}

/** Above this share of control characters, text is shown as a hex dump (Avro strings with a few length bytes stay text). */
const maxControlShare = 0.3

function controlShare(text: string): number {
  if (text.length === 0) return 0
  const controls = [...text].filter((c) => isControl(c) && c !== '\n' && c !== '\r' && c !== '\t').length
  return controls / text.length
}

/** Where a UTF-8 cut at `max` bytes must fall so that no character is split. */
function utf8Cut(bytes: Uint8Array, max: number): number {
  if (bytes.length <= max) return bytes.length
  let cut = max
  while (cut > 0 && (bytes[cut]! & 0xc0) === 0x80) cut--
  return cut
}

/** A classic hex dump: offset, 16 bytes in hex, the printable ones as ASCII. */
export function hexDump(bytes: Uint8Array, startOffset = 0): string {
  const lines: string[] = []
  for (let at = 0; at < bytes.length; at += 16) {
    const row = bytes.subarray(at, at + 16)
    const hex = [...row].map((b) => b.toString(16).padStart(2, '0'))
    const ascii = [...row].map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('')
    lines.push(`${(startOffset + at).toString(16).padStart(4, '0')}  ${[hex.slice(0, 8).join(' '), hex.slice(8).join(' ')].join('  ').padEnd(48)}  |${ascii}|`)
  }
  return lines.join('\n')
}

/** The first `maxBytes` of a payload, safe to print: UTF-8 with controls escaped, or hex for binary. */
export function previewBytes(bytes: Uint8Array | null, maxBytes = 256): SafePreview {
  if (bytes === null) return { encoding: 'none', text: '(null)', shownBytes: 0, totalBytes: 0 }
  if (bytes.length === 0) return { encoding: 'none', text: '(empty)', shownBytes: 0, totalBytes: 0 }
  const invalid = invalidUtf8At(bytes)
  // A cut inside the shown part is fine; invalid bytes before the cut make it binary.
  const cut = utf8Cut(bytes, maxBytes)
  const head = bytes.subarray(0, cut)
  const text = invalid === null || invalid >= cut ? new TextDecoder('utf-8').decode(head) : null
  if (text !== null && controlShare(text) <= maxControlShare) {
    return { encoding: 'utf-8', text: escapeControls(text), shownBytes: cut, totalBytes: bytes.length }
  }
  const shown = Math.min(bytes.length, maxBytes)
  return { encoding: 'hex', text: hexDump(bytes.subarray(0, shown)), shownBytes: shown, totalBytes: bytes.length }
}

/** Why a text is not JSON: the character index and the problem, found by a small recursive reader. */
function locateJsonError(text: string): { index: number; problem: string } {
  let i = 0
  const maxDepth = 512
  const fail = (problem: string): never => {
    throw { index: i, problem }
  }
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++
  }
  const describeAt = (belongs?: string) =>
    i >= text.length ? 'it ends too early (cut off?)' : `unexpected ${JSON.stringify(text[i])}${belongs ? ` where ${belongs} belongs` : ''}`
  const literal = (word: string) => {
    if (text.startsWith(word, i)) i += word.length
    else fail(describeAt())
  }
  const string = () => {
    i++
    while (i < text.length) {
      const c = text[i]!
      if (c === '"') {
        i++
        return
      }
      if (c < ' ') fail('a control character inside a string')
      if (c === '\\') {
        const e = text[i + 1]
        if (e === undefined) break
        if ('"\\/bfnrt'.includes(e)) i += 2
        else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) i += 6
        else {
          i++
          fail('a bad escape in a string')
        }
        continue
      }
      i++
    }
    fail('a string that never ends (cut off?)')
  }
  const number = () => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i))
    if (!m) fail(describeAt())
    i += m![0].length
  }
  const value = (depth: number): void => {
    if (depth > maxDepth) fail(`nested deeper than ${maxDepth} levels`)
    ws()
    const c = text[i]
    if (c === '{') {
      i++
      ws()
      if (text[i] === '}') {
        i++
        return
      }
      for (;;) {
        ws()
        if (text[i] !== '"') fail(describeAt('a property name in double quotes'))
        string()
        ws()
        if (text[i] !== ':') fail(describeAt("':'"))
        i++
        value(depth + 1)
        ws()
        if (text[i] === ',') {
          i++
          continue
        }
        if (text[i] === '}') {
          i++
          return
        }
        fail(describeAt("',' or '}'"))
      }
    }
    if (c === '[') {
      i++
      ws()
      if (text[i] === ']') {
        i++
        return
      }
      for (;;) {
        value(depth + 1)
        ws()
        if (text[i] === ',') {
          i++
          continue
        }
        if (text[i] === ']') {
          i++
          return
        }
        fail(describeAt("',' or ']'"))
      }
    }
    if (c === '"') return string()
    if (c === 't') return literal('true')
    if (c === 'f') return literal('false')
    if (c === 'n') return literal('null')
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return number()
    fail(describeAt())
  }
  try {
    value(0)
    ws()
    if (i < text.length) fail(`more data after the JSON value (${JSON.stringify(text[i])})`)
  } catch (error) {
    if (typeof error === 'object' && error !== null && 'index' in error) return error as { index: number; problem: string }
    throw error
  }
  // JSON.parse refused it but the reader did not: name no position rather than a wrong one.
  return { index: -1, problem: 'not valid JSON' }
}

const looksLikeJson = (text: string) => /^\s*[{[]/.test(text)

function jsonShape(text: string, offsetInPayload: number): PayloadShape {
  try {
    const parsed: unknown = JSON.parse(text)
    return { kind: 'json', of: Array.isArray(parsed) ? 'array' : parsed !== null && typeof parsed === 'object' ? 'object' : 'value' }
  } catch {
    const { index, problem } = locateJsonError(text)
    const atByte = index < 0 ? -1 : offsetInPayload + new TextEncoder().encode(text.slice(0, index)).length
    return { kind: 'json-invalid', atByte, problem }
  }
}

/** What a payload is. */
export function shapeOf(bytes: Uint8Array | null): PayloadShape {
  if (bytes === null) return { kind: 'null' }
  if (bytes.length === 0) return { kind: 'empty' }
  if (bytes[0] === 0 && bytes.length >= 5) {
    const schemaId = ((bytes[1]! << 24) >>> 0) + (bytes[2]! << 16) + (bytes[3]! << 8) + bytes[4]!
    const body = bytes.subarray(5)
    const bodyText = invalidUtf8At(body) === null ? new TextDecoder('utf-8').decode(body) : null
    const json = bodyText !== null && looksLikeJson(bodyText) && jsonShape(bodyText, 5).kind === 'json'
    return { kind: 'schema-registry', schemaId, body: json ? 'json' : 'binary' }
  }
  const invalid = invalidUtf8At(bytes)
  const text = invalid === null ? new TextDecoder('utf-8').decode(bytes) : null
  if (text !== null && looksLikeJson(text)) return jsonShape(text, 0)
  if (invalid !== null && looksLikeJson(new TextDecoder('utf-8').decode(bytes.subarray(0, invalid)))) {
    return { kind: 'json-invalid', atByte: invalid, problem: 'bytes that are not UTF-8' }
  }
  if (text !== null && controlShare(text) <= maxControlShare) {
    // A bare JSON scalar (a number, a quoted string) is JSON too.
    try {
      JSON.parse(text)
      return { kind: 'json', of: 'value' }
    } catch {
      return { kind: 'text' }
    }
  }
  return { kind: 'binary', invalidUtf8AtByte: invalid }
}

/** A short name of a shape, for tables and for comparing a record with its neighbours. */
export function shapeLabel(shape: PayloadShape): string {
  switch (shape.kind) {
    case 'null':
      return 'null (tombstone)'
    case 'empty':
      return 'empty'
    case 'json':
      return `JSON ${shape.of}`
    case 'json-invalid':
      return 'broken JSON'
    case 'schema-registry':
      return `Schema Registry, schema ${shape.schemaId} (${shape.body === 'json' ? 'JSON Schema' : 'Avro or Protobuf'})`
    case 'text':
      return 'text'
    case 'binary':
      return 'binary'
  }
}

/** A sentence about a shape, for the record's detail view. */
export function describeShape(shape: PayloadShape): string {
  switch (shape.kind) {
    case 'null':
      return 'no value (null): a tombstone, which on a compacted topic deletes its key; a consumer that does not expect deletes may fail on it'
    case 'empty':
      return 'an empty value (0 bytes), which no JSON, Avro or Protobuf deserializer accepts as a message'
    case 'json':
      return `JSON that parses (${shape.of === 'value' ? 'a bare value' : `an ${shape.of}`})`
    case 'json-invalid':
      return `JSON that does not parse: ${shape.problem}${shape.atByte >= 0 ? ` at byte ${shape.atByte}` : ''}`
    case 'schema-registry':
      return `Confluent Schema Registry framing: magic byte 0, schema id ${shape.schemaId}, then ${shape.body === 'json' ? 'JSON (JSON Schema)' : 'a binary body (Avro, or Protobuf with its message indexes)'}`
    case 'text':
      return 'UTF-8 text that is not JSON'
    case 'binary':
      return `binary${shape.invalidUtf8AtByte !== null ? ` (not UTF-8 from byte ${shape.invalidUtf8AtByte})` : ' (mostly control characters)'}`
  }
}

/** The shape's family, for comparison: JSON is JSON whatever its top level, Schema Registry records by schema id. */
function familyOf(shape: PayloadShape): string {
  switch (shape.kind) {
    case 'json':
      return 'json'
    case 'schema-registry':
      return `sr:${shape.schemaId}`
    default:
      return shape.kind
  }
}

/** Is a record unlike its neighbours, and why (null: nothing stands out). */
export interface Oddity {
  readonly odd: boolean
  readonly reason: string | null
}

/**
 * Compares a record's shape with its neighbours' (records just before and after it on the same partition).
 * Broken JSON is odd on its own; anything else is odd when most neighbours share a family it does not.
 */
export function judgeShape(subject: PayloadShape, neighbours: readonly PayloadShape[]): Oddity {
  if (subject.kind === 'json-invalid') return { odd: true, reason: describeShape(subject) }
  const families = new Map<string, number>()
  for (const n of neighbours) families.set(familyOf(n), (families.get(familyOf(n)) ?? 0) + 1)
  const [common, count] = [...families].sort((a, b) => b[1] - a[1])[0] ?? ['', 0]
  const own = familyOf(subject)
  if (count === 0 || count * 2 <= neighbours.length || own === common) return { odd: false, reason: null }
  const sample = neighbours.find((n) => familyOf(n) === common)!
  if (subject.kind === 'schema-registry' && sample.kind === 'schema-registry')
    return { odd: true, reason: `schema id ${subject.schemaId} where ${count} of ${neighbours.length} neighbours use schema id ${sample.schemaId}` }
  if (sample.kind === 'schema-registry')
    return {
      odd: true,
      reason: `no Schema Registry header (${shapeLabel(subject)}) where ${count} of ${neighbours.length} neighbours carry schema id ${sample.schemaId}`,
    }
  return { odd: true, reason: `${shapeLabel(subject)} where ${count} of ${neighbours.length} neighbours are ${shapeLabel(sample)}` }
}
