// `runbook verify <session>`: checks a session's record for an auditor — the hash chain of its transcript, every
// file the transcript vouches for, files it never wrote, and that the session ended — without a cluster.

import { facts, markdown, notice, type Block } from '../engine/blocks.ts'
import { clusterLine } from '../engine/cluster-identity.ts'
import { checkSession, pendingUndoCells, type SessionCheck } from '../engine/verify-session.ts'
import { colorEnabled, renderBlocks, renderWidth } from '../terminal/render.ts'
import type { Command } from './command.ts'
import { loadConfig } from './config-file.ts'
import { ExitCode } from './exit-codes.ts'
import { findSession, UsageError } from './run-support.ts'

export const command: Command = {
  name: 'verify',
  summary: 'check that a session record was not altered',
  help: `Usage: runbook verify <session> [--json] [--sessions-dir <dir>]

Checks a session's record, for an auditor or before trusting it:
  - the transcript (events.jsonl): every line an event, numbered in order, each linked to the one before
    and hashing to what it says — a line removed, added, reordered or edited breaks the chain there;
  - every file the transcript vouches for — undo records, their companion files (previous-offsets.csv),
    exported files — against the SHA-256 it recorded when the file was written;
  - files in undo/ that the run never wrote;
  - that the session ended (a transcript cut short at its end still chains: only a missing end shows it);
  - notebook.md against the transcript it is rendered from (a warning: the transcript is the record).

<session> is an id from \`runbook sessions\` or a session folder.
  --json            the findings as JSON

Exit codes: 0 the record verifies, 1 it does not (one line on stderr says where), 2 no such session.`,
  options: { json: { type: 'boolean' }, 'sessions-dir': { type: 'string' }, config: { type: 'string' } },
  async run(args, env) {
    const config = loadConfig(env.cwd, env.env, args.values.config as string | undefined)
    if (args.positionals.length > 1) throw new UsageError(`one session at a time — got ${args.positionals.join(' ')}`)
    const dir = findSession(args.positionals[0], args, env, config, 'verify')
    const check = checkSession(dir)
    const verified = check.problems.length === 0
    if (args.values.json) env.stdout.write(JSON.stringify(verificationJson(check), null, 2) + '\n')
    else env.stdout.write(renderBlocks(describeVerification(check), { color: colorEnabled(env.stdout, env.env), width: renderWidth(env.stdout) }) + '\n')
    if (verified) return ExitCode.done
    env.stderr.write(`runbook verify: session ${check.id} does not verify: ${check.problems[0]}\n`)
    return ExitCode.failed
  },
}

/** What an auditor's script reads. */
export function verificationJson(check: SessionCheck) {
  return {
    session: check.id,
    dir: check.dir,
    verified: check.problems.length === 0,
    runbook: check.start?.runbook ?? null,
    cluster: check.start?.cluster ?? null,
    operator: check.start ? `${check.start.operator}@${check.start.host}` : null,
    startedAt: check.start?.at ?? null,
    chain: check.chainBreak
      ? { verified: false, events: check.events.length, brokenAt: check.chainBreak.at, seq: check.chainBreak.seq, why: check.chainBreak.why }
      : { verified: true, events: check.events.length, lastHash: check.events.at(-1)?.hash ?? null },
    end: check.end,
    files: check.files,
    unrecorded: check.unrecorded,
    notebook: check.notebook,
    pendingUndo: check.intact ? pendingUndoCells(check.events).map((u) => u.cell) : [],
    problems: check.problems,
    warnings: check.warnings,
  }
}

function describeVerification(check: SessionCheck): Block[] {
  const start = check.start
  const blocks: Block[] = [markdown(`# Session ${check.id}`)]
  if (start?.cluster) blocks.push(markdown(clusterLine({ ...start.cluster, name: start.cluster.name ?? start.cluster.origin })))
  const fileWord = {
    ok: 'matches its recorded hash',
    'earlier-version': 'an earlier recorded version',
    edited: 'CHANGED after it was written',
    missing: 'MISSING',
  }
  blocks.push(
    facts([
      ['Runbook', start ? `${start.runbook}${start.dryRun ? ' (dry run)' : ''}` : '?'],
      ['Operator', start ? `${start.operator}@${start.host}` : '?'],
      ['Started', start?.at ?? '?'],
      ['Ended', check.end ? `${check.end.status} (exit ${check.end.exitCode}, event ${check.end.seq})` : 'no end recorded'],
      [
        'Transcript',
        check.chainBreak
          ? `broken at ${check.chainBreak.at}`
          : `${check.events.length} events, chain verifies (last hash ${check.events.at(-1)!.hash.slice(0, 16)}…)`,
      ],
      ...check.files.map((f): [string, string] => [f.name, `${fileWord[f.state]} (event ${f.recordedAt})`]),
      ...check.unrecorded.map((name): [string, string] => [name, 'NOT written by this run']),
      ['notebook.md', { ok: 'matches the transcript', edited: 'edited after the run', missing: 'missing', unchecked: 'not checked' }[check.notebook]],
    ]),
  )
  for (const problem of check.problems) blocks.push(notice('danger', problem))
  for (const warning of check.warnings) blocks.push(notice('warn', warning))
  blocks.push(check.problems.length === 0 ? notice('ok', 'The record verifies.') : notice('danger', 'The record does not verify: do not trust it as it is.'))
  return blocks
}
