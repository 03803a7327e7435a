// The fake's DescribeConfigs and IncrementalAlterConfigs: sources and synonyms in Kafka's order, only the
// named keys change, validate-only changes nothing.

import { ErrorCode, kafkaError } from '../errors.ts'
import type {
  ConfigChange,
  ConfigChangeResult,
  ConfigEntry,
  ConfigResourceRef,
  ConfigSynonym,
  DescribeConfigsOptions,
  KafkaError,
  ResourceConfig,
} from '../types.ts'
import { brokerConfigs, invalidValue, topicConfigs } from './config-catalog.ts'
import { type ClusterState, type FakeTopic, resolveTopicConfig } from './state.ts'

function topicEntries(state: ClusterState, topic: FakeTopic): ConfigEntry[] {
  return Object.keys(topicConfigs)
    .sort()
    .map((name) => {
      const spec = topicConfigs[name]!
      const synonyms: ConfigSynonym[] = []
      const override = topic.configs.get(name)
      if (override !== undefined) synonyms.push({ name, value: override, source: 'dynamic-topic' })
      if (spec.brokerSynonym) synonyms.push(...brokerSynonyms(state, null, spec.brokerSynonym))
      if (!synonyms.some((s) => s.source === 'default') && spec.brokerSynonym === null) synonyms.push({ name, value: spec.defaultValue, source: 'default' })
      const resolved = resolveTopicConfig(state, topic, name)
      return { name, value: resolved.value, source: resolved.source, readOnly: false, sensitive: false, synonyms }
    })
}

/** The chain a broker setting resolves through, most specific first (per-broker, default, static, Kafka default). */
function brokerSynonyms(state: ClusterState, brokerId: number | null, name: string): ConfigSynonym[] {
  const chain: ConfigSynonym[] = []
  const perBroker = brokerId === null ? undefined : state.brokerConfigs.get(brokerId)?.get(name)
  if (perBroker !== undefined) chain.push({ name, value: perBroker, source: 'dynamic-broker' })
  const fromDefault = state.brokerDefaults.get(name)
  if (fromDefault !== undefined) chain.push({ name, value: fromDefault, source: 'dynamic-broker-default' })
  const fromStatic = state.staticBrokerConfig.get(name)
  if (fromStatic !== undefined) chain.push({ name, value: fromStatic, source: 'static-broker' })
  const spec = brokerConfigs[name]
  if (spec && spec.defaultValue !== null) chain.push({ name, value: spec.defaultValue, source: 'default' })
  return chain
}

function brokerEntries(state: ClusterState, brokerId: number): ConfigEntry[] {
  return Object.keys(brokerConfigs)
    .sort()
    .map((name) => {
      const synonyms = brokerSynonyms(state, brokerId, name)
      const first = synonyms[0]
      return {
        name,
        value: first?.value ?? null,
        source: first?.source ?? 'default',
        readOnly: !brokerConfigs[name]!.dynamic,
        sensitive: false,
        synonyms,
      }
    })
}

/** DescribeConfigs for broker "" answers only the cluster-wide dynamic defaults. */
function brokerDefaultEntries(state: ClusterState): ConfigEntry[] {
  return [...state.brokerDefaults.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, value]) => ({
      name,
      value,
      source: 'dynamic-broker-default' as const,
      readOnly: false,
      sensitive: false,
      synonyms: [{ name, value, source: 'dynamic-broker-default' as const }],
    }))
}

export function describeFakeConfigs(state: ClusterState, resources: readonly ConfigResourceRef[], options: DescribeConfigsOptions = {}): ResourceConfig[] {
  const wanted = options.names ? new Set(options.names) : null
  const withSynonyms = options.synonyms !== false
  return describeAll(state, resources).map((described) => {
    const entries = wanted ? described.entries.filter((e) => wanted.has(e.name)) : described.entries
    return { ...described, entries: withSynonyms ? entries : entries.map((e) => ({ ...e, synonyms: [] })) }
  })
}

function describeAll(state: ClusterState, resources: readonly ConfigResourceRef[]): ResourceConfig[] {
  return resources.map((resource): ResourceConfig => {
    if (resource.type === 'topic') {
      const topic = state.topics.get(resource.name)
      if (!topic) return { resource, entries: [], error: kafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic ${resource.name} does not exist.`) }
      return { resource, entries: topicEntries(state, topic) }
    }
    if (resource.type === 'broker') {
      if (!state.brokers.has(resource.id))
        return { resource, entries: [], error: kafkaError(ErrorCode.BROKER_NOT_AVAILABLE, `Broker ${resource.id} is not registered.`) }
      return { resource, entries: brokerEntries(state, resource.id) }
    }
    return { resource, entries: brokerDefaultEntries(state) }
  })
}

function checkChange(state: ClusterState, change: ConfigChange): KafkaError | null {
  const { resource } = change
  if (resource.type === 'topic' && !state.topics.has(resource.name)) {
    return kafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic ${resource.name} does not exist.`)
  }
  if (resource.type === 'broker' && !state.brokers.has(resource.id)) {
    return kafkaError(ErrorCode.BROKER_NOT_AVAILABLE, `Broker ${resource.id} is not registered.`)
  }
  for (const op of change.ops) {
    if (resource.type === 'topic') {
      const spec = topicConfigs[op.name]
      if (!spec) return kafkaError(ErrorCode.INVALID_CONFIG, `Unknown topic config name: ${op.name}`)
      if (op.op === 'set') {
        const problem = invalidValue(op.name, op.value, spec)
        if (problem) return kafkaError(ErrorCode.INVALID_CONFIG, problem)
      }
    } else {
      // Measured 4.3.1: refused for set and delete, validate-only included; the cluster default stays allowed.
      if (resource.type === 'broker' && op.name === 'min.insync.replicas' && state.elrEnabled) {
        return kafkaError(ErrorCode.INVALID_CONFIG, 'Broker-level min.insync.replicas cannot be altered while ELR is enabled.')
      }
      const spec = brokerConfigs[op.name]
      if (!spec) return kafkaError(ErrorCode.INVALID_CONFIG, `Unknown broker config name: ${op.name}`)
      if (!spec.dynamic) return kafkaError(ErrorCode.INVALID_REQUEST, `Cannot update these configs dynamically: Set(${op.name})`)
      if (op.op === 'set') {
        const problem = invalidValue(op.name, op.value, spec)
        if (problem) return kafkaError(ErrorCode.INVALID_CONFIG, problem)
      }
    }
  }
  return null
}

function targetMap(state: ClusterState, resource: ConfigResourceRef): Map<string, string> {
  if (resource.type === 'topic') return state.topics.get(resource.name)!.configs
  if (resource.type === 'broker-default') return state.brokerDefaults
  const map = state.brokerConfigs.get(resource.id) ?? new Map<string, string>()
  state.brokerConfigs.set(resource.id, map)
  return map
}

export function alterFakeConfigs(state: ClusterState, changes: readonly ConfigChange[], validateOnly: boolean): ConfigChangeResult[] {
  return changes.map((change): ConfigChangeResult => {
    const error = checkChange(state, change)
    if (error) return { resource: change.resource, error }
    if (validateOnly) return { resource: change.resource }
    const map = targetMap(state, change.resource)
    for (const op of change.ops) {
      if (op.op === 'set') map.set(op.name, op.value)
      else map.delete(op.name)
    }
    // Measured 4.3.1: changing a topic's min.insync.replicas clears its ELR.
    if (change.ops.some((op) => op.name === 'min.insync.replicas')) clearElr(state, change.resource)
    return { resource: change.resource }
  })
}

function clearElr(state: ClusterState, resource: ConfigResourceRef): void {
  const topics = resource.type === 'topic' ? [state.topics.get(resource.name)!] : [...state.topics.values()]
  for (const topic of topics) for (const partition of topic.partitions) partition.elr = []
}
