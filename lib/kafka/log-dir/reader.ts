// The LogDirReader over a real folder: lists partitions, loads one partition's log the way the broker would on
// restart (its recovery included: every batch from the recovery point on is checked, and the log ends at the
// first invalid one), and streams batches from any offset, starting where the segment's .index points.
// Files are only ever opened read-only.

import { readdir, readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { TopicPartition } from '../types.ts'
import {
  epochsAfterRecovery,
  metadataLogFolder,
  parseLeaderEpochCheckpoint,
  parseOffsetCheckpoint,
  parsePartitionFolder,
  parsePartitionMetadata,
  sameTopicId,
  segmentsOf,
} from './files.ts'
import { indexedPosition } from './offset-index.ts'
import { type BatchDecoder, type ByteSource, SegmentSource } from './segment-source.ts'
import {
  describeLogDirFault,
  type EpochStart,
  type LogDirIdentity,
  type LogDirReader,
  type LogDirResult,
  type LogEntry,
  type PartitionFolder,
  type PartitionLog,
  type ReadStats,
  type SegmentFiles,
  type StoppedEvidence,
} from './types.ts'

/** A partition's log plus what reading its batches needs: the segments in use and where each one's valid bytes end. */
interface LoadedPartition {
  readonly log: PartitionLog
  readonly readable: readonly { readonly segment: SegmentFiles; readonly validBytes: number | null }[]
}

const limitTo = (source: ByteSource, limit: number): ByteSource => ({
  size: Math.min(limit, source.size),
  read: (position, length) => source.read(position, Math.max(0, Math.min(length, limit - position))),
})

const readText = (path: string): Promise<string | null> => readFile(path, 'utf8').catch(() => null)

export class FolderReader implements LogDirReader {
  readonly path: string
  readonly identity: LogDirIdentity
  readonly stopped: StoppedEvidence
  readonly #decoder: BatchDecoder
  readonly #loaded = new Map<string, Promise<LogDirResult<LoadedPartition>>>()
  #checkpoints: Promise<{ recovery: Map<string, bigint>; logStart: Map<string, bigint> }> | null = null

  constructor(path: string, identity: LogDirIdentity, stopped: StoppedEvidence, decoder: BatchDecoder) {
    this.path = path
    this.identity = identity
    this.stopped = stopped
    this.#decoder = decoder
  }

  async partitions(): Promise<PartitionFolder[]> {
    const entries = await readdir(this.path, { withFileTypes: true })
    return entries
      .filter((entry) => entry.isDirectory() && entry.name !== metadataLogFolder)
      .map((entry) => parsePartitionFolder(entry.name))
      .filter((folder): folder is PartitionFolder => folder !== null)
      .sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition || a.state.localeCompare(b.state))
  }

  async partition(tp: TopicPartition, options: { readonly topicId?: string | null } = {}): Promise<LogDirResult<PartitionLog>> {
    const loaded = await this.#load(tp)
    if (!loaded.ok) return loaded
    const { log } = loaded.value
    if (options.topicId && log.topicId !== null && !sameTopicId(log.topicId, options.topicId)) {
      return {
        ok: false,
        fault: { kind: 'other-topic-id', path: this.path, topic: tp.topic, partition: tp.partition, topicId: log.topicId, expected: options.topicId },
      }
    }
    return { ok: true, value: log }
  }

  async *batches(tp: TopicPartition, fromOffset: bigint, stats?: ReadStats): AsyncIterable<LogEntry> {
    const loaded = await this.#load(tp)
    if (!loaded.ok) throw new Error(describeLogDirFault(loaded.fault))
    const { readable } = loaded.value
    const dir = join(this.path, loaded.value.log.folder)
    let first = readable.findLastIndex(({ segment }) => segment.baseOffset <= fromOffset)
    if (first < 0) first = 0
    for (let i = first; i < readable.length; i++) {
      const { segment, validBytes } = readable[i]!
      const file = await SegmentSource.open(join(dir, segment.logFile), stats ? { stats } : {})
      try {
        const source = validBytes === null ? file : limitTo(file, validBytes)
        let position = i === first ? await this.#startPosition(dir, segment, source, fromOffset, stats) : 0
        if (stats && stats.startPosition === null) stats.startPosition = position
        for (;;) {
          const frame = await this.#decoder.frameAt(source, position, true)
          if (frame.kind === 'end') break
          if (frame.kind === 'invalid') {
            yield { kind: 'invalid', segment: segment.logFile, position, reason: frame.reason }
            return
          }
          position += frame.sizeBytes
          if (frame.kind === 'legacy') {
            if (frame.offset >= fromOffset)
              yield { kind: 'legacy', magic: frame.magic, offset: frame.offset, sizeBytes: frame.sizeBytes, segment: segment.logFile, position: frame.position }
          } else if (frame.lastOffset >= fromOffset) {
            yield { kind: 'batch', batch: this.#decoder.decode(frame.bytes), segment: segment.logFile, position: frame.position }
          }
        }
      } finally {
        await file.close()
      }
    }
  }

  /** Where to start reading a segment for `target`: the index's entry, if the batch it points at checks out. */
  async #startPosition(dir: string, segment: SegmentFiles, source: ByteSource, target: bigint, stats: ReadStats | undefined): Promise<number> {
    if (!segment.hasIndex || target <= segment.baseOffset || segment.kind !== 'log') return 0
    const index = await SegmentSource.open(join(dir, segment.logFile.replace(/\.log$/, '.index')), { windowBytes: 8, ...(stats ? { stats } : {}) })
    let position: number
    try {
      position = await indexedPosition(index, segment.baseOffset, target)
    } finally {
      await index.close()
    }
    if (position === 0) return 0
    const frame = await this.#decoder.frameAt(source, position, true)
    const fits = frame.kind === 'batch' && frame.baseOffset >= segment.baseOffset && frame.lastOffset <= target
    return fits ? position : 0
  }

  #load(tp: TopicPartition): Promise<LogDirResult<LoadedPartition>> {
    const key = `${tp.topic}-${tp.partition}`
    let loading = this.#loaded.get(key)
    if (!loading) {
      loading = this.#loadPartition(tp)
      this.#loaded.set(key, loading)
    }
    return loading
  }

  #readCheckpoints() {
    this.#checkpoints ??= Promise.all([
      readText(join(this.path, 'recovery-point-offset-checkpoint')),
      readText(join(this.path, 'log-start-offset-checkpoint')),
    ]).then(([recovery, logStart]) => ({ recovery: parseOffsetCheckpoint(recovery ?? ''), logStart: parseOffsetCheckpoint(logStart ?? '') }))
    return this.#checkpoints
  }

  async #loadPartition(tp: TopicPartition): Promise<LogDirResult<LoadedPartition>> {
    const folder = `${tp.topic}-${tp.partition}`
    const dir = join(this.path, folder)
    let names: string[]
    try {
      names = await readdir(dir)
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (code === 'ENOENT' || code === 'ENOTDIR')
        return { ok: false, fault: { kind: 'no-partition', path: this.path, topic: tp.topic, partition: tp.partition } }
      return { ok: false, fault: { kind: 'unreadable', path: dir, why: (error as Error).message } }
    }
    const sizes = new Map<string, number>()
    await Promise.all(names.filter((name) => name.includes('.log')).map(async (name) => sizes.set(name, (await stat(join(dir, name))).size)))
    const segments = segmentsOf(names, (name) => sizes.get(name) ?? 0)
    const epochText = await readText(join(dir, 'leader-epoch-checkpoint'))
    const checkpointEpochs = epochText === null ? [] : parseLeaderEpochCheckpoint(epochText)
    if (checkpointEpochs === null)
      return { ok: false, fault: { kind: 'unreadable', path: join(dir, 'leader-epoch-checkpoint'), why: 'not in the checkpoint format Kafka writes' } }
    const metadataText = await readText(join(dir, 'partition.metadata'))
    const checkpoints = await this.#readCheckpoints()
    const inUse = await this.#segmentsInUse(dir, segments)
    const recoveryPoint = checkpoints.recovery.get(folder) ?? null
    const recovered = await this.#recover(dir, inUse, recoveryPoint)
    const last = recovered.readable.at(-1)
    const logEndOffset = recovered.lastOffset !== null ? recovered.lastOffset + 1n : (last?.segment.baseOffset ?? 0n)
    const log: PartitionLog = {
      topic: tp.topic,
      partition: tp.partition,
      folder,
      topicId: metadataText === null ? null : parsePartitionMetadata(metadataText),
      segments,
      epochs: epochsAfterRecovery(checkpointEpochs, recovered.epochsFromBatches, logEndOffset),
      checkpointEpochs,
      logStartOffset: checkpoints.logStart.get(folder) ?? inUse[0]?.baseOffset ?? 0n,
      logEndOffset,
      recoveryPoint,
      torn: recovered.torn,
      legacyBatches: recovered.legacy,
    }
    return { ok: true, value: { log, readable: recovered.readable } }
  }

  /**
   * The segments the broker would load: the .log files, with a pending .swap (the cleaner's output, which the
   * broker installs at start-up) replacing the segments whose offsets it covers. Leftover .deleted and .cleaned
   * files are left out, as the broker deletes them.
   */
  async #segmentsInUse(dir: string, segments: readonly SegmentFiles[]): Promise<SegmentFiles[]> {
    let inUse = segments.filter((s) => s.kind === 'log')
    for (const swap of segments.filter((s) => s.kind === 'swap')) {
      const next = (await this.#lastOffsetOf(dir, swap)) ?? swap.baseOffset - 1n
      inUse = inUse.filter((s) => s.baseOffset < swap.baseOffset || s.baseOffset > next)
      inUse.push(swap)
    }
    return inUse.sort((a, b) => (a.baseOffset < b.baseOffset ? -1 : a.baseOffset > b.baseOffset ? 1 : 0))
  }

  async #lastOffsetOf(dir: string, segment: SegmentFiles): Promise<bigint | null> {
    const source = await SegmentSource.open(join(dir, segment.logFile))
    try {
      let last: bigint | null = null
      for (let position = 0; ;) {
        const frame = await this.#decoder.frameAt(source, position, false)
        if (frame.kind === 'end' || frame.kind === 'invalid') return last
        last = frame.kind === 'batch' ? frame.lastOffset : frame.offset
        position += frame.sizeBytes
      }
    } finally {
      await source.close()
    }
  }

  /**
   * Kafka's recovery after an unclean shutdown: from the segment holding the recovery point, every batch is
   * framed and CRC-checked; the first invalid one ends the log (the rest of its segment is cut, later segments are
   * deleted), and batches of a newer leader epoch than the checkpoint knows add that epoch.
   */
  async #recover(dir: string, inUse: readonly SegmentFiles[], recoveryPoint: bigint | null) {
    const from = Math.max(
      0,
      inUse.findLastIndex((s) => s.baseOffset <= (recoveryPoint ?? 0n)),
    )
    const readable: { segment: SegmentFiles; validBytes: number | null }[] = inUse.slice(0, from).map((segment) => ({ segment, validBytes: null }))
    const epochsFromBatches: EpochStart[] = []
    // The log ends where the newest segment's last valid batch ends, or at its base offset when it has none.
    let lastOffset: bigint | null = null
    let legacy = 0
    let torn: PartitionLog['torn'] = null
    for (let i = from; i < inUse.length && torn === null; i++) {
      const segment = inUse[i]!
      const source = await SegmentSource.open(join(dir, segment.logFile))
      lastOffset = null
      try {
        let position = 0
        for (;;) {
          const frame = await this.#decoder.frameAt(source, position, true)
          if (frame.kind === 'end') break
          if (frame.kind === 'invalid') {
            torn = {
              segment: segment.logFile,
              position,
              ignoredBytes: source.size - position,
              droppedSegments: inUse.slice(i + 1).map((s) => s.logFile),
              reason: frame.reason,
            }
            break
          }
          if (frame.kind === 'legacy') {
            legacy++
            lastOffset = frame.offset
          } else {
            lastOffset = frame.lastOffset
            const latest = epochsFromBatches.at(-1)
            if (frame.partitionLeaderEpoch >= 0 && (latest === undefined || frame.partitionLeaderEpoch > latest.epoch))
              epochsFromBatches.push({ epoch: frame.partitionLeaderEpoch, startOffset: frame.baseOffset })
          }
          position += frame.sizeBytes
        }
        readable.push({ segment, validBytes: position })
      } finally {
        await source.close()
      }
    }
    return { readable, epochsFromBatches, lastOffset, legacy, torn }
  }
}
