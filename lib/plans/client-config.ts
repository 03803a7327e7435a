// A client's own configuration file, as its team keeps it: a Java client .properties file, a librdkafka-style
// key=value file (confluent-kafka-go / -python / -dotnet, node-rdkafka), or a kafkajs options JSON. A broker never
// sees a producer's acks or a consumer's auto.offset.reset, so these files are the only way to know them. This
// module recognises the file and its client; producer-config.ts and consumer-config.ts read their settings from it.
// Pure: text in, keys out.

import { parseProperties } from '../kafka/java-properties.ts'

export type ClientFamily = 'java' | 'librdkafka' | 'kafkajs'

/** Which client (and version, when known) reads a configuration. */
export interface ClientRef {
  readonly client: ClientFamily
  /** "3.9.1", "2.3.0"; null when not given: the newest behaviour is assumed and said so. */
  readonly version: string | null
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
export type JsonObject = { [key: string]: Json }
export const isJsonObject = (value: Json | undefined): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value)

/** What a role (producer, consumer) reads in such files, for recognising them and for the one-line faults. */
export interface ClientConfigRole {
  readonly role: 'producer' | 'consumer'
  /** Keys only the Java client uses, and keys only librdkafka uses: enough to tell the files apart. */
  readonly javaOnly: ReadonlySet<string>
  readonly librdkafkaOnly: ReadonlySet<string>
  /** Keys a file of this role commonly sets in either family: a file with none of them is not one. */
  readonly roleKeys: ReadonlySet<string>
  /** A few of them, for the fault that says the file is not one. */
  readonly roleExamples: string
  /** kafkajs options (top-level keys of the JSON) that mark a kafkajs file of this role. */
  readonly kafkajsKeys: ReadonlySet<string>
  /** What such a JSON holds, and an example, for the faults. */
  readonly kafkajsWhat: string
  readonly kafkajsExample: string
}

/** The file as read: its client and either its properties or its JSON object. */
export type ClientConfigFile =
  | {
      readonly path: string
      readonly client: ClientRef
      readonly clientFrom: 'given' | 'recognised'
      readonly format: 'properties'
      readonly properties: ReadonlyMap<string, string>
      readonly keys: readonly string[]
    }
  | {
      readonly path: string
      readonly client: ClientRef
      readonly clientFrom: 'given' | 'recognised'
      readonly format: 'json'
      readonly json: JsonObject
      readonly keys: readonly string[]
    }

/** "java", "java@3.9.1", "librdkafka@2.3.0", "kafkajs@2.2.4" → the reference, or what is wrong with it (one line). */
export function parseClientRef(text: string): ClientRef | string {
  const match = /^\s*(java|librdkafka|kafkajs)(?:@(\d+(?:\.\d+){0,2}))?\s*$/i.exec(text)
  if (!match) return `"${text}" is not a client — use java, librdkafka or kafkajs, optionally with @<version> (java@3.9.1)`
  return { client: match[1]!.toLowerCase() as ClientFamily, version: match[2] ?? null }
}

type Version = readonly [number, number, number]

/** "3.9.1" → [3, 9, 1]; a missing part is 0. */
export function parseVersion(text: string | null): Version | null {
  if (text === null) return null
  const parts = text.split('.').map(Number)
  return [parts[0] ?? 0, parts[1] ?? 0, parts[2] ?? 0]
}

/** Whether a known version is older than major.minor.patch (an unknown one is not). */
export function versionBefore(v: Version | null, major: number, minor: number, patch = 0): boolean {
  if (v === null) return false
  return v[0] !== major ? v[0] < major : v[1] !== minor ? v[1] < minor : v[2] < patch
}

const extension = (path: string) => /\.([A-Za-z0-9]+)$/.exec(path)?.[1]?.toLowerCase() ?? ''

/** Reads a client configuration file of `role`; the client is the operator's word when given, else recognised. */
export function readClientConfigFile(text: string, path: string, given: ClientRef | null, spec: ClientConfigRole): ClientConfigFile | string {
  const { role } = spec
  const trimmed = text.trim()
  const looksJson = trimmed.startsWith('{') || trimmed.startsWith('[') || extension(path) === 'json'
  if (given?.client === 'kafkajs' || (!given && looksJson)) {
    let parsed: Json
    try {
      parsed = JSON.parse(text) as Json
    } catch (error) {
      return `${path} is not valid JSON (${(error as Error).message.split('\n')[0]}) — a kafkajs config is a JSON object of ${spec.kafkajsWhat}`
    }
    if (!isJsonObject(parsed)) return `${path} holds JSON but not an object — a kafkajs config is an object like ${spec.kafkajsExample}`
    if (!Object.keys(parsed).some((k) => spec.kafkajsKeys.has(k))) {
      return `${path} has none of the kafkajs options (${[...spec.kafkajsKeys].slice(0, 7).join(', ')}) — is it a kafkajs config? Give ${role}-client=java|librdkafka|kafkajs`
    }
    return {
      path,
      client: given ?? { client: 'kafkajs', version: null },
      clientFrom: given ? 'given' : 'recognised',
      format: 'json',
      json: parsed,
      keys: Object.keys(parsed).sort(),
    }
  }
  if (trimmed === '') return `${path} is empty — point ${role}-config at the ${role}'s configuration file`
  const properties = parseProperties(text)
  const keys = [...properties.keys()]
  if (!keys.some((k) => spec.roleKeys.has(k) || spec.javaOnly.has(k) || spec.librdkafkaOnly.has(k) || k.startsWith('ssl.') || k.startsWith('sasl.'))) {
    return `${path} sets none of the ${role} settings (${spec.roleExamples}) — is it a ${role} configuration?`
  }
  let client: ClientRef
  let clientFrom: 'given' | 'recognised' = 'given'
  if (given) client = given
  else {
    const rdkafka = keys.filter((k) => spec.librdkafkaOnly.has(k))
    const java = keys.filter((k) => spec.javaOnly.has(k))
    if (rdkafka.length > 0 && java.length > 0) {
      return `${path} mixes Java client keys (${java[0]}) and librdkafka keys (${rdkafka[0]}) — say which client reads it: ${role}-client=java|librdkafka`
    }
    const ext = extension(path)
    const family: ClientFamily | null =
      rdkafka.length > 0
        ? 'librdkafka'
        : java.length > 0
          ? 'java'
          : ext === 'properties'
            ? 'java'
            : ['conf', 'cfg', 'ini', 'config'].includes(ext)
              ? 'librdkafka'
              : null
    if (!family) return `cannot tell which client reads ${path} — give ${role}-client=java, librdkafka or kafkajs (@version)`
    client = { client: family, version: null }
    clientFrom = 'recognised'
  }
  if (client.client === 'kafkajs') return `${path} is not JSON, but ${role}-client says kafkajs — a kafkajs config is a JSON object`
  return { path, client, clientFrom, format: 'properties', properties, keys: keys.sort() }
}
