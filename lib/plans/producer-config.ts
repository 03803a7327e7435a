// A producer's own configuration, as its team keeps it: a Java client .properties file, a librdkafka-style
// key=value file (confluent-kafka-go / -python / -dotnet, node-rdkafka), or a kafkajs options JSON. A broker
// never sees a producer's acks, so this is the only way the audit can know them. Pure: text in, settings out.

import { parseProperties } from '../kafka/java-properties.ts'

export type ProducerClient = 'java' | 'librdkafka' | 'kafkajs'

/** Which client (and version, when known) reads this configuration. */
export interface ClientRef {
  readonly client: ProducerClient
  /** "3.9.1", "2.3.0"; null when not given: the newest behaviour is assumed and said so. */
  readonly version: string | null
}

/** The settings that decide what an acknowledgement means, as written (absent when the file does not set them). */
export interface ProducerSettings {
  readonly acks?: string
  readonly idempotence?: string
  readonly retries?: string
  readonly maxInFlight?: string
  readonly deliveryTimeoutMs?: string
  readonly transactionalId?: string
}

export interface ParsedProducerConfig {
  readonly path: string
  readonly client: ClientRef
  /** How the client was decided: given by the operator, or recognised from the file. */
  readonly clientFrom: 'given' | 'recognised'
  readonly settings: ProducerSettings
  /** Every key the file sets, for the transcript (values of secret-looking keys masked). */
  readonly keys: readonly string[]
}

/** Why the file cannot be used: one line, with what to do. */
export interface ProducerConfigFault {
  readonly kind: 'producer-config'
  readonly message: string
}

export const isProducerConfigFault = (value: unknown): value is ProducerConfigFault =>
  typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'producer-config'

const fault = (message: string): ProducerConfigFault => ({ kind: 'producer-config', message })

/** "java", "java@3.9.1", "librdkafka@2.3.0", "kafkajs@2.2.4" → the reference, or a fault. */
export function parseClientRef(text: string): ClientRef | ProducerConfigFault {
  const match = /^\s*(java|librdkafka|kafkajs)(?:@(\d+(?:\.\d+){0,2}))?\s*$/i.exec(text)
  if (!match) return fault(`"${text}" is not a client — use java, librdkafka or kafkajs, optionally with @<version> (java@3.9.1)`)
  return { client: match[1]!.toLowerCase() as ProducerClient, version: match[2] ?? null }
}

// Keys only one family uses: enough to tell a Java file from a librdkafka one when the operator does not say.
const librdkafkaOnly = new Set([
  'request.required.acks',
  'message.send.max.retries',
  'queue.buffering.max.ms',
  'queue.buffering.max.messages',
  'queue.buffering.max.kbytes',
  'metadata.broker.list',
  'compression.codec',
  'batch.num.messages',
  'message.timeout.ms',
  'enable.gapless.guarantee',
  'socket.keepalive.enable',
  'topic.metadata.refresh.interval.ms',
  'api.version.request',
  'debug',
  'statistics.interval.ms',
  'max.in.flight',
])
const javaOnly = new Set([
  'key.serializer',
  'value.serializer',
  'partitioner.class',
  'buffer.memory',
  'max.block.ms',
  'interceptor.classes',
  'retry.backoff.max.ms',
  'metric.reporters',
])
// Keys a producer configuration of either family commonly has; a file with none of these is not one.
const producerKeys = new Set([
  ...librdkafkaOnly,
  ...javaOnly,
  'bootstrap.servers',
  'acks',
  'enable.idempotence',
  'retries',
  'max.in.flight.requests.per.connection',
  'delivery.timeout.ms',
  'request.timeout.ms',
  'linger.ms',
  'batch.size',
  'client.id',
  'transactional.id',
  'compression.type',
  'security.protocol',
  'sasl.mechanism',
  'sasl.mechanisms',
  'max.request.size',
  'retry.backoff.ms',
])

const kafkajsKeys = new Set([
  'clientId',
  'brokers',
  'ssl',
  'sasl',
  'connectionTimeout',
  'authenticationTimeout',
  'requestTimeout',
  'enforceRequestTimeout',
  'retry',
  'logLevel',
  'producer',
  'send',
  'acks',
  'idempotent',
  'maxInFlightRequests',
  'transactionalId',
  'transactionTimeout',
  'allowAutoTopicCreation',
  'metadataMaxAge',
  'timeout',
  'compression',
])

function settingsFromProperties(client: 'java' | 'librdkafka', properties: ReadonlyMap<string, string>): ProducerSettings {
  const get = (...names: string[]) =>
    names
      .map((n) => properties.get(n))
      .find((v) => v !== undefined)
      ?.trim()
  const settings: Record<string, string | undefined> =
    client === 'java'
      ? {
          acks: get('acks'),
          idempotence: get('enable.idempotence'),
          retries: get('retries'),
          maxInFlight: get('max.in.flight.requests.per.connection'),
          deliveryTimeoutMs: get('delivery.timeout.ms'),
          transactionalId: get('transactional.id'),
        }
      : {
          // librdkafka aliases: acks = request.required.acks, retries = message.send.max.retries, ...
          acks: get('acks', 'request.required.acks'),
          idempotence: get('enable.idempotence'),
          retries: get('retries', 'message.send.max.retries'),
          maxInFlight: get('max.in.flight.requests.per.connection', 'max.in.flight'),
          deliveryTimeoutMs: get('delivery.timeout.ms', 'message.timeout.ms'),
          transactionalId: get('transactional.id'),
        }
  return Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined)) as ProducerSettings
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
const isObject = (value: Json | undefined): value is { [key: string]: Json } => typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * kafkajs has no file format of its own; the JSON this takes holds what the code passes: `new Kafka({...})`
 * options (`retry`), `kafka.producer({...})` options under `producer` (`idempotent`, `retry`,
 * `maxInFlightRequests`, `transactionalId`) and `producer.send({...})` options under `send` (`acks`). The same
 * keys at the top level are read too.
 */
function settingsFromKafkajs(root: { [key: string]: Json }): ProducerSettings | ProducerConfigFault {
  const producer = isObject(root.producer) ? root.producer : {}
  const send = isObject(root.send) ? root.send : {}
  const pick = (...values: (Json | undefined)[]) => values.find((v) => v !== undefined && v !== null)
  const retryOf = (value: Json | undefined) => (isObject(value) ? value.retries : undefined)
  const acks = pick(send.acks, root.acks)
  const idempotent = pick(producer.idempotent, root.idempotent)
  const retries = pick(retryOf(producer.retry), retryOf(root.retry))
  const maxInFlight = pick(producer.maxInFlightRequests, root.maxInFlightRequests)
  const transactionalId = pick(producer.transactionalId, root.transactionalId)
  for (const [name, value] of Object.entries({ acks, retries, maxInFlightRequests: maxInFlight })) {
    if (value !== undefined && typeof value !== 'number') return fault(`${name} must be a number in a kafkajs config, not ${JSON.stringify(value)}`)
  }
  if (idempotent !== undefined && typeof idempotent !== 'boolean')
    return fault(`idempotent must be true or false in a kafkajs config, not ${JSON.stringify(idempotent)}`)
  const settings: Record<string, string> = {}
  if (acks !== undefined) settings.acks = String(acks)
  if (idempotent !== undefined) settings.idempotence = String(idempotent)
  if (retries !== undefined) settings.retries = String(retries)
  if (maxInFlight !== undefined) settings.maxInFlight = String(maxInFlight)
  if (transactionalId !== undefined) settings.transactionalId = String(transactionalId)
  return settings
}

const extension = (path: string) => /\.([A-Za-z0-9]+)$/.exec(path)?.[1]?.toLowerCase() ?? ''

/** Parses a producer configuration file; the client is the operator's word when given, else recognised. */
export function parseProducerConfig(text: string, path: string, given: ClientRef | null): ParsedProducerConfig | ProducerConfigFault {
  const trimmed = text.trim()
  const looksJson = trimmed.startsWith('{') || trimmed.startsWith('[') || extension(path) === 'json'
  if (given?.client === 'kafkajs' || (!given && looksJson)) {
    let parsed: Json
    try {
      parsed = JSON.parse(text) as Json
    } catch (error) {
      return fault(
        `${path} is not valid JSON (${(error as Error).message.split('\n')[0]}) — a kafkajs config is a JSON object of client, producer and send options`,
      )
    }
    if (!isObject(parsed))
      return fault(`${path} holds JSON but not an object — a kafkajs config is an object like {"producer": {"idempotent": true}, "send": {"acks": -1}}`)
    const known = Object.keys(parsed).filter((k) => kafkajsKeys.has(k))
    if (known.length === 0) {
      return fault(
        `${path} has none of the kafkajs options (producer, send, acks, idempotent, retry, clientId, brokers) — is it a kafkajs config? Give producer-client=java|librdkafka|kafkajs`,
      )
    }
    const settings = settingsFromKafkajs(parsed)
    if ('kind' in settings) return fault(`${path}: ${settings.message}`)
    return {
      path,
      client: given ?? { client: 'kafkajs', version: null },
      clientFrom: given ? 'given' : 'recognised',
      settings,
      keys: Object.keys(parsed).sort(),
    }
  }
  if (trimmed === '') return fault(`${path} is empty — point producer-config at the producer's configuration file`)
  const properties = parseProperties(text)
  const keys = [...properties.keys()]
  if (!keys.some((k) => producerKeys.has(k) || k.startsWith('ssl.') || k.startsWith('sasl.'))) {
    return fault(`${path} sets none of the producer settings (bootstrap.servers, acks, retries, enable.idempotence, ...) — is it a producer configuration?`)
  }
  let client: ClientRef
  let clientFrom: ParsedProducerConfig['clientFrom'] = 'given'
  if (given) client = given
  else {
    const rdkafka = keys.filter((k) => librdkafkaOnly.has(k))
    const java = keys.filter((k) => javaOnly.has(k))
    if (rdkafka.length > 0 && java.length > 0) {
      return fault(
        `${path} mixes Java client keys (${java[0]}) and librdkafka keys (${rdkafka[0]}) — say which client reads it: producer-client=java|librdkafka`,
      )
    }
    const ext = extension(path)
    const family: ProducerClient | null =
      rdkafka.length > 0
        ? 'librdkafka'
        : java.length > 0
          ? 'java'
          : ext === 'properties'
            ? 'java'
            : ['conf', 'cfg', 'ini', 'config'].includes(ext)
              ? 'librdkafka'
              : null
    if (!family) return fault(`cannot tell which client reads ${path} — give producer-client=java, librdkafka or kafkajs (@version)`)
    client = { client: family, version: null }
    clientFrom = 'recognised'
  }
  if (client.client === 'kafkajs') return fault(`${path} is not JSON, but producer-client says kafkajs — a kafkajs config is a JSON object`)
  return { path, client, clientFrom, settings: settingsFromProperties(client.client, properties), keys: keys.sort() }
}
