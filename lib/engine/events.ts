// The events a run writes to its transcript, one JSON line each.

import type { Block } from './blocks.ts'
import type { ClusterIdentity } from './cluster-identity.ts'

/** `findings`: the run completed, and a query reported findings at or above the run's --fail-on level. */
export type RunStatus = 'done' | 'dry-run' | 'refused' | 'drifted' | 'declined' | 'failed' | 'interrupted' | 'findings'

/** How a run can stop before its last cell. */
export type StopStatus = Exclude<RunStatus, 'done' | 'dry-run' | 'findings'>

/** One line of events.jsonl. `seq`, `at`, `prev` and `hash` are added when it is written. */
export type TranscriptEvent =
  | {
      type: 'session-start'
      runbook: string
      title: string
      mode: 'interactive' | 'headless'
      dryRun: boolean
      operator: string
      host: string
      /** Which cluster: what named it and what it says it is (older sessions may lack the newer fields). */
      cluster: ClusterIdentity
      args: readonly string[]
      toolVersion: string
      undoOf?: string
      /** The audit topic the session's decisive events are anchored in, or why a configured one was skipped. */
      audit?: { topic: string } | { skipped: string }
    }
  | { type: 'param'; name: string; value: string; source: 'flag' | 'answers' | 'default' | 'prompt' }
  | { type: 'cell-start'; cell: string; kind: string; title: string }
  | { type: 'output'; cell?: string; blocks: readonly Block[] }
  | { type: 'query-result'; cell: string; data: unknown; findings?: readonly unknown[] }
  | { type: 'decision'; cell: string; options: readonly unknown[]; recommended: string | null; chosen: string; source: string }
  | { type: 'plan'; cell: string; plan: unknown; planHash: string; summary: string }
  | { type: 'confirmation'; cell: string; method: 'typed' | 'yes-no' | 'flag --yes' | 'approved hash'; accepted: boolean; expected?: string }
  | { type: 'recheck'; cell: string; drifts: readonly unknown[] }
  | { type: 'apply'; cell: string; applied: readonly string[]; failed: readonly unknown[]; data?: unknown }
  | { type: 'verify'; cell: string; ok: boolean; data?: unknown }
  | {
      type: 'undo-record'
      cell: string
      path: string
      /** The record's file, relative to the session folder, its SHA-256, and those of its companion files. */
      file: string
      status: 'pending' | 'applied' | 'nothing-applied'
      sha256: string
      files: Readonly<Record<string, string>>
    }
  | { type: 'file'; name: string; sha256: string }
  | {
      type: 'shell'
      cell: string
      command: string
      exitCode: number | null
      /** The last lines of its output, stdout and stderr as they came (stderr kept for older transcripts). */
      stdout: string
      stderr: string
      durationMs: number
      /** Set when the run stopped it: its timeout, a Ctrl-C, or the end of the watch it ran under. */
      stoppedBy?: 'timeout' | 'interrupt' | 'watch-ended'
      /** What the watch it ran under concluded (its data). */
      watched?: unknown
    }
  | { type: 'cell-end'; cell: string; outcome: string; reason?: string }
  /** The cell's change was taken back (by this run's own revert, or by an undo session); sha256: the record file as rewritten. */
  | { type: 'undone'; cell: string; bySession: string; sha256?: string }
  | { type: 'abort'; reason: string }
  | { type: 'session-end'; status: RunStatus; exitCode: number; message?: string }

export type WrittenEvent = TranscriptEvent & { seq: number; at: string; prev: string; hash: string }
