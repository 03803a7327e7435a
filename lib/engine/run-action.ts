// The action protocol: plan → preview → confirm → re-check → apply → verify, with the undo record written
// before anything changes. Nothing is applied in a dry run, without approval, or after the cluster drifted.

import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { formatCount, notice, table } from './blocks.ts'
import { planHash } from './canonical-json.ts'
import type { ParamSpecs } from './params.ts'
import { emit, hashesFor, StopRun, type CellReport, type RunState } from './run-state.ts'
import type { AnyActionCell, ApplyResult, Confirmation, Drift } from './runbook.ts'
import { readUndo, writeUndoFile } from './session.ts'

export async function runAction(state: RunState, cell: AnyActionCell<unknown, ParamSpecs>, report: CellReport): Promise<void> {
  const { session, ctx } = state
  for (let attempt = 1; ; attempt++) {
    const plan = await state.io.progress(`Planning: ${cell.title}`, () => cell.plan(ctx))
    const hash = planHash(state.runbook.id, cell.id, plan)
    const summary = cell.summary(plan)
    session.append({ type: 'plan', cell: cell.id, plan, planHash: hash, summary })
    Object.assign(report, { plan, planHash: hash, summary })
    emit(state, [...cell.preview(plan, ctx), notice('info', `Plan \`${hash}\`: ${summary}`)], cell.id)

    if (state.dryRun) {
      emit(state, [notice('info', `Dry run: nothing applied. To apply exactly this plan headless, rerun with \`--approve ${cell.id}=${hash}\`.`)], cell.id)
      report.outcome = 'planned'
      return
    }

    const approved = await confirmPlan(state, cell.id, cell.confirm(plan), hash)
    if (!approved) {
      report.outcome = 'declined'
      throw new StopRun('declined', `not confirmed — ${summary} was not applied; nothing changed`)
    }

    const drifts = await state.io.progress('Re-checking the cluster against the plan', () => cell.recheck(ctx, plan))
    session.append({ type: 'recheck', cell: cell.id, drifts })
    if (drifts.length > 0) {
      emit(state, [driftTable(drifts), notice('warn', 'The cluster changed since the plan was made. Nothing was applied.')], cell.id)
      if (state.io.interactive && (await state.io.confirm({ message: 'Make a new plan from the cluster as it is now?', default: true }))) continue
      throw new StopRun('drifted', `${drifts[0]!.what} changed since the plan (${drifts[0]!.planned} → ${drifts[0]!.now}) — review a new plan; nothing changed`)
    }
    if (attempt > 1) emit(state, [notice('ok', 'The new plan still matches the cluster.')], cell.id)

    await applyAndVerify(state, cell, plan, report)
    return
  }
}

async function confirmPlan(state: RunState, cellId: string, confirmation: Confirmation, hash: string): Promise<boolean> {
  const { session, approvals } = state
  if (state.io.interactive) {
    const accepted =
      confirmation.kind === 'typed'
        ? await state.io.typed({ message: confirmation.prompt, expected: confirmation.expected })
        : await state.io.confirm({ message: confirmation.prompt, default: false })
    session.append({
      type: 'confirmation',
      cell: cellId,
      method: confirmation.kind === 'typed' ? 'typed' : 'yes-no',
      accepted,
      ...(confirmation.kind === 'typed' ? { expected: confirmation.expected } : {}),
    })
    return accepted
  }
  const approvedHashes = hashesFor(approvals, cellId)
  if (approvedHashes.includes(hash)) {
    session.append({ type: 'confirmation', cell: cellId, method: 'approved hash', accepted: true })
    return true
  }
  if (approvedHashes.length > 0) {
    session.append({ type: 'confirmation', cell: cellId, method: 'approved hash', accepted: false })
    throw new StopRun(
      'drifted',
      `the plan is ${hash}, not the approved ${approvedHashes.join(' / ')}: the cluster changed since the plan was reviewed — review the new plan with --dry-run; nothing changed`,
    )
  }
  if (approvals.yes) {
    session.append({ type: 'confirmation', cell: cellId, method: 'flag --yes', accepted: true })
    return true
  }
  throw new StopRun(
    'refused',
    `"${cellId}" needs approval in a headless run — review it with --dry-run, then rerun with --approve ${cellId}=${hash} (or --yes); nothing changed`,
  )
}

async function applyAndVerify(state: RunState, cell: AnyActionCell<unknown, ParamSpecs>, plan: unknown, report: CellReport): Promise<void> {
  const { session, ctx } = state
  const undoSpec = cell.undo
  let undoPath: string | undefined
  if (undoSpec && cell.undoRecord) {
    const record = cell.undoRecord(plan)
    undoPath = session.writeUndo({ runbook: state.runbook.id, cell: cell.id, status: 'pending', summary: undoSpec.summary(record), record })
    session.append({ type: 'undo-record', cell: cell.id, path: undoPath, status: 'pending' })
  }

  state.applying = true
  let result: ApplyResult<unknown>
  try {
    result = await state.io.progress(`Applying: ${cell.title}`, () => cell.apply(ctx, plan))
  } catch (error) {
    state.applying = false
    report.outcome = 'failed'
    const why = error instanceof Error ? error.message.split('\n')[0]! : String(error)
    session.append({ type: 'apply', cell: cell.id, applied: [], failed: [{ item: 'apply', error: why }] })
    const undoHint = undoPath ? ` — some changes may have been applied: check, then \`runbook undo ${session.id}\`` : ''
    throw new StopRun('failed', `applying "${cell.title}" failed: ${why}${undoHint}`)
  }
  state.applying = false
  session.append({ type: 'apply', cell: cell.id, applied: result.applied, failed: result.failed, data: result.data })
  Object.assign(report, { applied: result.applied, failed: result.failed })
  emit(state, result.blocks, cell.id)

  if (undoSpec && cell.undoRecord && undoPath) {
    const record = result.undo ?? cell.undoRecord(plan)
    const status = result.applied.length === 0 ? 'nothing-applied' : 'applied'
    undoPath = session.writeUndo(
      { runbook: state.runbook.id, cell: cell.id, status, summary: undoSpec.summary(record), record },
      undoSpec.files?.(record) ?? [],
    )
    session.append({ type: 'undo-record', cell: cell.id, path: undoPath, status })
    if (status === 'applied') {
      report.undoRecord = undoPath
      emit(state, [notice('info', `Undo record written. To restore what was there before: \`runbook undo ${session.id}\``)], cell.id)
    }
  }

  if (result.applied.length === 0) {
    report.outcome = 'failed'
    throw new StopRun('failed', `nothing was applied: ${result.failed[0]?.error ?? 'every change failed'}`)
  }

  const verification = await state.io.progress(`Verifying: ${cell.title}`, () => cell.verify(ctx, plan, result))
  session.append({ type: 'verify', cell: cell.id, ok: verification.ok, data: verification.data })
  emit(state, verification.blocks, cell.id)
  report.verified = verification.ok
  if (result.failed.length > 0 || !verification.ok) {
    report.outcome = 'failed'
    const partial =
      result.failed.length > 0
        ? `${formatCount(result.failed.length)} of ${formatCount(result.failed.length + result.applied.length)} changes failed`
        : 'verification failed'
    throw new StopRun('failed', `${partial} — see the notebook; to restore the previous state: runbook undo ${session.id}`)
  }
  report.outcome = 'applied'
  if (cell.reverts !== undefined) closeRevertedUndo(state, cell.reverts)
}

/** The earlier action's change is taken back: its undo record is closed so `runbook undo` skips it. */
function closeRevertedUndo(state: RunState, revertedCell: string): void {
  const path = join(state.session.dir, 'undo', `${revertedCell}.json`)
  if (!existsSync(path)) return
  const file = readUndo(path)
  if (file.status !== 'applied' && file.status !== 'pending') return
  writeUndoFile(path, { ...file, status: 'undone' })
  state.session.append({ type: 'undone', cell: revertedCell, bySession: state.session.id })
  emit(state, [notice('info', `The undo record of "${revertedCell}" is closed: this run took its change back.`)], revertedCell)
}

export function driftTable(drifts: readonly Drift[]) {
  return table(
    ['What', 'In the plan', 'Now'],
    drifts.map((d) => [d.what, d.planned, d.now]),
    { title: 'Changed since the plan' },
  )
}
