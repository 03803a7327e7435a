// What electing a candidate really deletes, once the dead leader's own log has been read: every data record the
// dead leader holds at or above the offset it will truncate to when it rejoins as the candidate's follower.
// That offset is the candidate's log end only when the candidate's log is a prefix of the dead leader's; after
// earlier elections the two logs can hold different records at the same offsets, and Kafka then truncates where
// their leader epochs diverge. The truncation is computed the way Kafka's follower computes it (the leader's
// answer for the follower's latest epoch, then the follower's own end of the epoch the leader named, repeated
// while the follower does not know that epoch). Pure: logs and batches in, counts out.

import type { EpochStart, LogEntry } from '../kafka/log-dir/types.ts'
import type { RecordBatch } from '../kafka/records.ts'
import { OpenTransactions } from './transaction-runs.ts'

/** A replica's log as far as it is known: its end, and its leader-epoch history when it could be read. */
export interface ReplicaHistory {
  readonly logEndOffset: bigint
  /** The full epoch history (leader-epoch-checkpoint as loaded); null when unknown. */
  readonly epochs: readonly EpochStart[] | null
  /** The newest epoch it holds records of (ListOffsets reports it with the log end); used when `epochs` is null. */
  readonly latestEpoch?: number | null
}

export interface Candidate extends ReplicaHistory {
  readonly broker: number
}

/**
 * Where the dead leader's log will be cut. `basis` says how sure that is: `epochs` (both histories known, as Kafka
 * computes it), `latest-epoch` (the candidate's newest epoch settles it), `log-end` (nothing known about the
 * candidate's epochs: its log is taken to be a prefix of the dead leader's, as it is unless an earlier unclean
 * election gave it records the dead leader never had). `unknown`: the histories diverge below what is known;
 * the cut is at or below `atMost`.
 */
export type Truncation =
  | { readonly basis: 'epochs' | 'latest-epoch' | 'log-end'; readonly offset: bigint; readonly diverged: boolean }
  | { readonly basis: 'unknown'; readonly atMost: bigint; readonly why: string }

interface EpochEnd {
  readonly epoch: number
  readonly endOffset: bigint
}

/**
 * Kafka's answer to "where does epoch `requested` end in this log" (the leader-epoch cache's end offset lookup):
 * the current epoch ends at the log end; an older one at the start of the next epoch, named by the largest epoch
 * at or below the one asked; null (undefined on the wire) when the log has no epoch above the one asked.
 */
export function endOffsetForEpoch(epochs: readonly EpochStart[], logEndOffset: bigint, requested: number): EpochEnd | null {
  const latest = epochs.at(-1)
  if (latest !== undefined && latest.epoch === requested) return { epoch: requested, endOffset: logEndOffset }
  const higher = epochs.find((e) => e.epoch > requested)
  if (higher === undefined) return null
  const floor = epochs.findLast((e) => e.epoch <= requested)
  return { epoch: floor?.epoch ?? requested, endOffset: higher.startOffset }
}

const min = (a: bigint, b: bigint): bigint => (a < b ? a : b)

/** The dead leader's truncation offset if `candidate` is elected and the dead leader later rejoins as its follower. */
export function truncationOffset(dead: ReplicaHistory & { readonly epochs: readonly EpochStart[] }, candidate: ReplicaHistory): Truncation {
  const prefix = min(candidate.logEndOffset, dead.logEndOffset)
  let followerEpochs = [...dead.epochs]
  let followerEnd = dead.logEndOffset
  // The epoch the candidate starts as leader: above every epoch either side has seen; it starts at its log end.
  const known = candidate.epochs ?? null
  const newestSeen = Math.max(followerEpochs.at(-1)?.epoch ?? -1, known?.at(-1)?.epoch ?? -1, candidate.latestEpoch ?? -1)
  const leaderNew: EpochStart = { epoch: newestSeen + 1, startOffset: candidate.logEndOffset }
  if (known === null && (candidate.latestEpoch ?? null) === null) return { basis: 'log-end', offset: prefix, diverged: false }
  const basis = known === null ? 'latest-epoch' : 'epochs'
  // Each round trims at least one epoch from the follower, so the loop ends within its epoch count.
  for (let round = 0; round <= dead.epochs.length + 1; round++) {
    const asked = followerEpochs.at(-1)
    // A follower without epochs (a log from before message format 2) is cut to the candidate's end.
    if (asked === undefined) return { basis, offset: min(candidate.logEndOffset, followerEnd), diverged: followerEnd < dead.logEndOffset }
    const answer = leaderAnswer(known, candidate, leaderNew, asked.epoch)
    if (answer === 'unknown') return { basis: 'unknown', atMost: min(followerEnd, candidate.logEndOffset), why: unknownWhy(candidate, asked.epoch) }
    if (answer === null) return { basis, offset: min(candidate.logEndOffset, followerEnd), diverged: false }
    const own = endOffsetForEpoch(followerEpochs, followerEnd, answer.epoch)
    if (own === null || own.epoch === answer.epoch) {
      const offset = min(min(own?.endOffset ?? answer.endOffset, answer.endOffset), followerEnd)
      return { basis, offset, diverged: offset < prefix }
    }
    // The follower never had the epoch the leader named: cut to where its own older epoch ends, and ask again.
    followerEnd = min(own.endOffset, followerEnd)
    followerEpochs = followerEpochs.filter((e) => e.startOffset < followerEnd)
  }
  return { basis: 'unknown', atMost: min(followerEnd, candidate.logEndOffset), why: 'the epoch histories did not settle' }
}

/** The candidate-as-leader's answer for `requested`, from its full history, or from its newest epoch alone when that settles it. */
function leaderAnswer(known: readonly EpochStart[] | null, candidate: ReplicaHistory, leaderNew: EpochStart, requested: number): EpochEnd | null | 'unknown' {
  if (known !== null) return endOffsetForEpoch([...known, leaderNew], candidate.logEndOffset, requested)
  const latest = candidate.latestEpoch!
  // Every epoch the candidate holds is at or below its newest, and the next one (its leadership) starts at its end.
  if (latest <= requested) return { epoch: latest, endOffset: candidate.logEndOffset }
  return 'unknown'
}

function unknownWhy(candidate: ReplicaHistory, asked: number): string {
  if (candidate.epochs === null && candidate.latestEpoch !== null && candidate.latestEpoch !== undefined)
    return `the candidate holds records of epoch ${candidate.latestEpoch}, which the dead leader's log does not have below epoch ${asked}: its older epochs decide where the logs diverge`
  return 'the logs diverge below what is known of the candidate'
}

/** What the dead leader holds at and above one candidate's truncation offset. */
export interface ExactLoss {
  readonly broker: number
  readonly truncation: Truncation
  /** The cut counted from: the truncation offset, or its upper bound when it is not known exactly. */
  readonly fromOffset: bigint
  /** Data records (transaction markers are not records) the dead leader holds at or above `fromOffset`. */
  readonly records: number
  /** `records` is a lower bound: the truncation is only bounded, older-format batches could not be counted, or the log was damaged. */
  readonly atLeast: boolean
  readonly first: { readonly offset: bigint; readonly timestamp: number } | null
  readonly last: { readonly offset: bigint; readonly timestamp: number } | null
  readonly newestTimestamp: number | null
  readonly oldestTimestamp: number | null
  /** Producer id → records it wrote among the lost; -1 collects producers that are neither idempotent nor transactional. */
  readonly producers: ReadonlyMap<bigint, number>
  /** Lost transactional records by how their transaction ended in the dead leader's log. */
  readonly transactional: { readonly committed: number; readonly aborted: number; readonly open: number }
  /**
   * Markers lost for transactions that wrote nothing at or above the cut: their records (if any) lie below it and
   * stay on the candidate, which never sees the transaction end. Such a transaction hangs (read_committed
   * consumers stop at it) until it is aborted by hand (kafka-transactions abort).
   */
  readonly orphanedTransactions: readonly { readonly producerId: bigint; readonly marker: 'commit' | 'abort'; readonly offset: bigint }[]
  /** Entries that could not be counted: magic 0/1 batches above the cut, or where reading stopped at a damaged batch. */
  readonly uncounted: readonly string[]
}

/** One candidate's loss as read from the dead leader's files (JSON-friendly: producers as a list). */
export interface CandidateExactLoss {
  /** The dead replica whose log was read (the one holding the most records). */
  readonly deadBroker: number
  readonly deadLogEnd: bigint
  /** Where the dead replica's log is cut when it follows this candidate. */
  readonly truncateFrom: bigint
  /** Every record electing this candidate deletes: `fromDeadLog` plus `fromLiveReplica`. */
  readonly records: number
  /** Data records the dead replica holds at or above `truncateFrom` (transaction markers are not records). */
  readonly fromDeadLog: number
  /** Offsets a live replica holds beyond the dead log's end (and beyond this candidate's): lost as well. */
  readonly fromLiveReplica: number
  /** A lower bound: the cut is only bounded, or some batches could not be counted. */
  readonly atLeast: boolean
  /**
   * Where the candidate's log parts from the dead leader's, below the candidate's own end: it holds records of a
   * leader epoch the dead leader never had (an earlier unclean election), and the cut is there. Null: a prefix.
   */
  readonly divergedAt: bigint | null
  /** Why the cut is only bounded (the candidate's epochs could not settle it); null when it is exact. */
  readonly cutBounded: string | null
  readonly first: { readonly offset: bigint; readonly timestamp: number } | null
  readonly last: { readonly offset: bigint; readonly timestamp: number } | null
  readonly oldestTimestamp: number | null
  readonly newestTimestamp: number | null
  readonly producers: readonly { readonly producerId: bigint; readonly records: number }[]
  readonly transactional: { readonly committed: number; readonly aborted: number; readonly open: number }
  /** Transactions whose commit or abort marker is cut away while their records stay: they hang until aborted by hand. */
  readonly orphanedTransactions: number
  readonly uncounted: readonly string[]
}

interface Counter {
  readonly broker: number
  readonly truncation: Truncation
  readonly from: bigint
  records: number
  first: { offset: bigint; timestamp: number } | null
  last: { offset: bigint; timestamp: number } | null
  newest: number | null
  oldest: number | null
  readonly producers: Map<bigint, number>
  /** Lost transactional records per open transaction (one count per batch). */
  readonly pending: OpenTransactions<number>
  /** Lost transactional records of transactions whose end is not in the log (a later epoch began another). */
  unended: number
  committed: number
  aborted: number
  readonly orphaned: { producerId: bigint; marker: 'commit' | 'abort'; offset: bigint }[]
  readonly uncounted: string[]
}

/**
 * Counts, batch by batch, what each candidate's election deletes from the dead leader's log. Feed it the dead
 * leader's entries from `lowestOffset()` on, in order; the payloads are not kept, so memory stays small.
 */
export class ExactLossTally {
  readonly #counters: Counter[]

  constructor(dead: ReplicaHistory & { readonly epochs: readonly EpochStart[] }, candidates: readonly Candidate[]) {
    this.#counters = candidates.map((candidate) => {
      const truncation = truncationOffset(dead, candidate)
      return {
        broker: candidate.broker,
        truncation,
        from: truncation.basis === 'unknown' ? truncation.atMost : truncation.offset,
        records: 0,
        first: null,
        last: null,
        newest: null,
        oldest: null,
        producers: new Map(),
        pending: new OpenTransactions<number>(),
        unended: 0,
        committed: 0,
        aborted: 0,
        orphaned: [],
        uncounted: [],
      }
    })
  }

  /** The offset to read the dead leader's log from: the lowest cut among the candidates. */
  lowestOffset(): bigint | null {
    return this.#counters.reduce<bigint | null>((low, c) => (low === null || c.from < low ? c.from : low), null)
  }

  add(entry: LogEntry): void {
    for (const counter of this.#counters) {
      if (entry.kind === 'invalid') counter.uncounted.push(`reading stopped at ${entry.segment} byte ${entry.position}: ${entry.reason}`)
      else if (entry.kind === 'legacy') {
        if (entry.offset >= counter.from) counter.uncounted.push(`a magic ${entry.magic} batch ending at offset ${entry.offset}`)
      } else if (entry.batch.lastOffset >= counter.from) countBatch(counter, entry.batch)
    }
  }

  results(): ExactLoss[] {
    return this.#counters.map((c) => ({
      broker: c.broker,
      truncation: c.truncation,
      fromOffset: c.from,
      records: c.records,
      atLeast: c.truncation.basis === 'unknown' || c.uncounted.length > 0,
      first: c.first,
      last: c.last,
      newestTimestamp: c.newest,
      oldestTimestamp: c.oldest,
      producers: new Map(c.producers),
      transactional: { committed: c.committed, aborted: c.aborted, open: c.pending.stillOpen().reduce((sum, [, t]) => sum + total(t.items), c.unended) },
      orphanedTransactions: [...c.orphaned],
      uncounted: [...c.uncounted],
    }))
  }
}

const total = (counts: readonly number[]) => counts.reduce((sum, n) => sum + n, 0)

function countBatch(counter: Counter, batch: RecordBatch): void {
  if (batch.control) {
    for (const marker of batch.markers) {
      if (marker.offset < counter.from) continue
      const ended = counter.pending.end(batch.producerId)
      if (ended === null) counter.orphaned.push({ producerId: batch.producerId, marker: marker.type, offset: marker.offset })
      else if (marker.type === 'commit') counter.committed += total(ended.items)
      else counter.aborted += total(ended.items)
    }
    return
  }
  let lost = 0
  for (const record of batch.records) {
    if (record.offset < counter.from) continue
    lost++
    const at = { offset: record.offset, timestamp: record.timestamp }
    counter.first ??= at
    counter.last = at
    if (counter.newest === null || record.timestamp > counter.newest) counter.newest = record.timestamp
    if (counter.oldest === null || record.timestamp < counter.oldest) counter.oldest = record.timestamp
  }
  if (lost === 0) return
  counter.records += lost
  counter.producers.set(batch.producerId, (counter.producers.get(batch.producerId) ?? 0) + lost)
  if (!batch.transactional) return
  const unended = counter.pending.add(batch.producerId, batch.producerEpoch, lost)
  if (unended) counter.unended += total(unended.items)
}

/** Prices every candidate from entries already in memory (tests, small logs); streaming callers use ExactLossTally. */
export function priceExactLoss(
  dead: ReplicaHistory & { readonly epochs: readonly EpochStart[] },
  candidates: readonly Candidate[],
  entries: Iterable<LogEntry>,
): ExactLoss[] {
  const tally = new ExactLossTally(dead, candidates)
  for (const entry of entries) tally.add(entry)
  return tally.results()
}
