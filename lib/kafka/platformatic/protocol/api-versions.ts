// ApiVersions v3/v4 with the feature fields (KIP-584) the client's own parser drops.
// v3 answers leave out features whose lowest level is 0 (KIP-1022), such as eligible.leader.replicas.version:
// ask v4 where the broker has it to tell "ELR off" from "ELR unknown to this broker".

import { createAPI, ResponseError, Writer, type Reader } from '../client.ts'
import { readTaggedFields } from './tagged-fields.ts'

export interface ApiVersionsAnswer {
  readonly errorCode: number
  readonly apis: Map<number, { min: number; max: number }>
  readonly supportedFeatures: Map<string, { min: number; max: number }>
  readonly finalizedFeatures: Map<string, number>
}

/*
  ApiVersions Request (Version: 3, 4) => client_software_name client_software_version TAG_BUFFER
  ApiVersions Response (Version: 3, 4) => error_code [api_keys] throttle_time_ms TAG_BUFFER
    api_keys => api_key min_version max_version TAG_BUFFER
    tagged: 0 supported_features [name min_version max_version], 1 finalized_features_epoch INT64,
            2 finalized_features [name max_version_level min_version_level], 3 zk_migration_ready BOOLEAN
*/
function createRequest(softwareName: string, softwareVersion: string): Writer {
  return Writer.create().appendString(softwareName).appendString(softwareVersion).appendTaggedFields()
}

function parseResponse(_correlationId: number, apiKey: number, apiVersion: number, reader: Reader): ApiVersionsAnswer {
  const errorCode = reader.readInt16()
  const apis = new Map<number, { min: number; max: number }>()
  reader.readArray((r) => {
    const key = r.readInt16()
    apis.set(key, { min: r.readInt16(), max: r.readInt16() })
  })
  reader.readInt32()
  const supportedFeatures = new Map<string, { min: number; max: number }>()
  const finalizedFeatures = new Map<string, number>()
  readTaggedFields(reader, (tag, r) => {
    if (tag === 0) {
      r.readArray((e) => {
        const name = e.readString()
        supportedFeatures.set(name, { min: e.readInt16(), max: e.readInt16() })
      })
    } else if (tag === 2) {
      r.readArray((e) => {
        const name = e.readString()
        const maxLevel = e.readInt16()
        e.readInt16()
        finalizedFeatures.set(name, maxLevel)
      })
    }
  })
  const answer = { errorCode, apis, supportedFeatures, finalizedFeatures }
  if (errorCode !== 0) throw new ResponseError(apiKey, apiVersion, { '/': [errorCode, null] }, answer)
  return answer
}

// The response header of ApiVersions never has tagged fields, whatever the version (KIP-511).
/** ApiVersions v3 (Kafka 2.4+). */
export const apiVersionsV3 = createAPI<[softwareName: string, softwareVersion: string], ApiVersionsAnswer>(18, 3, createRequest, parseResponse, true, false)
/** ApiVersions v4 (same schema; lists every feature). */
export const apiVersionsV4 = createAPI<[softwareName: string, softwareVersion: string], ApiVersionsAnswer>(18, 4, createRequest, parseResponse, true, false)
