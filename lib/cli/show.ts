// `runbook show <id>`: a runbook printed as a notebook — every cell and every explanation — without a cluster.

import type { DescribedNotebook } from '../engine/catalog.ts'
import { fileText } from '../engine/file-text.ts'
import { colorEnabled, renderLexedBlocks, renderWidth } from '../terminal/render.ts'
import { openCatalog, requireRunbook } from './catalog.ts'
import type { Command } from './command.ts'
import { loadConfig } from './config-file.ts'
import { ExitCode } from '../engine/exit-codes.ts'
import { UsageError } from './usage-error.ts'

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
    if (args.values.json) {
      const { runbookJson } = await import('../engine/describe-runbook.ts')
      env.stdout.write(JSON.stringify(runbookJson(await requireRunbook(catalog, id)), null, 2) + '\n')
      return ExitCode.done
    }
    // A built-in runbook's notebook was described (and its Markdown lexed) by the build; others are imported.
    const prepared = catalog.entries.find((e) => e.id === id && !e.error)?.notebookPath
    const notebook: DescribedNotebook = prepared
      ? (JSON.parse(fileText(prepared)) as DescribedNotebook)
      : { blocks: (await import('../engine/describe-runbook.ts')).describeRunbook(await requireRunbook(catalog, id)), tokens: [] }
    const text = args.values.markdown
      ? (await import('../engine/markdown.ts')).blocksToMarkdown(notebook.blocks)
      : renderLexedBlocks(notebook.blocks, notebook.tokens, {
          color: colorEnabled(env.stdout, env.env),
          width: renderWidth(env.stdout),
          lexedInline: notebook.inline,
        })
    env.stdout.write(text + '\n')
    return ExitCode.done
  },
}
