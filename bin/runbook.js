#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ by `npm install` (the prepare script). CommonJS (bin/package.json),
// like the entry bundle it requires: a cold `runbook list` or `--help` then never starts Node's ES module loader,
// which costs more CPU than the command itself. Commands that talk to a cluster are ES modules, imported when run.
'use strict'
// Under Bun, node:fs, node:path and node:tty are each milliseconds of a cold start that `bun -e 0` never pays:
// this launcher and the one-shot commands use Bun's own cheaper calls there (below). Node's path is unchanged.
const bun = globalThis.Bun ?? null

const entry = `${__dirname}/../dist/lib/cli/main.cjs`
let main
try {
  ;({ main } = require(entry))
} catch (error) {
  if (error?.code !== 'MODULE_NOT_FOUND' || require('node:fs').existsSync(entry)) throw error
  process.stderr.write('runbook: not built yet — run `npm install` (or `npm run build`) in the project folder\n')
  process.exit(1)
}

// The first Ctrl-C asks the run to stop cleanly (a change being applied finishes first, the transcript is
// closed); a second one exits at once.
const controller = new AbortController()
let interrupts = 0
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    interrupts++
    if (interrupts > 1) {
      process.stderr.write('\nrunbook: stopped immediately (second interrupt)\n')
      process.exit(130)
    }
    controller.abort(signal)
  })
}
// A reader that stops early (`runbook show … | head`) closes the pipe: stop writing, and let a run stop at its
// next safe point as if interrupted, rather than die on EPIPE with a stack trace. A write that fails for another
// reason (a full disk: ENOSPC) stops the run the same way, and once the command has returned the launcher says so
// in one line and exits 1: the output is incomplete. Each stream is guarded when a command first uses it:
// creating process.stderr is work a run that never writes there need not do.
let writeError = null
function writeFailed(error, where) {
  if (error?.code !== 'EPIPE' && !writeError) {
    writeError = { error, where }
    // Said as the process ends: Node reports a stream's failed write on a later tick, after the command may have returned.
    process.on('exit', reportWriteError)
  }
  controller.abort(error?.code === 'EPIPE' ? 'EPIPE' : 'write failed')
}
function reportWriteError() {
  const { error, where } = writeError
  const why = String(error?.message || error?.code || error).split('\n')[0]
  guard(process.stderr).write(`runbook: could not write to ${where} (${why}) — the output is incomplete; make room where it goes, or send it elsewhere\n`)
  // The run stopped because of it (as after a Ctrl-C, which gives 130): the output failed, so the run did.
  if (!process.exitCode || process.exitCode === 130) process.exitCode = 1
}
const guarded = new Set()
function guard(stream) {
  if (guarded.has(stream)) return stream
  guarded.add(stream)
  stream.on('error', (error) => {
    stream.write = () => true
    writeFailed(error, stream === process.stderr ? 'standard error' : 'standard output')
  })
  return stream
}

// The commands that print one answer and end (help, list, show, sessions) write it straight to the file
// descriptor when it is not a terminal (a pipe or a file): creating process.stdout builds the runtime's whole
// stream stack, about a third of such a run's CPU under Bun and some twenty modules under Node. A terminal gets
// the real stream: colours and its width are read from it.
const oneShotCommands = new Set(['--help', '-h', 'help', 'list', 'show', 'sessions'])
function directStdout() {
  const { writeSync } = require('node:fs')
  let stream = null // process.stdout, once a write could not be made at once
  let closed = false
  return {
    isTTY: false,
    write(chunk, encoding, callback) {
      if (typeof encoding === 'function') [callback, encoding] = [encoding, undefined]
      if (stream) return stream.write(chunk, encoding, callback)
      let bytes = typeof chunk === 'string' ? Buffer.from(chunk, encoding || 'utf8') : chunk
      while (!closed && bytes.length > 0) {
        try {
          bytes = bytes.subarray(writeSync(1, bytes))
        } catch (error) {
          // A non-blocking pipe that is full: the stream waits for room, and takes every later write, in order.
          if (error.code === 'EAGAIN') return (stream = guard(process.stdout)).write(bytes, callback)
          // The reader went away (`runbook list | head`) or the write failed: stop writing, as the guarded stream does.
          closed = true
          writeFailed(error, 'standard output')
        }
      }
      if (callback) process.nextTick(callback)
      return true
    },
  }
}
// Bun writes to the descriptor itself (Bun.write waits for room in a full pipe); each write starts when the one
// before it has finished, so the output stays in order.
function bunStdout() {
  let last = Promise.resolve()
  let closed = false
  return {
    isTTY: false,
    write(chunk, encoding, callback) {
      if (typeof encoding === 'function') [callback, encoding] = [encoding, undefined]
      const bytes = typeof chunk === 'string' && encoding && encoding !== 'utf8' && encoding !== 'utf-8' ? Buffer.from(chunk, encoding) : chunk
      last = last
        .then(() => (closed ? 0 : bun.write(bun.stdout, bytes)))
        .catch((error) => {
          closed = true
          writeFailed(error, 'standard output')
        })
        .then(() => callback?.())
      return true
    },
    /** Settles when every write so far has reached the descriptor (or the reader went away). */
    flushed: () => last,
  }
}
function oneShotStdout() {
  if (!oneShotCommands.has(process.argv[2])) return null
  try {
    // process.binding('tty_wrap') is Bun's cheap isatty (node:tty loads its stream classes: ~30 ms of CPU).
    if (bun) return process.binding('tty_wrap').isTTY(1) ? null : bunStdout()
    return require('node:fs').fstatSync(1).isCharacterDevice() ? null : directStdout()
  } catch {
    return null
  }
}

async function run() {
  let stdout = null
  const code = await main(process.argv.slice(2), {
    get stdout() {
      return (stdout ??= oneShotStdout() ?? guard(process.stdout))
    },
    get stderr() {
      return guard(process.stderr)
    },
    // Opened only by a command that reads it (a prompt): under Bun, opening stdin is ~30 ms of CPU, a third of a
    // cold `runbook list`.
    get stdin() {
      return process.stdin
    },
    env: process.env,
    cwd: process.cwd(),
    signal: controller.signal,
  })
  // Output still on its way to a slow reader is not cut off by the timer below.
  await stdout?.flushed?.()
  process.exitCode = code
  // Connections or timers a command forgot to close must not keep a finished CLI alive.
  setTimeout(() => process.exit(code), 2000).unref()
}
run()
