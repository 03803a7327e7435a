// `runbook sandbox logs`: the tail of a node's server.log, and --follow that keeps printing until Ctrl-C
// (and survives the log rolling over).

import { open, stat } from 'node:fs/promises'
import type { CommandEnv } from './command.ts'
import { ExitCode } from '../engine/exit-codes.ts'

class LogMissingError extends Error {
  readonly exitCode = ExitCode.refused
}

/** Prints the last `count` lines of a log file. */
export async function printLastLines(file: string, count: number, env: CommandEnv): Promise<number> {
  const { text } = await readTail(file, count)
  env.stdout.write(text)
  return ExitCode.done
}

/** Prints the last `count` lines, then new lines as they are written, until the command's signal aborts. */
export async function followLog(file: string, count: number, env: CommandEnv): Promise<number> {
  const tail = await readTail(file, count)
  let offset = tail.size
  env.stdout.write(tail.text)
  while (!env.signal.aborted) {
    await new Promise((resolve) => setTimeout(resolve, 250))
    const info = await stat(file).catch(() => null)
    if (!info) continue
    // Rolled over: the new file is shorter than what we had read.
    if (info.size < offset) offset = 0
    if (info.size === offset) continue
    const handle = await open(file, 'r')
    try {
      const buffer = Buffer.alloc(info.size - offset)
      await handle.read(buffer, 0, buffer.length, offset)
      env.stdout.write(buffer)
      offset = info.size
    } finally {
      await handle.close()
    }
  }
  return ExitCode.done
}

async function readTail(file: string, count: number): Promise<{ size: number; text: string }> {
  const info = await stat(file).catch(() => null)
  if (!info) throw new LogMissingError(`no log at ${file} yet — the node has not been started (run \`runbook sandbox up\`)`)
  const window = Math.min(info.size, Math.max(64 * 1024, count * 400))
  const handle = await open(file, 'r')
  try {
    const buffer = Buffer.alloc(window)
    await handle.read(buffer, 0, window, info.size - window)
    const lines = buffer.toString('utf8').split('\n')
    if (lines.at(-1) === '') lines.pop()
    const tail = lines.slice(-count)
    return { size: info.size, text: tail.length ? tail.join('\n') + '\n' : '' }
  } finally {
    await handle.close()
  }
}
