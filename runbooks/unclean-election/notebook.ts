// The unclean-election runbook's parameters and shared state, and the typed cell builders every part uses.

import { param } from '../../lib/engine/params.ts'
import { notebook, type RunContext } from '../../lib/engine/runbook.ts'
import type { KafkaOps, TopicPartition } from '../../lib/kafka/types.ts'
import type { LeaderlessSnapshot } from '../../lib/plans/leaderless.ts'
import type { PartitionEstimate } from '../../lib/plans/unclean-estimate.ts'
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
}

export interface State {
  snapshot?: LeaderlessSnapshot
  estimates?: readonly PartitionEstimate[]
  recovered?: Recovered[]
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
  'restart-command': param.string({
    help: 'your own command that restarts the broker to bring back (run only after you confirm it)',
    prompt: 'The command that restarts it (e.g. systemctl start kafka on that host)',
    optional: true,
  }),
  'wait-timeout': param.duration({ help: 'how long to wait for Kafka to elect a returning broker', default: 120_000, minMs: 1000 }),
  'flag-timeout': param.duration({
    help: 'how long the unclean flag stays on waiting for the controller before it is turned back off',
    default: 360_000,
    minMs: 1000,
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
