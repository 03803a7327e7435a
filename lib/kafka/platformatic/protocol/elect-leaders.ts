// ElectLeaders (key 43), which the client does not implement: v2 (flexible), and v1 / v0 for brokers
// that stop there. Built on the client's public createAPI, Writer and Reader.

import { createAPI, Writer, type Reader } from '../client.ts'
import { readTaggedFields } from './tagged-fields.ts'

export interface ElectLeadersAnswer {
  /** Top-level error (v1+); 0 when every partition has its own outcome. */
  readonly errorCode: number
  readonly results: { topic: string; partitions: { partitionId: number; errorCode: number; errorMessage: string | null }[] }[]
}

type ElectLeadersArgs = [electionType: 0 | 1, topics: { topic: string; partitions: number[] }[], timeoutMs: number]

/*
  ElectLeaders Request (Version: 2) => election_type [topic_partitions => topic [partitions] TAG_BUFFER] timeout_ms TAG_BUFFER
    election_type => INT8 (0 preferred, 1 unclean)   (v1+; v0 is always preferred and has no such field)
  ElectLeaders Response (Version: 2) => throttle_time_ms error_code
    [replica_election_results => topic [partition_result => partition_id error_code error_message TAG_BUFFER] TAG_BUFFER] TAG_BUFFER
*/
function requestFor(version: 0 | 1 | 2) {
  const compact = version >= 2
  return (electionType: 0 | 1, topics: { topic: string; partitions: number[] }[], timeoutMs: number): Writer => {
    const writer = Writer.create()
    if (version >= 1) writer.appendInt8(electionType)
    writer.appendArray(
      topics,
      (w, t) => {
        w.appendString(t.topic, compact).appendArray(t.partitions, (w, p) => w.appendInt32(p), compact, false)
      },
      compact,
      compact,
    )
    writer.appendInt32(timeoutMs)
    if (compact) writer.appendTaggedFields()
    return writer
  }
}

function parserFor(version: 0 | 1 | 2) {
  const compact = version >= 2
  return (_correlationId: number, _apiKey: number, _apiVersion: number, reader: Reader): ElectLeadersAnswer => {
    reader.readInt32()
    const errorCode = version >= 1 ? reader.readInt16() : 0
    const results = reader.readArray(
      (r) => {
        const topic = r.readString(compact)
        const partitions = r.readArray(
          (p) => {
            const result = { partitionId: p.readInt32(), errorCode: p.readInt16(), errorMessage: p.readNullableString(compact) }
            if (compact) readTaggedFields(p)
            return result
          },
          compact,
          false,
        )
        if (compact) readTaggedFields(r)
        return { topic, partitions }
      },
      compact,
      false,
    )
    if (compact) readTaggedFields(reader)
    // Per-partition errors (ELECTION_NOT_NEEDED among them) are outcomes, not failures: never thrown here.
    return { errorCode, results }
  }
}

const electLeadersApi = (version: 0 | 1 | 2) =>
  createAPI<ElectLeadersArgs, ElectLeadersAnswer>(43, version, requestFor(version), parserFor(version), version >= 2, version >= 2)

/** ElectLeaders by version. v0 can only ask for preferred elections. */
export const electLeadersApis = { 2: electLeadersApi(2), 1: electLeadersApi(1), 0: electLeadersApi(0) } as const
