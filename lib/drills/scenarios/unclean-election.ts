// Drill: the payments topic (RF 3, min ISR 2, replicas 1,3,2) takes acks=1 writes; follower 3 falls out of the
// ISR (the throttle trick); broker 2 and, 1.5 s later, leader 1 crash. A colleague restarts broker 2 — it comes
// back alive but is not elected — and broker 1's host is down for hours. The trainee gets unclean-election:
// elect broker 2 (it lacks only what broker 1 took in its last 1.5 s), not broker 3, which Kafka's own unclean
// election would pick. Broker 1's data directory survived: with it the runbook counts the loss exactly and can
// salvage what only broker 1 held before the election. Scored from the producer's ledger against what is readable
// once the cluster is whole, in the topic or in its salvage topic.

import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { formatSeconds, iso } from '../../format/time.ts'
import { formatDuration } from '../../engine/params.ts'
import { controllerNodeId, control, nodeDataDir, nodeLogFiles } from '../../sandbox/index.ts'
import { breakIntoLeaderless, liftThrottle, readLogEndFromFiles, type LeaderlessFaultTimes } from '../leaderless-fault.ts'
import type { DrillContext, DrillScenario, DrillScore, Incident, TraineeOutcome } from '../scenario.ts'
import { compareLedgers, describeRanges, sessionEvents } from '../scoring.ts'
import type { Workload } from '../workload-processes.ts'
import { startDrillProducer } from '../drill-topic.ts'
import { type AckedEntry, type ProcessedEntry, readLedger } from '../workloads/ledger.ts'
import {
  candidateEstimatesFromTranscript,
  describeElectionOutcome,
  estimatesFromTranscript,
  recoveryFromTranscript,
  uncleanElectionsInLog,
  type PartitionTruth,
} from './unclean-election-score.ts'
import { waitUntil } from '../../poll/index.ts'
import { sandboxCommand } from '../sandbox-command.ts'
import { readBackSequences } from '../read-back.ts'

export interface UncleanElectionSettings {
  readonly recordsPerSecond: number
  /** How long follower 3 is held back while writes go on. */
  readonly divergeMs: number
  /** Broker 2 dies this long before broker 1: what only broker 1 then holds is the unavoidable loss. */
  readonly killGapMs: number
  /** How long the page says broker 1's host stays down: the outage the decision is priced against. */
  readonly pageOutageMs: number
  /**
   * Whether the page's restart script brings broker 1 back: 'fails' (its host is down, the script cannot reach it)
   * or 'works' (the host rebooted; Kafka only needs starting). The `restart-works` variant sets 'works' and a short outage.
   */
  readonly restart?: 'fails' | 'works'
  /** How long the followed runbook watches the ISR recover after electing (follower 3 stays throttled: it never does). */
  readonly aftermathWaitMs?: number
}

export const defaultUncleanElectionSettings: UncleanElectionSettings = { recordsPerSecond: 150, divergeMs: 8000, killGapMs: 1500, pageOutageMs: 4 * 3_600_000 }

/** What the `restart-works` page says a restart takes: the sandbox's broker is back in about 20 s. */
export const restartWorksOutageMs = 30_000

/** The page's restart script: it reaches no host (exit 255, like ssh), or it starts sandbox broker 1. */
function restartScript(ctx: DrillContext, works: boolean): string {
  const path = join(ctx.dir, 'restart-broker-1.sh')
  const body = works
    ? `#!/usr/bin/env bash\n# Starts Kafka on broker 1's host (the drill's sandbox broker 1).\nexec ${sandboxCommand(['start', String(leader), '--name', ctx.sandbox.name])}\n`
    : `#!/usr/bin/env bash\n# Starts Kafka on broker 1's host — which is down.\necho "ssh: connect to host kafka-1 port 22: No route to host" >&2\nexit 255\n`
  writeFileSync(path, body, { mode: 0o755 })
  return path
}

const partitions = [0, 1] as const
const leader = 1
const inSync = 2
const lagging = 3

interface UncleanState {
  readonly topic: string
  readonly groupId: string
  readonly ackedLedger: string
  readonly processedLedger: string
  /** What a reader found in the salvage topic (`<topic>.salvaged`), when the trainee re-produced salvaged records there. */
  readonly salvagedLedger: string
  readonly producer: Workload
  readonly consumer: Workload
  readonly times: LeaderlessFaultTimes
  /** What each replica held when the trainee took over: broker 1 from its files, 2 and 3 from their brokers. */
  readonly ends: Readonly<Record<number, Readonly<Record<number, string>>>>
  recoveredAtMs?: number | null
  restoredAtMs?: number
  /** The outage the page states (the variant's, else the setting). */
  readonly pageOutageMs: number
}

async function leaders(ctx: DrillContext, topic: string): Promise<(number | null)[]> {
  const [state] = await ctx.kafka.partitionStates([topic])
  return partitions.map((p) => state?.partitions.find((s) => s.partition === p)?.leader ?? null)
}

/**
 * Reads `topic` from its log start to its current end into `ledger`, in-process: what a fresh consumer would
 * see, without starting one (a new group on a cluster just made whole waits for its coordinator).
 */
async function readEverything(ctx: DrillContext, topic: string, ledger: string): Promise<void> {
  const [state] = await ctx.kafka.partitionStates([topic])
  await readBackSequences(ctx.kafka, topic, state?.partitions.length ?? 0, ledger)
}

/** The producer's own rate over the 30 s before the partitions lost their leader, from what it had acknowledged. */
function rateBefore(acked: readonly AckedEntry[], atMs: number, windowMs = 30_000): number {
  const inWindow = acked.filter((a) => a.atMs > atMs - windowMs && a.atMs <= atMs)
  const first = Math.min(...inWindow.map((a) => a.atMs))
  return inWindow.length < 2 ? 0 : ((inWindow.length - 1) * 1000) / Math.max(1, atMs - first)
}

export function uncleanElectionScenario(settings: UncleanElectionSettings = defaultUncleanElectionSettings): DrillScenario {
  return {
    id: 'unclean-election',
    title: 'Offline partitions after a rack failure: wait, or elect an out-of-sync replica',
    summary: 'acks=1 writes, a follower out of sync, leader and in-sync follower crash; restore with unclean-election',
    runbook: 'unclean-election',
    variants: [
      { id: 'host-down', summary: "broker 1's host has a failed disk controller (4 h, says the vendor): its restart script cannot reach it" },
      {
        id: 'restart-works',
        summary: "broker 1's host rebooted and is up: its restart script brings Kafka back in about 30 s, so trying it (waiting) is right",
      },
    ],

    async start(ctx) {
      const restartWorks = ctx.variant === 'restart-works' || settings.restart === 'works'
      const pageOutageMs = ctx.variant === 'restart-works' ? restartWorksOutageMs : settings.pageOutageMs
      const brokers = (await ctx.kafka.cluster()).brokers.map((b) => b.id)
      if (![1, 2, 3].every((id) => brokers.includes(id))) throw new Error(`drill: this drill needs brokers 1, 2 and 3 (the sandbox has ${brokers.join(', ')})`)
      const topic = `drill-payments-${ctx.runId}`
      const groupId = `ledger-${ctx.runId}`
      const [created] = await ctx.kafka.createTopics([
        { topic, assignments: partitions.map(() => [leader, lagging, inSync]), configs: { 'min.insync.replicas': '2' } },
      ])
      if (created?.error) throw new Error(`drill: cannot create topic ${topic}: ${created.error.message}`)
      await waitUntil(
        `topic ${topic} led by broker 1 with a full ISR`,
        async () => (await ctx.kafka.partitionStates([topic]))[0]!.partitions.every((p) => p.leader === leader && p.isr.length === 3),
        ctx,
        { timeoutMs: 30_000, signal: ctx.signal },
      )
      const paths = {
        ackedLedger: join(ctx.dir, 'acked.jsonl'),
        processedLedger: join(ctx.dir, 'processed.jsonl'),
        salvagedLedger: join(ctx.dir, 'salvaged.jsonl'),
      }
      ctx.log(`topic ${topic}: 2 partitions, replicas 1,3,2, min.insync.replicas=2`)

      const consumer = await ctx.workloads.start('ledger-service', {
        kind: 'consumer',
        bootstrap: ctx.bootstrap.split(','),
        topic,
        groupId,
        ledger: join(ctx.dir, 'ledger-service.jsonl'),
        instance: 1,
        clientId: 'ledger-service',
        flushRecords: 20,
        flushIntervalMs: 200,
        sessionTimeoutMs: 6000,
        autoCommitIntervalMs: 500,
      })
      const producer = await startDrillProducer(ctx, 'payments-api', {
        topic,
        partitions: partitions.length,
        recordsPerSecond: settings.recordsPerSecond,
        ledger: paths.ackedLedger,
        acks: 1,
        clientId: 'payments-api',
        retries: 1,
        onSendFailure: 'continue',
      })
      ctx.log(`payments-api writing ${settings.recordsPerSecond} records/s with acks=1; ledger-service (group ${groupId}) consuming`)
      await producer.waitFor('acked', (m) => m.total >= 300, 60_000, 'the first acknowledged payments')
      await consumer.waitFor('processed', (m) => m.total >= 100, 60_000, 'the ledger service to handle payments')

      const times = await breakIntoLeaderless(
        { kafka: ctx.kafka, sandbox: ctx.sandbox, now: ctx.now, sleep: ctx.sleep, log: ctx.log },
        { topic, partitions, leader, inSync, lagging, divergeMs: settings.divergeMs, killGapMs: settings.killGapMs },
      )
      ctx.log(`partitions 0 and 1 have no leader (${((times.leaderlessAtMs - times.killedAtMs) / 1000).toFixed(1)} s after the kills)`)

      // The truth, while nothing can change it: broker 1's files, and the live replicas' log ends.
      const ends: Record<number, Record<number, string>> = {}
      for (const partition of partitions) {
        const dead = await readLogEndFromFiles(ctx.sandbox, leader, { topic, partition })
        ends[partition] = { [leader]: String(dead ?? 0n) }
      }
      await control(ctx.sandbox, inSync, 'start', { timeoutMs: 90_000 })
      await waitUntil(
        'broker 2 to be registered and unfenced',
        async () => (await ctx.kafka.cluster()).brokers.some((b) => b.id === inSync && b.fenced !== true),
        ctx,
        { timeoutMs: 60_000, signal: ctx.signal },
      )
      await ctx.sleep(2000)
      if ((await leaders(ctx, topic)).some((l) => l !== null))
        throw new Error('drill: broker 2 was elected on return; the incident did not form (rerun the drill)')
      const live = await ctx.kafka.replicaOffsets(
        partitions.flatMap((partition) => [inSync, lagging].map((broker) => ({ topic, partition, broker, spec: 'latest' as const }))),
      )
      for (const r of live) ends[r.partition]![r.broker] = String(r.offset ?? -1n)
      ctx.log(
        `broker 2 restarted by a colleague: alive, not elected; log ends ${partitions.map((p) => `p${p}: 1=${ends[p]![1]} 2=${ends[p]![2]} 3=${ends[p]![3]}`).join(', ')}`,
      )

      const state: UncleanState = { topic, groupId, ...paths, producer, consumer, times, ends, pageOutageMs }
      const deadDir = nodeDataDir(ctx.sandbox, leader)
      const script = restartScript(ctx, restartWorks)
      const briefing = [
        `## Page: OfflinePartitionsCount = 2 (payments)`,
        '',
        `- At **${iso(times.killedAtMs)}** a power failure took down brokers **1** and **2** (racks r1 and r2). Partitions \`${topic}\` 0 and 1 have had **no leader** since.`,
        `- A colleague restarted broker **2** at ${iso(ctx.now())}: it is running. ${
          restartWorks
            ? `Broker **1**'s host rebooted after the power came back and is up, but Kafka did not start by itself: restarting it takes about **${formatSeconds(pageOutageMs)}**.`
            : `Broker **1**'s host has a failed disk controller; the vendor says **${formatSeconds(pageOutageMs)}**.`
        }`,
        `- Broker 1's restart script: \`${script}\`.`,
        `- Broker **1**'s data disk survived: its log directory (the \`log.dirs\` entry, with \`meta.properties\`) is readable at \`${deadDir}\`. Nothing may write into it.`,
        '- `payments-api` writes with `acks=1` and keeps failing; `ledger-service` (consumer group `' + groupId + '`) is stuck.',
        '',
        'Get payments flowing again. Every payment lost is money; every minute offline is money too.',
      ].join('\n')
      const incident: Incident = {
        brokenAtMs: times.killedAtMs,
        briefing,
        // The page names the offline partitions; which broker to elect, if any, is the trainee's call.
        known: { partitions: partitions.map((p) => `${topic}:${p}`).join(','), 'expected-outage': formatDuration(pageOutageMs), 'restart-command': script },
        // Following the runbook: try the page's restart first; when it fails, elect broker 2 with what only broker 1 held salvaged.
        solution: {
          'expected-outage': formatDuration(pageOutageMs),
          policy: 'min-records',
          decision: 'restart',
          'restart-command': script,
          'decision-after-restart': 'elect',
          partitions: partitions.map((p) => `${topic}:${p}`).join(','),
          candidate: String(inSync),
          'dead-log-dirs': `${leader}=${deadDir}`,
          salvage: 'copy',
          'aftermath-wait': formatDuration(settings.aftermathWaitMs ?? 20_000),
        },
        state,
      }
      return incident
    },

    async finish(ctx, incident) {
      const state = incident.state as UncleanState
      const now = await leaders(ctx, state.topic)
      state.recoveredAtMs = now.every((l) => l !== null) ? ctx.now() : null
      ctx.log(state.recoveredAtMs ? `after the runbook: leaders ${now.join(', ')}` : 'after the runbook: still without a leader')
      // Hours later in the story, broker 1's host is repaired: it returns and truncates to whatever was elected.
      await liftThrottle(ctx, state.topic)
      await control(ctx.sandbox, leader, 'start', { timeoutMs: 90_000 })
      await waitUntil(
        'every replica back in the ISR',
        async () => (await ctx.kafka.partitionStates([state.topic]))[0]!.partitions.every((p) => p.leader !== null && p.isr.length === 3),
        ctx,
        { timeoutMs: 180_000, signal: ctx.signal },
      )
      state.restoredAtMs = ctx.now()
      ctx.log('broker 1 is back (the repaired host): every partition has a leader and a full ISR')
      await state.producer.stop()
      await state.consumer.stop()
      // Everything now readable, by a reader that starts from the beginning: the topic, and its salvage topic if any.
      await readEverything(ctx, state.topic, state.processedLedger)
      const salvageTopic = `${state.topic}.salvaged`
      if ((await ctx.kafka.partitionStates([salvageTopic]))[0]?.error === undefined) {
        await readEverything(ctx, salvageTopic, state.salvagedLedger)
        ctx.log(`read ${salvageTopic} back from offset 0`)
      }
      ctx.log('read every partition back from offset 0')
    },

    async score(ctx, incident, outcome: TraineeOutcome): Promise<DrillScore> {
      const state = incident.state as UncleanState
      const acked = readLedger<AckedEntry>(state.ackedLedger)
      const inTopic = readLedger<ProcessedEntry>(state.processedLedger)
      const inSalvage = readLedger<ProcessedEntry>(state.salvagedLedger)
      const compared = compareLedgers(acked, [...inTopic, ...inSalvage])
      const seenInTopic = new Set(inTopic.map((p) => p.seq))
      const salvaged = new Set(inSalvage.filter((p) => !seenInTopic.has(p.seq)).map((p) => p.seq))
      const lostSeqs = new Set(compared.lost)
      const events = sessionEvents(outcome.run?.sessionDir)
      const estimates = estimatesFromTranscript(events)
      const recovery = recoveryFromTranscript(events)
      const truths: PartitionTruth[] = partitions.map((partition) => {
        const ends = state.ends[partition]!
        const mine = acked.filter((a) => a.partition === partition)
        // Only records acknowledged before the partition lost its leader: after an election the producer's new
        // records reuse the offsets above the new leader's end.
        const beforeOutage = mine.filter((a) => a.atMs <= state.times.leaderlessAtMs)
        const beyond = (broker: number) => beforeOutage.filter((a) => BigInt(a.offset) >= BigInt(ends[broker]!)).length
        return {
          partition,
          deadLeaderEnd: BigInt(ends[leader]!),
          ends: { 2: BigInt(ends[inSync]!), 3: BigInt(ends[lagging]!) },
          ackedLost: mine.filter((a) => lostSeqs.has(a.seq)).length,
          unavoidable: beyond(inSync),
          kafkaPickLoss: beyond(lagging),
        }
      })
      const controllerLog = readFileSync(nodeLogFiles(ctx.sandbox, controllerNodeId).serverLog, 'utf8')
      const elections = uncleanElectionsInLog(controllerLog, outcome.startedAtMs, outcome.endedAtMs)
      return describeElectionOutcome({
        topic: state.topic,
        truths,
        estimates,
        candidates: candidateEstimatesFromTranscript(events),
        recovery,
        elections,
        outcome,
        times: state.times,
        restoredAtMs: state.restoredAtMs ?? null,
        events,
        lostTotal: compared.lost.length,
        salvaged: acked.filter((a) => salvaged.has(a.seq)).length,
        lostRanges: describeRanges(compared.lost),
        acked: compared.acked,
        recordsPerSecond: rateBefore(acked, state.times.leaderlessAtMs),
        pageOutageMs: state.pageOutageMs,
      })
    },
  }
}
