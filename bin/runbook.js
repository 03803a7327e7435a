#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ by `npm install` (the prepare script).
import { existsSync } from 'node:fs'

const entry = new URL('../dist/lib/cli/main.js', import.meta.url)
if (!existsSync(entry)) {
  process.stderr.write('runbook: not built yet — run `npm install` (or `npm run build`) in the project folder\n')
  process.exit(1)
}
const { main } = await import(entry.href)
const controller = new AbortController()
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => controller.abort(signal))
const code = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  cwd: process.cwd(),
  signal: controller.signal,
})
process.exitCode = code
