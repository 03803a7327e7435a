// DescribeTopicPartitions v0 (Kafka 3.8+, KIP-966), decoded straight into partition states: a large cluster
// answers in pages of 2,000 partitions, and the client's generic decoder spent more time on them than the
// brokers took to answer. Broker-id lists are shared between partitions that have the same (frozen): what
// `runbook status` keeps of 10,000 partitions is then one object each, not three.

import { createAPI, Writer } from '../client.ts'
import { ErrorCode, kafkaError } from '../../errors.ts'
import type { PartitionState } from '../../types.ts'
import { WireReader } from './wire-reader.ts'

export interface DescribedTopic {
  readonly errorCode: number
  readonly name: string | null
  readonly topicId: string
  readonly isInternal: boolean
  readonly partitions: PartitionState[]
}

export interface TopicPartitionsCursor {
  readonly topicName: string
  readonly partitionIndex: number
}

export interface TopicPartitionsPage {
  readonly topics: DescribedTopic[]
  readonly nextCursor?: TopicPartitionsCursor
}

/*
  DescribeTopicPartitions Request (Version: 0) => [topics] response_partition_limit cursor TAG_BUFFER
    topics => name TAG_BUFFER
    response_partition_limit => INT32
    cursor => topic_name partition_index TAG_BUFFER   (nullable: -1 for none)
*/
function createRequest(topics: readonly string[], responsePartitionLimit: number, cursor: TopicPartitionsCursor | undefined): Writer {
  const writer = Writer.create()
    .appendArray([...topics], (w, name) => w.appendString(name))
    .appendInt32(responsePartitionLimit)
  if (cursor) writer.appendInt8(1).appendString(cursor.topicName).appendInt32(cursor.partitionIndex).appendTaggedFields()
  else writer.appendInt8(-1)
  return writer.appendTaggedFields()
}

/*
  DescribeTopicPartitions Response (Version: 0) => throttle_time_ms [topics] next_cursor TAG_BUFFER
    topics => error_code name topic_id is_internal [partitions] topic_authorized_operations TAG_BUFFER
      partitions => error_code partition_index leader_id leader_epoch [replica_nodes] [isr_nodes]
                    [eligible_leader_replicas] [last_known_elr] [offline_replicas] TAG_BUFFER
    next_cursor => topic_name partition_index TAG_BUFFER   (nullable: -1 for none)
*/
/** Decodes a response body (after the header); exported for tests that encode answers themselves. */
export function decodeTopicPartitions(wire: WireReader, withElr: boolean): TopicPartitionsPage {
  wire.int32() // throttle_time_ms
  const topicCount = wire.arrayLength()
  const topics: DescribedTopic[] = []
  for (let t = 0; t < topicCount; t++) {
    const errorCode = wire.int16()
    const name = wire.nullableString()
    const topicId = wire.uuid()
    const isInternal = wire.boolean()
    const topic = name ?? ''
    const partitionCount = wire.arrayLength()
    const partitions: PartitionState[] = new Array(Math.max(0, partitionCount))
    const bytes = wire.bytes
    for (let p = 0; p < partitionCount; p++) {
      // The fixed fields (error, index, leader, epoch: 14 bytes) read in place, bounds checked once: decoding runs
      // cold, in the interpreter, where a reader call per field is most of the cost of a partition.
      const at = wire.position
      if (at + 14 > bytes.length) throw new RangeError(`a partition runs past the end of the response (${bytes.length} bytes)`)
      const partitionError = ((bytes[at]! << 24) | (bytes[at + 1]! << 16)) >> 16
      const partition = (bytes[at + 2]! << 24) | (bytes[at + 3]! << 16) | (bytes[at + 4]! << 8) | bytes[at + 5]!
      const leader = (bytes[at + 6]! << 24) | (bytes[at + 7]! << 16) | (bytes[at + 8]! << 8) | bytes[at + 9]!
      const leaderEpoch = (bytes[at + 10]! << 24) | (bytes[at + 11]! << 16) | (bytes[at + 12]! << 8) | bytes[at + 13]!
      wire.position = at + 14
      const replicas = wire.sharedInt32Array()
      const isr = wire.sharedInt32Array()
      const elr = wire.sharedInt32Array()
      const lastKnownElr = wire.sharedInt32Array()
      const offline = wire.sharedInt32Array()
      wire.skipTaggedFields()
      const state: { -readonly [K in keyof PartitionState]: PartitionState[K] } = {
        topic,
        partition,
        leader: leader < 0 ? null : leader,
        leaderEpoch,
        replicas,
        isr,
        offline,
        elr: withElr ? elr : null,
        lastKnownElr: withElr ? lastKnownElr : null,
      }
      // "No leader" is what leader=null says already; any other partition error is kept.
      if (partitionError !== 0 && partitionError !== ErrorCode.LEADER_NOT_AVAILABLE) state.error = kafkaError(partitionError)
      partitions[p] = state
    }
    wire.int32() // topic_authorized_operations
    wire.skipTaggedFields()
    topics.push({ errorCode, name, topicId, isInternal, partitions })
  }
  let nextCursor: TopicPartitionsCursor | undefined
  if (wire.int8() === 1) {
    nextCursor = { topicName: wire.string(), partitionIndex: wire.int32() }
    wire.skipTaggedFields()
  }
  wire.skipTaggedFields()
  return nextCursor ? { topics, nextCursor } : { topics }
}

const apiFor = (withElr: boolean) =>
  createAPI<[topics: readonly string[], responsePartitionLimit: number, cursor: TopicPartitionsCursor | undefined], TopicPartitionsPage>(
    75,
    0,
    createRequest,
    (_correlationId, _apiKey, _apiVersion, reader) => decodeTopicPartitions(WireReader.from(reader, true), withElr),
  )

/** DescribeTopicPartitions v0, for a cluster that reports eligible leader replicas (ELR on) and for one that does not. */
export const describeTopicPartitionsV0 = { withElr: apiFor(true), withoutElr: apiFor(false) }
