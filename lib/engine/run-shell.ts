// A shell cell runs the operator's own command (stopping a deployment, restarting a broker) through zx,
// confirmed like an action, approved by hash in headless runs, and never run in a dry run.

import { code, notice } from './blocks.ts'
import { planHash } from './canonical-json.ts'
import type { ParamSpecs } from './params.ts'
import { emit, hashesFor, StopRun, type CellReport, type RunState } from './run-state.ts'
import type { ShellCell } from './runbook.ts'

const outputLimit = 20_000

export async function runShell(state: RunState, cell: ShellCell<unknown, ParamSpecs>, report: CellReport): Promise<void> {
  const command = await cell.command(state.ctx)
  if (command === null || command.trim() === '') {
    report.outcome = 'skipped'
    report.reason = cell.skipReason ?? 'no command given'
    return
  }
  report.command = command
  const hash = planHash(state.runbook.id, cell.id, { command })
  report.planHash = hash
  emit(state, [code(command, 'sh'), notice('info', `Command \`${hash}\``)], cell.id)
  if (state.dryRun) {
    emit(state, [notice('info', 'Dry run: the command was not run.')], cell.id)
    report.outcome = 'not-run'
    return
  }
  if (!(await approveCommand(state, cell, command, hash))) {
    report.outcome = 'declined'
    throw new StopRun('declined', `the command was not confirmed and did not run; nothing changed`)
  }

  const { $ } = await import('zx')
  const started = Date.now()
  const result = await state.io.progress(
    `Running: ${command}`,
    () => $({ nothrow: true, quiet: true, timeout: cell.timeoutMs ?? 120_000, signal: state.ctx.signal })`bash -c ${command}`,
  )
  const durationMs = Date.now() - started
  const stdout = result.stdout.slice(-outputLimit)
  const stderr = result.stderr.slice(-outputLimit)
  state.session.append({ type: 'shell', cell: cell.id, command, exitCode: result.exitCode, stdout, stderr, durationMs })
  report.exitCode = result.exitCode
  const output = [stdout, stderr]
    .filter((s) => s.trim() !== '')
    .join('\n')
    .trim()
  emit(
    state,
    [
      ...(output ? [code(output)] : []),
      result.exitCode === 0
        ? notice('ok', `The command finished (exit 0, ${durationMs} ms).`)
        : notice('danger', `The command failed with exit code ${result.exitCode ?? 'none (stopped)'}.`),
    ],
    cell.id,
  )
  if (result.exitCode !== 0) {
    report.outcome = 'failed'
    if ((cell.onFailure ?? 'stop') === 'stop')
      throw new StopRun('failed', `\`${command}\` failed with exit code ${result.exitCode ?? 'none'} — fix it and rerun`)
    return
  }
  report.outcome = 'done'
}

async function approveCommand(state: RunState, cell: ShellCell<unknown, ParamSpecs>, command: string, hash: string): Promise<boolean> {
  const typedText = cell.confirmText?.(state.ctx)
  if (state.io.interactive) {
    const accepted = typedText
      ? await state.io.typed({ message: `Type ${typedText} to run this command`, expected: typedText })
      : await state.io.confirm({ message: `Run \`${command}\` now?`, default: false })
    state.session.append({
      type: 'confirmation',
      cell: cell.id,
      method: typedText ? 'typed' : 'yes-no',
      accepted,
      ...(typedText ? { expected: typedText } : {}),
    })
    return accepted
  }
  const hashes = hashesFor(state.approvals, cell.id)
  const approved = hashes.includes(hash) || (hashes.length === 0 && state.approvals.yes)
  if (!approved && hashes.length === 0) {
    throw new StopRun(
      'refused',
      `the command of "${cell.id}" needs approval in a headless run — rerun with --approve ${cell.id}=${hash} (or --yes); nothing changed`,
    )
  }
  state.session.append({ type: 'confirmation', cell: cell.id, method: hashes.length > 0 ? 'approved hash' : 'flag --yes', accepted: approved })
  if (!approved) throw new StopRun('drifted', `the command differs from the approved one (${hash} is not ${hashes.join(' / ')}); nothing ran`)
  return true
}
