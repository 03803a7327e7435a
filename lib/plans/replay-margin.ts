// PURE: how much earlier than the kill (or alert) time a replay should start so that it surely covers the
// records an auto-commit marked consumed before the process died.
//
// The records at risk are those the consumer had fetched and a commit had covered, but it had not handled yet.
// A commit can be up to one auto-commit interval old, and what sat in memory is at most one batch (the poll's
// max.poll.records, or the service's own queue); at the partitions' write rate that batch spans batch ÷ rate
// seconds of records. The margin is the sum, rounded up to whole seconds.

export const javaDefaults = { autoCommitIntervalMs: 5000, maxPollRecords: 500 } as const

export interface MarginInputs {
  /** The consumer's auto.commit.interval.ms, when the operator knows it. */
  readonly autoCommitIntervalMs: number | null
  /** Records one poll hands over (max.poll.records), or the size of the service's in-memory queue. */
  readonly batchRecords: number | null
  /** Records per second written to the group's partitions around the rewind time (measured from the log). */
  readonly recordsPerSecond: number
}

export interface MarginSuggestion {
  readonly marginMs: number
  readonly intervalMs: number
  readonly intervalGiven: boolean
  readonly batchRecords: number
  readonly batchGiven: boolean
  /** How long the partitions took to receive one batch of records at the measured rate. */
  readonly batchMs: number
  readonly recordsPerSecond: number
}

export function suggestSafetyMargin(inputs: MarginInputs): MarginSuggestion {
  const intervalMs = inputs.autoCommitIntervalMs ?? javaDefaults.autoCommitIntervalMs
  const batchRecords = inputs.batchRecords ?? javaDefaults.maxPollRecords
  const batchMs = inputs.recordsPerSecond > 0 ? Math.ceil((batchRecords / inputs.recordsPerSecond) * 1000) : 0
  return {
    marginMs: Math.ceil((intervalMs + batchMs) / 1000) * 1000,
    intervalMs,
    intervalGiven: inputs.autoCommitIntervalMs !== null,
    batchRecords,
    batchGiven: inputs.batchRecords !== null,
    batchMs,
    recordsPerSecond: inputs.recordsPerSecond,
  }
}
