// cluster(): brokers with racks and fenced state, and the real active controller. In KRaft, Metadata's
// controller id is a random live broker; only DescribeQuorum (Kafka 3.9+, v2) names the quorum leader.

import { describeQuorumV2 } from './client.ts'
import type { ClusterView, QuorumReplica, QuorumView } from '../types.ts'
import { type Session, send } from './session.ts'

const timestamp = (value: bigint): number | null => (value < 0n ? null : Number(value))

async function readQuorum(session: Session): Promise<QuorumView | null> {
  if (session.version(55, [2]) === null) return null
  const answer = await session.anyBroker((c) => send(describeQuorumV2.api, c, [{ topicName: '__cluster_metadata', partitions: [{ partitionIndex: 0 }] }]))
  const partition = answer.topics[0]?.partitions[0]
  if (answer.errorCode !== 0 || !partition || partition.errorCode !== 0) return null
  const replica = (r: { replicaId: number; logEndOffset: bigint; lastFetchTimestamp: bigint; lastCaughtUpTimestamp: bigint }): QuorumReplica => ({
    id: r.replicaId,
    logEndOffset: r.logEndOffset,
    lastFetchTimestamp: timestamp(r.lastFetchTimestamp),
    lastCaughtUpTimestamp: timestamp(r.lastCaughtUpTimestamp),
  })
  return {
    leaderId: partition.leaderId < 0 ? null : partition.leaderId,
    leaderEpoch: partition.leaderEpoch,
    highWatermark: partition.highWatermark,
    voters: partition.currentVoters.map(replica),
    observers: partition.observers.map(replica),
  }
}

export async function readClusterView(session: Session): Promise<ClusterView> {
  const [members, quorum] = await Promise.all([session.clusterMembers(), readQuorum(session)])
  const brokers = [...members.addresses.values()].sort((a, b) => a.id - b.id).map((b) => ({ ...b }))
  const controller =
    quorum?.leaderId != null
      ? { id: quorum.leaderId, source: 'describe-quorum' as const }
      : { id: members.controllerId < 0 ? null : members.controllerId, source: 'metadata' as const }
  return { clusterId: members.clusterId, brokers, controller, quorum }
}
