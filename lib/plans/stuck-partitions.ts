// PURE: which consumer groups are stuck, from two samples of their committed offsets and log ends taken some
// seconds apart and the group descriptions read in between. A partition is stuck when its committed offset did
// not move while records wait behind it; a crash loop shows as members that join and leave (every restart of a
// dynamic member is a new member id) and, in KIP-848 groups, as a group epoch that keeps rising.

import type { GroupType, TopicPartition } from '../kafka/types.ts'

/** One read of a group: its description and commits, and the log of every committed partition. */
export interface GroupSample {
  readonly groupId: string
  readonly type: GroupType
  readonly state: string
  readonly members: readonly { readonly memberId: string; readonly clientId: string; readonly host: string; readonly assignment: readonly TopicPartition[] }[]
  /** KIP-848 group epoch; absent for classic groups. */
  readonly epoch?: number
  readonly committed: readonly (TopicPartition & { readonly offset: bigint })[]
  /** Log start and end of the committed partitions (a partition whose log could not be read is missing). */
  readonly logs: readonly (TopicPartition & { readonly logStart: bigint; readonly logEnd: bigint })[]
  readonly atMs: number
}

/** The group as seen by the reads between the two samples. */
export interface GroupObservation {
  readonly atMs: number
  readonly state: string
  readonly memberIds: readonly string[]
  readonly epoch?: number
}

/** What the members did during the sample. */
export interface GroupChurn {
  /** Distinct member ids seen. */
  readonly membersSeen: number
  /** Member ids that appeared after the first read, and ids that disappeared before the last. */
  readonly joined: number
  readonly left: number
  /** States seen, in the order first seen. */
  readonly states: readonly string[]
  readonly epochFrom: number | null
  readonly epochTo: number | null
  /** Members that keep joining and leaving, a rebalance that keeps restarting, or an epoch that keeps rising. */
  readonly crashLoop: boolean
}

export type StuckVerdict =
  /** Members join and leave while the offset stays: the service restarts on this record. */
  | 'crash-loop'
  /** The group commits on other partitions, not on this one: a consumer retries this record forever. */
  | 'alone'
  /** The group has members but commits nowhere. */
  | 'no-progress'
  /** No members: the service is stopped (perhaps by someone who already looked). */
  | 'stopped'

export interface StuckPartition extends TopicPartition {
  readonly groupId: string
  readonly groupType: GroupType
  readonly verdict: StuckVerdict
  readonly committed: bigint
  readonly logStart: bigint
  readonly logEndBefore: bigint
  readonly logEnd: bigint
  readonly lag: bigint
  /** Records written to the partition during the sample. */
  readonly grewBy: bigint
  /** How long the sample saw the committed offset stay put. */
  readonly stuckForAtLeastMs: number
  /** Members assigned this partition at the second read (client ids and hosts). */
  readonly owners: readonly { readonly memberId: string; readonly clientId: string; readonly host: string }[]
}

/** A committed offset retention has already passed: not a record to skip (the consumer resets by auto.offset.reset). */
export interface BelowLogStart extends TopicPartition {
  readonly groupId: string
  readonly committed: bigint
  readonly logStart: bigint
}

export interface StuckGroups {
  /** Stuck partitions, the likeliest poison first. */
  readonly stuck: readonly StuckPartition[]
  readonly belowLogStart: readonly BelowLogStart[]
  readonly churn: ReadonlyMap<string, GroupChurn>
  /** Groups whose commits moved on at least one partition during the sample. */
  readonly progressing: ReadonlySet<string>
  readonly sampledMs: number
}

const key = (tp: TopicPartition) => `${tp.topic}/${tp.partition}`

const rebalancing = new Set(['PreparingRebalance', 'CompletingRebalance', 'Assigning', 'Reconciling'])

/** Member churn and states over the reads of one group (the two samples and the watch in between). */
export function groupChurn(observations: readonly GroupObservation[]): GroupChurn {
  const ordered = [...observations].sort((a, b) => a.atMs - b.atMs)
  const seen = new Set<string>()
  const states: string[] = []
  for (const o of ordered) {
    o.memberIds.forEach((id) => seen.add(id))
    if (!states.includes(o.state)) states.push(o.state)
  }
  const first = new Set(ordered[0]?.memberIds ?? [])
  const last = new Set(ordered.at(-1)?.memberIds ?? [])
  const joined = [...seen].filter((id) => !first.has(id)).length
  const left = [...seen].filter((id) => !last.has(id)).length
  const epochs = ordered.map((o) => o.epoch).filter((e): e is number => e !== undefined)
  const epochFrom = epochs[0] ?? null
  const epochTo = epochs.at(-1) ?? null
  const rebalances = ordered.filter((o) => rebalancing.has(o.state)).length
  const crashLoop = joined + left >= 2 || (epochFrom !== null && epochTo! - epochFrom >= 2) || (rebalances >= 2 && joined + left >= 1)
  return { membersSeen: seen.size, joined, left, states, epochFrom, epochTo, crashLoop }
}

const verdictRank: Readonly<Record<StuckVerdict, number>> = { 'crash-loop': 3, alone: 2, 'no-progress': 1, stopped: 0 }

/** Orders stuck partitions: crash loops first, then a partition stuck alone, then active groups, then growth and lag. */
function compareStuck(a: StuckPartition, b: StuckPartition): number {
  const big = (x: bigint, y: bigint) => (x > y ? -1 : x < y ? 1 : 0)
  return (
    verdictRank[b.verdict] - verdictRank[a.verdict] ||
    big(a.grewBy > 0n ? 1n : 0n, b.grewBy > 0n ? 1n : 0n) ||
    big(a.lag, b.lag) ||
    a.groupId.localeCompare(b.groupId) ||
    key(a).localeCompare(key(b))
  )
}

/**
 * The stuck partitions of the sampled groups: committed offset unchanged between the samples, records behind it
 * (lag > 0, or the log end moved), the offset still inside the log. Ranked, likeliest poison first.
 */
export function planStuckPartitions(input: {
  readonly first: readonly GroupSample[]
  readonly second: readonly GroupSample[]
  readonly watched: ReadonlyMap<string, readonly GroupObservation[]>
}): StuckGroups {
  const before = new Map(input.first.map((g) => [g.groupId, g]))
  const churn = new Map<string, GroupChurn>()
  const progressing = new Set<string>()
  const stuck: StuckPartition[] = []
  const belowLogStart: BelowLogStart[] = []
  let sampledMs = 0
  for (const now of input.second) {
    const then = before.get(now.groupId)
    if (!then) continue
    sampledMs = Math.max(sampledMs, now.atMs - then.atMs)
    const observe = (s: GroupSample): GroupObservation => ({
      atMs: s.atMs,
      state: s.state,
      memberIds: s.members.map((m) => m.memberId),
      ...(s.epoch !== undefined ? { epoch: s.epoch } : {}),
    })
    const groupChurnNow = groupChurn([observe(then), ...(input.watched.get(now.groupId) ?? []), observe(now)])
    churn.set(now.groupId, groupChurnNow)
    const committedBefore = new Map(then.committed.map((c) => [key(c), c.offset]))
    const logsBefore = new Map(then.logs.map((l) => [key(l), l]))
    const logsNow = new Map(now.logs.map((l) => [key(l), l]))
    const moved = now.committed.filter((c) => {
      const was = committedBefore.get(key(c))
      return was !== undefined && c.offset !== was
    })
    if (moved.length > 0) progressing.add(now.groupId)
    for (const c of now.committed) {
      const was = committedBefore.get(key(c))
      const log = logsNow.get(key(c))
      if (was === undefined || was !== c.offset || !log) continue
      if (c.offset < log.logStart) {
        belowLogStart.push({ groupId: now.groupId, topic: c.topic, partition: c.partition, committed: c.offset, logStart: log.logStart })
        continue
      }
      if (log.logEnd <= c.offset) continue
      const endBefore = logsBefore.get(key(c))?.logEnd ?? log.logEnd
      const verdict: StuckVerdict =
        now.members.length === 0 && !groupChurnNow.crashLoop ? 'stopped' : groupChurnNow.crashLoop ? 'crash-loop' : moved.length > 0 ? 'alone' : 'no-progress'
      stuck.push({
        groupId: now.groupId,
        groupType: now.type,
        topic: c.topic,
        partition: c.partition,
        verdict,
        committed: c.offset,
        logStart: log.logStart,
        logEndBefore: endBefore,
        logEnd: log.logEnd,
        lag: log.logEnd - c.offset,
        grewBy: log.logEnd > endBefore ? log.logEnd - endBefore : 0n,
        stuckForAtLeastMs: now.atMs - then.atMs,
        owners: now.members
          .filter((m) => m.assignment.some((a) => a.topic === c.topic && a.partition === c.partition))
          .map(({ memberId, clientId, host }) => ({ memberId, clientId, host })),
      })
    }
  }
  return { stuck: stuck.sort(compareStuck), belowLogStart, churn, progressing, sampledMs }
}

/** A stuck partition with what its next records say: the first one unlike its neighbours, if any. */
export interface Suspect extends StuckPartition {
  readonly odd: { readonly offset: bigint; readonly reason: string } | null
}

const score = (s: Suspect) => verdictRank[s.verdict] + (s.odd ? 2.5 : 0)

/**
 * Ranks stuck partitions with the evidence of their records: a crash loop whose next records hold one unlike the
 * others leads; an odd record outranks the verdict one step (a stopped group with a broken record beats a
 * crash loop whose records all look alike, which may be the service's own bug).
 */
export function rankSuspects(stuck: readonly StuckPartition[], odd: ReadonlyMap<string, Suspect['odd']>): Suspect[] {
  return stuck.map((s) => ({ ...s, odd: odd.get(`${s.groupId} ${key(s)}`) ?? null })).sort((a, b) => score(b) - score(a) || compareStuck(a, b))
}

/** The key `rankSuspects` looks odd records up by. */
export const suspectKey = (groupId: string, tp: TopicPartition) => `${groupId} ${key(tp)}`

/**
 * The one partition a run may go on with when nobody named one: the only stuck partition, the only one with
 * evidence (a crash loop or an odd record), or within the one crash-looping group the only one with an odd record.
 */
export function soleSuspect(suspects: readonly Suspect[]): Suspect | null {
  if (suspects.length === 1) return suspects[0]!
  const evident = suspects.filter((s) => s.verdict === 'crash-loop' || s.odd !== null)
  if (evident.length === 1) return evident[0]!
  const groups = new Set(evident.map((s) => s.groupId))
  const odd = evident.filter((s) => s.odd !== null)
  if (groups.size === 1 && odd.length === 1) return odd[0]!
  return null
}
