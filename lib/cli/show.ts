// `runbook show <id>`: a runbook printed as a notebook — every cell and every explanation — without a cluster.

import { describeRunbook } from '../engine/describe-runbook.ts'
import { colorEnabled, renderBlocks, renderWidth } from '../terminal/render.ts'
import { openCatalog, requireRunbook } from './catalog.ts'
import type { Command } from './command.ts'
import { loadConfig } from './config-file.ts'
import { ExitCode } from './exit-codes.ts'
import { UsageError } from './usage-error.ts'

export const command: Command = {
  name: 'show',
  summary: 'print a runbook as a notebook',
  help: `Usage: runbook show <id> [--markdown] [--runbooks <dir>]

Prints the runbook's purpose, parameters and cells (with every version of each explanation)
without connecting to a cluster. --markdown prints Markdown instead of terminal text.`,
  options: { markdown: { type: 'boolean' }, runbooks: { type: 'string', multiple: true }, config: { type: 'string' } },
  async run(args, env) {
    const id = args.positionals[0]
    if (!id) throw new UsageError('which runbook? — `runbook show <id>`; `runbook list` shows them')
    const config = loadConfig(env.cwd, env.env, args.values.config as string | undefined)
    const runbook = await requireRunbook(await openCatalog(args, env, config), id)
    const blocks = describeRunbook(runbook)
    const text = args.values.markdown
      ? (await import('../engine/markdown.ts')).blocksToMarkdown(blocks)
      : renderBlocks(blocks, { color: colorEnabled(env.stdout, env.env), width: renderWidth(env.stdout) })
    env.stdout.write(text + '\n')
    return ExitCode.done
  },
}
