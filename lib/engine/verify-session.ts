// Checks a session folder before anything trusts it: the hash chain of events.jsonl (every line an event, in
// order, each linked to the one before and hashing to what it says), every file the log vouches for (undo
// records, their companions, exported files) against the SHA-256 logged for it, files the log never wrote, the
// session's end, and the notebook against the transcript it is rendered from. What each finding means:
//   - a broken chain, an edited or missing recorded file, an undo file the run never wrote: the record cannot
//     be trusted — `runbook undo` refuses it, `runbook verify` fails;
//   - no session-end: the run crashed, is still running, or its last events were removed — undo still works
//     (it is how a crash is recovered), verify fails, since only anchors outside the disk can tell which;
//   - an undo file that is an earlier version the log recorded: the process stopped between logging a rewrite
//     and making it; the content is authentic, so undo uses it;
//   - notebook.md not what the transcript renders: someone edited the Markdown (for the postmortem, usually);
//     the transcript is the record, so this is a warning.

import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import type { WrittenEvent } from './events.ts'
import { renderNotebook } from './notebook.ts'
import { chainBreak, sha256, undoRecordName } from './session.ts'
import { readLines } from './session-files.ts'

export type FileState = 'ok' | 'earlier-version' | 'edited' | 'missing'

export interface RecordedFile {
  /** Relative to the session folder: "undo/rewind.json", "reassignment.json". */
  readonly name: string
  readonly state: FileState
  /** The event that recorded the hash the file should have (the last one for that file). */
  readonly recordedAt: number
}

export interface SessionCheck {
  readonly id: string
  readonly dir: string
  /** The events as read (those after a break included, for display; do not trust them). */
  readonly events: readonly WrittenEvent[]
  readonly start: Extract<WrittenEvent, { type: 'session-start' }> | null
  /** null when the chain verifies; else the event (or line) where it breaks, and why. */
  readonly chainBreak: { readonly at: string; readonly seq: number | null; readonly why: string } | null
  readonly end: { readonly status: string; readonly exitCode: number; readonly seq: number } | null
  readonly files: readonly RecordedFile[]
  /** Files in undo/ that no event recorded. */
  readonly unrecorded: readonly string[]
  readonly notebook: 'ok' | 'edited' | 'missing' | 'unchecked'
  /** Chain and recorded files intact: what undo needs before it restores anything. */
  readonly intact: boolean
  /** Every finding that fails a verification, one line each, most serious first. */
  readonly problems: readonly string[]
  readonly warnings: readonly string[]
}

/** Reads and checks a session folder; never throws for what is in it (an unreadable events.jsonl is a problem too). */
export function checkSession(dir: string): SessionCheck {
  const id = basename(dir)
  let lines: ReturnType<typeof readLines>
  try {
    lines = readLines(dir)
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code ?? (error as Error).message
    const problem = `events.jsonl cannot be read (${why})`
    return {
      id,
      dir,
      events: [],
      start: null,
      chainBreak: { at: 'events.jsonl', seq: null, why: problem },
      end: null,
      files: [],
      unrecorded: [],
      notebook: 'unchecked',
      intact: false,
      problems: [problem],
      warnings: [],
    }
  }
  const events = lines.flatMap((line) => ('event' in line ? [line.event] : []))
  const problems: string[] = []
  const warnings: string[] = []

  const badLine = lines.find((line) => 'error' in line)
  const broken = chainBreak(events)
  let chain: SessionCheck['chainBreak'] = null
  if (badLine && 'error' in badLine && (!broken || badLine.line <= broken.index + 1)) {
    chain = { at: `line ${badLine.line}`, seq: null, why: `line ${badLine.line} of events.jsonl is ${badLine.error}` }
  } else if (broken) chain = { at: `event ${broken.seq}`, seq: broken.seq, why: `event ${broken.seq}: ${broken.why}` }
  if (events.length === 0 && !chain) chain = { at: 'events.jsonl', seq: null, why: 'events.jsonl holds no events' }
  if (chain) problems.push(`the transcript does not verify at ${chain.at} — ${chain.why}`)

  const first = events[0]
  const start = first?.type === 'session-start' ? first : null
  if (!start && !chain) problems.push('the transcript does not begin with the session start')

  // After the end, only records of a later undo may follow.
  const endIndex = events.findIndex((e) => e.type === 'session-end')
  const endEvent = endIndex === -1 ? undefined : events[endIndex]
  const end = endEvent?.type === 'session-end' ? { status: endEvent.status, exitCode: endEvent.exitCode, seq: endEvent.seq } : null
  const last = events.at(-1)
  if (!end) {
    problems.push(
      `the session has no end: the last event is ${last ? `${last.seq} (${last.type})` : 'missing'} — the run crashed, is still running, or its last events were removed`,
    )
  } else {
    const stray = events.slice(endIndex + 1).find((e) => e.type !== 'undone')
    if (stray) problems.push(`event ${stray.seq} (${stray.type}) comes after the session ended`)
  }

  const files = recordedFiles(events).map(({ name, hashes }) => {
    const lastRecorded = hashes.at(-1)!
    const path = join(dir, name)
    if (!existsSync(path)) return { name, state: 'missing' as const, recordedAt: lastRecorded.seq }
    const actual = sha256(readFileSync(path, 'utf8'))
    if (actual === lastRecorded.sha256) return { name, state: 'ok' as const, recordedAt: lastRecorded.seq }
    const earlier = hashes.find((h) => h.sha256 === actual)
    if (earlier) return { name, state: 'earlier-version' as const, recordedAt: earlier.seq }
    return { name, state: 'edited' as const, recordedAt: lastRecorded.seq }
  })
  for (const file of files) {
    if (file.state === 'edited')
      problems.push(`${file.name} is not what the transcript recorded at event ${file.recordedAt}: it was changed after it was written`)
    if (file.state === 'missing') problems.push(`${file.name}, recorded at event ${file.recordedAt}, is missing`)
    if (file.state === 'earlier-version')
      warnings.push(`${file.name} is the version recorded at event ${file.recordedAt}, not the last one: the run stopped while rewriting it`)
  }

  const recordedNames = new Set(files.map((f) => f.name))
  const undoDir = join(dir, 'undo')
  const inUndo = existsSync(undoDir) ? readdirSync(undoDir).map((name) => `undo/${name}`) : []
  const unrecorded = inUndo.filter((name) => !recordedNames.has(name) && !name.endsWith('.tmp'))
  for (const name of unrecorded) problems.push(`${name} was not written by this run (the transcript records no such file)`)

  let notebook: SessionCheck['notebook'] = 'unchecked'
  if (end && !chain) {
    const path = join(dir, 'notebook.md')
    notebook = !existsSync(path) ? 'missing' : readFileSync(path, 'utf8') === renderNotebook(events, basename(dir)) ? 'ok' : 'edited'
    if (notebook === 'edited') warnings.push('notebook.md is not what the transcript renders: it was edited after the run (the transcript is the record)')
    if (notebook === 'missing') warnings.push('notebook.md is missing (the transcript is the record)')
  }

  const intact = !chain && start !== null && files.every((f) => f.state === 'ok' || f.state === 'earlier-version') && unrecorded.length === 0
  return { id, dir, events, start, chainBreak: chain, end, files, unrecorded, notebook, intact, problems, warnings }
}

/** Every file the log vouches for, with each hash recorded for it in order (a record is rewritten when undone). */
function recordedFiles(events: readonly WrittenEvent[]): { name: string; hashes: { seq: number; sha256: string }[] }[] {
  const byName = new Map<string, { seq: number; sha256: string }[]>()
  const add = (name: string, seq: number, hash: string) => byName.set(name, [...(byName.get(name) ?? []), { seq, sha256: hash }])
  for (const event of events) {
    if (event.type === 'undo-record') {
      add(event.file ?? undoRecordName(event.cell), event.seq, event.sha256)
      for (const [name, hash] of Object.entries(event.files ?? {})) add(name, event.seq, hash)
    } else if (event.type === 'undone' && event.sha256) add(undoRecordName(event.cell), event.seq, event.sha256)
    else if (event.type === 'file') add(event.name, event.seq, event.sha256)
  }
  return [...byName].map(([name, hashes]) => ({ name, hashes }))
}

/** One word or phrase for a list: "verified", "unfinished", "broken at event 7", "edited: undo/rewind.json". */
export function recordState(check: SessionCheck): string {
  if (check.chainBreak) return `broken at ${check.chainBreak.at}`
  const changed = check.files.find((f) => f.state === 'edited' || f.state === 'missing')
  if (changed) return `${changed.state}: ${changed.name}`
  if (check.unrecorded.length > 0) return `extra file: ${check.unrecorded[0]}`
  if (!check.start) return 'no session start'
  if (!check.end) return 'unfinished'
  if (check.problems.length > 0) return 'does not verify'
  return 'verified'
}

/** The undo records the log says still apply: each cell's last record, applied or pending, not undone since. */
export function pendingUndoCells(events: readonly WrittenEvent[]): { cell: string; seq: number; status: 'applied' | 'pending'; at: string }[] {
  const last = new Map<string, { cell: string; seq: number; status: string; at: string }>()
  for (const event of events) {
    if (event.type === 'undo-record') last.set(event.cell, { cell: event.cell, seq: event.seq, status: event.status, at: event.at })
    if (event.type === 'undone') last.set(event.cell, { cell: event.cell, seq: event.seq, status: 'undone', at: event.at })
  }
  return [...last.values()]
    .filter((u): u is { cell: string; seq: number; status: 'applied' | 'pending'; at: string } => u.status === 'applied' || u.status === 'pending')
    .sort((a, b) => b.seq - a.seq)
}
