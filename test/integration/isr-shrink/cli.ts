// The isr-shrink runbook through the CLI on the test sandbox, and Kafka's own tools as the oracle — both asked
// through broker 1 only, which the tests never stop (a hung broker in a bootstrap list stalls a client).

import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runCli } from '../../support/run-cli.ts'
import { kafkaToolOk, testSandbox } from '../../support/sandbox.ts'

export interface CellJson {
  id: string
  outcome: string
  data?: Record<string, unknown>
  planHash?: string
  summary?: string
  plan?: Record<string, unknown>
  decision?: string
}

export interface RunJson {
  status: string
  exitCode: number
  message?: string
  session: string
  sessionDir: string
  cells: CellJson[]
}

export const sessions = mkdtempSync(join(tmpdir(), 'isr-shrink-it-'))

/** Broker 1's listener: the tests stop brokers 2 and 3, never 1. */
export function broker1(): string {
  return testSandbox().bootstrap.split(',')[0]!
}

export async function cli(args: readonly string[]): Promise<{ code: number; json: RunJson; stderr: string }> {
  const result = await runCli([...args, '--bootstrap-server', broker1(), '--sessions-dir', sessions, '--json'])
  let json: RunJson
  try {
    json = JSON.parse(result.stdout || '{}') as RunJson
  } catch {
    throw new Error(`runbook printed no JSON (exit ${result.code}): ${result.stderr.slice(0, 500)}`)
  }
  return { code: result.code, json, stderr: result.stderr }
}

/** `runbook run isr-shrink` with answers; report-only unless an action is given. */
export function runIsrShrink(answers: Record<string, string>, extra: readonly string[] = []) {
  return cli([
    'run',
    'isr-shrink',
    ...Object.entries({ 'sample-interval': '0s', 'wait-for-isr': '0s', ...answers }).flatMap(([k, v]) => ['--set', `${k}=${v}`]),
    ...extra,
  ])
}

export const cell = (json: RunJson, id: string): CellJson => {
  const found = json.cells.find((c) => c.id === id)
  if (!found) throw new Error(`no cell ${id} in the result (${json.status}: ${json.message ?? ''})`)
  return found
}

/** topic:partition lines kafka-topics lists under a report flag, only for the given topics. */
export async function kafkaTopicsFlags(flag: string, topics: readonly string[]): Promise<string[]> {
  const out = await kafkaToolOk('kafka-topics', ['--bootstrap-server', broker1(), '--describe', flag])
  return [...out.matchAll(/Topic:\s*(\S+)\s+Partition:\s*(\d+)/g)]
    .filter((m) => topics.includes(m[1]!))
    .map((m) => `${m[1]}/${m[2]}`)
    .sort()
}

/** A topic's dynamic overrides as kafka-configs --describe prints them: name → value. */
export async function topicOverrides(topic: string): Promise<Record<string, string>> {
  const out = await kafkaToolOk('kafka-configs', ['--bootstrap-server', broker1(), '--entity-type', 'topics', '--entity-name', topic, '--describe'])
  const overrides: Record<string, string> = {}
  for (const line of out.split('\n')) {
    const match = /^\s+([\w.]+)=(\S*) sensitive=/.exec(line)
    if (match) overrides[match[1]!] = match[2]!
  }
  return overrides
}

/** Whether the cluster says the broker is fenced: listed fenced (4.x), or no longer listed at all (3.9). */
export async function fencedByCluster(ops: import('../../../lib/kafka/types.ts').KafkaOps, id: number): Promise<boolean> {
  const broker = (await ops.cluster()).brokers.find((b) => b.id === id)
  return broker === undefined || broker.fenced === true
}
