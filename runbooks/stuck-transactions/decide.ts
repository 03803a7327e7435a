// The choice — wait for the coordinator, fence the producer through it, or abort on the partition — priced for
// the stuck partitions in question: when the LSO moves if nothing is done, records discarded, groups unblocked.

import { agree, counted, formatCount, formatSeconds, iso } from '../../lib/engine/blocks.ts'
import { type OptionPrice, Refusal } from '../../lib/engine/runbook.ts'
import { holdingTransaction, type StuckPartitionFinding, wayToEnd } from '../../lib/plans/open-transactions.ts'
import { keyOf, nb, type Context } from './notebook.ts'

/** The stuck partitions this run is about: those named (each must be stuck), of the producer named, else all. */
export function scopeOf(ctx: Context): StuckPartitionFinding[] {
  const findings = ctx.need('findings')
  const named = ctx.given('partitions')
  const producer = ctx.given('producer-id')
  let scoped = [...findings]
  if (named) {
    const stuck = new Set(findings.map(keyOf))
    const notStuck = named.filter((tp) => !stuck.has(keyOf(tp)))
    if (notStuck.length)
      throw new Refusal(
        `${notStuck.map(keyOf).join(', ')} ${agree(notStuck.length, 'has', 'have')} no open transaction holding the last stable offset (it is at the high watermark, or moved between the samples) — name a partition from the table; nothing changed`,
      )
    const wanted = new Set(named.map(keyOf))
    scoped = scoped.filter((f) => wanted.has(keyOf(f)))
  }
  if (producer !== undefined) {
    scoped = scoped.filter((f) => holdingTransaction(f)?.producerId === BigInt(producer))
    if (scoped.length === 0)
      throw new Refusal(
        `producer id ${producer} holds no stuck partition${named ? ` among ${named.map(keyOf).join(', ')}` : ''} — take the producer id from the table; nothing changed`,
      )
  }
  return scoped
}

/** The in-scope partitions a way fits: fence the ones whose producer is gone (or live, if asked), abort the hanging ones. */
export function fitting(scoped: readonly StuckPartitionFinding[], way: 'fence' | 'abort'): StuckPartitionFinding[] {
  return scoped.filter((f) => {
    const open = holdingTransaction(f)
    if (!open) return false
    if (way === 'abort') return open.verdict.kind === 'hanging'
    return open.verdict.kind === 'producer-gone' || open.verdict.kind === 'ongoing'
  })
}

const recordsOf = (ctx: Context, partitions: readonly StuckPartitionFinding[]) => {
  const counts = partitions.map((f) => ctx.need('records').get(keyOf(f)))
  return { records: counts.reduce((sum, c) => sum + (c?.records ?? 0), 0), complete: counts.every((c) => c?.complete === true) }
}

function groupsOn(ctx: Context, partitions: readonly StuckPartitionFinding[]) {
  const keys = new Set(partitions.map(keyOf))
  const groups = ctx.need('groups').filter((g) => keys.has(keyOf(g)))
  const names = (where: 'waiting' | 'past') => [...new Set(groups.filter((g) => g.where === where).map((g) => g.groupId))]
  return { waiting: names('waiting'), past: names('past') }
}

/** Records per second arriving on a partition between the two samples. */
function rateOf(ctx: Context, f: StuckPartitionFinding): number {
  const [t1, t2] = ctx.need('sampledAtMs')
  const before = ctx.need('earlierHighWatermarks').get(keyOf(f))
  return before === undefined || t2 <= t1 ? 0 : (Number(f.highWatermark - before) * 1000) / (t2 - t1)
}

function price(ctx: Context): Record<'wait' | 'fence' | 'abort', OptionPrice> {
  const scoped = scopeOf(ctx)
  const now = ctx.need('sampledAtMs')[1]
  const never = scoped.filter((f) => f.unblockedByMs === null)
  const latest = Math.max(now, ...scoped.map((f) => f.unblockedByMs ?? now))
  const piling = Math.round(scoped.reduce((sum, f) => sum + (rateOf(ctx, f) * Math.max(0, (f.unblockedByMs ?? now) - now)) / 1000, 0))
  const { waiting } = groupsOn(ctx, scoped)
  const wait: OptionPrice = {
    label: never.length ? 'Wait' : `Wait for the coordinator (until about ${iso(latest)})`,
    cost: never.length
      ? `${counted(never.length, 'partition')} never ${agree(never.length, 'moves', 'move')} by itself (${never.map(keyOf).join(', ')})`
      : `read_committed consumers stay held ${formatSeconds(latest - now)} more; about ${formatCount(piling)} more records pile up behind the LSO at the measured rate${waiting.length ? `, for each of ${waiting.join(', ')}` : ''}; nothing is discarded by you`,
    risk: 'lag and end-to-end latency grow for every exactly-once consumer of these partitions; the coordinator still aborts the transaction at its timeout (its records are discarded either way)',
    recommended: never.length === 0 && latest - now <= 60_000,
    ...(never.length === scoped.length && scoped.length > 0 ? { unavailable: 'nothing in scope ends by itself: its coordinator does not track it' } : {}),
  }

  const fenceable = fitting(scoped, 'fence')
  const alive = fenceable.filter((f) => holdingTransaction(f)!.verdict.kind === 'ongoing')
  const fenceRecords = recordsOf(ctx, fenceable)
  const fenceGroups = groupsOn(ctx, fenceable)
  const ids = [
    ...new Set(
      fenceable.map((f) => {
        const v = holdingTransaction(f)!.verdict
        return 'transactionalId' in v ? v.transactionalId : null
      }),
    ),
  ]
  const fence: OptionPrice = {
    label: `Fence ${ids.length ? ids.join(', ') : 'the producer'} through ${agree(ids.length, 'its coordinator', 'their coordinators')}`,
    cost: fenceable.length
      ? `${fenceRecords.complete ? '' : 'over '}${counted(fenceRecords.records, 'record')} of the open transaction discarded on ${counted(fenceable.length, 'partition')} (and on its other partitions); ${fenceGroups.waiting.length ? `unblocks ${fenceGroups.waiting.join(', ')}` : 'no waiting group seen'}${fenceGroups.past.length ? `; ${fenceGroups.past.join(', ')} already read them uncommitted` : ''}`
      : 'nothing to fence',
    risk: alive.length
      ? `the producer of ${alive.map(keyOf).join(', ')} is ACTIVE: fencing aborts a transaction it would likely commit, and it fails with ProducerFenced until restarted`
      : 'the producer instance, should it come back, is fenced (ProducerFenced) and must restart with the same transactional id; its pipeline re-reads its input from its last committed offsets',
    recommended: fenceable.length > 0 && alive.length === 0 && fenceable.length === scoped.length && latest - now > 60_000,
    ...(fenceable.length === 0 ? { unavailable: 'no stuck transaction in scope is tracked by its coordinator (hanging ones need an abort)' } : {}),
  }

  const abortable = fitting(scoped, 'abort')
  const abortRecords = recordsOf(ctx, abortable)
  const abortGroups = groupsOn(ctx, abortable)
  const abort: OptionPrice = {
    label: 'Abort the hanging transaction on the partition (abort marker)',
    cost: abortable.length
      ? `${abortRecords.complete ? '' : 'over '}${counted(abortRecords.records, 'record')} discarded for read_committed consumers on ${counted(abortable.length, 'partition')} (copied to the session folder first); ${abortGroups.waiting.length ? `unblocks ${abortGroups.waiting.join(', ')}` : 'no waiting group seen'}${abortGroups.past.length ? `; ${abortGroups.past.join(', ')} already read them uncommitted` : ''}`
      : 'nothing to abort',
    risk: 'cannot be undone: those records never count as committed; the copy is the record of what was thrown away',
    recommended: abortable.length > 0,
    ...(abortable.length === 0
      ? {
          unavailable: scoped.some((f) => holdingTransaction(f)?.verdict.kind !== 'hanging')
            ? 'their coordinator still tracks these transactions: fence or wait instead (an abort behind its back races its own markers)'
            : 'no hanging transaction in scope',
        }
      : {}),
  }
  return { wait, fence, abort }
}

export const decideCell = nb.decide({
  id: 'decision',
  title: 'Wait, fence or abort',
  when: (ctx) => {
    if ((ctx.state.findings?.length ?? 0) > 0) return true
    if (ctx.given('partitions') || ctx.given('producer-id')) scopeOf(ctx)
    return 'no partition is held back by an open transaction'
  },
  whenDoc: 'some partition’s last stable offset is held below its high watermark',
  doc: 'Prices the three ways out for the stuck partitions in question (those given with --set partitions / producer-id, else every one found): when the LSO moves if you wait, the records a fence or an abort discards, the groups each unblocks and those that already read the records uncommitted.',
  question: 'How should these transactions end?',
  options: {
    wait: 'Wait for the coordinator to end them',
    fence: 'Fence the producer (its coordinator aborts the transaction)',
    abort: 'Abort the hanging transaction on the partition',
  },
  price,
  because: (ctx) => {
    const ways = new Set(
      scopeOf(ctx).map((f) => {
        const open = holdingTransaction(f)
        return open ? wayToEnd(open.verdict) : null
      }),
    )
    if (ways.has('abort')) return 'a hanging transaction never ends by itself: only an abort marker moves its partition'
    if (ways.has('fence')) return 'the producer is gone: fencing ends the transaction now, with the same records discarded as at its timeout'
    return 'the producer is active and its transaction ends by itself'
  },
  headlessDefault: (ctx) => {
    const ways = new Set(
      scopeOf(ctx).map((f) => {
        const open = holdingTransaction(f)
        return open ? wayToEnd(open.verdict) : null
      }),
    )
    return ways.has('abort') ? 'abort' : ways.has('fence') ? 'fence' : 'wait'
  },
})
