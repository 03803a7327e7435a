// Knowing the outage by trying a restart: how long to watch it, what the watch saw, and what waiting costs once
// the time spent is counted. Pure: the pricing's own numbers, the command's exit and the watch's observations in;
// a deadline, a classified outcome and a re-pricing out.

import { priceOutage, type OptionEffects, type OutagePricing, type PricingInput } from './outage-price.ts'

/** A broker needs tens of seconds to start, register and be unfenced: a shorter watch calls a working restart failed. */
export const minRestartWatchMs = 30_000
/** A restart that takes longer than this is a repair, not a restart: the operator decides again with what is known. */
export const maxRestartWatchMs = 30 * 60_000

export type WatchBasis = 'given' | 'break-even' | 'delivery-timeout' | 'floor' | 'cap'

export interface WatchDeadline {
  /** How long to watch, from the command's start. */
  readonly ms: number
  readonly basis: WatchBasis
  /** The break-even outage was already behind when the watch began (waiting already costs more than electing). */
  readonly breakEvenPassed: boolean
}

/**
 * How long to watch a restart: until waiting starts to cost more than the cheapest election (the pricing's
 * break-even outage), else until the producers' delivery timeout runs out — both counted from the pricing, so the
 * time already spent is taken off — never shorter than a broker needs to start, nor longer than a restart.
 * An operator's own bound (`givenMs`) wins.
 */
export function restartWatchDeadline(input: {
  readonly breakEvenMs: number | null
  readonly deliveryTimeoutMs: number
  /** Time since the pricing, when the command starts. */
  readonly elapsedMs: number
  readonly givenMs?: number
}): WatchDeadline {
  const breakEvenPassed = input.breakEvenMs !== null && input.elapsedMs >= input.breakEvenMs
  if (input.givenMs !== undefined) return { ms: input.givenMs, basis: 'given', breakEvenPassed }
  const [limit, basis] = input.breakEvenMs !== null ? [input.breakEvenMs, 'break-even' as const] : [input.deliveryTimeoutMs, 'delivery-timeout' as const]
  const left = limit - input.elapsedMs
  if (left < minRestartWatchMs) return { ms: minRestartWatchMs, basis: 'floor', breakEvenPassed }
  if (left > maxRestartWatchMs) return { ms: maxRestartWatchMs, basis: 'cap', breakEvenPassed }
  return { ms: left, basis, breakEvenPassed }
}

/** One poll of the cluster during the watch. */
export interface WatchObservation {
  readonly atMs: number
  /** Every broker restarted is registered and unfenced. */
  readonly registered: boolean
  /** Partitions in question with a leader, of `of`. */
  readonly led: number
  /** Partitions whose ISR holds every broker restarted again. */
  readonly inIsr: number
  readonly of: number
}

/** When each milestone was first seen, in milliseconds after the command started; null when not (yet) seen. */
export interface WatchMilestones {
  readonly registeredAfterMs: number | null
  readonly ledAfterMs: number | null
  readonly inIsrAfterMs: number | null
}

/**
 * Folds the polls into the first time each milestone held — counted only when the next poll finds it too: a broker
 * just back from a pause answers from the metadata it had before (on 4.3.1 for about half a second), where the
 * dead broker is still registered and its partitions still led. The time is the first poll's: the milestone held
 * by then, or it came within the poll interval after.
 */
export function watchMilestones(startedAtMs: number, observations: readonly WatchObservation[]): WatchMilestones {
  const first = (held: (o: WatchObservation) => boolean) => {
    const at = observations.findIndex((o, i) => held(o) && i + 1 < observations.length && held(observations[i + 1]!))
    return at < 0 ? null : Math.max(0, observations[at]!.atMs - startedAtMs)
  }
  return {
    registeredAfterMs: first((o) => o.registered),
    ledAfterMs: first((o) => o.of > 0 && o.led === o.of),
    inIsrAfterMs: first((o) => o.of > 0 && o.inIsr === o.of),
  }
}

/** How the command ended: its exit code, or that we stopped it (the deadline, a Ctrl-C); null while it runs. */
export type CommandEnd = { readonly exitCode: number } | { readonly stoppedBy: 'deadline' | 'interrupt' } | null

export type RestartOutcome =
  /** Every partition has a leader: the outage is measured. The command may still have failed (said, not fatal). */
  | { readonly kind: 'back'; readonly outageMs: number; readonly commandFailed: boolean }
  /** The command exited non-zero and the partitions are still without a leader. */
  | { readonly kind: 'command-failed'; readonly exitCode: number; readonly elapsedMs: number }
  /** The deadline passed without every partition led (the command may have succeeded, or still be running). */
  | { readonly kind: 'not-back'; readonly elapsedMs: number; readonly registered: boolean }
  /** The operator pressed Ctrl-C. */
  | { readonly kind: 'interrupted'; readonly elapsedMs: number }

/** What the watch comes to, from how the command ended, the milestones and the time spent. */
export function classifyRestart(end: CommandEnd, milestones: WatchMilestones, elapsedMs: number): RestartOutcome {
  if (milestones.ledAfterMs !== null) {
    return { kind: 'back', outageMs: milestones.ledAfterMs, commandFailed: end !== null && 'exitCode' in end && end.exitCode !== 0 }
  }
  if (end !== null && 'stoppedBy' in end && end.stoppedBy === 'interrupt') return { kind: 'interrupted', elapsedMs }
  if (end !== null && 'exitCode' in end && end.exitCode !== 0) return { kind: 'command-failed', exitCode: end.exitCode, elapsedMs }
  return { kind: 'not-back', elapsedMs, registered: milestones.registeredAfterMs !== null }
}

/** Whether the watch should stop polling now: the partitions are back, the command failed, or the deadline passed. */
export function watchIsOver(end: CommandEnd, milestones: WatchMilestones, elapsedMs: number, deadlineMs: number): boolean {
  if (milestones.ledAfterMs !== null && milestones.inIsrAfterMs !== null) return true
  // Led but the ISR not yet whole: the outage is over; a few more polls see the followers rejoin, within the deadline.
  if (milestones.ledAfterMs !== null) return elapsedMs >= deadlineMs
  if (end !== null && 'exitCode' in end && end.exitCode !== 0) return true
  if (end !== null && 'stoppedBy' in end) return true
  return elapsedMs >= deadlineMs
}

/**
 * The options priced again once `elapsedMs` of outage is behind us: every option's partitions have been offline
 * that much longer (so their producers' batches are that much nearer their delivery timeout), and waiting lasts
 * `remainingMs` more — 'unknown' when the restart failed and nothing else says when the broker is back.
 */
export function repriceWithElapsed(input: PricingInput, elapsedMs: number, remainingMs: number | 'unknown'): OutagePricing {
  const options: OptionEffects[] = input.options.map((o) => ({
    ...o,
    partitions: o.partitions.map((p) => ({ ...p, offlineMs: p.offlineMs === 'outage' ? 'outage' : p.offlineMs + elapsedMs })),
  }))
  return priceOutage({ ...input, options, expectedOutageMs: remainingMs === 'unknown' ? 'unknown' : elapsedMs + remainingMs })
}

/** What is left of the operator's expected outage after `elapsedMs`: 'unknown' once it is used up or was never known. */
export function remainingOutage(expectedOutageMs: number | 'unknown', elapsedMs: number): number | 'unknown' {
  if (expectedOutageMs === 'unknown') return 'unknown'
  const left = expectedOutageMs - elapsedMs
  return left > 0 ? left : 'unknown'
}
