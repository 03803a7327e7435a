// PURE: salvaging the records an election (or a restart) deletes from a dead leader's log. Which records — those
// the dead leader holds from where it will be cut to its log end — and, once the partitions lead again, where
// their copies go: a salvage topic created like the source (default `<topic>.salvaged`) or the original topic,
// each copy carrying headers that name where it came from.

import type { KafkaRecord, RecordHeader } from '../kafka/records.ts'
import type { SalvageMarker, TransactionOutcome, TransactionOutcomeKind } from '../kafka/salvage-file.ts'
import type { ProduceRecord, TopicPartition } from '../kafka/types.ts'
import { copyPartition, type CopyTopic, defaultMaxMessageBytes, numberSetting, planCopyTopic, type TopicFacts } from './copy-topic.ts'
import type { CandidateExactLoss } from './exact-loss.ts'
import { type OpenTransaction, OpenTransactions } from './transaction-runs.ts'

/** Header keys every re-produced record carries after its own headers, in this order. */
export const salvageHeaders = {
  topic: 'salvage.original.topic',
  partition: 'salvage.original.partition',
  offset: 'salvage.original.offset',
  leaderEpoch: 'salvage.original.leader-epoch',
} as const

/** The default salvage topic of a source topic. */
export const salvageTopicOf = (topic: string): string => `${topic}.salvaged`

/** The answer that sends each record back to its own topic. */
export const originalTopicAnswer = 'original'

/** A consumer group that had read into the records the cut deletes (its committed offset lies above the cut). */
export interface GroupReadInto {
  readonly groupId: string
  readonly committed: bigint
}

/** One partition's records to copy out of a dead replica's folder before anything cuts them. */
export interface SalvageTarget extends TopicPartition {
  readonly deadBroker: number
  readonly logDir: string
  /** Where the dead replica's log will be cut: the first offset copied. */
  readonly fromOffset: bigint
  /** The dead replica's log end as read: every record below it from `fromOffset` on is copied. */
  readonly toOffset: bigint
  /** Data records the estimate counted there (transaction markers are not records). */
  readonly records: number
  /** The broker that will lead, whose history the dead replica follows. */
  readonly newLeader: number
  readonly how: 'elect' | 'wait' | 'flag'
  /** Groups whose committed offset is above the cut: their consumers already had some of these records. */
  readonly readBy: readonly GroupReadInto[]
}

export interface SalvageChoice extends TopicPartition {
  readonly newLeader: number
  readonly how: SalvageTarget['how']
  /** What the dead replica loses when `newLeader` leads (from its own log); null when its folder was not read. */
  readonly loss: CandidateExactLoss | null
  readonly logDir: string | null
  readonly committed: readonly GroupReadInto[]
}

/** The partitions whose dead leader holds records the chosen way deletes, and exactly which offsets. */
export function planSalvageTargets(choices: readonly SalvageChoice[]): SalvageTarget[] {
  return choices.flatMap((c) => {
    if (!c.loss || c.logDir === null || c.loss.fromDeadLog === 0 || c.loss.truncateFrom >= c.loss.deadLogEnd) return []
    return [
      {
        topic: c.topic,
        partition: c.partition,
        deadBroker: c.loss.deadBroker,
        logDir: c.logDir,
        fromOffset: c.loss.truncateFrom,
        toOffset: c.loss.deadLogEnd,
        records: c.loss.fromDeadLog,
        newLeader: c.newLeader,
        how: c.how,
        readBy: c.committed.filter((g) => g.committed > c.loss!.truncateFrom).sort((a, b) => (a.committed > b.committed ? -1 : 1)),
      },
    ]
  })
}

/** Why the records are salvaged, in words (the salvage file's header says it too). */
export function salvageReason(t: SalvageTarget): string {
  const way =
    t.how === 'wait'
      ? `broker ${t.newLeader}'s return`
      : t.how === 'flag'
        ? `Kafka's unclean election of broker ${t.newLeader}`
        : `electing broker ${t.newLeader}`
  return `${way} truncates broker ${t.deadBroker}'s log to offset ${t.fromOffset} when it rejoins`
}

/** A salvage file this run wrote, as the re-produce plans from it. */
export interface SalvagedFile extends TopicPartition {
  readonly path: string
  readonly deadBroker: number
  readonly fromOffset: bigint
  readonly toOffset: bigint
  readonly records: number
  /** SHA-256 of the file as written (what the session's transcript records): a re-produce refuses a file changed since. */
  readonly sha256: string
  readonly readBy: readonly GroupReadInto[]
}

/** One partition's copies: from which file, to which topic and partition. */
export interface ReproduceStep {
  readonly source: TopicPartition
  readonly file: string
  readonly sha256: string
  readonly topic: string
  readonly partition: number
  /** Records written: those outside transactions and those of committed transactions. */
  readonly records: number
  /** The original offsets of the records written, in order: the apply writes exactly these. */
  readonly originalOffsets: readonly bigint[]
  /** Records written outside any transaction. */
  readonly plain: number
  /** Records of committed transactions, written as plain records (they lose their atomic grouping). */
  readonly committed: number
  /** Records of aborted transactions: never written (no consumer in read_committed ever saw them). */
  readonly aborted: number
  /** Records of transactions whose end is not known or had not come: kept in the file only. */
  readonly undecided: number
  /** The file's transactions, each with its outcome and who said so. */
  readonly transactions: readonly SalvageTransaction[]
  /** Transactions left open on the new leader because their marker was only in the dead leader's log. */
  readonly hanging: readonly HangingTransaction[]
  /** Records a consumer group had already read before the outage: sent to the original topic, they come twice. */
  readonly alreadyRead: number
  readonly firstOffset: bigint | null
  readonly lastOffset: bigint | null
}

export interface ReproducePlan {
  /** `salvage-topic`: a separate topic; `original`: back into each record's own topic. */
  readonly destination: 'salvage-topic' | 'original'
  /** The topics written to; `create` when this run creates it (and undo deletes it). */
  readonly topics: readonly { readonly topic: string; readonly create: CopyTopic | null; readonly timestampType: string | null }[]
  readonly steps: readonly ReproduceStep[]
  readonly records: number
}

export type ReproduceFault =
  | { readonly kind: 'too-small'; readonly topic: string; readonly maxMessageBytes: number; readonly neededBytes: number }
  | { readonly kind: 'not-whole'; readonly file: string; readonly problems: readonly string[] }
  | { readonly kind: 'source-missing'; readonly topic: string }
  | { readonly kind: 'under-min-isr'; readonly partitions: readonly string[]; readonly minIsr: number; readonly isr: number }

export function describeReproduceFault(f: ReproduceFault): string {
  switch (f.kind) {
    case 'too-small':
      return `${f.topic} takes messages of at most ${f.maxMessageBytes} bytes, and a salvaged record needs about ${f.neededBytes} — raise its max.message.bytes or choose another salvage-topic; nothing was written`
    case 'not-whole':
      return `${f.file} is not whole (${f.problems.slice(0, 2).join('; ')}) — nothing was written; look at the file, or copy the records again while the dead broker's folder is intact`
    case 'under-min-isr':
      return `${f.partitions.join(', ')} ${f.partitions.length === 1 ? 'has' : 'have'} ${f.isr} in-sync replica${f.isr === 1 ? '' : 's'} and min.insync.replicas=${f.minIsr}: Kafka refuses acks=all writes there until a replica catches up — rerun once the ISR is back (kafka-topics --describe), or choose the default <topic>.salvaged; nothing was written`
    case 'source-missing':
      return `topic ${f.topic} no longer exists, so a salvage topic cannot be created like it — give --set salvage-topic=<an existing topic>; nothing was written`
  }
}

/** A salvaged file read back, with the facts of the records in it. */
export interface SalvagedContents {
  readonly file: SalvagedFile
  readonly records: readonly KafkaRecord[]
  /** The transaction markers in the file (none in a version 1 file). */
  readonly markers?: readonly SalvageMarker[]
  /** What the copy learnt about transactions whose marker is not in the file. */
  readonly outcomes?: readonly TransactionOutcome[]
  /** What was learnt since, once the partition leads again: outcomes, and transactions open on the new leader. */
  readonly live?: LiveTransactionFacts
  readonly complete: boolean
  readonly problems: readonly string[]
}

/** The cluster's word on a salvaged partition's transactions, read after the election. */
export interface LiveTransactionFacts {
  readonly outcomes: readonly TransactionOutcome[]
  /** Producers with a transaction open on the partition's new leader (DescribeProducers). */
  readonly openOnLeader: readonly { readonly producerId: bigint; readonly producerEpoch: number; readonly startOffset: bigint }[]
}

/** One transaction with records in a salvage file. */
export interface SalvageTransaction {
  readonly producerId: bigint
  readonly producerEpoch: number
  readonly firstOffset: bigint
  readonly lastOffset: bigint
  readonly records: number
  readonly outcome: TransactionOutcomeKind
  /** `marker`: its marker is in the dead leader's log; otherwise who was asked. */
  readonly source: 'marker' | TransactionOutcome['source']
  readonly detail: string
}

/**
 * A transaction whose first records lie below the cut (so they stay on the new leader) and whose marker was only
 * in the dead leader's log: the new leader keeps it open, and its last stable offset stays pinned below it.
 */
export interface HangingTransaction {
  readonly producerId: bigint
  readonly producerEpoch: number
  /** Where it starts on the new leader, when the new leader said so; null when only the dead log tells of it. */
  readonly startOffset: bigint | null
  /** The marker the dead leader held for it, when it held one. */
  readonly marker: { readonly type: 'commit' | 'abort'; readonly offset: bigint } | null
}

/** Every salvaged record sorted by what a re-produce does with it, and the transactions behind them. */
export interface TransactionFates {
  readonly plain: readonly KafkaRecord[]
  readonly committed: readonly KafkaRecord[]
  readonly aborted: readonly KafkaRecord[]
  /** Open or unknown: not written by default. */
  readonly undecided: readonly KafkaRecord[]
  readonly transactions: readonly SalvageTransaction[]
  readonly hanging: readonly HangingTransaction[]
}

const decisive = (o: TransactionOutcome) => o.outcome === 'committed' || o.outcome === 'aborted'

/** The best word on one transaction: a committed or aborted answer first (the live one before the file's), then open. */
function outcomeOf(t: { producerId: bigint; producerEpoch: number; firstOffset: bigint }, said: readonly TransactionOutcome[]): TransactionOutcome | null {
  const about = said.filter((o) => o.producerId === t.producerId && o.producerEpoch === t.producerEpoch && o.firstOffset === t.firstOffset)
  return about.find(decisive) ?? about.find((o) => o.outcome === 'open') ?? about[0] ?? null
}

/**
 * Sorts a salvage file's records by their transaction's fate. In offset order, each producer's transactional
 * records belong to its open transaction until a marker of that producer ends it (commit or abort); an abort then
 * a commit by the same producer are two transactions. A transaction still open at the end of the file takes its
 * outcome from what the cluster said (live first, then the copy's). A marker with no records of its producer
 * before it in the file ends a transaction that started below the cut: that one hangs on the new leader, as does
 * any transaction the new leader reports open from below the cut.
 */
export function transactionFates(contents: Pick<SalvagedContents, 'records' | 'markers' | 'outcomes' | 'live'>, cut: bigint): TransactionFates {
  const said = [...(contents.live?.outcomes ?? []), ...(contents.outcomes ?? [])]
  const entries = [
    ...contents.records.map((record) => ({ offset: record.offset, record })),
    ...(contents.markers ?? []).map((marker) => ({ offset: marker.offset, marker })),
  ].sort((a, b) => (a.offset < b.offset ? -1 : a.offset > b.offset ? 1 : 0))
  const open = new OpenTransactions<KafkaRecord>()
  const plain: KafkaRecord[] = []
  const fated = new Map<KafkaRecord, TransactionOutcomeKind>()
  const transactions: SalvageTransaction[] = []
  const hanging: HangingTransaction[] = []
  const close = (
    producerId: bigint,
    t: OpenTransaction<KafkaRecord>,
    outcome: TransactionOutcomeKind,
    source: SalvageTransaction['source'],
    detail: string,
  ) => {
    for (const r of t.items) fated.set(r, outcome)
    transactions.push({
      producerId,
      producerEpoch: t.producerEpoch,
      firstOffset: t.items[0]!.offset,
      lastOffset: t.items.at(-1)!.offset,
      records: t.items.length,
      outcome,
      source,
      detail,
    })
  }
  const settle = (producerId: bigint, t: OpenTransaction<KafkaRecord>) => {
    const found = outcomeOf({ producerId, producerEpoch: t.producerEpoch, firstOffset: t.items[0]!.offset }, said)
    if (found) close(producerId, t, found.outcome, found.source, found.detail)
    else close(producerId, t, 'unknown', 'none', "no marker in the dead leader's log, and nobody was asked")
  }
  for (const entry of entries) {
    if ('record' in entry) {
      const r = entry.record
      if (!r.transactional) {
        plain.push(r)
        continue
      }
      const ended = open.add(r.producerId, r.producerEpoch, r)
      if (ended) settle(r.producerId, ended)
      continue
    }
    const m = entry.marker
    const t = open.end(m.producerId)
    if (t) close(m.producerId, t, m.type === 'commit' ? 'committed' : 'aborted', 'marker', `${m.type} marker at offset ${m.offset} in the dead leader's log`)
    else hanging.push({ producerId: m.producerId, producerEpoch: m.producerEpoch, startOffset: null, marker: { type: m.type, offset: m.offset } })
  }
  for (const [producerId, t] of open.stillOpen()) settle(producerId, t)
  for (const live of contents.live?.openOnLeader ?? []) {
    if (live.startOffset >= cut) continue
    const known = hanging.find((h) => h.producerId === live.producerId)
    if (known) hanging[hanging.indexOf(known)] = { ...known, startOffset: live.startOffset, producerEpoch: live.producerEpoch }
    else hanging.push({ producerId: live.producerId, producerEpoch: live.producerEpoch, startOffset: live.startOffset, marker: null })
  }
  const of = (kind: TransactionOutcomeKind | 'undecided') =>
    contents.records.filter((r) => fated.has(r) && (kind === 'undecided' ? ['open', 'unknown'].includes(fated.get(r)!) : fated.get(r) === kind))
  transactions.sort((a, b) => (a.firstOffset < b.firstOffset ? -1 : 1))
  return { plain, committed: of('committed'), aborted: of('aborted'), undecided: of('undecided'), transactions, hanging }
}

/** Bytes a one-record batch of the copy takes, over-estimated (batch header, record framing, varints). */
function copyBytes(record: KafkaRecord, source: TopicPartition): number {
  const headers = [...record.headers, ...provenance(record, source)]
  const headerBytes = headers.reduce((sum, h) => sum + h.key.length * 3 + (h.value?.length ?? 0) + 10, 0)
  return 61 + 30 + (record.key?.length ?? 0) + (record.value?.length ?? 0) + headerBytes
}

function provenance(record: KafkaRecord, source: TopicPartition): RecordHeader[] {
  return [
    { key: salvageHeaders.topic, value: Buffer.from(source.topic, 'utf8') },
    { key: salvageHeaders.partition, value: Buffer.from(String(source.partition), 'utf8') },
    { key: salvageHeaders.offset, value: Buffer.from(record.offset.toString(), 'utf8') },
    { key: salvageHeaders.leaderEpoch, value: Buffer.from(String(record.leaderEpoch), 'utf8') },
  ]
}

/**
 * The records a re-produce writes, in offset order: those outside transactions and those of committed
 * transactions. Aborted ones never; open or unknown ones stay in the file.
 */
export function reproducible(contents: SalvagedContents): KafkaRecord[] {
  const fates = transactionFates(contents, contents.file.fromOffset)
  const written = new Set([...fates.plain, ...fates.committed])
  return contents.records.filter((r) => written.has(r))
}

/**
 * Where each salvaged partition's records go. `destination` is a topic name (every record there), `original`
 * (each back to its own topic), or null (each source topic's `<topic>.salvaged`). `facts` holds the source topics
 * and every destination topic, as read now.
 */
export function planReproduce(
  contents: readonly SalvagedContents[],
  destination: string | null,
  facts: readonly TopicFacts[],
  cluster: { readonly liveBrokers: number; readonly isr: (tp: TopicPartition) => number | null },
): ReproducePlan | ReproduceFault {
  const broken = contents.find((c) => !c.complete)
  if (broken) return { kind: 'not-whole', file: broken.file.path, problems: broken.problems }
  const factsOf = (topic: string) =>
    facts.find((f) => f.topic === topic) ?? { topic, exists: false, partitions: null, replicationFactor: null, settings: {}, overrides: {} }
  const original = destination === originalTopicAnswer
  const targetOf = (source: string) => (original ? source : (destination ?? salvageTopicOf(source)))
  const topics: ReproducePlan['topics'][number][] = []
  for (const topic of [...new Set(contents.map((c) => targetOf(c.file.topic)))]) {
    const target = factsOf(topic)
    const feeding = contents.filter((c) => targetOf(c.file.topic) === topic)
    const neededBytes = Math.max(0, ...feeding.flatMap((c) => reproducible(c).map((r) => copyBytes(r, c.file))))
    if (target.exists) {
      const limit = numberSetting(target, 'max.message.bytes') ?? defaultMaxMessageBytes
      if (neededBytes > limit) return { kind: 'too-small', topic, maxMessageBytes: limit, neededBytes }
      topics.push({ topic, create: null, timestampType: target.settings['message.timestamp.type'] ?? null })
      continue
    }
    const source = factsOf(feeding[0]!.file.topic)
    if (!source.exists) return { kind: 'source-missing', topic: source.topic }
    topics.push({ topic, create: planCopyTopic(source, neededBytes, cluster.liveBrokers), timestampType: 'CreateTime' })
  }
  // Copies are written with acks=all: an existing partition below its min ISR refuses every one of them.
  for (const t of topics.filter((t) => t.create === null)) {
    const minIsr = numberSetting(factsOf(t.topic), 'min.insync.replicas') ?? 1
    const count = factsOf(t.topic).partitions ?? 1
    const short = contents
      .filter((c) => targetOf(c.file.topic) === t.topic)
      .map((c) => ({ topic: t.topic, partition: copyPartition(c.file.partition, count) }))
      .filter((tp) => (cluster.isr(tp) ?? 0) < minIsr)
    if (short.length)
      return {
        kind: 'under-min-isr',
        partitions: short.map((tp) => `${tp.topic}-${tp.partition}`),
        minIsr,
        isr: Math.min(...short.map((tp) => cluster.isr(tp) ?? 0)),
      }
  }
  const steps = contents.map((c): ReproduceStep => {
    const topic = targetOf(c.file.topic)
    const known = topics.find((t) => t.topic === topic)!
    const count = known.create?.partitions ?? factsOf(topic).partitions ?? 1
    const fates = transactionFates(c, c.file.fromOffset)
    const written = reproducible(c)
    const readUpTo = c.file.readBy.reduce<bigint>((top, g) => (g.committed > top ? g.committed : top), c.file.fromOffset)
    return {
      source: { topic: c.file.topic, partition: c.file.partition },
      file: c.file.path,
      sha256: c.file.sha256,
      topic,
      partition: copyPartition(c.file.partition, count),
      records: written.length,
      originalOffsets: written.map((r) => r.offset),
      plain: fates.plain.length,
      committed: fates.committed.length,
      aborted: fates.aborted.length,
      undecided: fates.undecided.length,
      transactions: fates.transactions,
      hanging: fates.hanging,
      alreadyRead: written.filter((r) => r.offset < readUpTo).length,
      firstOffset: written[0]?.offset ?? null,
      lastOffset: written.at(-1)?.offset ?? null,
    }
  })
  return { destination: original ? 'original' : 'salvage-topic', topics, steps, records: steps.reduce((sum, s) => sum + s.records, 0) }
}

export const isReproduceFault = (value: ReproducePlan | ReproduceFault): value is ReproduceFault => 'kind' in value

/** The copy as it is written: the record's key, value, headers and timestamp, then the provenance headers. */
export function salvagedRecord(record: KafkaRecord, source: TopicPartition, partition: number): ProduceRecord {
  return { partition, key: record.key, value: record.value, headers: [...record.headers, ...provenance(record, source)], timestamp: record.timestamp }
}

/** Whether a record read back is the salvaged one: same key, value, headers plus provenance, and timestamp where the topic keeps it. */
export function isSalvagedCopy(
  read: Pick<KafkaRecord, 'key' | 'value' | 'headers' | 'timestamp'>,
  original: KafkaRecord,
  source: TopicPartition,
  keepsTimestamp: boolean,
): boolean {
  const expected = [...original.headers, ...provenance(original, source)]
  const eq = (a: Buffer | null, b: Buffer | null) => (a === null || b === null ? a === b : a.equals(b))
  return (
    eq(read.key, original.key) &&
    eq(read.value, original.value) &&
    (!keepsTimestamp || read.timestamp === original.timestamp) &&
    read.headers.length === expected.length &&
    read.headers.every((h, i) => h.key === expected[i]!.key && eq(h.value, expected[i]!.value))
  )
}

/** A transaction the copy or the re-produce asks the cluster about: its records are in the file, its marker is not. */
export interface UndecidedTransaction {
  readonly producerId: bigint
  readonly producerEpoch: number
  readonly firstOffset: bigint
}

/** The transactions of a salvage range that no marker in it ends. */
export function undecidedTransactions(fates: TransactionFates): UndecidedTransaction[] {
  return fates.transactions
    .filter((t) => t.outcome === 'open' || t.outcome === 'unknown')
    .map((t) => ({ producerId: t.producerId, producerEpoch: t.producerEpoch, firstOffset: t.firstOffset }))
}

/** What a transaction coordinator says of a producer id: its transactional id's state (ListTransactions, DescribeTransactions). */
export interface CoordinatorWord {
  readonly transactionalId: string
  readonly producerId: bigint
  readonly producerEpoch: number
  readonly state: string
  readonly partitions: readonly TopicPartition[]
}

/**
 * A transaction's outcome from its coordinator. Its marker never reached this partition's log, so the coordinator
 * cannot have moved past it here: its current state is this transaction's (Prepare*: markers still being sent;
 * Complete*: sent where a leader took them). Transaction version 2 bumps the epoch when a transaction ends, so the
 * coordinator may be one epoch above the records. Anything else (another producer id now, Empty, unknown id) says
 * nothing about this transaction.
 */
export function outcomeFromCoordinator(
  t: UndecidedTransaction,
  word: CoordinatorWord | null,
  tp: TopicPartition,
  unasked: readonly { readonly broker: number; readonly reason: string }[] = [],
): TransactionOutcome {
  const base = { producerId: t.producerId, producerEpoch: t.producerEpoch, firstOffset: t.firstOffset }
  // A coordinator that did not answer may be the one that knows: "no coordinator knows" would claim too much.
  if (word === null && unasked.length)
    return {
      ...base,
      outcome: 'unknown',
      source: 'none',
      detail: `no coordinator that answered knows producer ${t.producerId}; not asked: ${unasked.map((u) => `broker ${u.broker} (${u.reason})`).join(', ')}`,
    }
  if (word === null) return { ...base, outcome: 'unknown', source: 'none', detail: `no coordinator knows producer ${t.producerId} any more` }
  const said = `coordinator: ${word.transactionalId} is ${word.state} at epoch ${word.producerEpoch}`
  const unknown = (why: string): TransactionOutcome => ({ ...base, outcome: 'unknown', source: 'coordinator', detail: `${said} (${why})` })
  if (word.producerId !== t.producerId) return unknown(`now producer ${word.producerId}`)
  const epochFits = word.producerEpoch === t.producerEpoch || word.producerEpoch === t.producerEpoch + 1
  if (!epochFits) return unknown(`the records were written at epoch ${t.producerEpoch}`)
  const pending = word.partitions.some((p) => p.topic === tp.topic && p.partition === tp.partition)
  switch (word.state) {
    case 'Ongoing':
      return word.producerEpoch === t.producerEpoch
        ? { ...base, outcome: 'open', source: 'coordinator', detail: `${said}: neither committed nor aborted yet (Kafka aborts it when its timeout passes)` }
        : unknown('a later transaction')
    case 'PrepareCommit':
    case 'CompleteCommit':
      return { ...base, outcome: 'committed', source: 'coordinator', detail: `${said}${pending ? ', its commit marker still owed to this partition' : ''}` }
    case 'PrepareAbort':
    case 'CompleteAbort':
    case 'PrepareEpochFence':
      return { ...base, outcome: 'aborted', source: 'coordinator', detail: `${said}${pending ? ', its abort marker still owed to this partition' : ''}` }
    default:
      return unknown('no transaction of it is known')
  }
}

/** A transaction's outcome from a marker the new leader wrote after the election (the coordinator sent it there). */
export function outcomeFromLeaderMarkers(t: UndecidedTransaction, markers: readonly SalvageMarker[]): TransactionOutcome | null {
  const m = markers.find((m) => m.producerId === t.producerId && m.producerEpoch >= t.producerEpoch)
  if (!m) return null
  return {
    producerId: t.producerId,
    producerEpoch: t.producerEpoch,
    firstOffset: t.firstOffset,
    outcome: m.type === 'commit' ? 'committed' : 'aborted',
    source: 'elected-replica',
    detail: `${m.type} marker at offset ${m.offset} on the new leader (the coordinator sent it after the election)`,
  }
}
