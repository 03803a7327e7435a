// The poison-pill runbook's parameters and shared state, and the typed cell builders every part uses.

import { counted, formatCount } from '../../lib/engine/blocks.ts'
import { param } from '../../lib/engine/params.ts'
import { notebook, Refusal, type RunContext } from '../../lib/engine/runbook.ts'
import type { KafkaOps } from '../../lib/kafka/types.ts'
import type { Isolation, SeenRecord, SeenView } from '../../lib/plans/consumer-view.ts'
import { describeSkipFault, type PoisonLocation, type RecordJudgement, type SkipFault, type SkipPlan } from '../../lib/plans/record-skip.ts'
import type { GroupChurn, StuckPartition, Suspect } from '../../lib/plans/stuck-partitions.ts'
import { readGroupChoices } from '../../lib/reads/consumer-group.ts'
import type { ConsumerWindows } from '../../lib/reads/records.ts'

/** The partition the run works on, and its group as the second sample read it. */
export interface Target {
  readonly groupId: string
  readonly topic: string
  readonly partition: number
  readonly suspect: Suspect
  readonly groupType: StuckPartition['groupType']
  readonly churn: GroupChurn | null
}

/** What the run read at the committed offset: what the operator looked at, and what a skip relies on. */
export interface Look {
  readonly committed: bigint
  readonly logStart: bigint
  readonly logEnd: bigint
  readonly windows: ConsumerWindows
  /** null when both isolation levels get the same records (it does not matter which the service uses). */
  readonly isolation: Isolation | null
  readonly view: SeenView
  readonly before: readonly SeenRecord[]
  readonly judged: readonly RecordJudgement[]
  readonly location: PoisonLocation
  readonly maxMessageBytes: number | null
  readonly readAtMs: number
}

export interface State {
  suspects?: readonly Suspect[]
  target?: Target
  look?: Look
  plan?: SkipPlan
}

const topicPattern = /^[A-Za-z0-9._-]{1,249}$/

export const nb = notebook<State>()({
  group: param.group({
    help: 'the consumer group that is stuck (default: found — groups whose committed offset stands still while records wait)',
    prompt: 'Which consumer group is stuck?',
    optional: true,
    suggest: async (kafka: KafkaOps) =>
      (await readGroupChoices(kafka)).map((g) => ({
        value: g.groupId,
        name: g.groupId,
        description: `${g.state} · ${g.type === 'consumer' ? 'KIP-848' : 'classic'} · ${g.members === null ? '? members' : counted(g.members, 'member')} · lag ${g.lag === null ? 'unknown' : formatCount(g.lag)}`,
      })),
  }),
  partition: param.partition({
    help: 'the stuck partition as topic:partition, e.g. orders:3 (default: found)',
    prompt: 'Which partition is stuck? (topic:partition)',
    optional: true,
  }),
  'sample-interval': param.duration({
    help: 'time between the two samples of committed offsets and log ends (the group is also described every second in between)',
    default: 10_000,
    minMs: 0,
  }),
  offset: param.count({
    help: 'the offset of the record the service fails on, from its error log (default: the first record after the committed offset unlike its neighbours, else the next one)',
    optional: true,
  }),
  peek: param.integer({ help: 'records shown after the stuck one', default: 3, min: 0, max: 50 }),
  count: param.integer({
    help: 'records to skip from the stuck one on (default 1; action=skip-n needs it)',
    prompt: 'How many records to skip, from the stuck one on?',
    optional: true,
    min: 1,
    max: 500,
  }),
  isolation: param.choice({
    help: "the consumer's isolation.level, asked only when it changes which record is next (read_committed passes over aborted transactions)",
    prompt: "The service's isolation.level (kafkajs reads committed by default, the Java client uncommitted)",
    values: ['read_committed', 'read_uncommitted'],
    optional: true,
  }),
  'record-in-transcript': param.boolean({
    help: 'keep the record itself (key, value, headers) in the transcript and --json; by default only its offset, sizes and SHA-256 digests are kept',
    default: false,
  }),
  'dlq-topic': param.string({
    help: 'with action=dlq-and-skip: the dead-letter topic (default <topic>.dlq; created like the source if it does not exist)',
    pattern: topicPattern,
    patternHelp: 'a topic name (letters, digits, . _ -)',
    optional: true,
  }),
  'stop-command': param.string({
    help: 'a command that stops every consumer of the group and keeps them stopped (e.g. kubectl scale deploy/ledger --replicas=0)',
    prompt: 'Command that stops every consumer of the group',
    optional: true,
  }),
  'wait-for-empty': param.duration({ help: 'how long to wait for the group to become Empty after its consumers stop', default: 60_000, minMs: 0 }),
  'start-command': param.string({
    help: 'a command that starts the consumers again after the skip (e.g. kubectl scale deploy/ledger --replicas=2); then the run watches the partition move',
    prompt: 'Command that starts the consumers again (leave empty to do it yourself)',
    optional: true,
  }),
  'watch-for': param.duration({
    help: 'after the start command: how long to watch for the partition to move again (0s: do not watch)',
    default: 120_000,
    minMs: 0,
  }),
})

export type Ctx = RunContext<State, typeof nb.params>

/** A fault the planners found, as the one line the run stops with. */
export const refuse = (fault: SkipFault) => new Refusal(describeSkipFault(fault))

/** The partition key used in tables and lookups. */
export const tpKey = (tp: { topic: string; partition: number }) => `${tp.topic}:${tp.partition}`

/** The default dead-letter topic of a topic. */
export const defaultDlqTopic = (topic: string) => `${topic}.dlq`
