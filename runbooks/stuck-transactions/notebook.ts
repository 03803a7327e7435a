// The stuck-transactions runbook's parameters and shared state, and the typed cell builders every part uses.

import { param } from '../../lib/engine/params.ts'
import { notebook, type RunContext } from '../../lib/engine/runbook.ts'
import type { TopicPartition } from '../../lib/kafka/types.ts'
import type { GroupAtPartition, OpenTransactionsSnapshot, StuckPartitionFinding } from '../../lib/plans/open-transactions.ts'

/** One open transaction's records on its partition, counted at find time. */
export interface RecordCount {
  readonly records: number
  /** false: more than the count (the read stopped at its limit). */
  readonly complete: boolean
}

export interface State {
  /** The second sample's findings (the first only says what moved between the two). */
  findings?: readonly StuckPartitionFinding[]
  /** The second sample as read (coordinators' descriptions: which partitions a fence ends). */
  snapshot?: OpenTransactionsSnapshot
  /** When the samples were taken. */
  sampledAtMs?: readonly [number, number]
  /** High watermarks at the first sample, by topic:partition. */
  earlierHighWatermarks?: ReadonlyMap<string, bigint>
  groups?: readonly GroupAtPartition[]
  /** Records of the transaction holding each stuck partition, by topic:partition. */
  records?: ReadonlyMap<string, RecordCount>
  /** transaction.partition.verification.enable as the brokers run it; null before 3.6. */
  verification?: boolean | null
}

export const nb = notebook<State>()({
  topics: param.topics({
    help: 'look only at these topics (default: every topic, internal ones included)',
    optional: true,
  }),
  partitions: param.partitions({
    help: 'the stuck partitions to act on, as topic:partition (default: every stuck partition the chosen way fits)',
    prompt: 'Which partitions? (topic:partition, comma-separated — the table above lists them)',
    optional: true,
  }),
  'producer-id': param.string({
    help: 'act only on the open transaction of this producer id (as the table above and kafka-transactions describe-producers show it)',
    optional: true,
    pattern: /^\d+$/,
    patternHelp: 'a producer id (a whole number, as describe-producers shows it)',
  }),
  'sample-gap': param.duration({ help: 'time between the two samples of the last stable offsets', default: 5000, minMs: 0 }),
  'producer-idle': param.duration({
    help: 'a transaction whose producer wrote nothing for this long is judged gone (live exactly-once producers commit far more often)',
    default: 60_000,
    minMs: 1000,
  }),
  'wait-timeout': param.duration({ help: 'how long the wait option watches for the coordinator to end the transactions', default: 120_000, minMs: 0 }),
  'verify-timeout': param.duration({
    help: 'how long to watch the last stable offset and the stuck groups move after a fence or an abort',
    default: 30_000,
    minMs: 0,
  }),
})

export type Context = RunContext<State, typeof nb.params>

export const keyOf = (tp: TopicPartition) => `${tp.topic}:${tp.partition}`
