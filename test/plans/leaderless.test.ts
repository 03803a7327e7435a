import { describe, expect, it } from 'vitest'
import { classifyRecovery, electionRules, groupByRecovery, partitionList } from '../../lib/plans/leaderless.ts'
import { leaderless } from './leaderless-snapshot.ts'

describe('electionRules', () => {
  it.each([
    { elr: 'on', line: '4.3', rules: '4.x-elr-on' },
    { elr: 'off', line: '4.3', rules: '4.x-elr-off' },
    { elr: 'unsupported', line: '3.9', rules: '3.9' },
    { elr: 'unsupported', line: '4.0', rules: '4.x-elr-off' },
  ] as const)('$line with ELR $elr → $rules', ({ elr, line, rules }) => {
    expect(electionRules({ elr, kafkaLine: line })).toBe(rules)
  })
})

describe('classifyRecovery: the final leaderless states measured in the lab (replicas 1,2,3; 3 alive and lagging)', () => {
  it.each([
    {
      name: '4.3.1 ELR on: ISR [], ELR [1,2], last known ELR [1] → bring back 1; 2 only if it shut down cleanly',
      rules: '4.x-elr-on' as const,
      spec: { isr: [], elr: [1, 2], lastKnownElr: [1] },
      path: { kind: 'restart', brokers: [1], via: 'last-known-leader' },
      dead: [
        { broker: 1, effect: 'elected', winner: null },
        { broker: 2, effect: 'elected-if-clean-shutdown', winner: null },
      ],
    },
    {
      name: '4.3.1 ELR off: ISR [1] (the last member stays listed) → bring back 1; 2 is not elected',
      rules: '4.x-elr-off' as const,
      spec: { isr: [1], elr: null, lastKnownElr: null },
      path: { kind: 'restart', brokers: [1], via: 'isr' },
      dead: [
        { broker: 1, effect: 'elected', winner: null },
        { broker: 2, effect: 'not-elected', winner: null },
      ],
    },
    {
      name: '3.9.2: ISR [2] → bring back 2; 1 is not elected',
      rules: '3.9' as const,
      spec: { isr: [2], elr: null, lastKnownElr: null },
      path: { kind: 'restart', brokers: [2], via: 'isr' },
      dead: [
        { broker: 1, effect: 'not-elected', winner: null },
        { broker: 2, effect: 'elected', winner: null },
      ],
    },
    {
      name: 'ELR on, the last known leader restarted after a crash was already dropped: only the other ELR member, if clean',
      rules: '4.x-elr-on' as const,
      spec: { isr: [], elr: [2], lastKnownElr: [] },
      path: { kind: 'restart-if-clean', brokers: [2] },
      dead: [
        { broker: 1, effect: 'not-elected', winner: null },
        { broker: 2, effect: 'elected-if-clean-shutdown', winner: null },
      ],
    },
    {
      name: 'nobody holds the committed records any more',
      rules: '4.x-elr-on' as const,
      spec: { isr: [], elr: [], lastKnownElr: [] },
      path: { kind: 'none' },
      dead: [
        { broker: 1, effect: 'not-elected', winner: null },
        { broker: 2, effect: 'not-elected', winner: null },
      ],
    },
  ])('$name', ({ rules, spec, path, dead }) => {
    const recovery = classifyRecovery(leaderless(spec), rules, [3])
    expect(recovery.path).toEqual(path)
    expect(recovery.dead).toEqual(dead)
    expect(recovery.uncleanPending).toBeNull()
  })

  it('a live ELR member (4.3.1, §1.11) is being elected by the controller: nothing to decide', () => {
    const recovery = classifyRecovery(leaderless({ isr: [], elr: [2], lastKnownElr: [], logs: { 2: 2864n, 3: 1200n } }), '4.x-elr-on', [2, 3])
    expect(recovery.path).toEqual({ kind: 'electing', brokers: [2], via: 'elr' })
  })

  it('ELR lists are ignored where the rules have no ELR', () => {
    const recovery = classifyRecovery(leaderless({ isr: [], elr: [2], lastKnownElr: [1], logs: { 2: 10n, 3: 5n } }), '4.x-elr-off', [2, 3])
    expect(recovery.path).toEqual({ kind: 'none' })
  })

  it.each([
    // ELR on: even the last known leader (1) sets off the election at its registration, while it is fenced: 3 wins.
    // Broker 2 is in neither list: it is handled at its unfencing, where it is first in replica order.
    { rules: '4.x-elr-on' as const, winners: { 1: 3, 2: 2 }, effects: ['unclean-election', 'unclean-election'] },
    // ELR off: the ISR member (1) is elected cleanly at its unfencing; broker 2's unfencing elects itself (first in order).
    { rules: '4.x-elr-off' as const, winners: { 1: null, 2: 2 }, effects: ['unclean-election', 'elected'] },
  ])('with the flag on ($rules): the controller will elect the first live replica; returning brokers set it off', ({ rules, winners, effects }) => {
    const partition = leaderless({
      replicas: [2, 1, 3],
      isr: rules === '4.x-elr-on' ? [] : [1],
      elr: rules === '4.x-elr-on' ? [] : null,
      lastKnownElr: rules === '4.x-elr-on' ? [1] : null,
      unclean: 'true',
    })
    const recovery = classifyRecovery(partition, rules, [3])
    expect(recovery.uncleanPending).toEqual({ winner: 3 })
    expect(recovery.dead.map((d) => d.effect)).toEqual(effects)
    expect(Object.fromEntries(recovery.dead.map((d) => [d.broker, d.winner]))).toEqual(winners)
  })
})

describe('groupByRecovery', () => {
  it('puts partitions that come back the same way together, live in-sync first, hopeless last', () => {
    const recoveries = [
      classifyRecovery(leaderless({ partition: 0, lastKnownElr: [1] }), '4.x-elr-on', [3]),
      classifyRecovery(leaderless({ partition: 1, elr: [], lastKnownElr: [] }), '4.x-elr-on', [3]),
      classifyRecovery(leaderless({ partition: 2, lastKnownElr: [1] }), '4.x-elr-on', [3]),
      classifyRecovery(leaderless({ partition: 3, elr: [2], lastKnownElr: [], logs: { 2: 1n, 3: 1n } }), '4.x-elr-on', [2, 3]),
    ]
    expect(groupByRecovery(recoveries).map((g) => [g.path.kind, partitionList(g.partitions)])).toEqual([
      ['electing', 't:3'],
      ['restart', 't:0,t:2'],
      ['none', 't:1'],
    ])
  })
})
