// produce(): records written as an idempotent producer writes them, acks=all. A producer id from InitProducerId,
// one batch at a time per partition with its sequence number, so a batch sent again after a lost answer or a
// moved leader is written once. Partitions are answered one by one: a refused partition never stops the others.

import { initProducerIdV4 } from './client.ts'
import { ErrorCode, kafkaError } from '../errors.ts'
import { KafkaConnectionError, type KafkaError, type ProducedRecord, type ProduceOptions, type ProduceRecord } from '../types.ts'
import { readPartitionStates } from './partition-states.ts'
import { batchOverhead, encodeRecordBatch, estimatedRecordBytes } from './record-batches.ts'
import { type ProduceAnswer, type ProducePartitionData, produceBatchesV9 } from './protocol/produce.ts'
import { type Session, send } from './session.ts'

/** How long a record may take to be written, retries included (the Java producer's delivery.timeout.ms is 2 min). */
const deliveryTimeoutMs = 30_000
/** Kept under the broker's default message.max.bytes (1 MiB) with room for the batch's own bytes. */
const batchBytes = 512 * 1024
const acksAll = -1
/** Errors after which the same batch, sent again with the same sequence number, is written at most once. */
const retriable = new Set<number>([
  ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  ErrorCode.LEADER_NOT_AVAILABLE,
  ErrorCode.NOT_LEADER_OR_FOLLOWER,
  ErrorCode.REQUEST_TIMED_OUT,
  ErrorCode.NETWORK_EXCEPTION,
  ErrorCode.NOT_ENOUGH_REPLICAS,
  ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND,
  ErrorCode.KAFKA_STORAGE_ERROR,
  ErrorCode.FENCED_LEADER_EPOCH,
  ErrorCode.UNKNOWN_LEADER_EPOCH,
])

interface Batch {
  readonly indexes: readonly number[]
}

interface PartitionQueue {
  readonly partition: number
  readonly batches: Batch[]
  sequence: number
  lastError?: KafkaError
}

/** Consecutive records of one partition, in order, as batches of at most `batchBytes` (a larger record goes alone). */
function splitIntoBatches(records: readonly ProduceRecord[], indexes: readonly number[]): Batch[] {
  const batches: Batch[] = []
  let current: number[] = []
  let bytes = batchOverhead
  for (const index of indexes) {
    const size = estimatedRecordBytes(records[index]!)
    if (current.length > 0 && bytes + size > batchBytes) {
      batches.push({ indexes: current })
      current = []
      bytes = batchOverhead
    }
    current.push(index)
    bytes += size
  }
  if (current.length > 0) batches.push({ indexes: current })
  return batches
}

async function initProducerId(session: Session): Promise<{ producerId: bigint; producerEpoch: number }> {
  if (session.version(22, [4]) === null)
    throw new KafkaConnectionError('unsupported', 'this cluster cannot give out producer ids (InitProducerId v4) — it needs Kafka 2.7 or newer')
  let last: KafkaError | undefined
  for (let attempt = 0; attempt < 10; attempt++) {
    // No transactional id: an idempotent producer. Its transaction timeout is not used.
    const answer = await session.anyBroker((c) => send(initProducerIdV4.api, c, null as unknown as string, 2_147_483_647, -1n, -1))
    if (answer.errorCode === 0) return { producerId: answer.producerId, producerEpoch: answer.producerEpoch }
    last = kafkaError(answer.errorCode)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  throw new KafkaConnectionError('unsupported', `the cluster gave no producer id (${last?.name ?? 'no answer'}) — check that the brokers are healthy`)
}

export async function produce(
  session: Session,
  topic: string,
  records: readonly ProduceRecord[],
  options: ProduceOptions = {},
  nowMs: () => number = Date.now,
): Promise<ProducedRecord[]> {
  const results: ProducedRecord[] = records.map((r) => ({ topic, partition: r.partition, offset: null }))
  if (records.length === 0) return results
  const byPartition = new Map<number, number[]>()
  records.forEach((record, index) => byPartition.set(record.partition, [...(byPartition.get(record.partition) ?? []), index]))
  const fail = (indexes: readonly number[], error: KafkaError) => {
    for (const i of indexes) results[i] = { topic, partition: records[i]!.partition, offset: null, error }
  }

  const queues: PartitionQueue[] = []
  for (const [partition, indexes] of byPartition) {
    if (!Number.isInteger(partition) || partition < 0)
      fail(indexes, kafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `partition ${partition} is not a partition number`))
    else queues.push({ partition, batches: splitIntoBatches(records, indexes), sequence: 0 })
  }
  if (queues.length === 0) return results

  let leaders = await readLeaders(session, topic)
  if (leaders === null) {
    fail(
      records.map((_, i) => i),
      kafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic ${topic} does not exist`),
    )
    return results
  }
  const producer = await initProducerId(session)
  const deadline = nowMs() + (options.timeoutMs ?? deliveryTimeoutMs)
  let backoffMs = 50
  for (;;) {
    const waiting = queues.filter((q) => q.batches.length > 0)
    if (waiting.length === 0) break
    if (nowMs() >= deadline) {
      for (const q of waiting)
        for (const batch of q.batches.splice(0))
          fail(batch.indexes, q.lastError ?? kafkaError(ErrorCode.REQUEST_TIMED_OUT, 'not written within the delivery timeout'))
      break
    }
    const byLeader = new Map<number, PartitionQueue[]>()
    for (const q of waiting) {
      const leader = leaders.get(q.partition)
      if (leader === undefined) {
        q.lastError = kafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `${topic} has no partition ${q.partition}`)
        for (const batch of q.batches.splice(0)) fail(batch.indexes, q.lastError)
        continue
      }
      if (leader === null) {
        q.lastError = kafkaError(ErrorCode.LEADER_NOT_AVAILABLE, 'The partition has no leader.')
        continue
      }
      byLeader.set(leader, [...(byLeader.get(leader) ?? []), q])
    }
    let retry = false
    await Promise.all(
      [...byLeader].map(async ([leader, partitionQueues]) => {
        const sent = partitionQueues.map((q) => ({ q, batch: q.batches[0]! }))
        const data: ProducePartitionData[] = sent.map(({ q, batch }) => ({
          partition: q.partition,
          batch: encodeRecordBatch(
            batch.indexes.map((i) => records[i]!),
            { ...producer, baseSequence: q.sequence },
            nowMs(),
          ),
        }))
        const timeoutMs = Math.max(1000, Math.min(15_000, deadline - nowMs()))
        const answer = await session.onBroker(leader, (c) => send(produceBatchesV9, c, acksAll, timeoutMs, [{ topic, partitions: data }]))
        const byIndex = new Map<number, ProduceAnswer['responses'][number]['partitionResponses'][number]>()
        if (!('error' in answer)) for (const t of answer.value.responses) for (const p of t.partitionResponses) byIndex.set(p.index, p)
        for (const { q, batch } of sent) {
          const response = 'error' in answer ? undefined : byIndex.get(q.partition)
          const code = 'error' in answer ? ErrorCode.NETWORK_EXCEPTION : (response?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR)
          if (code === 0 && response) {
            batch.indexes.forEach((index, i) => (results[index] = { topic, partition: q.partition, offset: response.baseOffset + BigInt(i) }))
            q.sequence += batch.indexes.length
            q.batches.shift()
            q.lastError = undefined
          } else if (retriable.has(code)) {
            q.lastError = 'error' in answer ? answer.error : kafkaError(code, response?.errorMessage)
            retry = true
          } else {
            // Not written: the next batch takes this one's sequence number.
            fail(batch.indexes, kafkaError(code, response?.errorMessage ?? response?.recordErrors[0]?.batchIndexErrorMessage))
            q.batches.shift()
          }
        }
      }),
    )
    if (retry || [...queues].some((q) => q.batches.length > 0 && q.lastError)) {
      await new Promise((resolve) => setTimeout(resolve, backoffMs))
      backoffMs = Math.min(backoffMs * 2, 1000)
      leaders = (await readLeaders(session, topic)) ?? leaders
    }
  }
  return results
}

/** Partition → leader (null while it has none); null when the topic does not exist. */
async function readLeaders(session: Session, topic: string): Promise<Map<number, number | null> | null> {
  const [state] = await readPartitionStates(session, [topic])
  if (!state || state.error) return null
  return new Map(state.partitions.map((p) => [p.partition, p.leader]))
}
