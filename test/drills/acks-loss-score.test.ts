import { describe, expect, it } from 'vitest'
import type { WrittenEvent } from '../../lib/engine/session.ts'
import {
  fixedAtMs,
  leaderOnlyRecords,
  lostByRound,
  scoreAcksDrill,
  settingsHold,
  type ProducerLoss,
  type TopicSettingsAfter,
} from '../../lib/drills/scenarios/acks-loss-score.ts'

const acked = (seqs: readonly number[]) => seqs.map((seq) => ({ seq, partition: 0, offset: String(seq), atMs: 0 }))
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i)

describe('lostByRound', () => {
  it('an acknowledged record absent from the read-back is lost, in the round its sequence number belongs to', () => {
    const loss = lostByRound('ledger-service', 't', 'all', acked(range(0, 100)), new Set([...range(0, 40), ...range(60, 90)]), 80)
    expect([loss.acked, loss.lostRound1.length, loss.lostRound2]).toEqual([100, 20, [90, 91, 92, 93, 94, 95, 96, 97, 98, 99]])
  })
  it('duplicates in the ledger count once', () => {
    expect(lostByRound('p', 't', '1', acked([1, 1, 2]), new Set([2]), 10)).toMatchObject({ acked: 2, lostRound1: [1] })
  })
})

const settings = (minIsr: number | null, unclean: boolean | null, rf = 3): TopicSettingsAfter => ({ topic: 't', replicationFactor: rf, minIsr, unclean })

describe('settingsHold', () => {
  it.each([
    { name: 'min ISR 2 of 3, unclean off', s: settings(2, false), holds: true },
    { name: 'min ISR 1', s: settings(1, false), holds: false },
    { name: 'unclean still on', s: settings(2, true), holds: false },
    { name: 'min ISR 2 on one replica is enforced as 1', s: settings(2, false, 1), holds: false },
  ])('$name', ({ s, holds }) => expect(settingsHold(s)).toBe(holds))
})

const event = (partial: Record<string, unknown>): WrittenEvent =>
  ({ seq: 0, at: '2026-11-24T03:00:10.000Z', prev: '', hash: '', ...partial }) as unknown as WrittenEvent
const loss = (acks: ProducerLoss['acks'], round1: number, round2: number): ProducerLoss => ({
  producer: acks === 'all' ? 'ledger-service' : 'audit-service',
  topic: acks === 'all' ? 'ledger' : 'events',
  acks,
  acked: 1000,
  lostRound1: range(0, round1),
  lostRound2: range(500, 500 + round2),
})

describe('scoreAcksDrill', () => {
  const base = {
    brokenAtMs: Date.parse('2026-11-24T03:00:00.000Z'),
    outcome: { mode: 'follow' as const, run: null },
    electedAfter: { round1: { ledger: 2, events: 2 }, round2: {} },
    leaderOnlyRound1: { ledger: 900, events: 910 },
  }

  it('passes when the settings hold and round 2 loses no acks=all record; times the fix from the transcript', () => {
    const score = scoreAcksDrill({
      ...base,
      losses: [loss('1', 910, 3), loss('all', 880, 0)],
      settings: [settings(2, false)],
      events: [event({ type: 'apply', cell: 'unclean', applied: ['t'] }), event({ type: 'apply', cell: 'min-isr', applied: [] })],
    })
    expect(score.passed).toBe(true)
    expect(score.metrics.find((m) => m.name.startsWith('Time from the page'))!.value).toBe(10_000)
    expect(score.metrics.find((m) => m.name.startsWith('Round 1, acks=all'))).toMatchObject({
      value: 880,
      detail: 'the dead leader held 900 records its successor lacked',
    })
    expect(score.notes.some((n) => n.includes('acks=1 still lost 3'))).toBe(true)
  })

  it('fails when nothing was fixed: round 2 repeats the loss', () => {
    const score = scoreAcksDrill({
      ...base,
      outcome: { mode: 'nothing', run: null },
      losses: [loss('1', 900, 800), loss('all', 880, 700)],
      settings: [settings(1, true)],
      events: [],
    })
    expect(score.passed).toBe(false)
    expect(score.notes).toContain('Left alone, round 2 repeats round 1: the settings that lost data are still there.')
    expect(score.metrics.find((m) => m.name.startsWith('Round 2, acks=all'))).toMatchObject({ value: 700, good: false })
  })

  it('a fix that made min ISR equal to the replicas is counted: one broker down now stops writes', () => {
    const score = scoreAcksDrill({ ...base, losses: [loss('all', 10, 0)], settings: [settings(3, false)], events: [] })
    expect(score.metrics.find((m) => m.name.startsWith('Topics where one broker down'))).toMatchObject({ value: 1, good: false })
  })

  it('fixedAtMs and leaderOnlyRecords', () => {
    expect(fixedAtMs([event({ type: 'apply', cell: 'rewind', applied: ['x'] })])).toBeNull()
    expect(leaderOnlyRecords('1240', '323')).toBe(917)
    expect(leaderOnlyRecords('1240', undefined)).toBeNull()
    expect(leaderOnlyRecords('?', '323')).toBeNull()
  })
})
