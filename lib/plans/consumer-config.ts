// What a consumer does when its position is no longer on the broker (committed offset below the log start after
// retention deleted the records): auto.offset.reset, read from the consumer's own configuration — a Java client
// .properties file, a librdkafka-style key=value file, or a kafkajs options JSON — or given by the operator, with
// each client's default and exact behaviour. Verified in the clients' own sources:
//
// Java client (kafka-clients): auto.offset.reset default "latest" (3.9 and 4.x ConsumerConfig); values earliest,
//   latest, none; by_duration:<ISO-8601 duration> from 4.0 (KIP-842, AutoOffsetResetStrategy) — refused before 4.0.
//   On OFFSET_OUT_OF_RANGE (FetchCollector): with a reset policy the position is reset by it ("Fetch position … is
//   out of range for partition …, resetting offset", logged at INFO); with none, poll() throws
//   OffsetOutOfRangeException to the application. by_duration looks up the first record at or after now − duration.
// librdkafka (CONFIGURATION.md v0.11.6 … v2.8): default "largest"; smallest|earliest|beginning,
//   largest|latest|end, error. On OFFSET_OUT_OF_RANGE (rd_kafka_offset_reset) the partition is reset by the policy
//   (a WARNING "offset reset … to END/BEGINNING"); with "error" the application gets ERR__AUTO_OFFSET_RESET and the
//   partition stops fetching.
// kafkajs 2.2.4: no auto.offset.reset; subscribe({ fromBeginning }) (default false) decides. On OFFSET_OUT_OF_RANGE
//   (consumerGroup.recoverFromOffsetOutOfRange) it logs "Offset out of range, resetting to default offset",
//   commits the placeholder -1 (latest) or -2 (earliest) for the partition, then resolves it to the log end or start.

import { type ClientConfigRole, type ClientRef, isJsonObject, parseVersion, readClientConfigFile, versionBefore } from './client-config.ts'

/** What a consumer does at a fetch the broker answers OFFSET_OUT_OF_RANGE. */
export type OffsetReset =
  | { readonly kind: 'earliest' }
  | { readonly kind: 'latest' }
  /** Java 4.0+: the first record written at or after now − durationMs (the log start if all are newer, the log end if none is). */
  | { readonly kind: 'by-duration'; readonly durationMs: number }
  /** Java: poll() throws OffsetOutOfRangeException; nothing is skipped, nothing is read until the application seeks. */
  | { readonly kind: 'none' }
  /** librdkafka: an ERR__AUTO_OFFSET_RESET error event; the partition stops fetching until the application seeks. */
  | { readonly kind: 'error' }

export interface ResolvedOffsetReset {
  readonly reset: OffsetReset
  /** As written in the file or given, or null for the client's default. */
  readonly written: string | null
  readonly from: 'file' | 'given' | 'default'
  readonly client: ClientRef | null
  /** The client would refuse to start with this value (e.g. by_duration before Java 4.0). */
  readonly refusal: string | null
  readonly note: string | null
}

/** A consumer configuration as read: the client and the reset as written. */
export interface ParsedConsumerConfig {
  readonly path: string
  readonly client: ClientRef
  readonly clientFrom: 'given' | 'recognised'
  /** auto.offset.reset (or kafkajs fromBeginning) exactly as the file has it; null when unset. */
  readonly autoOffsetReset: string | null
  readonly keys: readonly string[]
}

const consumerRole: ClientConfigRole = {
  role: 'consumer',
  javaOnly: new Set([
    'key.deserializer',
    'value.deserializer',
    'max.poll.records',
    'fetch.max.wait.ms',
    'default.api.timeout.ms',
    'interceptor.classes',
    'metric.reporters',
  ]),
  librdkafkaOnly: new Set([
    'metadata.broker.list',
    'fetch.wait.max.ms',
    'fetch.message.max.bytes',
    'queued.min.messages',
    'queued.max.messages.kbytes',
    'enable.auto.offset.store',
    'enable.partition.eof',
    'fetch.error.backoff.ms',
    'api.version.request',
    'statistics.interval.ms',
    'debug',
    'topic.metadata.refresh.interval.ms',
    'socket.keepalive.enable',
  ]),
  roleKeys: new Set([
    'bootstrap.servers',
    'group.id',
    'group.instance.id',
    'group.protocol',
    'auto.offset.reset',
    'enable.auto.commit',
    'auto.commit.interval.ms',
    'session.timeout.ms',
    'heartbeat.interval.ms',
    'max.poll.interval.ms',
    'isolation.level',
    'fetch.min.bytes',
    'max.partition.fetch.bytes',
    'partition.assignment.strategy',
    'client.id',
    'security.protocol',
  ]),
  roleExamples: 'bootstrap.servers, group.id, auto.offset.reset, enable.auto.commit, ...',
  kafkajsKeys: new Set([
    'clientId',
    'brokers',
    'ssl',
    'sasl',
    'retry',
    'consumer',
    'subscribe',
    'run',
    'fromBeginning',
    'groupId',
    'sessionTimeout',
    'autoCommit',
  ]),
  kafkajsWhat: 'client, consumer and subscribe options',
  kafkajsExample: '{"consumer": {"groupId": "billing"}, "subscribe": {"fromBeginning": true}}',
}

/** Parses a consumer configuration file; the client is the operator's word when given, else recognised. */
export function parseConsumerConfig(text: string, path: string, given: ClientRef | null): ParsedConsumerConfig | string {
  const file = readClientConfigFile(text, path, given, consumerRole)
  if (typeof file === 'string') return file
  const { client, clientFrom, keys } = file
  if (file.format === 'json') {
    const subscribe = isJsonObject(file.json.subscribe) ? file.json.subscribe : {}
    const fromBeginning = subscribe.fromBeginning ?? file.json.fromBeginning
    if (fromBeginning !== undefined && fromBeginning !== null && typeof fromBeginning !== 'boolean')
      return `${path}: fromBeginning must be true or false in a kafkajs config, not ${JSON.stringify(fromBeginning)}`
    return { path, client, clientFrom, autoOffsetReset: fromBeginning === undefined || fromBeginning === null ? null : `fromBeginning: ${fromBeginning}`, keys }
  }
  const written = file.properties.get('auto.offset.reset') ?? (client.client === 'librdkafka' ? file.properties.get('topic.auto.offset.reset') : undefined)
  return { path, client, clientFrom, autoOffsetReset: written?.trim() ?? null, keys }
}

const isoDuration = /^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i

/** An ISO-8601 duration as java.time.Duration.parse takes it (PnDTnHnMn.nS), in milliseconds; null when it is not one. */
function parseIsoDuration(text: string): number | null {
  const match = isoDuration.exec(text.trim())
  if (!match || /T$/i.test(text.trim()) || text.trim().length < 3) return null
  const [, d = '0', h = '0', m = '0', s = '0'] = match
  return Math.round(Number(d) * 86_400_000 + Number(h) * 3_600_000 + Number(m) * 60_000 + Number(s) * 1000)
}

/** A value as one client reads it; a string is why the client refuses it (it would not start). */
function readValue(text: string, client: ClientRef['client'] | null, version: string | null): OffsetReset | string {
  const value = text.trim()
  const lower = value.toLowerCase()
  if (client === 'kafkajs' || /^fromBeginning:/i.test(value)) return /true$/i.test(value) ? { kind: 'earliest' } : { kind: 'latest' }
  if (client === 'librdkafka') {
    if (['smallest', 'earliest', 'beginning'].includes(lower)) return { kind: 'earliest' }
    if (['largest', 'latest', 'end'].includes(lower)) return { kind: 'latest' }
    if (lower === 'error') return { kind: 'error' }
    return `auto.offset.reset=${value} is not a librdkafka value (smallest, earliest, beginning, largest, latest, end, error): the consumer will not start`
  }
  // The Java client's values are case-sensitive lower case; with no client named, accept every client's words.
  if (value === 'earliest' || (client === null && ['smallest', 'beginning'].includes(lower))) return { kind: 'earliest' }
  if (value === 'latest' || (client === null && ['largest', 'end'].includes(lower))) return { kind: 'latest' }
  if (value === 'none') return { kind: 'none' }
  if (client === null && lower === 'error') return { kind: 'error' }
  if (value.startsWith('by_duration:')) {
    const durationMs = parseIsoDuration(value.slice('by_duration:'.length))
    if (durationMs === null) return `auto.offset.reset=${value}: the duration must be ISO-8601 (by_duration:PT1H): the consumer will not start`
    if (client === 'java' && versionBefore(parseVersion(version), 4, 0))
      return `auto.offset.reset=${value} needs the Java client 4.0+ (KIP-842); Java client ${version} refuses it: the consumer will not start`
    return { kind: 'by-duration', durationMs }
  }
  return `auto.offset.reset=${value} is not a value the Java client accepts (earliest, latest, none, by_duration:<ISO-8601>): the consumer will not start`
}

/** Every client's default: latest (Java and librdkafka by default, kafkajs without fromBeginning). */
const defaultNote: Readonly<Record<ClientRef['client'], string>> = {
  java: 'the Java client’s default (latest)',
  librdkafka: 'librdkafka’s default (largest = latest)',
  kafkajs: 'kafkajs without fromBeginning (latest)',
}

/**
 * The effective reset of a consumer: from its configuration file, or a value the operator gave (any client's
 * spelling, or with the client when known), or the default — latest in all three clients, said so.
 */
export function resolveOffsetReset(input: {
  readonly config?: ParsedConsumerConfig
  readonly given?: string
  readonly client?: ClientRef | null
}): ResolvedOffsetReset {
  const client = input.config?.client ?? input.client ?? null
  const written = input.config?.autoOffsetReset ?? input.given ?? null
  const from = input.config?.autoOffsetReset ? 'file' : input.given !== undefined ? 'given' : 'default'
  if (written === null) {
    return {
      reset: { kind: 'latest' },
      written: null,
      from: 'default',
      client,
      refusal: null,
      note: client ? defaultNote[client.client] : 'not known: latest assumed — the default of the Java client, librdkafka and kafkajs (fromBeginning: false)',
    }
  }
  const read = readValue(written, client?.client ?? null, client?.version ?? null)
  if (typeof read === 'string') return { reset: { kind: 'latest' }, written, from, client, refusal: read, note: null }
  const note =
    client?.client === 'kafkajs'
      ? 'kafkajs commits a placeholder offset (-1 latest, -2 earliest) for the partition first: other clients of the group then see no committed offset'
      : null
  return { reset: read, written, from, client, refusal: null, note }
}

/** What the next fetch of a partition whose committed offset is below the log start does, in records. */
export interface ResetOutcome {
  /** Where the consumer goes on: an offset, or null when it stops (none / error). */
  readonly continuesAt: bigint | null
  /** Records still on disk the consumer jumps over (never read by the group). */
  readonly skipped: bigint
  /** Records retention already deleted below the log start (lost whatever happens). */
  readonly deleted: bigint
}

/**
 * The outcome of the reset for one partition: committed below logStart, logEnd the high watermark, and for
 * by_duration the offset the time lookup would return (null: no record that recent → the log end).
 */
export function resetOutcome(
  reset: OffsetReset,
  partition: { readonly committed: bigint; readonly logStart: bigint; readonly logEnd: bigint; readonly byDurationOffset?: bigint | null },
): ResetOutcome {
  const deleted = partition.committed < partition.logStart ? partition.logStart - partition.committed : 0n
  const at = (offset: bigint): ResetOutcome => ({ continuesAt: offset, skipped: offset > partition.logStart ? offset - partition.logStart : 0n, deleted })
  switch (reset.kind) {
    case 'earliest':
      return at(partition.logStart)
    case 'latest':
      return at(partition.logEnd)
    case 'by-duration': {
      const found = partition.byDurationOffset ?? partition.logEnd
      return at(found < partition.logStart ? partition.logStart : found)
    }
    case 'none':
    case 'error':
      return { continuesAt: null, skipped: 0n, deleted }
  }
}
