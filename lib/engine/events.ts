// The events a run writes to its transcript, one JSON line each.

import type { Block } from './blocks.ts'

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
      cluster: { origin: string; clusterId?: string | null; kafkaLine?: string | null; elr?: string } | null
      args: readonly string[]
      toolVersion: string
      undoOf?: string
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
  | { type: 'undo-record'; cell: string; path: string; status: 'pending' | 'applied' | 'nothing-applied' }
  | { type: 'shell'; cell: string; command: string; exitCode: number | null; stdout: string; stderr: string; durationMs: number }
  | { type: 'cell-end'; cell: string; outcome: string; reason?: string }
  | { type: 'undone'; cell: string; bySession: string }
  | { type: 'abort'; reason: string }
  | { type: 'session-end'; status: RunStatus; exitCode: number; message?: string }

export type WrittenEvent = TranscriptEvent & { seq: number; at: string; prev: string; hash: string }
