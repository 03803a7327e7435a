#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ by `npm install` (the prepare script). CommonJS (bin/package.json),
// like the entry bundle it requires: a cold `runbook list` or `--help` then never starts Node's ES module loader,
// which costs more CPU than the command itself. Commands that talk to a cluster are ES modules, imported when run.
'use strict'
const { existsSync, fstatSync, writeSync } = require('node:fs')
const { join } = require('node:path')

const entry = join(__dirname, '..', 'dist', 'lib', 'cli', 'main.cjs')
if (!existsSync(entry)) {
  process.stderr.write('runbook: not built yet — run `npm install` (or `npm run build`) in the project folder\n')
  process.exit(1)
}
const { main } = require(entry)

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
// next safe point as if interrupted, rather than die on EPIPE with a stack trace. Each stream is guarded when a
// command first uses it: creating process.stderr is work a run that never writes there need not do.
const guarded = new Set()
function guard(stream) {
  if (guarded.has(stream)) return stream
  guarded.add(stream)
  stream.on('error', (error) => {
    if (error.code !== 'EPIPE') throw error
    stream.write = () => true
    controller.abort('EPIPE')
  })
  return stream
}

// The commands that print one answer and end (help, list, show, sessions) write it straight to the file
// descriptor when it is a pipe or a file: creating process.stdout builds the runtime's whole stream stack, about
// a third of such a run's CPU under Bun and some twenty modules under Node. A terminal (a character device) gets
// the real stream: colours and its width are read from it.
const oneShotCommands = new Set(['--help', '-h', 'help', 'list', 'show', 'sessions'])
function directStdout() {
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
          if (error.code !== 'EPIPE') throw error
          // The reader went away (`runbook list | head`): stop writing, as the guarded stream does.
          closed = true
          controller.abort('EPIPE')
        }
      }
      if (callback) process.nextTick(callback)
      return true
    },
  }
}
function oneShotStdout() {
  if (!oneShotCommands.has(process.argv[2])) return null
  try {
    return fstatSync(1).isCharacterDevice() ? null : directStdout()
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
  process.exitCode = code
  // Connections or timers a command forgot to close must not keep a finished CLI alive.
  setTimeout(() => process.exit(code), 2000).unref()
}
run()
