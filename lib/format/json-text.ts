// JSON text byte for byte as JSON.stringify(value, null, 2) writes it, for a report whose bulk is tens of
// thousands of small records (status --json lists every flagged partition: 20 MB on 100,000 partitions). The
// records are written straight into one growing byte buffer and the text is decoded once at the end: no object
// copied per record, no string per record, no rope of strings to flatten. A writer that joins a string per record
// makes as many strings as records, which outlive the young generation and cost a full collection of the whole
// heap; JSON.stringify itself walks every record's object and array. Pure.

const encoder = new TextEncoder()
// ignoreBOM: a text that starts with U+FEFF keeps it.
const decoder = new TextDecoder('utf-8', { ignoreBOM: true })

const newline = 10
const space = 32

/** A value a flat record holds: what each field of a listed record may be. */
export type RecordValue = string | number | boolean | null | undefined | readonly (number | null)[]

/** One field of a record: its key and how to read it. */
export interface RecordField<R> {
  readonly key: string
  readonly read: (record: R) => RecordValue
}

/** Bytes of JSON text, grown as they are written. */
export class JsonTextWriter {
  private bytes = new Uint8Array(1 << 16)
  private length = 0
  /** Encoded `"key": ` per key, and a string value's JSON bytes while the same string repeats (a topic's partitions). */
  private readonly keys = new Map<string, Uint8Array>()
  private lastString: string | null = null
  private lastStringBytes = new Uint8Array(0)

  private reserve(more: number): void {
    if (this.length + more <= this.bytes.length) return
    let size = this.bytes.length * 2
    while (size < this.length + more) size *= 2
    const grown = new Uint8Array(size)
    grown.set(this.bytes.subarray(0, this.length))
    this.bytes = grown
  }

  /** Text that is already JSON (or punctuation), any characters. */
  text(text: string): this {
    // UTF-8 takes at most 3 bytes per UTF-16 code unit.
    this.reserve(text.length * 3)
    this.length += encoder.encodeInto(text, this.bytes.subarray(this.length)).written
    return this
  }

  private copy(bytes: Uint8Array): void {
    this.reserve(bytes.length)
    const target = this.bytes
    let at = this.length
    // Short pieces copy faster by hand than through set().
    if (bytes.length < 64) for (let i = 0; i < bytes.length; i++) target[at++] = bytes[i]!
    else {
      target.set(bytes, at)
      at += bytes.length
    }
    this.length = at
  }

  private indent(depth: number): void {
    const count = depth * 2
    this.reserve(count + 1)
    const target = this.bytes
    target[this.length++] = newline
    for (let i = 0; i < count; i++) target[this.length++] = space
  }

  /** Any JSON value, as JSON.stringify(value, null, 2) writes it when nested `depth` levels deep. */
  value(value: unknown, depth: number): this {
    const text = JSON.stringify(value, null, 2)
    return this.text(depth > 0 && text.includes('\n') ? text.replaceAll('\n', `\n${'  '.repeat(depth)}`) : text)
  }

  private number(value: number): void {
    // JSON writes what Number#toString writes, and null for NaN and the infinities.
    if (!Number.isFinite(value)) return this.ascii('null')
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) return this.ascii(String(value))
    this.reserve(10)
    const target = this.bytes
    let digits = 1
    for (let rest = value; rest >= 10; rest = Math.floor(rest / 10)) digits++
    let at = this.length + digits
    this.length = at
    let rest = value
    do {
      target[--at] = 48 + (rest % 10)
      rest = Math.floor(rest / 10)
    } while (rest > 0)
  }

  private ascii(text: string): void {
    this.reserve(text.length)
    const target = this.bytes
    for (let i = 0; i < text.length; i++) target[this.length++] = text.charCodeAt(i)
  }

  private string(value: string): void {
    if (value !== this.lastString) {
      this.lastString = value
      this.lastStringBytes = encoder.encode(JSON.stringify(value))
    }
    this.copy(this.lastStringBytes)
  }

  private key(key: string): void {
    let bytes = this.keys.get(key)
    if (bytes === undefined) this.keys.set(key, (bytes = encoder.encode(`${JSON.stringify(key)}: `)))
    this.copy(bytes)
  }

  /**
   * A list of flat records (every field a string, number, boolean, null or a list of numbers), as
   * JSON.stringify(records.map(r => ({ [key]: read(r), … })), null, 2) writes it `depth` levels deep: undefined
   * fields are left out, an undefined list item is null.
   */
  records<R>(records: readonly R[], fields: readonly RecordField<R>[], depth: number): this {
    if (records.length === 0) return this.text('[]')
    this.ascii('[')
    for (let r = 0; r < records.length; r++) {
      const record = records[r]!
      if (r > 0) this.ascii(',')
      this.indent(depth + 1)
      this.ascii('{')
      let first = true
      for (const field of fields) {
        const value = field.read(record)
        if (value === undefined) continue
        if (!first) this.ascii(',')
        first = false
        this.indent(depth + 2)
        this.key(field.key)
        if (value === null) this.ascii('null')
        else if (typeof value === 'string') this.string(value)
        else if (typeof value === 'number') this.number(value)
        else if (typeof value === 'boolean') this.ascii(value ? 'true' : 'false')
        else if (value.length === 0) this.ascii('[]')
        else {
          this.ascii('[')
          for (let i = 0; i < value.length; i++) {
            if (i > 0) this.ascii(',')
            this.indent(depth + 3)
            const item = value[i]
            if (item === null || item === undefined) this.ascii('null')
            else this.number(item)
          }
          this.indent(depth + 2)
          this.ascii(']')
        }
      }
      if (first) {
        // Every field left out: JSON.stringify writes {} on one line.
        this.ascii('}')
        continue
      }
      this.indent(depth + 1)
      this.ascii('}')
    }
    this.indent(depth)
    this.ascii(']')
    return this
  }

  /** The text written so far. */
  toString(): string {
    return decoder.decode(this.bytes.subarray(0, this.length))
  }
}
