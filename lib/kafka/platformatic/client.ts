// Everything the access layer takes from @platformatic/kafka, in one list. `npm run build` compiles this
// module into a bundle of just these exports and what they use: the package's own entry also loads its
// producer, consumer and admin clients (and their ~40 option validators, compiled at import), which cost a
// command like `runbook status` ~0.35 s before the first request and which the access layer never uses.

export {
  alterPartitionReassignmentsV0,
  ConnectionPool,
  createAPI,
  createTopicsV7,
  deleteRecordsV2,
  deleteTopicsV6,
  describeGroupsV5,
  describeLogDirsV2,
  describeLogDirsV3,
  describeLogDirsV4,
  describeQuorumV2,
  fetchV12,
  findCoordinatorV4,
  findCoordinatorV5,
  findCoordinatorV6,
  incrementalAlterConfigsV1,
  listGroupsV4,
  listGroupsV5,
  listOffsetsV5,
  listOffsetsV6,
  listOffsetsV7,
  listOffsetsV8,
  listOffsetsV9,
  listPartitionReassignmentsV0,
  metadataV9,
  metadataV10,
  metadataV11,
  metadataV12,
  offsetCommitV8,
  offsetCommitV9,
  offsetFetchV8,
  offsetFetchV9,
  Reader,
  ResponseError,
  Writer,
} from '@platformatic/kafka'
export type { Broker, Connection } from '@platformatic/kafka'
