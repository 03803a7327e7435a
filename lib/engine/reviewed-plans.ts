// The plans recorded by earlier sessions in the sessions folder — what an operator could have reviewed and
// approved by hash. Only sessions whose record verifies count: a plan in an edited transcript was never shown.

import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import type { WrittenEvent } from './events.ts'
import { checkSession } from './verify-session.ts'

export interface ReviewedPlan {
  readonly hash: string
  readonly runbook: string
  readonly cell: string
  readonly plan: unknown
  readonly session: string
  readonly dryRun: boolean
  readonly at: string
  readonly clusterId: string | null
  readonly clusterName: string
  /** What the session's queries found, by cell: what "the cluster moved" is measured against. */
  readonly queries: ReadonlyMap<string, unknown>
  /** The answers the session was given (flags, answers file), as its transcript formats them. */
  readonly answers: ReadonlyMap<string, string>
}

/** Looks plan hashes up in the sessions folder; reads the folder once, on the first lookup. */
export function reviewedPlans(sessionsDir: string): (hash: string) => ReviewedPlan[] {
  let index: Map<string, ReviewedPlan[]> | undefined
  return (hash) => {
    index ??= readIndex(sessionsDir)
    return index.get(hash) ?? []
  }
}

function readIndex(sessionsDir: string): Map<string, ReviewedPlan[]> {
  const index = new Map<string, ReviewedPlan[]>()
  let names: string[]
  try {
    names = existsSync(sessionsDir) ? readdirSync(sessionsDir) : []
  } catch {
    return index
  }
  for (const name of names) {
    const dir = join(sessionsDir, name)
    if (!existsSync(join(dir, 'events.jsonl'))) continue
    const check = checkSession(dir)
    if (check.chainBreak || !check.start) continue
    for (const plan of plansOf(name, check.start, check.events)) index.set(plan.hash, [...(index.get(plan.hash) ?? []), plan])
  }
  for (const plans of index.values()) plans.sort((a, b) => b.at.localeCompare(a.at))
  return index
}

function plansOf(session: string, start: Extract<WrittenEvent, { type: 'session-start' }>, events: readonly WrittenEvent[]): ReviewedPlan[] {
  const queries = new Map<string, unknown>()
  for (const event of events) if (event.type === 'query-result') queries.set(event.cell, event.data)
  const answers = givenAnswers(events)
  return events.flatMap((event) =>
    event.type === 'plan'
      ? [
          {
            hash: event.planHash,
            runbook: start.runbook,
            cell: event.cell,
            plan: event.plan,
            session,
            dryRun: start.dryRun,
            at: event.at,
            clusterId: start.cluster?.clusterId ?? null,
            clusterName: start.cluster?.name ?? start.cluster?.origin ?? 'unknown',
            queries,
            answers,
          },
        ]
      : [],
  )
}

/** The answers a run was given (not defaulted or prompted), as the transcript formats them. */
export function givenAnswers(log: readonly WrittenEvent[]): Map<string, string> {
  const given = (source: string) => source === 'flag' || source === 'answers'
  return new Map(
    log.flatMap((e) =>
      e.type === 'param' && given(e.source) ? [[e.name, e.value] as const] : e.type === 'decision' && given(e.source) ? [[e.cell, e.chosen] as const] : [],
    ),
  )
}
