// How serious a finding is, and the one order of severities: a run's --fail-on gate, the durability audit's
// ranking and a producer's worst risk all compare severities the same way. Pure, so every layer may use it.

/** How serious a finding is; `--fail-on <level>` gates a run on findings at or above a level. */
export type Severity = 'high' | 'medium' | 'low' | 'info'

const severityRank: Readonly<Record<Severity, number>> = { high: 3, medium: 2, low: 1, info: 0 }

/** A number that grows with seriousness: info 0, low 1, medium 2, high 3. */
export function severityWeight(severity: Severity): number {
  return severityRank[severity]
}

/** Whether `severity` is at least `level` (high ≥ medium ≥ low ≥ info). */
export function severityAtLeast(severity: Severity, level: Severity): boolean {
  return severityRank[severity] >= severityRank[level]
}

/** Sort order: the most serious first. */
export function mostSevereFirst(a: { readonly severity: Severity }, b: { readonly severity: Severity }): number {
  return severityRank[b.severity] - severityRank[a.severity]
}
