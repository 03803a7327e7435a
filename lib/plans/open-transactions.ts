// Partitions whose last stable offset (LSO) lags the high watermark, and why: each open transaction there,
// judged by what its coordinator knows. Pure: the snapshot the readers fill in, a verdict per transaction.
//
// An open transaction ends in one of three ways, and only two come by themselves:
// - its producer commits or aborts it (a live producer does, usually within a second or so);
// - its coordinator aborts it once it has been open for its timeout (checked every
//   transaction.abort.timed.out.transaction.cleanup.interval.ms), whether the producer is gone or not;
// - nobody ends it: the coordinator does not know the producer id, or knows the id but not this partition
//   in its current transaction (a "hanging" transaction). Only an abort marker written on the partition helps.
//
// "Hanging" is decided as Kafka's `kafka-transactions find-hanging` decides it (TransactionsCommand in Kafka's
// tools): the producer id of an open transaction is looked up with ListTransactions on every broker; no
// transactional id, an id its coordinator no longer describes, or a description whose partitions leave this
// one out, is hanging. find-hanging lists only those whose producer last wrote longer ago than the maximum
// transaction timeout (no legitimate transaction is open that long); `pastMaxTimeout` says which those are.

import type { TopicPartition, TransactionDescription } from '../kafka/types.ts'

/** One producer's open transaction on one partition, as the partition's leader reports it. */
export interface OpenTransaction {
  readonly producerId: bigint
  readonly producerEpoch: number
  /** null before the first marker this producer got on the partition. */
  readonly coordinatorEpoch: number | null
  /** Its first offset here: where read_committed readers stop. */
  readonly startOffset: bigint
  /** When the producer last wrote here (its batch's timestamp); null when unknown. */
  readonly lastWriteMs: number | null
}

/** A partition whose last stable offset is below its high watermark. */
export interface StuckPartition extends TopicPartition {
  readonly highWatermark: bigint
  readonly lastStableOffset: bigint
  /** The open transactions its leader reports; null when the leader could not be asked (see `error`). */
  readonly transactions: readonly OpenTransaction[] | null
  readonly error: string | null
}

/** A transactional id as its coordinator describes it. */
export type CoordinatorDescription = Omit<TransactionDescription, 'error'>

export interface OpenTransactionsSnapshot {
  readonly takenAtMs: number
  readonly partitions: readonly StuckPartition[]
  /** Partitions whose offsets could not be read (no leader...), so whether they are stuck is not known. */
  readonly unread: readonly { readonly topic: string; readonly partition: number | null; readonly error: string }[]
  /** Producer id → transactional id, from ListTransactions filtered on the open transactions' producer ids. */
  readonly transactionalIds: ReadonlyMap<bigint, string>
  /** Brokers whose ListTransactions failed: a producer id not found might be one they coordinate. */
  readonly unlistedBrokers: readonly { readonly broker: number; readonly error: string }[]
  /** What each found transactional id's coordinator answers: a description, or the error (TRANSACTIONAL_ID_NOT_FOUND...). */
  readonly descriptions: ReadonlyMap<string, CoordinatorDescription | { readonly error: { readonly name: string; readonly message: string } }>
  /** transaction.max.timeout.ms as the brokers run it: no transaction may be open longer. */
  readonly maxTransactionTimeoutMs: number
  /** transaction.abort.timed.out.transaction.cleanup.interval.ms: how often coordinators look for timed-out transactions. */
  readonly abortCheckIntervalMs: number
}

export type Verdict =
  /** The coordinator has this partition in the id's current transaction, and the producer wrote lately: it ends by itself. */
  | {
      readonly kind: 'ongoing'
      readonly transactionalId: string
      /** When the coordinator aborts it if the producer does not end it first (start + timeout); the abort comes within `abortCheckIntervalMs` after. */
      readonly deadlineMs: number
      readonly idleMs: number | null
    }
  /** As ongoing, but the producer has written nothing for longer than the idle limit: the coordinator will abort it at the deadline. */
  | { readonly kind: 'producer-gone'; readonly transactionalId: string; readonly deadlineMs: number; readonly idleMs: number | null }
  /** The coordinator is writing this transaction's markers (PrepareCommit, PrepareAbort, PrepareEpochFence). */
  | { readonly kind: 'completing'; readonly transactionalId: string; readonly state: string }
  /** Nobody will end it. */
  | {
      readonly kind: 'hanging'
      readonly reason: 'no-transactional-id' | 'transactional-id-not-found' | 'partition-not-in-transaction'
      readonly transactionalId: string | null
      /** The coordinator's current state and epoch for the id, when it describes it. */
      readonly coordinatorState: string | null
      readonly coordinatorEpochOfId: number | null
      /** The producer last wrote here longer ago than transaction.max.timeout.ms (what find-hanging requires). */
      readonly pastMaxTimeout: boolean
    }
  /** The coordinators could not be asked enough to tell. */
  | { readonly kind: 'unknown'; readonly why: string }

export interface ClassifiedTransaction extends OpenTransaction {
  readonly verdict: Verdict
}

export interface StuckPartitionFinding extends TopicPartition {
  readonly highWatermark: bigint
  readonly lastStableOffset: bigint
  /** Offsets between the LSO and the high watermark (records and markers) that read_committed readers wait for. */
  readonly offsetsBehind: bigint
  /** Earliest first: the first holds the LSO. */
  readonly transactions: readonly ClassifiedTransaction[] | null
  /**
   * When the LSO reaches the high watermark if nothing is done: the latest deadline of its open transactions
   * plus the coordinators' check interval; null when one of them never ends (or cannot be told).
   */
  readonly unblockedByMs: number | null
  readonly error: string | null
}

export interface ClassifyOptions {
  /**
   * A transaction whose producer wrote nothing for this long is judged gone. Live transactional producers write
   * or commit far more often (Kafka Streams commits every 100 ms under exactly-once; Flink at each checkpoint).
   */
  readonly producerIdleMs?: number
}

export const defaultProducerIdleMs = 60_000

const completingStates = new Set(['PrepareCommit', 'PrepareAbort', 'PrepareEpochFence'])

const includes = (partitions: readonly TopicPartition[], tp: TopicPartition) => partitions.some((p) => p.topic === tp.topic && p.partition === tp.partition)

/** The verdict on one open transaction, from what its coordinator knows. */
export function judgeTransaction(snapshot: OpenTransactionsSnapshot, tp: TopicPartition, open: OpenTransaction, options: ClassifyOptions = {}): Verdict {
  const now = snapshot.takenAtMs
  const idleMs = open.lastWriteMs === null ? null : Math.max(0, now - open.lastWriteMs)
  const pastMaxTimeout = idleMs !== null && idleMs > snapshot.maxTransactionTimeoutMs
  const transactionalId = snapshot.transactionalIds.get(open.producerId) ?? null
  if (transactionalId === null) {
    if (snapshot.unlistedBrokers.length > 0) {
      const brokers = snapshot.unlistedBrokers.map((b) => b.broker).join(', ')
      return { kind: 'unknown', why: `no coordinator that answered knows producer ${open.producerId}, and broker(s) ${brokers} did not answer` }
    }
    return { kind: 'hanging', reason: 'no-transactional-id', transactionalId, coordinatorState: null, coordinatorEpochOfId: null, pastMaxTimeout }
  }
  const description = snapshot.descriptions.get(transactionalId)
  if (!description) return { kind: 'unknown', why: `transactional id ${transactionalId} was not described` }
  if ('error' in description) {
    if (description.error.name !== 'TRANSACTIONAL_ID_NOT_FOUND')
      return { kind: 'unknown', why: `its coordinator could not describe ${transactionalId}: ${description.error.message}` }
    return { kind: 'hanging', reason: 'transactional-id-not-found', transactionalId, coordinatorState: null, coordinatorEpochOfId: null, pastMaxTimeout }
  }
  if (!includes(description.partitions, tp)) {
    return {
      kind: 'hanging',
      reason: 'partition-not-in-transaction',
      transactionalId,
      coordinatorState: description.state,
      coordinatorEpochOfId: description.producerEpoch,
      pastMaxTimeout,
    }
  }
  if (completingStates.has(description.state)) return { kind: 'completing', transactionalId, state: description.state }
  const deadlineMs = (description.startTimeMs ?? now) + description.timeoutMs
  const gone = idleMs !== null && idleMs >= (options.producerIdleMs ?? defaultProducerIdleMs)
  return { kind: gone ? 'producer-gone' : 'ongoing', transactionalId, deadlineMs, idleMs }
}

/** Each stuck partition with its open transactions judged, and when (if ever) its LSO catches up by itself. */
export function classifyOpenTransactions(snapshot: OpenTransactionsSnapshot, options: ClassifyOptions = {}): StuckPartitionFinding[] {
  return snapshot.partitions.map((partition): StuckPartitionFinding => {
    const base = {
      topic: partition.topic,
      partition: partition.partition,
      highWatermark: partition.highWatermark,
      lastStableOffset: partition.lastStableOffset,
      offsetsBehind: partition.highWatermark - partition.lastStableOffset,
      error: partition.error,
    }
    if (partition.transactions === null) return { ...base, transactions: null, unblockedByMs: null }
    const transactions = [...partition.transactions]
      .sort((a, b) => (a.startOffset < b.startOffset ? -1 : a.startOffset > b.startOffset ? 1 : 0))
      .map((open): ClassifiedTransaction => ({ ...open, verdict: judgeTransaction(snapshot, partition, open, options) }))
    return { ...base, transactions, unblockedByMs: unblockedBy(snapshot, transactions) }
  })
}

function unblockedBy(snapshot: OpenTransactionsSnapshot, transactions: readonly ClassifiedTransaction[]): number | null {
  let latest = snapshot.takenAtMs
  for (const { verdict } of transactions) {
    if (verdict.kind === 'hanging' || verdict.kind === 'unknown') return null
    if (verdict.kind === 'completing') continue
    latest = Math.max(latest, verdict.deadlineMs + snapshot.abortCheckIntervalMs)
  }
  return latest
}

/** A consumer group's committed offset on a stuck partition, and what it means there. */
export interface GroupAtPartition extends TopicPartition {
  readonly groupId: string
  readonly committed: bigint
  /**
   * waiting: committed at the LSO, or below it with nothing but markers in between, so a read_committed consumer
   * is held there (its lag grows while the high watermark moves); past: committed beyond the open transaction's
   * first offset, so it read (some of) the open records uncommitted; behind: records still to read below the LSO.
   */
  readonly where: 'waiting' | 'past' | 'behind'
  /** High watermark minus its committed offset, now. */
  readonly lag: bigint
  /** How much its lag grew between the two samples; null with one sample. */
  readonly lagGrowth: bigint | null
}

const partitionKeyOf = (tp: TopicPartition) => `${tp.topic}:${tp.partition}`

/**
 * Where each group that committed on a stuck partition stands against its last stable offset: the groups held
 * there, the ones that already read past the open transaction (read_uncommitted), and the ones still behind.
 * `earlier` is the first sample's high watermarks, for whether the lag grows; `recordsLeft` says, for a commit
 * below the LSO ("group topic:partition"), whether read_committed records remain before the LSO (absent: yes).
 */
export function groupsAtStuckPartitions(
  findings: readonly StuckPartitionFinding[],
  commits: readonly { readonly groupId: string; readonly offsets: readonly (TopicPartition & { readonly offset: bigint })[] }[],
  earlier: ReadonlyMap<string, bigint> = new Map(),
  recordsLeft: ReadonlyMap<string, boolean> = new Map(),
): GroupAtPartition[] {
  const byPartition = new Map(findings.map((f) => [partitionKeyOf(f), f]))
  const found: GroupAtPartition[] = []
  for (const { groupId, offsets } of commits) {
    for (const commit of offsets) {
      const finding = byPartition.get(partitionKeyOf(commit))
      if (!finding || commit.offset < 0n) continue
      const below = commit.offset < finding.lastStableOffset
      const where =
        commit.offset > finding.lastStableOffset ? 'past' : below && recordsLeft.get(`${groupId} ${partitionKeyOf(commit)}`) !== false ? 'behind' : 'waiting'
      const before = earlier.get(partitionKeyOf(commit))
      found.push({
        topic: commit.topic,
        partition: commit.partition,
        groupId,
        committed: commit.offset,
        where,
        lag: finding.highWatermark - commit.offset,
        lagGrowth: before === undefined || where !== 'waiting' ? null : finding.highWatermark - before,
      })
    }
  }
  return found.sort((a, b) => a.groupId.localeCompare(b.groupId) || a.topic.localeCompare(b.topic) || a.partition - b.partition)
}

/** The commits below a stuck partition's LSO, for which a reader tells whether records remain before it. */
export function commitsBelowLso(
  findings: readonly StuckPartitionFinding[],
  commits: readonly { readonly groupId: string; readonly offsets: readonly (TopicPartition & { readonly offset: bigint })[] }[],
): (TopicPartition & { readonly key: string; readonly from: bigint; readonly to: bigint })[] {
  const byPartition = new Map(findings.map((f) => [partitionKeyOf(f), f]))
  return commits.flatMap(({ groupId, offsets }) =>
    offsets.flatMap((c) => {
      const f = byPartition.get(partitionKeyOf(c))
      return f && c.offset >= 0n && c.offset < f.lastStableOffset
        ? [{ topic: c.topic, partition: c.partition, key: `${groupId} ${partitionKeyOf(c)}`, from: c.offset, to: f.lastStableOffset }]
        : []
    }),
  )
}

/** The transaction holding a stuck partition's LSO (its earliest open one), or null. */
export const holdingTransaction = (finding: StuckPartitionFinding): ClassifiedTransaction | null =>
  finding.transactions?.find((t) => t.startOffset === finding.lastStableOffset) ?? finding.transactions?.[0] ?? null

/** Which way ends a transaction given its verdict: fence through its coordinator, abort on the partition, or wait. */
export function wayToEnd(verdict: Verdict): 'wait' | 'fence' | 'abort' | null {
  switch (verdict.kind) {
    case 'ongoing':
    case 'completing':
      return 'wait'
    case 'producer-gone':
      return 'fence'
    case 'hanging':
      return 'abort'
    case 'unknown':
      return null
  }
}
