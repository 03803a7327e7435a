// What a drill scenario is: how it sets a sandbox up, breaks it, what the trainee is told, what the right
// answers would be, what happens after the runbook, and how the outcome is scored. lib/drills/drill.ts runs
// any scenario the same way; lib/drills/scenarios/ holds them.

import type { ConnectionOptions, KafkaOps } from '../kafka/types.ts'
import type { RunResult } from '../engine/runner.ts'
import type { SandboxConfig, SandboxOverrides } from '../sandbox/index.ts'
import type { WorkloadProcesses } from './workload-processes.ts'

/** Opens a client on `bootstrap` (host:port,…): the caller wires the real adapter, so drills never import it. */
export type ConnectKafka = (bootstrap: string, options?: Pick<ConnectionOptions, 'clientId' | 'requestTimeoutMs'>) => Promise<KafkaOps>

/** What every scenario step gets. */
export interface DrillContext {
  /** Connected to the drill's sandbox. */
  readonly kafka: KafkaOps
  /** Another client, e.g. one that talks to a single broker; the scenario closes it. */
  readonly connect: ConnectKafka
  readonly bootstrap: string
  readonly sandbox: SandboxConfig
  /** This drill's folder: ledgers and workload logs. */
  readonly dir: string
  /** A short id unique to this drill run, for topic and group names. */
  readonly runId: string
  /** The variant being played (the scenario's first one unless asked), or null for a scenario without variants. */
  readonly variant: string | null
  readonly workloads: WorkloadProcesses
  readonly signal: AbortSignal
  /** One line of progress for the trainee (and the report's timeline). */
  log(line: string): void
  now(): number
  /** Waits, or rejects when the drill is interrupted. */
  sleep(ms: number): Promise<void>
}

/** The incident as the trainee gets it, and what a correct run of the runbook would be given. */
export interface Incident {
  /** When the fault was injected (ms since the epoch): time to fix is counted from here. */
  readonly brokenAtMs: number
  /** Markdown: the page the on-call engineer receives. */
  readonly briefing: string
  /** Facts an on-call engineer would have from the page (the group name): given to headless runs. */
  readonly known: Readonly<Record<string, string>>
  /** Answers that fix the incident: what `--follow` (and the tests) run with. */
  readonly solution: Readonly<Record<string, string>>
  /** Anything the scenario's later steps need. */
  readonly state: unknown
}

/** One scored figure of the outcome. */
export interface DrillMetric {
  readonly name: string
  readonly value: number | null
  readonly unit: string
  /** Whether this figure is what a good run produces; null when it is only informative. */
  readonly good: boolean | null
  readonly detail?: string
  /** What the best decision would have cost in the same unit, when the scenario knows it. */
  readonly best?: number | null
}

export interface DrillScore {
  /** true when the data came out right (e.g. nothing lost) and nothing unsafe was tried. */
  readonly passed: boolean
  readonly headline: string
  readonly metrics: readonly DrillMetric[]
  /** Notes for the debrief: what went well, what to do next time. */
  readonly notes: readonly string[]
}

/** What the trainee did, as the scorer sees it. */
export interface TraineeOutcome {
  readonly mode: 'guided' | 'headless' | 'follow' | 'nothing'
  /** The runbook session, when the runbook ran. */
  readonly run: RunResult | null
  readonly startedAtMs: number
  readonly endedAtMs: number
}

/** One way a scenario can break the system (`runbook drill <id> --variant <variant>`). */
export interface DrillVariant {
  readonly id: string
  /** One line for `runbook drill --list`. */
  readonly summary: string
}

export interface DrillScenario {
  readonly id: string
  readonly title: string
  /** One line for `runbook drill --list`. */
  readonly summary: string
  /** The ways this scenario breaks the system; the first is played unless another is asked for. */
  readonly variants?: readonly DrillVariant[]
  /** The runbook the trainee is handed. */
  readonly runbook: string
  /** Settings this scenario needs from its sandbox (a version, ELR off); merged over the drill's own. */
  readonly sandbox?: Pick<SandboxOverrides, 'kafkaVersion' | 'elr' | 'brokers'>
  /** Topics, workloads, steady state; then the fault. Returns the incident. */
  start(ctx: DrillContext): Promise<Incident>
  /** After the trainee is done: what the real system does next (the service restarts and catches up). */
  finish(ctx: DrillContext, incident: Incident, outcome: TraineeOutcome): Promise<void>
  /** The outcome in numbers, from the ledgers and the session transcript. */
  score(ctx: DrillContext, incident: Incident, outcome: TraineeOutcome): Promise<DrillScore>
}
