// How a run stops early: the status, the exit code and the one line the operator reads.

import type { RunStatus } from './events.ts'

/** A run that ends before its last cell: how it ended, the exit code, and the one line the operator reads. */
export class StopRun extends Error {
  readonly status: RunStatus
  readonly exitCode: number
  constructor(status: RunStatus, exitCode: number, message: string) {
    super(message)
    this.name = 'StopRun'
    this.status = status
    this.exitCode = exitCode
  }
}
