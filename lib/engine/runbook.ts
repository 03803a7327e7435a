// The authoring API: a runbook is an id, a title, typed parameters and an ordered list of cells.
// Cells are declared up front (so `runbook show` can print the notebook without a cluster) and carry
// the functions the engine calls when the notebook runs against a cluster.

import type { OpenLogDir } from '../kafka/log-dir/types.ts'
import type { Capabilities, KafkaOps } from '../kafka/types.ts'
import type { Block } from './blocks.ts'
import type { EarlierFileQuery, EarlierFiles } from './earlier-files.ts'
import type { Choice, ParamSpecs, ParamValue } from './params.ts'
import { ExitCode } from './exit-codes.ts'
import type { Severity } from '../format/severity.ts'

/** Something that changed between plan and apply: shown to the operator, and the reason to stop. */
export interface Drift {
  readonly what: string
  readonly planned: string
  readonly now: string
}

/** How the operator approves a plan: typing a value that names what is at stake, or yes/no for harmless steps. */
export type Confirmation = { readonly kind: 'typed'; readonly expected: string; readonly prompt: string } | { readonly kind: 'yes-no'; readonly prompt: string }

/** What an apply did: it may have done part of the plan; `undo` must cover exactly what was applied. */
export interface ApplyResult<U> {
  readonly blocks: readonly Block[]
  /** Items that were applied and items that failed, in the runbook's own words. */
  readonly applied: readonly string[]
  readonly failed: readonly { readonly item: string; readonly error: string }[]
  /** The undo record narrowed to what was applied; when omitted, the record written before applying stands. */
  readonly undo?: U
  /** Data for the transcript and --json. */
  readonly data?: unknown
}

export interface VerifyResult {
  readonly ok: boolean
  readonly blocks: readonly Block[]
  readonly data?: unknown
}

/** What every cell function gets: the cluster, the run's state, answers, and the clock. */
export interface RunContext<S, P extends ParamSpecs> {
  readonly kafka: KafkaOps
  /** State the cells share, typed by the runbook; starts empty. */
  readonly state: S
  readonly dryRun: boolean
  readonly interactive: boolean
  /** Aborted when the operator presses Ctrl-C. */
  readonly signal: AbortSignal
  /** The run's clock, milliseconds since the epoch (tests pin it). */
  now(): number
  /** Waits, or rejects early when the run is interrupted. */
  sleep(ms: number): Promise<void>
  /**
   * A parameter's value: given (flag, answers file, default) or asked for now on a terminal; headless runs stop
   * if it is missing. An optional parameter may come back undefined, unless `required` says this step needs it.
   * `choices` are offered on a terminal instead of the parameter's own suggestions: values this run found (the
   * stuck partitions, say), each as the text the parameter parses.
   */
  param<K extends keyof P & string>(name: K, options?: { readonly required?: boolean; readonly choices?: readonly Choice[] }): Promise<ParamValue<P[K]>>
  /** The value if it was given or already asked, without asking. */
  given<K extends keyof P & string>(name: K): ParamValue<P[K]> | undefined
  /** The option chosen at a decide cell once it has run, typed by the cell's options (pass the cell itself). */
  decision<V extends string>(cell: DecideCell<S, P, V>): V | undefined
  decision(cellId: string): string | undefined
  /**
   * State an earlier cell set, typed as present: a cell that needs what a query found reads it with
   * `ctx.need('snapshot')`. Missing means the runbook's cells are out of order, and the run stops as our bug.
   */
  need<K extends keyof S & string>(key: K): NonNullable<S[K]>
  /** What happened at an earlier cell. */
  outcome(cellId: string): CellOutcome | undefined
  /** The connected cluster's version line, ELR state and supported operations (asked once per run). */
  capabilities(): Promise<Capabilities>
  /** Shows blocks now, in the middle of a cell (progress of a long verify, for example). */
  show(blocks: readonly Block[]): void
  /** Writes a file into the session folder (e.g. a reassignment plan to export); returns its path. */
  writeFile(name: string, content: string): Promise<string>
  /** Opens a stopped broker's log directory, read-only, after checking whose it is and that no broker runs on it. */
  readonly openLogDir: OpenLogDir
  /** Files earlier sessions wrote, each vouched for by its own verified transcript (never this run's own). */
  earlierFiles(query: EarlierFileQuery): EarlierFiles
}

export type CellOutcome = 'done' | 'skipped' | 'planned' | 'applied' | 'declined' | 'failed' | 'not-run'

interface CellBase<S, P extends ParamSpecs> {
  /** Stable id: transcripts, `--set <id>=…` for decisions, `--approve <id>=<hash>` for actions. */
  readonly id: string
  readonly title: string
  /** Run the cell only when this holds; a string is the reason it was skipped (shown and recorded). */
  readonly when?: (ctx: RunContext<S, P>) => boolean | string | Promise<boolean | string>
  /** Printed under `when` by `runbook show`: when this cell applies, in words. */
  readonly whenDoc?: string
}

export interface ExplainCell<S, P extends ParamSpecs> extends CellBase<S, P> {
  readonly kind: 'explain'
  /** Markdown. A map holds versions of the text; `pick` chooses one at run time and `show` prints them all. */
  readonly text: string | Readonly<Record<string, string>>
  readonly pick?: (ctx: RunContext<S, P>) => string | Promise<string>
  /** Extra Markdown computed from the run (live numbers), shown after the text. */
  readonly live?: (ctx: RunContext<S, P>) => string | Promise<string>
}

export type { Severity } from '../format/severity.ts'
export { severityAtLeast } from '../format/severity.ts'

/** One thing a query found wrong, in a form a pipeline can gate on. */
export interface Finding {
  /** Stable kind, e.g. "min-isr-one". */
  readonly id: string
  readonly severity: Severity
  /** One line: what and where. */
  readonly summary: string
}

export interface QueryCell<S, P extends ParamSpecs> extends CellBase<S, P> {
  readonly kind: 'query'
  /** What this query reads and why, for `show` and the notebook. */
  readonly doc: string
  /**
   * Read-only. Return blocks, or blocks and data for the transcript. Throw a Refusal to stop the run.
   * `findings` are what the run reports (and `--fail-on` gates on); a later query's findings replace an
   * earlier one's, so a re-check after fixes reports what is left.
   */
  readonly run: (
    ctx: RunContext<S, P>,
  ) => Promise<readonly Block[] | { readonly blocks: readonly Block[]; readonly data?: unknown; readonly findings?: readonly Finding[] }>
}

export interface DecisionOption<V extends string = string> {
  readonly value: V
  readonly label: string
  /** What choosing this costs, in Kafka units where possible (partitions offline, messages replayed, seconds). */
  readonly cost: string
  /** What could go wrong. */
  readonly risk: string
  readonly recommended?: boolean
  /** Why this option cannot be taken now; shown, never selectable. */
  readonly unavailable?: string
}

export interface DecideCell<S, P extends ParamSpecs, V extends string = string> extends CellBase<S, P> {
  readonly kind: 'decide'
  readonly doc: string
  readonly question: string
  /** Every option, once: its value and label (what `show` prints, what a given answer is checked against). */
  readonly choices: readonly { readonly value: V; readonly label: string }[]
  /** The options as they stand for this cluster, one per choice in the same order; at most one recommended. */
  readonly options: (ctx: RunContext<S, P>) => readonly DecisionOption<V>[] | Promise<readonly DecisionOption<V>[]>
  /** Why the recommended option is recommended, from the data. */
  readonly because?: (ctx: RunContext<S, P>, options: readonly DecisionOption<V>[]) => string | undefined
  /**
   * The answer a headless run takes when none was given: only a choice that changes nothing by itself, or one
   * the given answers already state (a function sees them: e.g. a candidate given up front means "elect it";
   * its action still needs approval). A function may return undefined: then the answer is required.
   */
  readonly headlessDefault?: V | ((ctx: RunContext<S, P>) => V | undefined)
}

/** What one option costs on this cluster now; `label` replaces the declared label with live numbers. */
export interface OptionPrice {
  readonly cost: string
  readonly risk: string
  readonly label?: string
  readonly recommended?: boolean
  /** Why this option cannot be taken now; shown, never selectable. */
  readonly unavailable?: string
}

/** A decide cell as an author writes it: every option listed once (value → label), priced per run. */
export interface DecideSpec<S, P extends ParamSpecs, V extends string> extends CellBase<S, P> {
  readonly doc: string
  readonly question: string
  /** value → label, in the order they are offered. */
  readonly options: Readonly<Record<V, string>>
  /** What each option costs and risks on this cluster now: every option, typed by the declaration. */
  readonly price: (ctx: RunContext<S, P>) => Readonly<Record<NoInfer<V>, OptionPrice>> | Promise<Readonly<Record<NoInfer<V>, OptionPrice>>>
  readonly because?: DecideCell<S, P, NoInfer<V>>['because']
  readonly headlessDefault?: NoInfer<V> | ((ctx: RunContext<S, P>) => NoInfer<V> | undefined)
}

/** A decide cell from its spec: the declared options become `choices`, and each run's prices become `options`. */
export function decideCell<S, P extends ParamSpecs, const V extends string>(spec: DecideSpec<S, P, V>): DecideCell<S, P, V> {
  const { options: labels, price, ...rest } = spec
  const choices = (Object.entries(labels) as [V, string][]).map(([value, label]) => ({ value, label }))
  return {
    kind: 'decide',
    ...rest,
    choices,
    options: async (ctx) => {
      const priced = await price(ctx)
      return choices.map(({ value, label }) => {
        const { label: live, ...price } = priced[value]
        return { value, label: live ?? label, ...price }
      })
    },
  }
}

/** `when` and `whenDoc` for a cell that runs only after one of these options was chosen at `cell`. */
export function ifChosen<S, P extends ParamSpecs, V extends string>(
  cell: DecideCell<S, P, V>,
  values: readonly V[],
  otherwise = 'another option was chosen',
): { readonly when: (ctx: RunContext<S, P>) => true | string; readonly whenDoc: string } {
  return {
    when: (ctx) => (values.includes(ctx.decision(cell) as V) ? true : otherwise),
    whenDoc: `${cell.id} = ${values.join(' or ')}`,
  }
}

/** Undoing an applied action later, in another process, from its record alone. */
export interface UndoSpec<U> {
  /** What the undo will restore. */
  readonly describe: (record: U) => readonly Block[]
  readonly summary: (record: U) => string
  readonly confirm: (record: U) => Confirmation
  /**
   * What restoring would cost now, read from the cluster (records a restored retention deletes at once, say):
   * shown after the re-check and before the confirmation, and in a dry run.
   */
  readonly assess?: (ctx: UndoContext, record: U) => Promise<readonly Block[]>
  /** The state the undo relies on (what the action left behind); drift means someone changed it since. */
  readonly recheck: (ctx: UndoContext, record: U) => Promise<readonly Drift[]>
  readonly apply: (ctx: UndoContext, record: U) => Promise<ApplyResult<never>>
  readonly verify: (ctx: UndoContext, record: U) => Promise<VerifyResult>
  /** Extra files written beside the record (e.g. a CSV for kafka-consumer-groups --from-file). */
  readonly files?: (record: U) => readonly { readonly name: string; readonly content: string }[]
}

export interface UndoContext {
  readonly kafka: KafkaOps
  readonly signal: AbortSignal
  now(): number
  sleep(ms: number): Promise<void>
  show(blocks: readonly Block[]): void
}

export interface ActionCell<S, P extends ParamSpecs, Plan, U> extends CellBase<S, P> {
  readonly kind: 'action'
  readonly doc: string
  /** Build the plan from the cluster and the answers; must not change anything. Throw a Refusal when no plan is possible. */
  readonly plan: (ctx: RunContext<S, P>) => Promise<Plan>
  /** The before/after the operator approves. */
  readonly preview: (plan: Plan, ctx: RunContext<S, P>) => readonly Block[]
  /** One line: what applying does, in Kafka units. */
  readonly summary: (plan: Plan) => string
  readonly confirm: (plan: Plan) => Confirmation
  /** Re-read what the plan relied on right before applying; any drift stops the apply. */
  readonly recheck: (ctx: RunContext<S, P>, plan: Plan) => Promise<readonly Drift[]>
  readonly apply: (ctx: RunContext<S, P>, plan: Plan) => Promise<ApplyResult<U>>
  readonly verify: (ctx: RunContext<S, P>, plan: Plan, applied: ApplyResult<U>) => Promise<VerifyResult>
  /** The undo record, computed from the plan before applying (written first, so a crash mid-apply still has it). */
  readonly undoRecord?: (plan: Plan) => U
  readonly undo?: UndoSpec<U>
  /**
   * The id of an earlier action of this runbook whose change this action takes back in the same run (a revert
   * offered once the incident is over). Once this action is applied and verified, that action's undo record is
   * closed, so a later `runbook undo` of the session does not restore it a second time.
   */
  readonly reverts?: string
}

export interface ShellCell<S, P extends ParamSpecs> extends CellBase<S, P> {
  readonly kind: 'shell'
  readonly doc: string
  /** The operator's command (usually from a parameter); null skips the cell with `skipReason`. */
  readonly command: (ctx: RunContext<S, P>) => string | null | Promise<string | null>
  readonly skipReason?: string
  /** Typed confirmation expects this text (e.g. the deployment name); yes/no otherwise. */
  readonly confirmText?: (ctx: RunContext<S, P>) => string | undefined
  /** The command is stopped (its whole process tree) if still running after this long; may be derived from the run. */
  readonly timeoutMs?: number | ((ctx: RunContext<S, P>) => number | Promise<number>)
  /** Whether a failing command stops the run (default) or only gets reported. */
  readonly onFailure?: 'stop' | 'continue'
  /**
   * Watches the world while the command runs (a broker coming back, say) and says what came of both. The command
   * is stopped when the watch throws or returns (after `finishGraceMs` when the watch lets it finish); its exit and
   * output tail are in the transcript before the watch's blocks. A watched command never stops the run by its exit
   * code: the watch judges it.
   */
  readonly watch?: (ctx: RunContext<S, P>, command: RunningCommand) => Promise<WatchResult>
  /**
   * When the watch saw what it waited for (`letFinish`), the command may still be wrapping up (a service manager, a
   * script's own health check): it gets this long to end by itself before it is stopped. Default: stopped at once.
   */
  readonly finishGraceMs?: number
}

/** What a watch concluded: its blocks and data, and whether the command it watched may end by itself. */
export interface WatchResult {
  readonly blocks: readonly Block[]
  readonly data?: unknown
  readonly letFinish?: boolean
}

/** How an operator's command ended: its exit code, or that the run stopped it (its timeout, a Ctrl-C). */
export interface CommandExit {
  readonly exitCode: number | null
  readonly stoppedBy: 'timeout' | 'interrupt' | 'watch-ended' | null
  readonly durationMs: number
  /** The last lines of its output (stdout and stderr interleaved as they came), bounded. */
  readonly tail: string
}

/** A command running under a watch. */
export interface RunningCommand {
  readonly command: string
  /** On the run's clock. */
  readonly startedAtMs: number
  /** The same bound the engine stops the command at, from the command's start. */
  readonly timeoutMs: number
  /** How it ended, once it has; undefined while it runs. */
  exit(): CommandExit | undefined
  /** Settles when it ends (never rejects). */
  readonly exited: Promise<CommandExit>
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a list of actions with different plan and undo types
export type AnyActionCell<S, P extends ParamSpecs> = ActionCell<S, P, any, any>

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a list of decisions with different option values
export type AnyDecideCell<S, P extends ParamSpecs> = DecideCell<S, P, any>

export type Cell<S, P extends ParamSpecs> = ExplainCell<S, P> | QueryCell<S, P> | AnyDecideCell<S, P> | AnyActionCell<S, P> | ShellCell<S, P>

export interface Runbook<S = unknown, P extends ParamSpecs = ParamSpecs> {
  readonly id: string
  readonly title: string
  /** One line for `runbook list`. */
  readonly summary: string
  /** Markdown: the page or symptom that should lead here. */
  readonly whenToUse: string
  readonly params: P
  readonly cells: readonly Cell<S, P>[]
  /** Makes the initial shared state of a run. */
  readonly initialState: () => S
}

/** A runbook with its types erased, as the engine and the catalog handle it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- erased at the registry boundary
export type AnyRunbook = Runbook<any, ParamSpecs>

/**
 * A notebook under construction, as a shared cell sees it: passing `nb` to one (`topicConfigChange(nb, {…})`)
 * types the cell's callbacks with the runbook's state and parameters, without naming them again.
 */
export interface Notebook<S, P extends ParamSpecs> {
  readonly params: P
  runbook(definition: Omit<Runbook<S, P>, 'params' | 'initialState'> & { initialState?: () => S }): Runbook<S, P>
}

/**
 * Starts a runbook's definition with its state type and parameters fixed, so every cell is typed:
 *   const nb = notebook<State>()(params)
 *   export default nb.runbook({ id, title, ..., cells: [nb.explain({...}), nb.query({...})] })
 */
export function notebook<S>() {
  return <P extends ParamSpecs>(params: P) => {
    /** A decision: every option listed once (`options: { value: label }`) and priced per run (`price`). */
    function decide<const V extends string>(cell: DecideSpec<S, P, V>): DecideCell<S, P, V>
    /** The earlier form, still accepted: `choices` and an `options` function (checked against each other at run time). */
    function decide(cell: Omit<DecideCell<S, P>, 'kind'>): DecideCell<S, P>
    function decide(cell: DecideSpec<S, P, string> | Omit<DecideCell<S, P>, 'kind'>): DecideCell<S, P> {
      return 'choices' in cell ? { kind: 'decide', ...cell } : decideCell(cell)
    }
    return {
      params,
      explain: (cell: Omit<ExplainCell<S, P>, 'kind'>): Cell<S, P> => ({ kind: 'explain', ...cell }),
      query: (cell: Omit<QueryCell<S, P>, 'kind'>): Cell<S, P> => ({ kind: 'query', ...cell }),
      decide,
      action: <Plan, U>(cell: Omit<ActionCell<S, P, Plan, U>, 'kind'>): Cell<S, P> => ({ kind: 'action', ...cell }) as Cell<S, P>,
      shell: (cell: Omit<ShellCell<S, P>, 'kind'>): Cell<S, P> => ({ kind: 'shell', ...cell }),
      runbook: (definition: Omit<Runbook<S, P>, 'params' | 'initialState'> & { initialState?: () => S }): Runbook<S, P> => ({
        ...definition,
        params,
        initialState: definition.initialState ?? (() => ({}) as S),
      }),
    }
  }
}

/** Stops the run without changing anything: the message is the one line the operator reads. */
export class Refusal extends Error {
  readonly exitCode = ExitCode.refused
  constructor(message: string) {
    super(message)
    this.name = 'Refusal'
  }
}

/** Checks a definition for mistakes an author can make: duplicate ids, a bad id, more than one recommendation source. */
export function validateRunbook(runbook: AnyRunbook): string[] {
  const problems: string[] = []
  if (!/^[a-z][a-z0-9-]*$/.test(runbook.id)) problems.push(`id "${runbook.id}" must be lower-case words joined by dashes`)
  if (!runbook.title.trim()) problems.push('title is empty')
  if (!runbook.summary.trim()) problems.push('summary is empty')
  const seen = new Set<string>()
  for (const cell of runbook.cells) {
    if (!/^[a-z][a-z0-9-]*$/.test(cell.id)) problems.push(`cell id "${cell.id}" must be lower-case words joined by dashes`)
    if (seen.has(cell.id)) problems.push(`cell id "${cell.id}" is used twice`)
    seen.add(cell.id)
    if (cell.kind === 'decide' && cell.id in runbook.params) problems.push(`decide cell "${cell.id}" has the same name as a parameter`)
    if (cell.kind === 'decide') {
      const values = cell.choices.map((c) => c.value)
      if (values.length < 2) problems.push(`decide cell "${cell.id}" needs at least two options`)
      if (new Set(values).size !== values.length) problems.push(`decide cell "${cell.id}" lists an option twice`)
      if (typeof cell.headlessDefault === 'string' && !values.includes(cell.headlessDefault))
        problems.push(`decide cell "${cell.id}": headless default "${cell.headlessDefault}" is not one of its options`)
    }
    if (cell.kind === 'action' && cell.undo && !cell.undoRecord) problems.push(`action "${cell.id}" has an undo but no undoRecord`)
    if (cell.kind === 'action' && cell.reverts !== undefined) {
      const target = runbook.cells.find((c) => c.id === cell.reverts)
      if (!target || target.kind !== 'action' || !target.undo || !seen.has(cell.reverts))
        problems.push(`action "${cell.id}" reverts "${cell.reverts}", which is not an earlier action with an undo`)
    }
  }
  for (const [name, spec] of Object.entries(runbook.params)) {
    if (!/^[a-z][a-z0-9-]*$/.test(name)) problems.push(`parameter "${name}" must be lower-case words joined by dashes`)
    if (!spec.help.trim()) problems.push(`parameter "${name}" has no help text`)
  }
  return problems
}
