// describeConfigs() with sources and synonyms, and incrementalAlterConfigs() — never AlterConfigs, which
// replaces a resource's whole dynamic config (and silently drops overrides it was not given).

import { type Connection, describeConfigsV2, describeConfigsV3, describeConfigsV4, incrementalAlterConfigsV1 } from './client.ts'
import { ErrorCode, kafkaError } from '../errors.ts'
import type { ConfigChange, ConfigChangeResult, ConfigEntry, ConfigResourceRef, ConfigSource, KafkaError, ResourceConfig } from '../types.ts'
import { type Session, send } from './session.ts'

const resourceType = { topic: 2, broker: 4 } as const

const sources: Readonly<Record<number, ConfigSource>> = {
  1: 'dynamic-topic',
  2: 'dynamic-broker',
  3: 'dynamic-broker-default',
  4: 'static-broker',
  5: 'default',
  6: 'dynamic-broker-logger',
  7: 'client-metrics',
  8: 'group',
}
const sourceName = (id: number): ConfigSource => sources[id] ?? 'unknown'

function wire(resource: ConfigResourceRef): { resourceType: 2 | 4; resourceName: string } {
  if (resource.type === 'topic') return { resourceType: resourceType.topic, resourceName: resource.name }
  return { resourceType: resourceType.broker, resourceName: resource.type === 'broker' ? String(resource.id) : '' }
}

/** A specific broker's configs live on that broker; topics and the cluster default can be asked of any. */
async function onOwner<T>(
  session: Session,
  resource: ConfigResourceRef,
  request: (c: Connection) => Promise<T>,
): Promise<{ value: T } | { error: KafkaError }> {
  if (resource.type === 'broker') return session.onBroker(resource.id, request)
  return { value: await session.anyBroker(request) }
}

// Same request and answer shapes in v2–v4 (v4 is flexible); the client types them apart.
const describeApis = {
  4: describeConfigsV4.api,
  3: describeConfigsV3.api as unknown as typeof describeConfigsV4.api,
  2: describeConfigsV2.api as unknown as typeof describeConfigsV4.api,
}

type DescribeAnswer = Awaited<ReturnType<typeof describeConfigsV4.api.async>>
type DescribeResult = DescribeAnswer['results'][number]

/** Topics and the cluster default are asked together of one broker; each broker's own configs of that broker. */
export async function describeConfigs(session: Session, resources: readonly ConfigResourceRef[], names?: readonly string[]): Promise<ResourceConfig[]> {
  const version = session.version(32, [2, 3, 4]) as 2 | 3 | 4 | null
  if (version === null)
    return resources.map((resource) => ({
      resource,
      entries: [],
      error: kafkaError(ErrorCode.UNSUPPORTED_VERSION, 'DescribeConfigs v2+ is not served by this cluster'),
    }))
  const api = describeApis[version]
  const keys = names ? [...names] : null
  const shared = resources.filter((r) => r.type !== 'broker')
  const answers = new Map<ConfigResourceRef, DescribeResult | KafkaError>()
  if (shared.length) {
    const answer = await session.anyBroker((c) =>
      send(
        api,
        c,
        shared.map((r) => ({ ...wire(r), configurationKeys: keys })),
        true,
        false,
      ),
    )
    const byKey = new Map(answer.results.map((r) => [`${r.resourceType}:${r.resourceName}`, r]))
    for (const resource of shared) {
      const { resourceType, resourceName } = wire(resource)
      answers.set(
        resource,
        byKey.get(`${resourceType}:${resourceName}`) ?? kafkaError(ErrorCode.UNKNOWN_SERVER_ERROR, 'the broker did not describe this resource'),
      )
    }
  }
  await Promise.all(
    resources
      .filter((r) => r.type === 'broker')
      .map(async (resource) => {
        const answer = await onOwner(session, resource, (c) => send(api, c, [{ ...wire(resource), configurationKeys: keys }], true, false))
        answers.set(
          resource,
          'error' in answer
            ? answer.error
            : (answer.value.results[0] ?? kafkaError(ErrorCode.UNKNOWN_SERVER_ERROR, 'the broker did not describe this resource')),
        )
      }),
  )
  return resources.map((resource): ResourceConfig => {
    const result = answers.get(resource)!
    if ('name' in result && 'code' in result) return { resource, entries: [], error: result }
    if (result.errorCode !== 0) return { resource, entries: [], error: kafkaError(result.errorCode, result.errorMessage) }
    const entries = result.configs
      .map((c): ConfigEntry => ({
        name: c.name,
        value: c.value ?? null,
        source: sourceName(c.configSource),
        readOnly: c.readOnly,
        sensitive: c.isSensitive,
        synonyms: c.synonyms.map((s) => ({ name: s.name, value: s.value ?? null, source: sourceName(s.source) })),
      }))
      .sort((a, b) => a.name.localeCompare(b.name))
    return { resource, entries }
  })
}

export async function incrementalAlterConfigs(session: Session, changes: readonly ConfigChange[], validateOnly: boolean): Promise<ConfigChangeResult[]> {
  if (session.version(44, [1]) === null) {
    return changes.map((c) => ({
      resource: c.resource,
      error: kafkaError(ErrorCode.UNSUPPORTED_VERSION, 'IncrementalAlterConfigs v1 is not served by this cluster'),
    }))
  }
  // One request per resource: each gets its own outcome, and a broker resource goes to its own broker.
  return Promise.all(
    changes.map(async (change): Promise<ConfigChangeResult> => {
      const request = [
        {
          ...wire(change.resource),
          configs: change.ops.map((op) =>
            op.op === 'set' ? { name: op.name, configOperation: 0 as const, value: op.value } : { name: op.name, configOperation: 1 as const },
          ),
        },
      ]
      const answer = await onOwner(session, change.resource, (c) => send(incrementalAlterConfigsV1.api, c, request, validateOnly))
      if ('error' in answer) return { resource: change.resource, error: answer.error }
      const result = answer.value.responses[0]
      if (!result) return { resource: change.resource, error: kafkaError(ErrorCode.UNKNOWN_SERVER_ERROR, 'the broker did not answer for this resource') }
      return result.errorCode === 0 ? { resource: change.resource } : { resource: change.resource, error: kafkaError(result.errorCode, result.errorMessage) }
    }),
  )
}
