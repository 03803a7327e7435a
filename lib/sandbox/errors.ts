// The one error type the sandbox throws for things a person can fix: its message is one line that says
// what went wrong and what to do next, and it carries the CLI exit code (see lib/cli/failure.ts).

/** A sandbox failure with a one-line, actionable message. exitCode 2: bad input or environment; 1: Kafka failed; 130: interrupted. */
export class SandboxError extends Error {
  readonly exitCode: number
  constructor(message: string, exitCode: 1 | 2 | 130 = 1, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'SandboxError'
    this.exitCode = exitCode
  }
}
