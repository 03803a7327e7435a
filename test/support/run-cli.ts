// Runs the CLI in-process on captured streams: the same main() the bin calls, without a build step.

import { PassThrough, Writable } from 'node:stream'
import { main } from '../../lib/cli/main.ts'

class Capture extends Writable {
  text = ''
  isTTY = false
  override _write(chunk: Buffer, _enc: string, done: () => void) {
    this.text += chunk.toString()
    done()
  }
}

export interface CliResult {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

export async function runCli(argv: readonly string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<CliResult> {
  const stdout = new Capture()
  const stderr = new Capture()
  const code = await main(argv, {
    stdout: stdout as unknown as NodeJS.WritableStream,
    stderr: stderr as unknown as NodeJS.WritableStream,
    stdin: new PassThrough(),
    // A sandbox name nobody runs, so "no cluster given" never falls back to a developer's own sandbox.
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', RUNBOOK_SANDBOX_NAME: 'cli-test-none', ...options.env },
    cwd: options.cwd ?? process.cwd(),
    signal: new AbortController().signal,
  })
  return { code, stdout: stdout.text, stderr: stderr.text }
}
