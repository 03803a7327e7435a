// `runbook undo <session>`: restores what a session changed, after re-checking that nobody changed it since.

import { basename } from 'node:path'
import { runUndo } from '../engine/undo.ts'
import { checkSession } from '../engine/verify-session.ts'
import type { Command } from './command.ts'
import { loadConfig } from './config-file.ts'
import { auditHelp, auditOptions, openAudit, resolveAudit } from './audit.ts'
import { connectionHelp, connectionOptions } from './connection.ts'
import { isInteractive, makeIo, openCluster, reportResult, runModeHelp, runModeOptions, sessionOptions } from './run-support.ts'
import { findSession } from './sessions-dir.ts'
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

Refused (exit 2, nothing restored) when the session's record does not verify (\`runbook verify\`: its
hash chain, and each undo file against the hash the transcript recorded for it), or when the cluster
is not the one the session changed (its cluster id differs).

${runModeHelp}

${auditHelp}

${connectionHelp}`,
  options: { ...connectionOptions, ...runModeOptions, ...auditOptions, runbooks: { type: 'string', multiple: true }, config: { type: 'string' } },
  async run(args, env) {
    const config = loadConfig(env.cwd, env.env, args.values.config as string | undefined)
    if (args.positionals.length > 1) throw new UsageError(`one session at a time — got ${args.positionals.join(' ')}`)
    const sessionDir = findSession(args.positionals[0], args, env, config, 'undo')
    const catalog = await openCatalog(args, env, config)
    const interactive = isInteractive(args, env)
    const open = await openCluster(args, env, config)
    try {
      // The undo of an audited session is anchored in the same trail, unless the team's config says otherwise.
      const recorded = checkSession(sessionDir).start?.audit
      const inherited =
        recorded && 'topic' in recorded && !args.values['no-audit']
          ? { topic: recorded.topic, allowSkip: false, from: `session ${basename(sessionDir)}` }
          : null
      const audit = await openAudit(open.kafka, resolveAudit(args, config, open.cluster) ?? inherited, Boolean(args.values['dry-run']))
      const options = await sessionOptions(args, env, config, open, await makeIo(interactive, args, env), audit)
      const result = await runUndo({
        ...options,
        sessionDir,
        findRunbook: async (id) => {
          const loaded = await catalog.load(id)
          return loaded && 'runbook' in loaded ? loaded.runbook : undefined
        },
      })
      return reportResult('undo', 'undo', result, args, env)
    } finally {
      await open.kafka.close()
    }
  },
}
