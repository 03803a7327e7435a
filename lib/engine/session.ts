// A run's record on disk: an append-only, hash-chained JSONL event log flushed per event (a crash loses
// nothing already shown), the Markdown notebook rebuilt from it, and the undo records of applied actions.
// Every file the run writes beside the log (undo records, their companions, exported files) has its SHA-256 in
// the log, recorded before the file is written: the chain vouches for each file, and a file that matches no
// recorded hash was not written by the run.

import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, writeFileSync, writeSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { encodeRecord, jsonReplacer, lazyCrypto } from './canonical-json.ts'
import { renderNotebook } from './notebook.ts'
import { redactor } from './redact.ts'
import type { TranscriptEvent, WrittenEvent } from './events.ts'
import { readEvents, readUndo, type UndoFile } from './session-files.ts'

export type { RunStatus, TranscriptEvent, WrittenEvent } from './events.ts'

export { readEvents, readLines, readUndo, type ReadLine, type UndoFile } from './session-files.ts'

/** The session folder or one of its files could not be written: one line, with what to do. */
export class SessionWriteError extends Error {
  readonly exitCode: number
  constructor(message: string, exitCode: number) {
    super(message)
    this.name = 'SessionWriteError'
    this.exitCode = exitCode
  }
}

/** Runs a file-system step of the record; an error becomes a SessionWriteError naming the folder and the cause. */
export function onDisk<T>(where: string, exitCode: number, consequence: string, step: () => T): T {
  try {
    return step()
  } catch (error) {
    const cause = error as NodeJS.ErrnoException
    const why = cause.code ? `${cause.code}: ${cause.message.replace(/^[A-Z]+: /, '').split(',')[0]}` : cause.message
    throw new SessionWriteError(`cannot write the session record in ${where} (${why}) — give a writable folder with --sessions-dir; ${consequence}`, exitCode)
  }
}

/** Hex SHA-256 of a file's text, as recorded in the log. */
export const sha256 = (text: string): string => lazyCrypto().createHash('sha256').update(text).digest('hex')

const genesis = '0'.repeat(64)

/** The hash that chains one event to the next: over the event with its seq, time and predecessor's hash. */
function eventHash(stamped: object): string {
  return sha256(JSON.stringify(stamped))
}

/** Sortable, readable ids: 20261124-031005-consumer-oom-replay-a1b2. */
export function newSessionId(runbookId: string, now: number): string {
  const stamp = new Date(now).toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)
  return `${stamp}-${runbookId}-${lazyCrypto().randomBytes(2).toString('hex')}`
}

const durableEvents = new Set<TranscriptEvent['type']>(['confirmation', 'apply', 'undo-record', 'verify', 'abort', 'session-end', 'undone', 'file'])

/** An undo record's file name inside the session folder; the log names files relative to the folder. */
export const undoRecordName = (cell: string) => `undo/${cell}.json`

export class Session {
  readonly id: string
  readonly dir: string
  private readonly fd: number
  private readonly redact: (value: unknown) => unknown
  private readonly clock: () => number
  private readonly events: WrittenEvent[] = []
  private readonly listeners: ((event: WrittenEvent) => void)[] = []
  private lastHash = genesis
  private closed = false

  private constructor(id: string, dir: string, secrets: readonly string[], clock: () => number) {
    this.id = id
    this.dir = dir
    this.clock = clock
    this.redact = redactor(secrets)
    // Before any cell runs: a run that cannot keep its record changes nothing.
    this.fd = onDisk(dirname(dir), 2, 'nothing changed', () => {
      mkdirSync(join(dir, 'undo'), { recursive: true })
      return openSync(join(dir, 'events.jsonl'), 'a')
    })
  }

  /** Opens a new session folder under `sessionsDir`. */
  static create(sessionsDir: string, runbookId: string, options: { secrets: readonly string[]; clock: () => number }): Session {
    const id = newSessionId(runbookId, options.clock())
    return new Session(id, join(sessionsDir, id), options.secrets, options.clock)
  }

  get log(): readonly WrittenEvent[] {
    return this.events
  }

  /** Calls `listener` with every event once it is on disk (the audit trail anchors the decisive ones). */
  onAppend(listener: (event: WrittenEvent) => void): void {
    this.listeners.push(listener)
  }

  /** Appends one event, secrets masked, and forces it to disk before returning. */
  append(event: TranscriptEvent): WrittenEvent | undefined {
    if (this.closed) return undefined
    const body = this.redact(JSON.parse(JSON.stringify(event, jsonReplacer))) as TranscriptEvent
    const stamped = { ...body, seq: this.events.length + 1, at: new Date(this.clock()).toISOString(), prev: this.lastHash }
    const written = { ...stamped, hash: eventHash(stamped) } as WrittenEvent
    onDisk(this.dir, 1, 'the run stopped: check the cluster against the notebook', () => {
      writeSync(this.fd, JSON.stringify(written) + '\n')
      // Every event reaches the OS before the run goes on, so a crashed process loses nothing. The decisive ones
      // (approvals, applies, undo records, the end) are also forced to the disk, in case the machine goes down.
      if (durableEvents.has(event.type)) fsyncSync(this.fd)
    })
    this.lastHash = written.hash
    this.events.push(written)
    if (event.type === 'cell-end' || event.type === 'session-end' || event.type === 'abort') this.writeNotebook()
    for (const listener of this.listeners) listener(written)
    return written
  }

  /** Rewrites notebook.md from the events so far (atomically: a reader never sees half a file). */
  writeNotebook(): void {
    const path = join(this.dir, 'notebook.md')
    onDisk(this.dir, 1, 'the transcript (events.jsonl) is complete', () => {
      writeFileSync(path + '.tmp', renderNotebook(this.events, this.id))
      renameSync(path + '.tmp', path)
    })
  }

  /**
   * Writes (or rewrites) the undo record of one action and its companion files, after logging their hashes:
   * if the process dies in between, the file on disk is still one the log vouches for. Returns the record's path.
   */
  writeUndo<U>(
    file: Omit<UndoFile<U>, 'writtenAt' | 'session' | 'status'> & { readonly status: Exclude<UndoFile['status'], 'undone'> },
    companions: readonly { name: string; content: string }[] = [],
  ): string {
    const name = undoRecordName(file.cell)
    const text = encodeRecord(this.redact({ ...file, session: this.id, writtenAt: new Date(this.clock()).toISOString() }))
    for (const companion of companions) plainFileName(companion.name)
    this.append({
      type: 'undo-record',
      cell: file.cell,
      path: join(this.dir, name),
      file: name,
      status: file.status,
      sha256: sha256(text),
      files: Object.fromEntries(companions.map((c) => [`undo/${c.name}`, sha256(c.content)])),
    })
    onDisk(this.dir, 1, 'nothing was applied', () => {
      writeAtomically(join(this.dir, name), text)
      for (const companion of companions) writeAtomically(join(this.dir, 'undo', companion.name), companion.content)
    })
    return join(this.dir, name)
  }

  /** This run took back one of its own earlier changes: the undo record is closed, in the log and in the file. */
  markUndone(cell: string): WrittenEvent | undefined {
    const path = join(this.dir, undoRecordName(cell))
    const text = encodeRecord({ ...readUndo(path), status: 'undone' })
    const event = this.append({ type: 'undone', cell, bySession: this.id, sha256: sha256(text) })
    onDisk(this.dir, 1, 'the change was taken back; the undo record file still says applied', () => writeAtomically(path, text))
    return event
  }

  /** Writes an extra file into the session folder (a report, an exported plan), its hash logged first. */
  writeFile(name: string, content: string): string {
    plainFileName(name)
    if (name === 'events.jsonl' || name === 'notebook.md') throw new Error(`session file name "${name}" is the session's own`)
    this.append({ type: 'file', name, sha256: sha256(content) })
    const path = join(this.dir, name)
    onDisk(this.dir, 1, 'the transcript (events.jsonl) is complete', () => writeAtomically(path, content))
    return path
  }

  close(): void {
    if (this.closed) return
    this.writeNotebook()
    this.closed = true
    closeSync(this.fd)
  }
}

function plainFileName(name: string): void {
  if (name === '' || name.includes('/') || name.includes('\\') || name.startsWith('.')) throw new Error(`session file name "${name}" must be a plain file name`)
}

function writeAtomically(path: string, text: string): void {
  writeFileSync(path + '.tmp', text)
  renameSync(path + '.tmp', path)
}

/** Checks the hash chain; returns the seq of the first event that does not match, or null when intact. */
export function verifyChain(events: readonly WrittenEvent[]): number | null {
  return chainBreak(events)?.seq ?? null
}

/** Where and why a chain breaks: a sequence gap, a link to the wrong predecessor, or an event whose hash is not its own. */
export function chainBreak(events: readonly WrittenEvent[]): { readonly seq: number; readonly index: number; readonly why: string } | null {
  let prev = genesis
  for (const [index, event] of events.entries()) {
    const { hash, ...stamped } = event
    // Where it breaks is counted by position: after a reorder, the event found there carries another number.
    const seq = index + 1
    if (event.seq !== index + 1)
      return { seq, index, why: `event ${index + 1} carries sequence number ${String(event.seq)}: events were removed, added or reordered` }
    if (stamped.prev !== prev) return { seq, index, why: 'it does not follow the event before it: events were removed or reordered' }
    if (eventHash(stamped) !== hash) return { seq, index, why: 'its content does not match its hash: it was edited' }
    prev = hash
  }
  return null
}

/**
 * Marks an undo record of an existing session as undone: logs the change (with the file's new hash) in that
 * session's own chain, then rewrites the file. The log, not the file, is what says a record was undone.
 */
export function markUndone(sessionDir: string, cell: string, bySession: string, clock: () => number): WrittenEvent {
  const path = join(sessionDir, undoRecordName(cell))
  const text = encodeRecord({ ...readUndo(path), status: 'undone' })
  const event = appendToExisting(sessionDir, { type: 'undone', cell, bySession, sha256: sha256(text) }, clock)
  writeAtomically(path, text)
  return event
}

/** Appends one event to an existing session's log (e.g. "undone by session X"), keeping the chain intact. */
export function appendToExisting(sessionDir: string, event: TranscriptEvent, clock: () => number): WrittenEvent {
  const events = readEvents(sessionDir)
  const last = events.at(-1)
  const stamped = { ...event, seq: (last?.seq ?? 0) + 1, at: new Date(clock()).toISOString(), prev: last?.hash ?? genesis }
  const written = { ...stamped, hash: eventHash(stamped) } as WrittenEvent
  onDisk(sessionDir, 1, 'the undo was applied; the original session does not say so yet', () => {
    const fd = openSync(join(sessionDir, 'events.jsonl'), 'a')
    try {
      writeSync(fd, JSON.stringify(written) + '\n')
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
    writeAtomically(join(sessionDir, 'notebook.md'), renderNotebook([...events, written], basename(sessionDir)))
  })
  return written
}
