// The drill report: what happened when, what the trainee did, and the score — as Markdown for people and JSON
// for scripts, saved beside the runbook session's transcript (or in the drill's own folder when no runbook ran).

import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { jsonReplacer } from '../engine/canonical-json.ts'
import { facts, formatCount, markdown, notice, table, type Block } from '../engine/blocks.ts'
import { blocksToMarkdown } from '../engine/markdown.ts'
import type { DrillScore } from './scenario.ts'

export interface DrillReport {
  readonly drillId: string
  readonly scenario: { readonly id: string; readonly title: string; readonly variant?: string }
  readonly runbook: string
  readonly mode: 'guided' | 'headless' | 'follow' | 'nothing'
  readonly sandbox: { readonly name: string; readonly bootstrap: string; readonly kafkaVersion: string; readonly reused: boolean }
  readonly brokenAt: string
  readonly traineeStartedAt: string
  readonly traineeEndedAt: string
  readonly finishedAt: string
  readonly session: { readonly id: string; readonly dir: string; readonly status: string; readonly exitCode: number; readonly message?: string } | null
  readonly score: DrillScore
  readonly timeline: readonly { readonly at: string; readonly line: string }[]
  /** The drill's own folder (ledgers, workload logs). */
  readonly dir: string
}

function formatValue(value: number | null, unit: string): string {
  if (value === null) return '—'
  if (unit === 'ms') return value < 120_000 ? `${(value / 1000).toFixed(1)} s` : `${(value / 60_000).toFixed(1)} min`
  return `${formatCount(value)}${unit ? ` ${unit}` : ''}`
}

/** The score as a table; a column for what the best decision would have cost when any measure knows it. */
function scoreTable(metrics: DrillScore['metrics']): Block {
  const withBest = metrics.some((m) => m.best !== undefined)
  const verdict = (m: DrillScore['metrics'][number]) => `${m.good === null ? '' : m.good ? 'ok' : 'NOT OK'}${m.detail ? ` ${m.detail}` : ''}`.trim()
  return table(
    withBest ? ['Measure', 'Value', 'Best decision', ''] : ['Measure', 'Value', ''],
    metrics.map((m) =>
      withBest
        ? [m.name, formatValue(m.value, m.unit), m.best === undefined ? '' : formatValue(m.best, m.unit), verdict(m)]
        : [m.name, formatValue(m.value, m.unit), verdict(m)],
    ),
    { title: 'Score', align: withBest ? ['left', 'right', 'right', 'left'] : ['left', 'right', 'left'] },
  )
}

/** The report as blocks: the same content on the terminal and in drill-report.md. */
export function drillReportBlocks(report: DrillReport): Block[] {
  const mode = report.mode === 'nothing' ? 'not run: the do-nothing baseline' : report.mode
  const session = report.session
    ? `${report.session.id}: ${report.session.status} (exit ${report.session.exitCode})${report.session.message ? ` — ${report.session.message}` : ''}`
    : '—'
  return [
    markdown(`# Drill report: ${report.scenario.title}`),
    notice(report.score.passed ? 'ok' : 'danger', `${report.score.passed ? 'PASSED' : 'NOT PASSED'} — ${report.score.headline}`),
    facts([
      ['Drill', `${report.drillId} (${report.scenario.id}${report.scenario.variant ? `, variant ${report.scenario.variant}` : ''})`],
      ['Runbook', `${report.runbook} (${mode})`],
      ['Sandbox', `${report.sandbox.name}, Kafka ${report.sandbox.kafkaVersion}, ${report.sandbox.bootstrap}${report.sandbox.reused ? ' (reused)' : ''}`],
      ['Broken at', report.brokenAt],
      ['Session', session],
    ]),
    scoreTable(report.score.metrics),
    ...(report.score.notes.length ? [markdown(`## Debrief\n\n${report.score.notes.map((n) => `- ${n}`).join('\n')}`)] : []),
    markdown(`## Timeline\n\n${report.timeline.map((t) => `- ${t.at.slice(11, 23)} ${t.line}`).join('\n')}`),
    notice('info', `Ledgers and workload logs: ${report.dir}`),
  ]
}

export function renderDrillReport(report: DrillReport): string {
  return blocksToMarkdown(drillReportBlocks(report)) + '\n'
}

/** Writes drill-report.md and drill-report.json into each folder; returns the Markdown paths. */
export function saveDrillReport(report: DrillReport, dirs: readonly string[]): string[] {
  return dirs.map((dir) => {
    writeFileSync(join(dir, 'drill-report.json'), JSON.stringify(report, jsonReplacer, 2) + '\n')
    const path = join(dir, 'drill-report.md')
    writeFileSync(path, renderDrillReport(report))
    return path
  })
}
