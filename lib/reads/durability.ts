// Reads for the durability audit: topics with their replica placement, the two settings that decide what an
// acknowledged write survives (with where each is set), the cluster's defaults and each broker's own view,
// rack of every broker, replica sizes and ongoing reassignments — in as few requests as the cluster allows.

import type { Capabilities, ClusterView, KafkaOps, OngoingReassignment, ResourceConfig, TopicState } from '../kafka/types.ts'
import { type DurabilitySnapshot, replicaSizes } from '../plans/durability-audit.ts'

/** Everything the audit reads: the snapshot lib/plans/durability-audit.ts plans from. */
export type DurabilityReading = DurabilitySnapshot

export interface DurabilityReadOptions {
  /** Only these topics (all, internal ones included, when omitted). */
  readonly topics?: readonly string[]
  /** Also ask every live broker for its own view, and the replica sizes (what the runbook shows; status skips them). */
  readonly full: boolean
  readonly nowMs: number
  /** What the caller already read, so status does not ask twice. `configs`: durabilityConfigs of the topics and the cluster default. */
  readonly already?: {
    readonly cluster?: ClusterView
    readonly capabilities?: Capabilities
    readonly topics?: readonly TopicState[]
    readonly reassignments?: readonly OngoingReassignment[]
    readonly configs?: readonly ResourceConfig[]
  }
}

/** The two settings the audit reads for every topic, the cluster default and each broker. */
export const durabilityConfigs = ['min.insync.replicas', 'unclean.leader.election.enable'] as const
const names = durabilityConfigs

/** One read of what the audit needs. A topic that does not exist comes back with its error (UNKNOWN_TOPIC_OR_PARTITION). */
export async function readDurability(kafka: KafkaOps, options: DurabilityReadOptions): Promise<DurabilityReading> {
  const problems: string[] = []
  const [cluster, capabilities, topics, reassignments] = await Promise.all([
    options.already?.cluster ?? kafka.cluster(),
    options.already?.capabilities ?? kafka.capabilities(),
    options.already?.topics ?? kafka.partitionStates(options.topics),
    options.already?.reassignments ?? kafka.listPartitionReassignments(),
  ])
  const existing = topics.filter((t) => !t.error)
  const live = cluster.brokers.filter((b) => b.fenced !== true)
  const [described, brokerConfigs, logDirs] = await Promise.all([
    options.already?.configs ??
      kafka.describeConfigs([...existing.map((t) => ({ type: 'topic' as const, name: t.topic })), { type: 'broker-default' as const }], { names }),
    options.full
      ? kafka.describeConfigs(
          live.map((b) => ({ type: 'broker' as const, id: b.id })),
          { names },
        )
      : Promise.resolve([]),
    options.full && live.length > 0 ? kafka.describeLogDirs(live.map((b) => b.id)) : Promise.resolve([]),
  ])
  const clusterDefault = described.find((c) => c.resource.type === 'broker-default') ?? null
  if (clusterDefault?.error) problems.push(`cluster defaults: ${clusterDefault.error.name}`)
  for (const config of brokerConfigs)
    if (config.error && config.resource.type === 'broker') problems.push(`configs of broker ${config.resource.id}: ${config.error.name}`)
  for (const broker of logDirs) if (broker.error) problems.push(`log dirs of broker ${broker.broker}: ${broker.error.name}`)
  const readDirs = logDirs.filter((b) => !b.error)
  return {
    takenAtMs: options.nowMs,
    capabilities: { kafkaLine: capabilities.kafkaLine, metadataVersion: capabilities.metadataVersion, elr: capabilities.elr },
    brokers: cluster.brokers,
    topics,
    topicConfigs: described.filter((c) => c.resource.type === 'topic'),
    clusterDefault: clusterDefault?.error ? null : clusterDefault,
    brokerConfigs: brokerConfigs.filter((c) => !c.error),
    replicaBytes: readDirs.length > 0 ? replicaSizes(readDirs) : null,
    reassignments,
    problems,
  }
}

/** The highest replication factor of any topic that is not internal (0 when there is none). */
export async function readHighestReplicationFactor(kafka: KafkaOps): Promise<number> {
  const topics = (await kafka.partitionStates()).filter((t) => !t.error && !t.internal)
  return Math.max(0, ...topics.flatMap((t) => t.partitions.map((p) => p.replicas.length)))
}
