// The unclean-election runbook's pricing table: every way out in one unit — records — beside how long the
// partitions stay offline; the rates it rests on, the consumer groups standing still, and the recommendation in words.

import { type Block, type Cell, counted, facts, formatCount, formatSeconds, notice, table } from '../../lib/engine/blocks.ts'
import { partitionName } from '../../lib/plans/leaderless.ts'
import type { OutageOption, OutagePricing, PricedOption, Recommendation } from '../../lib/plans/outage-price.ts'
import type { MeasuredRate } from '../../lib/reads/write-rate.ts'
import { fewNames, timeText } from './text.ts'

export const optionNames: Readonly<Record<OutageOption, string>> = {
  wait: 'Wait',
  elect: 'Elect the least-loss replica',
  flag: 'Unclean flag (Kafka picks)',
}

const outageText = (ms: number | 'unknown') => (ms === 'unknown' ? 'unknown' : formatSeconds(ms))
const orUnknown = (n: number | null) => (n === null ? 'unknown' : formatCount(n))

function offlineCell(o: PricedOption, pricing: OutagePricing): string {
  if (o.partitionsOffline === 0) return 'none'
  const howLong =
    o.offlineMs === null
      ? `the outage (${outageText(pricing.expectedOutageMs)})`
      : o.option === 'flag'
        ? `up to ${formatSeconds(o.offlineMs)}`
        : `about ${formatSeconds(o.offlineMs)}`
  return `${counted(o.partitionsOffline, 'partition')}, ${howLong}`
}

function lostCell(o: PricedOption): string {
  if (o.lostRecords === 0) return o.lossExact ? 'none' : 'none proven'
  return `${o.lossExact ? 'exactly' : 'at least'} ${formatCount(o.lostRecords)}`
}

function ackedCell(o: PricedOption, pricing: OutagePricing): string {
  if (pricing.acks === '0') return 'none acknowledged (acks=0)'
  if (o.ackedLost.records === 0) return 'none'
  return `${o.ackedLost.atMost ? 'up to' : o.lossExact ? '' : 'at least'} ${formatCount(o.ackedLost.records)}`.trim()
}

/** One row per option: offline, writes refused, failed after the delivery timeout, records lost, and the sum. */
export function pricingTable(pricing: OutagePricing): Block {
  const rows: Cell[][] = pricing.options.map((o) => [
    `${optionNames[o.option]}${pricing.recommendation.option === o.option ? ' (recommended)' : ''}${o.unavailable ? ` — unavailable: ${o.unavailable}` : ''}`,
    offlineCell(o, pricing),
    orUnknown(o.writesRefused),
    orUnknown(o.writesFailed),
    lostCell(o),
    ackedCell(o, pricing),
    o.totalRecords === null ? 'unknown' : formatCount(o.totalRecords),
  ])
  return table(['Option', 'Offline', 'Writes refused', 'Of them failed', 'Records deleted', 'Acknowledged among them', 'Records lost in all'], rows, {
    title: `Waiting against electing, in records (expected outage ${outageText(pricing.expectedOutageMs)}, producers give up after ${formatSeconds(pricing.deliveryTimeoutMs)})`,
    footer: `Writes refused: what producers try to write while the partitions are offline (${pricing.recordsPerSecond === null ? 'rate unknown' : `${formatRate(pricing.recordsPerSecond)} measured before the failure`}). Of them failed: batches older than the delivery timeout when the partitions return — the producer fails the send, and the application decides whether that record is gone; the rest arrive late. Records deleted: acknowledged or not, lost silently — no producer and no consumer is told. Records lost in all: deleted + failed.`,
  })
}

export const formatRate = (perSecond: number) => `${perSecond >= 10 ? formatCount(Math.round(perSecond)) : perSecond.toFixed(1)} records/s`

/** Where each partition's rate comes from, with the stretch of time it covers. */
export function rateTable(rates: readonly MeasuredRate[], nowMs: number): Block {
  return table(
    ['Partition', 'Writes before the failure', 'Measured on', 'Over'],
    rates.map((r) => [
      partitionName(r),
      r.recordsPerSecond === null ? 'unknown' : formatRate(r.recordsPerSecond),
      r.source === 'replica'
        ? `broker ${r.broker}'s own log (${formatCount(r.records)} records)`
        : r.source === 'siblings'
          ? `partitions ${fewNames(r.siblings.map(String), 4)} of the topic, which still have a leader`
          : 'nothing readable: no live replica with records, no led sibling',
      r.fromMs === null || r.toMs === null ? '—' : `${formatSeconds(r.toMs - r.fromMs)} up to ${timeText(r.toMs, nowMs)}`,
    ]),
    {
      title: 'The write rate into each leaderless partition before it lost its leader',
      footer:
        'From the most complete live replica: the first record in the 5 minutes before its newest one, and its log end. Siblings are the fallback: producers that spread unkeyed records over the partitions with a leader write more into them now, so a sibling rate can overstate.',
    },
  )
}

/** The consumer groups that stand still, for how long, and what arrives at once when the partitions return. */
export function groupsTable(pricing: OutagePricing): Block | null {
  if (pricing.groups.length === 0) return null
  const basis = pricing.recommendation.option ?? 'wait'
  return table(
    ['Consumer group', 'Partitions standing still', 'For', 'Delayed writes to catch up'],
    pricing.groups.map((g) => [
      g.groupId,
      g.partitions,
      g.standstillMs === null ? 'the outage (unknown)' : formatSeconds(g.standstillMs),
      orUnknown(g.backlogRecords),
    ]),
    { title: `Consumer groups on these partitions, if you ${basis === 'wait' ? 'wait' : basis === 'elect' ? 'elect' : 'use the flag'}` },
  )
}

/** The election that deletes the fewest records, among those that can be taken. */
export function cheapestElection(pricing: OutagePricing): PricedOption | undefined {
  return pricing.options.filter((o) => o.option !== 'wait' && !o.unavailable).sort((a, b) => a.lostRecords - b.lostRecords)[0]
}

/** Why the numbers point where they do, in one sentence (also when they point nowhere). */
export function recommendationText(r: Recommendation, pricing: OutagePricing): string {
  const wait = pricing.options.find((o) => o.option === 'wait')
  const least = cheapestElection(pricing)
  const outage = outageText(pricing.expectedOutageMs)
  const breakEven =
    pricing.breakEvenMs === null
      ? ''
      : `; waiting fails more writes than the least-loss election deletes once the outage passes ${formatSeconds(pricing.breakEvenMs)}`
  switch (r.reason) {
    case 'no-acked-loss':
      return `policy no-acked-loss: the least-loss election deletes ${least?.ackedLost.atMost ? 'up to ' : ''}${formatCount(least?.ackedLost.records ?? 0)} acknowledged records, waiting deletes none; the writes refused meanwhile are the producers' to retry or report${breakEven}`
    case 'within-delivery-timeout':
      return `the expected outage (${outage}) is shorter than the producers' delivery timeout (${formatSeconds(pricing.deliveryTimeoutMs)}): their retries cover it, nothing fails and nothing is deleted`
    case 'failed-writes-exceed-loss':
      return `over ${outage}, waiting fails ${orUnknown(wait?.writesFailed ?? null)} writes after the delivery timeout; electing deletes ${formatCount(least?.lostRecords ?? 0)} records${breakEven}`
    case 'loss-exceeds-failed-writes':
      return `over ${outage}, waiting fails ${orUnknown(wait?.writesFailed ?? null)} writes, fewer than the ${formatCount(least?.lostRecords ?? 0)} records the least-loss election deletes${breakEven}`
    case 'election-loses-nothing':
      return "the dead leader's own log shows the elected replica lacks no record: electing ends the outage now at no cost"
    case 'only-wait':
      return 'no live replica can be elected: only a returning broker brings these partitions back'
    case 'wait-unavailable':
      return 'no dead broker is known to hold every committed record: waiting may never bring them back'
    case 'outage-unknown':
      return `the outage is unknown${breakEven || ', and so is the write rate'} — give --set expected-outage=<duration> for one`
    case 'rate-unknown':
      return 'the write rate before the failure could not be measured, so waiting cannot be priced in records'
  }
}

/** The pricing cell's blocks: the facts it rests on, the one table, the groups, and the plain words on loss. */
export function pricingBlocks(pricing: OutagePricing, rates: readonly MeasuredRate[], nowMs: number, versionNote: string): Block[] {
  const blocks: Block[] = [
    facts([
      ['Expected outage', `${outageText(pricing.expectedOutageMs)} from now`],
      ['Write rate before the failure', pricing.recordsPerSecond === null ? 'unknown' : formatRate(pricing.recordsPerSecond)],
      ['Producers give up after', formatSeconds(pricing.deliveryTimeoutMs)],
      ['Producers’ acks', pricing.acks],
      ['Policy', pricing.policy],
    ]),
    rateTable(rates, nowMs),
    pricingTable(pricing),
  ]
  const groups = groupsTable(pricing)
  if (groups) blocks.push(groups)
  blocks.push(
    notice(
      'info',
      'Two different losses. Writes refused while waiting are not lost by Kafka: each producer retries them until its delivery timeout, then fails the send — whether that record is gone is up to the application that gets the error. Records an election deletes were acknowledged (acks=1, and acks=all up to the high watermark) and are lost silently: no producer gets an error, no consumer sees a gap.',
    ),
    notice('info', versionNote),
  )
  const why = recommendationText(pricing.recommendation, pricing)
  blocks.push(
    pricing.recommendation.option === null
      ? notice('warn', `No single answer: ${why}.`)
      : notice('ok', `The numbers say: ${optionNames[pricing.recommendation.option]} — ${why}.`),
  )
  return blocks
}
