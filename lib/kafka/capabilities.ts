// Turns what ApiVersions says (API ranges, features) into the Capabilities a runbook checks before a step.
// Shared by the real adapter and the fake so both answer "is this supported?" by the same rules.

import { metadataVersionName, releaseLine } from './metadata-version.ts'
import type { Capabilities, Operation } from './types.ts'

/** Protocol API keys the access layer uses. */
export const ApiKey = {
  produce: 0,
  listOffsets: 2,
  metadata: 3,
  offsetCommit: 8,
  offsetFetch: 9,
  findCoordinator: 10,
  describeGroups: 15,
  listGroups: 16,
  apiVersions: 18,
  createTopics: 19,
  deleteTopics: 20,
  deleteRecords: 21,
  describeConfigs: 32,
  describeLogDirs: 35,
  electLeaders: 43,
  incrementalAlterConfigs: 44,
  alterPartitionReassignments: 45,
  listPartitionReassignments: 46,
  describeQuorum: 55,
  describeCluster: 60,
  consumerGroupDescribe: 69,
  describeTopicPartitions: 75,
  initProducerId: 22,
  writeTxnMarkers: 27,
  describeProducers: 61,
  describeTransactions: 65,
  listTransactions: 66,
} as const

export type ApiRanges = ReadonlyMap<number, { readonly min: number; readonly max: number }>

/** The lowest API version each operation needs from the broker. */
const needs: Readonly<Record<Operation, readonly [apiKey: number, minVersion: number][]>> = {
  describeTopicPartitions: [[ApiKey.describeTopicPartitions, 0]],
  // v2 (Kafka 3.9) is the first that names the voters' nodes; the adapter speaks only v2.
  describeQuorum: [[ApiKey.describeQuorum, 2]],
  // v2 (Kafka 4.0) lists fenced brokers and marks them.
  describeClusterFenced: [[ApiKey.describeCluster, 2]],
  electLeaders: [[ApiKey.electLeaders, 0]],
  incrementalAlterConfigs: [[ApiKey.incrementalAlterConfigs, 0]],
  alterPartitionReassignments: [
    [ApiKey.alterPartitionReassignments, 0],
    [ApiKey.listPartitionReassignments, 0],
  ],
  // v7 (Kafka 3.0) adds the max-timestamp spec (-3).
  listOffsetsMaxTimestamp: [[ApiKey.listOffsets, 7]],
  replicaLogEndOffsets: [[ApiKey.listOffsets, 0]],
  consumerGroupDescribe: [[ApiKey.consumerGroupDescribe, 0]],
  describeLogDirs: [[ApiKey.describeLogDirs, 0]],
  deleteRecords: [[ApiKey.deleteRecords, 0]],
  alterCommittedOffsets: [
    [ApiKey.offsetCommit, 0],
    [ApiKey.describeGroups, 0],
  ],
  // Transactions (KIP-664, Kafka 3.0+). The adapter speaks FindCoordinator v4+ (batched keys).
  describeProducers: [[ApiKey.describeProducers, 0]],
  listTransactions: [[ApiKey.listTransactions, 0]],
  // v1 (Kafka 3.8, KIP-994) filters on how long a transaction has been open.
  listTransactionsOpenLongerThan: [[ApiKey.listTransactions, 1]],
  describeTransactions: [
    [ApiKey.findCoordinator, 4],
    [ApiKey.describeTransactions, 0],
  ],
  // The epochs are read live with DescribeProducers; the marker is WriteTxnMarkers v1+ (v0 left in Kafka 4.0).
  abortTransaction: [
    [ApiKey.describeProducers, 0],
    [ApiKey.writeTxnMarkers, 1],
  ],
  // The id is described first (unknown ids are refused), then InitProducerId v3+ bumps its epoch (KIP-618).
  fenceProducers: [
    [ApiKey.findCoordinator, 4],
    [ApiKey.describeTransactions, 0],
    [ApiKey.initProducerId, 3],
  ],
}

/** Everything Capabilities says, from the advertised ranges and the finalized / supported features. */
export function deriveCapabilities(apis: ApiRanges, finalizedFeatures: ReadonlyMap<string, number>, supportedFeatures: ReadonlySet<string>): Capabilities {
  const supports = {} as Record<Operation, boolean>
  for (const [operation, required] of Object.entries(needs) as [Operation, (typeof needs)[Operation]][]) {
    supports[operation] = required.every(([key, min]) => (apis.get(key)?.max ?? -1) >= min)
  }
  const level = finalizedFeatures.get('metadata.version')
  const metadataVersion = level === undefined ? null : metadataVersionName(level)
  const elrLevel = finalizedFeatures.get('eligible.leader.replicas.version')
  const elr = elrLevel !== undefined && elrLevel >= 1 ? 'on' : supportedFeatures.has('eligible.leader.replicas.version') ? 'off' : 'unsupported'
  return {
    apis,
    supports,
    features: finalizedFeatures,
    metadataVersion,
    kafkaLine: metadataVersion === null ? null : releaseLine(metadataVersion),
    elr,
  }
}
