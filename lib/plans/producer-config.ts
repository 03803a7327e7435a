// A producer's own configuration, as its team keeps it: a Java client .properties file, a librdkafka-style
// key=value file (confluent-kafka-go / -python / -dotnet, node-rdkafka), or a kafkajs options JSON. A broker
// never sees a producer's acks, so this is the only way the audit can know them. Pure: text in, settings out.

import {
  type ClientConfigRole,
  type ClientFamily,
  type ClientRef,
  isJsonObject,
  type JsonObject,
  parseClientRef as parseRef,
  readClientConfigFile,
} from './client-config.ts'

export type { ClientRef } from './client-config.ts'
export type ProducerClient = ClientFamily

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
  const ref = parseRef(text)
  return typeof ref === 'string' ? fault(ref) : ref
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

/**
 * kafkajs has no file format of its own; the JSON this takes holds what the code passes: `new Kafka({...})`
 * options (`retry`), `kafka.producer({...})` options under `producer` (`idempotent`, `retry`,
 * `maxInFlightRequests`, `transactionalId`) and `producer.send({...})` options under `send` (`acks`). The same
 * keys at the top level are read too.
 */
function settingsFromKafkajs(root: JsonObject): ProducerSettings | ProducerConfigFault {
  const producer = isJsonObject(root.producer) ? root.producer : {}
  const send = isJsonObject(root.send) ? root.send : {}
  const pick = (...values: unknown[]) => values.find((v) => v !== undefined && v !== null)
  const retryOf = (value: JsonObject[string] | undefined) => (isJsonObject(value) ? value.retries : undefined)
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

const producerRole: ClientConfigRole = {
  role: 'producer',
  javaOnly,
  librdkafkaOnly,
  roleKeys: producerKeys,
  roleExamples: 'bootstrap.servers, acks, retries, enable.idempotence, ...',
  kafkajsKeys,
  kafkajsWhat: 'client, producer and send options',
  kafkajsExample: '{"producer": {"idempotent": true}, "send": {"acks": -1}}',
}

/** Parses a producer configuration file; the client is the operator's word when given, else recognised. */
export function parseProducerConfig(text: string, path: string, given: ClientRef | null): ParsedProducerConfig | ProducerConfigFault {
  const file = readClientConfigFile(text, path, given, producerRole)
  if (typeof file === 'string') return fault(file)
  const { client, clientFrom, keys } = file
  if (file.format === 'json') {
    const settings = settingsFromKafkajs(file.json)
    if ('kind' in settings) return fault(`${path}: ${settings.message}`)
    return { path, client, clientFrom, settings, keys }
  }
  return { path, client, clientFrom, settings: settingsFromProperties(client.client as 'java' | 'librdkafka', file.properties), keys }
}
