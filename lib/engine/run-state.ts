// What one run carries from cell to cell, and how a run stops early. Shared by the runner and the cell kinds.

import type { OpenLogDir } from '../kafka/log-dir/types.ts'
import type { Capabilities, KafkaOps } from '../kafka/types.ts'
import type { Io } from './io.ts'
import type { ParamSpecs } from './params.ts'
import type { ApprovalBook, Approvals } from './approvals.ts'
import type { AnyRunbook, CellOutcome, Finding, RunContext } from './runbook.ts'
import { markdown, recordable, type Block } from './blocks.ts'
import { SessionAnchors, type AuditTrail } from './audit-trail.ts'
import { clusterLine, readClusterIdentity, type ClusterClaim, type ClusterIdentity } from './cluster-identity.ts'
import { Session } from './session.ts'
import type { KafkaOps as Kafka } from '../kafka/types.ts'

export { StopRun } from './stop-run.ts'
export type { Approvals } from './approvals.ts'

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
  /** What named the cluster (and what the caller already read of it); the engine asks the cluster for the rest. */
  readonly cluster: ClusterClaim
  /** The command line, for the transcript (secrets are masked on write). */
  readonly args: readonly string[]
  readonly secrets: readonly string[]
  readonly signal: AbortSignal
  readonly toolVersion: string
  readonly clock?: () => number
  /** Opens a stopped broker's log directory (the cli injects the real reader, tests the fake); none: refused. */
  readonly openLogDir?: OpenLogDir
  /**
   * The audit trail outside the operator's disk, when the team asks for one: its decisive events are anchored
   * there. `skipped` says why a configured trail is not used (--no-audit, where the config allows it).
   */
  readonly audit?: { readonly trail: AuditTrail | null; readonly skipped?: string; readonly allowSkip?: boolean }
}

/** The port when the run was given none: every folder is refused, in one line. */
export const noLogDirs: OpenLogDir = async (path) => ({
  ok: false,
  fault: { kind: 'unreadable', path, why: 'this run cannot read log directories (not wired in this entry point)' },
})

/**
 * Opens a run's (or an undo's) transcript with the session-start event every notebook begins with: who, how, and
 * which cluster — as the cluster itself reports it — and shows that cluster in one line before anything else.
 */
export async function openSession(
  options: SessionOptions,
  runbook: string,
  title: string,
  extra: { readonly undoOf?: string } = {},
): Promise<{ session: Session; cluster: ClusterIdentity; anchors: SessionAnchors }> {
  const cluster = await readClusterIdentity(options.kafka, options.cluster)
  const session = Session.create(options.sessionsDir, runbook, { secrets: options.secrets, clock: options.clock ?? Date.now })
  session.append({
    type: 'session-start',
    runbook,
    title,
    mode: options.io.interactive ? 'interactive' : 'headless',
    dryRun: options.dryRun,
    operator: options.operator,
    host: options.host,
    cluster,
    args: options.args,
    toolVersion: options.toolVersion,
    ...(options.audit?.trail ? { audit: { topic: options.audit.trail.topic } } : options.audit?.skipped ? { audit: { skipped: options.audit.skipped } } : {}),
    ...extra,
  })
  options.io.show([markdown(`# ${title}`), markdown(clusterLine(cluster))])
  return { session, cluster, anchors: new SessionAnchors(options.audit?.trail ?? null, session) }
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
  /** The cluster this run acts on, as recorded: every plan hash covers its id. */
  readonly cluster: ClusterIdentity
  /** Where approvals and changes are anchored outside the operator's disk (a no-op without an audit trail). */
  readonly anchors: SessionAnchors
  /** Whether the team's config lets this run skip the audit trail (said in the line when it cannot be written). */
  readonly auditSkippable: boolean
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the runbook's own state type is erased here
  readonly ctx: RunContext<any, ParamSpecs>
  readonly approvals: Pick<ApprovalBook, 'judge'>
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

/**
 * Shows blocks and records them in the transcript, in that order, so both always say the same — except what a
 * screen-only block holds, which the transcript records as its one-line stand-in.
 */
export function emit(state: RunState, blocks: readonly Block[], cell?: string): void {
  if (blocks.length === 0) return
  state.io.show(blocks)
  const written = recordable(blocks)
  state.session.append(cell === undefined ? { type: 'output', blocks: written } : { type: 'output', cell, blocks: written })
}

/** Capabilities are asked once per run. */
export function cachedCapabilities(kafka: KafkaOps): () => Promise<Capabilities> {
  let pending: Promise<Capabilities> | undefined
  return () => (pending ??= kafka.capabilities())
}
