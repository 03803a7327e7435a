// Drill: an exactly-once pipeline (kafkajs) — a transactional producer committing continuously and a
// read_committed consumer writing every record it handles to its ledger — and a transaction that holds the
// partition's last stable offset. Two variants: `ongoing`, a second producer instance SIGKILLed mid-transaction
// with a long transaction timeout (the coordinator would abort it only then: fence it, or wait, priced by the
// timeout); `hanging`, a transactional batch no coordinator knows (written with transaction verification off,
// as Kafka's own tests make one: only an abort marker ends it). The trainee gets stuck-transactions.

import { join } from 'node:path'
import { formatSeconds, iso } from '../../format/time.ts'
import type { KafkaOps } from '../../kafka/types.ts'
import { waitFor } from '../../poll/index.ts'
import { createDrillTopic } from '../drill-topic.ts'
import type { DrillContext, DrillScenario, Incident, TraineeOutcome } from '../scenario.ts'
import { appliedAtMs, sessionEvents } from '../scoring.ts'
import { abandonRunning, hangTransaction } from '../transaction-faults.ts'
import type { Workload } from '../workload-processes.ts'
import { type AckedEntry, type ProcessedEntry, readLedger } from '../workloads/ledger.ts'
import type { ConsumerConfig, TransactionalProducerConfig } from '../workloads/protocol.ts'
import { type HeldShare, scoreStuckTransaction } from './stuck-transaction-score.ts'

export type StuckTransactionVariant = 'ongoing' | 'hanging'

/** The pipeline's shape; tests may shorten it. */
export interface StuckTransactionSettings {
  readonly partitions: number
  /** The live producer: records per transaction (spread over every partition) and the pause between transactions. */
  readonly recordsPerTransaction: number
  readonly transactionIntervalMs: number
  /** ongoing: the killed instance's transaction timeout — how long the coordinator waits before aborting it. */
  readonly abandonedTimeoutMs: number
  /** ongoing: the partitions its open transaction holds; hanging: the one partition the batch lands on. */
  readonly ongoingPartitions: readonly number[]
  readonly hangingPartition: number
  /** Records of the stuck transaction (hanging: on its partition; ongoing: over its partitions). */
  readonly stuckRecords: number
  /** How long the drill waits for the consumer to catch up after the trainee, before scoring. */
  readonly catchUpTimeoutMs: number
}

export const defaultStuckTransactionSettings: StuckTransactionSettings = {
  partitions: 3,
  recordsPerTransaction: 6,
  transactionIntervalMs: 100,
  abandonedTimeoutMs: 600_000,
  ongoingPartitions: [0, 2],
  hangingPartition: 1,
  stuckRecords: 4,
  catchUpTimeoutMs: 60_000,
}

interface StuckState {
  readonly variant: StuckTransactionVariant
  readonly topic: string
  readonly groupId: string
  readonly ackedLedgers: readonly string[]
  readonly processedLedger: string
  readonly held: readonly HeldShare[]
  readonly coordinatorEndsAtMs: number | null
  readonly liveProducer: Workload
  readonly consumer: Workload
}

const startTimeoutMs = 120_000

/** Sequence ranges: instance 1 counts from 0, instance 2 (the one killed) from here — one consumer ledger, no clashes. */
const instance2FirstSeq = 1_000_000_000

async function lastStableOffsets(kafka: KafkaOps, topic: string, partitions: number): Promise<Map<number, bigint>> {
  const answers = await kafka.listOffsets(
    Array.from({ length: partitions }, (_, partition) => ({ topic, partition, spec: 'latest' as const, isolation: 'read_committed' as const })),
  )
  return new Map(answers.map((a) => [a.partition, a.offset ?? -1n]))
}

export function stuckTransactionScenario(settings: StuckTransactionSettings = defaultStuckTransactionSettings): DrillScenario {
  const variantOf = (ctx: DrillContext): StuckTransactionVariant => (ctx.variant === 'hanging' ? 'hanging' : 'ongoing')

  async function breakIt(ctx: DrillContext, variant: StuckTransactionVariant, topic: string, instance2: Workload | null) {
    if (instance2) {
      const abandoned = await abandonRunning(instance2)
      const brokenAtMs = ctx.now()
      ctx.log(
        `SIGKILL payments-enricher instance 2 (${abandoned.transactionalId}) with a transaction open on partition(s) ${abandoned.partitions.map((p) => p.partition).join(', ')}; its coordinator waits ${formatSeconds(settings.abandonedTimeoutMs)}`,
      )
      const held = abandoned.partitions.map((p) => ({ partition: p.partition, firstOffset: BigInt(p.firstOffset), records: p.records }))
      return { brokenAtMs, held, coordinatorEndsAtMs: brokenAtMs + settings.abandonedTimeoutMs }
    }
    const bootstrap = ctx.bootstrap.split(',')
    const batch = await hangTransaction(ctx.kafka, {
      bootstrap,
      topic,
      partition: settings.hangingPartition,
      records: settings.stuckRecords,
      transactionalId: null,
    })
    const brokenAtMs = ctx.now()
    ctx.log(
      `a transactional batch of ${settings.stuckRecords} records (producer ${batch.producerId}) on partition ${settings.hangingPartition} at offset ${batch.firstOffset}, unknown to every coordinator (verification was off for it, and is back on)`,
    )
    const held = [{ partition: settings.hangingPartition, firstOffset: batch.firstOffset, records: settings.stuckRecords }]
    return { brokenAtMs, held, coordinatorEndsAtMs: null }
  }

  return {
    id: 'stuck-transaction',
    title: 'A read_committed consumer stuck behind an open transaction',
    summary: 'exactly-once pipeline (kafkajs); a transaction holds the last stable offset; fence, wait or abort with stuck-transactions',
    runbook: 'stuck-transactions',
    variants: [
      {
        id: 'ongoing',
        summary: `a producer instance SIGKILLed mid-transaction, ${formatSeconds(settings.abandonedTimeoutMs)} transaction timeout (fence, or wait for the timeout)`,
      },
      { id: 'hanging', summary: 'a transactional batch no coordinator knows (it never ends by itself: abort it)' },
    ],

    async start(ctx) {
      const variant = variantOf(ctx)
      const topic = `drill-payments-${ctx.runId}`
      const groupId = `payments-ledger-${ctx.runId}`
      await createDrillTopic(ctx, topic, settings.partitions)
      const ackedLedgers = [join(ctx.dir, 'committed-instance-1.jsonl'), join(ctx.dir, 'committed-instance-2.jsonl')]
      const processedLedger = join(ctx.dir, 'processed.jsonl')
      ctx.log(`topic ${topic} (${settings.partitions} partitions), read_committed group ${groupId} (variant ${variant})`)

      const consumerConfig: ConsumerConfig = {
        kind: 'consumer',
        bootstrap: ctx.bootstrap.split(','),
        topic,
        groupId,
        ledger: processedLedger,
        instance: 1,
        clientId: 'payments-ledger',
        // Handled one by one inside the handler: an exactly-once style sink loses nothing and duplicates nothing.
        flushRecords: 1,
        flushIntervalMs: 1000,
        sessionTimeoutMs: 10_000,
        autoCommitIntervalMs: 1000,
        maxWaitTimeMs: 500,
      }
      const producerConfig: TransactionalProducerConfig = {
        kind: 'transactional-producer',
        bootstrap: ctx.bootstrap.split(','),
        clientId: 'payments-enricher',
        topic,
        partitions: Array.from({ length: settings.partitions }, (_, p) => p),
        transactionalId: `payments-enricher-${ctx.runId}-1`,
        transactionTimeoutMs: 60_000,
        recordsPerTransaction: settings.recordsPerTransaction,
        transactionIntervalMs: settings.transactionIntervalMs,
        ledger: ackedLedgers[0]!,
      }
      // ongoing: a second instance with its own transactional id and a long timeout, on some partitions; the drill
      // kills it mid-transaction once the pipeline runs.
      const instance2Config: TransactionalProducerConfig = {
        ...producerConfig,
        partitions: settings.ongoingPartitions,
        transactionalId: `payments-enricher-${ctx.runId}-2`,
        transactionTimeoutMs: settings.abandonedTimeoutMs,
        recordsPerTransaction: settings.stuckRecords,
        ledger: ackedLedgers[1]!,
        firstSeq: instance2FirstSeq,
      }
      // Up to three Node processes start at once: on a loaded machine each takes a while to load.
      const [consumer, liveProducer, instance2] = await Promise.all([
        ctx.workloads.start('payments-ledger', consumerConfig, startTimeoutMs),
        ctx.workloads.start('payments-enricher-1', producerConfig, startTimeoutMs),
        variant === 'ongoing' ? ctx.workloads.start('payments-enricher-2', instance2Config, startTimeoutMs) : null,
      ])
      await consumer.waitFor('processed', (m) => m.total >= settings.recordsPerTransaction, 60_000, 'the ledger to handle the first transactions')
      ctx.log(
        `payments-enricher (transactional, ${variant === 'ongoing' ? '2 instances' : '1 instance'}) committing; payments-ledger (read_committed) handling every record`,
      )

      const broken = await breakIt(ctx, variant, topic, instance2)
      const state: StuckState = {
        variant,
        topic,
        groupId,
        ackedLedgers,
        processedLedger,
        held: broken.held,
        coordinatorEndsAtMs: broken.coordinatorEndsAtMs,
        liveProducer,
        consumer,
      }
      const heldNames = broken.held.map((h) => h.partition).join(', ')
      const rate = Math.round((settings.recordsPerTransaction * 1000) / (settings.transactionIntervalMs + 50))
      const briefing = [
        `## Page: payments-ledger stopped on some partitions`,
        '',
        `- Since about **${iso(broken.brokenAtMs)}**, \`payments-ledger\` (consumer group \`${groupId}\`, kafkajs, \`isolation.level=read_committed\`) has handled nothing from partition(s) **${heldNames}** of \`${topic}\`; its lag there grows by the second (about ${rate} records/s arrive over ${settings.partitions} partitions). Its other partitions are fine. It logs no error.`,
        `- Upstream, \`payments-enricher\` writes \`${topic}\` exactly-once (kafkajs transactions, one transactional id per instance).`,
        variant === 'ongoing'
          ? `- The platform team says one enricher pod was evicted around then; it has not come back. Its transactions time out after ${formatSeconds(settings.abandonedTimeoutMs)}.`
          : '- Nothing was deployed; every enricher instance is healthy. A read_uncommitted tool sees new records on every partition.',
        '',
        'Get the ledger moving again. Every committed record must reach it exactly once; discard nothing that could still commit.',
      ].join('\n')
      const incident: Incident = {
        brokenAtMs: broken.brokenAtMs,
        briefing,
        known: { topics: topic },
        solution: {
          topics: topic,
          partitions: broken.held.map((h) => `${topic}:${h.partition}`).join(','),
          // The killed instance wrote its last record seconds ago: judge it gone after 1 s idle (the default 60 s
          // would call it alive this early and recommend waiting).
          'producer-idle': '1s',
          'sample-gap': '2s',
        },
        state,
      }
      return incident
    },

    async finish(ctx, incident) {
      const state = incident.state as StuckState
      await state.liveProducer.stop()
      ctx.log('payments-enricher stopped; waiting for payments-ledger to handle every committed record below the last stable offsets')
      const stable = await lastStableOffsets(ctx.kafka, state.topic, settings.partitions)
      const acked = () => state.ackedLedgers.flatMap((l) => readLedger<AckedEntry>(l))
      const caughtUp = await waitFor(
        async () => {
          const handled = new Set(readLedger<ProcessedEntry>(state.processedLedger).map((p) => p.seq))
          return acked().every((a) => BigInt(a.offset) >= (stable.get(a.partition) ?? 0n) || handled.has(a.seq))
        },
        ctx,
        { timeoutMs: settings.catchUpTimeoutMs, signal: ctx.signal },
      )
      await state.consumer.stop()
      ctx.log(caughtUp.held ? 'payments-ledger caught up and stopped cleanly' : 'payments-ledger did not catch up in time; stopped')
    },

    async score(ctx, incident, outcome: TraineeOutcome) {
      const state = incident.state as StuckState
      const events = sessionEvents(outcome.run?.sessionDir)
      const decision = events.find((e) => e.type === 'decision' && e.cell === 'decision')
      const endedAtMs = appliedAtMs(events, 'fence') ?? appliedAtMs(events, 'abort')
      const failure = state.liveProducer.last('failed')
      return scoreStuckTransaction({
        variant: state.variant,
        brokenAtMs: incident.brokenAtMs,
        scoredAtMs: ctx.now(),
        held: state.held,
        acked: state.ackedLedgers.flatMap((l) => readLedger<AckedEntry>(l)),
        processed: readLedger<ProcessedEntry>(state.processedLedger),
        coordinatorEndsAtMs: state.coordinatorEndsAtMs,
        bestWay: state.variant === 'ongoing' ? 'fence' : 'abort',
        decision:
          decision?.type === 'decision'
            ? {
                chosen: String(decision.chosen),
                recommended: decision.recommended === null ? null : String(decision.recommended),
                atMs: Date.parse(decision.at),
              }
            : null,
        endedAtMs,
        liveProducerFailure: failure ? failure.error : null,
      })
    },
  }
}
