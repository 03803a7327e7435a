// Why each out-of-sync replica is out: its broker is down, hung or fenced; a replication throttle holds it
// back; its log directory is offline; or it is alive and behind — catching up (with an ETA from two samples of
// its own log end), stuck, or falling further behind. Plus racks the out-of-sync replicas share. Pure.

import type { ConfigSource } from '../kafka/types.ts'
import { type AffectedPartition, type BrokerView, type IsrFindings, partitionKey } from './isr-findings.ts'

/** One replica's log end as its own broker answered it, beside its leader's log end and the high watermark. */
export interface ReplicaSample {
  readonly topic: string
  readonly partition: number
  readonly broker: number
  /** null when the broker did not answer (see `failure`). */
  readonly followerLeo: bigint | null
  readonly failure: 'timeout' | 'down' | 'other' | null
  readonly failureMessage: string | null
  readonly leaderLeo: bigint | null
  /** The partition's high watermark: a follower rejoins the ISR once its log end reaches it. */
  readonly highWatermark: bigint | null
  readonly atMs: number
}

export interface ThrottleRate {
  readonly bytesPerSecond: number
  /** dynamic-broker (this broker) or dynamic-broker-default (the cluster-wide default). */
  readonly source: ConfigSource
}

export interface BrokerThrottles {
  readonly broker: number
  readonly leaderRate: ThrottleRate | null
  readonly followerRate: ThrottleRate | null
  /** Set when the broker's configs could not be read. */
  readonly unreadable: string | null
}

/** A topic's throttled-replica lists (topic overrides): "*" or "partition:broker,…"; null when not set. */
export interface TopicThrottles {
  readonly topic: string
  readonly leaderReplicas: string | null
  readonly followerReplicas: string | null
}

export interface BrokerLogDirHealth {
  readonly broker: number
  readonly offlineDirs: readonly { readonly path: string; readonly error: string }[]
  readonly unreadable: string | null
}

/** The evidence gathered about the out-of-sync replicas, besides the snapshot. */
export interface CauseEvidence {
  readonly first: readonly ReplicaSample[]
  readonly second: readonly ReplicaSample[]
  readonly throttles: readonly BrokerThrottles[]
  readonly topicThrottles: readonly TopicThrottles[]
  readonly logDirs: readonly BrokerLogDirHealth[]
}

export type Progress =
  | { readonly kind: 'unknown'; readonly why: string }
  /** Its log end reached the high watermark: it rejoins at its next fetch (a frozen HW under min ISR makes this quick). */
  | { readonly kind: 'at-high-watermark'; readonly behindLeader: bigint }
  | { readonly kind: 'catching-up'; readonly behind: bigint; readonly recordsPerSecond: number; readonly etaMs: number }
  /** It fetched nothing between the samples while behind. */
  | { readonly kind: 'stuck'; readonly behind: bigint; readonly leaderRecordsPerSecond: number }
  | { readonly kind: 'falling-behind'; readonly behind: bigint; readonly recordsPerSecond: number; readonly leaderRecordsPerSecond: number }

export interface ThrottleHit {
  readonly side: 'leader' | 'follower'
  /** The broker whose rate applies: the leader's for the leader side, the follower's own for the follower side. */
  readonly broker: number
  readonly rate: ThrottleRate
  readonly list: string
}

export type Verdict =
  'broker-down' | 'broker-hung' | 'broker-fenced' | 'offline-log-dir' | 'throttled' | 'rejoining' | 'catching-up' | 'stuck' | 'falling-behind' | 'unknown'

/** What the broker's process did when asked for its log end: answered, accepted the connection and never answered, or refused it. */
export type ProcessState = 'answering' | 'hung' | 'gone' | 'unknown'

export interface ReplicaCause {
  readonly topic: string
  readonly partition: number
  readonly broker: number
  readonly leader: number | null
  /** Whether the cluster lists the broker registered and unfenced. */
  readonly brokerState: BrokerView['state']
  readonly process: ProcessState
  readonly lastContactMs: number | null
  readonly progress: Progress
  readonly throttles: readonly ThrottleHit[]
  readonly offlineLogDir: string | null
  readonly verdict: Verdict
}

export interface BrokerCause {
  readonly broker: number
  readonly rack: string | null
  readonly state: BrokerView['state']
  readonly process: ProcessState
  readonly lastContactMs: number | null
  /** Silence of the controller's view: now − last contact. */
  readonly silentForMs: number | null
  readonly outOfSyncPartitions: number
  /** Partitions whose ISR still lists it although its broker is down or hung (no writes there since). */
  readonly stillInIsrOf: number
  readonly verdicts: Readonly<Partial<Record<Verdict, number>>>
}

export interface SharedRack {
  readonly rack: string
  readonly brokers: readonly number[]
  /** Partitions with two or more out-of-sync replicas on this rack. */
  readonly partitions: number
}

export interface CauseReport {
  readonly replicas: readonly ReplicaCause[]
  readonly brokers: readonly BrokerCause[]
  readonly sharedRacks: readonly SharedRack[]
  /** The longest catch-up ETA among replicas that must come back for every failing partition to take writes. */
  readonly writesBackInMs: number | null
  /** Failing partitions with no replica catching up: waiting does not end the failure by itself. */
  readonly failingWithoutProgress: number
}

/** Does `list` ("*" or "p:b,p:b") name replica `broker` of `partition`? */
export function listNames(list: string | null, partition: number, broker: number): boolean {
  if (list === null) return false
  const trimmed = list.trim()
  if (trimmed === '*') return true
  return trimmed
    .split(',')
    .map((entry) => entry.trim())
    .some((entry) => entry === `${partition}:${broker}`)
}

/**
 * Which throttles hold back follower `broker` of a partition led by `leader`. The leader throttles serving a
 * replica outside the ISR when its own rate is set and the topic lists partition:leader; the follower throttles
 * its own fetching when its rate is set and the topic lists partition:follower. Both act only outside the ISR.
 */
export function throttlesOn(
  topic: TopicThrottles | undefined,
  partition: number,
  leader: number | null,
  broker: number,
  rates: ReadonlyMap<number, BrokerThrottles>,
): ThrottleHit[] {
  if (!topic) return []
  const hits: ThrottleHit[] = []
  const leaderRate = leader === null ? null : (rates.get(leader)?.leaderRate ?? null)
  if (leader !== null && leaderRate && listNames(topic.leaderReplicas, partition, leader))
    hits.push({ side: 'leader', broker: leader, rate: leaderRate, list: topic.leaderReplicas! })
  const followerRate = rates.get(broker)?.followerRate ?? null
  if (followerRate && listNames(topic.followerReplicas, partition, broker))
    hits.push({ side: 'follower', broker, rate: followerRate, list: topic.followerReplicas! })
  return hits
}

const perSecond = (delta: bigint, ms: number) => (Number(delta) * 1000) / ms

/** Progress of one follower from two samples: the target is the high watermark (what it must reach to rejoin). */
export function planProgress(first: ReplicaSample | undefined, second: ReplicaSample | undefined): Progress {
  if (!first || !second) return { kind: 'unknown', why: 'not sampled' }
  if (second.followerLeo === null || first.followerLeo === null) {
    const failed = second.followerLeo === null ? second : first
    const why =
      failed.failure === 'timeout' ? 'did not answer in time' : failed.failure === 'down' ? 'is down' : `answered ${failed.failureMessage ?? 'nothing'}`
    return { kind: 'unknown', why: `broker ${failed.broker} ${why}` }
  }
  if (second.highWatermark === null || first.highWatermark === null || second.leaderLeo === null || first.leaderLeo === null)
    return { kind: 'unknown', why: 'the leader did not answer' }
  const behind = second.highWatermark - second.followerLeo
  const behindLeader = second.leaderLeo - second.followerLeo
  if (behind <= 0n) return { kind: 'at-high-watermark', behindLeader: behindLeader > 0n ? behindLeader : 0n }
  const elapsedMs = second.atMs - first.atMs
  if (elapsedMs <= 0) return { kind: 'unknown', why: 'no time passed between the two samples' }
  const followerRate = perSecond(second.followerLeo - first.followerLeo, elapsedMs)
  const targetRate = perSecond(second.highWatermark - first.highWatermark, elapsedMs)
  const leaderRate = perSecond(second.leaderLeo - first.leaderLeo, elapsedMs)
  if (followerRate <= 0) return { kind: 'stuck', behind, leaderRecordsPerSecond: leaderRate }
  const closing = followerRate - targetRate
  if (closing <= 0) return { kind: 'falling-behind', behind, recordsPerSecond: followerRate, leaderRecordsPerSecond: leaderRate }
  return { kind: 'catching-up', behind, recordsPerSecond: closing, etaMs: Math.ceil((Number(behind) / closing) * 1000) }
}

function verdictOf(
  state: BrokerView['state'],
  process: ProcessState,
  progress: Progress,
  throttles: readonly ThrottleHit[],
  offlineLogDir: string | null,
): Verdict {
  if (process === 'gone') return 'broker-down'
  if (process === 'hung') return 'broker-hung'
  if (state === 'fenced') return 'broker-fenced'
  if (state === 'unregistered') return 'broker-down'
  if (offlineLogDir !== null) return 'offline-log-dir'
  if (progress.kind === 'at-high-watermark') return 'rejoining'
  if (throttles.length > 0 && progress.kind !== 'catching-up') return 'throttled'
  switch (progress.kind) {
    case 'catching-up':
      return 'catching-up'
    case 'stuck':
      return 'stuck'
    case 'falling-behind':
      return 'falling-behind'
    default:
      return 'unknown'
  }
}

/** The cause of every out-of-sync replica of the flagged partitions, per broker and per rack. */
export function planReplicaCauses(findings: IsrFindings, brokers: readonly BrokerView[], evidence: CauseEvidence, nowMs: number): CauseReport {
  const brokerById = new Map(brokers.map((b) => [b.id, b]))
  const first = new Map(evidence.first.map((s) => [`${partitionKey(s)}@${s.broker}`, s]))
  const second = new Map(evidence.second.map((s) => [`${partitionKey(s)}@${s.broker}`, s]))
  const rates = new Map(evidence.throttles.map((t) => [t.broker, t]))
  const topicThrottles = new Map(evidence.topicThrottles.map((t) => [t.topic, t]))
  const offline = new Map(evidence.logDirs.map((d) => [d.broker, d]))
  // A connection refused means no process listens; accepted but never answered means a hung one (paused, a long GC).
  const process = new Map<number, ProcessState>()
  for (const s of [...evidence.first, ...evidence.second]) {
    const seen = s.followerLeo !== null ? 'answering' : s.failure === 'down' ? 'gone' : s.failure === 'timeout' ? 'hung' : 'unknown'
    if (process.get(s.broker) !== 'answering') process.set(s.broker, seen)
  }

  const replicas: ReplicaCause[] = []
  for (const p of findings.partitions) {
    for (const broker of p.outOfSync) {
      const view = brokerById.get(broker)
      const state = view?.state ?? 'unregistered'
      const seen = process.get(broker) ?? 'unknown'
      const key = `${partitionKey(p)}@${broker}`
      const progress = p.leader === null ? ({ kind: 'unknown', why: 'the partition has no leader' } as const) : planProgress(first.get(key), second.get(key))
      const throttles = throttlesOn(topicThrottles.get(p.topic), p.partition, p.leader, broker, rates)
      const dir = offlineDirOf(p, broker, offline.get(broker), state)
      replicas.push({
        topic: p.topic,
        partition: p.partition,
        broker,
        leader: p.leader,
        brokerState: state,
        process: seen,
        lastContactMs: view?.lastContactMs ?? null,
        progress,
        throttles,
        offlineLogDir: dir,
        verdict: verdictOf(state, seen, progress, throttles, dir),
      })
    }
  }
  return {
    replicas,
    brokers: brokerCauses(findings, replicas, brokerById, nowMs),
    sharedRacks: sharedRacks(findings.partitions, brokerById),
    ...writesBack(findings.partitions, replicas),
  }
}

/** A live broker's replica listed offline (metadata's offline replicas), or a broker reporting an offline log directory. */
function offlineDirOf(p: AffectedPartition, broker: number, health: BrokerLogDirHealth | undefined, state: BrokerView['state']): string | null {
  const failed = health?.offlineDirs[0]
  if (failed) return `${failed.path} (${failed.error})`
  if (state === 'up' && p.offline.includes(broker)) return 'a log directory the broker reports offline'
  return null
}

function brokerCauses(findings: IsrFindings, replicas: readonly ReplicaCause[], brokerById: ReadonlyMap<number, BrokerView>, nowMs: number): BrokerCause[] {
  const ids = [...new Set(replicas.map((r) => r.broker))].sort((a, b) => a - b)
  return ids.map((broker) => {
    const mine = replicas.filter((r) => r.broker === broker)
    const view = brokerById.get(broker)
    const state = view?.state ?? 'unregistered'
    const process = mine[0]!.process
    const verdicts: Partial<Record<Verdict, number>> = {}
    for (const r of mine) verdicts[r.verdict] = (verdicts[r.verdict] ?? 0) + 1
    const down = state !== 'up' || process === 'hung' || process === 'gone'
    const lastContactMs = view?.lastContactMs ?? null
    return {
      broker,
      rack: view?.rack ?? null,
      state,
      process,
      lastContactMs,
      silentForMs: lastContactMs === null ? null : Math.max(0, nowMs - lastContactMs),
      outOfSyncPartitions: mine.length,
      stillInIsrOf: down ? (findings.stillInSyncElsewhere.find((s) => s.broker === broker)?.partitions ?? 0) : 0,
      verdicts,
    }
  })
}

function sharedRacks(partitions: readonly AffectedPartition[], brokerById: ReadonlyMap<number, BrokerView>): SharedRack[] {
  const racks = new Map<string, { brokers: Set<number>; partitions: number }>()
  for (const p of partitions) {
    const byRack = new Map<string, number[]>()
    for (const id of p.outOfSync) {
      const rack = brokerById.get(id)?.rack
      if (rack) byRack.set(rack, [...(byRack.get(rack) ?? []), id])
    }
    for (const [rack, ids] of byRack) {
      if (ids.length < 2) continue
      const entry = racks.get(rack) ?? { brokers: new Set<number>(), partitions: 0 }
      for (const id of ids) entry.brokers.add(id)
      entry.partitions++
      racks.set(rack, entry)
    }
  }
  return [...racks.entries()]
    .map(([rack, e]) => ({ rack, brokers: [...e.brokers].sort((a, b) => a - b), partitions: e.partitions }))
    .sort((a, b) => a.rack.localeCompare(b.rack))
}

/**
 * When writes come back by waiting: a failing partition needs (effective min ISR − ISR size) replicas back;
 * the soonest ones that are catching up give its ETA; the slowest failing partition gives the total.
 */
function writesBack(
  partitions: readonly AffectedPartition[],
  replicas: readonly ReplicaCause[],
): Pick<CauseReport, 'writesBackInMs' | 'failingWithoutProgress'> {
  let worst: number | null = null
  let stuck = 0
  for (const p of partitions.filter((x) => x.writes === 'failing')) {
    const needed = p.effectiveMinIsr! - p.isr.length
    const etas = replicas
      .filter((r) => r.topic === p.topic && r.partition === p.partition)
      .map((r) =>
        r.progress.kind === 'catching-up'
          ? r.progress.etaMs
          : r.progress.kind === 'at-high-watermark' && r.brokerState === 'up' && r.process === 'answering'
            ? 0
            : null,
      )
      .filter((eta): eta is number => eta !== null)
      .sort((a, b) => a - b)
    if (etas.length < needed) {
      stuck++
      continue
    }
    const eta = etas[needed - 1]!
    worst = worst === null ? eta : Math.max(worst, eta)
  }
  return { writesBackInMs: stuck > 0 ? null : worst, failingWithoutProgress: stuck }
}
