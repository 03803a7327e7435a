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
  /** How long a fetch waits for records on the broker (kafkajs default 5 s; a clean stop waits for it too). */
  readonly maxWaitTimeMs?: number
  /**
   * The OOM moment, made exact: once nudged (SIGUSR2), the first commit covering this many records (default 1) still
   * in memory stalls the service — nothing is written out any more (write-buffer.ts) — and its `committed` message
   * says `stalled`: the drill SIGKILLs it then, before any write-out can save them.
   */
  readonly stallAfterCommitAtRisk?: number
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
  /** Commits before the transaction it leaves open; omitted: it commits until stopped, or until SIGUSR2 asks it to hold the next one. */
  readonly holdAfter?: number
  /** Where every committed record is ledgered (AckedEntry), after its commit returned. */
  readonly ledger?: string
  /** The first sequence number (default 0): producers sharing a topic and a consumer's ledger each get their own range. */
  readonly firstSeq?: number
}

/**
 * A service whose downstream slows down: it handles each record inside eachMessage (kafkajs auto-commit then
 * covers only handled records) and ledgers it; once it has handled `outageAfterRecords` records, every record
 * takes `outageMsPerRecord` for `outageMs` (the downstream "outage"), then it handles at full speed again. It
 * does not read from the beginning, so kafkajs resets an out-of-range position to the log end (latest).
 */
export interface SlowConsumerConfig {
  readonly kind: 'slow-consumer'
  readonly bootstrap: readonly string[]
  readonly topic: string
  readonly groupId: string
  readonly ledger: string
  readonly clientId: string
  readonly sessionTimeoutMs: number
  readonly autoCommitIntervalMs: number
  readonly outageAfterRecords: number
  readonly outageMs: number
  readonly outageMsPerRecord: number
}

/**
 * An order service that handles each record inside its handler and commits it right after (auto-commit off), so
 * its committed offset stands exactly at a record it cannot handle: anything that is not JSON makes it crash —
 * it reports `crashed`, leaves the group and exits 1, like a service whose deserializer throws.
 */
export interface OrderServiceConfig {
  readonly kind: 'order-service'
  readonly bootstrap: readonly string[]
  readonly topic: string
  readonly groupId: string
  /** Every record handled (ProcessedEntry; seq -1 for JSON without a seq), appended before its commit. */
  readonly ledger: string
  /** Which start of the service this is (1 = first, then every restart). */
  readonly instance: number
  readonly clientId: string
  readonly sessionTimeoutMs: number
  /** Restart the consumer inside the process this long after a crash, instead of exiting (default: exit 1). */
  readonly restartInProcessMs?: number
}

export type WorkloadConfig = ProducerConfig | ConsumerConfig | TransactionalProducerConfig | SlowConsumerConfig | OrderServiceConfig

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
  /** After each offset commit: records the commit covers that are still only in memory; `stalled`: nothing is written out any more. */
  | { readonly type: 'committed'; readonly atRisk: number; readonly buffered: number; readonly processed: number; readonly stalled: boolean }
  | { readonly type: 'processed'; readonly total: number; readonly positions: Readonly<Record<string, string>> }
  | { readonly type: 'failed'; readonly error: string }
  /** A slow consumer's downstream outage: when it began and when it ends (ms since the epoch). */
  | { readonly type: 'outage'; readonly fromMs: number; readonly untilMs: number }
  /** An order service could not handle the record at partition/offset and is about to exit. */
  | { readonly type: 'crashed'; readonly partition: number; readonly offset: string; readonly error: string }
  /** A producer paused on request: no send of its is outstanding, `total` records acknowledged so far. */
  | { readonly type: 'paused'; readonly total: number }
  /** A transactional producer committed its `total`-th transaction. */
  | { readonly type: 'transaction-committed'; readonly total: number }
  /** A transactional producer wrote a transaction it will not end. */
  | { readonly type: 'holding'; readonly transactionalId: string; readonly partitions: readonly HeldPartition[] }

/** What the drill asks of a workload over IPC: a producer stops sending (and says so once its last send resolved), or sends again. */
export type WorkloadControl = { readonly type: 'pause' } | { readonly type: 'resume' }
