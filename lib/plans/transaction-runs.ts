// PURE: which transaction a transactional record belongs to, read in offset order. A producer's transactional
// records join its open transaction until one of its markers (commit or abort) ends it, so an abort then a
// commit by the same producer are two transactions; a record under another producer epoch than the open
// transaction's begins a new one, the earlier one's end not being in what was read. One rule for the salvage
// classifier (which keeps the records) and the exact-loss tally (which keeps counts).

export interface OpenTransaction<T> {
  readonly producerEpoch: number
  readonly items: readonly T[]
}

export class OpenTransactions<T> {
  readonly #open = new Map<bigint, { producerEpoch: number; items: T[] }>()

  /** A transactional item (a record, or a count of records) of `producerId`; returns a transaction it ended without a marker. */
  add(producerId: bigint, producerEpoch: number, item: T): OpenTransaction<T> | null {
    const current = this.#open.get(producerId)
    if (current && current.producerEpoch === producerEpoch) {
      current.items.push(item)
      return null
    }
    this.#open.set(producerId, { producerEpoch, items: [item] })
    return current ?? null
  }

  /** A marker of `producerId`: the transaction it ends, or null when none is open (it began before what was read). */
  end(producerId: bigint): OpenTransaction<T> | null {
    const current = this.#open.get(producerId)
    this.#open.delete(producerId)
    return current ?? null
  }

  /** The transactions still open at the end of what was read, by producer id. */
  stillOpen(): [bigint, OpenTransaction<T>][] {
    return [...this.#open]
  }
}
