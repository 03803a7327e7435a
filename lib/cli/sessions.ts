// `runbook sessions`: the runs recorded under the sessions folder, newest first, and which can be undone.

import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { table } from '../engine/blocks.ts'
import { readEvents } from '../engine/session.ts'
import { pendingUndos } from '../engine/undo.ts'
import { colorEnabled, renderBlocks, renderWidth } from '../terminal/render.ts'
import type { Command } from './command.ts'
import { loadConfig } from './config-file.ts'
import { ExitCode } from '../engine/exit-codes.ts'
import { sessionsDir } from './run-support.ts'

export const command: Command = {
  name: 'sessions',
  summary: 'list recorded sessions',
  help: `Usage: runbook sessions [--json] [--sessions-dir <dir>] [--limit <n>]

Lists recorded runs, newest first: runbook, operator, how it ended, and whether \`runbook undo\` can restore it.`,
  options: { json: { type: 'boolean' }, 'sessions-dir': { type: 'string' }, limit: { type: 'string' }, config: { type: 'string' } },
  async run(args, env) {
    const config = loadConfig(env.cwd, env.env, args.values.config as string | undefined)
    const dir = sessionsDir(args, env, config)
    const limit = Number(args.values.limit ?? 20)
    const ids = existsSync(dir)
      ? readdirSync(dir)
          .filter((name) => existsSync(join(dir, name, 'events.jsonl')))
          .sort()
          .reverse()
      : []
    const rows = ids.slice(0, Number.isFinite(limit) && limit > 0 ? limit : 20).map((id) => {
      const events = readEvents(join(dir, id))
      const start = events.find((e) => e.type === 'session-start')
      const end = events.findLast((e) => e.type === 'session-end')
      return {
        id,
        runbook: start?.type === 'session-start' ? start.runbook : '?',
        operator: start?.type === 'session-start' ? start.operator : '?',
        startedAt: start?.at ?? null,
        status: end?.type === 'session-end' ? end.status : 'unfinished',
        undoable: pendingUndos(join(dir, id)).length > 0,
        path: join(dir, id),
      }
    })
    if (args.values.json) {
      env.stdout.write(JSON.stringify(rows, null, 2) + '\n')
      return ExitCode.done
    }
    const block = table(
      ['Session', 'Runbook', 'Operator', 'Ended', 'Undo'],
      rows.map((r) => [r.id, r.runbook, r.operator, r.status, r.undoable ? 'yes' : '–']),
      { footer: rows.length === 0 ? `No sessions in ${dir}.` : `Sessions in ${dir}. Undo one with \`runbook undo <session>\`.` },
    )
    env.stdout.write(renderBlocks([block], { color: colorEnabled(env.stdout, env.env), width: renderWidth(env.stdout) }) + '\n')
    return ExitCode.done
  },
}
