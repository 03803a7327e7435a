// Turns anything thrown out of a command into what a person reads: one line and an exit code for expected
// failures (bad input, unreachable cluster, refused plan), a stack trace and a report link for our own bugs.

import { ExitCode } from '../engine/exit-codes.ts'

export interface Failure {
  readonly text: string
  readonly exitCode: number
}

/** An error we expect and can explain in one line carries its own exit code. */
export interface ExpectedError extends Error {
  readonly exitCode: number
}

export function isExpectedError(error: unknown): error is ExpectedError {
  return error instanceof Error && typeof (error as Partial<ExpectedError>).exitCode === 'number'
}

export function describeFailure(error: unknown, context: { debug: boolean; command: string }): Failure {
  const stack = context.debug && error instanceof Error && error.stack ? `\n${error.stack}` : ''
  if (isExpectedError(error)) return { text: `runbook ${context.command}: ${firstLine(error.message)}${stack}`, exitCode: error.exitCode }
  if (error instanceof Error && error.name === 'KafkaConnectionError') {
    return { text: `runbook ${context.command}: ${firstLine(error.message)}${stack}`, exitCode: ExitCode.refused }
  }
  if (error instanceof Error && (error.name === 'ExitPromptError' || error.name === 'AbortPromptError')) {
    return { text: 'stopped; nothing changed', exitCode: ExitCode.interrupted }
  }
  if (error instanceof Error && (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    return { text: `runbook ${context.command}: ${firstLine(error.message)} — run \`runbook ${context.command} --help\``, exitCode: ExitCode.refused }
  }
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error)
  return {
    text: `runbook ${context.command}: internal error — this is a bug in runbook, please report it with the lines below\n${detail}`,
    exitCode: ExitCode.failed,
  }
}

function firstLine(text: string): string {
  return text.split('\n')[0]!.trim()
}

/**
 * With --json, a failure is also a JSON object on stdout, for scripts: the same line, the exit code, and for a
 * connection failure its kind, precise reason and the setting to change.
 */
export function failureJson(error: unknown, failure: Failure, command: string): string {
  const prefix = `runbook ${command}: `
  const line = failure.text.split('\n')[0]!
  const detail = error as { kind?: unknown; reason?: unknown; property?: unknown } | null
  return JSON.stringify({
    status: 'error',
    command,
    exitCode: failure.exitCode,
    error: line.startsWith(prefix) ? line.slice(prefix.length) : line,
    ...(error instanceof Error && typeof detail?.kind === 'string' ? { kind: detail.kind } : {}),
    ...(error instanceof Error && typeof detail?.reason === 'string' ? { reason: detail.reason } : {}),
    ...(error instanceof Error && typeof detail?.property === 'string' ? { property: detail.property } : {}),
  })
}
