// A mistake in how a command was called: one line saying what to do instead, exit 2, nothing changed.

import { ExitCode } from '../engine/exit-codes.ts'

export class UsageError extends Error {
  readonly exitCode = ExitCode.refused
}
