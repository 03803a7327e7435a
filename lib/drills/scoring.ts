// Scoring helpers every drill shares: what the ledgers say happened to each record, and what the session
// transcript says the trainee did (when the fix landed, which unsafe actions were tried).

import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { readEvents, type WrittenEvent } from '../engine/session.ts'
import type { AckedEntry, ProcessedEntry } from './workloads/ledger.ts'
import { counted } from '../engine/blocks.ts'

export interface LedgerComparison {
  readonly acked: number
  /** Distinct acknowledged records handled at least once. */
  readonly handled: number
  /** Acknowledged records never handled: their sequence numbers, ascending. */
  readonly lost: readonly number[]
  /** Extra handlings: a record handled three times counts two. */
  readonly duplicates: number
  /** Records handled more than once. */
  readonly duplicatedRecords: number
}

/** Compares what the producer had acknowledged with what the consumers handled. */
export function compareLedgers(acked: readonly AckedEntry[], processed: readonly ProcessedEntry[]): LedgerComparison {
  const times = new Map<number, number>()
  for (const p of processed) times.set(p.seq, (times.get(p.seq) ?? 0) + 1)
  const lost: number[] = []
  let handled = 0
  for (const a of acked) {
    if (times.has(a.seq)) handled++
    else lost.push(a.seq)
  }
  let duplicates = 0
  let duplicatedRecords = 0
  for (const count of times.values()) {
    if (count > 1) {
      duplicates += count - 1
      duplicatedRecords++
    }
  }
  return { acked: acked.length, handled, lost: lost.sort((a, b) => a - b), duplicates, duplicatedRecords }
}

/** "1-3, 7, 10-12": sequence numbers as ranges, at most `limit` ranges. */
export function describeRanges(seqs: readonly number[], limit = 8): string {
  const ranges: string[] = []
  for (let i = 0; i < seqs.length;) {
    let j = i
    while (j + 1 < seqs.length && seqs[j + 1] === seqs[j]! + 1) j++
    ranges.push(i === j ? `${seqs[i]}` : `${seqs[i]}-${seqs[j]}`)
    i = j + 1
  }
  return ranges.length > limit ? `${ranges.slice(0, limit).join(', ')} and ${ranges.length - limit} more ranges` : ranges.join(', ')
}

/** The events of a session, or none when there was no session. */
export function sessionEvents(sessionDir: string | null | undefined): WrittenEvent[] {
  if (!sessionDir || !existsSync(join(sessionDir, 'events.jsonl'))) return []
  return readEvents(sessionDir)
}

/** When an action cell first applied something (ms since the epoch), or null if it never did. */
export function appliedAtMs(events: readonly WrittenEvent[], cell: string): number | null {
  const applied = events.find((e) => e.type === 'apply' && e.cell === cell && e.applied.length > 0)
  return applied ? Date.parse(applied.at) : null
}

/** An unsafe action the trainee tried, as the transcript shows it. */
export interface UnsafeAction {
  readonly atMs: number
  readonly what: string
}

/**
 * Changes tried while the consumer group still had members: the runbook refusing to go on because members
 * remained, a re-check that found the group active again, or Kafka refusing the commit (NON_EMPTY_GROUP).
 */
export function changesTriedOnActiveGroup(events: readonly WrittenEvent[]): UnsafeAction[] {
  const found: UnsafeAction[] = []
  for (const e of events) {
    const atMs = Date.parse(e.at)
    if (e.type === 'session-end' && e.status === 'refused' && /active member/.test(e.message ?? '')) found.push({ atMs, what: `rewind refused: ${e.message}` })
    if (e.type === 'recheck') {
      for (const drift of e.drifts as { what: string; now: string }[])
        if (/^group /.test(drift.what)) found.push({ atMs, what: `apply stopped: ${drift.what} was ${drift.now}` })
    }
    if (e.type === 'apply') {
      const refused = (e.failed as { error: string }[]).filter((f) => /NON_EMPTY_GROUP|has members|member/.test(f.error))
      if (refused.length) found.push({ atMs, what: `commit refused by Kafka on ${counted(refused.length, 'partition')}: ${refused[0]!.error}` })
    }
  }
  return found
}
