// A stopped broker's log directory (one `log.dirs` entry), read without a JVM: the port beside KafkaOps.
// lib/kafka/log-dir/ reads the files; lib/kafka/platformatic/ decodes the record batches; lib/kafka/fake/ holds
// the same answers in memory for runbook unit tests.

import type { RecordBatch } from '../records.ts'
import type { TopicPartition } from '../types.ts'

/** What meta.properties says about the folder's owner. */
export interface LogDirIdentity {
  readonly nodeId: number
  readonly clusterId: string
  /** directory.id (KIP-858, 3.7+); null in folders formatted before it. */
  readonly directoryId: string | null
  /** meta.properties version: 1 for KRaft, 0 for ZooKeeper-era folders. */
  readonly version: number
}

/** Whose folder the caller expects, from the live cluster. */
export interface ExpectedOwner {
  readonly brokerId: number
  /** The live cluster's id (ClusterView.clusterId); null skips the check (the cluster did not say). */
  readonly clusterId: string | null
  /** Where the cluster lists the broker: a process answering there means the broker is back. */
  readonly endpoint?: { readonly host: string; readonly port: number }
}

/** How the reader knows no broker is writing the folder. */
export interface StoppedEvidence {
  /** One line each, for the operator: what was checked and found. */
  readonly checks: readonly string[]
}

/** Why a folder or a partition in it is refused or unreadable: one line each (describeLogDirFault). */
export type LogDirFault =
  | { readonly kind: 'not-found'; readonly path: string }
  | { readonly kind: 'unreadable'; readonly path: string; readonly why: string }
  | { readonly kind: 'not-a-log-dir'; readonly path: string; readonly why: string }
  | { readonly kind: 'other-cluster'; readonly path: string; readonly clusterId: string; readonly expected: string }
  | { readonly kind: 'other-broker'; readonly path: string; readonly nodeId: number; readonly expected: number }
  | { readonly kind: 'broker-running'; readonly path: string; readonly brokerId: number; readonly evidence: string }
  | { readonly kind: 'liveness-unknown'; readonly path: string; readonly brokerId: number; readonly why: string }
  | { readonly kind: 'no-partition'; readonly path: string; readonly topic: string; readonly partition: number }
  | {
      readonly kind: 'other-topic-id'
      readonly path: string
      readonly topic: string
      readonly partition: number
      readonly topicId: string
      readonly expected: string
    }

export type LogDirResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly fault: LogDirFault }

/**
 * A partition folder: `<topic>-<partition>`, or one Kafka renamed: `-delete` (the topic was deleted, removal
 * pending), `-future` (being moved to another log dir), `-stray` (4.x: not assigned to this broker any more).
 */
export interface PartitionFolder extends TopicPartition {
  readonly folder: string
  readonly state: 'current' | 'deleting' | 'future' | 'stray'
}

/** One segment's files. Leftovers (.deleted, .cleaned) are listed but never read. */
export interface SegmentFiles {
  readonly baseOffset: bigint
  readonly logFile: string
  readonly bytes: number
  /**
   * log: a segment; swap: the log cleaner's replacement, which Kafka completes at start-up (it supersedes the
   * segments its offsets cover); deleted / cleaned: files Kafka removes at start-up.
   */
  readonly kind: 'log' | 'swap' | 'deleted' | 'cleaned'
  readonly hasIndex: boolean
  readonly hasTimeIndex: boolean
}

/** Where an epoch's records start, as leader-epoch-checkpoint records it. */
export interface EpochStart {
  readonly epoch: number
  readonly startOffset: bigint
}

/** Where the readable log ends before the files do: a batch cut short by a crash, or a damaged one. */
export interface TornTail {
  readonly segment: string
  /** Byte position in the segment where the first invalid batch starts. */
  readonly position: number
  /** Bytes from there to the end of the segment, which Kafka's recovery cuts off. */
  readonly ignoredBytes: number
  /** Later segments Kafka's recovery deletes with it. */
  readonly droppedSegments: readonly string[]
  readonly reason: string
}

/** A partition's log as the broker would load it on restart. */
export interface PartitionLog extends TopicPartition {
  readonly folder: string
  /** partition.metadata's topic id; null when the file is missing. */
  readonly topicId: string | null
  /** Every segment file present, in offset order, leftovers included. */
  readonly segments: readonly SegmentFiles[]
  /** The epochs (checkpoint, plus those the recovery assigns from batches), as Kafka would hold them on load. */
  readonly epochs: readonly EpochStart[]
  /** The leader-epoch-checkpoint file as written, before recovery. */
  readonly checkpointEpochs: readonly EpochStart[]
  readonly logStartOffset: bigint
  /** The offset after the last valid batch: the offset the next record would have taken. */
  readonly logEndOffset: bigint
  /** The broker's last flushed offset (recovery-point-offset-checkpoint); Kafka checks every batch from there on. */
  readonly recoveryPoint: bigint | null
  /** Set when the end of the log was cut short or damaged (and ignored, as Kafka's recovery would). */
  readonly torn: TornTail | null
  /** Batches older than magic 2 (a cluster upgraded from before 0.11) met while checking the log's tail. */
  readonly legacyBatches: number
}

/** A batch older than magic 2: reported with its place, never decoded as if it were magic 2. */
export interface LegacyEntry {
  readonly kind: 'legacy'
  readonly magic: 0 | 1
  /** The offset in the entry's header: the last offset of a compressed wrapper, or the message's own. */
  readonly offset: bigint
  readonly sizeBytes: number
  readonly segment: string
  readonly position: number
}

/** A decoded magic-2 batch and where it is on disk. */
export interface BatchEntry {
  readonly kind: 'batch'
  readonly batch: RecordBatch
  readonly segment: string
  readonly position: number
}

/** Reading stopped at a batch that is not valid, below where the tail was checked (see partition().torn otherwise). */
export interface InvalidEntry {
  readonly kind: 'invalid'
  readonly segment: string
  readonly position: number
  readonly reason: string
}

export type LogEntry = BatchEntry | LegacyEntry | InvalidEntry

/** Counts of one read, for callers that show progress or check that an index was used. */
export interface ReadStats {
  bytesRead: number
  /** Where reading started in the first segment read (found through the .index, or 0). */
  startPosition: number | null
}

/** The reader of one stopped broker's log directory. Never writes into it. */
export interface LogDirReader {
  readonly path: string
  readonly identity: LogDirIdentity
  /** How it was established that no broker is running on the folder. */
  readonly stopped: StoppedEvidence
  /** The partition folders present (the KRaft metadata log excluded). */
  partitions(): Promise<PartitionFolder[]>
  /** One partition's log; with `topicId`, refused when the folder belongs to a deleted topic of the same name. */
  partition(tp: TopicPartition, options?: { readonly topicId?: string | null }): Promise<LogDirResult<PartitionLog>>
  /**
   * Every batch holding an offset at or above `fromOffset`, in offset order, up to the log end, one at a time
   * (memory stays bounded by one batch, whatever the log's size). The first batch may start below `fromOffset`.
   */
  batches(tp: TopicPartition, fromOffset: bigint, stats?: ReadStats): AsyncIterable<LogEntry>
}

/** Opens a folder for reading after checking it is the expected broker's and that the broker is stopped. */
export type OpenLogDir = (path: string, expected: ExpectedOwner) => Promise<LogDirResult<LogDirReader>>

/** One line an operator reads: what is wrong with the folder, and what to do. */
export function describeLogDirFault(fault: LogDirFault): string {
  switch (fault.kind) {
    case 'not-found':
      return `${fault.path} does not exist — give the broker's log.dirs entry (the folder holding meta.properties)`
    case 'unreadable':
      return `cannot read ${fault.path}: ${fault.why} — check its permissions, or copy it somewhere readable`
    case 'not-a-log-dir':
      return `${fault.path} is not a Kafka log directory (${fault.why}) — give the log.dirs entry itself, not a partition folder or its parent`
    case 'other-cluster':
      return `${fault.path} belongs to cluster ${fault.clusterId}, not to this cluster (${fault.expected}) — give the folder of this cluster's broker`
    case 'other-broker':
      return `${fault.path} is broker ${fault.nodeId}'s log directory, not broker ${fault.expected}'s — give broker ${fault.expected}'s folder`
    case 'broker-running':
      return `broker ${fault.brokerId} is running on ${fault.path} (${fault.evidence}) — its log changes while we read it; stop it first, or read a copy`
    case 'liveness-unknown':
      return `cannot tell whether broker ${fault.brokerId} still runs on ${fault.path} (${fault.why}) — make sure it is stopped, then read a copy of the folder`
    case 'no-partition':
      return `${fault.path} holds no folder for ${fault.topic}-${fault.partition} — this broker had no replica of it, or its folder was moved`
    case 'other-topic-id':
      return `${fault.path}/${fault.topic}-${fault.partition} belongs to an earlier topic of that name (topic id ${fault.topicId}, the live topic is ${fault.expected}) — its records are not this topic's`
  }
}
