// The one set of exit codes every command, mode and run shares; scripts rely on them. A run names how it ended
// (its status), and the status names the code.

import type { RunStatus } from './events.ts'

export const ExitCode = {
  /** Done: everything asked for happened (or, in a dry run, was planned). */
  done: 0,
  /** Failed: a change did not apply or did not verify, or something unexpected broke. */
  failed: 1,
  /** Refused or bad input: nothing was changed. */
  refused: 2,
  /** The cluster changed between plan and apply: nothing was changed. */
  drifted: 3,
  /**
   * The run completed, and it found something at or above --fail-on (a CI gate: the durability audit found a
   * risk). Apart from 1 and 2 so a pipeline can tell "the audit ran and found a risk" from "the audit could not run".
   */
  findings: 4,
  /** Stopped by the operator (Ctrl-C): nothing was changed. */
  interrupted: 130,
} as const

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode]

/** The exit code of each way a run (or an undo) ends. */
export const exitCodeOf = {
  done: ExitCode.done,
  'dry-run': ExitCode.done,
  failed: ExitCode.failed,
  refused: ExitCode.refused,
  declined: ExitCode.refused,
  drifted: ExitCode.drifted,
  findings: ExitCode.findings,
  interrupted: ExitCode.interrupted,
} as const satisfies Record<RunStatus, ExitCodeValue>
