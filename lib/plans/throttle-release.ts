// Freeing followers a replication throttle keeps out of the ISR: take exactly their entries out of the topics'
// throttled-replica lists ("*" goes as a whole), leave the rates and every other list entry alone, and record
// the exact previous lists for the undo. Pure.

import type { ConfigOp } from '../kafka/types.ts'
import type { ReplicaCause, TopicThrottles } from './replica-causes.ts'

export type ThrottleList = 'leader.replication.throttled.replicas' | 'follower.replication.throttled.replicas'

export interface ListChange {
  readonly name: ThrottleList
  readonly before: string
  /** null: the override is deleted. */
  readonly after: string | null
}

export interface ThrottleReleasePlan {
  readonly topics: readonly {
    readonly topic: string
    readonly changes: readonly ListChange[]
    /** The followers this frees, as partition:broker. */
    readonly frees: readonly string[]
  }[]
  /** The rates that stay (they throttle nothing that is no longer listed). */
  readonly ratesKept: readonly { readonly broker: number; readonly side: 'leader' | 'follower'; readonly bytesPerSecond: number; readonly source: string }[]
  /** Topics with a reassignment in progress: its copies run unthrottled once their entries are gone. */
  readonly reassigning: readonly string[]
  readonly followers: number
}

export type ThrottleReleaseFault = { readonly kind: 'nothing-throttled' }

export const isThrottleFault = (value: ThrottleReleasePlan | ThrottleReleaseFault): value is ThrottleReleaseFault => 'kind' in value

export function describeThrottleFault(_fault: ThrottleReleaseFault): string {
  return 'no replication throttle holds back an out-of-sync replica: there is no throttle to remove; nothing changed'
}

/** The list without the named partition:broker entries; "*" cannot lose single entries, so it goes entirely. */
export function listWithout(list: string, entries: readonly string[]): string | null {
  if (list.trim() === '*') return null
  const remove = new Set(entries)
  const kept = list
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '' && !remove.has(e))
  return kept.length === 0 ? null : kept.join(',')
}

export function planThrottleRelease(
  causes: readonly ReplicaCause[],
  topicThrottles: readonly TopicThrottles[],
  reassigningTopics: ReadonlySet<string>,
): ThrottleReleasePlan | ThrottleReleaseFault {
  // A throttled follower that still catches up is freed too: it rejoins sooner.
  const held = causes.filter((c) => c.throttles.length > 0 && c.brokerState === 'up' && c.process !== 'hung' && c.process !== 'gone')
  if (held.length === 0) return { kind: 'nothing-throttled' }
  const lists = new Map(topicThrottles.map((t) => [t.topic, t]))
  const topics = [...new Set(held.map((c) => c.topic))].sort()
  const plan = topics.map((topic) => {
    const mine = held.filter((c) => c.topic === topic)
    const current = lists.get(topic)
    const changes: ListChange[] = []
    const leaderEntries = mine.flatMap((c) => c.throttles.filter((t) => t.side === 'leader').map((t) => `${c.partition}:${t.broker}`))
    const followerEntries = mine.flatMap((c) => c.throttles.filter((t) => t.side === 'follower').map((t) => `${c.partition}:${t.broker}`))
    if (current?.leaderReplicas && leaderEntries.length > 0)
      changes.push({ name: 'leader.replication.throttled.replicas', before: current.leaderReplicas, after: listWithout(current.leaderReplicas, leaderEntries) })
    if (current?.followerReplicas && followerEntries.length > 0)
      changes.push({
        name: 'follower.replication.throttled.replicas',
        before: current.followerReplicas,
        after: listWithout(current.followerReplicas, followerEntries),
      })
    return { topic, changes, frees: mine.map((c) => `${c.partition}:${c.broker}`) }
  })
  const rates = new Map<string, ThrottleReleasePlan['ratesKept'][number]>()
  for (const c of held)
    for (const t of c.throttles)
      rates.set(`${t.side}@${t.broker}`, { broker: t.broker, side: t.side, bytesPerSecond: t.rate.bytesPerSecond, source: t.rate.source })
  return {
    topics: plan,
    ratesKept: [...rates.values()].sort((a, b) => a.broker - b.broker || a.side.localeCompare(b.side)),
    reassigning: topics.filter((t) => reassigningTopics.has(t)),
    followers: held.length,
  }
}

/** The config operations of the release (or, with `restore`, the ones that put the previous lists back). */
export function throttleOps(changes: readonly ListChange[], restore = false): ConfigOp[] {
  return changes.map((c) => {
    const value = restore ? c.before : c.after
    return value === null ? { name: c.name, op: 'delete' as const } : { name: c.name, op: 'set' as const, value }
  })
}
