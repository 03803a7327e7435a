// `runbook undo <session>`: for every action the session applied, newest first — show what will be restored,
// re-check that the cluster is still as the action left it, confirm, apply, verify, and record it all in a
// session of its own. The original session's log gets an "undone" line.
// Nothing is restored from a record that does not verify (its chain, and each undo file against the hash the
// chain recorded for it), nor on a cluster other than the one the session changed.

import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { compareAnchors, readAnchors, type SessionAnchors } from './audit-trail.ts'
import { markdown, notice, type Block } from './blocks.ts'
import { planHash } from './canonical-json.ts'
import { sameCluster, type ClusterIdentity } from './cluster-identity.ts'
import type { Io } from './io.ts'
import { driftTable } from './run-action.ts'
import { openSession, StopRun, type CellReport, type SessionOptions } from './run-state.ts'
import type { AnyRunbook, UndoContext, UndoSpec } from './runbook.ts'
import { lazyApprovals, type RunResult } from './runner.ts'
import { ExitCode, exitCodeOf } from './exit-codes.ts'
import { markUndone, readUndo, undoRecordName, type RunStatus, type UndoFile } from './session.ts'
import { checkSession, pendingUndoCells, type SessionCheck } from './verify-session.ts'

export interface UndoOptions extends SessionOptions {
  /** The session whose actions are undone; the undo's own session goes to `sessionsDir`. */
  readonly sessionDir: string
  /** The runbook that made a change, by id (a catalog imports it on demand). */
  readonly findRunbook: (id: string) => AnyRunbook | undefined | Promise<AnyRunbook | undefined>
}

/** The undo records of a session that still apply, newest first, as its transcript says. */
export function pendingUndos(sessionDir: string): { path: string; cell: string }[] {
  return pendingUndoCells(checkSession(sessionDir).events).map(({ cell }) => ({ cell, path: join(sessionDir, undoRecordName(cell)) }))
}

export async function runUndo(options: UndoOptions): Promise<RunResult> {
  const clock = options.clock ?? Date.now
  if (!existsSync(join(options.sessionDir, 'events.jsonl')))
    throw new StopRun('refused', `${options.sessionDir} is not a runbook session — give a session id from \`runbook sessions\``)
  const originalId = options.sessionDir.split(/[\\/]/).filter(Boolean).at(-1)!
  const check = checkSession(options.sessionDir)
  const runbookId = check.start?.runbook ?? 'unknown'
  const pending = pendingUndoCells(check.events)
  const { session, cluster, anchors } = await openSession(options, `undo-${runbookId}`, `Undo session ${originalId}`, { undoOf: originalId })
  const show = (blocks: Parameters<Io['show']>[0], cell?: string) => {
    options.io.show(blocks)
    session.append(cell ? { type: 'output', cell, blocks } : { type: 'output', blocks })
  }
  const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))
  const ctx: UndoContext = { kafka: options.kafka, signal: options.signal, now: clock, sleep, show: (blocks) => show(blocks) }
  const reports: CellReport[] = []
  const approvals = lazyApprovals(
    `undo-${runbookId}`,
    pending.map((u) => u.cell),
    options,
    cluster,
    session,
  )

  let status: RunStatus = options.dryRun ? 'dry-run' : 'done'
  let exitCode: number = exitCodeOf[status]
  let message: string | undefined
  try {
    trustRecord(check, originalId)
    sameClusterAsRecorded(check, cluster, originalId)
    await trustAnchors(check, originalId, options, show)
    if (pending.length === 0) throw new StopRun('refused', `session ${originalId} has nothing to undo (no applied changes, or already undone)`)
    approvals.check()
    if (!check.end)
      show([
        notice(
          'warn',
          `Session ${originalId} has no end in its transcript (the run stopped before it finished): what it recorded is restored, after the re-check.`,
        ),
      ])
    for (const { cell: cellId } of pending) {
      const path = join(options.sessionDir, undoRecordName(cellId))
      const file = readUndo<unknown>(path)
      const runbook = await options.findRunbook(runbookId)
      const cell = runbook?.cells.find((c) => c.id === cellId)
      if (!runbook || !cell || cell.kind !== 'action' || !cell.undo) {
        throw new StopRun('refused', `cannot undo ${cellId}: runbook ${runbookId} (or its undo) is not available in this version of runbook`)
      }
      const spec = cell.undo as UndoSpec<unknown>
      const report: CellReport = { id: cellId, kind: 'undo', title: `Undo: ${cell.title}`, outcome: 'done', summary: spec.summary(file.record) }
      reports.push(report)
      session.append({ type: 'cell-start', cell: cellId, kind: 'undo', title: report.title })
      options.io.show([markdown(`## ${report.title}`)])
      if (file.status === 'pending')
        show(
          [notice('warn', 'This action was interrupted while applying: the record covers the whole plan, and the re-check below shows what actually changed.')],
          cellId,
        )
      const hash = planHash(runbookId, cellId, file.record, cluster.clusterId)
      Object.assign(report, { plan: file.record, planHash: hash })
      session.append({ type: 'plan', cell: cellId, plan: file.record, planHash: hash, summary: spec.summary(file.record) })
      show([...spec.describe(file.record), notice('info', `Undo \`${hash}\`: ${spec.summary(file.record)}`)], cellId)

      const drifts = await options.io.progress('Re-checking the cluster', () => spec.recheck(ctx, file.record))
      session.append({ type: 'recheck', cell: cellId, drifts })
      if (drifts.length > 0) {
        show(
          [
            driftTable(drifts),
            notice('warn', 'The cluster is no longer as the session left it; restoring now could overwrite a newer change. Nothing was restored.'),
          ],
          cellId,
        )
        throw new StopRun(
          'drifted',
          `${drifts[0]!.what} changed since the session applied it (${drifts[0]!.planned} → ${drifts[0]!.now}) — check who changed it; nothing restored`,
        )
      }
      if (spec.assess) {
        const assess = spec.assess
        show(await options.io.progress('Pricing the restore', () => assess(ctx, file.record)), cellId)
      }
      if (options.dryRun) {
        if (!options.io.interactive) approvals.judge(cellId, hash, file.record)
        report.outcome = 'planned'
        session.append({ type: 'cell-end', cell: cellId, outcome: 'planned' })
        continue
      }
      if (!(await confirmUndo(options, session, cellId, spec.confirm(file.record), hash, file, approvals, anchors))) {
        report.outcome = 'declined'
        throw new StopRun('declined', 'not confirmed; nothing restored')
      }
      const result = await options.io.progress('Restoring', () => spec.apply(ctx, file.record))
      await anchors.change(session.append({ type: 'apply', cell: cellId, applied: result.applied, failed: result.failed, data: result.data }))
      show(result.blocks, cellId)
      const verification = await options.io.progress('Verifying', () => spec.verify(ctx, file.record))
      session.append({ type: 'verify', cell: cellId, ok: verification.ok, data: verification.data })
      show(verification.blocks, cellId)
      report.verified = verification.ok
      if (result.failed.length > 0 || !verification.ok) {
        report.outcome = 'failed'
        throw new StopRun('failed', `restoring ${cellId} did not complete (${result.failed.length} failed) — see the notebook`)
      }
      report.outcome = 'applied'
      session.append({ type: 'cell-end', cell: cellId, outcome: 'applied' })
      const undone = markUndone(options.sessionDir, cellId, session.id, clock)
      await anchors.change(undone, { id: originalId, log: [...check.events, undone] })
    }
    const unused = approvals.unused(null, reports)
    if (unused) throw unused
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
  const unanchored = await anchors.end(session.append({ type: 'session-end', status, exitCode, ...(message ? { message } : {}) }))
  session.close()
  if (unanchored) {
    options.io.show([notice('danger', unanchored)])
    if (exitCode === 0) ({ status, exitCode, message } = { status: 'failed', exitCode: 1, message: unanchored })
  }
  return { status, exitCode, ...(message ? { message } : {}), sessionId: session.id, sessionDir: session.dir, cells: reports, cluster }
}

/** Restores nothing from a record that was changed after it was written: the chain and every undo file must verify. */
function trustRecord(check: SessionCheck, id: string): void {
  if (check.intact) return
  throw new StopRun(
    'refused',
    `session ${id} does not verify: ${check.problems[0] ?? 'its record is incomplete'} — \`runbook verify ${id}\` shows the record; nothing restored`,
  )
}

/**
 * A session run with an audit trail is also held against its anchors: an anchored event the transcript lost or
 * changed means the record was rewritten, and nothing is restored from it. Anchors merely missing (the topic's
 * retention, an anchor that failed to write) do not stop an undo; `runbook verify` reports them.
 */
async function trustAnchors(check: SessionCheck, id: string, options: UndoOptions, show: (blocks: readonly Block[]) => void): Promise<void> {
  const audit = check.start?.audit
  if (!audit || !('topic' in audit)) return
  let anchors
  try {
    anchors = await readAnchors(options.kafka, audit.topic, id)
  } catch (error) {
    show([notice('warn', `${error instanceof Error ? error.message : String(error)}: the record was checked on this disk only.`)])
    return
  }
  const contradictions = compareAnchors(check.events, anchors, false)
  if (contradictions.length > 0) {
    throw new StopRun('refused', `session ${id} does not verify against its audit trail (topic ${audit.topic}): ${contradictions[0]} — nothing restored`)
  }
}

/** The cluster in front of us must be the one the session changed, by the id Kafka formatted it with. */
function sameClusterAsRecorded(check: SessionCheck, current: ClusterIdentity, id: string): void {
  const recorded = check.start?.cluster
  if (sameCluster(recorded?.clusterId, current.clusterId)) return
  const how = recorded?.profile
    ? `--profile ${recorded.profile}`
    : recorded?.bootstrapServers?.length
      ? `--bootstrap-server ${recorded.bootstrapServers.join(',')}`
      : 'the cluster it names'
  throw new StopRun(
    'refused',
    `session ${id} changed cluster ${recorded?.name ?? recorded?.origin ?? 'unknown'} (id ${recorded?.clusterId ?? 'not recorded'}), but this is cluster ${current.name} (id ${current.clusterId ?? 'unknown'}) — connect to the cluster the session changed (${how}); nothing restored`,
  )
}

async function confirmUndo(
  options: UndoOptions,
  session: Awaited<ReturnType<typeof openSession>>['session'],
  cellId: string,
  confirmation: ReturnType<UndoSpec<unknown>['confirm']>,
  hash: string,
  file: UndoFile,
  approvals: ReturnType<typeof lazyApprovals>,
  anchors: SessionAnchors,
): Promise<boolean> {
  const allowSkip = options.audit?.allowSkip ?? false
  if (options.io.interactive) {
    const accepted =
      confirmation.kind === 'typed'
        ? await options.io.typed({ message: confirmation.prompt, expected: confirmation.expected })
        : await options.io.confirm({ message: confirmation.prompt, default: false })
    const event = session.append({ type: 'confirmation', cell: cellId, method: confirmation.kind === 'typed' ? 'typed' : 'yes-no', accepted })
    if (accepted) await anchors.approval(event, allowSkip)
    return accepted
  }
  const verdict = approvals.judge(cellId, hash, file.record)
  if (verdict === 'none')
    throw new StopRun('refused', `undoing "${cellId}" needs approval in a headless run — rerun with --approve ${cellId}=${hash} (or --yes); nothing restored`)
  await anchors.approval(
    session.append({ type: 'confirmation', cell: cellId, method: verdict === 'hash' ? 'approved hash' : 'flag --yes', accepted: true }),
    allowSkip,
  )
  return true
}
