import { describe, expect, it } from 'vitest'
import type { WrittenEvent } from '../../lib/engine/session.ts'
import {
  candidateEstimatesFromTranscript,
  describeElectionOutcome,
  estimatesFromTranscript,
  recoveryFromTranscript,
  uncleanElectionsInLog,
  type OutcomeInput,
  type PartitionTruth,
} from '../../lib/drills/scenarios/unclean-election-score.ts'

const at = (ms: number) => new Date(ms).toISOString()
const t0 = Date.parse('2026-11-24T03:00:00.000Z')
const event = (ms: number, body: Record<string, unknown>) => ({ seq: 0, at: at(ms), hash: '', prev: '', ...body }) as unknown as WrittenEvent

// Written like a transcript: bigints as decimal strings.
const electPlan = {
  candidate: 2,
  steps: [
    { partition: 0, certainLoss: '0', candidateLogEnd: '974' },
    { partition: 1, certainLoss: '0', candidateLogEnd: '974' },
  ],
}
const estimate = {
  estimates: [0, 1].map((partition) => ({
    partition,
    candidates: [
      { broker: 2, logEndOffset: '974', certainLoss: '0' },
      { broker: 3, logEndOffset: '161', certainLoss: '813' },
    ],
  })),
}

const truth = (partition: number, ackedLost: number): PartitionTruth => ({
  partition,
  deadLeaderEnd: 1091n,
  ends: { 2: 974n, 3: 161n },
  ackedLost,
  unavoidable: 117,
  kafkaPickLoss: 930,
})

function input(extra: Partial<OutcomeInput>): OutcomeInput {
  const events = extra.events ?? []
  return {
    topic: 'payments',
    truths: [truth(0, 117), truth(1, 117)],
    estimates: estimatesFromTranscript(events),
    candidates: candidateEstimatesFromTranscript(events),
    recovery: recoveryFromTranscript(events),
    elections: [],
    outcome: { mode: 'follow', run: null, startedAtMs: t0 + 10_000, endedAtMs: t0 + 12_000 },
    times: { pausedAtMs: t0 - 15_000, shrinkSeenAtMs: t0 - 12_000, killedAtMs: t0 - 4000, leaderlessAtMs: t0 },
    restoredAtMs: t0 + 30_000,
    lostTotal: 234,
    lostRanges: '1948-2181',
    acked: 3761,
    recordsPerSecond: 150,
    pageOutageMs: 4 * 3_600_000,
    ...extra,
    events,
  }
}

const electedRun = [
  event(t0 + 10_000, { type: 'query-result', cell: 'estimate', data: estimate }),
  event(t0 + 11_000, { type: 'plan', cell: 'elect', plan: electPlan, planHash: 'h', summary: '' }),
  event(t0 + 11_200, { type: 'apply', cell: 'elect', applied: ['reorder payments-0 to 2,1,3', 'elect broker 2 on payments-0'], failed: [] }),
  event(t0 + 11_500, { type: 'verify', cell: 'elect', ok: true }),
]

describe('scoring the unclean-election drill', () => {
  it('passes an election of the least-loss replica: loss = only what the dead leader held, estimates honest', () => {
    const score = describeElectionOutcome(input({ events: electedRun }))
    expect(score.passed).toBe(true)
    expect(score.headline).toBe('234 acknowledged records lost (234 unavoidable), offline 11.5 s, 0 unsafe actions, estimate never above the real loss')
    expect(score.metrics.find((m) => m.name === "Kafka's own unclean election (broker 3) would have lost")!.value).toBe(1860)
    expect(score.notes).toContain(
      "payments-0, Kafka's own pick (broker 3): the runbook said at least 813; electing it would have lost 930 acknowledged records (930 offsets).",
    )
  })

  it('counts both costs of the decision beside the best decision for the page’s outage', () => {
    const score = describeElectionOutcome(input({ events: electedRun }))
    const metric = (name: string) => score.metrics.find((m) => m.name.startsWith(name))!
    // Offline 11.5 s at 150 records/s.
    expect(metric('Writes refused while offline')).toMatchObject({ value: 1725, detail: '150 records/s × 12 s' })
    expect(metric('Records lost in all').value).toBe(234 + 1725)
    // Electing broker 2 after the same 11.5 s, priced with the 5 s an election takes: 234 lost + 16.5 s × 150/s refused.
    expect(metric("Best decision for the page's 4.0 h outage")).toMatchObject({ value: 234 + 2476, good: true })
    expect(
      score.notes.some((n) => n.includes("the best decision for the page's 4.0 h outage (elect broker 2) would have cost 234 + 2,476 — the trainee took it")),
    ).toBe(true)
  })

  it('waiting out a 4 h page costs 2,160,000 refused writes against a few hundred records lost', () => {
    const score = describeElectionOutcome(input({ events: [], lostTotal: 0, truths: [truth(0, 0), truth(1, 0)] }))
    const metric = (name: string) => score.metrics.find((m) => m.name.startsWith(name))!
    expect(metric('Writes refused while offline')).toMatchObject({ value: 2_160_000, detail: "150 records/s × 4.0 h (the page's outage)" })
    expect(metric("Best decision for the page's")).toMatchObject({ good: false })
    expect(score.passed).toBe(false)
  })

  it('when the page says the broker is back in 10 s, the election was the wrong call', () => {
    const score = describeElectionOutcome(input({ events: electedRun, pageOutageMs: 10_000 }))
    expect(score.metrics.find((m) => m.name.startsWith("Best decision for the page's 10 s outage"))).toMatchObject({ value: 1500, good: false })
    expect(score.passed).toBe(false)
  })

  it('fails an election of Kafka’s own pick: most of the loss was avoidable', () => {
    const plan = { candidate: 3, steps: [0, 1].map((partition) => ({ partition, certainLoss: '813', candidateLogEnd: '161' })) }
    const events = [electedRun[0]!, event(t0 + 11_000, { type: 'plan', cell: 'elect', plan, planHash: 'h', summary: '' }), electedRun[2]!, electedRun[3]!]
    const score = describeElectionOutcome(input({ events, truths: [truth(0, 930), truth(1, 930)], lostTotal: 1860 }))
    expect(score.passed).toBe(false)
    expect(score.notes).toContain('1626 of the lost records were avoidable: electing broker 2 loses only what broker 1 alone held (234).')
  })

  it('catches an estimate above the measured loss', () => {
    const plan = { candidate: 2, steps: [{ partition: 0, certainLoss: '500', candidateLogEnd: '974' }] }
    const events = [event(t0, { type: 'plan', cell: 'elect', plan, planHash: 'h', summary: '' }), electedRun[2]!, electedRun[3]!]
    const score = describeElectionOutcome(input({ events }))
    expect(score.passed).toBe(false)
    expect(score.headline).toContain('estimate ABOVE the real loss')
  })

  it('counts elections beyond the incident, blocked attempts while an in-sync replica was back, and a flag left on', () => {
    const events = [
      ...electedRun,
      event(t0 + 11_100, {
        type: 'recheck',
        cell: 'elect',
        drifts: [{ what: 'in-sync replica of payments-1', planned: 'down (1)', now: 'broker 1 is alive — Kafka can elect it with nothing lost' }],
      }),
      event(t0 + 11_600, { type: 'query-result', cell: 'aftermath', data: { flagStillOn: ['payments'] } }),
    ]
    const score = describeElectionOutcome(input({ events, elections: [{ partition: '__consumer_offsets-2', leader: 3, atMs: t0 + 11_000 }] }))
    expect(score.passed).toBe(false)
    expect(score.metrics.find((m) => m.name === 'Unsafe actions attempted')!.value).toBe(3)
  })

  it('does not pass a run that never brought the partitions back, however little it lost', () => {
    const score = describeElectionOutcome(input({ events: [], lostTotal: 0, truths: [truth(0, 0), truth(1, 0)] }))
    expect(score.passed).toBe(false)
    expect(score.headline).toMatch(/^0 acknowledged records lost \(234 unavoidable\), not restored/)
  })

  it('reads the controller log: only lines that give a leaderless partition a leader, inside the window', () => {
    const log = [
      '[2026-11-24 03:00:05,000] INFO [QuorumController id=100] UNCLEAN partition change for payments-0 with topic ID x: isr: [] -> [2], leader: -1 -> 2, leaderEpoch: 1 -> 2 (org.apache.kafka.controller.ReplicationControlManager)',
      '[2026-11-24 03:00:06,000] INFO [QuorumController id=100] UNCLEAN partition change for payments-0 with topic ID x: replicas: [2, 1, 3] -> [1, 3, 2], partitionEpoch: 6 -> 7 (org.apache.kafka.controller.ReplicationControlManager)',
      '[2026-11-24 03:09:00,000] INFO [QuorumController id=100] UNCLEAN partition change for payments-1 with topic ID x: isr: [] -> [1], leader: -1 -> 1 (org.apache.kafka.controller.ReplicationControlManager)',
    ].join('\n')
    const local = (text: string) => Date.parse(text)
    expect(uncleanElectionsInLog(log, local('2026-11-24T03:00:00'), local('2026-11-24T03:05:00'))).toEqual([
      { partition: 'payments-0', leader: 2, atMs: local('2026-11-24T03:00:05.000') },
    ])
  })
})
