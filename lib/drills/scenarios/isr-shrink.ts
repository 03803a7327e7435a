// Drill: payments (3 partitions, RF 3, min.insync.replicas=2, led by broker 1) takes acks=all writes from a
// kafkajs service; the hosts of brokers 2 and 3 hang (SIGSTOP): the ISR shrinks to [1], both are fenced, and
// every write is refused. The hosts come back by themselves after a while. The trainee gets isr-shrink: restore
// writes now by lowering min ISR (a single copy meanwhile), and put it back once the replicas are back.
// Scored from the producer's ledger, the session transcript, a full read-back and the topic's final config.

import { join } from 'node:path'
import { iso } from '../../format/time.ts'
import { readTopicSettings, settingOf } from '../../reads/topic-settings.ts'
import { control } from '../../sandbox/index.ts'
import type { DrillContext, DrillScenario, DrillScore, Incident, TraineeOutcome } from '../scenario.ts'
import { compareLedgers, describeRanges, sessionEvents } from '../scoring.ts'
import type { Workload } from '../workload-processes.ts'
import { type AckedEntry, readLedger } from '../workloads/ledger.ts'
import { readBackSequences } from '../read-back.ts'
import { scoreIsrShrink } from './isr-shrink-score.ts'
import { type Clock, confirmedRead, waitUntil, wallClock } from '../../poll/index.ts'
import { startDrillProducer } from '../drill-topic.ts'

export interface IsrShrinkSettings {
  readonly partitions: number
  readonly recordsPerSecond: number
  /** The stopped hosts come back by themselves this long after the fault. */
  readonly hostsBackAfterMs: number
}

export const defaultIsrShrinkSettings: IsrShrinkSettings = { partitions: 3, recordsPerSecond: 60, hostsBackAfterMs: 45_000 }

const leader = 1
const stopped = [2, 3] as const
const minIsr = '2'

interface IsrState {
  readonly topic: string
  readonly ackedLedger: string
  readonly readLedger: string
  readonly producer: Workload
  /** Resolves once the hosts are back and (bounded) the ISR has min ISR members again. */
  readonly recovery: Promise<void>
  hostsBackAtMs: number | null
  isrBackAtMs: number | null
  isrShortSeenAtMs: number | null
  producerStoppedAtMs?: number
  finalMinIsr?: { value: string | null; source: string | null }
  lost?: number
  lostRanges?: string
}

async function isrSizes(ctx: DrillContext, topic: string): Promise<number[]> {
  const [state] = await ctx.kafka.partitionStates([topic])
  return (state?.partitions ?? []).map((p) => (p.leader === null ? 0 : p.isr.length))
}

/** The hosts come back at `atMs` (or at once when the drill is interrupted): resume, then note when the ISR is back. */
function scheduleRecovery(
  ctx: DrillContext,
  state: Pick<IsrState, 'topic' | 'hostsBackAtMs' | 'isrBackAtMs' | 'isrShortSeenAtMs'>,
  atMs: number,
): Promise<void> {
  let resumed = false
  const resume = async () => {
    if (resumed) return
    resumed = true
    for (const id of stopped) await control(ctx.sandbox, id, 'resume').catch(() => {})
  }
  // Ctrl-C must never leave the sandbox with hung brokers.
  const onAbort = () => void resume()
  ctx.signal.addEventListener('abort', onAbort, { once: true })
  return (async () => {
    const wait = Math.max(0, atMs - ctx.now())
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, wait)
      ctx.signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true })
    })
    await resume()
    ctx.signal.removeEventListener('abort', onAbort)
    if (ctx.signal.aborted) return
    state.hostsBackAtMs = ctx.now()
    state.isrShortSeenAtMs = state.hostsBackAtMs
    ctx.log(`the hosts of brokers ${stopped.join(' and ')} are back (SIGCONT)`)
    // A plain poll (not ctx.sleep): the drill's own waits stop at Ctrl-C, this one is bounded anyway.
    const back = await watchIsrBack(() => isrSizes(ctx, state.topic), state, { now: () => ctx.now(), sleep: wallClock.sleep }, ctx.signal)
    if (back) ctx.log(`every partition has ${minIsr} or more replicas in sync again`)
  })()
}

/**
 * After the hosts resume: polls the ISR sizes until every partition has min ISR members again (for at most two
 * minutes), noting when a read last found one short and when the ISR was back. "Back" counts only when a read a
 * second later finds it too: a broker resumed from SIGSTOP answers from the metadata it had before the pause for
 * about half a second (4.3.1), listing the ISR from before the shrink — which would date the recovery too early
 * and let a revert made while the ISR was still short pass as safe.
 */
export async function watchIsrBack(
  readSizes: () => Promise<number[]>,
  state: Pick<IsrState, 'isrBackAtMs' | 'isrShortSeenAtMs'>,
  clock: Clock,
  signal: AbortSignal,
): Promise<boolean> {
  const read = async () => ({ askedAtMs: clock.now(), sizes: await readSizes().catch(() => null) })
  const isBack = (sizes: number[] | null) => sizes !== null && sizes.length > 0 && sizes.every((n) => n >= Number(minIsr))
  const confirmed = confirmedRead(read, (r) => isBack(r.sizes), clock)
  const deadline = clock.now() + 120_000
  while (clock.now() < deadline && !signal.aborted) {
    const { askedAtMs, sizes } = await confirmed()
    if (isBack(sizes)) {
      state.isrBackAtMs = clock.now()
      return true
    }
    // The ISR was still short when this read was asked: the earliest moment it can have come back.
    if (sizes !== null && sizes.length > 0) state.isrShortSeenAtMs = askedAtMs
    await clock.sleep(250)
  }
  return false
}

async function readMinIsr(ctx: DrillContext, topic: string): Promise<{ value: string | null; source: string | null }> {
  const [settings] = await readTopicSettings(ctx.kafka, [topic], ['min.insync.replicas'])
  return settings?.exists ? settingOf(settings, 'min.insync.replicas') : { value: null, source: null }
}

export function isrShrinkScenario(settings: IsrShrinkSettings = defaultIsrShrinkSettings): DrillScenario {
  return {
    id: 'isr-shrink',
    title: 'Two brokers hang: the ISR shrinks below min.insync.replicas and acks=all writes stop',
    summary: 'acks=all writes, brokers 2 and 3 hang (SIGSTOP), writes refused; restore them with isr-shrink, then revert',
    runbook: 'isr-shrink',

    async start(ctx) {
      const brokers = (await ctx.kafka.cluster()).brokers.map((b) => b.id)
      if (![leader, ...stopped].every((id) => brokers.includes(id)))
        throw new Error(`drill: this drill needs brokers 1, 2 and 3 (the sandbox has ${brokers.join(', ')})`)
      const topic = `drill-payments-${ctx.runId}`
      const assignments = Array.from({ length: settings.partitions }, (_, p) => (p % 2 === 0 ? [leader, 2, 3] : [leader, 3, 2]))
      const [created] = await ctx.kafka.createTopics([{ topic, assignments, configs: { 'min.insync.replicas': minIsr } }])
      if (created?.error) throw new Error(`drill: cannot create topic ${topic}: ${created.error.message}`)
      await waitUntil(
        `topic ${topic} led by broker 1 with a full ISR`,
        async () => (await ctx.kafka.partitionStates([topic]))[0]!.partitions.every((p) => p.leader === leader && p.isr.length === 3),
        ctx,
        { timeoutMs: 30_000, signal: ctx.signal },
      )
      ctx.log(`topic ${topic}: ${settings.partitions} partitions on brokers 1,2,3 (led by 1), min.insync.replicas=${minIsr}`)
      const ackedLedger = join(ctx.dir, 'acked.jsonl')
      const producer = await startDrillProducer(ctx, 'payments-api', {
        topic,
        partitions: settings.partitions,
        recordsPerSecond: settings.recordsPerSecond,
        ledger: ackedLedger,
        clientId: 'payments-api',
        // A failed payment is reported to its caller after a couple of retries; the service takes the next one.
        retries: 2,
        onSendFailure: 'continue',
      })
      ctx.log(`payments-api writing ${settings.recordsPerSecond} records/s with acks=all`)
      await producer.waitFor('acked', (m) => m.total >= 200, 60_000, 'the first acknowledged payments')

      for (const id of stopped) await control(ctx.sandbox, id, 'pause')
      const brokenAtMs = ctx.now()
      const state: IsrState = {
        topic,
        ackedLedger,
        readLedger: join(ctx.dir, 'read-back.jsonl'),
        producer,
        recovery: Promise.resolve(),
        hostsBackAtMs: null,
        isrBackAtMs: null,
        isrShortSeenAtMs: null,
      }
      Object.assign(state, { recovery: scheduleRecovery(ctx, state, brokenAtMs + settings.hostsBackAfterMs) })
      ctx.log(`brokers ${stopped.join(' and ')} hang (SIGSTOP): waiting for the ISR to shrink to [1]`)
      await waitUntil(
        `the ISR of ${topic} to shrink to [1]`,
        async () => (await ctx.kafka.partitionStates([topic]))[0]!.partitions.every((p) => p.isr.length === 1 && p.isr[0] === leader),
        ctx,
        { timeoutMs: 30_000, signal: ctx.signal },
      )
      ctx.log(`ISR [1] on every partition after ${((ctx.now() - brokenAtMs) / 1000).toFixed(1)} s: acks=all writes are refused`)

      const briefing = [
        `## Page: UnderMinIsrPartitionCount = ${settings.partitions} (payments)`,
        '',
        `- Since **${iso(brokenAtMs)}** \`payments-api\` fails every payment: acks=all writes to \`${topic}\` get NOT_ENOUGH_REPLICAS.`,
        `- The hosts of brokers **2** and **3** stopped answering at the same moment (a hypervisor freeze). The infrastructure team is on it and cannot say when they return.`,
        `- The topic has replication factor 3 and \`min.insync.replicas=${minIsr}\`.`,
        '',
        'Every failed write is a failed payment. For a short while the payments team accepts acknowledgements from a single copy — but the topic must be back to its full guarantee as soon as the replicas are.',
      ].join('\n')
      const incident: Incident = {
        brokenAtMs,
        briefing,
        known: {},
        solution: {
          action: 'lower-min-isr',
          topics: topic,
          value: '1',
          'sample-interval': '2s',
          'wait-for-isr': `${Math.ceil((settings.hostsBackAfterMs + 90_000) / 1000)}s`,
          revert: 'now',
        },
        state,
      }
      return incident
    },

    async finish(ctx, incident) {
      const state = incident.state as IsrState
      if (state.hostsBackAtMs === null) ctx.log('waiting for the hosts to come back')
      await state.recovery
      await waitUntil(`every replica of ${state.topic} back in the ISR`, async () => (await isrSizes(ctx, state.topic)).every((n) => n === 3), ctx, {
        timeoutMs: 120_000,
        signal: ctx.signal,
      })
      ctx.log('every replica is back in the ISR')
      await ctx.sleep(2000)
      state.producerStoppedAtMs = ctx.now()
      await state.producer.stop()
      state.finalMinIsr = await readMinIsr(ctx, state.topic)
      ctx.log(`payments-api stopped; min.insync.replicas of ${state.topic} is ${state.finalMinIsr.value} (${state.finalMinIsr.source})`)
      // Everything readable now, from the log start of every partition.
      const readBack = await readBackSequences(ctx.kafka, state.topic, settings.partitions, state.readLedger)
      const compared = compareLedgers(readLedger<AckedEntry>(state.ackedLedger), readBack)
      state.lost = compared.lost.length
      state.lostRanges = describeRanges(compared.lost)
      ctx.log(`read every partition back from offset 0: ${compared.handled} of ${compared.acked} acknowledged records found`)
    },

    async score(ctx, incident, outcome: TraineeOutcome): Promise<DrillScore> {
      const state = incident.state as IsrState
      return scoreIsrShrink({
        topic: state.topic,
        original: { value: minIsr, source: 'dynamic-topic' },
        brokenAtMs: incident.brokenAtMs,
        hostsBackAtMs: state.hostsBackAtMs,
        isrBackAtMs: state.isrBackAtMs,
        isrShortSeenAtMs: state.isrShortSeenAtMs,
        endedAtMs: state.producerStoppedAtMs ?? ctx.now(),
        acked: readLedger<AckedEntry>(state.ackedLedger),
        refused: state.producer.last('unacked')?.total ?? 0,
        lost: state.lost ?? 0,
        lostRanges: state.lostRanges ?? '',
        finalMinIsr: state.finalMinIsr ?? { value: null, source: null },
        events: sessionEvents(outcome.run?.sessionDir),
        outcome,
      })
    },
  }
}
