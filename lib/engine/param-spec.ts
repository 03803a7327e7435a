// What a runbook parameter is: how it reads itself from text (a --set flag, an answers file, a prompt), what it
// means, how it is asked for on a terminal, and how it is checked against the cluster. The builders are in
// params.ts (plain values) and cluster-params.ts (topics, partitions, brokers, groups).

import { counted } from '../format/counts.ts'
import type { OpenLogDir } from '../kafka/log-dir/types.ts'
import type { KafkaOps } from '../kafka/types.ts'
import { ExitCode } from './exit-codes.ts'

/** A value a person typed that cannot be used; says what was expected. */
export class ParamError extends Error {
  readonly exitCode = ExitCode.refused
  constructor(message: string) {
    super(message)
    this.name = 'ParamError'
  }
}

export interface Choice {
  readonly value: string
  readonly name: string
  readonly description?: string
}

/** What a check may use besides the cluster: the ports the cli injects. */
export interface CheckPorts {
  /** Opens a stopped broker's log directory (ownership and liveness checked); refuses when the run has none. */
  readonly openLogDir: OpenLogDir
}

/** What every parameter builder takes besides its own options (and what every spec carries of them). */
export interface Common<T> {
  readonly help: string
  /** The question asked on a terminal when the value was not given. */
  readonly prompt?: string
  /** Used when nothing was given, instead of asking. */
  readonly default?: T
  /** Recorded as *** in transcripts. */
  readonly secret?: boolean
  /** May be left out: asking on a terminal accepts an empty answer, and the value is then undefined. */
  readonly optional?: boolean
  /** Values to pick from on a terminal, read from the cluster (e.g. the consumer groups). */
  readonly suggest?: (kafka: KafkaOps) => Promise<readonly Choice[]>
  /**
   * Checks a value against the cluster (the topic exists, the broker is known): what is wrong, in one line, or
   * null. The engine runs it on every given value before any cell runs, and on every answer typed at a prompt.
   */
  check?(value: T, kafka: KafkaOps, ports: CheckPorts): Promise<string | null>
}

export interface ParamSpec<T> extends Common<T> {
  readonly type: string
  /** Text → value, or a ParamError that says what was expected. `now` is the run's clock (ms since epoch). */
  parse(text: string, now: number): T
  /** Value → the text that would parse back to it (transcripts, answers files). */
  format(value: T): string
}

export type ParamValue<S> = S extends ParamSpec<infer T> ? T : never
export type ParamSpecs = Readonly<Record<string, ParamSpec<unknown>>>

/** A spec from its type name, the builder's options, and its parse and format. */
export function paramSpec<T>(type: string, common: Common<T>, parse: (text: string, now: number) => T, format: (value: T) => string): ParamSpec<T> {
  return { type, ...common, parse, format }
}

/** A comma-separated answer as trimmed items (empty ones dropped), at least `min` of them. */
export function listItems(text: string, min = 1): string[] {
  const items = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
  if (items.length < min) throw new ParamError(`give at least ${counted(min, 'item')}, separated by commas`)
  return items
}
