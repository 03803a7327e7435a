// DescribeCluster v2 (Kafka 4.0+, KIP-1073): lists fenced brokers too, and marks them. The client stops at v1.

import { createAPI, ResponseError, Writer, type Reader } from '../client.ts'
import { readTaggedFields } from './tagged-fields.ts'

export interface DescribeClusterV2Answer {
  readonly errorCode: number
  readonly errorMessage: string | null
  readonly clusterId: string
  readonly controllerId: number
  readonly brokers: { brokerId: number; host: string; port: number; rack: string | null; isFenced: boolean }[]
}

/*
  DescribeCluster Request (Version: 2) => include_cluster_authorized_operations endpoint_type include_fenced_brokers TAG_BUFFER
  DescribeCluster Response (Version: 2) => throttle_time_ms error_code error_message endpoint_type cluster_id controller_id
    [brokers => broker_id host port rack is_fenced TAG_BUFFER] cluster_authorized_operations TAG_BUFFER
*/
function createRequest(includeAuthorizedOperations: boolean, endpointType: number, includeFencedBrokers: boolean): Writer {
  return Writer.create().appendBoolean(includeAuthorizedOperations).appendInt8(endpointType).appendBoolean(includeFencedBrokers).appendTaggedFields()
}

function parseResponse(_correlationId: number, apiKey: number, apiVersion: number, reader: Reader): DescribeClusterV2Answer {
  reader.readInt32()
  const errorCode = reader.readInt16()
  const errorMessage = reader.readNullableString()
  reader.readInt8()
  const clusterId = reader.readString()
  const controllerId = reader.readInt32()
  const brokers = reader.readArray(
    (r) => {
      const broker = { brokerId: r.readInt32(), host: r.readString(), port: r.readInt32(), rack: r.readNullableString(), isFenced: r.readBoolean() }
      readTaggedFields(r)
      return broker
    },
    true,
    false,
  )
  reader.readInt32()
  readTaggedFields(reader)
  const answer = { errorCode, errorMessage, clusterId, controllerId, brokers }
  if (errorCode !== 0) throw new ResponseError(apiKey, apiVersion, { '/': [errorCode, errorMessage] }, answer)
  return answer
}

/** DescribeCluster v2. */
export const describeClusterV2 = createAPI<
  [includeAuthorizedOperations: boolean, endpointType: number, includeFencedBrokers: boolean],
  DescribeClusterV2Answer
>(60, 2, createRequest, parseResponse)
