// The fake's capabilities, cluster view and partition states: what DescribeCluster, DescribeQuorum and
// DescribeTopicPartitions would answer for the state.

import { deriveCapabilities } from '../capabilities.ts'
import { ErrorCode, kafkaError } from '../errors.ts'
import type { Capabilities, ClusterView, PartitionState, TopicState } from '../types.ts'
import { recordedApis, recordedFeatures } from './api-versions.ts'
import type { ClusterState, FakeBroker } from './state.ts'

export function readCapabilities(state: ClusterState): Capabilities {
  const features = recordedFeatures(state.kafkaLine, state.elrEnabled)
  return deriveCapabilities(recordedApis(state.kafkaLine), features.finalized, features.supported)
}

export function readCluster(state: ClusterState): ClusterView {
  const fencedVisible = state.kafkaLine !== '3.9'
  const brokers = [...state.brokers.values()]
    .sort((a, b) => a.id - b.id)
    // Before 4.0 DescribeCluster lists only unfenced brokers; 4.0+ lists fenced ones and marks them.
    .filter((b) => fencedVisible || b.life === 'alive')
    .map((b) => ({ id: b.id, host: b.host, port: b.port, rack: b.rack, fenced: fencedVisible ? b.life !== 'alive' : null }))
  const now = BigInt(state.mutations.length)
  const voter = { id: state.controllerId, logEndOffset: 1000n + now, lastFetchTimestamp: null, lastCaughtUpTimestamp: null }
  const clock = Date.now()
  // Measured 4.3.1: the controller keeps a dead broker among its observers, its last fetch time frozen (200 s and more).
  const observer = (b: FakeBroker) => {
    const contact = b.life === 'alive' ? clock : b.lastContactMs
    return { id: b.id, logEndOffset: voter.logEndOffset, lastFetchTimestamp: contact, lastCaughtUpTimestamp: contact }
  }
  return {
    clusterId: state.clusterId,
    brokers,
    controller: { id: state.controllerId, source: 'describe-quorum' },
    quorum: {
      leaderId: state.controllerId,
      leaderEpoch: 1,
      highWatermark: 1000n + now,
      voters: [voter],
      observers: [...state.brokers.values()].map(observer),
    },
  }
}

export function readPartitionStates(state: ClusterState, topics?: readonly string[]): TopicState[] {
  const names = topics ?? [...state.topics.keys()].sort()
  const elrReported = state.elrEnabled
  return names.map((name): TopicState => {
    const topic = state.topics.get(name)
    if (!topic) {
      return {
        topic: name,
        topicId: null,
        internal: false,
        partitions: [],
        error: kafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'This server does not host this topic-partition.'),
      }
    }
    const partitions = topic.partitions.map((p): PartitionState => ({
      topic: name,
      partition: p.partition,
      leader: p.leader,
      leaderEpoch: p.leaderEpoch,
      replicas: [...p.replicas],
      isr: [...p.isr],
      offline: p.replicas.filter((id) => state.brokers.get(id)?.life !== 'alive' || state.brokers.get(id)?.logDirOffline === true),
      elr: elrReported ? [...p.elr] : null,
      lastKnownElr: elrReported ? [...p.lastKnownElr] : null,
    }))
    return { topic: name, topicId: topic.id, internal: topic.internal, partitions }
  })
}
