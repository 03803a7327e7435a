// The tables and phrases the stuck-transactions cells share: each stuck partition with the transaction holding
// it and what its coordinator says, and the consumer groups waiting there.

import { type Block, counted, formatCount, formatSeconds, iso, table } from '../../lib/engine/blocks.ts'
import {
  type ClassifiedTransaction,
  type GroupAtPartition,
  holdingTransaction,
  type StuckPartitionFinding,
  type Verdict,
} from '../../lib/plans/open-transactions.ts'
import { keyOf, type RecordCount } from './notebook.ts'

const hangingWhy = {
  'no-transactional-id': 'no coordinator knows this producer id',
  'transactional-id-not-found': 'its transactional id is gone from its coordinator',
  'partition-not-in-transaction': 'its coordinator does not have this partition in the transaction',
} as const

/** What the coordinator's view means for this transaction, in a few words. */
export function verdictText(verdict: Verdict, nowMs: number): string {
  switch (verdict.kind) {
    case 'ongoing':
      return `ongoing, producer active — its coordinator aborts it at ${iso(verdict.deadlineMs)} (in ${formatSeconds(Math.max(0, verdict.deadlineMs - nowMs))}) unless it ends first`
    case 'producer-gone':
      return `ongoing, producer silent for ${verdict.idleMs === null ? '?' : formatSeconds(verdict.idleMs)} — its coordinator aborts it at ${iso(verdict.deadlineMs)} (in ${formatSeconds(Math.max(0, verdict.deadlineMs - nowMs))})`
    case 'completing':
      return `ending now (${verdict.state}): its markers are being written`
    case 'hanging':
      return `HANGING: ${hangingWhy[verdict.reason]} — it never ends by itself${verdict.pastMaxTimeout ? '' : ' (kafka-transactions find-hanging lists it once its last write is older than transaction.max.timeout.ms)'}`
    case 'unknown':
      return `unknown: ${verdict.why}`
  }
}

export const recordsText = (count: RecordCount | undefined) => (count === undefined ? '?' : `${count.complete ? '' : 'over '}${formatCount(count.records)}`)

export function stuckTable(
  findings: readonly StuckPartitionFinding[],
  records: ReadonlyMap<string, RecordCount>,
  nowMs: number,
  stuckSinceMs: ReadonlyMap<string, number | null>,
): Block {
  return table(
    ['Partition', 'LSO', 'High watermark', 'Held back', 'Stuck since', 'Producer id (epoch)', 'Transactional id', 'Its records', 'Coordinator says'],
    findings.map((f) => {
      const open = holdingTransaction(f)
      const since = stuckSinceMs.get(keyOf(f)) ?? null
      return [
        keyOf(f),
        f.lastStableOffset,
        f.highWatermark,
        formatCount(f.offsetsBehind),
        since === null ? '?' : `${iso(since)} (${formatSeconds(Math.max(0, nowMs - since))} ago)`,
        open ? `${open.producerId} (${open.producerEpoch})` : (f.error ?? '—'),
        open ? transactionalIdOf(open) : '—',
        recordsText(records.get(keyOf(f))),
        open ? verdictText(open.verdict, nowMs) : 'no open transaction reported',
      ]
    }),
    { title: `${counted(findings.length, 'partition')} with the last stable offset below the high watermark` },
  )
}

export const transactionalIdOf = (t: ClassifiedTransaction): string =>
  'transactionalId' in t.verdict && t.verdict.transactionalId !== null ? t.verdict.transactionalId : '— (none known)'

export function groupsTable(groups: readonly GroupAtPartition[]): Block {
  const where = { waiting: 'held at the LSO', past: 'read past it (uncommitted)', behind: 'behind the LSO' } as const
  return table(
    ['Group', 'Partition', 'Committed', 'Where', 'Lag', 'Lag growth between samples'],
    groups.map((g) => [g.groupId, keyOf(g), g.committed, where[g.where], formatCount(g.lag), g.lagGrowth === null ? '—' : `+${formatCount(g.lagGrowth)}`]),
    { title: 'Consumer groups on these partitions' },
  )
}
