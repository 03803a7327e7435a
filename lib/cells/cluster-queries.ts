// Ready-made read-only views of a cluster, for runbooks that need a standard table: brokers, a topic's
// settings and their sources, partition health under kafka-topics' definitions, a consumer group's lag,
// and the biggest replicas on disk. Each returns blocks for the screen and data for the transcript.

import { facts, formatCount, notice, table, type Block } from '../engine/blocks.ts'
import { Refusal } from '../engine/runbook.ts'
import type { KafkaOps } from '../kafka/types.ts'
import { readPartitionHealth } from '../reads/partition-health.ts'
import { readTopicSettings } from '../reads/topic-settings.ts'

export interface QueryOutput {
  readonly blocks: readonly Block[]
  readonly data: unknown
}

/** Brokers as the cluster sees them: rack, fenced or not, which one is the active controller. */
export async function brokersView(kafka: KafkaOps): Promise<QueryOutput> {
  const cluster = await kafka.cluster()
  const rows = [...cluster.brokers]
    .sort((a, b) => a.id - b.id)
    .map((b) => [b.id, `${b.host}:${b.port}`, b.rack ?? 'unknown', b.fenced === null ? 'unknown' : b.fenced ? 'fenced' : 'up'])
  return {
    blocks: [
      table(['Broker', 'Address', 'Rack', 'State'], rows, {
        footer: `Active controller: ${cluster.controller.id ?? 'unknown'} (from ${cluster.controller.source === 'describe-quorum' ? 'the KRaft quorum' : 'metadata'}).`,
      }),
    ],
    data: { brokers: cluster.brokers, controller: cluster.controller },
  }
}

/** A topic's settings (all, or the named ones) and where each value comes from. */
export async function topicSettingsView(kafka: KafkaOps, topic: string, names: readonly string[] = []): Promise<QueryOutput> {
  const [read] = await readTopicSettings(kafka, [topic])
  if (!read?.exists) {
    if (!read?.error || read.error.name === 'UNKNOWN_TOPIC_OR_PARTITION') throw new Refusal(`topic ${topic} does not exist — check the name; nothing changed`)
    throw new Refusal(`cannot read the settings of topic ${topic}: ${read.error.message}; nothing changed`)
  }
  const entries = Object.entries(read.settings)
    .map(([name, setting]) => ({ name, ...setting }))
    .filter((e) => (names.length ? names.includes(e.name) : e.source !== 'default'))
  const missing = names.filter((n) => read.settings[n] === undefined)
  return {
    blocks: [
      table(
        ['Setting', 'Value', 'From'],
        entries.map((e) => [e.name, e.sensitive ? '(hidden)' : e.value, e.source]),
        {
          title: `Topic ${topic}`,
          ...(names.length ? {} : { footer: 'Settings that differ from Kafka’s defaults.' }),
        },
      ),
      ...(missing.length ? [notice('warn', `Kafka knows no topic setting named ${missing.join(', ')}.`)] : []),
    ],
    data: entries.map((e) => ({ name: e.name, value: e.sensitive ? null : e.value, source: e.source })),
  }
}

/** The partitions kafka-topics would report (unavailable, under/at min ISR, under-replicated) for some or all topics. */
export async function partitionHealthView(kafka: KafkaOps, topics?: readonly string[]): Promise<QueryOutput> {
  const { total, flagged, unknownTopics } = await readPartitionHealth(kafka, topics)
  if (topics && unknownTopics.length) throw new Refusal(`topic ${unknownTopics.join(', ')} does not exist — check the name; nothing changed`)
  const shownRows = flagged.slice(0, 50)
  return {
    blocks: flagged.length
      ? [
          table(
            ['Partition', 'Leader', 'Replicas', 'ISR', 'Condition'],
            shownRows.map((f) => [
              `${f.topic}-${f.partition}`,
              f.leader === null ? 'none' : String(f.leader),
              f.replicas.join(','),
              f.isr.join(',') || '–',
              f.conditions.join(', '),
            ]),
            {
              footer: `${formatCount(flagged.length)} of ${formatCount(total)} partitions flagged${flagged.length > shownRows.length ? ` (first ${shownRows.length} shown)` : ''}.`,
            },
          ),
        ]
      : [notice('ok', `All ${formatCount(total)} partitions have a live leader and a full ISR.`)],
    data: { total, flagged },
  }
}

/** A consumer group: state, members, and per partition the committed offset, log end and lag. */
export async function consumerGroupView(kafka: KafkaOps, groupId: string): Promise<QueryOutput> {
  const [[description], offsets] = await Promise.all([kafka.describeGroups([groupId]), kafka.committedOffsets(groupId)])
  if ((!description || description.error) && offsets.offsets.length === 0)
    throw new Refusal(`no consumer group ${groupId} — check the id (runbook status lists the groups); nothing changed`)
  const ends = await kafka.listOffsets(offsets.offsets.map((o) => ({ topic: o.topic, partition: o.partition, spec: 'latest' as const })))
  const endOf = new Map(ends.map((e) => [`${e.topic}/${e.partition}`, e.offset]))
  const rows = offsets.offsets.map((o) => {
    const end = endOf.get(`${o.topic}/${o.partition}`) ?? null
    return [o.topic, o.partition, o.offset, end, end === null ? 'unknown' : end - o.offset] as const
  })
  const lag = rows.reduce((sum, r) => (typeof r[4] === 'bigint' ? sum + r[4] : sum), 0n)
  const state = description && !description.error ? description.state : 'Empty'
  return {
    blocks: [
      facts([
        ['Group', groupId],
        ['State', state],
        ['Members', String(description?.members.length ?? 0)],
        ['Total lag', formatCount(lag)],
      ]),
      table(
        ['Topic', 'Partition', 'Committed', 'Log end', 'Lag'],
        rows.map((r) => [...r]),
      ),
    ],
    data: {
      groupId,
      state,
      members: description?.members.length ?? 0,
      lag,
      partitions: rows.map(([topic, partition, committed, logEnd]) => ({ topic, partition, committed, logEnd })),
    },
  }
}

/** The biggest replicas on disk, on one broker or all, with the brokers that could not answer. */
export async function logDirsView(kafka: KafkaOps, broker?: number, top = 10): Promise<QueryOutput> {
  const dirs = await kafka.describeLogDirs(broker === undefined ? undefined : [broker])
  const replicas = dirs.flatMap((b) =>
    b.dirs.flatMap((d) => d.replicas.map((r) => ({ broker: b.broker, dir: d.path, topic: r.topic, partition: r.partition, sizeBytes: r.sizeBytes }))),
  )
  replicas.sort((a, b) => (b.sizeBytes > a.sizeBytes ? 1 : b.sizeBytes < a.sizeBytes ? -1 : 0))
  const unanswered = dirs.filter((b) => b.error)
  return {
    blocks: [
      table(
        ['Broker', 'Partition', 'Size (bytes)', 'Directory'],
        replicas.slice(0, top).map((r) => [r.broker, `${r.topic}-${r.partition}`, r.sizeBytes, r.dir]),
        { title: `Biggest replicas${broker === undefined ? '' : ` on broker ${broker}`}` },
      ),
      ...unanswered.map((b) => notice('warn', `Broker ${b.broker} did not answer: ${b.error!.message}`)),
    ],
    data: replicas.slice(0, top),
  }
}
