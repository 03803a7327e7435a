// What the operator approves: each fix before and after, per topic, with what it costs on this cluster now;
// and the exported reassignment with the commands that run it.

import { agree, type Block, code, counted, formatCount, markdown, notice, table } from '../../lib/engine/blocks.ts'
import { describeSource, fitNames } from '../../lib/plans/durability-lines.ts'
import type { MinIsrPlan, SettingBefore, UncleanPlan } from '../../lib/plans/durability-fixes.ts'
import type { ReassignmentPlan } from '../../lib/plans/replica-placement.ts'
import { formatBytes } from './tables.ts'

const maxRows = 15

const beforeText = (b: SettingBefore) => `${b.value ?? '?'} (${describeSource(b.source)})`

function skippedBlocks(skipped: readonly { topic: string; reason: string }[]): Block[] {
  if (skipped.length === 0) return []
  const byReason = new Map<string, string[]>()
  for (const s of skipped) byReason.set(s.reason, [...(byReason.get(s.reason) ?? []), s.topic])
  return [...byReason].map(([reason, topics]) => notice('info', `Not changed: ${fitNames(topics, 50)} — ${reason}.`))
}

export function minIsrPreview(plan: MinIsrPlan): Block[] {
  const rows = plan.changes
    .slice(0, maxRows)
    .map((c) => [
      c.topic,
      c.replicationFactor,
      c.partitions,
      beforeText(c.before),
      `${c.to} (topic override)`,
      c.failingAtOnce
        ? `${c.failingAtOnce} refuse acks=all now`
        : c.stopsWritesOnBrokerLoss
          ? 'one broker down stops acks=all'
          : `${counted(c.replicationFactor - Number(c.to), 'broker')} may be down`,
    ])
  const blocks: Block[] = [
    table(['Topic', 'RF', 'Part.', 'min.insync.replicas now', 'After', 'Writes'], rows, {
      title: `Raise min.insync.replicas on ${formatCount(plan.totals.topics)} topic${plan.totals.topics === 1 ? '' : 's'}`,
      ...(plan.changes.length > maxRows
        ? { footer: `and ${formatCount(plan.changes.length - maxRows)} more topics (the plan in --json lists every one)` }
        : {}),
    }),
    markdown(
      `After this, an acks=all write on these topics is acknowledged only once at least ${plan.target} replicas (or every replica, where there are fewer) have it; below that the producer gets NOT_ENOUGH_REPLICAS and retries instead of being told "written" with one copy. acks=1 and acks=0 producers see no difference — fix those in the producer.`,
    ),
  ]
  if (plan.totals.stopsWritesTopics > 0) {
    blocks.push(
      notice(
        'warn',
        `${counted(plan.totals.stopsWritesTopics, 'topic')} ${agree(plan.totals.stopsWritesTopics, 'has', 'have')} only ${counted(plan.target, 'replica')}: min.insync.replicas then equals the replication factor, and ANY one broker down — a crash or a rolling restart — stops their acks=all writes until it is back. Raising the replication factor first (the reassignment plan) avoids that.`,
      ),
    )
  }
  if (plan.totals.failingAtOnce > 0)
    blocks.push(
      notice(
        'danger',
        `${counted(plan.totals.failingAtOnce, 'partition')} ${agree(plan.totals.failingAtOnce, 'has', 'have')} fewer in-sync replicas than that right now: acks=all writes to them are refused from the moment this applies.`,
      ),
    )
  if (plan.totals.elrCleared > 0)
    blocks.push(
      notice(
        'info',
        `${counted(plan.totals.elrCleared, 'partition')} ${agree(plan.totals.elrCleared, 'has', 'have')} eligible leader replicas recorded; Kafka 4.x clears them when min.insync.replicas changes.`,
      ),
    )
  return [...blocks, ...skippedBlocks(plan.skipped)]
}

export function uncleanPreview(plan: UncleanPlan): Block[] {
  const rows = plan.changes
    .slice(0, maxRows)
    .map((c) => [c.topic, c.partitions, beforeText(c.before), 'false (topic override)', c.leaderless ? `${c.leaderless} leaderless now` : ''])
  const blocks: Block[] = [
    table(['Topic', 'Part.', 'unclean.leader.election.enable now', 'After', ''], rows, {
      title: `Turn unclean leader election off on ${formatCount(plan.totals.topics)} topic${plan.totals.topics === 1 ? '' : 's'}`,
      ...(plan.changes.length > maxRows ? { footer: `and ${formatCount(plan.changes.length - maxRows)} more topics` } : {}),
    }),
    markdown(
      'After this, when every in-sync replica of a partition is gone, the partition waits for one of them instead of promoting a replica that lacks acknowledged records. An operator can still force that choice after pricing it (`runbook run unclean-election`).',
    ),
  ]
  if (plan.totals.leaderless > 0)
    blocks.push(
      notice(
        'warn',
        `${counted(plan.totals.leaderless, 'partition')} ${agree(plan.totals.leaderless, 'has', 'have')} no leader right now: with the flag off, Kafka will not elect a lagging replica for them; they stay offline until an in-sync replica returns.`,
      ),
    )
  return [...blocks, ...skippedBlocks(plan.skipped)]
}

const racks = (list: readonly (string | null)[]) => list.map((r) => r ?? '?').join(',')

export function reassignmentBlocks(plan: ReassignmentPlan, files: { readonly file: string; readonly rollback: string; readonly throttle: number }): Block[] {
  const { totals } = plan
  const rows = plan.moves
    .slice(0, maxRows)
    .map((m) => [
      `${m.topic}/${m.partition}`,
      m.current.join(','),
      m.proposed.join(','),
      `${racks(m.racksBefore)} → ${racks(m.racksAfter)}`,
      m.bytesPerReplica === null ? '?' : formatBytes(m.bytesPerReplica * BigInt(m.added.length)),
    ])
  const seconds = totals.bytesToCopy === null ? null : Math.ceil(Number(totals.bytesToCopy) / files.throttle)
  const blocks: Block[] = [
    table(['Partition', 'Replicas now', 'Proposed', 'Racks', 'Copies'], rows, {
      title: `Reassignment to ${plan.targetReplicationFactor} replicas spread over racks: ${formatCount(totals.partitions)} partition${totals.partitions === 1 ? '' : 's'}`,
      ...(plan.moves.length > maxRows ? { footer: `and ${formatCount(plan.moves.length - maxRows)} more partitions (all in the JSON file)` } : {}),
    }),
    markdown(
      [
        `Adds ${formatCount(totals.replicasAdded)} replica${totals.replicasAdded === 1 ? '' : 's'}${totals.replicasRemoved ? ` and removes ${formatCount(totals.replicasRemoved)} (moved to another rack)` : ''}; the first replica of each partition (its preferred leader) stays first.`,
        totals.bytesToCopy === null
          ? 'Replica sizes could not be read: the amount to copy is unknown.'
          : `Copies ${formatBytes(totals.bytesToCopy)} over the network${seconds !== null ? `, about ${seconds < 120 ? `${seconds} s` : `${Math.ceil(seconds / 60)} min`} at --throttle ${formatCount(files.throttle)} bytes/s` : ''}; the new replicas join the ISR once they have caught up.`,
        `Written to \`${files.file}\` (and the current placement to \`${files.rollback}\`). Nothing was applied: run it when the cluster is healthy, then raise min.insync.replicas.`,
      ].join('\n\n'),
    ),
    code(
      [
        `PLAN=${files.file}`,
        `ROLLBACK=${files.rollback}`,
        'kafka-reassign-partitions --bootstrap-server "$KAFKA_BOOTSTRAP_SERVERS" \\',
        `  --reassignment-json-file "$PLAN" --execute --throttle ${files.throttle}`,
        '# until it says complete (this also removes the throttle):',
        'kafka-reassign-partitions --bootstrap-server "$KAFKA_BOOTSTRAP_SERVERS" \\',
        '  --reassignment-json-file "$PLAN" --verify',
        '# to roll back: the same --execute with "$ROLLBACK"',
      ].join('\n'),
      'sh',
    ),
  ]
  if (plan.notPossible.length > 0) {
    const byReason = new Map<string, string[]>()
    for (const n of plan.notPossible) byReason.set(n.reason, [...(byReason.get(n.reason) ?? []), `${n.topic}/${n.partition}`])
    for (const [reason, partitions] of byReason) blocks.push(notice('warn', `Not in the plan: ${fitNames(partitions, 40)} — ${reason}.`))
  }
  return blocks
}
