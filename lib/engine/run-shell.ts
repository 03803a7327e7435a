// A shell cell runs the operator's own command (stopping a deployment, restarting a broker) through zx,
// confirmed like an action, approved by hash in headless runs, and never run in a dry run.

import { hostname } from 'node:os'
import { formatSeconds } from '../format/time.ts'
import { type Block, code, notice } from './blocks.ts'
import { planHash } from './canonical-json.ts'
import type { ParamSpecs } from './params.ts'
import { emit, StopRun, type CellReport, type RunState } from './run-state.ts'
import type { CommandExit, RunningCommand, ShellCell, WatchResult } from './runbook.ts'

export async function runShell(state: RunState, cell: ShellCell<unknown, ParamSpecs>, report: CellReport): Promise<void> {
  const command = await cell.command(state.ctx)
  if (command === null || command.trim() === '') {
    report.outcome = 'skipped'
    report.reason = cell.skipReason ?? 'no command given'
    return
  }
  report.command = command
  const timeoutMs = typeof cell.timeoutMs === 'function' ? await cell.timeoutMs(state.ctx) : (cell.timeoutMs ?? 120_000)
  const hash = planHash(state.runbook.id, cell.id, { command }, state.cluster.clusterId)
  report.planHash = hash
  // Recorded as a plan: a command approved by hash is looked up like any other reviewed plan.
  state.session.append({ type: 'plan', cell: cell.id, plan: { command }, planHash: hash, summary: `run \`${command}\`` })
  emit(
    state,
    [
      code(command, 'sh'),
      notice(
        'info',
        `Runs on ${hostname()} (this machine) as \`bash -c\`, in ${process.cwd()}, with your environment; stopped if still running after ${formatSeconds(timeoutMs)}${cell.watch ? ` or when the watch ends${cell.finishGraceMs ? ` (or ${formatSeconds(cell.finishGraceMs)} after it, when it saw what it waited for)` : ''}` : ''}. Command \`${hash}\``,
      ),
    ],
    cell.id,
  )
  if (state.dryRun) {
    const approved = !state.io.interactive && state.approvals.judge(cell.id, hash, { command }) === 'hash'
    emit(state, [notice('info', `Dry run: the command was not run.${approved ? ' It is the one approved.' : ''}`)], cell.id)
    report.outcome = 'not-run'
    return
  }
  if (!(await approveCommand(state, cell, command, hash))) {
    report.outcome = 'declined'
    throw new StopRun('declined', `the command was not confirmed and did not run; nothing changed`)
  }

  const running = await startCommand(command, timeoutMs, state.ctx.signal, state.ctx.now())
  let watched: WatchResult | undefined
  let exit: CommandExit
  try {
    if (cell.watch) watched = await cell.watch(state.ctx, running)
    else await state.io.progress(`Running: ${command}`, () => running.exited)
    if (watched?.letFinish && cell.finishGraceMs && !running.exit()) await Promise.race([running.exited, state.ctx.sleep(cell.finishGraceMs)])
  } finally {
    // Whatever the watch concluded, or if it threw (a Ctrl-C), the command does not outlive the cell.
    running.stop('watch-ended')
    exit = await running.exited
    state.session.append({
      type: 'shell',
      cell: cell.id,
      command,
      exitCode: exit.exitCode,
      stdout: exit.tail,
      stderr: '',
      durationMs: exit.durationMs,
      ...(exit.stoppedBy ? { stoppedBy: exit.stoppedBy } : {}),
      ...(watched?.data !== undefined ? { watched: watched.data } : {}),
    })
    report.exitCode = exit.exitCode
    emit(state, [...(exit.tail.trim() ? [code(exit.tail.trimEnd())] : []), exitNotice(exit)], cell.id)
  }
  if (watched) {
    emit(state, watched.blocks, cell.id)
    if (watched.data !== undefined) report.data = watched.data
  }
  if (exit.exitCode !== 0) {
    report.outcome = 'failed'
    if (!cell.watch && (cell.onFailure ?? 'stop') === 'stop')
      throw new StopRun('failed', `\`${command}\` failed with exit code ${exit.exitCode ?? 'none'} — fix it and rerun`)
    return
  }
  report.outcome = 'done'
}

function exitNotice(exit: CommandExit): Block {
  const took = formatSeconds(exit.durationMs)
  if (exit.stoppedBy === 'timeout') return notice('danger', `The command was still running after ${took}: stopped (its timeout).`)
  if (exit.stoppedBy === 'interrupt') return notice('warn', `The command was stopped after ${took} (Ctrl-C).`)
  if (exit.stoppedBy === 'watch-ended') return notice('warn', `The command was still running when the watch ended: stopped after ${took}.`)
  return exit.exitCode === 0
    ? notice('ok', `The command finished (exit 0, ${took}).`)
    : notice('danger', `The command failed with exit code ${exit.exitCode ?? 'none'} after ${took}.`)
}

/** Keeps the last `lines` lines of a stream, at most `chars` characters: what the transcript shows of a command. */
export function outputTail(lines = 40, chars = 4000) {
  let text = ''
  return {
    add(chunk: string) {
      text = (text + chunk).slice(-chars * 2)
    },
    get(): string {
      return text
        .split('\n')
        .slice(-lines - 1)
        .join('\n')
        .slice(-chars)
    },
  }
}

type StopReason = NonNullable<CommandExit['stoppedBy']>

interface StartedCommand extends RunningCommand {
  stop(reason: StopReason): void
}

/** Starts `bash -c command`, stopped (its process group: SIGTERM, SIGKILL 5 s later) at its timeout, a Ctrl-C, or `stop`. */
async function startCommand(command: string, timeoutMs: number, signal: AbortSignal, startedAtMs: number): Promise<StartedCommand> {
  const { $ } = await import('zx')
  const wallStart = Date.now()
  const tail = outputTail()
  // Its own process group, so that stopping it stops everything it started and still runs in that group (a
  // daemon that detaches itself, as a restarted broker does, is not in it and keeps running).
  const child = $({ nothrow: true, quiet: true, detached: true })`bash -c ${command}`
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, signal)
    } catch {
      // Already gone.
    }
  }
  child.stdout.on('data', (chunk: Buffer) => tail.add(chunk.toString('utf8')))
  child.stderr.on('data', (chunk: Buffer) => tail.add(chunk.toString('utf8')))
  let stoppedBy: CommandExit['stoppedBy'] = null
  let ended: CommandExit | undefined
  let killer: ReturnType<typeof setTimeout> | undefined
  const stop = (reason: StopReason) => {
    if (ended || stoppedBy) return
    stoppedBy = reason
    signalGroup('SIGTERM')
    killer = setTimeout(() => signalGroup('SIGKILL'), 5000)
  }
  const timer = setTimeout(() => stop('timeout'), timeoutMs)
  const onAbort = () => stop('interrupt')
  signal.addEventListener('abort', onAbort, { once: true })
  if (signal.aborted) stop('interrupt')
  const exited = (async (): Promise<CommandExit> => {
    const result = await child
    clearTimeout(timer)
    clearTimeout(killer)
    signal.removeEventListener('abort', onAbort)
    ended = { exitCode: result.exitCode, stoppedBy, durationMs: Date.now() - wallStart, tail: tail.get() }
    return ended
  })()
  return { command, startedAtMs, timeoutMs, exit: () => ended, exited, stop }
}

async function approveCommand(state: RunState, cell: ShellCell<unknown, ParamSpecs>, command: string, hash: string): Promise<boolean> {
  const typedText = cell.confirmText?.(state.ctx)
  if (state.io.interactive) {
    const accepted = typedText
      ? await state.io.typed({ message: `Type ${typedText} to run this command`, expected: typedText })
      : await state.io.confirm({ message: `Run \`${command}\` now?`, default: false })
    const event = state.session.append({
      type: 'confirmation',
      cell: cell.id,
      method: typedText ? 'typed' : 'yes-no',
      accepted,
      ...(typedText ? { expected: typedText } : {}),
    })
    if (accepted) await state.anchors.approval(event, state.auditSkippable)
    return accepted
  }
  let verdict: ReturnType<RunState['approvals']['judge']>
  try {
    verdict = state.approvals.judge(cell.id, hash, { command })
  } catch (error) {
    state.session.append({ type: 'confirmation', cell: cell.id, method: 'approved hash', accepted: false })
    throw error
  }
  if (verdict === 'none') {
    throw new StopRun(
      'refused',
      `the command of "${cell.id}" needs approval in a headless run — rerun with --approve ${cell.id}=${hash} (or --yes); nothing changed`,
    )
  }
  await state.anchors.approval(
    state.session.append({ type: 'confirmation', cell: cell.id, method: verdict === 'hash' ? 'approved hash' : 'flag --yes', accepted: true }),
    state.auditSkippable,
  )
  return true
}
