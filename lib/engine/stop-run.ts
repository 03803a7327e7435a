// How a run stops early: the status (which names its exit code) and the one line the operator reads.

import type { StopStatus } from './events.ts'
import { exitCodeOf } from './exit-codes.ts'

/** A run that ends before its last cell: how it ended (which names its exit code), and the one line the operator reads. */
export class StopRun extends Error {
  readonly status: StopStatus
  readonly exitCode: number
  constructor(status: StopStatus, message: string) {
    super(message)
    this.name = 'StopRun'
    this.status = status
    this.exitCode = exitCodeOf[status]
  }
}
