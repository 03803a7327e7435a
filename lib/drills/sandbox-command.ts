// The shell command a trainee (or a test) hands to a runbook to act on the sandbox — `runbook sandbox start 1 …` —
// spelled so that it runs this very installation: the built launcher, or in development the TypeScript sources
// through the same loader the workloads use. A runbook runs it with bash, like any operator's own command.

import { fileURLToPath } from 'node:url'

const quote = (word: string) => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`)

/** `runbook sandbox <args>` as one shell command line. */
export function sandboxCommand(args: readonly string[]): string {
  const here = import.meta.url
  if (here.endsWith('.ts')) {
    const loader = fileURLToPath(new URL('./ts-loader/register.mjs', here))
    const main = new URL('../cli/main.ts', here).href
    const script = `const { main } = await import(${JSON.stringify(main)}); process.exitCode = await main(${JSON.stringify(['sandbox', ...args])}, { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env, cwd: process.cwd(), signal: new AbortController().signal })`
    return [process.execPath, '--import', loader, '--input-type=module', '-e', script].map(quote).join(' ')
  }
  return [process.execPath, fileURLToPath(new URL('../../../bin/runbook.js', here)), 'sandbox', ...args].map(quote).join(' ')
}
