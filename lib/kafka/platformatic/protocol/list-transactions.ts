// ListTransactions (key 66) v0-v2. The client's v2 parser reads an error message the response does not have
// (measured on 4.3.1: the transaction list is misread and the parse runs out of bytes).

import { createAPI, Writer, type Reader } from '../client.ts'
import { readTaggedFields } from './tagged-fields.ts'

export interface ListTransactionsAnswer {
  readonly errorCode: number
  readonly unknownStateFilters: string[]
  readonly transactionStates: { transactionalId: string; producerId: bigint; transactionState: string }[]
}

type ListTransactionsArgs = [states: readonly string[], producerIds: readonly bigint[], durationFilterMs: bigint, transactionalIdPattern: string | null]

/*
  ListTransactions Request (Version: 0-2) => [state_filters] [producer_id_filters] duration_filter (v1+) transactional_id_pattern (v2+) TAG_BUFFER
    state_filters => COMPACT_STRING, producer_id_filters => INT64, duration_filter => INT64 (-1: no filter),
    transactional_id_pattern => COMPACT_NULLABLE_STRING
  ListTransactions Response (Version: 0-2) => throttle_time_ms error_code [unknown_state_filters] [transaction_states] TAG_BUFFER
    transaction_states => transactional_id producer_id transaction_state TAG_BUFFER
*/
function requestFor(version: 0 | 1 | 2) {
  return (states: readonly string[], producerIds: readonly bigint[], durationFilterMs: bigint, transactionalIdPattern: string | null): Writer => {
    const writer = Writer.create()
      .appendArray([...states], (w, state) => w.appendString(state), true, false)
      .appendArray([...producerIds], (w, id) => w.appendInt64(id), true, false)
    if (version >= 1) writer.appendInt64(durationFilterMs)
    if (version >= 2) writer.appendString(transactionalIdPattern)
    return writer.appendTaggedFields()
  }
}

function parseResponse(_correlationId: number, _apiKey: number, _apiVersion: number, reader: Reader): ListTransactionsAnswer {
  reader.readInt32()
  const errorCode = reader.readInt16()
  const unknownStateFilters = reader.readArray((r) => r.readString(), true, false)
  const transactionStates = reader.readArray(
    (r) => {
      const state = { transactionalId: r.readString(), producerId: r.readInt64(), transactionState: r.readString() }
      readTaggedFields(r)
      return state
    },
    true,
    false,
  )
  readTaggedFields(reader)
  return { errorCode, unknownStateFilters, transactionStates }
}

const listTransactionsApi = (version: 0 | 1 | 2) => createAPI<ListTransactionsArgs, ListTransactionsAnswer>(66, version, requestFor(version), parseResponse)

/** ListTransactions by version: v1 adds the duration filter (Kafka 3.8), v2 the id pattern (Kafka 4.1). */
export const listTransactionsApis = { 2: listTransactionsApi(2), 1: listTransactionsApi(1), 0: listTransactionsApi(0) } as const
