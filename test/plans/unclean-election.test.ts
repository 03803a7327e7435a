import { describe, expect, it } from 'vitest'
import type { RequestedPartition } from '../../lib/plans/leaderless.ts'
import { describePlanFault, planUncleanElection, planUncleanFlag, type PlanFault } from '../../lib/plans/unclean-election.ts'
import { leaderless, snapshot } from './leaderless-snapshot.ts'

const tp = (topic: string, partition: number) => ({ topic, partition })

describe('planUncleanElection', () => {
  it('reorders only where the candidate is not first, and carries what the re-check compares', () => {
    const snap = snapshot([
      // Broker 2 came back after a crash: struck from the ELR, alive, not elected (lab §1.10).
      leaderless({ partition: 0, replicas: [1, 3, 2], elr: [1], logs: { 3: 1436n, 2: 3318n }, committed: { g1: 3318n } }),
      leaderless({ partition: 1, replicas: [2, 1, 3], elr: [1], logs: { 2: 900n, 3: 100n } }),
    ])
    const planned = planUncleanElection(snap, { partitions: [tp('t', 0), tp('t', 1)], candidate: 2 })
    expect(planned.ok).toBe(true)
    if (!planned.ok) return
    expect(planned.plan).toMatchObject({ candidate: 2, reorders: 1, certainLoss: 0n, unit: 'records' })
    expect(planned.plan.steps.map((s) => [s.partition, s.replicasBefore, s.replicasAfter, s.candidateLogEnd, s.kafkaPick, s.kafkaPickLoss])).toEqual([
      [0, [1, 3, 2], [2, 1, 3], 3318n, 3, 1882n],
      [1, [2, 1, 3], null, 900n, 2, 0n],
    ])
    expect(planned.plan.steps[0]).toMatchObject({
      liveLogs: [
        { broker: 3, logEndOffset: 1436n },
        { broker: 2, logEndOffset: 3318n },
      ],
      inSyncDead: [1],
    })
  })

  it('sums the certain loss of the chosen candidate, with the groups it leaves behind', () => {
    const snap = snapshot([
      leaderless({ partition: 0, logs: { 3: 1307n }, committed: { billing: 5794n, audit: 1000n } }),
      leaderless({ partition: 1, logs: { 3: 10n }, committed: { billing: 20n } }),
    ])
    const planned = planUncleanElection(snap, { partitions: [tp('t', 0), tp('t', 1), tp('t', 0)], candidate: 3 })
    if (!planned.ok) throw new Error(describePlanFault(planned.fault))
    expect(planned.plan.steps.map((s) => s.partition)).toEqual([0, 1])
    expect(planned.plan.certainLoss).toBe(4487n + 10n)
    expect(planned.plan.steps[0]!.groupsAhead).toEqual([{ groupId: 'billing', committed: 5794n }])
  })

  const requested = (state: RequestedPartition): ReturnType<typeof snapshot> => snapshot([leaderless()], { requested: [state] })
  it.each<{ name: string; snap: ReturnType<typeof snapshot>; partitions: { topic: string; partition: number }[]; candidate: number; fault: PlanFault['kind'] }>(
    [
      { name: 'no partitions', snap: snapshot([leaderless()]), partitions: [], candidate: 3, fault: 'no-partitions' },
      {
        name: 'unknown topic',
        snap: requested({ topic: 'nope', partition: 0, state: 'unknown-topic' }),
        partitions: [tp('nope', 0)],
        candidate: 3,
        fault: 'unknown-topic',
      },
      {
        name: 'unknown partition',
        snap: requested({ topic: 't', partition: 9, state: 'unknown-partition', partitionCount: 4 }),
        partitions: [tp('t', 9)],
        candidate: 3,
        fault: 'unknown-partition',
      },
      {
        name: 'a partition with a leader',
        snap: requested({ topic: 't', partition: 0, state: 'led', leader: 2 }),
        partitions: [tp('t', 0)],
        candidate: 3,
        fault: 'has-leader',
      },
      {
        name: 'a candidate that holds no replica',
        snap: snapshot([leaderless({ replicas: [1, 2, 3] })]),
        partitions: [tp('t', 0)],
        candidate: 4,
        fault: 'not-a-replica',
      },
      { name: 'a candidate that is dead', snap: snapshot([leaderless()]), partitions: [tp('t', 0)], candidate: 1, fault: 'candidate-not-live' },
      {
        name: 'a candidate whose log end is unknown',
        snap: snapshot([leaderless({ logs: { 3: 'BROKER_NOT_AVAILABLE' } })]),
        partitions: [tp('t', 0)],
        candidate: 3,
        fault: 'candidate-unreadable',
      },
      {
        name: 'an in-sync replica is alive',
        snap: snapshot([leaderless({ elr: [2], lastKnownElr: [], logs: { 2: 5n, 3: 1n } })]),
        partitions: [tp('t', 0)],
        candidate: 3,
        fault: 'in-sync-alive',
      },
      { name: 'no live replica at all', snap: snapshot([leaderless({ logs: {} })]), partitions: [tp('t', 0)], candidate: 3, fault: 'no-live-replica' },
    ],
  )('refuses: $name', ({ snap, partitions, candidate, fault }) => {
    const planned = planUncleanElection(snap, { partitions, candidate })
    expect(planned.ok).toBe(false)
    if (planned.ok) return
    expect(planned.fault.kind).toBe(fault)
    const line = describePlanFault(planned.fault)
    expect(line).toMatch(/ — .*; nothing changed$/)
    expect(line).not.toContain('\n')
  })

  it('refuses the whole plan when one partition of several is wrong (nothing half-elected)', () => {
    const snap = snapshot([leaderless({ partition: 0 }), leaderless({ partition: 1, replicas: [1, 2, 4], logs: { 4: 5n } })])
    const planned = planUncleanElection(snap, { partitions: [tp('t', 0), tp('t', 1)], candidate: 3 })
    expect(planned).toEqual({ ok: false, fault: { kind: 'not-a-replica', topic: 't', partition: 1, candidate: 3, replicas: [1, 2, 4] } })
  })
})

describe('planUncleanFlag', () => {
  it('names what the controller will pick (first live in replica order) beside the least-loss replica', () => {
    const snap = snapshot([
      leaderless({ replicas: [1, 3, 2], elr: [1], logs: { 3: 1436n, 2: 3318n } }),
      leaderless({ topic: 'u', replicas: [1, 2, 3], elr: [1], logs: { 3: 50n } }),
    ])
    const planned = planUncleanFlag(snap, { partitions: [tp('t', 0), tp('u', 0)], waitMs: 60_000 })
    if (!planned.ok) throw new Error(describePlanFault(planned.fault))
    expect(planned.plan.partitions.map((p) => [p.topic, p.kafkaPick, p.kafkaPickLoss, p.best, p.bestLoss])).toEqual([
      ['t', 3, 1882n, 2, 0n],
      ['u', 3, 0n, 3, 0n],
    ])
    expect(planned.plan.topics).toEqual([
      { topic: 't', overrideBefore: null, effectiveBefore: 'false', sourceBefore: 'default' },
      { topic: 'u', overrideBefore: null, effectiveBefore: 'false', sourceBefore: 'default' },
    ])
    expect(planned.plan.certainLoss).toBe(1882n)
  })

  it('remembers a topic override to put back, and refuses when every topic already has the flag on', () => {
    const overridden = snapshot([leaderless({ unclean: 'false' })])
    const planned = planUncleanFlag(overridden, { partitions: [tp('t', 0)], waitMs: 1000 })
    expect(planned.ok && planned.plan.topics[0]).toEqual({ topic: 't', overrideBefore: 'false', effectiveBefore: 'false', sourceBefore: 'dynamic-topic' })
    const on = planUncleanFlag(snapshot([leaderless({ unclean: 'true' })]), { partitions: [tp('t', 0)], waitMs: 1000 })
    expect(on).toEqual({ ok: false, fault: { kind: 'flag-already-on', topics: ['t'] } })
  })
})
