// Headless approval by plan hash (--approve <cell>=<hash> or a bare <hash>), judged so that no approval is ever
// silently ignored. A plan hash covers the runbook, the cell, the plan and the cluster id, so an approval can
// only ever apply to the exact plan reviewed on the same cluster. When it does not apply, the sessions folder
// says why — the one line names the reviewed plan and what changed:
//   - a plan recorded by an earlier run on this cluster: the cluster moved since (exit 3), also when the run
//     now plans something else, plans nothing, or finds nothing to do;
//   - a plan recorded on another cluster: refused before anything runs (exit 2, both cluster ids named);
//   - a plan of another cell or runbook, a cell this runbook does not have, or a hash no reviewed plan has:
//     mistyped (exit 2).

import { describeChanges } from './changes.ts'
import type { WrittenEvent } from './events.ts'
import { givenAnswers, type ReviewedPlan } from './reviewed-plans.ts'
import { StopRun } from './stop-run.ts'

interface Entry {
  /** As typed, for messages. */
  readonly given: string
  /** The cell it is for: named, or learnt from the plan it was reviewed as; null for a bare hash never recorded here. */
  cell: string | null
  readonly hash: string
  /** Earlier plans with this hash on this cluster, same runbook and cell: newest first. */
  reviewed: readonly ReviewedPlan[]
  /** A cell's approval step has seen it (matched or not). */
  settled: boolean
}

export interface ApprovalScope {
  /** The runbook (an undo: "undo-<runbook>") and the cells that can be approved, in the runbook's words. */
  readonly runbook: string
  readonly approvable: readonly string[]
  readonly clusterId: string | null
  readonly clusterName: string
  readonly sessionsDir: string
  readonly lookup: (hash: string) => readonly ReviewedPlan[]
  /** This run's transcript so far: the answers it was given, what its queries found. */
  readonly log: () => readonly WrittenEvent[]
}

export interface Approvals {
  /** --yes: approve every plan this run makes. */
  readonly yes: boolean
  /** --approve: plan hashes, bare or as cell=hash; only a plan with exactly this hash may be applied. */
  readonly hashes: readonly string[]
}

const hashPattern = /^[0-9a-f]{16}$/

/** How one cell's plan stands against the approvals: approved by hash, by --yes, or not approved at all. */
export type Verdict = 'hash' | 'yes' | 'none'

export class ApprovalBook {
  private readonly entries: Entry[]
  private readonly yes: boolean
  private readonly scope: ApprovalScope

  /** Checks every --approve before any cell runs; throws StopRun (exit 2) for one that can never apply here. */
  constructor(approvals: Approvals, scope: ApprovalScope) {
    this.yes = approvals.yes
    this.scope = scope
    this.entries = approvals.hashes.map((given) => this.entry(given))
  }

  get any(): boolean {
    return this.entries.length > 0
  }

  private entry(given: string): Entry {
    const { runbook, approvable } = this.scope
    const eq = given.indexOf('=')
    const cell = eq === -1 ? null : given.slice(0, eq).trim()
    const hash = (eq === -1 ? given : given.slice(eq + 1)).trim().toLowerCase()
    const refuse = (why: string) => new StopRun('refused', `--approve ${given}: ${why}; nothing changed`)
    if (cell === '' || hash === '') throw refuse('expected <cell>=<hash> (or a bare <hash>), as a --dry-run prints it')
    if (cell !== null && !approvable.includes(cell)) {
      throw refuse(
        approvable.length > 0
          ? `${runbook} has no step "${cell}" that needs approval — its steps are ${approvable.join(', ')}`
          : `${runbook} has no step that needs approval`,
      )
    }
    if (!hashPattern.test(hash)) throw refuse('not the hash of any reviewed plan — a plan hash is the 16 hex digits a --dry-run prints after "Plan"')
    const recorded = this.scope.lookup(hash)
    const mine = recorded.filter((p) => p.runbook === runbook && (cell === null || p.cell === cell))
    const here = mine.filter((p) => p.clusterId === this.scope.clusterId)
    if (mine.length > 0 && here.length === 0) {
      const there = mine[0]!
      throw new StopRun(
        'refused',
        `--approve ${given}: that plan was reviewed on cluster ${there.clusterName} (id ${there.clusterId ?? 'unknown'}, session ${there.session}), but this is cluster ${this.scope.clusterName} (id ${this.scope.clusterId ?? 'unknown'}) — review and approve a plan made on this cluster; nothing changed`,
      )
    }
    if (recorded.length > 0 && mine.length === 0) {
      const other = recorded[0]!
      throw refuse(
        `that is the hash of step "${other.cell}" of ${other.runbook} (session ${other.session}), not of ${cell ? `step "${cell}" of ` : ''}${runbook}`,
      )
    }
    return { given, cell: cell ?? here[0]?.cell ?? null, hash, reviewed: here, settled: false }
  }

  /**
   * A cell's plan at its approval step. Approved when an entry for the cell (or a bare one) has exactly its hash;
   * --yes approves a cell no entry names. Otherwise throws: drift (exit 3) when an entry for this cell is a plan
   * reviewed on this cluster, else a mistyped hash (exit 2).
   */
  judge(cell: string, hash: string, plan: unknown): Verdict {
    const named = this.entries.filter((e) => e.cell === cell)
    const bare = this.entries.filter((e) => e.cell === null)
    const match = [...named, ...bare].find((e) => e.hash === hash)
    for (const e of named) e.settled = true
    if (match) {
      match.settled = true
      return 'hash'
    }
    if (named.length === 0 && bare.length === 0) return this.yes ? 'yes' : 'none'
    const candidates = named.length > 0 ? named : bare
    const answers = givenAnswers(this.scope.log())
    for (const entry of candidates) {
      const before = entry.reviewed.find((p) => answerChanges(p, answers).length === 0)
      if (!before) continue
      const changes = describeChanges(before.plan, plan)
      throw new StopRun(
        'drifted',
        `--approve ${entry.given}: the plan reviewed in ${runKind(before)} ${before.session} is not the plan now (${hash})${changes.length ? `: ${changes.join('; ')}` : ''} — the cluster moved since; review the new plan with --dry-run; nothing changed`,
      )
    }
    const other = candidates.find((e) => e.reviewed.length > 0)
    if (other) {
      const before = other.reviewed[0]!
      throw new StopRun(
        'refused',
        `--approve ${other.given}: the plan reviewed in ${runKind(before)} ${before.session} was made with other answers (${answerChanges(before, answers).join('; ')}) — review the plan of these answers with --dry-run; nothing changed`,
      )
    }
    throw new StopRun(
      'refused',
      `--approve ${candidates.map((e) => e.given).join(' / ')}: not the hash of any reviewed plan (no session in ${this.scope.sessionsDir} recorded it, and the plan of "${cell}" now is another) — review the plan with --dry-run and approve its hash; nothing changed`,
    )
  }

  /**
   * After a run: an approval that no plan used. When it is a plan reviewed on this cluster with the same answers,
   * the cluster moved (exit 3): the run made no such plan, planned nothing, found nothing to do, or stopped with a
   * refusal it did not meet then. Reviewed with other answers, it is not this run's plan (exit 2); unknown, it is
   * mistyped (exit 2). A run that stopped for another reason keeps its own ending.
   */
  unused(run: { readonly stop: StopRun | null; readonly log: readonly WrittenEvent[]; readonly skipped: ReadonlyMap<string, string> }): StopRun | null {
    const open = this.entries.filter((e) => !e.settled)
    if (open.length === 0 || (run.stop && run.stop.status !== 'refused')) return null
    const answers = givenAnswers(run.log)
    for (const entry of open) {
      const before = entry.reviewed.find((p) => answerChanges(p, answers).length === 0)
      if (!before) continue
      const now = run.stop
        ? `it stops with: ${run.stop.message.replace(/;? ?nothing changed\.?$/, '')}`
        : run.skipped.has(before.cell)
          ? `step "${before.cell}" is skipped now (${run.skipped.get(before.cell)})`
          : `the run now makes no plan for step "${before.cell}"`
      const changes = queryChanges(before, run.log)
      return new StopRun(
        'drifted',
        `--approve ${entry.given}: the plan reviewed in ${runKind(before)} ${before.session} was not made — ${now}${changes.length ? `; since then: ${changes.join('; ')}` : ''} — the cluster moved; review it again with --dry-run; nothing was applied for it`,
      )
    }
    if (run.stop) return null
    const first = open[0]!
    const other = first.reviewed[0]
    if (other) {
      return new StopRun(
        'refused',
        `--approve ${first.given}: the plan reviewed in ${runKind(other)} ${other.session} was made with other answers (${answerChanges(other, answers).join('; ')}), and this run did not make it — nothing was applied for it`,
      )
    }
    return new StopRun(
      'refused',
      `--approve ${first.given} was not used by any step of this run and is not the hash of any reviewed plan (no session in ${this.scope.sessionsDir} recorded it) — check the hash a --dry-run printed; nothing was applied for it`,
    )
  }
}

const runKind = (plan: ReviewedPlan) => (plan.dryRun ? 'dry run' : 'session')

/** How this run's answers differ from those the plan was reviewed with (answers only one of them gave are not compared). */
function answerChanges(plan: ReviewedPlan, answers: ReadonlyMap<string, string>): string[] {
  return [...answers].flatMap(([name, value]) =>
    plan.answers.has(name) && plan.answers.get(name) !== value ? [`${name}: ${plan.answers.get(name)} → ${value}`] : [],
  )
}

/** What the reviewed session's queries found against what this run's found, cell by cell. */
function queryChanges(before: ReviewedPlan, log: readonly WrittenEvent[]): string[] {
  const now = new Map(log.flatMap((e) => (e.type === 'query-result' ? [[e.cell, e.data] as const] : [])))
  const lines: string[] = []
  for (const [cell, data] of before.queries) {
    if (!now.has(cell)) continue
    const changes = describeChanges(data, now.get(cell), 2)
    if (changes.length) lines.push(`${cell}: ${changes.join(', ')}`)
    if (lines.length >= 2) break
  }
  return lines
}
