// The options a drill test starts from: the shared test sandbox, our own Kafka access, a throwaway folder for
// the drill's ledgers and the trainee's sessions; and the check of how the trainee's session ended, which says
// why when it ended otherwise (CI keeps only what a failed assertion prints).

import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'vitest'
import type { DrillOptions } from '../../lib/drills/index.ts'
import type { DrillReport } from '../../lib/drills/report.ts'
import { blocksToMarkdown } from '../../lib/engine/markdown.ts'
import { readEvents, type WrittenEvent } from '../../lib/engine/session.ts'
import { connect } from '../../lib/kafka/index.ts'
import { openLogDir } from '../../lib/kafka/log-dir/index.ts'
import { createSandboxProbe } from '../../lib/kafka/platformatic/sandbox-probe.ts'
import { testSandbox } from './sandbox.ts'

type Given = Pick<DrillOptions, 'scenario' | 'runbook' | 'trainee'> & Partial<DrillOptions>

export function sandboxDrillOptions(given: Given): DrillOptions {
  const dir = mkdtempSync(join(tmpdir(), `drill-${given.scenario.id}-`))
  return {
    sandbox: testSandbox().config,
    probe: createSandboxProbe('runbook-drill-test'),
    openLogDir,
    connect: async (sandbox) => ({ kafka: await connect({ bootstrapServers: sandbox.bootstrap.split(','), clientId: 'runbook-drill-test' }), secrets: [] }),
    connectTo: (bootstrap, extra) => connect({ bootstrapServers: bootstrap.split(','), clientId: 'runbook-drill-test', ...extra }),
    drillsDir: join(dir, 'drills'),
    sessionsDir: join(dir, 'sessions'),
    operator: 'trainee',
    host: 'test',
    toolVersion: 'test',
    args: [],
    signal: new AbortController().signal,
    onProgress: () => {},
    ...given,
  }
}

/** Workload processes of a drill still alive (their command line carries the drill folder), one per line. */
export function survivors(dir: string): string {
  try {
    return execFileSync('pgrep', ['-af', dir], { encoding: 'utf8' }).trim()
  } catch {
    return ''
  }
}

const oneLine = (text: string, max = 400) => {
  const flat = text.replace(/\s+/g, ' ').trim()
  return flat.length > max ? `${flat.slice(0, max)}…` : flat
}

const asJson = (value: unknown) => JSON.stringify(value, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))

/** One transcript event as a line: its time, sequence number, type and what it says. */
function eventLine(event: WrittenEvent): string {
  const { seq, at, prev: _prev, hash: _hash, ...rest } = event
  const said =
    rest.type === 'output'
      ? `${rest.cell ?? ''} ${blocksToMarkdown(rest.blocks)}`
      : asJson(Object.fromEntries(Object.entries(rest).filter(([name]) => name !== 'type')))
  return `${at.slice(11, 23)} #${seq} ${rest.type} ${oneLine(said)}`
}

/** The last cell the run started: where a stopped run stopped (a cell that refuses still writes its cell-end). */
function lastCell(events: readonly WrittenEvent[]): string | null {
  const start = events.findLast((e) => e.type === 'cell-start')
  if (!start || start.type !== 'cell-start') return null
  const end = events.findLast((e) => e.type === 'cell-end' && e.cell === start.cell)
  const how = end?.type === 'cell-end' ? `cell-end ${end.outcome}${end.reason ? ` (${end.reason})` : ''}` : 'no cell-end'
  return `${start.cell} (${start.kind}, "${start.title}"), ${how}`
}

/**
 * Why a drill's runbook session ended as it did, for a test's failure message: the end and its one-line error,
 * the step it stopped in, the transcript's last events, the score and the drill's last timeline lines.
 */
export function explainSession(report: DrillReport, lastEvents = 30): string {
  const { session } = report
  const lines = [`drill folder ${report.dir}`]
  if (!session) lines.push('no runbook session was run')
  else {
    lines.push(`session ${session.id} ended ${session.status} (exit ${session.exitCode}): ${session.message ?? '(no message)'}`)
    const events = existsSync(join(session.dir, 'events.jsonl')) ? readEvents(session.dir) : []
    lines.push(`stopped in: ${lastCell(events) ?? 'no cell started'}`)
    lines.push(`transcript, last ${Math.min(lastEvents, events.length)} of ${events.length} events (${session.dir}/events.jsonl):`)
    lines.push(...events.slice(-lastEvents).map((e) => `  ${eventLine(e)}`))
  }
  lines.push(`score: ${report.score.headline}${report.score.notes.length ? ` — ${report.score.notes.join('; ')}` : ''}`)
  lines.push(`drill timeline, last ${Math.min(12, report.timeline.length)} lines:`)
  lines.push(...report.timeline.slice(-12).map((t) => `  ${t.at.slice(11, 23)} ${oneLine(t.line)}`))
  return lines.join('\n')
}

/** The trainee's session ended as expected; if not, the failure carries explainSession's story. */
export function expectSessionEnded(report: DrillReport, expected: { status: string; exitCode: number }): void {
  const { session } = report
  const matches = session?.status === expected.status && session.exitCode === expected.exitCode
  expect(session, matches ? undefined : `the runbook session did not end ${expected.status}\n${explainSession(report)}`).toMatchObject(expected)
}
