// Salvage reads: the records a dead replica's folder holds in a range (read-only, through the injected
// OpenLogDir, which checks owner and liveness first), and a salvage file read back from the session folder.

import { describeLogDirFault, type OpenLogDir } from '../kafka/log-dir/types.ts'
import type { KafkaRecord } from '../kafka/records.ts'
import { parseSalvage, type SalvageContents, type SalvageMarker } from '../kafka/salvage-file.ts'
import type { KafkaOps, TopicPartition } from '../kafka/types.ts'
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

/** A salvage file read back whole, or one line saying why it cannot be read. */
export function readSalvageFile(path: string): SalvageContents | { readonly error: string } {
  const file = readAnswerFile(path)
  if ('error' in file) return file
  try {
    return parseSalvage(file.text.split('\n'))
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
