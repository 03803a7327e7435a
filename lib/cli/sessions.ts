// `runbook sessions`: the runs recorded under the sessions folder, newest first, and which can be undone.

import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { table } from '../engine/blocks.ts'
import { checkSession, pendingUndoCells, recordState } from '../engine/verify-session.ts'
import { colorEnabled, renderBlocks, renderWidth } from '../terminal/render.ts'
import type { Command } from './command.ts'
import { loadConfig } from './config-file.ts'
import { ExitCode } from '../engine/exit-codes.ts'
import { sessionsDir } from './sessions-dir.ts'
import { UsageError } from './usage-error.ts'

export const command: Command = {
  name: 'sessions',
  summary: 'list recorded sessions',
  help: `Usage: runbook sessions [--json] [--sessions-dir <dir>] [--limit <n>]

Lists recorded runs, newest first: runbook, cluster, operator, how it ended, whether its record verifies
(\`runbook verify <session>\` says more) and whether \`runbook undo\` can restore it.`,
  options: { json: { type: 'boolean' }, 'sessions-dir': { type: 'string' }, limit: { type: 'string' }, config: { type: 'string' } },
  async run(args, env) {
    const config = loadConfig(env.cwd, env.env, args.values.config as string | undefined)
    const dir = sessionsDir(args, env, config)
    const limitText = (args.values.limit as string | undefined) ?? '20'
    if (!/^\s*[1-9]\d*\s*$/.test(limitText)) throw new UsageError(`--limit takes a positive whole number, not ${JSON.stringify(limitText)}`)
    const limit = Number(limitText)
    // Newest first by name; only as many folders are looked into as the listing shows.
    const ids: string[] = []
    if (existsSync(dir))
      for (const name of listFolder(dir).sort().reverse()) {
        if (ids.length === limit) break
        if (existsSync(join(dir, name, 'events.jsonl'))) ids.push(name)
      }
    const rows = ids.map((id) => {
      // Every listed session is verified as it is read: a record that does not verify says so, and where.
      const check = checkSession(join(dir, id))
      return {
        id,
        runbook: check.start?.runbook ?? '?',
        operator: check.start?.operator ?? '?',
        cluster: check.start?.cluster?.name ?? check.start?.cluster?.origin ?? null,
        clusterId: check.start?.cluster?.clusterId ?? null,
        startedAt: check.start?.at ?? null,
        status: check.end?.status ?? 'unfinished',
        record: recordState(check),
        verified: check.intact && check.problems.length === 0,
        undoable: check.intact && pendingUndoCells(check.events).length > 0,
        path: join(dir, id),
      }
    })
    if (args.values.json) {
      env.stdout.write(JSON.stringify(rows, null, 2) + '\n')
      return ExitCode.done
    }
    const block = table(
      ['Session', 'Runbook', 'Cluster', 'Operator', 'Ended', 'Record', 'Undo'],
      rows.map((r) => [r.id, r.runbook, r.cluster ?? '?', r.operator, r.status, r.record, r.undoable ? 'yes' : '–']),
      {
        footer:
          rows.length === 0
            ? `No sessions in ${dir}.`
            : `Sessions in ${dir}. Check one with \`runbook verify <session>\`; undo one with \`runbook undo <session>\`.`,
      },
    )
    env.stdout.write(renderBlocks([block], { color: colorEnabled(env.stdout, env.env), width: renderWidth(env.stdout) }) + '\n')
    return ExitCode.done
  },
}

function listFolder(dir: string): string[] {
  try {
    return readdirSync(dir)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message
    throw new UsageError(`cannot list the sessions in ${dir} (${code}) — give the sessions folder with --sessions-dir`)
  }
}
