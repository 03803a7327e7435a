// What the workload processes tell the drill over their IPC channel, and how they are configured.

export interface ProducerConfig {
  readonly kind: 'producer'
  readonly bootstrap: readonly string[]
  readonly topic: string
  readonly partitions: number
  readonly recordsPerSecond: number
  readonly ledger: string
  /** -1 (all in-sync replicas) or 1 (the leader alone). */
  readonly acks: -1 | 1
  readonly clientId: string
}

export interface ConsumerConfig {
  readonly kind: 'consumer'
  readonly bootstrap: readonly string[]
  readonly topic: string
  readonly groupId: string
  readonly ledger: string
  /** Which start of the service this is (1 = first, 2 = restarted after the kill, ...). */
  readonly instance: number
  readonly clientId: string
  /** The service writes its buffer out when it holds this many records... */
  readonly flushRecords: number
  /** ...or when the oldest buffered record has waited this long. */
  readonly flushIntervalMs: number
  readonly sessionTimeoutMs: number
  readonly autoCommitIntervalMs: number
}

export type WorkloadConfig = ProducerConfig | ConsumerConfig

export type WorkloadMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'acked'; readonly total: number }
  /** After each offset commit: records the commit covers that are still only in memory. */
  | { readonly type: 'committed'; readonly atRisk: number; readonly buffered: number; readonly processed: number }
  | { readonly type: 'processed'; readonly total: number; readonly positions: Readonly<Record<string, string>> }
  | { readonly type: 'failed'; readonly error: string }
