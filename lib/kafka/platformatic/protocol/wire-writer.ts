// A lean writer for the requests we encode ourselves: one growing buffer written in place. The client's writer
// allocates a buffer for every value (a string is two, its length and its bytes) and joins them when sent: a
// DescribeConfigs of two thousand topics with four setting names each was ~40,000 small buffers to collect.

import { Writer } from '../client.ts'

export class WireWriter {
  #bytes: Buffer
  #length = 0
  /** Flexible versions: compact lengths and tagged fields. */
  readonly flexible: boolean

  constructor(flexible: boolean, capacity = 256) {
    this.flexible = flexible
    this.#bytes = Buffer.allocUnsafe(capacity)
  }

  #room(size: number): void {
    if (this.#length + size <= this.#bytes.length) return
    const grown = Buffer.allocUnsafe(Math.max(this.#bytes.length * 2, this.#length + size))
    this.#bytes.copy(grown, 0, 0, this.#length)
    this.#bytes = grown
  }

  int8(value: number): this {
    this.#room(1)
    this.#length = this.#bytes.writeInt8(value, this.#length)
    return this
  }

  boolean(value: boolean): this {
    return this.int8(value ? 1 : 0)
  }

  int16(value: number): this {
    this.#room(2)
    this.#length = this.#bytes.writeInt16BE(value, this.#length)
    return this
  }

  int32(value: number): this {
    this.#room(4)
    this.#length = this.#bytes.writeInt32BE(value, this.#length)
    return this
  }

  unsignedVarInt(value: number): this {
    this.#room(5)
    let rest = value >>> 0
    while (rest >= 0x80) {
      this.#bytes[this.#length++] = (rest & 0x7f) | 0x80
      rest >>>= 7
    }
    this.#bytes[this.#length++] = rest
    return this
  }

  /** An array's length (null: a null array). */
  arrayLength(length: number | null): this {
    if (this.flexible) return this.unsignedVarInt(length === null ? 0 : length + 1)
    return this.int32(length === null ? -1 : length)
  }

  nullableString(value: string | null): this {
    if (value === null) return this.flexible ? this.unsignedVarInt(0) : this.int16(-1)
    const size = Buffer.byteLength(value, 'utf8')
    if (this.flexible) this.unsignedVarInt(size + 1)
    else this.int16(size)
    this.#room(size)
    this.#length += this.#bytes.write(value, this.#length, size, 'utf8')
    return this
  }

  string(value: string): this {
    return this.nullableString(value)
  }

  /** Bytes encoded elsewhere, as they are. */
  raw(bytes: Buffer): this {
    this.#room(bytes.length)
    this.#length += bytes.copy(this.#bytes, this.#length)
    return this
  }

  /** No tagged fields (a flexible version's empty section); nothing otherwise. */
  taggedFields(): this {
    return this.flexible ? this.unsignedVarInt(0) : this
  }

  /** What the client sends: its writer holding these bytes as one buffer. */
  toWriter(): Writer {
    return Writer.create().append(this.#bytes.subarray(0, this.#length))
  }

  /** The bytes written so far (for tests). */
  bytes(): Buffer {
    return this.#bytes.subarray(0, this.#length)
  }
}
