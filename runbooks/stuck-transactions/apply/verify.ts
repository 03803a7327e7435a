// After a fence or an abort (or while waiting): the last stable offset of each partition moves past the
// transaction — to the high watermark, or to the next open transaction, named — and the groups held there move.

import { type Block, counted, notice, table } from '../../../lib/engine/blocks.ts'
import { pollUntil } from '../../../lib/poll/index.ts'
import type { TopicPartition } from '../../../lib/kafka/types.ts'
import { readGroupCommitsOn } from '../../../lib/reads/consumer-group.ts'
import { readOpenTransactions, readStableOffsets } from '../../../lib/reads/open-transactions.ts'
import { type Context, keyOf } from '../notebook.ts'

export interface Held extends TopicPartition {
  /** The LSO the transaction held. */
  readonly startOffset: bigint
  readonly waitingGroups: readonly string[]
}

export interface Unblocked {
  readonly ok: boolean
  readonly blocks: Block[]
  readonly data: unknown
}

const intervalMs = 500

export async function watchUnblocked(ctx: Context, held: readonly Held[], timeoutMs: number): Promise<Unblocked> {
  const attempts = Math.max(1, Math.ceil(timeoutMs / intervalMs))
  const offsets = await pollUntil(
    () => readStableOffsets(ctx.kafka, held),
    (now) => now.every((o, i) => o.lastStableOffset !== null && o.lastStableOffset > held[i]!.startOffset),
    { sleep: ctx.sleep, intervalMs, attempts },
  )
  const moved = held.filter((_, i) => (offsets[i]!.lastStableOffset ?? -1n) > held[i]!.startOffset)
  // Where a moved LSO stopped short of the high watermark, the next open transaction holds it: name it.
  const next = new Map<string, string>()
  const short = moved.filter((h) => {
    const o = offsets[held.indexOf(h)]!
    return o.lastStableOffset !== o.highWatermark
  })
  if (short.length) {
    const snapshot = await readOpenTransactions(ctx.kafka, { takenAtMs: ctx.now(), topics: [...new Set(short.map((s) => s.topic))] })
    for (const p of snapshot.partitions) {
      const open = p.transactions?.find((t) => t.startOffset === p.lastStableOffset)
      if (open)
        next.set(
          keyOf(p),
          `producer ${open.producerId}${snapshot.transactionalIds.has(open.producerId) ? ` (${snapshot.transactionalIds.get(open.producerId)})` : ''} from offset ${open.startOffset}`,
        )
    }
  }
  const groups = [...new Set(held.flatMap((h) => h.waitingGroups))]
  const groupMoved = async () => {
    const commits = await readGroupCommitsOn(ctx.kafka, [...new Set(held.map((h) => h.topic))])
    return held.flatMap((h) =>
      h.waitingGroups.map((groupId) => {
        const offset = commits.find((c) => c.groupId === groupId)?.offsets.find((o) => keyOf(o) === keyOf(h))?.offset ?? null
        return { groupId, partition: keyOf(h), committed: offset, moved: offset !== null && offset > h.startOffset }
      }),
    )
  }
  const groupStates =
    groups.length && moved.length ? await pollUntil(groupMoved, (g) => g.every((x) => x.moved), { sleep: ctx.sleep, intervalMs, attempts }) : []
  const rows = held.map((h, i) => {
    const o = offsets[i]!
    return [
      keyOf(h),
      h.startOffset,
      o.lastStableOffset ?? 'not read',
      o.highWatermark ?? 'not read',
      !moved.includes(h)
        ? 'STILL HELD'
        : o.lastStableOffset === o.highWatermark
          ? 'at the high watermark'
          : `held by the next open transaction: ${next.get(keyOf(h)) ?? 'one that ended meanwhile'}`,
    ]
  })
  const blocks: Block[] = [table(['Partition', 'LSO before', 'LSO now', 'High watermark', 'Now'], rows, { title: 'Last stable offsets' })]
  if (groupStates.length)
    blocks.push(
      table(
        ['Group', 'Partition', 'Committed now', 'Moved past the old LSO'],
        groupStates.map((g) => [g.groupId, g.partition, g.committed ?? '—', g.moved ? 'yes' : 'not yet']),
        { title: 'Groups that were held' },
      ),
    )
  const stillHeld = held.filter((h) => !moved.includes(h))
  const idle = groupStates.filter((g) => !g.moved)
  blocks.push(
    stillHeld.length
      ? notice(
          'danger',
          `${stillHeld.map(keyOf).join(', ')}: the last stable offset has not moved within ${Math.round(timeoutMs / 1000)} s. Run this runbook again to see what holds it now.`,
        )
      : notice(
          idle.length ? 'warn' : 'ok',
          `The last stable offset moved on ${counted(held.length, 'partition')}.${idle.length ? ` ${[...new Set(idle.map((g) => g.groupId))].join(', ')} has not committed past it yet: its consumers may be stopped, slow, or commit rarely — check them.` : groups.length ? ' Every group that was held has moved on.' : ''}`,
        ),
  )
  return { ok: stillHeld.length === 0, blocks, data: { offsets, groups: groupStates } }
}
