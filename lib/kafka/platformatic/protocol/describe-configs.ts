// DescribeConfigs v2–v4, decoded straight into config entries. `runbook status` asks for two settings of every
// topic (2,000 resources on a 10,000-partition cluster), and the client's decoder cost more than the answer.
// The client's v2 also writes and reads config_type and documentation, which exist from v3 on only.

import { createAPI, type Reader, type Writer } from '../client.ts'
import type { ConfigEntry, ConfigSource, ConfigSynonym } from '../../types.ts'
import { WireReader } from './wire-reader.ts'
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
  for (let r = 0; r < count; r++) {
    const errorCode = wire.int16()
    const errorMessage = wire.nullableString()
    const resourceType = wire.int8()
    const resourceName = wire.string()
    const configCount = wire.arrayLength()
    const entries: ConfigEntry[] = []
    let sorted = true
    for (let c = 0; c < configCount; c++) {
      const name = wire.string()
      const value = wire.nullableString()
      const readOnly = wire.boolean()
      const source = sourceName(wire.int8())
      const sensitive = wire.boolean()
      const synonymCount = wire.arrayLength()
      let synonyms: readonly ConfigSynonym[] = noSynonyms
      if (synonymCount > 0) {
        const read: ConfigSynonym[] = new Array(synonymCount)
        for (let s = 0; s < synonymCount; s++) {
          read[s] = { name: wire.string(), value: wire.nullableString(), source: sourceName(wire.int8()) }
          wire.skipTaggedFields()
        }
        synonyms = read
      }
      if (version >= 3) {
        wire.int8() // config_type
        wire.nullableString() // documentation
      }
      wire.skipTaggedFields()
      if (entries.length && entries[entries.length - 1]!.name.localeCompare(name) > 0) sorted = false
      entries.push({ name, value, source, readOnly, sensitive, synonyms })
    }
    wire.skipTaggedFields()
    if (!sorted) entries.sort((a, b) => a.name.localeCompare(b.name))
    results.push({ errorCode, errorMessage, resourceType, resourceName, entries })
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
