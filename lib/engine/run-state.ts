// What one run carries from cell to cell, and how a run stops early. Shared by the runner and the cell kinds.

import type { Capabilities, KafkaOps } from '../kafka/types.ts'
import type { Block } from './blocks.ts'
import type { Io } from './io.ts'
import type { ParamSpecs } from './params.ts'
import type { AnyRunbook, CellOutcome, Finding, RunContext } from './runbook.ts'
import { Session, type TranscriptEvent } from './session.ts'
import { exitCodeOf } from './exit-codes.ts'
import type { StopStatus } from './events.ts'
import type { KafkaOps as Kafka } from '../kafka/types.ts'

/** A run that ends before its last cell: how it ended (which names its exit code), and the one line the operator reads. */
export class StopRun extends Error {
  readonly status: StopStatus
  readonly exitCode: number
  constructor(status: StopStatus, message: string) {
    super(message)
    this.name = 'StopRun'
    this.status = status
    this.exitCode = exitCodeOf[status]
  }
}

/** What every recorded session needs, whether it runs a runbook or undoes one. */
export interface SessionOptions {
  readonly io: Io
  readonly kafka: Kafka
  /** Where the session's folder goes. */
  readonly sessionsDir: string
  readonly approvals: Approvals
  readonly dryRun: boolean
  readonly operator: string
  readonly host: string
  readonly cluster: Extract<TranscriptEvent, { type: 'session-start' }>['cluster']
  /** The command line, for the transcript (secrets are masked on write). */
  readonly args: readonly string[]
  readonly secrets: readonly string[]
  readonly signal: AbortSignal
  readonly toolVersion: string
  readonly clock?: () => number
}

/** Opens a run's (or an undo's) transcript with the session-start event every notebook begins with. */
export function openSession(options: SessionOptions, runbook: string, title: string, extra: { readonly undoOf?: string } = {}): Session {
  const session = Session.create(options.sessionsDir, runbook, { secrets: options.secrets, clock: options.clock ?? Date.now })
  session.append({
    type: 'session-start',
    runbook,
    title,
    mode: options.io.interactive ? 'interactive' : 'headless',
    dryRun: options.dryRun,
    operator: options.operator,
    host: options.host,
    cluster: options.cluster,
    args: options.args,
    toolVersion: options.toolVersion,
    ...extra,
  })
  return session
}

export interface Approvals {
  /** --yes: approve every plan this run makes. */
  readonly yes: boolean
  /** --approve: plan hashes, bare or as cell=hash; only a plan with exactly this hash may be applied. */
  readonly hashes: readonly string[]
}

/** One cell's entry in the run result (and in --json). */
export interface CellReport {
  readonly id: string
  readonly kind: string
  readonly title: string
  outcome: CellOutcome
  reason?: string
  data?: unknown
  decision?: string
  plan?: unknown
  planHash?: string
  summary?: string
  applied?: readonly string[]
  failed?: readonly { item: string; error: string }[]
  verified?: boolean
  undoRecord?: string
  command?: string
  exitCode?: number | null
}

export interface RunState {
  readonly runbook: AnyRunbook
  readonly io: Io
  readonly session: Session
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the runbook's own state type is erased here
  readonly ctx: RunContext<any, ParamSpecs>
  readonly approvals: Approvals
  readonly dryRun: boolean
  readonly outcomes: Map<string, CellOutcome>
  readonly decisions: Map<string, string>
  readonly reports: CellReport[]
  /** Answers given up front (parameters and decisions), by name. */
  readonly given: ReadonlyMap<string, { readonly text: string; readonly source: string }>
  /** Set while an apply runs: Ctrl-C then waits for it to finish instead of leaving half a change. */
  applying: boolean
  /** The findings of the last query that reported any (what --fail-on gates on). */
  findings?: readonly Finding[]
}

/** Shows blocks and records them in the transcript, in that order, so both always say the same. */
export function emit(state: RunState, blocks: readonly Block[], cell?: string): void {
  if (blocks.length === 0) return
  state.io.show(blocks)
  state.session.append(cell === undefined ? { type: 'output', blocks } : { type: 'output', cell, blocks })
}

/** Capabilities are asked once per run. */
export function cachedCapabilities(kafka: KafkaOps): () => Promise<Capabilities> {
  let pending: Promise<Capabilities> | undefined
  return () => (pending ??= kafka.capabilities())
}

/** The approval hashes that apply to one cell: bare ones, and cell=hash for this cell. */
export function hashesFor(approvals: Approvals, cellId: string): string[] {
  return approvals.hashes.flatMap((entry) => {
    const eq = entry.indexOf('=')
    if (eq === -1) return [entry]
    return entry.slice(0, eq) === cellId ? [entry.slice(eq + 1)] : []
  })
}
