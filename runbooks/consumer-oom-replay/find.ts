// What happened and where the group stands: why auto-commit lost records on this Kafka line, the group with its
// members, commits and lag, and what a replay would cost at the rate its partitions take records.

import { type Block, counted, formatCount, iso, notice } from '../../lib/engine/blocks.ts'
import { formatDuration } from '../../lib/engine/params.ts'
import type { TopicPartition } from '../../lib/kafka/types.ts'
import { membersTable } from '../../lib/cells/group-offset-change.ts'
import { type GroupView, readGroupView, readLogBounds, readRecordTimes, readWriteRate } from '../../lib/reads/consumer-group.ts'
import { givenMethod } from './decide.ts'
import { nb, refuse } from './notebook.ts'
import { groupFacts, lagTable } from './tables.ts'
import { whatAReplayCosts, whyRecordsWereLost } from './text.ts'

const key = (tp: TopicPartition) => `${tp.topic}/${tp.partition}`

/** The committed partitions plus the uncommitted partitions of the same topics, for the lag table. */
function groupPartitions(view: GroupView): TopicPartition[] {
  const topics = new Set(view.committed.map((c) => c.topic))
  return view.topics
    .filter((t) => topics.has(t.topic) && t.partitions !== null)
    .flatMap((t) => Array.from({ length: t.partitions! }, (_, partition) => ({ topic: t.topic, partition })))
}

export const explainCell = nb.explain({
  id: 'why-records-were-lost',
  title: 'Why auto-commit lost records',
  text: whyRecordsWereLost,
  pick: async (ctx) => ((await ctx.capabilities()).kafkaLine === '3.9' ? '3.9' : '4.x'),
})

export const groupCell = nb.query({
  id: 'group',
  title: 'The group, its members and its offsets',
  doc: 'Reads the group (state, protocol, members with client id, host and assignment), its committed offsets, and per partition the log start, the log end and the lag.',
  async run(ctx) {
    const groupId = await ctx.param('group')
    givenMethod(ctx)
    const scope = ctx.given('topics')
    const view = await readGroupView(ctx.kafka, groupId, { alsoTopics: scope?.kind === 'topics' ? scope.topics.map((t) => t.topic) : [], nowMs: ctx.now() })
    if (!view.exists) throw refuse({ kind: 'unknown-group', groupId })
    if (view.type === 'share' || view.type === 'streams') throw refuse({ kind: 'unsupported-group', groupId, type: view.type })
    const missing = view.topics.find((t) => t.partitions === null)
    if (missing) throw refuse({ kind: 'unknown-topic', topic: missing.topic })
    // The last committed record of each partition: a record below the log start simply has no time.
    const [{ logs }, newest] = await Promise.all([
      readLogBounds(ctx.kafka, groupPartitions(view), null),
      readRecordTimes(
        ctx.kafka,
        view.committed.filter((c) => c.offset > 0n).map((c) => ({ topic: c.topic, partition: c.partition, offset: c.offset - 1n })),
      ),
    ])
    const lastCommitted = newest.reduce<number | null>((max, r) => (r.timestamp !== null && (max === null || r.timestamp > max) ? r.timestamp : max), null)
    Object.assign(ctx.state, { view, logs })
    const blocks: Block[] = [groupFacts(view)]
    if (view.members.length > 0) blocks.push(membersTable(view.members))
    blocks.push(lagTable(view, logs))
    if (lastCommitted !== null) {
      blocks.push(
        notice('info', `The newest record the group has committed past was written at ${iso(lastCommitted)}: the consumer was committing up to about then.`),
      )
    }
    return {
      blocks,
      data: {
        groupId,
        state: view.state,
        type: view.type,
        members: view.members.map((m) => ({ memberId: m.memberId, clientId: m.clientId, host: m.host, assignment: m.assignment.map(key) })),
        committed: view.committed,
        lastCommittedRecordMs: lastCommitted,
      },
    }
  },
})

export const costCell = nb.explain({
  id: 'what-a-replay-costs',
  title: 'What a replay costs',
  text: whatAReplayCosts,
  async live(ctx) {
    const { committed } = ctx.need('view')
    const logs = ctx.state.logs ?? []
    const windowMs = 300_000
    const rate = await readWriteRate(
      ctx.kafka,
      committed.map(({ topic, partition }) => ({ topic, partition })),
      ctx.now(),
      windowMs,
    )
    const ends = new Map(logs.map((l) => [key(l), l.logEnd]))
    const lag = committed.reduce((sum, c) => {
      const end = ends.get(key(c)) ?? c.offset
      return sum + (end > c.offset ? end - c.offset : 0n)
    }, 0n)
    return `Here: the group is ${formatCount(lag)} records behind on ${counted(committed.length, 'committed partition')}; its partitions received ${rate.toFixed(1)} records/s over the last ${formatDuration(windowMs)} (or since their first record), so each minute of rewind replays about ${formatCount(Math.round(rate * 60))} records.`
  },
})
