// Runs a runbook against an in-memory cluster the way a test wants it: answers as a plain object, a scripted
// terminal or none, a fixed clock, a throwaway session folder — and hands back what to assert on: the result,
// each cell's plan, the transcript events, the notebook, and a way to undo.

import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { KafkaOps } from '../kafka/types.ts'
import type { CellReport } from '../engine/run-state.ts'
import { runRunbook, type RunResult } from '../engine/runner.ts'
import type { AnyRunbook } from '../engine/runbook.ts'
import { readEvents, type WrittenEvent } from '../engine/session.ts'
import { runUndo } from '../engine/undo.ts'
import { scriptedIo, type ScriptedIo, type ScriptStep } from './scripted-io.ts'

export interface KitRunOptions {
  /** The cluster: usually `fakeCluster()…build()`. */
  readonly kafka: KafkaOps
  /** Parameters and decisions, as `--set name=value` would give them. */
  readonly set?: Readonly<Record<string, string | number | bigint | boolean>>
  /** A guided run: the operator's answers, in order. Without it the run is headless. */
  readonly script?: readonly ScriptStep[]
  /** Headless approval of every plan (`--yes`). */
  readonly yes?: boolean
  /** Headless approval of exact plans (`--approve`): hashes, bare or as cell=hash. */
  readonly approve?: readonly string[]
  readonly dryRun?: boolean
  /** The run's clock: a fixed time (ms since the epoch) or a function. Defaults to the real clock. */
  readonly now?: number | (() => number)
  /** Where sessions go; a fresh temporary folder by default. */
  readonly sessionsDir?: string
  /** Values that must never reach the transcript. */
  readonly secrets?: readonly string[]
  readonly kafkaLine?: string
}

export interface KitRun extends RunResult {
  /** The Io the run used: `screen()` is everything shown, `asked` every prompt. */
  readonly io: ScriptedIo
  /** Every transcript event, in order. */
  readonly events: readonly WrittenEvent[]
  /** The Markdown notebook the run left. */
  readonly notebook: string
  /** One cell's report (outcome, decision, plan, hash, applied, verified…). */
  cell(id: string): CellReport
  /** The plan an action cell made, as the operator saw it. */
  plan<T = unknown>(cellId: string): T
  /** Runs `runbook undo` for this session against the same cluster (headless, approved). */
  undo(options?: { dryRun?: boolean; yes?: boolean }): Promise<RunResult>
}

export async function runWithKit(runbook: AnyRunbook, options: KitRunOptions): Promise<KitRun> {
  const sessionsDir = options.sessionsDir ?? mkdtempSync(join(tmpdir(), `runbook-kit-${runbook.id}-`))
  const io = scriptedIo(options.script ?? [], { interactive: options.script !== undefined })
  const clock = typeof options.now === 'number' ? () => options.now as number : (options.now ?? Date.now)
  const common = {
    kafka: options.kafka,
    sessionsDir,
    operator: 'test',
    host: 'testkit',
    cluster: { origin: 'test kit', name: 'test kit', ...(options.kafkaLine ? { kafkaLine: options.kafkaLine, elr: 'unknown' } : {}) },
    args: [],
    secrets: options.secrets ?? [],
    signal: new AbortController().signal,
    toolVersion: 'testkit',
    clock,
  }
  const result = await runRunbook(runbook, {
    ...common,
    io,
    given: new Map(Object.entries(options.set ?? {}).map(([name, value]) => [name, { text: String(value), source: 'flag' as const }])),
    approvals: { yes: options.yes ?? false, hashes: options.approve ?? [] },
    dryRun: options.dryRun ?? false,
  })
  const cell = (id: string): CellReport => {
    const report = result.cells.find((c) => c.id === id)
    if (!report) throw new Error(`the run has no cell "${id}" (cells: ${result.cells.map((c) => c.id).join(', ')})`)
    return report
  }
  return {
    ...result,
    io,
    events: readEvents(result.sessionDir),
    notebook: readFileSync(join(result.sessionDir, 'notebook.md'), 'utf8'),
    cell,
    plan<T>(cellId: string): T {
      const report = cell(cellId)
      if (report.plan === undefined) throw new Error(`cell "${cellId}" made no plan (outcome ${report.outcome})`)
      return report.plan as T
    },
    undo: (undoOptions = {}) =>
      runUndo({
        ...common,
        io: scriptedIo([], { interactive: false }),
        sessionDir: result.sessionDir,
        findRunbook: (id) => (id === runbook.id ? runbook : undefined),
        approvals: { yes: undoOptions.yes ?? true, hashes: [] },
        dryRun: undoOptions.dryRun ?? false,
      }),
  }
}
