// What `run` and `undo` share: answers from flags and files, the mode, the Io, the cluster connection,
// where sessions go, who the operator is, and the JSON result.

import { openLogDir } from '../kafka/log-dir/index.ts'
import { readFileSync } from 'node:fs'
import { hostname, userInfo } from 'node:os'
import { resolve } from 'node:path'
import type { KafkaOps } from '../kafka/types.ts'
import type { Io } from '../engine/io.ts'
import type { AnswerSource, RunResult } from '../engine/runner.ts'
import { headlessIo } from '../terminal/headless-io.ts'
import { colorEnabled, renderWidth } from '../terminal/render.ts'
import type { CommandEnv, OptionSpec, ParsedArgs } from './command.ts'
import type { RunbookConfig } from './config-file.ts'
import { resolveConnection } from './connection.ts'
import { jsonReplacer } from '../engine/canonical-json.ts'
import type { SessionOptions } from '../engine/run-state.ts'
import { readClusterIdentity, type ClusterIdentity } from '../engine/cluster-identity.ts'
import { packageVersion } from './package-version.ts'
import { UsageError } from './usage-error.ts'
import { sessionsDir } from './sessions-dir.ts'

export const runModeOptions: OptionSpec = {
  yes: { type: 'boolean', short: 'y' },
  approve: { type: 'string', multiple: true },
  'dry-run': { type: 'boolean' },
  json: { type: 'boolean' },
  headless: { type: 'boolean' },
  'sessions-dir': { type: 'string' },
  operator: { type: 'string' },
}

export const runModeHelp = `Modes:
  (a terminal)               guided: you see every step and confirm every change
  --dry-run                  plan and preview only; nothing is changed, no command is run
  --yes                      headless: approve every plan this run makes
  --approve <hash>           headless: apply only a plan with exactly this hash (or <cell>=<hash>); repeatable
  --headless                 never prompt, even on a terminal (missing answers stop the run)
  --json                     print the result as JSON on stdout (implies headless)
Record:
  --sessions-dir <dir>       where transcripts go (default .runbook/sessions, or "sessionsDir" in runbook.config.json)
  --operator <name>          who is running this (default: RUNBOOK_OPERATOR or your user name)
Exit codes: 0 done, 1 failed, 2 refused or bad input (nothing changed), 3 the cluster drifted (nothing changed), 130 Ctrl-C`

const failOnLevels = ['high', 'medium', 'low'] as const

/** --fail-on <level>: undefined when not given; bad values are a usage error. */
export function failOnLevel(args: ParsedArgs): (typeof failOnLevels)[number] | undefined {
  const value = args.values['fail-on']
  if (value === undefined) return undefined
  if (typeof value !== 'string' || !(failOnLevels as readonly string[]).includes(value)) {
    throw new UsageError(`--fail-on takes ${failOnLevels.join(', ')}, not "${String(value)}"`)
  }
  return value as (typeof failOnLevels)[number]
}

/** --set k=v and --answers file → one map of answers; flags win over the file. */
export function collectAnswers(args: ParsedArgs, cwd: string): Map<string, { text: string; source: AnswerSource }> {
  const answers = new Map<string, { text: string; source: AnswerSource }>()
  const file = args.values.answers as string | undefined
  if (file) {
    let parsed: unknown
    try {
      parsed = JSON.parse(readFileSync(resolve(cwd, file), 'utf8'))
    } catch (error) {
      throw new UsageError(`cannot read answers file ${file} (${(error as Error).message.split('\n')[0]}) — give a JSON object of name → value`)
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new UsageError(`answers file ${file} must hold a JSON object of name → value`)
    for (const [key, value] of Object.entries(parsed)) {
      if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
        throw new UsageError(`answers file ${file}: "${key}" must be a string, number or boolean`)
      }
      answers.set(key, { text: String(value), source: 'answers' })
    }
  }
  for (const entry of (args.values.set as string[] | undefined) ?? []) {
    const eq = entry.indexOf('=')
    if (eq <= 0) throw new UsageError(`--set ${entry}: expected name=value`)
    answers.set(entry.slice(0, eq).trim(), { text: entry.slice(eq + 1), source: 'flag' })
  }
  return answers
}

export function isInteractive(args: ParsedArgs, env: CommandEnv): boolean {
  if (args.values.json || args.values.headless || args.values.yes) return false
  if (((args.values.approve as string[] | undefined) ?? []).length > 0) return false
  return env.stdin.isTTY === true && env.stdout.isTTY === true
}

/** The Io for this run; Inquirer and ora are loaded only when a person is there to answer. */
export async function makeIo(interactive: boolean, args: ParsedArgs, env: CommandEnv): Promise<Io> {
  const render = { color: colorEnabled(env.stdout, env.env), width: renderWidth(env.stdout) }
  if (interactive) {
    const { terminalIo } = await import('../terminal/terminal-io.ts')
    return terminalIo({ input: env.stdin, output: env.stdout, signal: env.signal }, render)
  }
  return headlessIo(args.values.json ? null : env.stdout, render)
}

export function operatorName(args: ParsedArgs, env: CommandEnv): { operator: string; host: string } {
  let user = 'unknown'
  try {
    user = userInfo().username
  } catch {
    // no passwd entry (some containers)
  }
  return { operator: (args.values.operator as string | undefined) ?? env.env.RUNBOOK_OPERATOR ?? user, host: hostname() }
}

export interface OpenCluster {
  readonly kafka: KafkaOps
  readonly secrets: readonly string[]
  readonly cluster: ClusterIdentity
}

/** Connects (importing the Kafka client only now) and asks the cluster who it is, for the header and the transcript. */
export async function openCluster(args: ParsedArgs, env: CommandEnv, config: RunbookConfig): Promise<OpenCluster> {
  const connection = await resolveConnection(args, env.env, env.cwd, config)
  const { connect } = await import('../kafka/index.ts')
  const kafka = await connect({ ...connection.options, onNotice: (line) => env.stderr.write(`runbook: ${line}\n`) })
  try {
    return { kafka, secrets: connection.secrets, cluster: await readClusterIdentity(kafka, connection.choice) }
  } catch (error) {
    await kafka.close()
    throw error
  }
}

/** The session options every recording command builds the same way from its flags and the open cluster. */
export async function sessionOptions(
  args: ParsedArgs,
  env: CommandEnv,
  config: RunbookConfig,
  open: OpenCluster,
  io: Io,
  audit?: SessionOptions['audit'],
): Promise<SessionOptions> {
  return {
    ...(audit ? { audit } : {}),
    io,
    kafka: open.kafka,
    sessionsDir: sessionsDir(args, env, config),
    approvals: { yes: Boolean(args.values.yes), hashes: (args.values.approve as string[] | undefined) ?? [] },
    dryRun: Boolean(args.values['dry-run']),
    ...operatorName(args, env),
    cluster: open.cluster,
    args: args.raw,
    secrets: open.secrets,
    signal: env.signal,
    toolVersion: await packageVersion(),
    openLogDir,
  }
}

/** The result of a headless run, for scripts. */
export function resultJson(runbookId: string, result: RunResult, dryRun: boolean): string {
  return JSON.stringify(
    {
      runbook: runbookId,
      status: result.status,
      exitCode: result.exitCode,
      dryRun,
      ...(result.message ? { message: result.message } : {}),
      cluster: result.cluster,
      session: result.sessionId,
      sessionDir: result.sessionDir,
      ...(result.findings ? { findings: result.findings } : {}),
      cells: result.cells,
    },
    jsonReplacer,
    2,
  )
}

/**
 * Prints the run's last line for a person (the notebook path); JSON mode prints the result instead. A run that
 * did not end well also says why in one line on stderr, whatever the mode: stdout keeps the notebook (or the
 * JSON), and a script that only reads stderr still learns why the exit code is not 0.
 */
export function reportResult(command: string, runbookId: string, result: RunResult, args: ParsedArgs, env: CommandEnv): number {
  if (args.values.json) env.stdout.write(resultJson(runbookId, result, Boolean(args.values['dry-run'])) + '\n')
  else if (!isInteractive(args, env)) env.stdout.write(`session: ${result.sessionDir}\n`)
  if (result.exitCode !== 0) env.stderr.write(`runbook ${command}: ${oneLine(result.message ?? result.status)}\n`)
  return result.exitCode
}

/** Folds a message onto one line: what a person reads on stderr is never more than one. */
export function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim()
}
