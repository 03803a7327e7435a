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
  /** kafkajs retries per send (default 8). */
  readonly retries?: number
  /**
   * stop (default): a send that fails for good ends the workload. continue: its records are never acknowledged
   * (the service reports them failed) and the next ones are sent on schedule — a service that keeps taking
   * requests while some partitions have no leader.
   */
  readonly onSendFailure?: 'stop' | 'continue'
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

/**
 * A transactional producer (exactly-once style): commits transactions of `recordsPerTransaction` records spread
 * over `partitions`, one every `transactionIntervalMs`; after `holdAfter` commits it begins one more, writes it,
 * reports `holding` and never ends it — the moment a drill or test SIGKILLs it, leaving the transaction open
 * until its coordinator times it out (`transactionTimeoutMs`).
 */
export interface TransactionalProducerConfig {
  readonly kind: 'transactional-producer'
  readonly bootstrap: readonly string[]
  readonly clientId: string
  readonly topic: string
  readonly partitions: readonly number[]
  readonly transactionalId: string
  readonly transactionTimeoutMs: number
  readonly recordsPerTransaction: number
  readonly transactionIntervalMs: number
  /** Commits before the transaction it leaves open; omitted: it commits until stopped. */
  readonly holdAfter?: number
  /** Where every committed record is ledgered (AckedEntry), after its commit returned. */
  readonly ledger?: string
}

export type WorkloadConfig = ProducerConfig | ConsumerConfig | TransactionalProducerConfig

/** One partition's share of the transaction a producer holds open. */
export interface HeldPartition {
  readonly partition: number
  /** Offset of its first record in the open transaction (where the last stable offset stops). */
  readonly firstOffset: string
  readonly records: number
}

export type WorkloadMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'acked'; readonly total: number }
  /** A send failed for good (onSendFailure: continue): `total` records so far were never acknowledged. */
  | { readonly type: 'unacked'; readonly total: number; readonly error: string }
  /** After each offset commit: records the commit covers that are still only in memory. */
  | { readonly type: 'committed'; readonly atRisk: number; readonly buffered: number; readonly processed: number }
  | { readonly type: 'processed'; readonly total: number; readonly positions: Readonly<Record<string, string>> }
  | { readonly type: 'failed'; readonly error: string }
  /** A producer paused on request: no send of its is outstanding, `total` records acknowledged so far. */
  | { readonly type: 'paused'; readonly total: number }
  /** A transactional producer committed its `total`-th transaction. */
  | { readonly type: 'transaction-committed'; readonly total: number }
  /** A transactional producer wrote a transaction it will not end. */
  | { readonly type: 'holding'; readonly transactionalId: string; readonly partitions: readonly HeldPartition[] }

/** What the drill asks of a workload over IPC: a producer stops sending (and says so once its last send resolved), or sends again. */
export type WorkloadControl = { readonly type: 'pause' } | { readonly type: 'resume' }
