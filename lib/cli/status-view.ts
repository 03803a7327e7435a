// How `runbook status` shows its report: Blocks that stay readable in 100 columns on a cluster with
// thousands of partitions (grouped by what they have in common, never one row each), and a stable JSON form.

import { type Block, counted, facts, formatCount, markdown, notice, table } from '../engine/blocks.ts'
import type { BrokerHealth, FlaggedPartition, GroupHealth, HealthReport, PartitionCondition } from '../plans/cluster-health.ts'
import { describeFindingLine } from '../plans/durability-lines.ts'

const maxRows = 8
// Beyond these rows brokers and groups are summed up in one line each: the view stays one screen (60 lines of
// 100 columns) on a cluster of 100,000 partitions and 2,000 groups.
const maxBrokerRows = 6
const maxGroupRows = 5

/** [0,1,2,3,5,7,8] → "0-3,5,7-8" */
export function compressRanges(numbers: readonly number[]): string {
  const sorted = [...new Set(numbers)].sort((a, b) => a - b)
  const parts: string[] = []
  for (let i = 0; i < sorted.length; i++) {
    let j = i
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++
    parts.push(j > i ? `${sorted[i]}-${sorted[j]}` : `${sorted[i]}`)
    i = j
  }
  return parts.join(',')
}

/**
 * Joins items until `width` would be exceeded, then says how many were left out. Items are read only as far
 * as they fit, so a long list can be passed lazily with its `count`.
 */
export function fitList(items: readonly string[], width: number): string
export function fitList(items: Iterable<string>, width: number, count: number): string
export function fitList(items: Iterable<string>, width: number, count?: number): string {
  const total = count ?? (items as readonly string[]).length
  let text = ''
  let i = 0
  for (const item of items) {
    const next = text ? `${text}, ${item}` : item
    const rest = total - i - 1
    const suffix = rest > 0 ? ` +${formatCount(rest)}` : ''
    if (next.length + suffix.length > width && text) return `${text} +${formatCount(total - i)}`
    text = next
    i++
  }
  return text
}

/** Partitions that look alike: one row of a section's table. */
interface Shape {
  readonly leader: string
  readonly isr: number
  readonly offline: string
  readonly minIsr: string
  readonly elr: string
  /** Its partitions, in the order the section lists them. */
  readonly partitions: FlaggedPartition[]
}

/** A label made once per distinct value: a large cluster flags tens of thousands of partitions with a handful of them. */
function labelled<K>(make: (value: K) => string): (value: K) => string {
  const made = new Map<K, string>()
  return (value) => {
    let label = made.get(value)
    if (label === undefined) made.set(value, (label = make(value)))
    return label
  }
}

/** A new Map, made by one function rather than a closure per lookup. */
const newMap = <K, V>(): Map<K, V> => new Map<K, V>()

function entry<K, V>(map: Map<K, V>, key: K, make: () => NoInfer<V>): V {
  let value = map.get(key)
  if (value === undefined) map.set(key, (value = make()))
  return value
}

/**
 * Partitions that look alike (leader state, ISR size, offline replicas, min ISR, ELR) share one row; the rows
 * with the most partitions first (ties in the order first met). Each label is a nested map's key: no key string
 * is made per partition.
 */
function shapesOf(partitions: readonly FlaggedPartition[], live: ReadonlySet<number>): Shape[] {
  const index = new Map<string, Map<number, Map<string, Map<string, Map<string, Shape>>>>>()
  const shapes: Shape[] = []
  const downLeader = labelled((id: number) => `${id} (down)`)
  const oneId = labelled((id: number) => String(id))
  const count = labelled((n: number) => String(n))
  // Neighbours (the partitions of one topic, topics created alike) mostly look alike: the shape of the partition
  // before is tried first, on the raw values its labels come from.
  let last: FlaggedPartition | undefined
  let lastShape: Shape | undefined
  for (const p of partitions) {
    if (last !== undefined && lookAlike(p, last, live)) {
      lastShape!.partitions.push(p)
      last = p
      continue
    }
    const leader = p.leader === null ? 'none' : live.has(p.leader) ? 'live' : downLeader(p.leader)
    const offline = p.offline.length === 0 ? '–' : p.offline.length === 1 ? oneId(p.offline[0]!) : p.offline.join(',')
    const minIsr = p.minIsr === null ? '?' : count(p.minIsr)
    const elr = p.elr === null ? '–' : count(p.elr.length)
    const byElr = entry(entry(entry(entry(index, leader, newMap), p.isr.length, newMap), offline, newMap), minIsr, newMap)
    let shape = byElr.get(elr)
    if (shape === undefined) {
      shape = { leader, isr: p.isr.length, offline, minIsr, elr, partitions: [] }
      byElr.set(elr, shape)
      shapes.push(shape)
    }
    shape.partitions.push(p)
    last = p
    lastShape = shape
  }
  return shapes.sort((a, b) => b.partitions.length - a.partitions.length)
}

/** Whether two partitions get the same labels in shapesOf (leader state, ISR size, offline replicas, min ISR, ELR size). */
function lookAlike(p: FlaggedPartition, q: FlaggedPartition, live: ReadonlySet<number>): boolean {
  if (p.isr.length !== q.isr.length || p.minIsr !== q.minIsr) return false
  if ((p.elr === null) !== (q.elr === null) || (p.elr !== null && p.elr.length !== q.elr!.length)) return false
  if (p.leader !== q.leader && (p.leader === null || q.leader === null || !live.has(p.leader) || !live.has(q.leader))) return false
  const a = p.offline
  const b = q.offline
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** Whether each topic's partitions are listed together (as planClusterHealth lists them), checked once per section. */
function topicsTogether(partitions: readonly FlaggedPartition[]): boolean {
  const seen = new Set<string>()
  let last: string | undefined
  for (const p of partitions) {
    if (p.topic === last) continue
    if (seen.has(p.topic)) return false
    seen.add(p.topic)
    last = p.topic
  }
  return true
}

/**
 * A row's topics with their partitions ("orders[0-3,7]"), in the order first listed, and how many topics there
 * are. Topics listed together are read as runs; otherwise they are gathered by name first.
 */
function topicsOf(partitions: readonly FlaggedPartition[], together: boolean): { labels: Iterable<string>; count: number } {
  if (!together) {
    const byTopic = new Map<string, number[]>()
    for (const p of partitions) entry(byTopic, p.topic, newList).push(p.partition)
    return { labels: topicLabels(byTopic), count: byTopic.size }
  }
  let count = 0
  for (let i = 0; i < partitions.length; i++) if (i === 0 || partitions[i]!.topic !== partitions[i - 1]!.topic) count++
  return { labels: topicRuns(partitions), count }
}

const newList = (): number[] => []

function* topicLabels(byTopic: ReadonlyMap<string, readonly number[]>): Generator<string> {
  for (const [topic, numbers] of byTopic) yield `${topic}[${compressRanges(numbers)}]`
}

function* topicRuns(partitions: readonly FlaggedPartition[]): Generator<string> {
  for (let start = 0; start < partitions.length;) {
    let end = start + 1
    while (end < partitions.length && partitions[end]!.topic === partitions[start]!.topic) end++
    yield `${partitions[start]!.topic}[${compressRanges(partitions.slice(start, end).map((p) => p.partition))}]`
    start = end
  }
}

/**
 * The partitions with none of the conditions listed above. Partitions share their conditions list (one per
 * combination, see planClusterHealth), so each list is checked once: a section can hold every partition of a
 * large cluster.
 */
function notListedAbove(partitions: readonly FlaggedPartition[], listedAbove: readonly PartitionCondition[]): FlaggedPartition[] {
  const listed = new Map<readonly PartitionCondition[], boolean>()
  const fresh: FlaggedPartition[] = []
  for (let i = 0; i < partitions.length; i++) {
    const p = partitions[i]!
    let above = listed.get(p.conditions)
    if (above === undefined) listed.set(p.conditions, (above = p.conditions.some((c) => listedAbove.includes(c))))
    if (!above) fresh.push(p)
  }
  return fresh
}

/**
 * One section of flagged partitions. kafka-topics' categories overlap (an unavailable partition is also under min
 * ISR and under-replicated), so a partition an earlier section listed (one with an earlier section's condition)
 * is only counted here: on a large cluster the same rows would otherwise fill a second screen.
 */
function partitionSection(
  title: string,
  explanation: string,
  partitions: readonly FlaggedPartition[],
  live: ReadonlySet<number>,
  listedAbove: readonly PartitionCondition[],
): Block[] {
  if (partitions.length === 0) return []
  const fresh = listedAbove.length ? notListedAbove(partitions, listedAbove) : partitions
  const heading = `${title}: ${formatCount(partitions.length)} — ${explanation}`
  if (fresh.length === 0) return [markdown(`${heading}: all listed above`)]
  const shapes = shapesOf(fresh, live)
  const together = topicsTogether(fresh)
  const shown = shapes.slice(0, maxRows).map((s) => {
    const topics = topicsOf(s.partitions, together)
    return [formatCount(s.partitions.length), s.leader, s.isr, s.minIsr, s.elr, s.offline, fitList(topics.labels, 44, topics.count)]
  })
  const hidden = shapes.slice(maxRows).reduce((n, s) => n + s.partitions.length, 0)
  const repeated = partitions.length - fresh.length
  const footer = [
    shapes.length > maxRows && `and ${formatCount(hidden)} more in ${formatCount(shapes.length - maxRows)} other groups (--json lists every one)`,
    repeated > 0 && `and ${formatCount(repeated)} listed above`,
  ]
    .filter(Boolean)
    .join('; ')
  return [
    table(['Partitions', 'Leader', 'ISR', 'Min ISR', 'ELR', 'Offline', 'Topics[partitions]'], shown, {
      title: heading,
      align: ['right', 'left', 'right', 'right', 'right', 'left', 'left'],
      ...(footer ? { footer } : {}),
    }),
  ]
}

/** "8,266–8,468", or one number when they are all the same. */
function span(values: readonly number[]): string {
  const low = Math.min(...values)
  const high = Math.max(...values)
  return low === high ? formatCount(low) : `${formatCount(low)}–${formatCount(high)}`
}

/**
 * Every broker while they fit; on a larger cluster the brokers that are down or fenced, and the others summed
 * up in one line (a healthy large cluster lists its first brokers).
 */
function brokerRows(brokers: readonly BrokerHealth[]): { rows: (string | number)[][]; footer?: string } {
  const ordered = [...brokers].sort((a, b) => (a.state === 'up' ? 1 : 0) - (b.state === 'up' ? 1 : 0) || a.id - b.id)
  const down = ordered.filter((b) => b.state !== 'up')
  const shown = ordered.length <= maxBrokerRows ? ordered : (down.length ? down : ordered).slice(0, maxBrokerRows)
  const rows = shown.map((b) => [
    b.id,
    b.host === null ? '–' : `${b.host}:${b.port}`,
    b.rack ?? '–',
    b.state === 'unregistered' ? 'down (not registered)' : b.state,
    b.leaderOf,
    b.replicaOf,
  ])
  const rest = ordered.filter((b) => !shown.includes(b))
  if (rest.length === 0) return { rows }
  const restDown = rest.filter((b) => b.state !== 'up').length
  const footer = restDown
    ? `and ${formatCount(rest.length)} more brokers: ${formatCount(restDown)} down or fenced, ${formatCount(rest.length - restDown)} up`
    : `and ${formatCount(rest.length)} more brokers, all up, leading ${span(rest.map((b) => b.leaderOf))} and holding ${span(rest.map((b) => b.replicaOf))} replicas each`
  return { rows, footer }
}

function groupRows(groups: readonly GroupHealth[]): { rows: (string | number)[][]; footer?: string } {
  const important = groups.filter((g) => g.lag !== 0n || g.members === 0 || g.unknownLagPartitions > 0)
  const shown = (important.length ? important : groups).slice(0, maxGroupRows)
  const rows = shown.map((g) => [
    g.groupId.length > 30 ? `${g.groupId.slice(0, 29)}…` : g.groupId,
    g.type,
    g.state,
    g.members,
    formatCount(g.lag) + (g.unknownLagPartitions ? ` (+${g.unknownLagPartitions} unknown)` : ''),
  ])
  const rest = groups.length - shown.length
  if (rest <= 0) return { rows }
  const restLag = groups.filter((g) => !shown.includes(g)).reduce((sum, g) => sum + g.lag, 0n)
  return { rows, footer: `and ${formatCount(rest)} more groups, ${formatCount(restLag)} messages of lag between them` }
}

/** The report as blocks for the terminal. */
export function describeHealth(report: HealthReport): Block[] {
  const blocks: Block[] = []
  const up = report.brokers.filter((b) => b.state === 'up').length
  const down = report.brokers.length - up
  const live = new Set(report.brokers.filter((b) => b.state === 'up').map((b) => b.id))
  const { partitions } = report
  const controller = report.cluster.controller
  blocks.push(
    facts([
      ['Cluster', report.cluster.id ?? 'unknown id'],
      [
        'Kafka',
        `${report.cluster.kafkaLine ?? 'unknown'}${report.cluster.metadataVersion ? ` (metadata.version ${report.cluster.metadataVersion})` : ''}, ELR ${report.cluster.elr}`,
      ],
      [
        'Controller',
        controller.id === null
          ? 'none found'
          : `${controller.id}${controller.source === 'describe-quorum' ? ' (active KRaft controller)' : ' (as Metadata reports it; DescribeQuorum unavailable)'}`,
      ],
      ['Brokers', `${up} up${down ? `, ${down} down or fenced` : ''}`],
      ['Partitions', `${formatCount(partitions.total)} in ${counted(partitions.topics, 'topic')}`],
    ]),
  )
  const brokers = brokerRows(report.brokers)
  blocks.push(
    table(['Broker', 'Address', 'Rack', 'State', 'Leads', 'Replicas'], brokers.rows, {
      title: 'Brokers',
      ...(brokers.footer ? { footer: brokers.footer } : {}),
    }),
  )

  const flagged = partitions.unavailable.length + partitions.underMinIsr.length + partitions.atMinIsr.length + partitions.underReplicated.length
  if (flagged === 0) blocks.push(notice('ok', `All ${formatCount(partitions.total)} partitions have a live leader and a full ISR.`))
  else {
    const worst = partitions.unavailable.length ? 'danger' : partitions.underMinIsr.length ? 'danger' : 'warn'
    blocks.push(
      notice(
        worst,
        [
          partitions.unavailable.length && `${formatCount(partitions.unavailable.length)} unavailable`,
          partitions.underMinIsr.length && `${formatCount(partitions.underMinIsr.length)} under min ISR`,
          partitions.atMinIsr.length && `${formatCount(partitions.atMinIsr.length)} at min ISR`,
          partitions.underReplicated.length && `${formatCount(partitions.underReplicated.length)} under-replicated`,
        ]
          .filter(Boolean)
          .join(', ') + ` (of ${formatCount(partitions.total)} partitions; definitions as in kafka-topics --describe)`,
      ),
    )
  }
  const listedAbove: PartitionCondition[] = []
  const section = (title: string, explanation: string, condition: PartitionCondition, flagged: readonly FlaggedPartition[]) => {
    blocks.push(...partitionSection(title, explanation, flagged, live, listedAbove))
    listedAbove.push(condition)
  }
  section('Unavailable', 'no leader: reads and writes fail', 'unavailable', partitions.unavailable)
  section('Under min ISR', 'acks=all writes are refused (NOT_ENOUGH_REPLICAS)', 'under-min-isr', partitions.underMinIsr)
  section('At min ISR', 'one more replica lost and acks=all writes stop', 'at-min-isr', partitions.atMinIsr)
  section('Under-replicated', 'fewer in-sync replicas than the replication factor', 'under-replicated', partitions.underReplicated)

  if (report.groups.length) {
    const groups = groupRows(report.groups)
    blocks.push(
      table(['Group', 'Type', 'State', 'Members', 'Lag'], groups.rows, {
        title: `Consumer groups: ${formatCount(report.groups.length)}`,
        align: ['left', 'left', 'left', 'right', 'right'],
        ...(groups.footer ? { footer: groups.footer } : {}),
      }),
    )
  }
  const { counts, worst } = report.durability
  if (counts.high + counts.medium > 0) {
    blocks.push(
      notice(
        counts.high ? 'danger' : 'warn',
        `Durability audit: ${counts.high} high, ${counts.medium} medium, ${counts.low} low — worst: ${describeFindingLine(worst[0]!, 30)}${worst.length > 1 ? ` (+${worst.length - 1} more)` : ''}`,
      ),
    )
  }
  if (report.problems.length) blocks.push(notice('warn', `Not read: ${fitList(report.problems, 80)}`))
  if (report.suggestions.length) {
    blocks.push(markdown(['**What to run**', '', ...report.suggestions.map((s) => `- \`runbook run ${s.runbook}\` — ${s.reason}`)].join('\n')))
  } else {
    blocks.push(notice('ok', 'Nothing here calls for a runbook.'))
  }
  return blocks
}

/** The report for scripts: stable keys, offsets and lag as decimal strings. */
export function healthJson(report: HealthReport): string {
  const partition = (p: FlaggedPartition) => ({
    topic: p.topic,
    partition: p.partition,
    leader: p.leader,
    replicas: p.replicas,
    isr: p.isr,
    elr: p.elr,
    lastKnownElr: p.lastKnownElr,
    offline: p.offline,
    minIsr: p.minIsr,
  })
  return JSON.stringify(
    {
      cluster: report.cluster,
      brokers: report.brokers,
      partitions: {
        topics: report.partitions.topics,
        total: report.partitions.total,
        leaderless: report.partitions.leaderless,
        unavailable: report.partitions.unavailable.map(partition),
        underMinIsr: report.partitions.underMinIsr.map(partition),
        atMinIsr: report.partitions.atMinIsr.map(partition),
        underReplicated: report.partitions.underReplicated.map(partition),
      },
      groups: report.groups.map((g) => ({ ...g, lag: g.lag.toString() })),
      groupSignals: {
        poisonPill: report.groupSignals.poisonPill,
        stuckTransactions: report.groupSignals.stuckTransactions.map((s) => ({ ...s, heldRecords: s.heldRecords.toString() })),
        lagRetention: report.groupSignals.lagRetention.map((s) => ({ ...s, deleted: s.deleted.toString() })),
      },
      durability: { counts: report.durability.counts, worst: report.durability.worst },
      suggestions: report.suggestions,
      problems: report.problems,
    },
    null,
    2,
  )
}
