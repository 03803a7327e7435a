// The unclean-election runbook's parameters and shared state, and the typed cell builders every part uses.

import { formatDuration, param, type ParamSpec } from '../../lib/engine/params.ts'
import { notebook, type RunContext } from '../../lib/engine/runbook.ts'
import type { KafkaOps, TopicPartition } from '../../lib/kafka/types.ts'
import type { LeaderlessSnapshot } from '../../lib/plans/leaderless.ts'
import type { CandidateExactLoss } from '../../lib/plans/exact-loss.ts'
import type { PartitionEstimate } from '../../lib/plans/unclean-estimate.ts'
import { producerGiveUpMs, type OutagePricing, type PricingInput } from '../../lib/plans/outage-price.ts'
import { maxRestartWatchMs, minRestartWatchMs, type RestartOutcome, type WatchDeadline, type WatchMilestones } from '../../lib/plans/restart-watch.ts'
import type { MeasuredRate } from '../../lib/reads/write-rate.ts'
import type { DeadLogReading } from '../../lib/reads/dead-leader-log.ts'
import type { ReproduceStep, SalvagedFile } from '../../lib/plans/salvage.ts'
import { readLeaderlessReplicaCounts } from '../../lib/reads/leaderless.ts'
import { counted } from '../../lib/engine/blocks.ts'

/** A partition that got a leader during the run, and where its new history begins. */
export interface Recovered extends TopicPartition {
  readonly leader: number
  readonly leaderEpoch: number
  /** The offset where the new leader's epoch starts (its log end when elected); null for a clean return. */
  readonly epochStart: bigint | null
  readonly how: 'unclean election' | 'unclean flag' | 'clean return'
  readonly certainLoss: bigint | null
  /** What the dead leader's log held above the new history's start: deleted when it rejoins. */
  readonly exactLoss?: CandidateExactLoss
}

/** A restart run under watch: its deadline, what was seen when, and how it came out. */
export interface RestartTrial {
  readonly brokers: readonly number[]
  readonly deadline: WatchDeadline
  readonly milestones: WatchMilestones
  readonly outcome: RestartOutcome
  /** From the pricing to the end of the watch. */
  readonly sincePricingMs: number
  /** From the command's start to the end of the watch. */
  readonly watchedMs: number
}

export interface State {
  snapshot?: LeaderlessSnapshot
  estimates?: readonly PartitionEstimate[]
  /** What the dead replicas' own log directories hold, per leaderless partition (when folders were given). */
  deadLogs?: readonly DeadLogReading[]
  recovered?: Recovered[]
  /** The salvage files this run wrote: the records the chosen way deletes from the dead leader's log. */
  salvaged?: readonly SalvagedFile[]
  /** An earlier session's salvage files, checked against its transcript and this cluster, when this run salvaged none. */
  earlierSalvage?: readonly SalvagedFile[]
  /** Where the re-produce wrote each salvaged partition's records. */
  reproduced?: readonly (ReproduceStep & { readonly offsets: readonly bigint[] })[]
  /** The write rate into each leaderless partition before it lost its leader. */
  rates?: readonly MeasuredRate[]
  /** Waiting and electing priced in records, with the recommendation the numbers give (re-priced after a failed restart). */
  pricing?: OutagePricing
  /** What the pricing was computed from, and when: a restart's outcome re-prices it with the time since. */
  pricedFrom?: { readonly input: PricingInput; readonly atMs: number }
  /** The restart the runbook ran and watched, and what came of it. */
  restartTrial?: RestartTrial
  /** Topics whose unclean flag this run changed, and whether it was turned back. */
  flag?: { readonly topics: readonly string[]; readonly reverted: readonly string[] }
}

async function suggestCandidates(kafka: KafkaOps) {
  return (await readLeaderlessReplicaCounts(kafka)).map(({ broker, partitions }) => ({
    value: String(broker),
    name: `broker ${broker}`,
    description: `a live replica of ${counted(partitions, 'leaderless partition')}`,
  }))
}

/** A duration, or "unknown": how long the operator expects the outage to last from now. */
function outageParam(options: { readonly help: string; readonly prompt: string }): ParamSpec<number | 'unknown'> {
  const duration = param.duration({ ...options, minMs: 0 })
  return {
    ...options,
    optional: true,
    type: 'duration | unknown',
    parse: (text, now) => (text.trim().toLowerCase() === 'unknown' ? 'unknown' : duration.parse(text, now)),
    format: (value) => (value === 'unknown' ? 'unknown' : formatDuration(value)),
  }
}

export const nb = notebook<State>()({
  partitions: param.partitions({
    help: 'the leaderless partitions to act on, as topic:partition (never all by default)',
    prompt: 'Which partitions? (topic:partition, comma-separated — the estimate above lists them)',
  }),
  candidate: param.broker({
    help: 'the broker whose replica becomes leader (a live replica of every listed partition)',
    prompt: 'Which broker should lead them?',
    suggest: suggestCandidates,
  }),
  'dead-log-dirs': param.logDirs({
    help: 'log directories of dead brokers, as broker=path (1=/mnt/broker-1/kafka-logs,2=…): read only, to count exactly what each election deletes',
    prompt: 'Log directory of the dead broker(s), as broker=path (the log.dirs entry holding meta.properties; a copy or an attached volume works)',
    optional: true,
  }),
  'expected-outage': outageParam({
    help: 'how long until a broker holding every committed record is back, from now (e.g. 45m, 4h), or "unknown": waiting is priced against electing for that long',
    prompt: 'How long until that broker is back, by the page or your own estimate? (e.g. 20m, 4h, or unknown)',
  }),
  policy: param.choice({
    help: 'no-acked-loss: never delete an acknowledged record (wait, whatever it costs); min-records: take the option that costs the fewest records (lost + failed writes)',
    prompt: 'Which matters more here?',
    values: ['no-acked-loss', 'min-records'] as const,
    optional: true,
  }),
  'delivery-timeout': param.duration({
    help: `how long your producers retry a write before failing it: Java delivery.timeout.ms (default ${producerGiveUpMs.java / 1000} s), librdkafka message.timeout.ms (${producerGiveUpMs.librdkafka / 1000} s), kafkajs's retry budget (about ${producerGiveUpMs.kafkajs / 1000} s with its defaults)`,
    default: producerGiveUpMs.java,
    minMs: 0,
  }),
  'producer-acks': param.choice({
    help: 'the acks your producers use: with 1 (and 0) every record the dead leader took was answered; with all, only what the ISR held',
    values: ['all', '1', '0'] as const,
    default: '1',
  }),
  'restart-command': param.string({
    help: 'your own command that restarts the broker(s) to bring back, run by bash on this machine after you confirm it (e.g. ssh kafka-1 sudo systemctl restart kafka): with decision=restart the runbook watches the broker return and measures the outage',
    prompt: 'The command that restarts it, run here by bash (e.g. ssh kafka-1 sudo systemctl restart kafka)',
    optional: true,
  }),
  'restart-watch': param.duration({
    help: `how long to watch a restart before choosing again; by default until waiting starts to cost more than the cheapest election (the break-even outage), else the producers' delivery timeout — at least ${minRestartWatchMs / 1000} s, at most ${maxRestartWatchMs / 60_000} min`,
    optional: true,
    minMs: 1000,
  }),
  'wait-timeout': param.duration({ help: 'how long to wait for Kafka to elect a returning broker', default: 120_000, minMs: 1000 }),
  'flag-timeout': param.duration({
    help: 'how long the unclean flag stays on waiting for the controller before it is turned back off',
    default: 360_000,
    minMs: 1000,
  }),
  'salvage-topic': param.string({
    help: 'where salvaged records are produced again: a topic name (created like the source if it does not exist), or "original" for each record\'s own topic; default <topic>.salvaged',
    prompt: 'Produce the salvaged records to which topic? (<topic>.salvaged keeps them apart from consumers; "original" appends them to the topic itself)',
    optional: true,
    pattern: /^(?:[A-Za-z0-9._-]{1,249})$/,
    patternHelp: 'a topic name (letters, digits, ".", "_", "-") or "original"',
  }),
  'salvage-file': param.string({
    help: "an earlier session's salvage to produce again: a salvage file in its session folder, the session folder, or the session id (runbook sessions lists them); taken only when that session's transcript verifies, records the file with the same SHA-256, and ran on this cluster",
    prompt: 'Which earlier salvage should be produced again? (a salvage file, its session folder, or the session id)',
    optional: true,
  }),
  'aftermath-wait': param.duration({ help: 'how long to watch ISR and high watermark recover after an election', default: 30_000, minMs: 0 }),
})

export type Context = RunContext<State, typeof nb.params>

/** The leaderless partitions this run is about: the ones the operator named, else every one found. */
export function scopeOf(ctx: Context): readonly TopicPartition[] {
  const named = ctx.given('partitions')
  if (named) return named
  return ctx.state.snapshot?.partitions ?? []
}
