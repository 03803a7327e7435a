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

/** What each setting is called in the file that set it (librdkafka has aliases), for the messages about it. */
type SettingKeys = Partial<Record<keyof ProducerSettings, string>>

function settingsFromProperties(client: 'java' | 'librdkafka', properties: ReadonlyMap<string, string>): { settings: ProducerSettings; keys: SettingKeys } {
  const names: Record<keyof ProducerSettings, readonly string[]> =
    client === 'java'
      ? {
          acks: ['acks'],
          idempotence: ['enable.idempotence'],
          retries: ['retries'],
          maxInFlight: ['max.in.flight.requests.per.connection'],
          deliveryTimeoutMs: ['delivery.timeout.ms'],
          transactionalId: ['transactional.id'],
        }
      : {
          // librdkafka aliases: acks = request.required.acks, retries = message.send.max.retries, ...
          acks: ['acks', 'request.required.acks'],
          idempotence: ['enable.idempotence'],
          retries: ['retries', 'message.send.max.retries'],
          maxInFlight: ['max.in.flight.requests.per.connection', 'max.in.flight'],
          deliveryTimeoutMs: ['delivery.timeout.ms', 'message.timeout.ms'],
          transactionalId: ['transactional.id'],
        }
  const settings: Record<string, string> = {}
  const keys: SettingKeys = {}
  for (const [field, aliases] of Object.entries(names) as [keyof ProducerSettings, readonly string[]][]) {
    const key = aliases.find((name) => properties.get(name) !== undefined)
    if (key === undefined) continue
    settings[field] = properties.get(key)!.trim()
    keys[field] = key
  }
  return { settings: settings as ProducerSettings, keys }
}

const int32Max = 2_147_483_647

/** Java's ConfigDef INT: optional sign and decimal digits (surrounding blanks trimmed), within 32 bits. */
function javaInt(text: string): number | null {
  if (!/^[+-]?\d+$/.test(text)) return null
  const value = Number(text)
  return value >= -int32Max - 1 && value <= int32Max ? value : null
}

/** librdkafka reads integers with strtol(…, 0): leading blanks, a sign, then decimal, 0x hex or 0 octal; what follows is ignored. */
function librdkafkaInt(text: string): number | null {
  const match = /^\s*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9]\d*)/.exec(text)
  if (!match) return null
  const digits = match[2]!
  const magnitude = /^0[xX]/.test(digits) ? parseInt(digits.slice(2), 16) : digits.length > 1 && digits.startsWith('0') ? parseInt(digits, 8) : Number(digits)
  return match[1] === '-' ? -magnitude : magnitude
}

interface ValueRule {
  /** The value as the client reads it, or null when the client refuses the text. */
  readonly read: (text: string) => string | null
  /** What the client accepts, for the message. */
  readonly accepts: string
}

const inRange = (parse: (text: string) => number | null, min: number, max: number) => (text: string) => {
  const value = parse(text)
  return value !== null && value >= min && value <= max ? String(value) : null
}

// What each client refuses at start-up (Java: a ConfigException from ProducerConfig; librdkafka: rd_kafka_conf_set
// fails). Measured on the 4.3.1 Java client: "ALL", "2", "yes", "1" (for a boolean), "3.0" and -1 retries refused.
const valueRules: Record<'java' | 'librdkafka', Partial<Record<keyof ProducerSettings, ValueRule>>> = {
  java: {
    acks: { read: (t) => (['all', '-1', '0', '1'].includes(t) ? t : null), accepts: 'all, -1, 0 or 1 (lower case)' },
    idempotence: { read: (t) => (/^(true|false)$/i.test(t) ? t.toLowerCase() : null), accepts: 'true or false' },
    retries: { read: inRange(javaInt, 0, int32Max), accepts: 'a whole number from 0 to 2147483647' },
    maxInFlight: { read: inRange(javaInt, 1, int32Max), accepts: 'a whole number of at least 1' },
    deliveryTimeoutMs: { read: inRange(javaInt, 0, int32Max), accepts: 'a whole number of milliseconds from 0 to 2147483647' },
    transactionalId: { read: (t) => (t === '' ? null : t), accepts: 'a non-empty id (leave the key out for none)' },
  },
  librdkafka: {
    acks: {
      read: (t) => (/^\s*all\s*$/i.test(t) ? 'all' : inRange(librdkafkaInt, -1, 1000)(t)),
      accepts: 'all or a number from -1 to 1000',
    },
    idempotence: {
      read: (t) => (/^(true|t|1)$/i.test(t) ? 'true' : /^(false|f|0)$/i.test(t) ? 'false' : null),
      accepts: 'true or false',
    },
    retries: { read: inRange(librdkafkaInt, 0, int32Max), accepts: 'a whole number from 0 to 2147483647' },
    maxInFlight: { read: inRange(librdkafkaInt, 1, 1_000_000), accepts: 'a whole number from 1 to 1000000' },
    deliveryTimeoutMs: { read: inRange(librdkafkaInt, 0, int32Max), accepts: 'a whole number of milliseconds from 0 to 2147483647' },
  },
}

/**
 * The settings as the client reads them ("TRUE" → "true", librdkafka's " 0x10" → "16"), or a fault naming the first
 * value the client would refuse to start with: such a file describes no producer that can run, so it is bad input.
 */
function readValues(client: 'java' | 'librdkafka', path: string, settings: ProducerSettings, keys: SettingKeys): ProducerSettings | ProducerConfigFault {
  const read: Record<string, string> = {}
  for (const [field, text] of Object.entries(settings) as [keyof ProducerSettings, string][]) {
    const rule = valueRules[client][field]
    const value = rule ? rule.read(text) : text
    if (value === null) {
      const name = client === 'java' ? 'the Java client' : 'librdkafka'
      return fault(`${path}: ${keys[field]}=${text} is refused by ${name}, which will not start with it — it takes ${rule!.accepts}`)
    }
    read[field] = value
  }
  return read as ProducerSettings
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
  const family = client.client as 'java' | 'librdkafka'
  const written = settingsFromProperties(family, file.properties)
  const settings = readValues(family, path, written.settings, written.keys)
  if ('kind' in settings) return settings
  return { path, client, clientFrom, settings, keys }
}
