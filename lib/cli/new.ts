// `runbook new <id>`: writes a starting runbook and its test into the team's runbook folder.

import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { runbookTemplate } from '../engine/runbook-template.ts'
import type { Command } from './command.ts'
import { loadConfig } from './config-file.ts'
import { ExitCode } from '../engine/exit-codes.ts'
import { UsageError } from './usage-error.ts'

export const command: Command = {
  name: 'new',
  summary: 'write a starting runbook and its test',
  help: `Usage: runbook new <id> [--dir <folder>] [--json]

Writes <id>.ts (a small runbook that already works: read, explain, decide, change with preview,
confirmation, re-check, verification and undo) and <id>.test.ts (its test on the in-memory cluster,
with vitest) into --dir, or the first "runbooks" folder of runbook.config.json, or ./runbooks.
<id> is lower-case words joined by dashes; existing files are never overwritten.
--json prints the files written as JSON.`,
  options: { dir: { type: 'string' }, json: { type: 'boolean' }, config: { type: 'string' } },
  async run(args, env) {
    const id = args.positionals[0]
    if (!id) throw new UsageError('which id? — `runbook new <id>`, e.g. `runbook new disk-pressure`')
    if (!/^[a-z][a-z0-9-]*$/.test(id)) throw new UsageError(`"${id}" is not a runbook id — use lower-case words joined by dashes, e.g. disk-pressure`)
    const config = loadConfig(env.cwd, env.env, args.values.config as string | undefined)
    const dir = resolve(env.cwd, (args.values.dir as string | undefined) ?? config.runbooks[0] ?? 'runbooks')
    const files = runbookTemplate(id)
    const targets = [join(dir, `${id}.ts`), join(dir, `${id}.test.ts`)]
    const existing = targets.find((path) => existsSync(path))
    if (existing) throw new UsageError(`${relative(env.cwd, existing) || existing} already exists — pick another id or remove it first`)
    mkdirSync(dir, { recursive: true })
    writeFileSync(targets[0]!, files.runbook, { flag: 'wx' })
    writeFileSync(targets[1]!, files.test, { flag: 'wx' })
    if (args.values.json) {
      env.stdout.write(JSON.stringify({ id, runbook: targets[0], test: targets[1] }, null, 2) + '\n')
      return ExitCode.done
    }
    const shown = (path: string) => relative(env.cwd, path) || path
    env.stdout.write(
      [
        `wrote ${shown(targets[0]!)} and ${shown(targets[1]!)}`,
        `read it:  runbook show ${id} --runbooks ${shown(dir)}`,
        `test it:  npx vitest run ${shown(targets[1]!)}`,
        `run it:   runbook run ${id} --runbooks ${shown(dir)}`,
      ].join('\n') + '\n',
    )
    return ExitCode.done
  },
}
