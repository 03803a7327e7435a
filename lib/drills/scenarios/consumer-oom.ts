// Drill: a kafkajs service with auto-commit is OOM-killed (SIGKILL) right after a commit covered records it
// still held in memory; its orchestrator restarts it, and the restarted instance carries on after the lost
// records. The trainee gets consumer-oom-replay. Scored from the producer's and the consumers' ledgers.

import { counted } from '../../format/counts.ts'
import { join } from 'node:path'
import { iso } from '../../format/time.ts'
import type { KafkaOps } from '../../kafka/types.ts'
import { createDrillTopic, startDrillProducer } from '../drill-topic.ts'
import type { DrillContext, DrillScenario, DrillScore, Incident, TraineeOutcome } from '../scenario.ts'
import { appliedAtMs, changesTriedOnActiveGroup, compareLedgers, describeRanges, sessionEvents } from '../scoring.ts'
import type { Workload } from '../workload-processes.ts'
import { type AckedEntry, type ProcessedEntry, readLedger } from '../workloads/ledger.ts'
import type { ConsumerConfig } from '../workloads/protocol.ts'
import { waitUntil } from '../../poll/index.ts'

/** The workload's shape; tests may shorten it. */
export interface ConsumerOomSettings {
  readonly partitions: number
  readonly recordsPerSecond: number
  /** The service writes its buffer out at this many records (its "batch")... */
  readonly flushRecords: number
  /** ...or when the oldest record has waited this long. */
  readonly flushIntervalMs: number
  readonly autoCommitIntervalMs: number
  readonly sessionTimeoutMs: number
  /** Kill only after a commit that covers at least this many records still in memory. */
  readonly minAtRisk: number
  /** The orchestrator restarts the killed service after this long. */
  readonly restartAfterMs: number
}

export const defaultConsumerOomSettings: ConsumerOomSettings = {
  partitions: 3,
  recordsPerSecond: 150,
  flushRecords: 400,
  flushIntervalMs: 3000,
  autoCommitIntervalMs: 5000,
  sessionTimeoutMs: 6000,
  minAtRisk: 100,
  restartAfterMs: 2000,
}

interface OomState {
  readonly topic: string
  readonly groupId: string
  readonly ackedLedger: string
  readonly processedLedger: string
  readonly atRiskAtKill: number
  readonly producer: Workload
  /** The service instances in start order; the last one may be running. */
  readonly consumers: Workload[]
}

async function logEnds(kafka: KafkaOps, topic: string, partitions: number): Promise<Map<number, bigint>> {
  const answers = await kafka.listOffsets(Array.from({ length: partitions }, (_, partition) => ({ topic, partition, spec: 'latest' as const })))
  return new Map(answers.map((a) => [a.partition, a.offset ?? -1n]))
}

export function consumerOomScenario(settings: ConsumerOomSettings = defaultConsumerOomSettings): DrillScenario {
  const consumerConfig = (ctx: DrillContext, state: Pick<OomState, 'topic' | 'groupId' | 'processedLedger'>, instance: number): ConsumerConfig => ({
    kind: 'consumer',
    bootstrap: ctx.bootstrap.split(','),
    topic: state.topic,
    groupId: state.groupId,
    ledger: state.processedLedger,
    instance,
    clientId: 'billing-service',
    flushRecords: settings.flushRecords,
    flushIntervalMs: settings.flushIntervalMs,
    sessionTimeoutMs: settings.sessionTimeoutMs,
    autoCommitIntervalMs: settings.autoCommitIntervalMs,
  })

  return {
    id: 'consumer-oom',
    title: 'A consumer with auto-commit is OOM-killed mid-batch',
    summary: 'kafkajs service buffers records, auto-commit covers them, SIGKILL; restore them with consumer-oom-replay',
    runbook: 'consumer-oom-replay',

    async start(ctx) {
      const topic = `drill-orders-${ctx.runId}`
      const groupId = `billing-${ctx.runId}`
      await createDrillTopic(ctx, topic, settings.partitions)
      const paths = { topic, groupId, ackedLedger: join(ctx.dir, 'acked.jsonl'), processedLedger: join(ctx.dir, 'processed.jsonl') }
      ctx.log(`topic ${topic} (${settings.partitions} partitions), group ${groupId}`)

      const first = await ctx.workloads.start('consumer-1', { ...consumerConfig(ctx, paths, 1), stallAfterCommitAtRisk: settings.minAtRisk })
      const producer = await startDrillProducer(ctx, 'producer', {
        topic,
        partitions: settings.partitions,
        recordsPerSecond: settings.recordsPerSecond,
        ledger: paths.ackedLedger,
        clientId: 'orders-api',
      })
      ctx.log(`producer writing ${settings.recordsPerSecond} records/s; billing-service (kafkajs, auto-commit) consuming`)
      await first.waitFor('processed', (m) => m.total >= settings.flushRecords, 60_000, 'the service to handle its first batches')
      // From the nudge on, the first commit covering minAtRisk records still in memory stalls the service: it writes
      // nothing out any more. Killing it on an ordinary commit raced its next write-out (a couple of seconds away at
      // most, less under load), which could hand the records the kill is meant to erase to the ledger after all.
      const stalled = first.waitFor('committed', (m) => m.stalled, 60_000, `a commit covering ${settings.minAtRisk}+ records still in memory`)
      first.nudge()
      const commit = await stalled
      first.kill()
      const brokenAtMs = ctx.now()
      ctx.log(`SIGKILL billing-service (like an OOM kill) right after a commit covering ${commit.atRisk} records it had not written out`)

      await ctx.sleep(settings.restartAfterMs)
      const second = await ctx.workloads.start('consumer-2', consumerConfig(ctx, paths, 2), 90_000)
      ctx.log(`the orchestrator restarted billing-service (pid ${second.pid}); it resumed after the committed offsets`)
      const state: OomState = { ...paths, atRiskAtKill: commit.atRisk, producer, consumers: [first, second] }
      const briefing = [
        `## Page: billing-service lost records`,
        '',
        `- At **${iso(brokenAtMs)}** the kernel OOM-killed \`billing-service\` (consumer group \`${groupId}\`, topic \`${topic}\`). Its orchestrator restarted it ${Math.round(settings.restartAfterMs / 1000)} s later; it is running again as pid ${second.pid} (\`kill -TERM ${second.pid}\` stops it cleanly).`,
        `- Downstream reports orders missing from the billing database since about then. Consumer lag looks normal.`,
        `- The service uses kafkajs with auto-commit (every ${settings.autoCommitIntervalMs / 1000} s and after each batch) and writes records to its database in batches of up to ${settings.flushRecords}.`,
        '',
        'Get the lost records handled. Every duplicate costs a little; every lost order costs a lot.',
      ].join('\n')
      const incident: Incident = {
        brokenAtMs,
        briefing,
        known: { group: groupId },
        solution: {
          group: groupId,
          'stop-command': `kill -TERM ${second.pid}`,
          'wait-for-empty': '60s',
          'to-datetime': iso(brokenAtMs),
          'auto-commit-interval': `${settings.autoCommitIntervalMs}ms`,
          'max-poll-records': String(settings.flushRecords),
          'safety-margin': 'suggested',
        },
        state,
      }
      return incident
    },

    async finish(ctx, incident) {
      const state = incident.state as OomState
      let running = state.consumers.find((c) => c.isRunning())
      if (!running) {
        running = await ctx.workloads.start(`consumer-${state.consumers.length + 1}`, consumerConfig(ctx, state, state.consumers.length + 1), 90_000)
        state.consumers.push(running)
        ctx.log(`billing-service started again (instance ${state.consumers.length})`)
      }
      await state.producer.stop()
      ctx.log('producer stopped; waiting for billing-service to catch up')
      const ends = await logEnds(ctx.kafka, state.topic, settings.partitions)
      await waitUntil(
        'billing-service to commit up to the log end',
        async () => {
          const committed = await ctx.kafka.committedOffsets(state.groupId)
          return [...ends].every(
            ([partition, end]) => (committed.offsets.find((o) => o.topic === state.topic && o.partition === partition)?.offset ?? -1n) >= end,
          )
        },
        ctx,
        { timeoutMs: 120_000, signal: ctx.signal },
      )
      // A clean stop writes out whatever is still buffered.
      await running.stop()
      ctx.log('billing-service caught up and stopped cleanly')
    },

    async score(ctx, incident, outcome: TraineeOutcome): Promise<DrillScore> {
      const state = incident.state as OomState
      const compared = compareLedgers(readLedger<AckedEntry>(state.ackedLedger), readLedger<ProcessedEntry>(state.processedLedger))
      const events = sessionEvents(outcome.run?.sessionDir)
      const fixedAt = appliedAtMs(events, 'rewind')
      const unsafe = changesTriedOnActiveGroup(events)
      const lost = compared.lost.length
      const notes: string[] = []
      if (outcome.mode === 'nothing')
        notes.push(`Left alone, the incident lost ${lost} acknowledged records for good: the restarted service resumed after them and its lag looked normal.`)
      if (lost > 0 && fixedAt !== null)
        notes.push('The rewind landed after the first lost record: rewind to the kill time minus the suggested margin (one commit interval plus one batch).')
      if (lost === 0 && fixedAt !== null) notes.push(`Every acknowledged record was handled; the replay cost ${compared.duplicates} duplicate handlings.`)
      for (const u of unsafe) notes.push(`Unsafe: ${u.what}`)
      if (outcome.run && fixedAt === null)
        notes.push(`The runbook ended without a rewind (${outcome.run.status}${outcome.run.message ? `: ${outcome.run.message}` : ''}).`)
      return {
        passed: lost === 0 && unsafe.length === 0,
        headline: `${lost} records lost, ${compared.duplicates} duplicates, ${fixedAt === null ? 'not fixed' : `fixed ${((fixedAt - incident.brokenAtMs) / 1000).toFixed(1)} s after the kill`}, ${counted(unsafe.length, 'unsafe action')}`,
        metrics: [
          { name: 'Records acknowledged to the producer', value: compared.acked, unit: 'records', good: null },
          { name: 'Committed but unhandled when the kill was ordered (at least)', value: state.atRiskAtKill, unit: 'records', good: null },
          {
            name: 'Records lost (acknowledged, never handled)',
            value: lost,
            unit: 'records',
            good: lost === 0,
            ...(lost ? { detail: `seq ${describeRanges(compared.lost)}` } : {}),
          },
          {
            name: 'Duplicate handlings',
            value: compared.duplicates,
            unit: 'records',
            good: null,
            detail: `${compared.duplicatedRecords} records handled more than once`,
          },
          { name: 'Time from the kill to the fix', value: fixedAt === null ? null : fixedAt - incident.brokenAtMs, unit: 'ms', good: fixedAt !== null },
          { name: 'Unsafe actions attempted', value: unsafe.length, unit: '', good: unsafe.length === 0 },
        ],
        notes,
      }
    },
  }
}
