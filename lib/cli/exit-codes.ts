// Exit codes every command and mode shares; scripts rely on them.

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
