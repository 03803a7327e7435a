// Drill: a kafkajs service's downstream has an outage, so it handles records slower than they are written, on a
// topic with a short retention and small segments; its oldest unread record ages towards the retention. The
// trainee is paged before the first unread segment is due and gets lag-retention. Scored from the producer's and
// the service's ledgers and the topic's log start and size sampled while it ran.

import { join } from 'node:path'
import { formatSeconds, iso } from '../../format/time.ts'
import type { KafkaOps } from '../../kafka/types.ts'
import { waitUntil } from '../../poll/index.ts'
import { createDrillTopic, startDrillProducer } from '../drill-topic.ts'
import type { DrillContext, DrillScenario, Incident } from '../scenario.ts'
import { sessionEvents } from '../scoring.ts'
import type { Workload } from '../workload-processes.ts'
import { type AckedEntry, type ProcessedEntry, readLedger } from '../workloads/ledger.ts'
import { scoreLagRetentionDrill, type TopicSample } from './lag-retention-score.ts'

/** The drill's shape; tests may shorten it. */
export interface LagRetentionSettings {
  readonly partitions: number
  readonly recordsPerSecond: number
  readonly retentionMs: number
  readonly segmentMs: number
  /** The service handles this many records before its downstream slows down. */
  readonly outageAfterRecords: number
  readonly outageMs: number
  readonly outageMsPerRecord: number
  /** The page goes out this long after the outage began. */
  readonly pageAfterMs: number
  readonly sampleEveryMs: number
}

export const defaultLagRetentionSettings: LagRetentionSettings = {
  partitions: 2,
  recordsPerSecond: 20,
  retentionMs: 20_000,
  segmentMs: 2_000,
  outageAfterRecords: 40,
  outageMs: 30_000,
  outageMsPerRecord: 1_000,
  pageAfterMs: 7_000,
  sampleEveryMs: 1_000,
}

interface RetentionState {
  readonly topic: string
  readonly groupId: string
  readonly ackedLedger: string
  readonly processedLedger: string
  readonly replicationFactor: number
  readonly producer: Workload
  readonly consumer: Workload
  readonly pagedAtMs: number
  readonly samples: TopicSample[]
  /** Stops the sampler and resolves once it has. */
  stopSampling?: () => Promise<void>
}

async function sampleTopic(kafka: KafkaOps, topic: string, partitions: number, atMs: number): Promise<TopicSample> {
  const tps = Array.from({ length: partitions }, (_, partition) => partition)
  const answers = await kafka.listOffsets(
    tps.flatMap((partition) => [
      { topic, partition, spec: 'earliest' as const },
      { topic, partition, spec: 'latest' as const },
    ]),
  )
  const logStarts: Record<string, string> = {}
  let records = 0
  tps.forEach((partition, i) => {
    const [start, end] = [answers[2 * i]?.offset, answers[2 * i + 1]?.offset]
    if (start != null) logStarts[partition] = start.toString()
    if (start != null && end != null) records += Number(end - start)
  })
  const dirs = await kafka.describeLogDirs().catch(() => null)
  const bytes = dirs
    ? dirs.flatMap((b) => b.dirs.flatMap((d) => d.replicas.filter((r) => r.topic === topic && !r.future))).reduce((sum, r) => sum + Number(r.sizeBytes), 0)
    : null
  return { atMs, logStarts, bytes, records }
}

/** Samples the topic every `everyMs` until stopped (errors are skipped: a sample is evidence, not a requirement). */
function startSampling(ctx: DrillContext, state: RetentionState, settings: LagRetentionSettings): () => Promise<void> {
  let running = true
  const loop = (async () => {
    while (running && !ctx.signal.aborted) {
      try {
        state.samples.push(await sampleTopic(ctx.kafka, state.topic, settings.partitions, ctx.now()))
      } catch {
        // The next sample tries again.
      }
      await ctx.sleep(settings.sampleEveryMs).catch(() => {
        running = false
      })
    }
  })()
  return async () => {
    running = false
    await loop
  }
}

export function lagRetentionScenario(settings: LagRetentionSettings = defaultLagRetentionSettings): DrillScenario {
  return {
    id: 'lag-retention',
    title: 'A slowed consumer races a short retention',
    summary: "kafkajs service's downstream slows down; its lag approaches the log start of a short-retention topic; keep the records with lag-retention",
    runbook: 'lag-retention',

    async start(ctx) {
      const topic = `drill-clicks-${ctx.runId}`
      const groupId = `enricher-${ctx.runId}`
      const replicationFactor = await createDrillTopic(ctx, topic, settings.partitions, {
        'retention.ms': String(settings.retentionMs),
        'segment.ms': String(settings.segmentMs),
        'retention.bytes': '-1',
      })
      const ackedLedger = join(ctx.dir, 'acked.jsonl')
      const processedLedger = join(ctx.dir, 'processed.jsonl')
      ctx.log(`topic ${topic} (${settings.partitions} partitions, retention.ms ${settings.retentionMs}, segment.ms ${settings.segmentMs}), group ${groupId}`)
      const consumer = await ctx.workloads.start(
        'enricher',
        {
          kind: 'slow-consumer',
          bootstrap: ctx.bootstrap.split(','),
          topic,
          groupId,
          ledger: processedLedger,
          clientId: 'clicks-enricher',
          sessionTimeoutMs: 10_000,
          autoCommitIntervalMs: 1_000,
          outageAfterRecords: settings.outageAfterRecords,
          outageMs: settings.outageMs,
          outageMsPerRecord: settings.outageMsPerRecord,
        },
        90_000,
      )
      const producer = await startDrillProducer(ctx, 'producer', {
        topic,
        partitions: settings.partitions,
        recordsPerSecond: settings.recordsPerSecond,
        ledger: ackedLedger,
        clientId: 'clicks-api',
      })
      ctx.log(`producer writing ${settings.recordsPerSecond} records/s; clicks-enricher (kafkajs) handling them`)
      const outage = await consumer.waitFor('outage', () => true, 90_000, 'the downstream outage to begin')
      const state: RetentionState = {
        topic,
        groupId,
        ackedLedger,
        processedLedger,
        replicationFactor,
        producer,
        consumer,
        pagedAtMs: 0,
        samples: [],
      }
      state.stopSampling = startSampling(ctx, state, settings)
      ctx.log(`the enricher's downstream slowed to one record per ${formatSeconds(settings.outageMsPerRecord)}: the group falls behind`)
      await ctx.sleep(Math.max(0, outage.fromMs + settings.pageAfterMs - ctx.now()))
      const pagedAtMs = ctx.now()
      Object.assign(state, { pagedAtMs })
      const briefing = [
        '## Page: clicks-enricher lag climbing on a short-retention topic',
        '',
        `- Since **${iso(outage.fromMs)}** the enricher's downstream has answered slowly; consumer group \`${groupId}\` on topic \`${topic}\` falls further behind every second (the producer writes ${settings.recordsPerSecond} records/s).`,
        `- The topic keeps records for only ${formatSeconds(settings.retentionMs)} (retention.ms ${settings.retentionMs}).`,
        '- The service uses kafkajs and does not read from the beginning: if its position falls off the log it jumps to the end.',
        '',
        'Keep every click: none may be deleted or skipped before the enricher has read it. Do not leave the topic holding more than it needs.',
      ].join('\n')
      const incident: Incident = {
        brokenAtMs: outage.fromMs,
        briefing,
        known: { group: groupId },
        solution: {
          group: groupId,
          sample: '2s',
          'way-out': 'raise-retention',
          margin: '2m',
          'auto-offset-reset': 'latest',
          'revert-watch': `${Math.round((settings.outageMs + 120_000) / 1000)}s`,
        },
        state,
      }
      return incident
    },

    async finish(ctx, incident) {
      const state = incident.state as RetentionState
      await state.producer.stop()
      ctx.log('producer stopped; waiting for the enricher to read to the log end')
      const ends = await ctx.kafka.listOffsets(
        Array.from({ length: settings.partitions }, (_, partition) => ({ topic: state.topic, partition, spec: 'latest' as const })),
      )
      await waitUntil(
        'the enricher to commit up to the log end',
        async () => {
          const committed = await ctx.kafka.committedOffsets(state.groupId)
          return ends.every((e) => (committed.offsets.find((o) => o.topic === state.topic && o.partition === e.partition)?.offset ?? -1n) >= (e.offset ?? 0n))
        },
        ctx,
        { timeoutMs: settings.outageMs + 120_000, signal: ctx.signal },
      )
      await state.consumer.stop()
      await state.stopSampling?.()
      ctx.log('the enricher caught up and stopped cleanly')
    },

    async score(ctx, incident, outcome) {
      const state = incident.state as RetentionState
      await state.stopSampling?.()
      const [config] = await ctx.kafka.describeConfigs([{ type: 'topic', name: state.topic }], { names: ['retention.ms'] })
      const entry = config?.entries.find((e) => e.name === 'retention.ms')
      return scoreLagRetentionDrill({
        acked: readLedger<AckedEntry>(state.ackedLedger),
        processed: readLedger<ProcessedEntry>(state.processedLedger),
        samples: state.samples,
        brokenAtMs: incident.brokenAtMs,
        pagedAtMs: state.pagedAtMs,
        retentionMs: settings.retentionMs,
        replicationFactor: state.replicationFactor,
        retentionAfter: { value: entry?.value ?? null, source: entry?.source ?? 'unknown' },
        events: sessionEvents(outcome.run?.sessionDir),
        outcome,
      })
    },
  }
}
