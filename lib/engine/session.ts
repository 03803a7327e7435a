// A run's record on disk: an append-only, hash-chained JSONL event log flushed per event (a crash loses
// nothing already shown), the Markdown notebook rebuilt from it, and the undo records of applied actions.

import { createHash, randomBytes } from 'node:crypto'
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, writeFileSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { encodeRecord, jsonReplacer } from './canonical-json.ts'
import { renderNotebook } from './notebook.ts'
import { redactor } from './redact.ts'
import type { TranscriptEvent, WrittenEvent } from './events.ts'
import { readEvents, type UndoFile } from './session-files.ts'

export type { RunStatus, TranscriptEvent, WrittenEvent } from './events.ts'

export { readEvents, readUndo, type UndoFile } from './session-files.ts'

/** Sortable, readable ids: 20261124-031005-consumer-oom-replay-a1b2. */
export function newSessionId(runbookId: string, now: number): string {
  const stamp = new Date(now).toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)
  return `${stamp}-${runbookId}-${randomBytes(2).toString('hex')}`
}

const durableEvents = new Set<TranscriptEvent['type']>(['confirmation', 'apply', 'undo-record', 'verify', 'abort', 'session-end', 'undone'])

export class Session {
  readonly id: string
  readonly dir: string
  private readonly fd: number
  private readonly redact: (value: unknown) => unknown
  private readonly clock: () => number
  private readonly events: WrittenEvent[] = []
  private lastHash = '0'.repeat(64)
  private closed = false

  private constructor(id: string, dir: string, secrets: readonly string[], clock: () => number) {
    this.id = id
    this.dir = dir
    this.clock = clock
    this.redact = redactor(secrets)
    mkdirSync(join(dir, 'undo'), { recursive: true })
    this.fd = openSync(join(dir, 'events.jsonl'), 'a')
  }

  /** Opens a new session folder under `sessionsDir`. */
  static create(sessionsDir: string, runbookId: string, options: { secrets: readonly string[]; clock: () => number }): Session {
    const id = newSessionId(runbookId, options.clock())
    return new Session(id, join(sessionsDir, id), options.secrets, options.clock)
  }

  get log(): readonly WrittenEvent[] {
    return this.events
  }

  /** Appends one event, secrets masked, and forces it to disk before returning. */
  append(event: TranscriptEvent): void {
    if (this.closed) return
    const body = this.redact(JSON.parse(JSON.stringify(event, jsonReplacer))) as TranscriptEvent
    const stamped = { ...body, seq: this.events.length + 1, at: new Date(this.clock()).toISOString(), prev: this.lastHash }
    const hash = createHash('sha256').update(JSON.stringify(stamped)).digest('hex')
    const written = { ...stamped, hash } as WrittenEvent
    writeSync(this.fd, JSON.stringify(written) + '\n')
    // Every event reaches the OS before the run goes on, so a crashed process loses nothing. The decisive ones
    // (approvals, applies, undo records, the end) are also forced to the disk, in case the machine goes down.
    if (durableEvents.has(event.type)) fsyncSync(this.fd)
    this.lastHash = hash
    this.events.push(written)
    if (event.type === 'cell-end' || event.type === 'session-end' || event.type === 'abort') this.writeNotebook()
  }

  /** Rewrites notebook.md from the events so far (atomically: a reader never sees half a file). */
  writeNotebook(): void {
    const path = join(this.dir, 'notebook.md')
    writeFileSync(path + '.tmp', renderNotebook(this.events, this.id))
    renameSync(path + '.tmp', path)
  }

  /** Writes (or rewrites) the undo record of one action, and any companion files; returns the record's path. */
  writeUndo<U>(file: Omit<UndoFile<U>, 'writtenAt' | 'session'>, companions: readonly { name: string; content: string }[] = []): string {
    const path = join(this.dir, 'undo', `${file.cell}.json`)
    const full: UndoFile<U> = { ...file, session: this.id, writtenAt: new Date(this.clock()).toISOString() }
    writeFileSync(path + '.tmp', encodeRecord(this.redact(full)))
    renameSync(path + '.tmp', path)
    for (const companion of companions) writeFileSync(join(this.dir, 'undo', companion.name), companion.content)
    return path
  }

  /** Writes an extra file into the session folder (a report, an exported plan). */
  writeFile(name: string, content: string): string {
    if (name.includes('/') || name.includes('\\') || name.startsWith('.')) throw new Error(`session file name "${name}" must be a plain file name`)
    const path = join(this.dir, name)
    writeFileSync(path, content)
    return path
  }

  close(): void {
    if (this.closed) return
    this.writeNotebook()
    this.closed = true
    closeSync(this.fd)
  }
}

/** Reads a session's events back (for undo, show, drills). */
/** Checks the hash chain; returns the seq of the first event that does not match, or null when intact. */
export function verifyChain(events: readonly WrittenEvent[]): number | null {
  let prev = '0'.repeat(64)
  for (const event of events) {
    const { hash, ...stamped } = event
    if (stamped.prev !== prev) return event.seq
    const expected = createHash('sha256').update(JSON.stringify(stamped)).digest('hex')
    if (expected !== hash) return event.seq
    prev = hash
  }
  return null
}

/** Rewrites an undo record in place (atomically), e.g. to mark it undone. */
export function writeUndoFile(path: string, file: UndoFile): void {
  writeFileSync(path + '.tmp', encodeRecord(file))
  renameSync(path + '.tmp', path)
}

/** Appends one event to an existing session's log (e.g. "undone by session X"), keeping the chain intact. */
export function appendToExisting(sessionDir: string, event: TranscriptEvent, clock: () => number): void {
  const events = readEvents(sessionDir)
  const last = events.at(-1)
  const stamped = { ...event, seq: (last?.seq ?? 0) + 1, at: new Date(clock()).toISOString(), prev: last?.hash ?? '0'.repeat(64) }
  const hash = createHash('sha256').update(JSON.stringify(stamped)).digest('hex')
  const fd = openSync(join(sessionDir, 'events.jsonl'), 'a')
  try {
    writeSync(fd, JSON.stringify({ ...stamped, hash }) + '\n')
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}
