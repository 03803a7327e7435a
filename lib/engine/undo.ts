// `runbook undo <session>`: for every action the session applied, newest first — show what will be restored,
// re-check that the cluster is still as the action left it, confirm, apply, verify, and record it all in a
// session of its own. The original session's log gets an "undone" line.

import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { markdown, notice } from './blocks.ts'
import { planHash } from './canonical-json.ts'
import type { Io } from './io.ts'
import { driftTable } from './run-action.ts'
import { hashesFor, openSession, StopRun, type CellReport, type SessionOptions } from './run-state.ts'
import type { AnyRunbook, UndoContext, UndoSpec } from './runbook.ts'
import type { RunResult } from './runner.ts'
import { appendToExisting, readEvents, readUndo, Session, writeUndoFile, type RunStatus, type UndoFile } from './session.ts'
import { ExitCode, exitCodeOf } from './exit-codes.ts'

export interface UndoOptions extends SessionOptions {
  /** The session whose actions are undone; the undo's own session goes to `sessionsDir`. */
  readonly sessionDir: string
  readonly findRunbook: (id: string) => AnyRunbook | undefined
}

/** The undo records of a session that still apply, newest first. */
export function pendingUndos(sessionDir: string): { path: string; file: UndoFile }[] {
  const dir = join(sessionDir, 'undo')
  if (!existsSync(dir)) return []
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .map((name) => ({ path: join(dir, name), file: readUndo(join(dir, name)) }))
    .filter(({ file }) => file.status === 'applied' || file.status === 'pending')
    .sort((a, b) => b.file.writtenAt.localeCompare(a.file.writtenAt))
}

export async function runUndo(options: UndoOptions): Promise<RunResult> {
  const clock = options.clock ?? Date.now
  if (!existsSync(join(options.sessionDir, 'events.jsonl')))
    throw new StopRun('refused', `${options.sessionDir} is not a runbook session — give a session id from \`runbook sessions\``)
  const originalId = options.sessionDir.split(/[\\/]/).filter(Boolean).at(-1)!
  const undos = pendingUndos(options.sessionDir)
  const start = readEvents(options.sessionDir)[0]
  const runbookId = start?.type === 'session-start' ? start.runbook : (undos[0]?.file.runbook ?? 'unknown')
  const session = openSession(options, `undo-${runbookId}`, `Undo session ${originalId}`, { undoOf: originalId })
  const show = (blocks: Parameters<Io['show']>[0], cell?: string) => {
    options.io.show(blocks)
    session.append(cell ? { type: 'output', cell, blocks } : { type: 'output', blocks })
  }
  const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))
  const ctx: UndoContext = { kafka: options.kafka, signal: options.signal, now: clock, sleep, show: (blocks) => show(blocks) }
  const reports: CellReport[] = []

  let status: RunStatus = options.dryRun ? 'dry-run' : 'done'
  let exitCode: number = exitCodeOf[status]
  let message: string | undefined
  try {
    if (undos.length === 0) throw new StopRun('refused', `session ${originalId} has nothing to undo (no applied changes, or already undone)`)
    for (const { path, file } of undos) {
      const runbook = options.findRunbook(file.runbook)
      const cell = runbook?.cells.find((c) => c.id === file.cell)
      if (!runbook || !cell || cell.kind !== 'action' || !cell.undo) {
        throw new StopRun('refused', `cannot undo ${file.cell}: runbook ${file.runbook} (or its undo) is not available in this version of runbook`)
      }
      const spec = cell.undo as UndoSpec<unknown>
      const report: CellReport = { id: file.cell, kind: 'undo', title: `Undo: ${cell.title}`, outcome: 'done', summary: spec.summary(file.record) }
      reports.push(report)
      session.append({ type: 'cell-start', cell: file.cell, kind: 'undo', title: report.title })
      options.io.show([markdown(`## ${report.title}`)])
      if (file.status === 'pending')
        show(
          [notice('warn', 'This action was interrupted while applying: the record covers the whole plan, and the re-check below shows what actually changed.')],
          file.cell,
        )
      show([...spec.describe(file.record), notice('info', `Undo \`${planHash(runbookId, file.cell, file.record)}\`: ${spec.summary(file.record)}`)], file.cell)

      const drifts = await options.io.progress('Re-checking the cluster', () => spec.recheck(ctx, file.record))
      session.append({ type: 'recheck', cell: file.cell, drifts })
      if (drifts.length > 0) {
        show(
          [
            driftTable(drifts),
            notice('warn', 'The cluster is no longer as the session left it; restoring now could overwrite a newer change. Nothing was restored.'),
          ],
          file.cell,
        )
        throw new StopRun(
          'drifted',
          `${drifts[0]!.what} changed since the session applied it (${drifts[0]!.planned} → ${drifts[0]!.now}) — check who changed it; nothing restored`,
        )
      }
      if (options.dryRun) {
        report.outcome = 'planned'
        session.append({ type: 'cell-end', cell: file.cell, outcome: 'planned' })
        continue
      }
      const hash = planHash(runbookId, file.cell, file.record)
      if (!(await confirmUndo(options, session, file.cell, spec.confirm(file.record), hash))) {
        report.outcome = 'declined'
        throw new StopRun('declined', 'not confirmed; nothing restored')
      }
      const result = await options.io.progress('Restoring', () => spec.apply(ctx, file.record))
      session.append({ type: 'apply', cell: file.cell, applied: result.applied, failed: result.failed, data: result.data })
      show(result.blocks, file.cell)
      const verification = await options.io.progress('Verifying', () => spec.verify(ctx, file.record))
      session.append({ type: 'verify', cell: file.cell, ok: verification.ok, data: verification.data })
      show(verification.blocks, file.cell)
      report.verified = verification.ok
      if (result.failed.length > 0 || !verification.ok) {
        report.outcome = 'failed'
        throw new StopRun('failed', `restoring ${file.cell} did not complete (${result.failed.length} failed) — see the notebook`)
      }
      report.outcome = 'applied'
      session.append({ type: 'cell-end', cell: file.cell, outcome: 'applied' })
      markUndone(path)
      appendToExisting(options.sessionDir, { type: 'undone', cell: file.cell, bySession: session.id }, clock)
    }
  } catch (error) {
    if (!(error instanceof StopRun)) {
      if (!(error instanceof Error && (error.name === 'ExitPromptError' || error.name === 'AbortPromptError'))) {
        session.append({ type: 'session-end', status: 'failed', exitCode: ExitCode.failed, message: 'internal error' })
        session.close()
        throw error
      }
      ;({ status, exitCode, message } = new StopRun('interrupted', 'stopped by the operator (Ctrl-C)'))
    } else ({ status, exitCode, message } = error)
    show([notice(status === 'failed' ? 'danger' : 'warn', message!)])
  }
  if (exitCode === 0) show([notice('ok', options.dryRun ? 'Dry run: nothing was restored.' : `Restored what session ${originalId} changed.`)])
  session.append({ type: 'session-end', status, exitCode, ...(message ? { message } : {}) })
  session.close()
  return { status, exitCode, ...(message ? { message } : {}), sessionId: session.id, sessionDir: session.dir, cells: reports }
}

/** So that a second `runbook undo` of the same session finds nothing left to restore. */
function markUndone(path: string): void {
  const file = readUndo(path)
  writeUndoFile(path, { ...file, status: 'undone' })
}

async function confirmUndo(
  options: UndoOptions,
  session: Session,
  cellId: string,
  confirmation: ReturnType<UndoSpec<unknown>['confirm']>,
  hash: string,
): Promise<boolean> {
  if (options.io.interactive) {
    const accepted =
      confirmation.kind === 'typed'
        ? await options.io.typed({ message: confirmation.prompt, expected: confirmation.expected })
        : await options.io.confirm({ message: confirmation.prompt, default: false })
    session.append({ type: 'confirmation', cell: cellId, method: confirmation.kind === 'typed' ? 'typed' : 'yes-no', accepted })
    return accepted
  }
  const hashes = hashesFor(options.approvals, cellId)
  if (hashes.includes(hash) || (hashes.length === 0 && options.approvals.yes)) {
    session.append({ type: 'confirmation', cell: cellId, method: hashes.length ? 'approved hash' : 'flag --yes', accepted: true })
    return true
  }
  throw new StopRun('refused', `undoing "${cellId}" needs approval in a headless run — rerun with --approve ${cellId}=${hash} (or --yes); nothing restored`)
}
