// Which brokers of a session answer. A hung broker (a paused host, a stuck JVM) still accepts connections, so
// the only sign is silence: a request sent to it waits out the whole request timeout. Requests any broker can
// answer go to brokers that answered recently; one whose last answer is older is first asked a cheap question
// with a short bound, and one that stays silent is left aside (said once) until it answers again.

/** How recently a broker must have answered to be sent a request without asking it first. */
export const freshForMs = 2000
/** The bound on that question: far above a live broker's answer to ApiVersions, far below the request timeout. */
export const probeBoundMs = 3000

export class BrokerHealth {
  readonly #now: () => number
  readonly #notice: (line: string) => void
  readonly #lastAnswerAt = new Map<string, number>()
  readonly #inFlight = new Map<string, number>()
  readonly #silent = new Set<string>()
  readonly #reported = new Set<string>()

  constructor(notice: (line: string) => void = () => {}, now: () => number = Date.now) {
    this.#notice = notice
    this.#now = now
  }

  sent(key: string): void {
    this.#inFlight.set(key, (this.#inFlight.get(key) ?? 0) + 1)
  }

  /** The end of a request: answered, or failed without an answer (`answered: false`). */
  settled(key: string, answered: boolean): void {
    this.#inFlight.set(key, (this.#inFlight.get(key) ?? 1) - 1)
    if (!answered) return
    this.#lastAnswerAt.set(key, this.#now())
    this.#silent.delete(key)
    this.#reported.delete(key)
  }

  inFlight(key: string): number {
    return this.#inFlight.get(key) ?? 0
  }

  /** Answered at least once and not left aside since. */
  answers(key: string): boolean {
    return this.#lastAnswerAt.has(key) && !this.#silent.has(key)
  }

  /** Answered within `freshForMs` and not left aside since. */
  fresh(key: string): boolean {
    const last = this.#lastAnswerAt.get(key)
    return !this.#silent.has(key) && last !== undefined && this.#now() - last <= freshForMs
  }

  silent(key: string): boolean {
    return this.#silent.has(key)
  }

  /** Leaves a broker aside until it answers again; the operator hears of it once. */
  markSilent(key: string, name: string, why: string): void {
    this.#silent.add(key)
    if (this.#reported.has(key)) return
    this.#reported.add(key)
    this.#notice(`${name} is not answering (${why}): requests any broker can answer go to the others until it answers again`)
  }
}
