// A segment file opened for reading only, read through a window so that walking batch by batch costs one system
// call per window rather than two per batch. What the batch decoder reads from, and what it returns.

import { constants } from 'node:fs'
import { open, type FileHandle } from 'node:fs/promises'
import type { RecordBatch } from '../records.ts'
import type { ReadStats } from './types.ts'

/** Random access to a file's bytes. */
export interface ByteSource {
  readonly size: number
  /** Exactly `length` bytes at `position` (fewer only past the end). */
  read(position: number, length: number): Promise<Buffer>
}

/** One entry of a segment, framed and (when asked) checked, not yet decoded. */
export type Frame =
  | {
      readonly kind: 'batch'
      readonly position: number
      readonly sizeBytes: number
      readonly baseOffset: bigint
      readonly lastOffset: bigint
      readonly partitionLeaderEpoch: number
      readonly bytes: Buffer
    }
  | { readonly kind: 'legacy'; readonly position: number; readonly sizeBytes: number; readonly offset: bigint; readonly magic: 0 | 1 }

/** The next frame, the clean end of the file, or the first invalid bytes (where Kafka's recovery cuts). */
export type FrameOutcome =
  | Frame
  | { readonly kind: 'end' }
  /** `truncated`: the bytes end inside the entry (a Fetch answer cut at the bytes asked for ends so; a segment should not). */
  | { readonly kind: 'invalid'; readonly position: number; readonly reason: string; readonly truncated?: boolean }

/** Frames and decodes record batches: implemented over the Kafka client's decoder (lib/kafka/platformatic). */
export interface BatchDecoder {
  /** The entry at `position`; with `verify`, a magic-2 batch must also pass its CRC check, as in Kafka's recovery. */
  frameAt(source: ByteSource, position: number, verify: boolean): Promise<FrameOutcome>
  /** The records of a framed magic-2 batch. */
  decode(bytes: Buffer): RecordBatch
}

const defaultWindowBytes = 256 * 1024

/** A file opened read-only (and without touching its access time where the system allows), read through a window. */
export class SegmentSource implements ByteSource {
  readonly size: number
  readonly #file: FileHandle
  readonly #stats: ReadStats | undefined
  readonly #windowBytes: number
  #window: Buffer = Buffer.alloc(0)
  #windowStart = 0

  private constructor(file: FileHandle, size: number, stats: ReadStats | undefined, windowBytes: number) {
    this.#file = file
    this.size = size
    this.#stats = stats
    this.#windowBytes = windowBytes
  }

  /** `windowBytes`: how much each system call reads ahead (an index probed by binary search wants little). */
  static async open(path: string, options: { stats?: ReadStats; windowBytes?: number } = {}): Promise<SegmentSource> {
    const file = await openReadOnly(path)
    try {
      return new SegmentSource(file, (await file.stat()).size, options.stats, options.windowBytes ?? defaultWindowBytes)
    } catch (error) {
      await file.close()
      throw error
    }
  }

  async read(position: number, length: number): Promise<Buffer> {
    const end = Math.min(position + length, this.size)
    if (position >= this.#windowStart && end <= this.#windowStart + this.#window.length) {
      return this.#window.subarray(position - this.#windowStart, end - this.#windowStart)
    }
    const want = Math.max(end - position, Math.min(this.#windowBytes, this.size - position))
    const buffer = Buffer.allocUnsafe(Math.max(want, 0))
    let filled = 0
    while (filled < buffer.length) {
      const { bytesRead } = await this.#file.read(buffer, filled, buffer.length - filled, position + filled)
      if (bytesRead === 0) break
      filled += bytesRead
    }
    if (this.#stats) this.#stats.bytesRead += filled
    this.#window = buffer.subarray(0, filled)
    this.#windowStart = position
    return this.#window.subarray(0, Math.min(end - position, filled))
  }

  close(): Promise<void> {
    return this.#file.close()
  }
}

/** O_RDONLY, plus O_NOATIME on Linux when we own the file (or are root): reading leaves even the access time alone. */
export async function openReadOnly(path: string): Promise<FileHandle> {
  const noAtime = (constants as Record<string, number>).O_NOATIME
  if (noAtime !== undefined) {
    try {
      return await open(path, constants.O_RDONLY | noAtime)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EPERM') throw error
    }
  }
  return open(path, constants.O_RDONLY)
}
