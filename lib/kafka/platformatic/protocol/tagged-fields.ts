// Reading a flexible-version TAG_BUFFER field by field: the client's own reader skips the wrong number of bytes.

import type { Reader } from '../client.ts'

/** Calls `onTag` for each tagged field with a reader positioned at its value; unread bytes are skipped. */
export function readTaggedFields(reader: Reader, onTag: (tag: number, reader: Reader) => void = () => {}): void {
  const count = reader.readUnsignedVarInt()
  for (let i = 0; i < count; i++) {
    const tag = reader.readUnsignedVarInt()
    const size = reader.readUnsignedVarInt()
    const end = reader.position + size
    onTag(tag, reader)
    reader.position = end
  }
}
