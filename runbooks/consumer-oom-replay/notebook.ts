// The consumer-oom-replay runbook's parameters and shared state, and the typed cell builders every part uses.

import { counted, formatCount } from '../../lib/engine/blocks.ts'
import { checkClusterNames, param, ParamError, type ParamSpec } from '../../lib/engine/params.ts'
import { notebook, Refusal, type RunContext } from '../../lib/engine/runbook.ts'
import type { KafkaOps } from '../../lib/kafka/types.ts'
import { describeRewindFault, parseTopicsScope, type RewindFault, type RewindScope } from '../../lib/plans/offset-rewind.ts'
import type { MarginSuggestion } from '../../lib/plans/replay-margin.ts'
import { type GroupView, type LogBounds, readGroupChoices } from '../../lib/reads/consumer-group.ts'

export interface State {
  view?: GroupView
  logs?: LogBounds[]
  margin?: MarginSuggestion
}

const topicsParam: ParamSpec<RewindScope> = {
  type: 'topics',
  help: 'only these topics or partitions, as --topic takes them ("orders", "orders:0,1; payments"); default: every partition the group has committed (--all-topics)',
  optional: true,
  parse(text) {
    const scope = parseTopicsScope(text)
    if (typeof scope === 'string') throw new ParamError(scope)
    return scope
  },
  format: (scope) =>
    scope.kind === 'all-topics' ? 'all' : scope.topics.map((t) => (t.partitions ? `${t.topic}:${t.partitions.join(',')}` : t.topic)).join(' '),
  check: (scope, kafka) =>
    scope.kind === 'all-topics'
      ? Promise.resolve(null)
      : checkClusterNames(kafka, {
          topics: scope.topics.map((t) => t.topic),
          partitions: scope.topics.flatMap((t) => (t.partitions ?? []).map((partition) => ({ topic: t.topic, partition }))),
        }),
}

export const nb = notebook<State>()({
  group: param.group({
    help: 'the consumer group that lost records',
    prompt: 'Which consumer group lost records?',
    suggest: async (kafka: KafkaOps) =>
      (await readGroupChoices(kafka)).map((g) => ({
        value: g.groupId,
        name: g.groupId,
        description: `${g.state} · ${g.type === 'consumer' ? 'KIP-848' : 'classic'} · ${g.members === null ? '? members' : counted(g.members, 'member')} · lag ${g.lag === null ? 'unknown' : formatCount(g.lag)} on ${counted(g.partitions, 'partition')}`,
      })),
  }),
  topics: topicsParam,
  'stop-command': param.string({
    help: 'a command that stops every consumer of the group (e.g. kubectl scale deploy/billing --replicas=0)',
    prompt: 'Command that stops every consumer of the group',
    optional: true,
  }),
  'wait-for-empty': param.duration({ help: 'how long to wait for the group to become Empty after its consumers stop', default: 60_000, minMs: 0 }),
  'to-datetime': param.datetime({
    help: 'rewind to the first record written at or after this time (ISO-8601, "15 minutes ago"; the kill time)',
    prompt: 'Rewind to which time? (the kill time, e.g. 2026-11-24T03:12:00Z or "20 minutes ago")',
    optional: true,
  }),
  'by-duration': param.duration({
    help: 'rewind to the first record written this long ago (PT20M, 20m)',
    prompt: 'Rewind how far back from now? (e.g. 20m)',
    optional: true,
    minMs: 1,
  }),
  'shift-by': param.count({
    help: 'move every partition by this many records (negative: back), clamped to the log as Kafka does',
    prompt: 'Shift by how many records? (negative goes back, e.g. -500)',
    optional: true,
    allowNegative: true,
  }),
  'from-file': param.string({
    help: 'a CSV of topic,partition,offset (kafka-consumer-groups --export format)',
    prompt: 'Offsets file (topic,partition,offset per line)',
    optional: true,
  }),
  'auto-commit-interval': param.duration({
    help: "the consumer's auto.commit.interval.ms, for the safety margin (default 5 s; a bare number is milliseconds, as in the consumer's own config)",
    prompt: "The consumer's auto.commit.interval.ms (e.g. 5000)",
    optional: true,
    bareNumberMs: true,
  }),
  'max-poll-records': param.integer({
    help: 'records one poll hands over (max.poll.records) or the size of the in-memory queue, for the safety margin (default 500)',
    prompt: 'Records held in memory at once (max.poll.records or the queue size)',
    optional: true,
    min: 1,
  }),
  margin: param.duration({ help: 'take this much off the rewind time (instead of the suggested margin)', optional: true, minMs: 0 }),
})

export type Ctx = RunContext<State, typeof nb.params>

/** A fault the planners found, as the one line the run stops with. */
export const refuse = (fault: RewindFault) => new Refusal(describeRewindFault(fault))
