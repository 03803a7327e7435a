// `runbook verify <session>`: checks a session's record for an auditor — the hash chain of its transcript, every
// file the transcript vouches for, files it never wrote, and that the session ended — without a cluster.

import { AuditTrailError, compareAnchors, readAnchors } from '../engine/audit-trail.ts'
import { facts, formatCount, markdown, notice, type Block } from '../engine/blocks.ts'
import { clusterLine, sameCluster } from '../engine/cluster-identity.ts'
import { checkSession, pendingUndoCells, type SessionCheck } from '../engine/verify-session.ts'
import { colorEnabled, renderBlocks, renderWidth } from '../terminal/render.ts'
import type { Command, CommandEnv, ParsedArgs } from './command.ts'
import { isTopicName, loadConfig, type RunbookConfig } from './config-file.ts'
import { connectionHelp, connectionOptions } from './connection.ts'
import { ExitCode } from '../engine/exit-codes.ts'
import { openCluster } from './run-support.ts'
import { findSession } from './sessions-dir.ts'
import { UsageError } from './usage-error.ts'

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

  - when the session was run with an audit trail (or --audit-topic names one): the anchors in that Kafka
    topic against the transcript — an anchored event the transcript lost or changed, a decisive event never
    anchored. A chain rewritten whole on this disk verifies locally; only the anchors show it.

<session> is an id from \`runbook sessions\` or a session folder.
  --json                 the findings as JSON
  --audit-topic <topic>  read the anchors from this topic (default: the one the session recorded)
  --local                check only what is on this disk (no cluster needed; anchors are not read)

Exit codes: 0 the record verifies, 1 it does not (one line on stderr says where), 2 no such session or cluster.

${connectionHelp}`,
  options: {
    ...connectionOptions,
    json: { type: 'boolean' },
    'sessions-dir': { type: 'string' },
    config: { type: 'string' },
    'audit-topic': { type: 'string' },
    local: { type: 'boolean' },
  },
  async run(args, env) {
    const config = loadConfig(env.cwd, env.env, args.values.config as string | undefined)
    if (args.positionals.length > 1) throw new UsageError(`one session at a time — got ${args.positionals.join(' ')}`)
    const dir = findSession(args.positionals[0], args, env, config, 'verify')
    const local = checkSession(dir)
    const anchors = await anchorCheck(local, args, env, config)
    const check: SessionCheck = anchors ? { ...local, problems: [...local.problems, ...anchors.problems] } : local
    const verified = check.problems.length === 0
    if (args.values.json) env.stdout.write(JSON.stringify({ ...verificationJson(check), anchors }, null, 2) + '\n')
    else
      env.stdout.write(renderBlocks(describeVerification(check, anchors), { color: colorEnabled(env.stdout, env.env), width: renderWidth(env.stdout) }) + '\n')
    if (verified) return ExitCode.done
    env.stderr.write(`runbook verify: session ${check.id} does not verify: ${check.problems[0]}\n`)
    return ExitCode.failed
  },
}

/** What the audit topic says about this session; null when there is no trail to read (or --local). */
export interface AnchorFindings {
  readonly topic: string
  readonly read: number
  readonly problems: readonly string[]
}

async function anchorCheck(check: SessionCheck, args: ParsedArgs, env: CommandEnv, config: RunbookConfig): Promise<AnchorFindings | null> {
  const flag = args.values['audit-topic'] as string | undefined
  if (flag !== undefined && !isTopicName(flag.trim()))
    throw new UsageError(`--audit-topic ${JSON.stringify(flag)} is not a Kafka topic name (letters, digits, . _ -)`)
  const recorded = check.start?.audit && 'topic' in check.start.audit ? check.start.audit.topic : undefined
  const topic = flag?.trim() ?? recorded
  if (args.values.local || topic === undefined) return null
  const open = await openCluster(args, env, config)
  try {
    const sessionCluster = check.start?.cluster?.clusterId
    if (!sameCluster(sessionCluster, open.cluster.clusterId)) {
      throw new UsageError(
        `session ${check.id} ran on cluster id ${sessionCluster ?? 'unknown'}, but this is cluster ${open.cluster.name} (id ${open.cluster.clusterId ?? 'unknown'}) — connect to the cluster whose audit topic holds its anchors, or use --local`,
      )
    }
    let found
    try {
      found = await readAnchors(open.kafka, topic, check.id)
    } catch (error) {
      if (error instanceof AuditTrailError)
        throw new UsageError(`${error.message} — cannot compare the transcript with its anchors (--local checks the disk only)`)
      throw error
    }
    return { topic, read: found.length, problems: compareAnchors(check.events, found, recorded !== undefined) }
  } finally {
    await open.kafka.close()
  }
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

function describeVerification(check: SessionCheck, anchors: AnchorFindings | null): Block[] {
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
      [
        'Audit trail',
        anchors
          ? `${formatCount(anchors.read)} ${anchors.read === 1 ? 'anchor' : 'anchors'} in topic ${anchors.topic}${anchors.problems.length ? ', NOT matching the transcript' : ', matching the transcript'}`
          : check.start?.audit && 'topic' in check.start.audit
            ? `topic ${check.start.audit.topic} (not read: --local)`
            : check.start?.audit && 'skipped' in check.start.audit
              ? `skipped: ${check.start.audit.skipped}`
              : 'none (the session was not run with one)',
      ],
    ]),
  )
  for (const problem of check.problems) blocks.push(notice('danger', problem))
  for (const warning of check.warnings) blocks.push(notice('warn', warning))
  blocks.push(check.problems.length === 0 ? notice('ok', 'The record verifies.') : notice('danger', 'The record does not verify: do not trust it as it is.'))
  return blocks
}
