// Runs one drill: start (or reuse) the sandbox, let the scenario set up and break it, hand the trainee the
// runbook (on the terminal, headless with answers, with the scenario's own answers, or not at all), let the
// system carry on, score, and save the report beside the transcript. Every workload it started is stopped,
// and the sandbox too if this drill started it — on success, on failure and on Ctrl-C.

import { randomBytes } from 'node:crypto'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { markdown } from '../engine/blocks.ts'
import type { Io } from '../engine/io.ts'
import type { AnswerSource, RunOptions, RunResult } from '../engine/runner.ts'
import { runRunbook } from '../engine/runner.ts'
import type { AnyRunbook } from '../engine/runbook.ts'
import type { KafkaOps } from '../kafka/types.ts'
import { down, type SandboxConfig, type SandboxProbe, type SandboxStatus, up } from '../sandbox/index.ts'
import { type DrillReport, saveDrillReport } from './report.ts'
import type { ConnectKafka, DrillContext, DrillScenario, Incident, TraineeOutcome } from './scenario.ts'
import { WorkloadProcesses } from './workload-processes.ts'
import { ExitCode } from '../engine/exit-codes.ts'

type Answers = ReadonlyMap<string, { readonly text: string; readonly source: AnswerSource }>

/** How the trainee meets the runbook. */
export type Trainee =
  /** A person at a terminal: the runbook asks what it needs. */
  | { readonly kind: 'guided'; readonly io: Io; readonly answers: Answers }
  /** Headless with the trainee's answers (--set, --yes / --approve). */
  | { readonly kind: 'headless'; readonly io: Io; readonly answers: Answers; readonly approvals: RunOptions['approvals'] }
  /** Headless with the scenario's own correct answers: the demonstration, and the tests' "follow the runbook". */
  | { readonly kind: 'follow'; readonly io: Io }
  /** Nobody acts for `waitMs`: the cost of the incident left alone. */
  | { readonly kind: 'nothing'; readonly waitMs: number }

export interface DrillOptions {
  readonly scenario: DrillScenario
  /** One of the scenario's variants (default: its first); only for a scenario that has variants. */
  readonly variant?: string
  readonly runbook: AnyRunbook
  readonly trainee: Trainee
  /** The sandbox to run on (its name and ports); started if it is not running. */
  readonly sandbox: SandboxConfig
  readonly probe: SandboxProbe
  /**
   * Our access to the drill's sandbox, for the scenario and the trainee's runbook: through its PLAINTEXT listener,
   * or a secured one (a secured sandbox hands out client files); `secrets` are masked in the transcript.
   */
  readonly connect: (sandbox: SandboxStatus) => Promise<{ readonly kafka: KafkaOps; readonly secrets: readonly string[] }>
  /** Opens a stopped broker's log directory for the runbook (--set dead-log-dirs); without it, folders are refused. */
  readonly openLogDir?: RunOptions['openLogDir']
  /** Opens a client on some of the sandbox's brokers (host:port,…, PLAINTEXT): the scenarios get it as `ctx.connect`. */
  readonly connectTo: ConnectKafka
  /** Drill folders (ledgers, logs, the report when no runbook ran) go under here. */
  readonly drillsDir: string
  readonly sessionsDir: string
  /** Leave a sandbox this drill started running afterwards (for another drill). */
  readonly keepSandbox?: boolean
  readonly operator: string
  readonly host: string
  readonly toolVersion: string
  readonly args: readonly string[]
  readonly signal: AbortSignal
  readonly onProgress: (line: string) => void
}

export interface DrillResult {
  readonly report: DrillReport
  /** Where the report was saved (Markdown). */
  readonly reportPaths: readonly string[]
}

function abortableSleep(signal: AbortSignal) {
  return (ms: number) =>
    new Promise<void>((resolve, reject) => {
      if (signal.aborted) return reject(new DrillInterrupted())
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort)
        resolve()
      }, ms)
      const onAbort = () => {
        clearTimeout(timer)
        reject(new DrillInterrupted())
      }
      signal.addEventListener('abort', onAbort, { once: true })
    })
}

/** Ctrl-C during a drill: everything it started is stopped, nothing is scored. */
export class DrillInterrupted extends Error {
  readonly exitCode = ExitCode.interrupted
  constructor() {
    super('drill interrupted; its workloads were stopped')
    this.name = 'DrillInterrupted'
  }
}

/** The variant a drill plays: the one asked for, else the scenario's first (null without variants); an unknown one is a one-line error. */
export function chooseVariant(scenario: DrillScenario, asked: string | undefined): { variant: string | null } | { error: string } {
  const known = scenario.variants ?? []
  if (asked === undefined) return { variant: known[0]?.id ?? null }
  if (known.some((v) => v.id === asked)) return { variant: asked }
  return {
    error: known.length
      ? `${scenario.id} has no variant "${asked}" — one of ${known.map((v) => v.id).join(', ')}`
      : `${scenario.id} has no variants — leave out --variant`,
  }
}

export async function runDrill(options: DrillOptions): Promise<DrillResult> {
  const { scenario, signal } = options
  const chosen = chooseVariant(scenario, options.variant)
  if ('error' in chosen) throw new Error(chosen.error)
  const { variant } = chosen
  const runId = randomBytes(3).toString('hex')
  const drillId = `${new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)}-${scenario.id}-${runId}`
  const dir = join(options.drillsDir, drillId)
  mkdirSync(dir, { recursive: true })
  const timeline: { at: string; line: string }[] = []
  const log = (line: string) => {
    timeline.push({ at: new Date().toISOString(), line })
    options.onProgress(line)
  }

  log(`starting or reusing sandbox ${options.sandbox.name}`)
  // A sandbox this drill starts is watched: if the drill dies, the watchdog stops it (unless it is to be kept).
  const info = await up(options.sandbox, {
    probe: options.probe,
    ...(options.keepSandbox ? {} : { ownerPid: process.pid }),
    signal,
    onProgress: (line) => options.onProgress(`  ${line}`),
  })
  const workloads = new WorkloadProcesses(dir)
  let kafka: KafkaOps | null = null
  try {
    const access = await options.connect(info)
    kafka = access.kafka
    const ctx: DrillContext = {
      kafka,
      connect: options.connectTo,
      bootstrap: info.bootstrap,
      sandbox: options.sandbox,
      dir,
      runId,
      variant,
      workloads,
      signal,
      log,
      now: Date.now,
      sleep: abortableSleep(signal),
    }
    // Ctrl-C ends the drill at the next step boundary (waits inside a step end at once): no restarts, no score.
    const step = async <T>(work: () => Promise<T>): Promise<T> => {
      const result = await work()
      if (signal.aborted) throw new DrillInterrupted()
      return result
    }
    const incident = await step(() => scenario.start(ctx))
    const outcome = await step(() => runTrainee(options, ctx, incident, access.secrets))
    log(outcome.run ? `runbook ended: ${outcome.run.status} (exit ${outcome.run.exitCode})` : 'no runbook was run')
    await step(() => scenario.finish(ctx, incident, outcome))
    const score = await step(() => scenario.score(ctx, incident, outcome))
    log(`scored: ${score.headline}`)
    const report: DrillReport = {
      drillId,
      scenario: { id: scenario.id, title: scenario.title, ...(variant === null ? {} : { variant }) },
      runbook: scenario.runbook,
      mode: outcome.mode,
      sandbox: { name: info.name, bootstrap: info.bootstrap, kafkaVersion: info.kafkaVersion, reused: !info.started },
      brokenAt: new Date(incident.brokenAtMs).toISOString(),
      traineeStartedAt: new Date(outcome.startedAtMs).toISOString(),
      traineeEndedAt: new Date(outcome.endedAtMs).toISOString(),
      finishedAt: new Date().toISOString(),
      session: outcome.run
        ? {
            id: outcome.run.sessionId,
            dir: outcome.run.sessionDir,
            status: outcome.run.status,
            exitCode: outcome.run.exitCode,
            ...(outcome.run.message ? { message: outcome.run.message } : {}),
          }
        : null,
      score,
      timeline,
      dir,
    }
    const reportPaths = saveDrillReport(report, outcome.run ? [outcome.run.sessionDir, dir] : [dir])
    return { report, reportPaths }
  } catch (error) {
    if (signal.aborted) throw new DrillInterrupted()
    throw error
  } finally {
    await workloads.stopAll()
    await kafka?.close().catch(() => {})
    if (info.started && !options.keepSandbox) {
      options.onProgress(`stopping sandbox ${info.name} (this drill started it)`)
      await down(options.sandbox)
    }
  }
}

async function runTrainee(options: DrillOptions, ctx: DrillContext, incident: Incident, secrets: readonly string[]): Promise<TraineeOutcome> {
  const { trainee } = options
  const startedAtMs = Date.now()
  if (trainee.kind === 'nothing') {
    ctx.log(`nobody acts for ${Math.round(trainee.waitMs / 1000)} s (do-nothing baseline)`)
    await ctx.sleep(trainee.waitMs)
    return { mode: 'nothing', run: null, startedAtMs, endedAtMs: Date.now() }
  }
  const toAnswers = (entries: Readonly<Record<string, string>>, source: AnswerSource) =>
    new Map(Object.entries(entries).map(([k, v]) => [k, { text: v, source }]))
  let given: Map<string, { text: string; source: AnswerSource }>
  let approvals: RunOptions['approvals'] = { yes: false, hashes: [] }
  if (trainee.kind === 'follow') {
    given = toAnswers(incident.solution, 'flag')
    approvals = { yes: true, hashes: [] }
  } else if (trainee.kind === 'headless') {
    given = new Map([...toAnswers(incident.known, 'answers'), ...trainee.answers])
    approvals = trainee.approvals
  } else given = new Map(trainee.answers)
  trainee.io.show([markdown(incident.briefing)])
  ctx.log(`the trainee gets runbook ${options.scenario.runbook} (${trainee.kind})`)
  const cluster = await ctx.kafka.cluster().catch(() => null)
  const caps = await ctx.kafka.capabilities().catch(() => null)
  const run: RunResult = await runRunbook(options.runbook, {
    io: trainee.io,
    kafka: ctx.kafka,
    sessionsDir: options.sessionsDir,
    given,
    approvals,
    dryRun: false,
    operator: options.operator,
    host: options.host,
    cluster: {
      origin: `drill ${options.scenario.id} on sandbox ${options.sandbox.name}`,
      clusterId: cluster?.clusterId ?? null,
      kafkaLine: caps?.kafkaLine ?? null,
      elr: caps?.elr ?? 'unsupported',
    },
    args: options.args,
    secrets,
    signal: ctx.signal,
    toolVersion: options.toolVersion,
    ...(options.openLogDir ? { openLogDir: options.openLogDir } : {}),
  })
  return { mode: trainee.kind, run, startedAtMs, endedAtMs: Date.now() }
}
