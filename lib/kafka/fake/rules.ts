// Kafka's controller rules, applied to the fake's state at once (the real cluster needs a session timeout):
// what fencing, restarting and elections do to leaders, ISR and ELR. Each rule cites what was measured.

import { ErrorCode, kafkaError } from '../errors.ts'
import type { KafkaError } from '../types.ts'
import { type ClusterState, type FakePartition, type FakeTopic, isLive, minIsrOf, resolveTopicConfig, truncateLog } from './state.ts'

const inReplicaOrder = (partition: FakePartition, ids: Iterable<number>): number[] => {
  const set = new Set(ids)
  return partition.replicas.filter((id) => set.has(id))
}

function setLeader(partition: FakePartition, leader: number | null): void {
  if (partition.leader !== leader) partition.leaderEpoch++
  partition.leader = leader
  if (leader === null) return
  // Records only the old leader had are gone: the new leader's log is the partition's log from now on.
  const leo = partition.logs.get(leader)?.leo ?? 0n
  truncateLog(partition, leo)
  if (partition.highWatermark > leo) partition.highWatermark = leo
}

/** After a leader appears, every live follower that is not stalled fetches from it and rejoins the ISR. */
function followNewLeader(state: ClusterState, topic: FakeTopic, partition: FakePartition): void {
  if (partition.leader === null) return
  for (const id of partition.replicas) {
    if (id !== partition.leader && isLive(state, id) && !partition.isr.includes(id) && !partition.logs.get(id)?.stalled)
      catchUpReplica(state, topic, partition, id)
  }
}

function uncleanAllowed(state: ClusterState, topic: FakeTopic): boolean {
  return resolveTopicConfig(state, topic, 'unclean.leader.election.enable').value === 'true'
}

/** A replica leaves the ISR (fenced, or fell behind). With ELR, a replica leaving below min ISR joins the ELR (KIP-966). */
export function removeFromIsr(state: ClusterState, topic: FakeTopic, partition: FakePartition, brokerId: number): void {
  if (!partition.isr.includes(brokerId)) return
  const remaining = partition.isr.filter((id) => id !== brokerId)
  if (state.elrEnabled) {
    if (remaining.length < minIsrOf(state, topic)) partition.elr = inReplicaOrder(partition, [...partition.elr, brokerId])
    partition.isr = remaining
  } else if (remaining.length > 0) {
    partition.isr = remaining
  }
  // Without ELR the last ISR member stays listed while the partition is leaderless (measured 3.9.2 and 4.3.1 ELR off).
  if (partition.leader === brokerId) electAfterLeaderLoss(state, topic, partition, brokerId)
}

/** The leader is gone: a live ISR member, else a live ELR member, else (if the topic allows it) any live replica. */
function electAfterLeaderLoss(state: ClusterState, topic: FakeTopic, partition: FakePartition, lostLeader: number): void {
  const fromIsr = inReplicaOrder(partition, partition.isr).find((id) => id !== lostLeader && isLive(state, id))
  if (fromIsr !== undefined) return setLeader(partition, fromIsr)
  if (state.elrEnabled) {
    const fromElr = partition.elr.find((id) => isLive(state, id))
    if (fromElr !== undefined) {
      // Measured 4.3.1: the live ELR member leads, ISR [it], and the dead old leader moves into the ELR.
      partition.isr = [fromElr]
      partition.elr = partition.elr.filter((id) => id !== fromElr)
      return setLeader(partition, fromElr)
    }
  }
  if (uncleanAllowed(state, topic)) {
    const live = partition.replicas.find((id) => isLive(state, id))
    if (live !== undefined) return applyUncleanElection(partition, live)
  }
  if (state.elrEnabled && partition.isr.length === 0) partition.lastKnownElr = [lostLeader]
  setLeader(partition, null)
}

/** An unclean election's outcome: the chosen replica leads alone and its log end becomes the partition's end. */
export function applyUncleanElection(partition: FakePartition, leader: number): void {
  partition.isr = [leader]
  partition.elr = []
  partition.lastKnownElr = []
  setLeader(partition, leader)
  const leo = partition.logs.get(leader)?.leo ?? 0n
  partition.highWatermark = leo
}

/** The controller fences a broker (session timeout after SIGKILL/SIGSTOP): out of every ISR, its partitions move or go leaderless. */
export function fenceBroker(state: ClusterState, brokerId: number, life: 'fenced' | 'dead', lastContactMs: number = Date.now()): void {
  const broker = state.brokers.get(brokerId)
  if (!broker) throw new Error(`fake cluster: no broker ${brokerId}`)
  if (broker.life === 'alive') broker.lastContactMs = lastContactMs
  broker.life = life
  for (const topic of state.topics.values()) {
    for (const partition of topic.partitions) {
      if (partition.isr.includes(brokerId)) removeFromIsr(state, topic, partition, brokerId)
      else if (partition.leader === brokerId) electAfterLeaderLoss(state, topic, partition, brokerId)
    }
  }
}

/** A broker comes back: it rejoins the ISR of led partitions, and may be elected where the partition is leaderless. */
export function unfenceBroker(state: ClusterState, brokerId: number): void {
  const broker = state.brokers.get(brokerId)
  if (!broker) throw new Error(`fake cluster: no broker ${brokerId}`)
  const wasDead = broker.life === 'dead'
  broker.life = 'alive'
  broker.lastContactMs = null
  for (const topic of state.topics.values()) {
    for (const partition of topic.partitions) {
      if (!partition.replicas.includes(brokerId)) continue
      if (partition.leader === null) {
        electOnReturn(state, topic, partition, brokerId, wasDead)
        followNewLeader(state, topic, partition)
      } else if (partition.leader !== brokerId) catchUpReplica(state, topic, partition, brokerId)
    }
  }
}

function electOnReturn(state: ClusterState, topic: FakeTopic, partition: FakePartition, brokerId: number, uncleanShutdown: boolean): void {
  if (state.elrEnabled) {
    if (partition.lastKnownElr.includes(brokerId) || (partition.elr.includes(brokerId) && !uncleanShutdown)) {
      // Measured 4.3.1: the last known leader is elected on return, with no loss.
      partition.isr = [brokerId]
      partition.elr = []
      partition.lastKnownElr = []
      return setLeader(partition, brokerId)
    }
    // A SIGKILLed ELR member that is not the last known leader is dropped from the ELR, not elected.
    if (uncleanShutdown) partition.elr = partition.elr.filter((id) => id !== brokerId)
    if (uncleanAllowed(state, topic)) {
      // Measured 4.3.1: with the flag set, the election fires at the returning broker's registration,
      // while it is still fenced, so another live replica wins when there is one.
      const other = partition.replicas.find((id) => id !== brokerId && isLive(state, id))
      applyUncleanElection(partition, other ?? brokerId)
    }
    return
  }
  if (partition.isr.includes(brokerId)) {
    partition.isr = [brokerId]
    return setLeader(partition, brokerId)
  }
  if (uncleanAllowed(state, topic)) applyUncleanElection(partition, partition.replicas.find((id) => isLive(state, id)) ?? brokerId)
}

/** A live follower fetches up to the leader (truncating what the leader does not have) and rejoins the ISR. */
export function catchUpReplica(state: ClusterState, topic: FakeTopic, partition: FakePartition, brokerId: number): void {
  if (partition.leader === null || !isLive(state, brokerId) || state.brokers.get(brokerId)?.logDirOffline) return
  const leaderLeo = partition.logs.get(partition.leader)?.leo ?? 0n
  partition.logs.set(brokerId, { leo: leaderLeo, stalled: false })
  partition.elr = partition.elr.filter((id) => id !== brokerId)
  partition.lastKnownElr = partition.lastKnownElr.filter((id) => id !== brokerId)
  // A returning replica joins at the end: Kafka lists the ISR in the order replicas (re)joined it.
  if (!partition.isr.includes(brokerId)) partition.isr = [...partition.isr, brokerId]
  if (partition.isr.length >= minIsrOf(state, topic)) {
    partition.elr = []
    partition.highWatermark = leaderLeo
  }
  completeReassignment(partition)
}

/** Once every target replica is in the ISR, the reassignment finishes: removed replicas go. */
export function completeReassignment(partition: FakePartition): void {
  if (partition.adding.length === 0 && partition.removing.length === 0) return
  const target = partition.replicas.filter((id) => !partition.removing.includes(id))
  if (!target.every((id) => partition.isr.includes(id))) return
  const removing = new Set(partition.removing)
  partition.replicas = partition.replicas.filter((id) => !removing.has(id))
  partition.isr = partition.isr.filter((id) => !removing.has(id))
  partition.elr = partition.elr.filter((id) => !removing.has(id))
  for (const id of removing) partition.logs.delete(id)
  partition.adding = []
  partition.removing = []
  if (partition.leader !== null && removing.has(partition.leader)) {
    setLeader(partition, partition.replicas.find((id) => partition.isr.includes(id)) ?? null)
  }
}

/** ElectLeaders for one partition, with the protocol's answers. */
export function electLeader(
  state: ClusterState,
  topic: FakeTopic,
  partition: FakePartition,
  type: 'preferred' | 'unclean',
): KafkaError | 'elected' | 'not-needed' {
  if (type === 'preferred') {
    const preferred = partition.replicas[0]!
    if (partition.leader === preferred) return 'not-needed'
    if (!isLive(state, preferred) || !partition.isr.includes(preferred)) {
      return kafkaError(ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE, 'The preferred leader was not available.')
    }
    setLeader(partition, preferred)
    return 'elected'
  }
  if (partition.leader !== null && isLive(state, partition.leader)) return 'not-needed'
  // Measured 4.3.1: the first live replica in replica order wins, not the most complete one.
  const candidate = partition.replicas.find((id) => isLive(state, id))
  if (candidate === undefined) return kafkaError(ErrorCode.ELIGIBLE_LEADERS_NOT_AVAILABLE, 'Eligible topic partition leaders are not available.')
  applyUncleanElection(partition, candidate)
  followNewLeader(state, topic, partition)
  return 'elected'
}

/** A broker's log directory fails: it stays registered, but its replicas go offline and leave every ISR (leaders move). */
export function failLogDir(state: ClusterState, brokerId: number): void {
  const broker = state.brokers.get(brokerId)
  if (!broker) throw new Error(`fake cluster: no broker ${brokerId}`)
  broker.logDirOffline = true
  for (const topic of state.topics.values()) {
    for (const partition of topic.partitions) {
      if (!partition.replicas.includes(brokerId)) continue
      const log = partition.logs.get(brokerId)
      if (log) log.stalled = true
      removeFromIsr(state, topic, partition, brokerId)
    }
  }
}
