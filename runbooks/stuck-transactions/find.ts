// What is stuck and why: the explanation for the Kafka line in front of the operator, then two samples of every
// partition's last stable offset against its high watermark, the open transaction holding each stuck one with
// its coordinator's view, its record count, and the consumer groups waiting there.

import { type Block, counted, notice } from '../../lib/engine/blocks.ts'
import { classifyOpenTransactions, holdingTransaction, type OpenTransactionsSnapshot } from '../../lib/plans/open-transactions.ts'
import { readGroupsAtStuckPartitions, readOpenTransactions, readTransactionRecords, readTransactionVerification } from '../../lib/reads/open-transactions.ts'
import { keyOf, nb, type Context, type RecordCount } from './notebook.ts'
import { groupsTable, stuckTable, transactionalIdOf, verdictText } from './tables.ts'
import { explainText, liveSettings } from './text.ts'

/** Records counted per transaction at find time; beyond this the count says "over". */
const countLimit = 100_000

export const explainCell = nb.explain({
  id: 'why-consumers-stop',
  title: 'Why read_committed consumers stop at an open transaction',
  text: explainText,
  pick: async (ctx) => ((await ctx.capabilities()).kafkaLine === '3.9' ? '3.9' : '4.x'),
  async live(ctx) {
    const capabilities = await ctx.capabilities()
    ctx.state.verification = await readTransactionVerification(ctx.kafka)
    return liveSettings(ctx.state.verification, capabilities.features.get('transaction.version'), capabilities.kafkaLine)
  },
})

/** When each stuck partition's holding transaction began: its coordinator's start time, else the producer's last write. */
function stuckSince(snapshot: OpenTransactionsSnapshot, ctx: Context): Map<string, number | null> {
  const findings = ctx.need('findings')
  return new Map(
    findings.map((f) => {
      const open = holdingTransaction(f)
      if (!open) return [keyOf(f), null]
      const id = snapshot.transactionalIds.get(open.producerId)
      const description = id === undefined ? undefined : snapshot.descriptions.get(id)
      const started = description && !('error' in description) && description.producerId === open.producerId ? description.startTimeMs : null
      return [keyOf(f), started ?? open.lastWriteMs]
    }),
  )
}

export const findCell = nb.query({
  id: 'stuck-partitions',
  title: 'Partitions held back by an open transaction',
  doc: 'Reads every partition’s last stable offset (ListOffsets read_committed) and high watermark twice, --set sample-gap apart; for each partition still stuck, the open transactions on it (DescribeProducers), their coordinators’ view (ListTransactions on every broker, DescribeTransactions), the holding transaction’s record count (Fetch), and every consumer group committed there.',
  async run(ctx) {
    const topics = ctx.given('topics')
    const gap = await ctx.param('sample-gap')
    const idle = await ctx.param('producer-idle')
    const first = await readOpenTransactions(ctx.kafka, { takenAtMs: ctx.now(), ...(topics ? { topics } : {}) })
    if (first.partitions.length > 0 && gap > 0) await ctx.sleep(gap)
    const second =
      first.partitions.length === 0
        ? first
        : await readOpenTransactions(ctx.kafka, { takenAtMs: ctx.now(), topics: [...new Set(first.partitions.map((p) => p.topic))] })
    // Stuck in both samples at the same offset: a transaction that ended between them is not this incident.
    const before = new Map(first.partitions.map((p) => [keyOf(p), p]))
    const findings = classifyOpenTransactions(second, { producerIdleMs: idle }).filter((f) => before.get(keyOf(f))?.lastStableOffset === f.lastStableOffset)
    ctx.state.findings = findings
    ctx.state.snapshot = second
    ctx.state.sampledAtMs = [first.takenAtMs, second.takenAtMs]
    ctx.state.earlierHighWatermarks = new Map(first.partitions.map((p) => [keyOf(p), p.highWatermark]))

    const records = new Map<string, RecordCount>()
    for (const f of findings) {
      const open = holdingTransaction(f)
      if (!open) continue
      const read = await readTransactionRecords(
        ctx.kafka,
        { topic: f.topic, partition: f.partition, producerId: open.producerId, startOffset: open.startOffset, endOffset: f.highWatermark },
        countLimit,
      )
      records.set(keyOf(f), { records: read.records.length, complete: read.complete })
    }
    ctx.state.records = records
    const groups = await readGroupsAtStuckPartitions(ctx.kafka, findings, ctx.state.earlierHighWatermarks)
    ctx.state.groups = groups

    const blocks: Block[] = []
    if (findings.length === 0) {
      blocks.push(
        notice(
          'ok',
          `No partition${topics ? ` of ${topics.join(', ')}` : ''} has its last stable offset held below its high watermark in both samples: read_committed consumers are not blocked by a transaction.`,
        ),
      )
    } else {
      blocks.push(stuckTable(findings, records, second.takenAtMs, stuckSince(second, ctx)))
      const waiting = groups.filter((g) => g.where === 'waiting')
      const past = groups.filter((g) => g.where === 'past')
      if (groups.length) blocks.push(groupsTable(groups))
      blocks.push(
        notice(
          waiting.length ? 'warn' : 'info',
          waiting.length
            ? `${counted(new Set(waiting.map((g) => g.groupId)).size, 'group')} ${waiting.length === 1 ? 'is' : 'are'} held at the last stable offset (read_committed consumers waiting for the transaction to end).`
            : 'No consumer group has committed exactly at a last stable offset: no read_committed group is visibly held (yet).',
        ),
      )
      if (past.length)
        blocks.push(
          notice(
            'info',
            `${[...new Set(past.map((g) => g.groupId))].join(', ')} committed past the open transaction’s first offset: read_uncommitted consumers that already handled its records, whatever becomes of them.`,
          ),
        )
    }
    if (second.unread.length)
      blocks.push(
        notice('warn', `Not read: ${second.unread.map((u) => `${u.topic}${u.partition === null ? '' : `:${u.partition}`} (${u.error})`).join('; ')}.`),
      )
    if (second.unlistedBrokers.length)
      blocks.push(
        notice(
          'warn',
          `Broker ${second.unlistedBrokers.map((b) => `${b.broker} (${b.error})`).join(', ')} did not list its transactions: a producer id it coordinates looks unknown.`,
        ),
      )
    return {
      blocks,
      data: {
        sampledAtMs: ctx.state.sampledAtMs,
        partitions: findings.map((f) => {
          const open = holdingTransaction(f)
          return {
            topic: f.topic,
            partition: f.partition,
            lastStableOffset: f.lastStableOffset,
            highWatermark: f.highWatermark,
            unblockedByMs: f.unblockedByMs,
            records: records.get(keyOf(f)) ?? null,
            transactions: (f.transactions ?? []).map((t) => ({
              producerId: t.producerId,
              producerEpoch: t.producerEpoch,
              coordinatorEpoch: t.coordinatorEpoch,
              startOffset: t.startOffset,
              lastWriteMs: t.lastWriteMs,
              verdict: t.verdict,
            })),
            holding: open ? { producerId: open.producerId, transactionalId: transactionalIdOf(open), says: verdictText(open.verdict, second.takenAtMs) } : null,
          }
        }),
        groups,
      },
    }
  },
})
