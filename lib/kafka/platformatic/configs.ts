// describeConfigs() with sources and synonyms, and incrementalAlterConfigs() — never AlterConfigs, which
// replaces a resource's whole dynamic config (and silently drops overrides it was not given).

import { type Connection, incrementalAlterConfigsV1 } from './client.ts'
import { ErrorCode, kafkaError } from '../errors.ts'
import type { ConfigChange, ConfigChangeResult, ConfigResourceRef, DescribeConfigsOptions, KafkaError, ResourceConfig } from '../types.ts'
import { type DescribedConfigs, describeConfigsApis } from './protocol/describe-configs.ts'
import { type Session, send } from './session.ts'

const resourceType = { topic: 2, broker: 4 } as const

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

/** Topics and the cluster default are asked together of one broker; each broker's own configs of that broker. */
export async function describeConfigs(
  session: Session,
  resources: readonly ConfigResourceRef[],
  options: DescribeConfigsOptions = {},
): Promise<ResourceConfig[]> {
  const version = session.version(32, [2, 3, 4]) as 2 | 3 | 4 | null
  if (version === null)
    return resources.map((resource) => ({
      resource,
      entries: [],
      error: kafkaError(ErrorCode.UNSUPPORTED_VERSION, 'DescribeConfigs v2+ is not served by this cluster'),
    }))
  const api = describeConfigsApis[version]
  const keys = options.names ? [...options.names] : null
  const synonyms = options.synonyms !== false
  // Answers by the resource's index. Topics and the cluster default go in one request (2,000 topics for status on a
  // large cluster): written and matched without a map or a copied object per resource.
  const answers: (DescribedConfigs | KafkaError | undefined)[] = new Array(resources.length)
  const sharedAt: number[] = []
  const brokersAt: number[] = []
  const request: { resourceType: 2 | 4; resourceName: string; configurationKeys: string[] | null }[] = []
  for (let i = 0; i < resources.length; i++) {
    const resource = resources[i]!
    if (resource.type === 'broker') {
      brokersAt.push(i)
      continue
    }
    sharedAt.push(i)
    request.push(
      resource.type === 'topic'
        ? { resourceType: resourceType.topic, resourceName: resource.name, configurationKeys: keys }
        : { resourceType: resourceType.broker, resourceName: '', configurationKeys: keys },
    )
  }
  if (request.length) {
    const answer = await session.anyBroker((c) => send(api, c, request, synonyms))
    // Brokers answer in the order asked: matched by position, by name only where that does not hold.
    let byKey: Map<string, DescribedConfigs> | undefined
    for (let k = 0; k < request.length; k++) {
      const { resourceType, resourceName } = request[k]!
      const inPlace = answer[k]
      let found: DescribedConfigs | undefined
      if (inPlace && inPlace.resourceType === resourceType && inPlace.resourceName === resourceName) found = inPlace
      else found = (byKey ??= new Map(answer.map((r) => [`${r.resourceType}:${r.resourceName}`, r]))).get(`${resourceType}:${resourceName}`)
      answers[sharedAt[k]!] = found ?? kafkaError(ErrorCode.UNKNOWN_SERVER_ERROR, 'the broker did not describe this resource')
    }
  }
  await Promise.all(
    brokersAt.map(async (i) => {
      const resource = resources[i]!
      const answer = await onOwner(session, resource, (c) => send(api, c, [{ ...wire(resource), configurationKeys: keys }], synonyms))
      answers[i] =
        'error' in answer ? answer.error : (answer.value[0] ?? kafkaError(ErrorCode.UNKNOWN_SERVER_ERROR, 'the broker did not describe this resource'))
    }),
  )
  return resources.map((resource, i): ResourceConfig => {
    const result = answers[i]!
    if ('name' in result && 'code' in result) return { resource, entries: [], error: result }
    if (result.errorCode !== 0) return { resource, entries: [], error: kafkaError(result.errorCode, result.errorMessage) }
    return { resource, entries: result.entries }
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
