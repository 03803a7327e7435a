// `runbook show <id>`: a runbook printed as a notebook — every cell and every explanation — without a cluster.

import { describeRunbook, runbookJson } from '../engine/describe-runbook.ts'
import { blocksToMarkdown } from '../engine/markdown.ts'
import { colorEnabled, renderBlocks, renderWidth } from '../terminal/render.ts'
import type { Command } from './command.ts'
import { loadConfig } from './config-file.ts'
import { ExitCode } from '../engine/exit-codes.ts'
import { UsageError } from './run-support.ts'
import { openCatalog } from './catalog.ts'

export const command: Command = {
  name: 'show',
  summary: 'print a runbook as a notebook',
  help: `Usage: runbook show <id> [--markdown | --json] [--runbooks <dir>]

Prints the runbook's purpose, parameters and cells (with every version of each explanation)
without connecting to a cluster. --markdown prints Markdown instead of terminal text; --json the
same as data (parameters with type and default, cells with their kind, text and choices).`,
  options: { markdown: { type: 'boolean' }, json: { type: 'boolean' }, runbooks: { type: 'string', multiple: true }, config: { type: 'string' } },
  async run(args, env) {
    const id = args.positionals[0]
    if (!id) throw new UsageError('which runbook? — `runbook show <id>`; `runbook list` shows them')
    const config = loadConfig(env.cwd, env.env, args.values.config as string | undefined)
    const catalog = await openCatalog(args, env, config)
    const runbook = catalog.find(id)
    if (!runbook) {
      const broken = catalog.entries.find((e) => e.id === id && e.error)
      throw new UsageError(broken ? `runbook ${id} cannot be used: ${broken.error}` : `no runbook "${id}" — \`runbook list\` shows the ones there are`)
    }
    if (args.values.json) {
      env.stdout.write(JSON.stringify(runbookJson(runbook), null, 2) + '\n')
      return ExitCode.done
    }
    const blocks = describeRunbook(runbook)
    const text = args.values.markdown
      ? blocksToMarkdown(blocks)
      : renderBlocks(blocks, { color: colorEnabled(env.stdout, env.env), width: renderWidth(env.stdout) })
    env.stdout.write(text + '\n')
    return ExitCode.done
  },
}
