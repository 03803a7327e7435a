#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ by `npm install` (the prepare script).
import { existsSync } from 'node:fs'

const entry = new URL('../dist/lib/cli/main.js', import.meta.url)
if (!existsSync(entry)) {
  process.stderr.write('runbook: not built yet — run `npm install` (or `npm run build`) in the project folder\n')
  process.exit(1)
}
const { main } = await import(entry.href)

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
// next safe point as if interrupted, rather than die on EPIPE with a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code !== 'EPIPE') throw error
    stream.write = () => true
    controller.abort('EPIPE')
  })
}
const code = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
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
