// Builds Kafka log directories on disk for unit tests: real magic-2 batches (written by the Kafka client's own
// batch writer), offset indexes, checkpoints and meta.properties, plus the damage a crash leaves.

import { mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { crc32 } from 'node:zlib'
import { createRecordsBatch } from '@platformatic/kafka'

export interface BatchSpec {
  readonly baseOffset: bigint
  readonly values: readonly (string | null)[]
  readonly epoch?: number
  readonly compression?: 'none' | 'gzip' | 'snappy' | 'lz4'
  readonly timestamp?: bigint
  readonly key?: string
  readonly headers?: Record<string, string>
}

/** One magic-2 batch as a broker stores it: the client writes it at offset 0; the broker assigns its base offset. */
export function batchBytes(spec: BatchSpec): Buffer {
  const timestamp = spec.timestamp ?? 1_800_000_000_000n
  const messages = spec.values.map((value, i) => ({
    topic: 't',
    key: spec.key === undefined ? undefined : Buffer.from(spec.key),
    value: (value === null ? null : Buffer.from(value)) as Buffer,
    timestamp: timestamp + BigInt(i),
    headers: spec.headers ? new Map(Object.entries(spec.headers).map(([k, v]) => [Buffer.from(k), Buffer.from(v)])) : undefined,
  }))
  const bytes = Buffer.from(createRecordsBatch(messages, { compression: spec.compression ?? 'none', partitionLeaderEpoch: spec.epoch ?? 0 }).buffer)
  bytes.writeBigInt64BE(spec.baseOffset, 0)
  return bytes
}

/** A magic-1 message (pre-0.11 format), uncompressed: what an upgraded cluster can still hold. */
export function legacyMessage(offset: bigint, value: string): Buffer {
  const body = Buffer.concat([Buffer.from([1, 0]), Buffer.alloc(8), Buffer.from([0xff, 0xff, 0xff, 0xff]), Buffer.alloc(4), Buffer.from(value)])
  body.writeBigInt64BE(1_700_000_000_000n, 2)
  body.writeInt32BE(value.length, 14)
  const message = Buffer.alloc(12 + 4 + body.length)
  message.writeBigInt64BE(offset, 0)
  message.writeInt32BE(4 + body.length, 8)
  message.writeUInt32BE(crc32(body), 12)
  body.copy(message, 16)
  return message
}

export interface SegmentSpec {
  readonly baseOffset: bigint
  readonly entries: readonly Buffer[]
  /** Index an entry every this many bytes (Kafka's index.interval.bytes); default: no index entries. */
  readonly indexEvery?: number
  /** Extra bytes after the entries (a torn batch, zeros). */
  readonly tail?: Buffer
}

const name20 = (offset: bigint) => offset.toString().padStart(20, '0')

export interface DirSpec {
  readonly nodeId: number
  readonly clusterId: string
  readonly partitions: readonly {
    readonly folder: string
    readonly segments: readonly SegmentSpec[]
    readonly epochs?: readonly [number, bigint][]
    readonly topicId?: string
    readonly recoveryPoint?: bigint
  }[]
}

/** Writes a log directory under the system's temp dir and returns its path. */
export function writeLogDir(spec: DirSpec): string {
  const dir = mkdtempSync(join(tmpdir(), 'logdir-'))
  writeFileSync(
    join(dir, 'meta.properties'),
    `#\n#Sat Dec 05 22:49:12 UTC 2026\nnode.id=${spec.nodeId}\ndirectory.id=FczyX-u1-NpmiGNXoU5eIQ\nversion=1\ncluster.id=${spec.clusterId}\n`,
  )
  writeFileSync(join(dir, '.lock'), '')
  const recovery: string[] = []
  for (const partition of spec.partitions) {
    const folder = join(dir, partition.folder)
    mkdirSync(folder)
    for (const segment of partition.segments) {
      const index: Buffer[] = []
      let position = 0
      let sinceEntry = 0
      for (const entry of segment.entries) {
        if (segment.indexEvery !== undefined && sinceEntry > segment.indexEvery) {
          const last = entry.readBigInt64BE(0) + BigInt(entry.length > 61 ? entry.readInt32BE(23) : 0)
          const item = Buffer.alloc(8)
          item.writeInt32BE(Number(last - segment.baseOffset), 0)
          item.writeInt32BE(position, 4)
          index.push(item)
          sinceEntry = 0
        }
        position += entry.length
        sinceEntry += entry.length
      }
      writeFileSync(join(folder, `${name20(segment.baseOffset)}.log`), Buffer.concat([...segment.entries, segment.tail ?? Buffer.alloc(0)]))
      // Like the active segment's, preallocated: zero entries after the real ones.
      writeFileSync(join(folder, `${name20(segment.baseOffset)}.index`), Buffer.concat([...index, Buffer.alloc(64)]))
      writeFileSync(join(folder, `${name20(segment.baseOffset)}.timeindex`), Buffer.alloc(0))
    }
    const epochs = partition.epochs ?? [[0, 0n]]
    writeFileSync(join(folder, 'leader-epoch-checkpoint'), `0\n${epochs.length}\n${epochs.map(([e, o]) => `${e} ${o}`).join('\n')}\n`)
    if (partition.topicId) writeFileSync(join(folder, 'partition.metadata'), `version: 0\ntopic_id: ${partition.topicId}`)
    const match = /^(.+)-(\d+)$/.exec(partition.folder)
    if (match && partition.recoveryPoint !== undefined) recovery.push(`${match[1]} ${match[2]} ${partition.recoveryPoint}`)
  }
  writeFileSync(join(dir, 'recovery-point-offset-checkpoint'), `0\n${recovery.length}\n${recovery.join('\n')}\n`)
  return dir
}

/** Every file under `dir` with its size, modification and change times: what "nothing changed" compares. */
export function fingerprint(dir: string): Record<string, string> {
  const out: Record<string, string> = {}
  const walk = (at: string) => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const path = join(at, entry.name)
      const info = statSync(path, { bigint: true })
      out[path] = `${info.size}:${info.mtimeNs}:${info.ctimeNs}:${info.ino}`
      if (entry.isDirectory()) walk(path)
    }
  }
  walk(dir)
  return out
}
