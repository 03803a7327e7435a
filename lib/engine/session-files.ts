// Reading what a session left on disk, without trusting it: its event log line by line and its undo records.
// Apart from the Session that writes them; verify-session judges what these read.

import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { decodeRecord } from './canonical-json.ts'
import type { WrittenEvent } from './events.ts'

export interface UndoFile<U = unknown> {
  readonly runbook: string
  readonly cell: string
  readonly session: string
  readonly status: 'pending' | 'applied' | 'nothing-applied' | 'undone'
  readonly summary: string
  readonly writtenAt: string
  readonly record: U
}

/** One line of events.jsonl as read back: the event, or why the line is not one. */
export type ReadLine = { readonly line: number; readonly event: WrittenEvent } | { readonly line: number; readonly error: string }

/** Reads events.jsonl line by line without trusting it: a line that is not a JSON event says so. */
export function readLines(sessionDir: string): ReadLine[] {
  const text = readFileSync(join(sessionDir, 'events.jsonl'), 'utf8')
  const lines = text.split('\n')
  if (lines.at(-1) === '') lines.pop()
  return lines.map((raw, i) => {
    try {
      const event = JSON.parse(raw) as WrittenEvent
      if (typeof event !== 'object' || event === null || Array.isArray(event) || typeof event.type !== 'string') return { line: i + 1, error: 'not an event' }
      return { line: i + 1, event }
    } catch {
      return { line: i + 1, error: i === lines.length - 1 && !text.endsWith('\n') ? 'an incomplete last line' : 'not valid JSON' }
    }
  })
}

/** Reads a session's events back (for undo, show, drills); lines that are not events are left out — verify first. */
export function readEvents(sessionDir: string): WrittenEvent[] {
  return readLines(sessionDir).flatMap((line) => ('event' in line ? [line.event] : []))
}

export function readUndo<U>(path: string): UndoFile<U> {
  return decodeRecord<UndoFile<U>>(readFileSync(path, 'utf8'))
}
