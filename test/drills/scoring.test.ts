import { appendFileSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { renderDrillReport, type DrillReport } from '../../lib/drills/report.ts'
import { appliedAtMs, changesTriedOnActiveGroup, compareLedgers, describeRanges } from '../../lib/drills/scoring.ts'
import { Ledger, readLedger, type AckedEntry, type ProcessedEntry } from '../../lib/drills/workloads/ledger.ts'
import type { WrittenEvent } from '../../lib/engine/session.ts'
import { runCli } from '../support/run-cli.ts'

const acked = (seq: number): AckedEntry => ({ seq, partition: seq % 3, offset: String(seq), atMs: 0 })
const processed = (seq: number, instance = 1): ProcessedEntry => ({ seq, partition: seq % 3, offset: String(seq), instance, atMs: 0 })

describe('ledgers', () => {
  it.each([
    { name: 'everything once', acked: [1, 2, 3], processed: [1, 2, 3], lost: [], duplicates: 0 },
    { name: 'a lost batch', acked: [1, 2, 3, 4, 5], processed: [1, 2, 5], lost: [3, 4], duplicates: 0 },
    { name: 'a replay', acked: [1, 2, 3], processed: [1, 2, 3, 2, 3, 3], lost: [], duplicates: 3 },
  ])('$name', ({ acked: a, processed: p, lost, duplicates }) => {
    const result = compareLedgers(
      a.map(acked),
      p.map((s) => processed(s)),
    )
    expect(result).toMatchObject({ lost, duplicates, acked: a.length })
  })

  it('survives a torn last line, as a SIGKILL mid-write leaves it', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'ledger-')), 'l.jsonl')
    const ledger = new Ledger<AckedEntry>(path)
    ledger.append([acked(1), acked(2)])
    ledger.close()
    appendFileSync(path, '{"seq":3,"parti')
    expect(readLedger<AckedEntry>(path).map((e) => e.seq)).toEqual([1, 2])
  })

  it('describes sequence numbers as ranges', () => {
    expect(describeRanges([1, 2, 3, 7, 9, 10])).toBe('1-3, 7, 9-10')
  })
})

describe('transcript', () => {
  const event = (e: Record<string, unknown>, at = '2026-11-24T03:00:05.000Z') => ({ seq: 1, at, prev: '', hash: '', ...e }) as unknown as WrittenEvent
  it('finds when the fix landed and every change tried on an active group', () => {
    const events = [
      event({ type: 'recheck', cell: 'rewind', drifts: [{ what: 'group billing', planned: 'Empty', now: 'Stable with 1 member' }] }),
      event({ type: 'apply', cell: 'rewind', applied: [], failed: [{ item: 'o/0', error: 'group billing is Stable with 1 member(s) — stop them' }] }),
      event({ type: 'apply', cell: 'rewind', applied: ['o/0 → 5'], failed: [] }, '2026-11-24T03:00:09.000Z'),
      event({ type: 'session-end', status: 'refused', exitCode: 2, message: 'group billing is still Stable with 1 active member (c@h)' }),
    ]
    expect(appliedAtMs(events, 'rewind')).toBe(Date.parse('2026-11-24T03:00:09.000Z'))
    expect(changesTriedOnActiveGroup(events).map((u) => u.what.split(':')[0])).toEqual([
      'apply stopped',
      'commit refused by Kafka on 1 partition',
      'rewind refused',
    ])
  })
})

describe('report', () => {
  it('renders the score, the debrief and the timeline', () => {
    const report: DrillReport = {
      drillId: 'd1',
      scenario: { id: 'consumer-oom', title: 'OOM' },
      runbook: 'consumer-oom-replay',
      mode: 'nothing',
      sandbox: { name: 's', bootstrap: '127.0.0.1:1', kafkaVersion: '4.3.1', reused: true },
      brokenAt: '2026-11-24T03:00:00.000Z',
      traineeStartedAt: '2026-11-24T03:00:01.000Z',
      traineeEndedAt: '2026-11-24T03:00:02.000Z',
      finishedAt: '2026-11-24T03:00:03.000Z',
      session: null,
      score: {
        passed: false,
        headline: '12 records lost',
        metrics: [
          { name: 'Records lost', value: 1234, unit: 'records', good: false },
          { name: 'Time from the kill to the fix', value: null, unit: 'ms', good: false },
        ],
        notes: ['Left alone, it lost 12.'],
      },
      timeline: [{ at: '2026-11-24T03:00:00.123Z', line: 'SIGKILL' }],
      dir: '/tmp/d1',
    }
    const text = renderDrillReport(report)
    expect(text).toContain('> **Danger:** NOT PASSED — 12 records lost')
    expect(text).toContain('| Records lost | 1,234 records | NOT OK |')
    expect(text).toContain('| Time from the kill to the fix | — | NOT OK |')
    expect(text).toContain('- 03:00:00.123 SIGKILL')
    expect(text).toContain('not run: the do-nothing baseline')
  })
})

describe('runbook drill (CLI)', () => {
  it('lists the scenarios', async () => {
    const result = await runCli(['drill', '--list'])
    expect(result).toMatchObject({ code: 0 })
    expect(result.stdout).toContain('consumer-oom')
    expect(result.stdout).toContain('runbook consumer-oom-replay')
  })

  it.each([
    { args: ['drill'], message: 'which scenario? — one of consumer-oom' },
    { args: ['drill', 'nope'], message: 'no drill "nope" — known: consumer-oom' },
    { args: ['drill', 'consumer-oom', '--follow', '--do-nothing'], message: '--follow and --do-nothing exclude each other' },
  ])('refuses $args in one line', async ({ args, message }) => {
    const result = await runCli(args)
    expect(result.code).toBe(2)
    expect(result.stderr.trim().split('\n')).toHaveLength(1)
    expect(result.stderr).toContain(message)
  })
})
