// The blocks of the lag-retention runbook: the race per partition, the topic's deletion settings, the disk a
// raised retention costs per broker, and what the next fetch of a group below the log start does.

import { type Block, facts, formatCount, formatSeconds, iso, notice, table } from '../../lib/engine/blocks.ts'
import type { BrokerDiskCost, PartitionRace, RevertDeletion } from '../../lib/plans/lag-retention.ts'
import type { ResetOutcome } from '../../lib/plans/consumer-config.ts'
import type { LagRetentionReading, TopicRetention } from '../../lib/reads/lag-retention.ts'
import { retentionSettingNames } from '../../lib/reads/lag-retention.ts'

export const maxRows = 60

const rate = (perSecond: number | null) => (perSecond === null ? '?' : `${perSecond < 10 ? perSecond.toFixed(1) : Math.round(perSecond)}/s`)
const inTime = (ms: number, nowMs: number) => (ms <= nowMs ? 'now' : `in ${formatSeconds(ms - nowMs)}`)

const statusText: Readonly<Record<PartitionRace['status'], string>> = {
  'below-log-start': 'records already deleted unread',
  racing: 'racing retention: unread records will be deleted',
  safe: 'behind, but reads each segment before it goes',
  'caught-up': 'caught up',
  'no-deletion': 'behind; this topic deletes nothing by retention',
}

export function raceTable(races: readonly PartitionRace[], nowMs: number): Block {
  const order: PartitionRace['status'][] = ['below-log-start', 'racing', 'safe', 'no-deletion', 'caught-up']
  const rows = [...races].sort(
    (a, b) => order.indexOf(a.status) - order.indexOf(b.status) || (a.firstLoss?.dueMs ?? Infinity) - (b.firstLoss?.dueMs ?? Infinity),
  )
  return table(
    [
      'Topic',
      'Partition',
      'Committed',
      'Log start',
      'Log end',
      'Lag',
      'Oldest unread',
      'Consumed',
      'Produced',
      'First unread deleted',
      'Unread to be deleted',
      'Catches up',
      'Status',
    ],
    rows
      .slice(0, maxRows)
      .map((r) => [
        r.topic,
        r.partition,
        r.committed,
        r.logStart,
        r.logEnd,
        r.lag,
        r.oldestUnreadMs === null ? '—' : `${iso(r.oldestUnreadMs)} (${formatSeconds(Math.max(0, nowMs - r.oldestUnreadMs))} old)`,
        rate(r.consumedPerSecond),
        rate(r.producedPerSecond),
        r.alreadyDeleted > 0n
          ? `already: ${formatCount(r.alreadyDeleted)} (${r.committed}–${r.logStart - 1n})`
          : r.firstLoss
            ? `${inTime(r.firstLoss.dueMs, nowMs)} – ${inTime(r.firstLoss.latestMs, nowMs)} (by ${r.firstLoss.reason})`
            : '—',
        r.atRisk,
        r.catchUpAtMs === null ? 'no (not faster than the writes)' : inTime(r.catchUpAtMs, nowMs),
        statusText[r.status],
      ]),
    {
      title: 'The group against retention, per partition',
      ...(rows.length > maxRows ? { footer: `${formatCount(rows.length - maxRows)} more partitions in --json` } : {}),
    },
  )
}

export function settingsTable(topics: readonly TopicRetention[], checkInterval: LagRetentionReading['checkInterval']): Block {
  return table(
    ['Topic', ...retentionSettingNames, 'log.retention.check.interval.ms'],
    topics.map((t) => [
      t.topic,
      ...retentionSettingNames.map((name) => {
        const s = t.settings[name]
        return s ? `${s.value ?? 'unset'} (${s.source})` : '—'
      }),
      `${checkInterval.ms} (${checkInterval.from === 'broker' ? 'broker' : "Kafka's default: unreadable"})`,
    ]),
    { title: 'How these topics delete records (value and where it comes from)' },
  )
}

const bytes = (value: bigint | null) => (value === null ? '?' : `${formatCount(value)} B`)

export function diskTable(costs: readonly BrokerDiskCost[]): Block {
  return table(
    ['Broker', 'Extra on disk at the peak', 'Usable now', 'Total', 'Share of usable'],
    costs.map((c) => [
      c.broker,
      c.extraBytes === null ? 'unbounded (no limit left)' : bytes(c.extraBytes),
      bytes(c.usableBytes),
      bytes(c.totalBytes),
      c.extraBytes === null || c.usableBytes === null || c.usableBytes === 0n ? '?' : `${((Number(c.extraBytes) / Number(c.usableBytes)) * 100).toFixed(2)} %`,
    ]),
    { title: 'What the raised retention holds on each broker (every replica of every partition of the topic)' },
  )
}

export function resetTable(rows: readonly { race: PartitionRace; outcome: ResetOutcome }[]): Block {
  return table(
    ['Topic', 'Partition', 'Committed', 'Log start', 'Log end', 'Deleted unread', 'Goes on at', 'Skipped (on disk, never read)'],
    rows.map(({ race, outcome }) => [
      race.topic,
      race.partition,
      race.committed,
      race.logStart,
      race.logEnd,
      outcome.deleted,
      outcome.continuesAt === null ? 'stops (error to the application)' : outcome.continuesAt,
      outcome.skipped,
    ]),
    { title: 'The next fetch of each partition below the log start' },
  )
}

export function groupFacts(reading: LagRetentionReading): Block {
  const { view } = reading
  return facts(
    [
      ['Group', view.groupId],
      ['State', view.state],
      ['Members', String(view.members.length)],
      ['Rates measured over', formatSeconds(reading.sampledMs)],
    ],
    'The group now',
  )
}

/** Unread records a restore deletes, per group, over every partition. */
function unreadByGroup(deletions: readonly RevertDeletion[]): Map<string, bigint> {
  const byGroup = new Map<string, bigint>()
  for (const d of deletions) for (const u of d.unread) byGroup.set(u.groupId, (byGroup.get(u.groupId) ?? 0n) + u.records)
  return byGroup
}

/** What putting the retention back deletes at the next check, and whether any group had not read it yet. */
export function revertCostBlocks(deletions: readonly RevertDeletion[]): Block[] {
  const deleting = deletions.filter((d) => d.records > 0n)
  const total = deleting.reduce((a, d) => a + d.records, 0n)
  const unread = [...unreadByGroup(deletions)]
  const blocks: Block[] = []
  if (deleting.length)
    blocks.push(
      table(
        ['Topic', 'Partition', 'Segments', 'Offsets deleted', 'Records', 'Not yet read by'],
        deleting
          .slice(0, maxRows)
          .map((d) => [
            d.topic,
            String(d.partition),
            String(d.segments),
            `${d.fromOffset}–${d.toOffset - 1n}`,
            formatCount(d.records),
            d.unread.map((u) => `${u.groupId} (${formatCount(u.records)})`).join(', ') || '—',
          ]),
        { title: 'Deleted at the first retention check after the restore', footer: `${formatCount(total)} records in all.` },
      ),
    )
  if (unread.length)
    blocks.push(
      notice(
        'danger',
        `Putting the retention back DELETES UNREAD RECORDS: ${unread.map(([g, n]) => `${formatCount(n)} not yet read by group ${g}`).join('; ')}. They are gone at the next retention check; wait until the group has read past them.`,
      ),
    )
  else
    blocks.push(
      notice(
        'ok',
        total > 0n
          ? `The restore deletes ${formatCount(total)} records at the next retention check; every group committed on the topic has read them.`
          : 'The restore deletes nothing at once: no segment is older than the restored retention yet.',
      ),
    )
  return blocks
}
