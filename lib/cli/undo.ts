// `runbook undo <session>`: restores what a session changed, after re-checking that nobody changed it since.

import { existsSync } from 'node:fs'
import { isAbsolute, join, resolve } from 'node:path'
import { runUndo } from '../engine/undo.ts'
import type { Command } from './command.ts'
import { loadConfig } from './config-file.ts'
import { connectionHelp, connectionOptions } from './connection.ts'
import { isInteractive, makeIo, openCluster, reportResult, runModeHelp, runModeOptions, sessionOptions } from './run-support.ts'
import { sessionsDir } from './sessions-dir.ts'
import { openCatalog } from './catalog.ts'
import { UsageError } from './usage-error.ts'

export const command: Command = {
  name: 'undo',
  summary: 'restore what a session changed',
  help: `Usage: runbook undo <session> [options]

For each change the session applied (newest first): shows what will be restored, re-checks that the
cluster is still as the session left it (stops if someone changed it since), asks you to confirm,
restores, and verifies. The undo is recorded as a session of its own. <session> is an id from
\`runbook sessions\` or a session folder.

${runModeHelp}

${connectionHelp}`,
  options: { ...connectionOptions, ...runModeOptions, runbooks: { type: 'string', multiple: true }, config: { type: 'string' } },
  async run(args, env) {
    const target = args.positionals[0]
    if (!target) throw new UsageError('which session? — `runbook undo <session>`; `runbook sessions` lists them')
    const config = loadConfig(env.cwd, env.env, args.values.config as string | undefined)
    const dir = sessionsDir(args, env, config)
    const sessionDir = [isAbsolute(target) ? target : resolve(env.cwd, target), join(dir, target)].find((p) => existsSync(join(p, 'events.jsonl')))
    if (!sessionDir) throw new UsageError(`no session "${target}" in ${dir} — \`runbook sessions\` lists them`)
    const catalog = await openCatalog(args, env, config)
    const interactive = isInteractive(args, env)
    const open = await openCluster(args, env, config)
    try {
      const options = await sessionOptions(args, env, config, open, await makeIo(interactive, args, env))
      const result = await runUndo({
        ...options,
        sessionDir,
        findRunbook: async (id) => {
          const loaded = await catalog.load(id)
          return loaded && 'runbook' in loaded ? loaded.runbook : undefined
        },
      })
      return reportResult('undo', result, args, env)
    } finally {
      await open.kafka.close()
    }
  },
}
