import { describe, expect, it } from 'vitest'
import { estimateCandidates } from '../../lib/plans/unclean-estimate.ts'
import { leaderless, type PartitionSpec } from './leaderless-snapshot.ts'

describe('estimateCandidates', () => {
  it.each<{ name: string; spec: PartitionSpec; rows: bigint[][] | (number | bigint)[][]; best: number; pick: number }>([
    {
      name: 'the lone lagging replica: nothing proves a loss (the dead leader may hold thousands more)',
      spec: { logs: { 3: 1307n } },
      rows: [[3, 1307n, 0n, 0n, 0n]],
      best: 3,
      pick: 3,
    },
    {
      name: 'a caught-up group proves the loss (lab run: committed 5794, candidate 1307)',
      spec: { logs: { 3: 1307n }, committed: { g1: 5794n } },
      rows: [[3, 1307n, 0n, 4487n, 4487n]],
      best: 3,
      pick: 3,
    },
    {
      name: 'two live replicas: the first in replica order loses what the other holds (lab: replicas 1,3,2)',
      spec: { replicas: [1, 3, 2], logs: { 3: 1436n, 2: 3318n }, committed: { g1: 3318n } },
      rows: [
        [2, 3318n, 0n, 0n, 0n],
        [3, 1436n, 1882n, 1882n, 1882n],
      ],
      best: 2,
      pick: 3,
    },
    {
      name: 'the certain loss is the larger proof: a group ahead of every live replica',
      spec: { replicas: [1, 2, 3], logs: { 2: 900n, 3: 1000n }, committed: { slow: 950n, fast: 1400n } },
      rows: [
        [3, 1000n, 0n, 400n, 400n],
        [2, 900n, 100n, 500n, 500n],
      ],
      best: 3,
      pick: 2,
    },
    {
      name: 'groups behind the candidate prove nothing',
      spec: { logs: { 3: 2000n }, committed: { old: 10n, caughtUp: 2000n } },
      rows: [[3, 2000n, 0n, 0n, 0n]],
      best: 3,
      pick: 3,
    },
    {
      name: 'equal log ends: an in-sync replica first, then replica order',
      spec: { replicas: [1, 2, 3, 4], elr: [4], logs: { 2: 500n, 3: 500n, 4: 500n } },
      rows: [
        [4, 500n, 0n, 0n, 0n],
        [2, 500n, 0n, 0n, 0n],
        [3, 500n, 0n, 0n, 0n],
      ],
      best: 4,
      pick: 2,
    },
  ])('$name', ({ spec, rows, best, pick }) => {
    const estimate = estimateCandidates(leaderless(spec))
    expect(estimate.candidates.map((c) => [c.broker, c.logEndOffset, c.lossFromReplicas, c.lossFromGroups, c.certainLoss])).toEqual(rows)
    expect(estimate.best).toBe(best)
    expect(estimate.kafkaPick).toBe(pick)
  })

  it('names the groups past the candidate, furthest first, and the replica that holds more', () => {
    const estimate = estimateCandidates(leaderless({ replicas: [1, 3, 2], logs: { 3: 100n, 2: 250n }, committed: { a: 180n, b: 300n, c: 50n } }))
    const three = estimate.candidates.find((c) => c.broker === 3)!
    expect(three.groupsAhead).toEqual([
      { groupId: 'b', committed: 300n, ahead: 200n },
      { groupId: 'a', committed: 180n, ahead: 80n },
    ])
    expect(three.aheadReplica).toEqual({ broker: 2, logEndOffset: 250n })
    expect(estimate.provenEnd).toBe(300n)
  })

  it('keeps an unreadable replica last, unestimated, and still bounds the others from what could be read', () => {
    const estimate = estimateCandidates(leaderless({ replicas: [1, 2, 3], logs: { 2: 'BROKER_NOT_AVAILABLE', 3: 700n }, committed: { g: 900n } }))
    expect(estimate.candidates.map((c) => [c.broker, c.unreadable, c.certainLoss])).toEqual([
      [3, null, 200n],
      [2, 'BROKER_NOT_AVAILABLE', 0n],
    ])
    expect(estimate).toMatchObject({ best: 3, kafkaPick: 2, incomplete: true })
  })

  it('counts offsets, not records, on a compacted topic', () => {
    expect(estimateCandidates(leaderless({ compacted: true })).unit).toBe('offsets')
    expect(estimateCandidates(leaderless()).unit).toBe('records')
  })

  it('keeps the newest record time of each candidate (the moment the loss starts)', () => {
    const estimate = estimateCandidates(leaderless({ logs: { 3: 10n }, newest: { 3: 1_799_999_990_000 } }))
    expect(estimate.candidates[0]!.newestRecordMs).toBe(1_799_999_990_000)
  })

  // The property the runbook promises: whatever the dead leader held, the certain figure never exceeds what
  // electing the candidate really deletes (the dead leader's end minus the candidate's end).
  it('never claims more than the real loss, over many random incidents', () => {
    let seed = 42
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648
      return seed % n
    }
    for (let run = 0; run < 2000; run++) {
      const deadEnd = BigInt(100 + random(10_000))
      const replicas = [1, 2, 3, 4, 5].slice(0, 2 + random(4))
      const live = replicas.filter((id) => id !== 1 && random(3) > 0)
      if (live.length === 0) continue
      // Live replicas and consumer groups can only hold or have read what the leader had: at most deadEnd.
      const logs = Object.fromEntries(live.map((id) => [id, BigInt(random(Number(deadEnd) + 1))]))
      const committed = Object.fromEntries(Array.from({ length: random(4) }, (_, i) => [`g${i}`, BigInt(random(Number(deadEnd) + 1))]))
      const estimate = estimateCandidates(leaderless({ replicas, logs, committed }))
      for (const c of estimate.candidates) {
        expect(c.certainLoss).toBeLessThanOrEqual(deadEnd - c.logEndOffset!)
        expect(c.certainLoss).toBeGreaterThanOrEqual(0n)
      }
    }
  })
})
