// The durability audit's tables and facts: readable in 100 columns however many topics there are — topics
// that look alike share one row ("orders, payments +118 more"), and --json keeps every one.

import { agree, type Block, counted, facts, formatCount, markdown, notice, table } from '../../lib/engine/blocks.ts'
import type { AuditFinding, AuditReport, TopicAudit } from '../../lib/plans/durability-audit.ts'
import { describeSource, fitNames } from '../../lib/plans/durability-lines.ts'
import type { ProducerAudit } from '../../lib/plans/producer-verdicts.ts'
import type { ResolvedSetting } from '../../lib/plans/producer-defaults.ts'
import { findingFix, findingMeaning, producerRiskText, severityLabel } from './text.ts'

const maxRows = 12

/** 1536 → "1.5 KiB". */
export function formatBytes(bytes: bigint): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let value = Number(bytes)
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`
}

/** Kafka line, ELR, defaults with where they are set, brokers by rack, what was audited. */
export function clusterBlocks(report: AuditReport): Block[] {
  const { defaults } = report
  const byRack = new Map<string, number[]>()
  for (const b of report.brokers) byRack.set(b.rack ?? '(no rack)', [...(byRack.get(b.rack ?? '(no rack)') ?? []), b.id])
  const partitions = report.topics.reduce((n, t) => n + t.partitions, 0)
  const internal = report.topics.filter((t) => t.internal).length
  return [
    facts(
      [
        ['Kafka', `${defaults.kafkaLine ?? 'unknown'}${defaults.metadataVersion ? ` (metadata.version ${defaults.metadataVersion})` : ''}`],
        ['Eligible leader replicas', defaults.elr === 'unsupported' ? 'not a feature of this version' : defaults.elr],
        [
          'min.insync.replicas',
          defaults.minIsr.value === null ? 'unknown' : `${defaults.minIsr.value} (${describeSource(defaults.minIsr.source)}) for topics without their own`,
        ],
        [
          'unclean leader election',
          defaults.unclean.value === null
            ? 'unknown'
            : `${defaults.unclean.value ? 'on' : 'off'} (${describeSource(defaults.unclean.source)}) for topics without their own`,
        ],
        ['Racks', [...byRack].map(([rack, ids]) => `${rack}: ${agree(ids.length, 'broker', 'brokers')} ${ids.join(',')}`).join(' · ') || 'no brokers'],
        ['Audited', `${counted(report.topics.length, 'topic')}${internal ? ` (${internal} internal)` : ''}, ${formatCount(partitions)} partitions`],
      ],
      'The cluster',
    ),
    ...(report.problems.length ? [notice('warn', `Not read: ${fitNames(report.problems, 80)}`)] : []),
  ]
}

const racksText = (t: TopicAudit): string =>
  t.unknownRackPartitions > 0
    ? `unknown (${t.unknownRackPartitions} part.)`
    : t.singleRackPartitions === t.partitions && t.partitions > 0 && t.replicationFactor > 1
      ? `one: ${t.racks.join(',')}`
      : t.singleRackPartitions > 0
        ? `${t.singleRackPartitions}/${t.partitions} in one`
        : `${t.racks.length}`

/** What losing one broker does to a topic, in a few words. */
export function oneBrokerDown(t: TopicAudit): string {
  if (t.replicationFactor <= 1) return 'offline; only copy'
  if (t.unclean.value === true) return 'lagging leader: loss'
  if (t.effectiveMinIsr !== null && t.effectiveMinIsr >= t.replicationFactor) return 'acks=all writes stop'
  if (t.effectiveMinIsr === 1) return 'writes go on, 1 copy'
  return `writes go on, ≥${t.effectiveMinIsr ?? '?'} copies`
}

const shortSource: Readonly<Record<string, string>> = {
  'dynamic-topic': 'topic',
  'dynamic-broker': 'broker',
  'dynamic-broker-default': 'cluster',
  'static-broker': 'static',
  default: 'default',
}

/** Topics grouped by identical settings, worst-looking first, with a line saying how to read it. */
export function topicTable(topics: readonly TopicAudit[]): Block[] {
  const rows = new Map<string, { topics: string[]; sample: TopicAudit; partitions: number }>()
  for (const t of topics) {
    const minIsr = t.minIsr.value === null ? '?' : `${t.minIsr.value} ${describeSource(t.minIsr.source)}`
    const unclean = t.unclean.value === null ? '?' : `${t.unclean.value ? 'ON' : 'off'}${t.unclean.source === 'dynamic-topic' ? ' (topic)' : ''}`
    const key = [t.replicationFactor, minIsr, t.effectiveMinIsr, unclean, racksText(t), oneBrokerDown(t)].join('|')
    const row = rows.get(key)
    if (row) {
      row.topics.push(t.topic)
      row.partitions += t.partitions
    } else rows.set(key, { topics: [t.topic], sample: t, partitions: t.partitions })
  }
  const risk = (t: TopicAudit) => (t.replicationFactor <= 1 || t.unclean.value === true ? 0 : t.effectiveMinIsr === 1 || t.singleRackPartitions > 0 ? 1 : 2)
  const ordered = [...rows.values()].sort((a, b) => risk(a.sample) - risk(b.sample) || b.partitions - a.partitions)
  const shown = ordered.slice(0, maxRows)
  const hidden = ordered.slice(maxRows)
  const legend = markdown(
    'acks=all: the copies an acknowledged write is guaranteed to be on. Where min ISR is set: topic (its own override), cluster (cluster default), static (server.properties), default (Kafka’s).',
  )
  const rowsTable = table(
    ['Topics', 'Part.', 'RF', 'min ISR (where)', 'acks=all', 'Unclean', 'Racks', 'One broker down'],
    shown.map(({ topics: names, sample: t, partitions }) => [
      fitNames(names, 24),
      partitions,
      t.replicationFactor,
      t.minIsr.value === null ? '?' : `${t.minIsr.value} (${shortSource[t.minIsr.source ?? ''] ?? t.minIsr.source ?? '?'})`,
      t.effectiveMinIsr === null ? '?' : `${counted(t.effectiveMinIsr, 'copy', 'copies')}`,
      t.unclean.value === null ? '?' : t.unclean.value ? 'ON' : 'off',
      racksText(t),
      oneBrokerDown(t),
    ]),
    {
      title: 'Topics by settings',
      align: ['left', 'right', 'right', 'left', 'left', 'left', 'left', 'left'],
      ...(hidden.length
        ? {
            footer: `and ${formatCount(hidden.reduce((n, r) => n + r.topics.length, 0))} more topics in ${hidden.length} other groups (--json lists every one)`,
          }
        : {}),
    },
  )
  return [legend, rowsTable]
}

/** One block per finding: severity, what and where, what it means, the fix and its cost. */
export function findingBlocks(findings: readonly AuditFinding[], live: Parameters<typeof findingFix>[1]): Block[] {
  if (findings.length === 0)
    return [notice('ok', 'No finding: every audited topic keeps acknowledged writes through the loss of one broker, and no lagging replica can be elected.')]
  const level = { high: 'danger', medium: 'warn', low: 'info', info: 'info' } as const
  return findings.flatMap((f) => {
    const where = f.topics.length ? ` — ${f.topics.length === 1 ? 'topic' : `${formatCount(f.topics.length)} topics`}: ${fitNames(f.topics, 60)}` : ''
    return [
      notice(level[f.severity], `**${severityLabel[f.severity]}** ${headline(f)}${where}`),
      markdown(`${findingMeaning(f)}\n\n**Fix:** ${findingFix(f, live)}`),
    ]
  })
}

function headline(f: AuditFinding): string {
  switch (f.kind) {
    case 'single-replica':
      return 'one replica'
    case 'unclean-election':
      return 'unclean leader election on'
    case 'min-isr-one':
      return `min.insync.replicas=${f.facts.minIsr} with ${f.facts.rf} replicas: acks=all can mean one copy`
    case 'min-isr-equals-rf':
      return `min.insync.replicas=${f.facts.minIsr} with ${f.facts.rf} replicas: one broker down stops acks=all writes`
    case 'min-isr-above-rf':
      return `min.insync.replicas=${f.facts.minIsr} above the ${f.facts.rf} replicas`
    case 'one-rack':
      return `every replica in one rack (${f.facts.racks})`
    case 'mixed-replication':
      return 'partitions with different replica counts'
    case 'default-unclean-on':
      return 'cluster default: unclean leader election on'
    case 'default-min-isr-one':
      return 'cluster default: min.insync.replicas=1'
    case 'racks-unknown':
      return 'brokers without a rack'
    case 'brokers-disagree':
      return 'brokers disagree on durability settings'
    case 'elr-off':
      return 'eligible leader replicas off'
  }
}

const setting = <T>(s: ResolvedSetting<T>, show: (v: T) => string) =>
  `${show(s.value)} — ${s.from === 'file' ? 'set in the file' : s.from === 'implied' ? 'implied' : 'client default'}${s.note ? ` (${s.note})` : ''}`

/** A producer's effective settings, then what its acknowledgement means on each group of topics. */
export function producerBlocks(audit: ProducerAudit): Block[] {
  const p = audit.producer
  const blocks: Block[] = [
    facts(
      [
        ['Client', `${p.client.client}${p.client.version ? ` ${p.client.version}` : ' (version not given)'}`],
        ['acks', setting(p.acks, (v) => (v === 'all' ? 'all' : v === 'leader' ? '1' : '0'))],
        ['Idempotence', setting(p.idempotence, (v) => (v ? 'on' : 'off'))],
        ['Retries', setting(p.retries, (v) => (v >= 2_147_483_647 ? 'unlimited' : formatCount(v)))],
        ['In flight per connection', setting(p.maxInFlight, (v) => (v === null ? 'no limit' : formatCount(v)))],
        ['Delivery timeout', setting(p.deliveryTimeoutMs, (v) => (v === null ? 'none' : `${v / 1000} s`))],
      ],
      `Producer ${p.path}`,
    ),
  ]
  if (p.refusal) blocks.push(notice('danger', p.refusal))
  for (const assumption of p.assumptions) blocks.push(notice('info', assumption))
  const texts = { refusal: p.refusal, retries: p.retries.value, retryBudgetMs: audit.retryBudgetMs, maxInFlight: p.maxInFlight.value }
  blocks.push(
    table(
      ['Topics', 'An acknowledgement means', 'Risks'],
      audit.verdicts.map((v) => [
        fitNames(v.topics, 24),
        v.acknowledged,
        v.risks.length ? v.risks.map((r) => `${severityLabel[r.severity]}: ${producerRiskText(r.kind, texts)}`).join('\n') : 'none found',
      ]),
      { title: `What ${p.path}'s acknowledgements are worth` },
    ),
  )
  return blocks
}
