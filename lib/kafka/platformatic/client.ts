// Everything the access layer takes from @platformatic/kafka, in one list. `npm run build` compiles this
// module into a bundle of just these exports and what they use: the package's own entry also loads its
// producer, consumer and admin clients (and their ~40 option validators, compiled at import), which cost a
// command like `runbook status` ~0.35 s before the first request and which the access layer never uses.

export {
  alterPartitionReassignmentsV0,
  compressionsAlgorithmsByBitmask,
  Connection,
  ConnectionPool,
  crc32c,
  createAPI,
  createTopicsV7,
  deleteRecordsV2,
  deleteTopicsV6,
  describeGroupsV5,
  describeLogDirsV2,
  describeLogDirsV3,
  describeLogDirsV4,
  describeProducersV0,
  describeQuorumV2,
  describeTransactionsV0,
  fetchV12,
  findCoordinatorV4,
  findCoordinatorV5,
  findCoordinatorV6,
  incrementalAlterConfigsV1,
  initProducerIdV3,
  initProducerIdV4,
  initProducerIdV5,
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
  produceV9,
  Reader,
  readRecord,
  ResponseError,
  saslHandshakeV1,
  Writer,
} from '@platformatic/kafka'
export type { Broker } from '@platformatic/kafka'

import { Reader } from '@platformatic/kafka'

// 1.35 reads a tagged-field section as a signed byte count: a broker that attaches a tagged field (Produce and
// Fetch name the current leader this way, KIP-951, e.g. right after a topic is created) leaves the reader inside
// the field, and the rest of the answer fails with "Out of bounds". Fixed upstream in 2.3.0
// (platformatic/kafka#313), which needs Node 22.22; until then the section is read as the protocol defines it:
// a count, then per field its tag and its size.
Reader.prototype.readTaggedFields = function readTaggedFields(this: Reader): void {
  const fields = this.readUnsignedVarInt()
  for (let i = 0; i < fields; i++) {
    this.readUnsignedVarInt()
    this.skip(this.readUnsignedVarInt())
  }
}
