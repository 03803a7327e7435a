// `runbook list`: the runbooks there are, the team's own included, and any that failed to load.

import { notice, table, type Block } from '../engine/blocks.ts'
import { colorEnabled, renderBlocks, renderWidth } from '../terminal/render.ts'
import type { Command } from './command.ts'
import { loadConfig } from './config-file.ts'
import { ExitCode } from '../engine/exit-codes.ts'
import { openCatalog } from './catalog.ts'

export const command: Command = {
  name: 'list',
  summary: 'list the runbooks',
  help: `Usage: runbook list [--json] [--runbooks <dir>]

Lists the project's runbooks and the team's own (folders from runbook.config.json "runbooks",
RUNBOOK_DIRS, or --runbooks). A runbook that cannot be loaded is listed with the reason.`,
  options: { json: { type: 'boolean' }, runbooks: { type: 'string', multiple: true }, config: { type: 'string' } },
  async run(args, env) {
    const config = loadConfig(env.cwd, env.env, args.values.config as string | undefined)
    const catalog = await openCatalog(args, env, config)
    if (args.values.json) {
      const entries = catalog.entries.map((e) =>
        e.error === undefined
          ? { id: e.id, title: e.title, summary: e.summary, origin: e.origin, path: e.path }
          : { id: e.id, origin: e.origin, path: e.path, error: e.error },
      )
      env.stdout.write(JSON.stringify(entries, null, 2) + '\n')
      return ExitCode.done
    }
    const usable = catalog.entries.filter((e) => e.error === undefined)
    const blocks: Block[] = [
      table(
        ['Runbook', 'What it is for'],
        usable.map((e) => [`${e.id}${e.origin === 'team' ? ' (team)' : ''}`, `${e.title}: ${e.summary}`]),
        { footer: 'Run one with `runbook run <id>`; read it first with `runbook show <id>`.' },
      ),
      ...catalog.entries.filter((e) => e.error).map((e) => notice('warn', `${e.path}: ${e.error}`)),
    ]
    env.stdout.write(renderBlocks(blocks, { color: colorEnabled(env.stdout, env.env), width: renderWidth(env.stdout) }) + '\n')
    return ExitCode.done
  },
}
