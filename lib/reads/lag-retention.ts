// Reads for lag racing retention: a group's partitions sampled twice (log start, log end, committed offset: the
// rates of writing, deleting and consuming), the segments from the first unread record to the log end (one Fetch
// per segment read, batch headers only), each topic's retention settings with their sources, the brokers' check
// interval, and every broker's log directories (replica sizes, free space).

import type { KafkaOps, TopicPartition } from '../kafka/types.ts'
import { type GroupPartitionSample, type RevertDeletion, revertDeletion, type TopicPartitionLoad } from '../plans/lag-retention.ts'
import { bytesPerRecord, estimateSegmentEnd, type ObservedSegment, type PartitionLog, type RetentionPolicy } from '../plans/segment-layout.ts'
import { type GroupView, readCommittedOffsets, readGroupCommitsOn, readGroupView } from './consumer-group.ts'
import { readTopicSettings, type Setting, settingOf } from './topic-settings.ts'

/** The settings that decide when a topic deletes records, as read (value and source). */
export const retentionSettingNames = [
  'cleanup.policy',
  'retention.ms',
  'retention.bytes',
  'segment.ms',
  'segment.bytes',
  'segment.jitter.ms',
  'remote.storage.enable',
  'local.retention.ms',
  'local.retention.bytes',
] as const

/** Kafka's default log.retention.check.interval.ms (5 minutes), when the broker's own cannot be read. */
const defaultCheckIntervalMs = 300_000
/** Segment reads per partition at most (each one Fetch of up to 4 MiB). */
const maxSegmentReads = 40

export interface TopicRetention {
  readonly topic: string
  readonly policy: RetentionPolicy
  readonly settings: Readonly<Record<string, Setting>>
  /** Every partition of the topic (a topic setting holds them all), with its replicas and write rate. */
  readonly partitions: readonly TopicPartitionLoad[]
}

export interface BrokerDisk {
  readonly broker: number
  readonly totalBytes: bigint | null
  readonly usableBytes: bigint | null
  readonly dirs: readonly { readonly path: string; readonly totalBytes: bigint | null; readonly usableBytes: bigint | null }[]
  readonly error: string | null
}

export interface LagRetentionReading {
  readonly view: GroupView
  readonly topics: readonly TopicRetention[]
  readonly samples: readonly GroupPartitionSample[]
  readonly brokers: readonly BrokerDisk[]
  readonly checkInterval: { readonly ms: number; readonly from: 'broker' | 'default' }
  readonly sampledMs: number
  readonly takenAtMs: number
}

const key = (tp: TopicPartition) => `${tp.topic}/${tp.partition}`

function numberOr(value: string | null, fallback: number | null): number | null {
  if (value === null || value === '') return fallback
  const n = Number(value)
  return Number.isFinite(n) ? n : fallback
}

/** A topic's deletion rules as its settings resolve (retention -1: no limit). */
export function retentionPolicy(topic: string, settings: (name: string) => string | null, checkIntervalMs: number): RetentionPolicy {
  const retentionMs = numberOr(settings('retention.ms'), 604_800_000)
  const retentionBytes = numberOr(settings('retention.bytes'), -1)
  return {
    topic,
    deletes: (settings('cleanup.policy') ?? 'delete')
      .split(',')
      .map((p) => p.trim())
      .includes('delete'),
    retentionMs: retentionMs === null || retentionMs < 0 ? null : retentionMs,
    retentionBytes: retentionBytes === null || retentionBytes < 0 ? null : BigInt(retentionBytes),
    segmentMs: numberOr(settings('segment.ms'), 604_800_000)!,
    segmentBytes: numberOr(settings('segment.bytes'), 1_073_741_824)!,
    segmentJitterMs: numberOr(settings('segment.jitter.ms'), 0)!,
    remoteStorage: settings('remote.storage.enable') === 'true',
    checkIntervalMs,
  }
}

async function sampleOffsets(kafka: KafkaOps, partitions: readonly TopicPartition[]) {
  const answers = await kafka.listOffsets(
    partitions.flatMap((tp) => [
      { ...tp, spec: 'earliest' as const },
      { ...tp, spec: 'latest' as const },
    ]),
  )
  const bounds = new Map<string, { logStart: bigint; logEnd: bigint }>()
  partitions.forEach((tp, i) => {
    const [earliest, latest] = [answers[2 * i], answers[2 * i + 1]]
    if (earliest?.offset != null && latest?.offset != null && !earliest.error && !latest.error)
      bounds.set(key(tp), { logStart: earliest.offset, logEnd: latest.offset })
  })
  return bounds
}

/** log.retention.check.interval.ms of one broker (every broker normally shares it). */
async function readCheckInterval(kafka: KafkaOps, broker: number | null): Promise<LagRetentionReading['checkInterval']> {
  if (broker === null) return { ms: defaultCheckIntervalMs, from: 'default' }
  const [config] = await kafka.describeConfigs([{ type: 'broker', id: broker }], { names: ['log.retention.check.interval.ms'] }).catch(() => [])
  const value = config?.entries.find((e) => e.name === 'log.retention.check.interval.ms')?.value ?? null
  const ms = numberOr(value, null)
  return ms === null ? { ms: defaultCheckIntervalMs, from: 'default' } : { ms, from: 'broker' }
}

interface Walk {
  readonly tp: TopicPartition
  next: bigint
  /** The next read starts a segment exactly at its base (the previous read ended at a segment's end). */
  atBase: boolean
  current: { base: bigint; baseExact: boolean; maxTimestamp: number | null; firstBatchTimestamp: number | null; bytes: number; readTo: bigint } | null
  readonly segments: ObservedSegment[]
  done: boolean
}

/**
 * The segments from `from` to the log end of each partition, one Fetch answer at a time: an answer ending on a
 * segment's end gives the next segment's exact base; a byte-limited one is read on. Bounded: what is left unread
 * at the bound is one segment ending where the roll rules say (estimated).
 */
export async function readSegments(
  kafka: KafkaOps,
  from: readonly (TopicPartition & { readonly offset: bigint })[],
  estimate: (tp: TopicPartition, readTo: bigint, base: bigint) => bigint,
): Promise<Map<string, ObservedSegment[]>> {
  const walks: Walk[] = from.map((f) => ({
    tp: { topic: f.topic, partition: f.partition },
    next: f.offset,
    atBase: false,
    current: null,
    segments: [],
    done: false,
  }))
  for (let round = 0; round < maxSegmentReads && walks.some((w) => !w.done); round++) {
    const active = walks.filter((w) => !w.done)
    const spans = await kafka.segmentSpans(active.map((w) => ({ ...w.tp, offset: w.next })))
    active.forEach((walk, i) => {
      const span = spans[i]!
      if (span.error) {
        walk.done = true
        return
      }
      walk.current ??= {
        base: walk.next,
        baseExact: walk.atBase,
        maxTimestamp: null,
        firstBatchTimestamp: walk.atBase ? (span.firstBatch?.maxTimestamp ?? null) : null,
        bytes: 0,
        readTo: walk.next,
      }
      const segment = walk.current
      if (span.maxTimestamp !== null && (segment.maxTimestamp === null || span.maxTimestamp > segment.maxTimestamp)) segment.maxTimestamp = span.maxTimestamp
      segment.bytes += span.bytes
      segment.readTo = span.nextOffset
      const close = (endOffset: bigint, endKind: ObservedSegment['endKind']) => {
        walk.segments.push({
          baseOffset: segment.base,
          baseExact: segment.baseExact,
          endOffset,
          endKind,
          maxTimestamp: segment.maxTimestamp,
          firstBatchTimestamp: segment.firstBatchTimestamp,
          bytes: endKind === 'estimated' ? null : segment.bytes,
        })
        walk.current = null
      }
      if (span.end === 'segment') {
        close(span.nextOffset, 'exact')
        walk.next = span.nextOffset
        walk.atBase = true
      } else if (span.end === 'high-watermark') {
        close(span.highWatermark ?? span.nextOffset, 'active')
        walk.done = true
      } else if (span.nextOffset <= walk.next) {
        walk.done = true
      } else walk.next = span.nextOffset
    })
  }
  for (const walk of walks) {
    if (walk.current) {
      const end = estimate(walk.tp, walk.current.readTo, walk.current.base)
      walk.segments.push({
        baseOffset: walk.current.base,
        baseExact: walk.current.baseExact,
        endOffset: end,
        endKind: 'estimated',
        maxTimestamp: walk.current.maxTimestamp,
        firstBatchTimestamp: walk.current.firstBatchTimestamp,
        bytes: null,
      })
    }
  }
  return new Map(walks.map((w) => [key(w.tp), w.segments]))
}

/** Each partition's size on its leader's disk, as the brokers reported it; null when leaderless or not reported. */
function leaderSizes(
  states: readonly { readonly topic: string; readonly partitions: readonly { readonly partition: number; readonly leader: number | null }[] }[],
  sizes: ReadonlyMap<string, ReadonlyMap<number, bigint>>,
): (tp: TopicPartition) => bigint | null {
  const leaders = new Map(states.flatMap((t) => t.partitions.map((p) => [key({ topic: t.topic, partition: p.partition }), p.leader] as const)))
  return (tp) => {
    const leader = leaders.get(key(tp))
    return leader != null ? (sizes.get(key(tp))?.get(leader) ?? null) : null
  }
}

/**
 * Where readSegments puts the end of a segment it did not read to: from the partition's log end, the topic's
 * segment.bytes and the leader's average bytes per record (none when nothing is on disk or the log is empty).
 */
function segmentEndEstimate(
  bounds: ReadonlyMap<string, { readonly logStart: bigint; readonly logEnd: bigint }>,
  policies: ReadonlyMap<string, RetentionPolicy>,
  leaderSize: (tp: TopicPartition) => bigint | null,
): (tp: TopicPartition, readTo: bigint, base: bigint) => bigint {
  return (tp, readTo, base) => {
    const b = bounds.get(key(tp))!
    const onDisk = leaderSize(tp)
    const records = b.logEnd - b.logStart
    return estimateSegmentEnd({
      from: base,
      readTo,
      timeRollOffset: null,
      logEnd: b.logEnd,
      segmentBytes: policies.get(tp.topic)!.segmentBytes,
      bytesPerRecord: onDisk !== null && records > 0n ? Number(onDisk) / Number(records) : null,
    })
  }
}

async function readBrokerDisks(kafka: KafkaOps) {
  const answers = await kafka.describeLogDirs()
  const sizes = new Map<string, Map<number, bigint>>()
  const brokers: BrokerDisk[] = answers.map((b) => {
    const dirs = b.dirs.filter((d) => !d.error)
    for (const dir of dirs)
      for (const replica of dir.replicas) {
        if (replica.future) continue
        const bySize = sizes.get(key(replica)) ?? new Map<number, bigint>()
        bySize.set(b.broker, replica.sizeBytes)
        sizes.set(key(replica), bySize)
      }
    const sum = (pick: (d: (typeof dirs)[number]) => bigint | null) =>
      dirs.length && dirs.every((d) => pick(d) !== null) ? dirs.reduce((a, d) => a + pick(d)!, 0n) : null
    return {
      broker: b.broker,
      totalBytes: sum((d) => d.totalBytes),
      usableBytes: sum((d) => d.usableBytes),
      dirs: dirs.map((d) => ({ path: d.path, totalBytes: d.totalBytes, usableBytes: d.usableBytes })),
      error: b.error?.message ?? null,
    }
  })
  return { brokers, sizes }
}

/**
 * Everything the lag-vs-retention analysis needs, with two samples `sampleMs` apart; null when the group is
 * unknown (no description, no commits).
 */
export async function readLagRetention(
  kafka: KafkaOps,
  groupId: string,
  options: { readonly sampleMs: number; readonly now: () => number; readonly sleep: (ms: number) => Promise<void>; readonly topics?: readonly string[] },
): Promise<LagRetentionReading | null> {
  const view = await readGroupView(kafka, groupId, { nowMs: options.now() })
  if (!view.exists) return null
  const committed = view.committed.filter((c) => !options.topics || options.topics.includes(c.topic))
  const topicNames = [...new Set(committed.map((c) => c.topic))].sort()
  const states = topicNames.length ? await kafka.partitionStates(topicNames) : []
  const all = states.flatMap((t) => t.partitions.map((p) => ({ topic: t.topic, partition: p.partition })))
  const firstLeader = states.flatMap((t) => t.partitions).find((p) => p.leader !== null)?.leader ?? null
  const [settings, checkInterval] = await Promise.all([readTopicSettings(kafka, topicNames, retentionSettingNames), readCheckInterval(kafka, firstLeader)])

  const firstAt = options.now()
  const [first, firstCommits] = await Promise.all([sampleOffsets(kafka, all), readCommittedOffsets(kafka, groupId)])
  if (options.sampleMs > 0) await options.sleep(options.sampleMs)
  const secondAt = options.now()
  const [second, secondCommits, disks] = await Promise.all([sampleOffsets(kafka, all), readCommittedOffsets(kafka, groupId), readBrokerDisks(kafka)])
  const seconds = Math.max(0.001, (secondAt - firstAt) / 1000)
  const rate = (a: bigint | undefined, b: bigint | undefined) => (a === undefined || b === undefined ? null : Math.max(0, Number(b - a) / seconds))

  const policies = new Map(
    topicNames.map((topic) => {
      const found = settings.find((s) => s.topic === topic)
      return [topic, retentionPolicy(topic, (name) => settingOf(found, name).value, checkInterval.ms)] as const
    }),
  )
  const leaderSize = leaderSizes(states, disks.sizes)

  const readable = committed.filter((c) => second.has(key(c)))
  const positions = readable.map((c) => {
    const bounds = second.get(key(c))!
    return {
      topic: c.topic,
      partition: c.partition,
      offset: (secondCommits.get(key(c)) ?? c.offset) < bounds.logStart ? bounds.logStart : (secondCommits.get(key(c)) ?? c.offset),
    }
  })
  const segments = await readSegments(
    kafka,
    positions.filter((p) => p.offset < second.get(key(p))!.logEnd),
    segmentEndEstimate(second, policies, leaderSize),
  )
  const unreadTimes = await kafka.recordTimestamps(positions.filter((p) => p.offset < second.get(key(p))!.logEnd).map((p) => ({ ...p })))
  const oldest = new Map(unreadTimes.map((t) => [key(t), t.error ? null : t.timestamp]))

  const logOf = (tp: TopicPartition): PartitionLog => {
    const a = first.get(key(tp))
    const b = second.get(key(tp))!
    return {
      topic: tp.topic,
      partition: tp.partition,
      logStart: b.logStart,
      logEnd: b.logEnd,
      producedPerSecond: rate(a?.logEnd, b.logEnd),
      deletedBetweenSamples: a ? b.logStart - a.logStart : 0n,
      newestTimestamp: null,
      bytesOnDisk: leaderSize(tp),
      segments: segments.get(key(tp)) ?? [],
    }
  }
  const samples: GroupPartitionSample[] = readable.map((c) => ({
    log: logOf(c),
    committed: secondCommits.get(key(c)) ?? c.offset,
    consumedPerSecond: rate(firstCommits.get(key(c)), secondCommits.get(key(c))) ?? 0,
    oldestUnreadMs: oldest.get(key(c)) ?? null,
  }))
  const topics: TopicRetention[] = topicNames.map((topic) => ({
    topic,
    policy: policies.get(topic)!,
    settings: settings.find((s) => s.topic === topic)?.settings ?? {},
    partitions: (states.find((s) => s.topic === topic)?.partitions ?? []).map((p) => {
      const tp = { topic, partition: p.partition }
      const log = second.has(key(tp)) ? logOf(tp) : null
      return {
        partition: p.partition,
        replicas: p.replicas,
        producedPerSecond: log?.producedPerSecond ?? null,
        bytesPerRecord: log ? bytesPerRecord(log) : null,
        bytesOnDisk: leaderSize(tp),
      }
    }),
  }))
  return { view, topics, samples, brokers: disks.brokers, checkInterval, sampledMs: secondAt - firstAt, takenAtMs: secondAt }
}

/** A topic's deletion rules with some settings put back to earlier values (the rest as they are now). */
export function restoredPolicy(
  topic: string,
  current: (name: string) => string | null,
  restored: readonly { readonly topic: string; readonly name: string; readonly value: string | null }[],
  checkIntervalMs: number,
): RetentionPolicy {
  return retentionPolicy(
    topic,
    (name) => {
      const back = restored.find((r) => r.topic === topic && r.name === name)
      return back ? back.value : current(name)
    },
    checkIntervalMs,
  )
}

/**
 * What putting these settings back would delete at the next retention check, per partition of each topic: the
 * log read from its start (segment by segment, batch headers only), the topic's settings with the restored values
 * in place of today's, and every group's commits on the topic (to count what each has not read).
 */
export async function readRevertDeletions(
  kafka: KafkaOps,
  restored: readonly { readonly topic: string; readonly name: string; readonly value: string | null }[],
  nowMs: () => number,
): Promise<RevertDeletion[]> {
  const topicNames = [...new Set(restored.map((r) => r.topic))].sort()
  if (topicNames.length === 0) return []
  const states = await kafka.partitionStates(topicNames)
  const all = states.flatMap((t) => (t.error ? [] : t.partitions.map((p) => ({ topic: t.topic, partition: p.partition }))))
  const firstLeader = states.flatMap((t) => t.partitions).find((p) => p.leader !== null)?.leader ?? null
  const [settings, checkInterval, bounds, disks, commits] = await Promise.all([
    readTopicSettings(kafka, topicNames, retentionSettingNames),
    readCheckInterval(kafka, firstLeader),
    sampleOffsets(kafka, all),
    readBrokerDisks(kafka),
    readGroupCommitsOn(kafka, topicNames),
  ])
  const policies = new Map(
    topicNames.map((topic) => {
      const found = settings.find((s) => s.topic === topic)
      return [topic, restoredPolicy(topic, (name) => settingOf(found, name).value, restored, checkInterval.ms)] as const
    }),
  )
  const leaderSize = leaderSizes(states, disks.sizes)
  const readable = all.filter((tp) => bounds.has(key(tp)))
  const segments = await readSegments(
    kafka,
    readable.filter((tp) => bounds.get(key(tp))!.logStart < bounds.get(key(tp))!.logEnd).map((tp) => ({ ...tp, offset: bounds.get(key(tp))!.logStart })),
    segmentEndEstimate(bounds, policies, leaderSize),
  )
  const now = nowMs()
  return readable.map((tp) => {
    const b = bounds.get(key(tp))!
    const log: PartitionLog = {
      ...tp,
      logStart: b.logStart,
      logEnd: b.logEnd,
      producedPerSecond: null,
      deletedBetweenSamples: 0n,
      newestTimestamp: null,
      bytesOnDisk: leaderSize(tp),
      segments: segments.get(key(tp)) ?? [],
    }
    const onPartition = commits.flatMap((g) =>
      g.offsets.filter((o) => o.topic === tp.topic && o.partition === tp.partition && o.offset >= 0n).map((o) => ({ groupId: g.groupId, offset: o.offset })),
    )
    return revertDeletion(policies.get(tp.topic)!, log, onPartition, now)
  })
}
