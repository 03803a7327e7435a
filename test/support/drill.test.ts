// The story a drill test prints when the trainee's session ended otherwise than expected: CI keeps nothing else,
// so it must name the step, its one-line error and what the transcript said last.

import { describe, expect, it } from 'vitest'
import type { DrillReport } from '../../lib/drills/report.ts'
import { notice } from '../../lib/engine/blocks.ts'
import { notebook, Refusal } from '../../lib/engine/runbook.ts'
import { fakeCluster } from '../../lib/kafka/fake/index.ts'
import { runWithKit } from '../../lib/testkit/index.ts'
import { expectSessionEnded } from './drill.ts'

const nb = notebook<object>()({})
const refusing = nb.runbook({
  id: 'refusing',
  title: 'Refuses in its second cell',
  summary: 'A runbook that stops on purpose.',
  whenToUse: 'Never: a test fixture.',
  cells: [
    nb.query({ id: 'look', title: 'Look around', doc: 'Shows one line.', run: async () => [notice('info', 'the group has 1 member, restarting')] }),
    nb.query({
      id: 'decide-to-stop',
      title: 'Stop here',
      doc: 'Refuses.',
      run: async () => {
        throw new Refusal('group billing is Stable with 1 member(s); nothing was committed')
      },
    }),
  ],
})

async function reportOf(): Promise<DrillReport> {
  const run = await runWithKit(refusing, { kafka: fakeCluster().brokers(1).build() })
  return {
    drillId: 'd',
    scenario: { id: 's', title: 'S' },
    runbook: refusing.id,
    mode: 'follow',
    sandbox: { name: 'test', bootstrap: '127.0.0.1:1', kafkaVersion: '4.3.1', reused: true },
    brokenAt: '',
    traineeStartedAt: '',
    traineeEndedAt: '',
    finishedAt: '',
    session: { id: run.sessionId, dir: run.sessionDir, status: run.status, exitCode: run.exitCode, ...(run.message ? { message: run.message } : {}) },
    score: { passed: false, headline: '1 lost', metrics: [], notes: ['skipped the wrong record'] },
    timeline: [{ at: '2026-12-06T14:41:03.000Z', line: 'a malformed order slipped into orders:1 at offset 11' }],
    dir: '/tmp/drill-folder',
  }
}

describe('expectSessionEnded', () => {
  it('passes silently when the session ended as expected', async () => {
    const report = await reportOf()
    expectSessionEnded(report, { status: 'refused', exitCode: 2 })
  })

  it('otherwise fails with the step, the one-line error, the transcript tail, the score and the drill timeline', async () => {
    const report = await reportOf()
    let message = ''
    try {
      expectSessionEnded(report, { status: 'done', exitCode: 0 })
    } catch (error) {
      message = (error as Error).message
    }
    expect(message).toContain('the runbook session did not end done')
    expect(message).toContain(`ended refused (exit 2): group billing is Stable with 1 member(s); nothing was committed`)
    expect(message).toContain('stopped in: decide-to-stop (query, "Stop here"), cell-end done')
    expect(message).toMatch(/#\d+ output look .*the group has 1 member, restarting/)
    expect(message).toMatch(/#\d+ session-end \{"status":"refused","exitCode":2/)
    expect(message).toContain('score: 1 lost — skipped the wrong record')
    expect(message).toContain('14:41:03.000 a malformed order slipped into orders:1 at offset 11')
  })
})
