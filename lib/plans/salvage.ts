// PURE: salvaging the records an election (or a restart) deletes from a dead leader's log. Which records — those
// the dead leader holds from where it will be cut to its log end — and, once the partitions lead again, where
// their copies go: a salvage topic created like the source (default `<topic>.salvaged`) or the original topic,
// each copy carrying headers that name where it came from.

import type { KafkaRecord, RecordHeader } from '../kafka/records.ts'
import type { ProduceRecord, TopicPartition } from '../kafka/types.ts'
import { copyPartition, type CopyTopic, defaultMaxMessageBytes, numberSetting, planCopyTopic, type TopicFacts } from './copy-topic.ts'
import type { CandidateExactLoss } from './exact-loss.ts'

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
  /** Records written (data records outside transactions). */
  readonly records: number
  /** Transactional records kept in the file only: a plain produce cannot say whether their transaction committed. */
  readonly transactional: number
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
  readonly complete: boolean
  readonly problems: readonly string[]
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

/** The records a re-produce writes: data records outside transactions (the others stay in the file). */
export const reproducible = (records: readonly KafkaRecord[]): KafkaRecord[] => records.filter((r) => !r.transactional)

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
    const neededBytes = Math.max(0, ...feeding.flatMap((c) => reproducible(c.records).map((r) => copyBytes(r, c.file))))
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
    const written = reproducible(c.records)
    const readUpTo = c.file.readBy.reduce<bigint>((top, g) => (g.committed > top ? g.committed : top), c.file.fromOffset)
    return {
      source: { topic: c.file.topic, partition: c.file.partition },
      file: c.file.path,
      sha256: c.file.sha256,
      topic,
      partition: copyPartition(c.file.partition, count),
      records: written.length,
      transactional: c.records.length - written.length,
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
