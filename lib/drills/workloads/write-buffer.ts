// The in-memory buffer of the consumer service (consumer.ts): records accepted from kafkajs and not yet written
// out to its "database". It says when a write-out is due (full, or its oldest record waited long enough), and how
// many records an offset commit covered while they were still only here: the records an OOM kill would erase.
//
// Once asked (stallAfterCommit), the first commit covering enough of them stalls the buffer for good: nothing is
// written out any more, as a process thrashing in garbage collection before the kernel kills it. The drill
// SIGKILLs the service when it hears of that commit; without the stall, a write-out due a moment later (the buffer
// fills every couple of seconds) could land before the kill does, and the records the drill counted on losing
// would be handled after all. Pure: the workload does the I/O and keeps the clock.

export interface BufferedRecord {
  readonly seq: number
  readonly partition: number
  readonly offset: bigint
  readonly sinceMs: number
}

export interface WriteBufferOptions {
  /** Written out when it holds this many records... */
  readonly flushRecords: number
  /** ...or when its oldest record has waited this long. */
  readonly flushIntervalMs: number
}

export interface CommitExposure {
  /** Records the commit covered that are still only in memory. */
  readonly atRisk: number
  readonly buffered: number
  /** True once a commit stalled the buffer (this one or an earlier one). */
  readonly stalled: boolean
}

export class WriteBuffer {
  readonly #options: WriteBufferOptions
  #records: BufferedRecord[] = []
  #stallAtRisk: number | null = null
  #stalled = false

  constructor(options: WriteBufferOptions) {
    this.#options = options
  }

  get size(): number {
    return this.#records.length
  }

  /** Accepts a record; returns the records to write out now (the buffer is full), else none. */
  add(record: BufferedRecord): BufferedRecord[] {
    this.#records.push(record)
    return this.#records.length >= this.#options.flushRecords ? this.#take() : []
  }

  /** The records to write out at `nowMs` because the oldest has waited long enough, else none. */
  due(nowMs: number): BufferedRecord[] {
    const oldest = this.#records[0]
    return oldest && nowMs - oldest.sinceMs >= this.#options.flushIntervalMs ? this.#take() : []
  }

  /** A clean stop: everything still buffered, stalled or not. */
  drain(): BufferedRecord[] {
    return this.#records.splice(0)
  }

  /** From now on, the first commit covering at least `atRisk` records still in memory stalls the buffer for good. */
  stallAfterCommit(atRisk: number): void {
    this.#stallAtRisk = atRisk
  }

  /** An offset commit happened (next offset to read, per partition): what it exposed, and whether the buffer stalls. */
  committed(nextOffsets: ReadonlyMap<number, bigint>): CommitExposure {
    const atRisk = this.#records.filter((r) => r.offset < (nextOffsets.get(r.partition) ?? -1n)).length
    if (this.#stallAtRisk !== null && atRisk >= this.#stallAtRisk) this.#stalled = true
    return { atRisk, buffered: this.#records.length, stalled: this.#stalled }
  }

  #take(): BufferedRecord[] {
    return this.#stalled ? [] : this.#records.splice(0)
  }
}
