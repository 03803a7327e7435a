// Reading what a session left on disk: its event log and its undo records. Apart from the Session that writes
// them, so that `runbook sessions` lists runs without loading the engine that makes them.

import { existsSync, readdirSync, readFileSync } from 'node:fs'
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

export function readEvents(sessionDir: string): WrittenEvent[] {
  const text = readFileSync(join(sessionDir, 'events.jsonl'), 'utf8')
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as WrittenEvent)
}

export function readUndo<U>(path: string): UndoFile<U> {
  return decodeRecord<UndoFile<U>>(readFileSync(path, 'utf8'))
}

/** The undo records of a session that still apply, newest first. */
export function pendingUndos(sessionDir: string): { path: string; file: UndoFile }[] {
  const dir = join(sessionDir, 'undo')
  if (!existsSync(dir)) return []
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .map((name) => ({ path: join(dir, name), file: readUndo(join(dir, name)) }))
    .filter(({ file }) => file.status === 'applied' || file.status === 'pending')
    .sort((a, b) => b.file.writtenAt.localeCompare(a.file.writtenAt))
}
