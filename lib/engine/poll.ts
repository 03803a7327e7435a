// Waiting on a cluster that converges a moment later: a config a broker applies after the controller answered,
// a committed offset, a leader, a group emptying. Bounded everywhere: by a number of reads, or by a deadline.

/** The run's clock (tests pin it; a Ctrl-C rejects sleep). */
export interface Clock {
  now(): number
  sleep(ms: number): Promise<void>
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

/** Checks until `check` holds (a failing check counts as not yet), or throws after `timeoutMs`: "timed out … waiting for <what>". */
export async function waitUntil(
  what: string,
  check: () => Promise<boolean>,
  clock: Clock,
  options: { readonly timeoutMs: number; readonly intervalMs?: number },
): Promise<void> {
  const deadline = clock.now() + options.timeoutMs
  while (!(await check().catch(() => false))) {
    if (clock.now() > deadline) throw new Error(`timed out after ${Math.round(options.timeoutMs / 1000)} s waiting for ${what}`)
    await clock.sleep(options.intervalMs ?? 250)
  }
}
