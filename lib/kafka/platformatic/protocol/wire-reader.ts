// A lean reader for the responses we decode ourselves: one contiguous buffer read in place, no per-value
// allocations (the client's reader returns [value, length] pairs for every varint and goes through a list of
// buffer chunks for every byte). At 10,000 partitions decoding was a third of `runbook status`' reading time.

import type { Reader } from '../client.ts'

/** Shared by every empty list a decoder returns (most ELR, last-known-ELR and offline lists are empty). */
const emptyList: readonly number[] = Object.freeze([])

const hexDigits = Buffer.from('0123456789abcdef', 'latin1')
const uuidText = Buffer.alloc(36)

/**
 * Broker-id lists read before, shared (frozen) instead of allocated again. A cluster has few distinct replica
 * lists and ISRs (a few hundred orders of its brokers), but `runbook status` reads two of them per partition, and
 * garbage collection copying tens of thousands of small arrays it keeps was a sixth of its time. Bounded: past
 * `maxSharedLists` lists, new ones are allocated as before. Keyed by a hash of the ids, checked id by id.
 */
const sharedLists = new Map<number, (readonly number[])[]>()
let sharedListCount = 0
const maxSharedLists = 8192
const maxSharedListLength = 16

/**
 * Short strings read before (setting names and values: every topic of a large cluster answers with the same few),
 * returned again instead of decoded, by their UTF-8 bytes. One table per kind of string; a full table only stops
 * sharing.
 */
export class StringTable {
  readonly #bytes: Buffer[] = []
  readonly #texts: string[] = []
  readonly #capacity: number
  readonly #maxLength: number

  constructor(capacity = 64, maxLength = 64) {
    this.#capacity = capacity
    this.#maxLength = maxLength
  }

  /** The string of `bytes[start, end)`: one read before, or decoded (and kept while there is room). */
  text(bytes: Buffer, start: number, end: number): string {
    const length = end - start
    if (length > this.#maxLength) return bytes.toString('utf8', start, end)
    search: for (let i = 0; i < this.#bytes.length; i++) {
      const known = this.#bytes[i]!
      if (known.length !== length) continue
      for (let k = 0; k < length; k++) if (known[k] !== bytes[start + k]) continue search
      return this.#texts[i]!
    }
    const text = bytes.toString('utf8', start, end)
    if (this.#bytes.length < this.#capacity) {
      this.#bytes.push(Buffer.from(bytes.subarray(start, end)))
      this.#texts.push(text)
    }
    return text
  }
}

export class WireReader {
  readonly bytes: Buffer
  position: number
  /** Flexible versions: compact lengths and tagged fields. */
  readonly flexible: boolean

  constructor(bytes: Buffer, position: number, flexible: boolean) {
    this.bytes = bytes
    this.position = position
    this.flexible = flexible
  }

  /** Continues where the client's reader stands (after the response header), on one contiguous buffer. */
  static from(reader: Reader, flexible: boolean): WireReader {
    return new WireReader((reader.buffer as unknown as { buffer: Buffer }).buffer, reader.position, flexible)
  }

  int8(): number {
    return this.bytes.readInt8(this.position++)
  }

  boolean(): boolean {
    return this.bytes[this.position++] !== 0
  }

  int16(): number {
    const value = this.bytes.readInt16BE(this.position)
    this.position += 2
    return value
  }

  int32(): number {
    const value = this.bytes.readInt32BE(this.position)
    this.position += 4
    return value
  }

  unsignedVarInt(): number {
    let value = 0
    let shift = 0
    for (;;) {
      const byte = this.bytes[this.position++]!
      value += (byte & 0x7f) * 2 ** shift
      if (byte < 0x80) return value
      shift += 7
      if (shift > 28) throw new RangeError('varint longer than 5 bytes')
    }
  }

  /** An array's length; -1 for a null array. */
  arrayLength(): number {
    if (!this.flexible) return this.int32()
    // Nearly every compact length is one byte (a list of fewer than 127): read in place, without the varint loop.
    const byte = this.bytes[this.position]
    if (byte !== undefined && byte < 0x80) {
      this.position++
      return byte - 1
    }
    return this.unsignedVarInt() - 1
  }

  nullableString(): string | null {
    const length = this.flexible ? this.unsignedVarInt() - 1 : this.int16()
    if (length < 0) return null
    const start = this.position
    this.position += length
    return this.bytes.toString('utf8', start, this.position)
  }

  string(): string {
    return this.nullableString() ?? ''
  }

  /** A nullable string, shared through `table` when it was read before (see StringTable). */
  nullableKnownString(table: StringTable): string | null {
    const length = this.flexible ? this.unsignedVarInt() - 1 : this.int16()
    if (length < 0) return null
    const start = this.position
    this.position += length
    return table.text(this.bytes, start, this.position)
  }

  knownString(table: StringTable): string {
    return this.nullableKnownString(table) ?? ''
  }

  /** A UUID as the client spells it: 8-4-4-4-12 hex digits (spelled in a scratch buffer: one string per topic, not six). */
  uuid(): string {
    let at = 0
    for (let i = 0; i < 16; i++) {
      if (i === 4 || i === 6 || i === 8 || i === 10) uuidText[at++] = 0x2d // '-'
      const byte = this.bytes[this.position + i]!
      uuidText[at++] = hexDigits[byte >> 4]!
      uuidText[at++] = hexDigits[byte & 15]!
    }
    this.position += 16
    return uuidText.toString('latin1', 0, 36)
  }

  int32Array(): readonly number[] {
    const length = this.arrayLength()
    if (length <= 0) return emptyList
    const values = new Array<number>(length)
    for (let i = 0; i < length; i++) values[i] = this.int32()
    return values
  }

  /** An INT32 array as int32Array reads it, but frozen and shared with every equal list read before (see sharedLists). */
  sharedInt32Array(): readonly number[] {
    const length = this.arrayLength()
    if (length <= 0) return emptyList
    if (length > maxSharedListLength) {
      const values = new Array<number>(length)
      for (let i = 0; i < length; i++) values[i] = this.int32()
      return values
    }
    const bytes = this.bytes
    const start = this.position
    const end = start + 4 * length
    // Bounds checked once for the list; the ids are then read inline (big-endian, signed by `|`), not by a
    // readInt32BE call each: decoding runs cold, in the interpreter, and reads two or three ids per partition.
    if (end > bytes.length) throw new RangeError(`an INT32 array of ${length} runs past the end of the response (${bytes.length} bytes)`)
    let hash = length
    for (let at = start; at < end; at += 4)
      hash = (Math.imul(hash, 31) + ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!)) | 0
    const bucket = sharedLists.get(hash)
    if (bucket !== undefined) {
      search: for (let b = 0; b < bucket.length; b++) {
        const list = bucket[b]!
        if (list.length !== length) continue
        for (let i = 0, at = start; i < length; i++, at += 4)
          if (list[i] !== ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!)) continue search
        this.position = end
        return list
      }
    }
    const values = new Array<number>(length)
    for (let i = 0, at = start; i < length; i++, at += 4) values[i] = (bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!
    this.position = end
    if (sharedListCount >= maxSharedLists) return values
    Object.freeze(values)
    if (bucket === undefined) sharedLists.set(hash, [values])
    else bucket.push(values)
    sharedListCount++
    return values
  }

  /** Skips a flexible version's tagged fields (count, then tag, size and value each); nothing otherwise. */
  skipTaggedFields(): void {
    if (!this.flexible) return
    // Nearly always none: one zero byte.
    if (this.bytes[this.position] === 0) {
      this.position++
      return
    }
    const count = this.unsignedVarInt()
    for (let i = 0; i < count; i++) {
      this.unsignedVarInt() // tag
      const size = this.unsignedVarInt()
      this.position += size
    }
  }
}
