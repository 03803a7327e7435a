// DescribeConfigs v2–v4, decoded straight into config entries. `runbook status` asks for two settings of every
// topic (2,000 resources on a 10,000-partition cluster), and the client's decoder cost more than the answer.
// The client's v2 also writes and reads config_type and documentation, which exist from v3 on only.
// Most topics answer alike (the same few names, values and sources): equal entries, and equal lists of them, are
// one shared frozen object, and names and values are decoded once each — what status keeps of 2,000 topics' settings
// is then one list object per topic, not nine objects and eight strings.

import { createAPI, type Reader, type Writer } from '../client.ts'
import type { ConfigEntry, ConfigSource, ConfigSynonym } from '../../types.ts'
import { StringTable, WireReader } from './wire-reader.ts'
import { WireWriter } from './wire-writer.ts'

export interface DescribeConfigsResource {
  readonly resourceType: number
  readonly resourceName: string
  /** null: every setting. */
  readonly configurationKeys: readonly string[] | null
}

export interface DescribedConfigs {
  readonly errorCode: number
  readonly errorMessage: string | null
  readonly resourceType: number
  readonly resourceName: string
  /** In name order. */
  readonly entries: ConfigEntry[]
}

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
/** Shared by every entry asked for without synonyms (status asks for thousands). */
const noSynonyms: readonly ConfigSynonym[] = Object.freeze([])

const names = new StringTable()
const values = new StringTable(256)
/** Entries without synonyms read before, shared; bounded like the tables. */
const knownEntries: ConfigEntry[] = []
const maxKnownEntries = 256
/** Entry lists read before, shared; bounded. */
const knownLists: (readonly ConfigEntry[])[] = []
const maxKnownLists = 64
/** Byte spans of shared lists an answer remembers (see decodeDescribeConfigs): topics of a large cluster answer in a few ways. */
const maxSpans = 8
/** Whether name `a` sorts after `b` (localeCompare), remembered for the few pairs of names brokers send. */
const afterMemo = new Map<string, Map<string, boolean>>()

function sortsAfter(a: string, b: string): boolean {
  let byB = afterMemo.get(a)
  let after = byB?.get(b)
  if (after === undefined) {
    after = a.localeCompare(b) > 0
    if (afterMemo.size < 256) {
      if (!byB) afterMemo.set(a, (byB = new Map()))
      if (byB.size < 256) byB.set(b, after)
    }
  }
  return after
}

function sharedEntry(name: string, value: string | null, source: ConfigSource, readOnly: boolean, sensitive: boolean): ConfigEntry {
  for (const known of knownEntries)
    if (known.name === name && known.value === value && known.source === source && known.readOnly === readOnly && known.sensitive === sensitive) return known
  const entry: ConfigEntry = { name, value, source, readOnly, sensitive, synonyms: noSynonyms }
  if (knownEntries.length < maxKnownEntries) knownEntries.push(Object.freeze(entry))
  return entry
}

/** `entries` itself, or an equal list read before (entries are compared by identity: shared ones are equal). */
function sharedList(entries: ConfigEntry[]): ConfigEntry[] {
  search: for (const known of knownLists) {
    if (known.length !== entries.length) continue
    for (let i = 0; i < entries.length; i++) if (known[i] !== entries[i]) continue search
    return known as ConfigEntry[]
  }
  if (knownLists.length < maxKnownLists && entries.every((e) => Object.isFrozen(e))) knownLists.push(Object.freeze(entries))
  return entries
}

/*
  DescribeConfigs Request (Version: 2-4) => [resources] include_synonyms include_documentation (v3+) TAG_BUFFER (v4)
    resources => resource_type resource_name [configuration_keys] TAG_BUFFER (v4)
      resource_type => INT8
      resource_name => STRING (COMPACT_STRING in v4)
      configuration_keys => STRING (nullable array)
*/
function requestFor(version: 2 | 3 | 4) {
  const flexible = version >= 4
  return (resources: readonly DescribeConfigsResource[], includeSynonyms: boolean): Writer => {
    const writer = new WireWriter(flexible, 64 + resources.length * 96)
    writer.arrayLength(resources.length)
    // Every resource usually asks for the same names (one list): they are encoded once.
    let keys: readonly string[] | null | undefined
    let encodedKeys: Buffer = Buffer.alloc(0)
    for (const r of resources) {
      writer.int8(r.resourceType).string(r.resourceName)
      if (r.configurationKeys !== keys) {
        keys = r.configurationKeys
        const list = new WireWriter(flexible).arrayLength(keys ? keys.length : null)
        if (keys) for (const key of keys) list.string(key)
        encodedKeys = list.bytes()
      }
      writer.raw(encodedKeys).taggedFields()
    }
    writer.boolean(includeSynonyms)
    if (version >= 3) writer.boolean(false)
    return writer.taggedFields().toWriter()
  }
}

/*
  DescribeConfigs Response (Version: 2-4) => throttle_time_ms [results] TAG_BUFFER (v4)
    results => error_code error_message resource_type resource_name [configs] TAG_BUFFER (v4)
      configs => name value read_only config_source is_sensitive [synonyms] config_type (v3+) documentation (v3+) TAG_BUFFER (v4)
        synonyms => name value source TAG_BUFFER (v4)
*/
export function decodeDescribeConfigs(wire: WireReader, version: 2 | 3 | 4): DescribedConfigs[] {
  wire.int32() // throttle_time_ms
  const count = wire.arrayLength()
  const results: DescribedConfigs[] = []
  const bytes = wire.bytes
  // Where in this answer a shared list was decoded from (its count through its last entry): a later resource
  // whose settings are the same bytes gets that list at once. Decoding depends on nothing but those bytes, so
  // equal bytes are an equal list, and the decoder stops where the first one stopped.
  const spans: { readonly start: number; readonly end: number; readonly entries: ConfigEntry[] }[] = []
  resources: for (let r = 0; r < count; r++) {
    const errorCode = wire.int16()
    const errorMessage = wire.nullableString()
    const resourceType = wire.int8()
    const resourceName = wire.string()
    const start = wire.position
    for (const span of spans) {
      const end = start + span.end - span.start
      if (end <= bytes.length && bytes.compare(bytes, span.start, span.end, start, end) === 0) {
        wire.position = end
        wire.skipTaggedFields()
        results.push({ errorCode, errorMessage, resourceType, resourceName, entries: span.entries })
        continue resources
      }
    }
    const configCount = wire.arrayLength()
    const entries: ConfigEntry[] = []
    let sorted = true
    for (let c = 0; c < configCount; c++) {
      const name = wire.knownString(names)
      const value = wire.nullableKnownString(values)
      const readOnly = wire.boolean()
      const source = sourceName(wire.int8())
      const sensitive = wire.boolean()
      const synonymCount = wire.arrayLength()
      let synonyms: readonly ConfigSynonym[] = noSynonyms
      if (synonymCount > 0) {
        const read: ConfigSynonym[] = new Array(synonymCount)
        for (let s = 0; s < synonymCount; s++) {
          read[s] = { name: wire.knownString(names), value: wire.nullableKnownString(values), source: sourceName(wire.int8()) }
          wire.skipTaggedFields()
        }
        synonyms = read
      }
      if (version >= 3) {
        wire.int8() // config_type
        wire.nullableString() // documentation
      }
      wire.skipTaggedFields()
      if (entries.length && sortsAfter(entries[entries.length - 1]!.name, name)) sorted = false
      entries.push(synonyms === noSynonyms ? sharedEntry(name, value, source, readOnly, sensitive) : { name, value, source, readOnly, sensitive, synonyms })
    }
    const end = wire.position
    wire.skipTaggedFields()
    if (!sorted) entries.sort((a, b) => a.name.localeCompare(b.name))
    const list = sharedList(entries)
    if (Object.isFrozen(list) && spans.length < maxSpans) spans.push({ start, end, entries: list })
    results.push({ errorCode, errorMessage, resourceType, resourceName, entries: list })
  }
  wire.skipTaggedFields()
  return results
}

const apiFor = (version: 2 | 3 | 4) =>
  createAPI<[resources: readonly DescribeConfigsResource[], includeSynonyms: boolean], DescribedConfigs[]>(
    32,
    version,
    requestFor(version),
    (_correlationId: number, _apiKey: number, _apiVersion: number, reader: Reader) => decodeDescribeConfigs(WireReader.from(reader, version >= 4), version),
    version >= 4,
    version >= 4,
  )

/** DescribeConfigs by version: v2 and v3 for older brokers, v4 (flexible) from Kafka 2.8 on. */
export const describeConfigsApis = { 2: apiFor(2), 3: apiFor(3), 4: apiFor(4) } as const
