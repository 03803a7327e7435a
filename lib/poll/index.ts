// Waiting on a cluster that converges a moment later: a config a broker applies after the controller answered,
// a committed offset, a leader, an ISR refilling, a sandbox's brokers registering. The one polling helper of the
// project, bounded everywhere — by a number of reads, or by a deadline — and driven by an injected clock so tests
// can pin time. It sits below every layer that waits (engine, cells, runbooks, drills, the sandbox), so it imports
// only the wording of times and uses no node built-ins.

import { formatSeconds } from '../format/time.ts'

/** The run's clock (tests pin it; a Ctrl-C rejects sleep). */
export interface Clock {
  now(): number
  sleep(ms: number): Promise<void>
}

/** The wall clock, for callers that have no clock injected (the sandbox, test helpers). */
export const wallClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
}

/**
 * Reads until `done` accepts the value, at most `attempts` reads `intervalMs` apart (counted in reads, so a pinned
 * test clock cannot stall it); returns the last value read either way.
 */
export async function pollUntil<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  options: { readonly sleep: (ms: number) => Promise<void>; readonly intervalMs: number; readonly attempts: number },
): Promise<T> {
  let value = await read()
  for (let attempt = 1; attempt < options.attempts && !done(value); attempt++) {
    await options.sleep(options.intervalMs)
    value = await read()
  }
  return value
}

/**
 * How long good news waits for the read that confirms it. Measured on Kafka 4.3.1: a broker resumed after SIGSTOP
 * answered partition states from stale metadata for about half a second (an ISR the leader had already shrunk).
 */
export const confirmAfterMs = 1000

/**
 * Wraps a read whose good news ends a wait or makes the caller act (report a recovery, restore a setting): a value
 * `good` accepts is read again `confirmMs` later and that second value is returned, good or not — so one answer
 * from a broker that has just come back from a pause or a restart, still on its old metadata, is never taken for
 * the real state. Bad news is returned at once.
 */
export function confirmedRead<T>(
  read: () => Promise<T>,
  good: (value: T) => boolean,
  options: { readonly sleep: (ms: number) => Promise<void>; readonly confirmMs?: number },
): () => Promise<T> {
  return async () => {
    const first = await read()
    if (!good(first)) return first
    await options.sleep(options.confirmMs ?? confirmAfterMs)
    return read()
  }
}

export interface WaitOptions {
  readonly timeoutMs: number
  /** Pause between checks; 250 ms unless told. */
  readonly intervalMs?: number
  /** Aborting ends the wait at once with the signal's reason. */
  readonly signal?: AbortSignal
  /** Errors of the check that end the wait at once; every other error counts as "not yet" and is remembered. */
  readonly fatal?: (error: unknown) => boolean
  /** What the waiter last saw, named in the timeout message. */
  readonly seen?: () => string
}

/** How a wait ended: whether the check held before the deadline, and what stood in the way when it did not. */
export interface WaitOutcome {
  readonly held: boolean
  /** The last error of the check and what `seen` reports, joined; '' when there is nothing to say. */
  readonly lastSeen: string
}

/** Checks until `check` holds or `timeoutMs` passes; never throws for a timeout (see waitUntil for that). */
export async function waitFor(check: () => Promise<boolean>, clock: Clock, options: WaitOptions): Promise<WaitOutcome> {
  const deadline = clock.now() + options.timeoutMs
  let lastError = ''
  const lastSeen = () => [options.seen?.() ?? '', lastError].filter(Boolean).join('; ')
  options.signal?.throwIfAborted()
  for (;;) {
    let held = false
    try {
      held = await check()
    } catch (error) {
      if (options.fatal?.(error) || options.signal?.aborted) throw error
      lastError = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error)
    }
    if (held) return { held: true, lastSeen: '' }
    if (clock.now() >= deadline) return { held: false, lastSeen: lastSeen() }
    options.signal?.throwIfAborted()
    await clock.sleep(options.intervalMs ?? 250)
  }
}

/** Checks until `check` holds, or throws "timed out after N s waiting for <what> (last seen: …)". */
export async function waitUntil(what: string, check: () => Promise<boolean>, clock: Clock, options: WaitOptions): Promise<void> {
  const outcome = await waitFor(check, clock, options)
  if (outcome.held) return
  const lastSeen = outcome.lastSeen ? ` (last seen: ${outcome.lastSeen})` : ''
  throw new Error(`timed out after ${formatSeconds(options.timeoutMs)} waiting for ${what}${lastSeen}`)
}
