// Salvage reads: the records a dead replica's folder holds in a range (read-only, through the injected
// OpenLogDir, which checks owner and liveness first), and a salvage file read back from the session folder.

import { createHash } from 'node:crypto'
import { describeLogDirFault, type OpenLogDir } from '../kafka/log-dir/types.ts'
import { dataRecords, type KafkaRecord } from '../kafka/records.ts'
import { parseSalvage, type SalvageContents, type SalvageMarker } from '../kafka/salvage-file.ts'
import type { KafkaOps, TopicPartition } from '../kafka/types.ts'
import { type CopyFound, salvageCoordinatesOf } from '../plans/salvage-presence.ts'
import { readAnswerFile } from './text-file.ts'

export interface DeadRange extends TopicPartition {
  readonly deadBroker: number
  readonly logDir: string
  readonly fromOffset: bigint
}

/** The dead replica's partition as it is now: its log end and topic id; an error line when the folder is refused. */
export async function readDeadPartition(
  kafka: KafkaOps,
  openLogDir: OpenLogDir,
  range: DeadRange,
): Promise<
  | {
      readonly logEndOffset: bigint
      /** The data records and the transaction markers from `fromOffset` to `to`, in offset order. */
      readonly entries: (to: bigint) => AsyncIterable<{ readonly record: KafkaRecord } | { readonly marker: SalvageMarker }>
    }
  | { readonly error: string }
> {
  const cluster = await kafka.cluster()
  const listed = cluster.brokers.find((b) => b.id === range.deadBroker)
  const opened = await openLogDir(range.logDir, {
    brokerId: range.deadBroker,
    clusterId: cluster.clusterId,
    ...(listed ? { endpoint: { host: listed.host, port: listed.port } } : {}),
  })
  if (!opened.ok) return { error: `broker ${range.deadBroker}: ${describeLogDirFault(opened.fault)}` }
  const reader = opened.value
  const [state] = await kafka.partitionStates([range.topic])
  const log = await reader.partition(range, { topicId: state?.topicId ?? null })
  if (!log.ok) return { error: `broker ${range.deadBroker}: ${describeLogDirFault(log.fault)}` }
  return {
    logEndOffset: log.value.logEndOffset,
    async *entries(to: bigint) {
      const within = (offset: bigint) => offset >= range.fromOffset && offset < to
      for await (const entry of reader.batches(range, range.fromOffset)) {
        if (entry.kind === 'legacy') throw new Error(`a batch older than magic 2 at offset ${entry.offset} (${entry.segment}) cannot be salvaged`)
        if (entry.kind === 'invalid') throw new Error(`reading stopped at a damaged batch in ${entry.segment} at byte ${entry.position}: ${entry.reason}`)
        const { batch } = entry
        if (batch.baseOffset >= to) return
        for (const record of batch.records) if (within(record.offset)) yield { record }
        for (const marker of batch.markers)
          if (within(marker.offset)) yield { marker: { ...marker, producerId: batch.producerId, producerEpoch: batch.producerEpoch } }
      }
    },
  }
}

/** A salvage file read back whole with the SHA-256 of its bytes (what a session records), or one line saying why it cannot be read. */
export function readSalvageFile(path: string): (SalvageContents & { readonly fileSha256: string }) | { readonly error: string } {
  const file = readAnswerFile(path)
  if ('error' in file) return file
  try {
    return { ...parseSalvage(file.text.split('\n')), fileSha256: createHash('sha256').update(file.text).digest('hex') }
  } catch (error) {
    return { error: `${path}: ${(error as Error).message}` }
  }
}

/** The cluster id and the topics' ids: what a salvage file's header names as the records' origin. */
export async function readSalvageOrigin(
  kafka: KafkaOps,
  topics: readonly string[],
): Promise<{ clusterId: string | null; topicIds: Map<string, string | null> }> {
  const [cluster, states] = await Promise.all([kafka.cluster(), kafka.partitionStates(topics)])
  return { clusterId: cluster.clusterId, topicIds: new Map(states.map((s) => [s.topic, s.topicId])) }
}

/** The id of the cluster in front of the operator. */
export async function readClusterId(kafka: KafkaOps): Promise<string | null> {
  return (await kafka.cluster()).clusterId
}

/** Which of `topics` exist now. */
export async function readExistingTopics(kafka: KafkaOps, topics: readonly string[]): Promise<Set<string>> {
  if (topics.length === 0) return new Set()
  return new Set((await kafka.partitionStates(topics)).filter((s) => !s.error).map((s) => s.topic))
}

/** What a re-produce depends on: how many brokers are up (a new topic's replicas) and each destination partition's ISR size. */
export async function readReproduceCluster(
  kafka: KafkaOps,
  destinations: readonly string[],
): Promise<{ liveBrokers: number; isr: (tp: TopicPartition) => number | null }> {
  const [cluster, states] = await Promise.all([kafka.cluster(), kafka.partitionStates(destinations)])
  return {
    liveBrokers: cluster.brokers.filter((b) => b.fenced !== true).length,
    isr: (tp) => states.find((s) => s.topic === tp.topic && !s.error)?.partitions.find((p) => p.partition === tp.partition)?.isr.length ?? null,
  }
}

/** How far a presence check reads a target partition at most: beyond it, it says so instead of guessing. */
export const presenceScanLimit = 2_000_000n

/**
 * The salvage copies a target partition holds (records with provenance headers), from the first offset whose
 * timestamp is at or after `since` (no copy of the records in question can sit before it) to the log end: Kafka's
 * time index bounds the read, and more than `limit` offsets to read is refused with one line instead of read.
 */
export async function readSalvageCopies(
  kafka: KafkaOps,
  tp: TopicPartition,
  since: number,
  limit: bigint = presenceScanLimit,
): Promise<{ readonly copies: readonly CopyFound[]; readonly from: bigint; readonly to: bigint } | { readonly error: string }> {
  const [start, end] = await kafka.listOffsets([
    { ...tp, spec: { timestamp: since } },
    { ...tp, spec: 'latest' },
  ])
  if (!end || end.error || end.offset === null) return { error: `${tp.topic}:${tp.partition}: its log end cannot be read (${end?.error?.name ?? 'no answer'})` }
  const to = end.offset
  const from = start && !start.error && start.offset !== null ? start.offset : to
  if (to - from > limit)
    return {
      error: `${tp.topic}:${tp.partition} holds ${to - from} records written since the salvaged records' earliest time, more than the ${limit} a check for earlier copies reads — produce to a topic of their own (--set salvage-topic=<new topic>)`,
    }
  const copies: CopyFound[] = []
  for (let offset = from; offset < to;) {
    const [answer] = await kafka.fetchRecords([{ ...tp, offset, endOffset: to, maxRecords: 5000 }])
    if (!answer || answer.error)
      return {
        error:
          `${tp.topic}:${tp.partition}: reading it from offset ${offset} failed (${answer?.error?.name ?? 'no answer'}): ${answer?.error?.message ?? ''}`.trimEnd(),
      }
    if (answer.nextOffset <= offset) break
    for (const record of dataRecords(answer.batches)) {
      const from = salvageCoordinatesOf(record.headers)
      if (from) copies.push({ at: record.offset, from, record })
    }
    offset = answer.nextOffset
  }
  return { copies, from, to }
}
