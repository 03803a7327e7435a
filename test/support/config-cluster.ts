// A cluster that only knows topic configs, for engine tests that exercise cells rather than Kafka semantics.
// Runbook tests use lib/kafka/fake; this stays tiny on purpose and throws on anything else.

import type { Capabilities, ConfigChange, ConfigResourceRef, KafkaOps, ResourceConfig } from '../../lib/kafka/types.ts'

export interface ConfigCluster extends KafkaOps {
  readonly topics: Map<string, Map<string, string>>
  /** Calls to incrementalAlterConfigs that were not validate-only. */
  readonly writes: ConfigChange[]
  /** Makes the next non-validate write fail for this topic. */
  failWritesFor: Set<string>
}

export function configCluster(topics: Record<string, Record<string, string>>, line: '4.3' | '3.9' = '4.3'): ConfigCluster {
  const state = new Map(Object.entries(topics).map(([t, c]) => [t, new Map(Object.entries(c))]))
  const writes: ConfigChange[] = []
  const unsupported = (name: string) => () => Promise.reject(new Error(`config cluster: ${name} is not used by engine tests`))
  const capabilities: Capabilities = {
    apis: new Map(),
    supports: {} as Capabilities['supports'],
    features: new Map(),
    metadataVersion: line === '4.3' ? '4.3-IV0' : '3.9-IV0',
    kafkaLine: line,
    elr: line === '4.3' ? 'on' : 'unsupported',
  }
  const cluster: ConfigCluster = {
    topics: state,
    writes,
    failWritesFor: new Set(),
    capabilities: async () => capabilities,
    cluster: async () => ({ clusterId: 'config-cluster', brokers: [], controller: { id: null, source: 'metadata' }, quorum: null }),
    async describeConfigs(resources: readonly ConfigResourceRef[]): Promise<ResourceConfig[]> {
      return resources.map((resource) => {
        if (resource.type !== 'topic') return { resource, entries: [] }
        const configs = state.get(resource.name)
        if (!configs) return { resource, entries: [], error: { code: 3, name: 'UNKNOWN_TOPIC_OR_PARTITION', message: 'This server does not host this topic-partition.' } }
        return {
          resource,
          entries: [...configs].map(([name, value]) => ({ name, value, source: 'dynamic-topic' as const, readOnly: false, sensitive: false, synonyms: [] })),
        }
      })
    },
    async incrementalAlterConfigs(changes, options) {
      return changes.map((change) => {
        const name = change.resource.type === 'topic' ? change.resource.name : ''
        const configs = state.get(name)
        if (!configs) return { resource: change.resource, error: { code: 3, name: 'UNKNOWN_TOPIC_OR_PARTITION', message: 'unknown topic' } }
        if (options.validateOnly) return { resource: change.resource }
        if (cluster.failWritesFor.has(name)) return { resource: change.resource, error: { code: 29, name: 'TOPIC_AUTHORIZATION_FAILED', message: 'not authorized' } }
        writes.push(change)
        for (const op of change.ops) {
          if (op.op === 'set') configs.set(op.name, op.value)
          else configs.delete(op.name)
        }
        return { resource: change.resource }
      })
    },
    partitionStates: unsupported('partitionStates'),
    createTopics: unsupported('createTopics'),
    deleteTopics: unsupported('deleteTopics'),
    electLeaders: unsupported('electLeaders'),
    alterPartitionReassignments: unsupported('alterPartitionReassignments'),
    listPartitionReassignments: unsupported('listPartitionReassignments'),
    listOffsets: unsupported('listOffsets'),
    replicaOffsets: unsupported('replicaOffsets'),
    recordTimestamps: unsupported('recordTimestamps'),
    deleteRecords: unsupported('deleteRecords'),
    describeLogDirs: unsupported('describeLogDirs'),
    listGroups: unsupported('listGroups'),
    describeGroups: unsupported('describeGroups'),
    committedOffsets: unsupported('committedOffsets'),
    alterCommittedOffsets: unsupported('alterCommittedOffsets'),
    close: async () => {},
  }
  return cluster
}
