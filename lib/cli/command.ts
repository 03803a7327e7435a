// The shape of one `runbook <command>`: each lives in its own file in lib/cli and is loaded only when used,
// so `runbook --help` never pays for the Kafka client or the sandbox code.

import type { ParseArgsConfig } from 'node:util'

export type OptionSpec = NonNullable<ParseArgsConfig['options']>

/** Streams and environment a command runs with; tests pass their own. */
export interface CommandEnv {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number }
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean }
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean }
  readonly env: NodeJS.ProcessEnv
  readonly cwd: string
  /** Aborted on Ctrl-C / SIGTERM. */
  readonly signal: AbortSignal
}

export interface ParsedArgs {
  readonly values: Record<string, string | boolean | (string | boolean)[] | undefined>
  readonly positionals: readonly string[]
  /** The command's arguments as typed, for transcripts (secrets are masked when written). */
  readonly raw: readonly string[]
}

export interface Command {
  readonly name: string
  /** One line for `runbook --help`. */
  readonly summary: string
  /** Full help text, shown by `runbook <command> --help`. */
  readonly help: string
  readonly options: OptionSpec
  /** Returns the process exit code. */
  run(args: ParsedArgs, env: CommandEnv): Promise<number>
}
