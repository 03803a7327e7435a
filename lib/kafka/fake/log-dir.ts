// Dead brokers' log directories in memory, for runbook unit tests: the same LogDirReader answers (and the same
// refusals) as the real folder reader, from batches a test describes in a few lines.
//
//   const open = fakeLogDirs([{ path: '/mnt/broker-1', brokerId: 1, clusterId, partitions: [
//     { topic: 'orders', partition: 0, epochs: [{ epoch: 0, startOffset: 0n }],
//       batches: fakeBatches({ baseOffset: 0n, records: 1200, perBatch: 10, startMs, stepMs: 5 }) } ] }])
//   const reader = await open('/mnt/broker-1', { brokerId: 1, clusterId })

import { ownershipFault, sameTopicId } from '../log-dir/files.ts'
import type {
  EpochStart,
  LogDirIdentity,
  LogDirReader,
  LogDirResult,
  LogEntry,
  OpenLogDir,
  PartitionFolder,
  PartitionLog,
  ReadStats,
  TornTail,
} from '../log-dir/types.ts'
import { noProducerId, type KafkaRecord, type RecordBatch } from '../records.ts'
import type { TopicPartition } from '../types.ts'

export interface FakePartitionLog extends TopicPartition {
  readonly topicId?: string | null
  /** Defaults to one entry per leader epoch met in the batches. */
  readonly epochs?: readonly EpochStart[]
  readonly batches: readonly RecordBatch[]
  readonly torn?: TornTail | null
  readonly state?: PartitionFolder['state']
}

export interface FakeLogDir {
  readonly path: string
  readonly brokerId: number
  readonly clusterId: string
  /** A broker still runs on it: opening it is refused, as the real reader refuses a locked folder. */
  readonly running?: boolean
  readonly partitions: readonly FakePartitionLog[]
}

const epochsOf = (batches: readonly RecordBatch[]): EpochStart[] => {
  const epochs: EpochStart[] = []
  for (const batch of batches) {
    const latest = epochs.at(-1)
    if (batch.partitionLeaderEpoch >= 0 && (latest === undefined || batch.partitionLeaderEpoch > latest.epoch))
      epochs.push({ epoch: batch.partitionLeaderEpoch, startOffset: batch.baseOffset })
  }
  return epochs
}

class MemoryLogDir implements LogDirReader {
  readonly path: string
  readonly identity: LogDirIdentity
  readonly stopped = { checks: ['in-memory log directory (test fake)'] }
  readonly #partitions: readonly FakePartitionLog[]

  constructor(dir: FakeLogDir) {
    this.path = dir.path
    this.identity = { nodeId: dir.brokerId, clusterId: dir.clusterId, directoryId: null, version: 1 }
    this.#partitions = dir.partitions
  }

  async partitions(): Promise<PartitionFolder[]> {
    return this.#partitions.map((p) => ({ topic: p.topic, partition: p.partition, folder: `${p.topic}-${p.partition}`, state: p.state ?? 'current' }))
  }

  async partition(tp: TopicPartition, options: { readonly topicId?: string | null } = {}): Promise<LogDirResult<PartitionLog>> {
    const found = this.#find(tp)
    if (!found) return { ok: false, fault: { kind: 'no-partition', path: this.path, topic: tp.topic, partition: tp.partition } }
    const topicId = found.topicId ?? null
    if (options.topicId && topicId !== null && !sameTopicId(topicId, options.topicId))
      return { ok: false, fault: { kind: 'other-topic-id', path: this.path, topic: tp.topic, partition: tp.partition, topicId, expected: options.topicId } }
    const first = found.batches[0]
    const last = found.batches.at(-1)
    const epochs = found.epochs ?? epochsOf(found.batches)
    return {
      ok: true,
      value: {
        topic: tp.topic,
        partition: tp.partition,
        folder: `${tp.topic}-${tp.partition}`,
        topicId,
        segments: [],
        epochs,
        checkpointEpochs: epochs,
        logStartOffset: first?.baseOffset ?? 0n,
        logEndOffset: last ? last.lastOffset + 1n : 0n,
        recoveryPoint: null,
        torn: found.torn ?? null,
        legacyBatches: 0,
      },
    }
  }

  async *batches(tp: TopicPartition, fromOffset: bigint, stats?: ReadStats): AsyncIterable<LogEntry> {
    const found = this.#find(tp)
    if (!found) throw new Error(`${this.path} holds no folder for ${tp.topic}-${tp.partition}`)
    for (const batch of found.batches) {
      if (batch.lastOffset < fromOffset) continue
      if (stats) {
        stats.startPosition ??= 0
        stats.bytesRead += batch.sizeBytes
      }
      yield { kind: 'batch', batch, segment: '00000000000000000000.log', position: 0 }
    }
  }

  #find(tp: TopicPartition): FakePartitionLog | undefined {
    return this.#partitions.find((p) => p.topic === tp.topic && p.partition === tp.partition)
  }
}

/** An OpenLogDir over in-memory folders: refuses unknown paths, other clusters and brokers, running brokers. */
export function fakeLogDirs(dirs: readonly FakeLogDir[]): OpenLogDir {
  return async (path, expected) => {
    const dir = dirs.find((d) => d.path === path)
    if (!dir) return { ok: false, fault: { kind: 'not-found', path } }
    const reader = new MemoryLogDir(dir)
    const notOwner = ownershipFault(path, reader.identity, expected)
    if (notOwner) return { ok: false, fault: notOwner }
    if (dir.running) return { ok: false, fault: { kind: 'broker-running', path, brokerId: expected.brokerId, evidence: 'the test says it runs' } }
    return { ok: true, value: reader }
  }
}

export interface FakeBatchesOptions {
  readonly baseOffset: bigint
  readonly records: number
  /** Records per batch (default 10). */
  readonly perBatch?: number
  readonly leaderEpoch?: number
  readonly startMs: number
  readonly stepMs?: number
  readonly producerId?: bigint
  /** Written inside a transaction that ends with this marker (a control batch after the records), or stays open. */
  readonly transaction?: 'commit' | 'abort' | 'open'
  readonly value?: (offset: bigint) => Buffer | null
}

/** Batches of data records at consecutive offsets (and a transaction marker after them when asked). */
export function fakeBatches(options: FakeBatchesOptions): RecordBatch[] {
  const perBatch = options.perBatch ?? 10
  const step = options.stepMs ?? 1
  const producerId = options.producerId ?? noProducerId
  const transactional = options.transaction !== undefined
  const epoch = options.leaderEpoch ?? 0
  const batches: RecordBatch[] = []
  let offset = options.baseOffset
  let written = 0
  while (written < options.records) {
    const count = Math.min(perBatch, options.records - written)
    const records: KafkaRecord[] = Array.from({ length: count }, (_, i) => {
      const at = offset + BigInt(i)
      return {
        offset: at,
        timestamp: options.startMs + (written + i) * step,
        timestampType: 'create',
        key: null,
        value: options.value ? options.value(at) : Buffer.from(`record ${at}`),
        headers: [],
        producerId,
        producerEpoch: producerId === noProducerId ? -1 : 0,
        sequence: producerId === noProducerId ? -1 : written + i,
        leaderEpoch: epoch,
        transactional,
      }
    })
    batches.push(batchOf(records, { control: false, producerId, transactional, epoch }))
    offset += BigInt(count)
    written += count
  }
  if (options.transaction === 'commit' || options.transaction === 'abort') {
    const timestamp = options.startMs + written * step
    batches.push({
      ...batchOf([], { control: true, producerId, transactional: true, epoch }),
      baseOffset: offset,
      lastOffset: offset,
      maxTimestamp: timestamp,
      markers: [{ offset, type: options.transaction, coordinatorEpoch: 0, timestamp }],
    })
  }
  return batches
}

function batchOf(records: KafkaRecord[], at: { control: boolean; producerId: bigint; transactional: boolean; epoch: number }): RecordBatch {
  const first = records[0]
  const last = records.at(-1)
  return {
    baseOffset: first?.offset ?? 0n,
    lastOffset: last?.offset ?? 0n,
    partitionLeaderEpoch: at.epoch,
    magic: 2,
    compression: 'none',
    timestampType: 'create',
    maxTimestamp: last?.timestamp ?? 0,
    producerId: at.producerId,
    producerEpoch: at.producerId === noProducerId ? -1 : 0,
    baseSequence: first?.sequence ?? -1,
    transactional: at.transactional,
    control: at.control,
    records,
    markers: [],
    sizeBytes: 61 + records.reduce((sum, r) => sum + (r.value?.length ?? 0) + 8, 0),
  }
}
