// The choice the ISR-shrink runbook puts to the operator, as facts: which ways out are open now, what each
// costs in records and seconds from the live numbers, and which one the data points to. Pure.

import type { IsrFindings } from './isr-findings.ts'
import type { CauseReport } from './replica-causes.ts'

export type IsrAction = 'wait' | 'lower-min-isr' | 'remove-throttle' | 'export-reassignment' | 'report'

/** What writes looked like before they started failing, from the records below the high watermark. */
export interface WriteHistory {
  /** Records per second into the failing partitions over the minute before each one's newest record; null when unknown. */
  readonly recordsPerSecond: number | null
  /** The newest record any failing partition accepted (ms since the epoch); null when unknown. */
  readonly lastAcceptedMs: number | null
}

export interface IsrOptionFacts {
  readonly failing: number
  readonly failingTopics: readonly string[]
  /** Failing partitions on internal topics (left out of a min-ISR change unless named). */
  readonly failingInternal: number
  readonly atMin: number
  readonly writesBackInMs: number | null
  /** Records the failing partitions would have taken while waiting, at the rate before the failure. */
  readonly recordsRefusedWhileWaiting: number | null
  readonly failingForMs: number | null
  /** The value that restores writes on every failing partition, and the copies acks=all then means. */
  readonly lowerTo: number | null
  readonly throttledFollowers: number
  readonly downBrokers: readonly number[]
  readonly hungBrokers: readonly number[]
  readonly unavailable: Readonly<Partial<Record<IsrAction, string>>>
  readonly recommended: IsrAction
  readonly because: string
}

const seconds = (ms: number) => (ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : ms < 120_000 ? `${Math.round(ms / 1000)} s` : `${(ms / 60_000).toFixed(1)} min`)

export function planIsrOptions(findings: IsrFindings, causes: CauseReport | null, history: WriteHistory, nowMs: number): IsrOptionFacts {
  const failing = findings.failing
  const external = failing.filter((p) => !p.internal)
  const failingTopics = [...new Set(external.map((p) => p.topic))]
  const throttled = (causes?.replicas ?? []).filter((r) => r.throttles.length > 0 && r.brokerState === 'up' && r.process !== 'hung' && r.process !== 'gone')
  const brokers = causes?.brokers ?? []
  const hungBrokers = brokers.filter((b) => b.process === 'hung').map((b) => b.broker)
  const downBrokers = brokers.filter((b) => (b.state !== 'up' || b.process === 'gone') && b.process !== 'hung').map((b) => b.broker)
  const writesBackInMs = failing.length > 0 ? (causes?.writesBackInMs ?? null) : 0
  const rate = history.recordsPerSecond
  const refused = writesBackInMs !== null && rate !== null && failing.length > 0 ? Math.round((rate * writesBackInMs) / 1000) : null
  const smallestIsr = Math.min(...external.map((p) => p.isr.length))
  const lowerTo = external.length > 0 ? Math.max(1, smallestIsr) : null

  const outOfSync = findings.partitions.some((p) => p.outOfSync.length > 0)
  const unavailable: Partial<Record<IsrAction, string>> = {}
  if (!outOfSync) unavailable.wait = 'no replica is out of sync: there is nothing to wait for'
  if (external.length === 0)
    unavailable['lower-min-isr'] =
      failing.length > 0
        ? 'only internal topics fail: name them in topics= to change them'
        : 'no partition with a leader is under min ISR: writes are not failing'
  if (throttled.length === 0) unavailable['remove-throttle'] = 'no replication throttle holds back an out-of-sync replica'
  if (downBrokers.length === 0) unavailable['export-reassignment'] = 'every out-of-sync replica’s broker is registered and unfenced'

  let recommended: IsrAction
  let because: string
  if (!outOfSync) {
    recommended = 'report'
    because =
      'no replica is out of sync: these partitions sit at min ISR by their settings (replication factor = min.insync.replicas) — the durability-audit runbook is about those'
  } else if (throttled.length > 0) {
    recommended = 'remove-throttle'
    because = `${throttled.length} out-of-sync replica(s) are alive but held back by a replication throttle; without it they catch up and rejoin`
  } else if (failing.length > 0 && writesBackInMs !== null && writesBackInMs <= 60_000) {
    recommended = 'wait'
    because = `the replicas that are needed catch up by themselves: writes should come back in about ${seconds(writesBackInMs)}, without giving up any copy`
  } else if (external.length > 0) {
    recommended = 'lower-min-isr'
    because =
      writesBackInMs === null
        ? `${stuckCount(causes?.failingWithoutProgress ?? failing.length)} no replica catching up${downBrokers.length + hungBrokers.length > 0 ? ` (broker ${[...downBrokers, ...hungBrokers].join(', ')} down or hung)` : ''}: waiting alone does not bring writes back`
        : `writes would stay refused for about ${seconds(writesBackInMs)} more; a lower min ISR takes them now, with fewer copies until the ISR is back`
  } else {
    recommended = failing.length > 0 ? 'report' : 'wait'
    because =
      failing.length > 0
        ? 'only internal topics are failing; decide whether to name them in topics='
        : 'no acks=all write is being refused: the out-of-sync replicas can rejoin without a change'
  }
  return {
    failing: failing.length,
    failingTopics,
    failingInternal: failing.length - external.length,
    atMin: findings.partitions.filter((p) => p.writes === 'at-min').length,
    writesBackInMs,
    recordsRefusedWhileWaiting: refused,
    failingForMs: failing.length > 0 && history.lastAcceptedMs !== null ? Math.max(0, nowMs - history.lastAcceptedMs) : null,
    lowerTo,
    throttledFollowers: throttled.length,
    downBrokers,
    hungBrokers,
    unavailable,
    recommended,
    because,
  }
}

const stuckCount = (n: number) => (n === 1 ? '1 failing partition has' : `${n} failing partitions have`)
