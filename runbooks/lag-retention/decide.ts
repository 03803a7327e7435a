// The way out, each priced on this cluster now: raise retention until the group has caught up (disk per broker),
// move a group already below the log start to the log start (records replayed vs skipped), or accept the loss.

import { counted, formatCount, formatSeconds, iso } from '../../lib/engine/blocks.ts'
import { Refusal } from '../../lib/engine/runbook.ts'
import { type BrokerDiskCost, diskCost, type PartitionRace } from '../../lib/plans/lag-retention.ts'
import { resetOutcome } from '../../lib/plans/consumer-config.ts'
import { type Ctx, nb } from './notebook.ts'

/** One topic's raised retention: the settings before and after, and what each broker holds extra. */
export interface RetentionRaise {
  readonly topic: string
  readonly fromMs: number | null
  readonly toMs: number | null
  readonly fromBytes: bigint | null
  readonly toBytes: bigint | null
  readonly disk: readonly BrokerDiskCost[]
  /** Unread records the raise keeps (those retention would delete before the group reads them). */
  readonly keeps: bigint
  /** When the group is expected to have caught up (null: it does not at the measured rates). */
  readonly caughtUpAtMs: number | null
}

const minute = 60_000
const mebibyte = 1_048_576n
const roundUp = (value: number, step: number) => Math.ceil(value / step) * step

/**
 * The retention that keeps every unread record of the racing partitions until the group has read it (plus the
 * margin), per topic; --set retention-ms / retention-bytes replace the computed values and must raise them.
 */
export async function planRetentionRaise(ctx: Ctx): Promise<RetentionRaise[]> {
  const reading = ctx.need('reading')
  const races = ctx.need('races')
  const margin = await ctx.param('margin')
  const givenMs = await ctx.param('retention-ms')
  const givenBytes = await ctx.param('retention-bytes')
  const raises: RetentionRaise[] = []
  for (const topic of reading.topics) {
    const racing = races.filter((r) => r.topic === topic.topic && r.status === 'racing')
    if (racing.length === 0 && givenMs === undefined && givenBytes === undefined) continue
    const { retentionMs, retentionBytes } = topic.policy
    if (givenMs !== undefined && retentionMs !== null && givenMs <= retentionMs)
      throw new Refusal(
        `retention-ms ${givenMs} is not above the current retention.ms ${retentionMs} of topic ${topic.topic} — the point is to raise it; nothing changed`,
      )
    if (givenBytes !== undefined && givenBytes <= 0n)
      throw new Refusal(`retention-bytes must be a positive number of bytes, not ${givenBytes}; nothing changed`)
    if (givenBytes !== undefined && retentionBytes !== null && givenBytes <= retentionBytes)
      throw new Refusal(
        `retention-bytes ${givenBytes} is not above the current retention.bytes ${retentionBytes} of topic ${topic.topic} — the point is to raise it; nothing changed`,
      )
    const neededMs = racing.reduce<number | null>(
      (max, r) => (r.neededRetentionMs !== null && (max === null || r.neededRetentionMs > max) ? r.neededRetentionMs : max),
      null,
    )
    const toMs = givenMs ?? (retentionMs !== null && neededMs !== null && neededMs > retentionMs ? roundUp(neededMs, minute) : retentionMs)
    const bySize = racing.some((r) => r.firstLoss?.reason === 'size')
    let toBytes = givenBytes ?? retentionBytes
    if (givenBytes === undefined && bySize && retentionBytes !== null) {
      // The partition grows by what is written until the group has read it (plus the margin).
      const needed = racing.reduce((max, r) => {
        const load = topic.partitions.find((p) => p.partition === r.partition)
        const perSecond = (r.producedPerSecond ?? 0) * (load?.bytesPerRecord ?? 0)
        const untilMs = (r.catchUpAtMs ?? reading.takenAtMs) - reading.takenAtMs + margin
        const want = Number(load?.bytesOnDisk ?? 0n) + (perSecond * untilMs) / 1000
        return want > max ? want : max
      }, 0)
      const rounded = BigInt(Math.ceil(needed)) + mebibyte - (BigInt(Math.ceil(needed)) % mebibyte)
      if (rounded > retentionBytes) toBytes = rounded
    }
    if (toMs === retentionMs && toBytes === retentionBytes) continue
    const caughtUp = racing.map((r) => r.catchUpAtMs)
    raises.push({
      topic: topic.topic,
      fromMs: retentionMs,
      toMs,
      fromBytes: retentionBytes,
      toBytes,
      disk: diskCost(topic.partitions, { fromMs: retentionMs, toMs, fromBytes: retentionBytes, toBytes }, reading.brokers),
      keeps: racing.reduce((sum, r) => sum + r.atRisk, 0n),
      caughtUpAtMs: caughtUp.includes(null) ? null : Math.max(reading.takenAtMs, ...(caughtUp as number[])),
    })
  }
  return raises
}

const sum = (races: readonly PartitionRace[], pick: (r: PartitionRace) => bigint) => races.reduce((a, r) => a + pick(r), 0n)

function describeRaise(raise: RetentionRaise): string {
  const parts = []
  if (raise.toMs !== raise.fromMs)
    parts.push(`retention.ms ${raise.fromMs ?? 'unlimited'} → ${raise.toMs ?? 'unlimited'} (${raise.toMs === null ? 'no limit' : formatSeconds(raise.toMs)})`)
  if (raise.toBytes !== raise.fromBytes) parts.push(`retention.bytes ${raise.fromBytes ?? 'unlimited'} → ${raise.toBytes ?? 'unlimited'}`)
  return `${raise.topic}: ${parts.join(', ')}`
}

const peak = (raises: readonly RetentionRaise[]) => {
  const costs = raises.flatMap((r) => r.disk)
  if (costs.some((c) => c.extraBytes === null)) return 'unbounded'
  const worst = costs.reduce<BrokerDiskCost | null>((max, c) => (max === null || c.extraBytes! > max.extraBytes! ? c : max), null)
  return worst
    ? `at most ${formatCount(worst.extraBytes!)} B more on broker ${worst.broker}${worst.usableBytes ? ` (${formatCount(worst.usableBytes)} B usable)` : ''}`
    : 'none'
}

export const wayOutCell = nb.decide({
  id: 'way-out',
  title: 'The way out',
  doc: 'Raise the topic retention until the group has caught up (disk per broker, reverted by runbook undo), move partitions already below the log start to the log start before the consumers fetch, both, or accept the loss — each priced in records and seconds.',
  question: 'What do you want to do?',
  when: (ctx) => (ctx.need('races').some((r) => r.status === 'racing' || r.status === 'below-log-start') ? true : 'no unread record is at risk'),
  whenDoc: 'a partition is racing retention or below the log start',
  options: {
    'raise-retention': 'Raise the topic retention until the group has caught up',
    'move-to-log-start': 'Move the partitions below the log start to the log start',
    both: 'Both: raise the retention and move the partitions below the log start',
    'do-nothing': 'Do nothing: accept the loss',
  },
  async price(ctx) {
    const races = ctx.need('races')
    const racing = races.filter((r) => r.status === 'racing')
    const below = races.filter((r) => r.status === 'below-log-start')
    // Planned even with nothing racing: a raise the operator gave must still be a raise (refused otherwise).
    const raises = await planRetentionRaise(ctx)
    const now = ctx.need('reading').takenAtMs
    const reset = ctx.state.reset
    const skipped = reset
      ? below.reduce((a, r) => a + resetOutcome(reset.reset, { committed: r.committed, logStart: r.logStart, logEnd: r.logEnd }).skipped, 0n)
      : 0n
    const replay = sum(below, (r) => r.logEnd - r.logStart)
    const firstLoss = racing.length ? Math.min(...racing.map((r) => r.firstLoss!.dueMs)) : null
    const raise = {
      cost: raises.length ? `${raises.map(describeRaise).join('; ')}; disk: ${peak(raises)}` : 'nothing to raise',
      risk: 'the disk fills if the writes grow or the group stays slow; the retention stays raised until you put it back (runbook undo)',
      ...(raises.length
        ? { recommended: below.length === 0 }
        : { unavailable: 'no partition is racing retention (give --set retention-ms to raise it anyway)' }),
      ...(raises.length ? { label: `Raise the retention: keeps ${formatCount(sum(racing, (r) => r.atRisk))} unread records` } : {}),
    }
    const move = {
      cost: `the group replays ${formatCount(replay)} records from the log start on ${counted(below.length, 'partition')}; the ${formatCount(sum(below, (r) => r.alreadyDeleted))} deleted ones stay lost`,
      risk: 'the consumers must be stopped first; records the group had read before are not among them (they were behind)',
      ...(below.length ? { recommended: racing.length === 0 } : { unavailable: 'no partition is below the log start' }),
    }
    return {
      'raise-retention': raise,
      'move-to-log-start': move,
      both: {
        cost: `${raise.cost}; and ${move.cost}`,
        risk: `${raise.risk}; ${move.risk}`,
        ...(raises.length && below.length ? { recommended: true } : { unavailable: 'needs partitions both racing retention and below the log start' }),
      },
      'do-nothing': {
        cost: `${formatCount(sum(racing, (r) => r.atRisk))} unread records deleted${firstLoss === null ? '' : ` from ${iso(firstLoss)} (in ${formatSeconds(Math.max(0, firstLoss - now))})`}${below.length ? `; ${formatCount(skipped)} records on disk skipped by auto.offset.reset` : ''}`,
        risk: 'the loss is silent: lag looks normal afterwards',
      },
    }
  },
  because: () => 'records still on disk can be kept; deleted ones cannot be brought back',
  headlessDefault: 'do-nothing',
})
