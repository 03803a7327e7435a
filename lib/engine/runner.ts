// Runs a runbook as a notebook: one cell after another, every step shown and recorded, in one of three modes
// (interactive, headless, dry run) from the same definition. Ends with a status, an exit code and the session.

import { counted } from '../format/counts.ts'
import type { KafkaOps } from '../kafka/types.ts'
import { markdown, notice } from './blocks.ts'
import type { Io } from './io.ts'
import { type Choice, ParamError, type ParamSpec, type ParamSpecs } from './params.ts'
import { runAction } from './run-action.ts'
import { runDecide } from './run-decide.ts'
import { runShell } from './run-shell.ts'
import { ApprovalBook } from './approvals.ts'
import type { ClusterIdentity } from './cluster-identity.ts'
import { reviewedPlans } from './reviewed-plans.ts'
import { findEarlierFiles } from './earlier-files.ts'
import { cachedCapabilities, emit, noLogDirs, openSession, StopRun, type CellReport, type RunState, type SessionOptions } from './run-state.ts'
import type { AnyRunbook, Cell, CellOutcome, Finding, RunContext, Severity } from './runbook.ts'
import { Refusal, severityAtLeast } from './runbook.ts'
import type { RunStatus, Session } from './session.ts'
import { ExitCode, exitCodeOf } from './exit-codes.ts'

export type AnswerSource = 'flag' | 'answers'

export interface RunOptions extends SessionOptions {
  /** Answers given up front: parameter names and decide-cell ids → text. */
  readonly given: ReadonlyMap<string, { readonly text: string; readonly source: AnswerSource }>
  /** Ends a run that otherwise completed with exit 4 (status `findings`) when its findings reach this level. */
  readonly failOn?: Severity
}

export interface RunResult {
  readonly status: RunStatus
  readonly exitCode: number
  readonly message?: string
  readonly sessionId: string
  readonly sessionDir: string
  /** The cluster the run acted on, as it reported itself. */
  readonly cluster: ClusterIdentity
  readonly cells: readonly CellReport[]
  /** What the run's last reporting query found; absent when no query reports findings. */
  readonly findings?: readonly Finding[]
}

export async function runRunbook(runbook: AnyRunbook, options: RunOptions): Promise<RunResult> {
  const clock = options.clock ?? Date.now
  checkGivenNames(runbook, options.given)
  const { session, cluster, anchors } = await openSession(options, runbook.id, runbook.title)
  const approvals = lazyApprovals(runbook.id, approvableCells(runbook), options, cluster, session)
  const state = createState(runbook, options, session, { cluster, anchors }, approvals, clock)

  let status: RunStatus = options.dryRun ? 'dry-run' : 'done'
  let exitCode: number = exitCodeOf[status]
  let message: string | undefined
  try {
    try {
      approvals.check()
      emit(state, [markdown(`# ${runbook.title}\n\n${runbook.summary}`)])
      await validateGiven(state, options)
      for (const cell of runbook.cells) {
        if (options.signal.aborted) throw interrupted()
        await runCell(state, cell)
      }
    } catch (error) {
      // A refusal — the runbook's, or a given name the cluster no longer knows — may be the cluster having moved
      // since an approved plan was reviewed with the same answers: that is drift, not bad input. (Answers the
      // parser refuses were refused when the plan was reviewed too, so they never match a reviewed plan.)
      const refusal =
        error instanceof Refusal || (error instanceof Error && error.name === 'Refusal') || (error instanceof StopRun && error.status === 'refused')
      const stop = refusal ? toStop(error, options.signal) : undefined
      throw (stop && approvals.unused(stop, state.reports)) ?? error
    }
    noteUnusedDecisions(state)
    const unused = approvals.unused(null, state.reports)
    if (unused) throw unused
  } catch (error) {
    const stop = toStop(error, options.signal)
    if (!stop) {
      session.append({ type: 'session-end', status: 'failed', exitCode: ExitCode.failed, message: 'internal error' })
      session.close()
      throw error
    }
    ;({ status, exitCode, message } = stop)
    if (status === 'interrupted') session.append({ type: 'abort', reason: 'Ctrl-C: stopped by the operator; nothing was applied after that' })
    emit(state, [notice(exitCode === 0 ? 'ok' : status === 'failed' ? 'danger' : 'warn', message)])
  }
  if (exitCode === 0) emit(state, [notice('ok', options.dryRun ? 'Dry run complete: nothing was changed.' : 'Runbook complete.')])
  const gate = exitCode === 0 && options.failOn && state.findings ? gateOnFindings(state.findings, options.failOn) : null
  if (gate) {
    ;({ status, exitCode, message } = gate)
    emit(state, [notice('warn', gate.message)])
  }
  const unanchored = await anchors.end(session.append({ type: 'session-end', status, exitCode, ...(message ? { message } : {}) }))
  session.close()
  if (unanchored) {
    options.io.show([notice('danger', unanchored)])
    if (exitCode === 0) ({ status, exitCode, message } = { status: 'failed', exitCode: 1, message: unanchored })
  }
  emit0(options.io, session.dir)
  return {
    status,
    exitCode,
    ...(message ? { message } : {}),
    sessionId: session.id,
    sessionDir: session.dir,
    cluster,
    cells: state.reports,
    ...(state.findings ? { findings: state.findings } : {}),
  }
}

/** The run's findings against --fail-on: null when none reaches the level. */
function gateOnFindings(findings: readonly Finding[], level: Severity): { status: RunStatus; exitCode: number; message: string } | null {
  const failing = findings.filter((f) => severityAtLeast(f.severity, level))
  if (failing.length === 0) return null
  const first = failing[0]!
  const more = failing.length > 1 ? ` (and ${failing.length - 1} more)` : ''
  return {
    status: 'findings',
    exitCode: ExitCode.findings,
    message: `${counted(failing.length, 'finding')} at or above ${level} (--fail-on ${level}): ${first.summary}${more}`,
  }
}

function emit0(io: Io, dir: string): void {
  if (io.interactive) io.show([notice('info', `Notebook and transcript: ${dir}`)])
}

/** The cells an --approve can name: those that ask before they change anything. */
function approvableCells(runbook: AnyRunbook): string[] {
  return runbook.cells.filter((c) => c.kind === 'action' || c.kind === 'shell').map((c) => c.id)
}

/**
 * The run's approvals, checked when the run starts (inside the session, so a refusal is recorded) and judged per
 * cell; the sessions folder is read only if an --approve was given.
 */
export function lazyApprovals(runbookId: string, approvable: readonly string[], options: SessionOptions, cluster: ClusterIdentity, session: Session) {
  let book: ApprovalBook | undefined
  const open = () =>
    (book ??= new ApprovalBook(options.approvals, {
      runbook: runbookId,
      approvable,
      clusterId: cluster.clusterId,
      clusterName: cluster.name,
      sessionsDir: options.sessionsDir,
      lookup: options.approvals.hashes.length > 0 ? reviewedPlans(options.sessionsDir) : () => [],
      log: () => session.log,
    }))
  return {
    check: () => void open(),
    judge: (cell: string, hash: string, plan: unknown) => open().judge(cell, hash, plan),
    unused(stop: StopRun | null, reports: readonly CellReport[]): StopRun | null {
      if (!book) return null
      const skipped = new Map(reports.flatMap((r) => (r.outcome === 'skipped' ? [[r.id, r.reason ?? 'its condition does not hold'] as const] : [])))
      return book.unused({ stop, log: session.log, skipped })
    },
  }
}

function createState(
  runbook: AnyRunbook,
  options: RunOptions,
  session: Session,
  { cluster, anchors }: Pick<RunState, 'cluster' | 'anchors'>,
  approvals: RunState['approvals'],
  clock: () => number,
): RunState {
  const answers = new Map<string, unknown>()
  const params = runbook.params as ParamSpecs
  const ports = { openLogDir: options.openLogDir ?? noLogDirs }
  // Ctrl-C while an apply runs must not leave half a change: waits inside an apply ignore it, and the run
  // stops at the next cell boundary instead.
  const applying = () => state.applying
  const sleep = (ms: number) =>
    new Promise<void>((resolve, reject) => {
      if (options.signal.aborted && !applying()) return reject(interrupted())
      const timer = setTimeout(() => {
        options.signal.removeEventListener('abort', onAbort)
        resolve()
      }, ms)
      const onAbort = () => {
        if (applying()) return
        clearTimeout(timer)
        reject(interrupted())
      }
      options.signal.addEventListener('abort', onAbort, { once: true })
    })

  const resolveGiven = (name: string): { found: boolean; value?: unknown } => {
    if (answers.has(name)) return { found: true, value: answers.get(name) }
    const spec = params[name]
    if (!spec) throw new Error(`runbook ${runbook.id} asked for undeclared parameter "${name}"`)
    const given = options.given.get(name)
    if (given) {
      const value = parseParam(name, spec, given.text, clock())
      record(name, spec, value, given.source)
      return { found: true, value }
    }
    if (spec.default !== undefined) {
      record(name, spec, spec.default, 'default')
      return { found: true, value: spec.default }
    }
    return { found: false }
  }
  const record = (name: string, spec: ParamSpec<unknown>, value: unknown, source: 'flag' | 'answers' | 'default' | 'prompt') => {
    answers.set(name, value)
    session.append({ type: 'param', name, value: spec.secret ? '***' : value === undefined ? '(none)' : spec.format(value), source })
  }

  const state: RunState = {
    runbook,
    io: options.io,
    session,
    cluster,
    anchors,
    auditSkippable: options.audit?.allowSkip ?? false,
    approvals,
    dryRun: options.dryRun,
    outcomes: new Map<string, CellOutcome>(),
    decisions: new Map<string, string>(),
    reports: [],
    given: options.given,
    applying: false,
    // Filled in just below: the context needs the state for show().
    ctx: undefined as never,
  }
  const ctx: RunContext<unknown, ParamSpecs> = {
    kafka: options.kafka,
    state: runbook.initialState(),
    dryRun: options.dryRun,
    interactive: options.io.interactive,
    signal: options.signal,
    now: clock,
    sleep,
    async param(name, paramOptions) {
      const required = paramOptions?.required ?? false
      const known = resolveGiven(name)
      if (known.found && !(required && known.value === undefined)) return known.value as never
      const declared = params[name]!
      const spec = required ? { ...declared, optional: false } : declared
      if (!options.io.interactive) {
        if (spec.optional) {
          record(name, spec, undefined, 'default')
          return undefined as never
        }
        throw new StopRun('refused', `missing --set ${name}=<${spec.type}> (${spec.help}); nothing changed`)
      }
      // An answer the cluster does not know (a topic typed wrong) is asked again, a few times at most.
      for (let attempt = 1; ; attempt++) {
        const value = await askParam(options.io, options.kafka, name, spec, clock, paramOptions?.choices)
        const problem = value === undefined || !spec.check ? null : await spec.check(value, options.kafka, ports)
        if (problem === null) {
          record(name, spec, value, 'prompt')
          return value as never
        }
        if (attempt >= 3) throw new StopRun('refused', `${problem}; nothing changed`)
        options.io.show([notice('warn', `${problem}.`)])
      }
    },
    given(name) {
      const known = resolveGiven(name)
      return (known.found ? known.value : undefined) as never
    },
    decision: (cell: string | { readonly id: string }) => state.decisions.get(typeof cell === 'string' ? cell : cell.id) as never,
    need(key) {
      const value = (ctx.state as Record<string, unknown>)[key]
      if (value === undefined || value === null) throw new Error(`runbook ${runbook.id}: a cell needs state.${key}, which no earlier cell set`)
      return value as never
    },
    outcome: (cellId) => state.outcomes.get(cellId),
    capabilities: cachedCapabilities(options.kafka),
    show: (blocks) => emit(state, blocks),
    writeFile: async (name, content) => session.writeFile(name, content),
    openLogDir: ports.openLogDir,
    earlierFiles: (query) => findEarlierFiles(options.sessionsDir, query, session.id),
  }
  ;(state as { ctx: RunContext<unknown, ParamSpecs> }).ctx = ctx
  return state
}

/**
 * Bad input is bad whatever the cluster's state: before any cell runs, every given answer (flags, answers file) is
 * parsed by its parameter's type, every given decision must be one of its cell's declared options, and every
 * named topic, partition, broker and group must exist on the cluster. The first problem stops the run.
 */
async function validateGiven(state: RunState, options: RunOptions): Promise<void> {
  const { runbook, ctx } = state
  const params = runbook.params as ParamSpecs
  for (const name of options.given.keys()) if (name in params) ctx.given(name)
  for (const cell of runbook.cells) {
    const given = options.given.get(cell.id)
    if (cell.kind !== 'decide' || !given) continue
    const value = given.text.trim()
    if (!cell.choices.some((c) => c.value === value))
      throw new StopRun('refused', `"${value}" is not an option for ${cell.id} — use one of ${cell.choices.map((c) => c.value).join(', ')}; nothing changed`)
  }
  const checked = Object.entries(params).filter(([name, spec]) => spec.check && options.given.has(name))
  if (checked.length === 0) return
  const problems = await options.io.progress('Checking the answers against the cluster', () =>
    Promise.all(checked.map(async ([name, spec]) => ({ name, problem: await spec.check!(ctx.given(name), options.kafka, { openLogDir: ctx.openLogDir }) }))),
  )
  const first = problems.find((p) => p.problem !== null)
  // The problem names what it is about ("topic orders", "broker 7"): no parameter name in front.
  if (first) throw new StopRun('refused', `${first.problem}; nothing changed`)
}

/** A decision given up front whose cell did not run is said so, rather than silently ignored. */
function noteUnusedDecisions(state: RunState): void {
  for (const cell of state.runbook.cells) {
    const given = state.given.get(cell.id)
    if (cell.kind !== 'decide' || !given || state.decisions.has(cell.id)) continue
    const report = state.reports.find((r) => r.id === cell.id)
    emit(state, [notice('info', `The answer ${cell.id}=${given.text.trim()} was not used: ${report?.reason ?? 'that step did not run'}.`)])
  }
}

function parseParam(name: string, spec: ParamSpec<unknown>, text: string, now: number): unknown {
  try {
    return spec.parse(text, now)
  } catch (error) {
    if (error instanceof ParamError) throw new StopRun('refused', `${name}: ${error.message}; nothing changed`)
    throw error
  }
}

async function askParam(io: Io, kafka: KafkaOps, name: string, spec: ParamSpec<unknown>, clock: () => number, offered?: readonly Choice[]): Promise<unknown> {
  const message = spec.prompt ?? spec.help
  const validate = (text: string): string | true => {
    if (spec.optional && text.trim() === '') return true
    try {
      spec.parse(text, clock())
      return true
    } catch (error) {
      return error instanceof ParamError ? error.message : String(error)
    }
  }
  const suggestions = offered ?? (spec.suggest ? await io.progress(`Reading choices for ${name}`, () => spec.suggest!(kafka)) : [])
  let text: string
  if (suggestions.length > 0) {
    text = await io.select({
      message,
      choices: suggestions.map((c) => ({ value: c.value, name: c.name, ...(c.description ? { description: c.description } : {}) })),
    })
  } else {
    text = await io.input({ message: spec.optional ? `${message} (leave empty to skip)` : message, validate })
  }
  if (spec.optional && text.trim() === '') return undefined
  return spec.parse(text, clock())
}

async function runCell(state: RunState, cell: Cell<unknown, ParamSpecs>): Promise<void> {
  const { session, ctx } = state
  const report: CellReport = { id: cell.id, kind: cell.kind, title: cell.title, outcome: 'done' }
  state.reports.push(report)
  const condition = cell.when ? await cell.when(ctx) : true
  if (condition !== true) {
    report.outcome = 'skipped'
    if (typeof condition === 'string') report.reason = condition
    state.outcomes.set(cell.id, 'skipped')
    session.append({ type: 'cell-end', cell: cell.id, outcome: 'skipped', ...(report.reason ? { reason: report.reason } : {}) })
    return
  }
  session.append({ type: 'cell-start', cell: cell.id, kind: cell.kind, title: cell.title })
  state.io.show([markdown(`## ${cell.title}`)])
  try {
    switch (cell.kind) {
      case 'explain': {
        const text = typeof cell.text === 'string' ? cell.text : cell.text[await pickVariant(cell.text, cell.pick, ctx)]!
        const live = cell.live ? await cell.live(ctx) : ''
        emit(state, [markdown([text, live].filter((t) => t.trim() !== '').join('\n\n'))], cell.id)
        break
      }
      case 'query': {
        const result = await state.io.progress(cell.title, () => cell.run(ctx))
        const { blocks, data, findings } = Array.isArray(result)
          ? { blocks: result, data: undefined, findings: undefined }
          : (result as { blocks: readonly never[]; data?: unknown; findings?: readonly Finding[] })
        emit(state, blocks, cell.id)
        if (findings) state.findings = findings
        if (data !== undefined || findings) {
          session.append({ type: 'query-result', cell: cell.id, data, ...(findings ? { findings } : {}) })
          if (data !== undefined) report.data = data
        }
        break
      }
      case 'decide':
        await runDecide(state, cell, report, state.given.get(cell.id))
        break
      case 'action':
        await runAction(state, cell, report)
        break
      case 'shell':
        await runShell(state, cell, report)
        break
    }
  } finally {
    state.outcomes.set(cell.id, report.outcome)
    session.append({ type: 'cell-end', cell: cell.id, outcome: report.outcome, ...(report.reason ? { reason: report.reason } : {}) })
  }
}

async function pickVariant(
  text: Readonly<Record<string, string>>,
  pick: ((ctx: never) => string | Promise<string>) | undefined,
  ctx: RunContext<unknown, ParamSpecs>,
): Promise<string> {
  const keys = Object.keys(text)
  if (!pick) return keys[0]!
  const key = await pick(ctx as never)
  if (!(key in text)) throw new Error(`explain variant "${key}" does not exist (have ${keys.join(', ')})`)
  return key
}

function checkGivenNames(runbook: AnyRunbook, given: ReadonlyMap<string, unknown>): void {
  const decideIds = new Set(runbook.cells.filter((c) => c.kind === 'decide').map((c) => c.id))
  for (const name of given.keys()) {
    if (!(name in runbook.params) && !decideIds.has(name)) {
      const known = [...Object.keys(runbook.params), ...decideIds].sort()
      throw new ParamError(`${runbook.id} has no parameter or decision "${name}" — known: ${known.join(', ')}`)
    }
  }
}

function interrupted(): StopRun {
  return new StopRun('interrupted', 'stopped by the operator (Ctrl-C); nothing further was applied')
}

/** Maps anything a cell threw to how the run ends; undefined for our own bugs, which propagate. */
function toStop(error: unknown, signal: AbortSignal): StopRun | undefined {
  if (error instanceof StopRun) return error
  // By name too: a team's runbook may have been loaded with its own copy of these classes.
  if (error instanceof Refusal || (error instanceof Error && error.name === 'Refusal')) return new StopRun('refused', error.message)
  if (error instanceof ParamError || (error instanceof Error && error.name === 'ParamError')) return new StopRun('refused', error.message)
  if (error instanceof Error && (error.name === 'ExitPromptError' || error.name === 'AbortPromptError')) return interrupted()
  if (signal.aborted) return interrupted()
  if (error instanceof Error && error.name === 'KafkaConnectionError') return new StopRun('failed', `${error.message.split('\n')[0]}`)
  return undefined
}
