// The one rule both the salvage classifier and the exact-loss tally follow to tell a producer's transactions
// apart in offset order: a marker ends the open one, a new producer epoch begins another.

import { describe, expect, it } from 'vitest'
import { OpenTransactions } from '../../lib/plans/transaction-runs.ts'

describe('OpenTransactions', () => {
  it('a marker ends what the producer wrote since its last marker; another producer is untouched', () => {
    const open = new OpenTransactions<string>()
    expect(open.add(7n, 0, 'a')).toBeNull()
    expect(open.add(8n, 0, 'x')).toBeNull()
    expect(open.add(7n, 0, 'b')).toBeNull()
    expect(open.end(7n)).toEqual({ producerEpoch: 0, items: ['a', 'b'] })
    expect(open.stillOpen()).toEqual([[8n, { producerEpoch: 0, items: ['x'] }]])
  })

  it('an abort then a commit by the same producer are two transactions', () => {
    const open = new OpenTransactions<number>()
    open.add(7n, 0, 1)
    expect(open.end(7n)).toEqual({ producerEpoch: 0, items: [1] })
    open.add(7n, 0, 2)
    expect(open.end(7n)).toEqual({ producerEpoch: 0, items: [2] })
  })

  it('a marker with nothing open ends a transaction that began before what was read', () => {
    expect(new OpenTransactions<number>().end(7n)).toBeNull()
  })

  it('a record under a new producer epoch begins another transaction and hands back the one it ended unmarked', () => {
    const open = new OpenTransactions<number>()
    open.add(7n, 0, 1)
    open.add(7n, 0, 2)
    expect(open.add(7n, 1, 3)).toEqual({ producerEpoch: 0, items: [1, 2] })
    expect(open.end(7n)).toEqual({ producerEpoch: 1, items: [3] })
    expect(open.stillOpen()).toEqual([])
  })
})
