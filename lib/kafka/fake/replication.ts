// The fake's topic creation and deletion, leader elections and partition reassignments.

import { ErrorCode, kafkaError } from '../errors.ts'
import type { ElectionResult, ElectionType, NewTopic, OngoingReassignment, PartitionResult, ReplicaMove, TopicPartition, TopicResult } from '../types.ts'
import { topicConfigs, invalidValue } from './config-catalog.ts'
import { catchUpReplica, completeReassignment, electLeader } from './rules.ts'
import { type ClusterState, emptyPartition, findPartition, isLive } from './state.ts'

const unknownPartition = () => kafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'This server does not host this topic-partition.')

let createdIds = 0

export function createFakeTopics(state: ClusterState, topics: readonly NewTopic[]): TopicResult[] {
  return topics.map((request): TopicResult => {
    const { topic } = request
    if (state.topics.has(topic)) return { topic, error: kafkaError(ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${topic}' already exists.`) }
    if (!/^[a-zA-Z0-9._-]{1,249}$/.test(topic) || topic === '.' || topic === '..') {
      return { topic, error: kafkaError(ErrorCode.INVALID_TOPIC_EXCEPTION, `Topic name "${topic}" is illegal.`) }
    }
    for (const [name, value] of Object.entries(request.configs ?? {})) {
      const spec = topicConfigs[name]
      if (!spec) return { topic, error: kafkaError(ErrorCode.INVALID_CONFIG, `Unknown topic config name: ${name}`) }
      const problem = invalidValue(name, value, spec)
      if (problem) return { topic, error: kafkaError(ErrorCode.INVALID_CONFIG, problem) }
    }
    const live = [...state.brokers.values()]
      .filter((b) => b.life === 'alive')
      .map((b) => b.id)
      .sort((a, b) => a - b)
    let assignments: number[][]
    if (request.assignments) {
      assignments = request.assignments.map((r) => [...r])
      const bad = assignments.flat().find((id) => !state.brokers.has(id))
      if (bad !== undefined) return { topic, error: kafkaError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `Unknown broker ${bad} in the replica assignment.`) }
    } else {
      const count = request.partitions ?? Number(state.staticBrokerConfig.get('num.partitions') ?? '1')
      const rf = request.replicationFactor ?? Number(state.staticBrokerConfig.get('default.replication.factor') ?? '1')
      if (count < 1) return { topic, error: kafkaError(ErrorCode.INVALID_PARTITIONS, 'Number of partitions must be larger than 0.') }
      if (rf < 1 || rf > live.length) {
        return {
          topic,
          error: kafkaError(
            ErrorCode.INVALID_REPLICATION_FACTOR,
            `Unable to replicate the partition ${rf} time(s): The target replication factor of ${rf} cannot be reached because only ${live.length} broker(s) are registered.`,
          ),
        }
      }
      assignments = Array.from({ length: count }, (_, p) => Array.from({ length: rf }, (_, i) => live[(p + i) % live.length]!))
    }
    createdIds++
    state.topics.set(topic, {
      name: topic,
      id: `fake-created-${createdIds.toString().padStart(6, '0')}`,
      internal: false,
      configs: new Map(Object.entries(request.configs ?? {})),
      partitions: assignments.map((replicas, partition) => {
        const liveReplicas = replicas.filter((id) => isLive(state, id))
        return emptyPartition(topic, partition, replicas, liveReplicas[0] ?? null, liveReplicas.length ? liveReplicas : replicas)
      }),
    })
    return { topic }
  })
}

export function deleteFakeTopics(state: ClusterState, topics: readonly string[]): TopicResult[] {
  return topics.map((topic) => {
    if (!state.topics.delete(topic))
      return { topic, error: kafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'This server does not host this topic-partition.') }
    for (const group of state.groups.values()) for (const key of [...group.offsets.keys()]) if (key.startsWith(`${topic}/`)) group.offsets.delete(key)
    return { topic }
  })
}

export function electFakeLeaders(state: ClusterState, type: ElectionType, partitions: readonly TopicPartition[]): ElectionResult[] {
  return partitions.map(({ topic, partition }): ElectionResult => {
    const topicState = state.topics.get(topic)
    const found = findPartition(state, topic, partition)
    if (!topicState || !found) return { topic, partition, outcome: 'failed', error: unknownPartition() }
    const outcome = electLeader(state, topicState, found, type)
    if (outcome === 'not-needed')
      return { topic, partition, outcome, error: kafkaError(ErrorCode.ELECTION_NOT_NEEDED, 'Leader election not needed for topic partition.') }
    if (outcome === 'elected') return { topic, partition, outcome }
    return { topic, partition, outcome: 'failed', error: outcome }
  })
}

export function alterFakeReassignments(state: ClusterState, moves: readonly ReplicaMove[]): PartitionResult[] {
  return moves.map(({ topic, partition, replicas }): PartitionResult => {
    const topicState = state.topics.get(topic)
    const found = findPartition(state, topic, partition)
    if (!topicState || !found) return { topic, partition, error: unknownPartition() }
    if (replicas === null) {
      if (found.adding.length === 0 && found.removing.length === 0) {
        return {
          topic,
          partition,
          error: kafkaError(ErrorCode.NO_REASSIGNMENT_IN_PROGRESS, 'No partition reassignment is in progress for this topic-partition.'),
        }
      }
      const adding = new Set(found.adding)
      found.replicas = found.replicas.filter((id) => !adding.has(id))
      found.isr = found.isr.filter((id) => !adding.has(id))
      for (const id of adding) found.logs.delete(id)
      found.adding = []
      found.removing = []
      return { topic, partition }
    }
    if (replicas.length === 0 || new Set(replicas).size !== replicas.length) {
      return {
        topic,
        partition,
        error: kafkaError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `The replica assignment ${replicas.join(',')} has duplicate or no replicas.`),
      }
    }
    const unknown = replicas.find((id) => !state.brokers.has(id))
    if (unknown !== undefined)
      return { topic, partition, error: kafkaError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `The proposed assignment contains unregistered broker ${unknown}.`) }
    const current = new Set(found.replicas)
    const target = new Set(replicas)
    const adding = replicas.filter((id) => !current.has(id))
    const removing = found.replicas.filter((id) => !target.has(id))
    // Same replica set in another order: applied at once, no reassignment left running (measured 4.3.1,
    // also on a leaderless partition). This is how the unclean election's winner is chosen.
    found.replicas = [...replicas, ...removing]
    found.adding = adding
    found.removing = removing
    for (const id of adding) found.logs.set(id, { leo: 0n })
    for (const id of adding) catchUpReplica(state, topicState, found, id)
    completeReassignment(found)
    return { topic, partition }
  })
}

export function listFakeReassignments(state: ClusterState): OngoingReassignment[] {
  const ongoing: OngoingReassignment[] = []
  for (const topic of [...state.topics.values()].sort((a, b) => a.name.localeCompare(b.name))) {
    for (const p of topic.partitions) {
      if (p.adding.length || p.removing.length) {
        ongoing.push({ topic: topic.name, partition: p.partition, replicas: [...p.replicas], adding: [...p.adding], removing: [...p.removing] })
      }
    }
  }
  return ongoing
}
