// Append-only JSONL ledgers the workloads write and the scorer reads. Every append is fsync'd: a line on disk
// is something that really happened (a record acknowledged, a record handled), even if the process is
// SIGKILLed the next instant — which is exactly what drills do to it.

import { closeSync, existsSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs'

/** One record acknowledged by the cluster to the producer. */
export interface AckedEntry {
  readonly seq: number
  readonly partition: number
  readonly offset: string
  readonly atMs: number
}

/** One record handled by a consumer instance (its effect is durable). */
export interface ProcessedEntry {
  readonly seq: number
  readonly partition: number
  readonly offset: string
  readonly instance: number
  readonly atMs: number
}

export class Ledger<T> {
  readonly #fd: number

  constructor(path: string) {
    this.#fd = openSync(path, 'a')
  }

  /** Appends the entries as one write, then fsyncs: all of them are on disk when this returns. */
  append(entries: readonly T[]): void {
    if (entries.length === 0) return
    writeSync(this.#fd, entries.map((e) => JSON.stringify(e)).join('\n') + '\n')
    fsyncSync(this.#fd)
  }

  close(): void {
    closeSync(this.#fd)
  }
}

/** The entries of a ledger; a torn last line (a kill in the middle of a write) is ignored. */
export function readLedger<T>(path: string): T[] {
  if (!existsSync(path)) return []
  const entries: T[] = []
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.trim() === '') continue
    try {
      entries.push(JSON.parse(line) as T)
    } catch {
      // Only the last line can be torn; anything after it would be a bug of the writer.
    }
  }
  return entries
}
