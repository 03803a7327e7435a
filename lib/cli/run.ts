// `runbook run <id>`: the guided, headless or dry run of one runbook against a cluster.

import { runRunbook } from '../engine/runner.ts'
import type { Command } from './command.ts'
import { loadConfig } from './config-file.ts'
import { auditHelp, auditOptions, openAudit, resolveAudit } from './audit.ts'
import { connectionHelp, connectionOptions } from './connection.ts'
import { collectAnswers, failOnLevel, isInteractive, makeIo, openCluster, reportResult, runModeHelp, runModeOptions, sessionOptions } from './run-support.ts'
import { openCatalog, requireRunbook } from './catalog.ts'
import { UsageError } from './usage-error.ts'

export const command: Command = {
  name: 'run',
  summary: 'run a runbook',
  help: `Usage: runbook run <id> [options]

Runs a runbook against a cluster as a notebook: every step is shown, every change is previewed,
confirmed, re-checked against the cluster and verified, and the run leaves a transcript and an undo record.

Answers:
  --set <name>=<value>       a parameter or a decision (repeatable); see \`runbook show <id>\`
  --answers <file.json>      answers as a JSON object (flags win)
  --runbooks <dir>           also load runbooks from this folder (repeatable)

${runModeHelp}
Gate (CI), for runbooks that report findings (durability-audit):
  --fail-on <level>          exit 4 when the run completes but reports a finding at or above high | medium | low;
                             with --json the findings are listed under "findings"
                             4 means "it ran and found a risk" — apart from 1 and 2, "it could not run"

${auditHelp}

${connectionHelp}`,
  options: {
    ...connectionOptions,
    ...runModeOptions,
    ...auditOptions,
    set: { type: 'string', multiple: true },
    answers: { type: 'string' },
    runbooks: { type: 'string', multiple: true },
    'fail-on': { type: 'string' },
    config: { type: 'string' },
  },
  async run(args, env) {
    const config = loadConfig(env.cwd, env.env, args.values.config as string | undefined)
    const catalog = await openCatalog(args, env, config)
    const interactive = isInteractive(args, env)
    const io = await makeIo(interactive, args, env)
    let id = args.positionals[0]
    if (args.positionals.length > 1) throw new UsageError(`one runbook at a time — got ${args.positionals.join(' ')}`)
    if (id === undefined) {
      if (!interactive) throw new UsageError('which runbook? — `runbook run <id>`; `runbook list` shows them')
      const usable = catalog.entries.filter((e) => e.error === undefined)
      id = await io.select({
        message: 'Which incident?',
        choices: usable.map((e) => ({ value: e.id, name: `${e.title}`, description: e.summary ?? '' })),
      })
    }
    const runbook = await requireRunbook(catalog, id)
    const given = collectAnswers(args, env.cwd)
    const failOn = failOnLevel(args)
    const open = await openCluster(args, env, config)
    try {
      const audit = await openAudit(open.kafka, resolveAudit(args, config, open.cluster), Boolean(args.values['dry-run']))
      const result = await runRunbook(runbook, { ...(await sessionOptions(args, env, config, open, io, audit)), given, ...(failOn ? { failOn } : {}) })
      return reportResult('run', runbook.id, result, args, env)
    } finally {
      await open.kafka.close()
    }
  },
}
