// Tables and sentences of the isr-shrink runbook: the flagged partitions grouped by the replicas that left the
// ISR, and the cause of every out-of-sync replica.

import { agree, type Block, counted, facts, formatCount, formatSeconds, iso, markdown, notice, table } from '../../lib/engine/blocks.ts'
import type { IsrFindings, ShrinkGroup } from '../../lib/plans/isr-findings.ts'
import type { BrokerCause, CauseReport, Progress, ReplicaCause } from '../../lib/plans/replica-causes.ts'
import { producersSee, verdictWords } from './text.ts'

/** At most this many rows per table on screen; the transcript (and --json) has them all. */
export const maxRows = 40

const list = (ids: readonly number[]) => (ids.length ? ids.join(',') : '—')
const more = (total: number) => (total > maxRows ? ` — ${formatCount(total - maxRows)} more not shown (the transcript has them all)` : '')

function groupTitle(group: ShrinkGroup): string {
  if (group.outOfSync.length === 0) return 'No replica out of sync — at min ISR by their settings (replication factor = min.insync.replicas)'
  return `Out of sync: ${agree(group.outOfSync.length, 'broker', 'brokers')} ${group.outOfSync.join(', ')}`
}

const writesLabel = { failing: 'REFUSED', 'at-min': 'ok, at min', flowing: 'ok', 'no-leader': 'no leader' } as const

export function findBlocks(findings: IsrFindings): Block[] {
  if (findings.partitions.length === 0) {
    return [
      notice(
        'ok',
        `None of the ${formatCount(findings.totalPartitions)} partitions is under min ISR, at min ISR, under-replicated or unavailable (kafka-topics' definitions): nothing to do.`,
      ),
    ]
  }
  const blocks: Block[] = [
    facts(
      [
        ['Under min ISR', `${formatCount(findings.underMinIsr)} (kafka-topics --under-min-isr-partitions)`],
        ['At min ISR', `${formatCount(findings.atMinIsr)} (--at-min-isr-partitions)`],
        ['Under-replicated', `${formatCount(findings.underReplicated)} (--under-replicated-partitions)`],
        ['Unavailable', `${formatCount(findings.unavailable)} (--unavailable-partitions)`],
        ['acks=all refused now', `${counted(findings.failing.length, 'partition')}`],
      ],
      `Flagged partitions (of ${formatCount(findings.totalPartitions)})`,
    ),
  ]
  for (const group of findings.groups) {
    const rows = group.partitions
      .slice(0, maxRows)
      .map((p) => [
        `${p.topic}/${p.partition}`,
        p.leader ?? 'none',
        list(p.replicas),
        list(p.isr),
        p.elr === null ? '—' : list(p.elr),
        p.minIsr ?? '?',
        writesLabel[p.writes],
      ])
    blocks.push(
      table(['Partition', 'Leader', 'Replicas', 'ISR', 'ELR', 'Min ISR', 'acks=all'], rows, {
        title: groupTitle(group),
        footer: `${counted(group.partitions.length, 'partition')} in ${counted(group.topics.length, 'topic')}: ${group.failing} refusing acks=all, ${group.atMin} at min ISR${group.noLeader ? `, ${group.noLeader} without a leader` : ''}${more(group.partitions.length)}`,
      }),
    )
  }
  const kinds = [...new Set(findings.partitions.map((p) => p.writes))]
  blocks.push(markdown(`**What producers see right now**\n\n${kinds.map((k) => `- ${writesLabel[k]}: ${producersSee[k]}`).join('\n')}`))
  if (findings.cappedMinIsr.length > 0) {
    blocks.push(
      notice(
        'info',
        `${counted(findings.cappedMinIsr.length, 'partition')} (e.g. ${findings.cappedMinIsr[0]!.topic}/${findings.cappedMinIsr[0]!.partition}) ${agree(findings.cappedMinIsr.length, 'has', 'have')} min.insync.replicas above the replication factor: kafka-topics lists them under min ISR, but the leader caps the setting at the replica count, so their writes are accepted.`,
      ),
    )
  }
  if (findings.unavailable > 0)
    blocks.push(
      notice(
        'warn',
        `${counted(findings.unavailable, 'partition')} ${agree(findings.unavailable, 'has', 'have')} no live leader: no min ISR setting makes them writable — use the unclean-election runbook for those.`,
      ),
    )
  return blocks
}

function describeProgress(progress: Progress): string {
  switch (progress.kind) {
    case 'unknown':
      return `— (${progress.why})`
    case 'at-high-watermark':
      return progress.behindLeader > 0n ? `at the high watermark (${formatCount(progress.behindLeader)} behind the leader's log end)` : 'caught up'
    case 'catching-up':
      return `${formatCount(progress.behind)} behind, closing ${formatCount(Math.round(progress.recordsPerSecond))}/s → in sync in ~${formatSeconds(progress.etaMs)}`
    case 'stuck':
      return `${formatCount(progress.behind)} behind, fetched nothing (leader +${formatCount(Math.round(progress.leaderRecordsPerSecond))}/s)`
    case 'falling-behind':
      return `${formatCount(progress.behind)} behind, fetching ${formatCount(Math.round(progress.recordsPerSecond))}/s < leader ${formatCount(Math.round(progress.leaderRecordsPerSecond))}/s`
  }
}

function throttleText(cause: ReplicaCause): string {
  if (cause.throttles.length === 0) return '—'
  return cause.throttles
    .map(
      (t) =>
        `${t.side} side: ${formatCount(t.rate.bytesPerSecond)} B/s on broker ${t.broker} (${t.rate.source === 'dynamic-broker-default' ? 'cluster default' : 'broker setting'}), listed as ${t.list}`,
    )
    .join('; ')
}

function brokerLine(b: BrokerCause, replicas: readonly ReplicaCause[], nowMs: number): string {
  const registration =
    b.state === 'up'
      ? 'registered and unfenced'
      : b.state === 'fenced'
        ? 'FENCED by the controller'
        : 'NOT REGISTERED (gone, or fenced on a cluster that cannot say)'
  const process = {
    answering: '',
    hung: '; its process accepts connections but does NOT ANSWER (paused, a long GC, a stuck disk)',
    gone: '; NOTHING LISTENS on its port (the process is gone)',
    unknown: '',
  }[b.process]
  const state = `${registration}${process}`
  const contact =
    b.lastContactMs === null
      ? 'the controller has no record of its last contact'
      : `the controller last heard from it at ${iso(b.lastContactMs)} (${formatSeconds(Math.max(0, nowMs - b.lastContactMs))} before this check)`
  const mine = replicas.filter((r) => r.broker === b.broker).map((r) => `${r.topic}/${r.partition}`)
  const names = `${mine.slice(0, 6).join(', ')}${mine.length > 6 ? ', …' : ''}`
  const idle =
    b.stillInIsrOf > 0
      ? `; still listed in the ISR of ${counted(b.stillInIsrOf, 'partition')} that had no writes since — ${b.state === 'up' ? 'they drop it when it is fenced' : 'they keep it until it is back'}`
      : ''
  return `- **Broker ${b.broker}** (rack ${b.rack ?? 'unknown'}): ${state}; ${contact}; out of the ISR of ${counted(b.outOfSyncPartitions, 'partition')} (${names})${idle}.`
}

export function causeBlocks(report: CauseReport, nowMs: number, sampleMs: number): Block[] {
  const blocks: Block[] = [markdown(`**The out-of-sync brokers**\n\n${report.brokers.map((b) => brokerLine(b, report.replicas, nowMs)).join('\n')}`)]
  // Replicas of a down or hung broker share their broker's cause (said above); the live ones each have their own.
  const silent = new Set(report.brokers.filter((b) => b.process === 'hung' || b.process === 'gone').map((b) => b.broker))
  const live = report.replicas.filter((r) => r.brokerState === 'up' && !silent.has(r.broker))
  if (live.length > 0) {
    const rows = live
      .slice(0, maxRows)
      .map((r) => [
        `${r.topic}/${r.partition}`,
        r.broker,
        r.leader ?? 'none',
        verdictWords[r.verdict],
        describeProgress(r.progress),
        throttleText(r),
        r.offlineLogDir ?? '—',
      ])
    blocks.push(
      table(['Partition', 'Replica', 'Leader', 'Cause', `Progress (2 samples ${formatSeconds(sampleMs)} apart)`, 'Throttle', 'Log dir'], rows, {
        title: 'Out-of-sync replicas on live brokers',
        footer: `${counted(live.length, 'replica')}${more(live.length)}`,
      }),
    )
  }
  for (const rack of report.sharedRacks) {
    blocks.push(
      notice(
        'warn',
        `Brokers ${rack.brokers.join(' and ')} share rack ${rack.rack} and are out of sync together on ${counted(rack.partitions, 'partition')}: one failure domain (a rack, a switch, a host) took out more than one copy.`,
      ),
    )
  }
  if (report.writesBackInMs !== null && report.writesBackInMs > 0)
    blocks.push(notice('info', `At the measured catch-up rates, every failing partition takes writes again in about ${formatSeconds(report.writesBackInMs)}.`))
  if (report.failingWithoutProgress > 0)
    blocks.push(
      notice(
        'warn',
        `${counted(report.failingWithoutProgress, 'failing partition')} ${agree(report.failingWithoutProgress, 'has', 'have')} too few replicas catching up: waiting alone does not bring their writes back.`,
      ),
    )
  return blocks
}
