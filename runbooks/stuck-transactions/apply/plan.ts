// The plan for a fence or an abort, read live right before the preview (producer id, epoch and coordinator
// epoch are never typed), and the re-check right before applying it: same LSO, same producer id and epoch.

import type { Drift } from '../../../lib/engine/runbook.ts'
import { Refusal } from '../../../lib/engine/runbook.ts'
import type { TopicPartition } from '../../../lib/kafka/types.ts'
import { classifyOpenTransactions, holdingTransaction, type GroupAtPartition, type Verdict } from '../../../lib/plans/open-transactions.ts'
import { readGroupsAtStuckPartitions, readOpenTransactions, readTransactionRecords } from '../../../lib/reads/open-transactions.ts'
import { fitting, scopeOf } from '../decide.ts'
import { type Context, keyOf } from '../notebook.ts'

export interface Target extends TopicPartition {
  readonly producerId: bigint
  readonly producerEpoch: number
  readonly coordinatorEpoch: number | null
  readonly transactionalId: string | null
  readonly verdict: Verdict
  /** The transaction's first offset here: the LSO it holds. */
  readonly startOffset: bigint
  readonly highWatermark: bigint
  readonly records: number
  /** Groups held at the LSO, and groups that already read past it. */
  readonly waiting: readonly GroupAtPartition[]
  readonly readPast: readonly GroupAtPartition[]
  /** For a fence: every partition of the transaction, as its coordinator lists them. */
  readonly transactionPartitions: readonly TopicPartition[]
}

export interface EndPlan {
  readonly way: 'fence' | 'abort'
  readonly targets: readonly Target[]
  readonly records: number
}

export async function planEnd(ctx: Context, way: 'fence' | 'abort'): Promise<EndPlan> {
  const scoped = fitting(scopeOf(ctx), way)
  if (scoped.length === 0)
    throw new Refusal(
      `nothing in scope to ${way}: ${way === 'abort' ? 'no hanging transaction (fence or wait for tracked ones)' : 'no transaction its coordinator tracks (abort hanging ones)'}; nothing changed`,
    )
  const snapshot = await readOpenTransactions(ctx.kafka, { takenAtMs: ctx.now(), topics: [...new Set(scoped.map((f) => f.topic))] })
  const live = new Map(classifyOpenTransactions(snapshot, { producerIdleMs: await ctx.param('producer-idle') }).map((f) => [keyOf(f), f]))
  const targets: Target[] = []
  for (const found of scoped) {
    const now = live.get(keyOf(found))
    const open = now ? holdingTransaction(now) : null
    if (!now || !open || open.producerId !== holdingTransaction(found)!.producerId)
      throw new Refusal(
        `${keyOf(found)} is no longer held by producer ${holdingTransaction(found)!.producerId} (it moved since it was found) — run the runbook again; nothing changed`,
      )
    const groups = await readGroupsAtStuckPartitions(ctx.kafka, [now])
    const read = await readTransactionRecords(ctx.kafka, { ...found, producerId: open.producerId, startOffset: open.startOffset, endOffset: now.highWatermark })
    const transactionalId = 'transactionalId' in open.verdict ? open.verdict.transactionalId : null
    const description = transactionalId === null ? undefined : snapshot.descriptions.get(transactionalId)
    targets.push({
      topic: found.topic,
      partition: found.partition,
      producerId: open.producerId,
      producerEpoch: open.producerEpoch,
      coordinatorEpoch: open.coordinatorEpoch,
      transactionalId,
      verdict: open.verdict,
      startOffset: open.startOffset,
      highWatermark: now.highWatermark,
      records: read.records.length,
      waiting: groups.filter((g) => g.where === 'waiting'),
      readPast: groups.filter((g) => g.where === 'past'),
      transactionPartitions: description && !('error' in description) ? description.partitions : [found],
    })
  }
  return { way, targets, records: targets.reduce((sum, t) => sum + t.records, 0) }
}

/** Right before applying: each partition still stuck at the same offset, by the same producer id and epoch. */
export async function recheckEnd(ctx: Context, plan: EndPlan): Promise<Drift[]> {
  const snapshot = await readOpenTransactions(ctx.kafka, { takenAtMs: ctx.now(), topics: [...new Set(plan.targets.map((t) => t.topic))] })
  const stuck = new Map(snapshot.partitions.map((p) => [keyOf(p), p]))
  return plan.targets.flatMap((t): Drift[] => {
    const now = stuck.get(keyOf(t))
    const planned = `LSO ${t.startOffset} held by producer ${t.producerId} epoch ${t.producerEpoch}`
    if (!now) return [{ what: keyOf(t), planned, now: 'no longer stuck: the transaction ended (its producer or coordinator finished it)' }]
    const open = now.transactions?.find((o) => o.startOffset === now.lastStableOffset) ?? null
    if (now.lastStableOffset !== t.startOffset || !open || open.producerId !== t.producerId || open.producerEpoch !== t.producerEpoch)
      return [{ what: keyOf(t), planned, now: `LSO ${now.lastStableOffset}${open ? ` held by producer ${open.producerId} epoch ${open.producerEpoch}` : ''}` }]
    return []
  })
}
