// Drill: two kafkajs services write sequence numbers, one with acks=1 (audit-service) and one with acks=all
// (ledger-service), each to its own topic created by the same careless script: 3 replicas led by broker 1,
// min.insync.replicas=1, unclean.leader.election.enable=true. The followers fall behind, writes go on, the
// leader dies (round 1): both services lose records they were told were written. The trainee gets the
// durability audit to find and fix the settings; then the same fault again (round 2) shows what the fix holds.
// Scored from each producer's ledger of acknowledgements against a full read-back of the topics.

import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { KafkaOps } from '../../kafka/types.ts'
import { readTopicSettings, settingOf } from '../../reads/topic-settings.ts'
import { bootstrapServers } from '../../sandbox/index.ts'
import {
  type LeaderLossEnv,
  type LeaderLossOutcome,
  liftReplicationThrottle,
  loseLeaderWhileFollowersLag,
  restoreAfterLeaderLoss,
} from '../lagging-leader-loss.ts'
import type { DrillContext, DrillScenario, Incident } from '../scenario.ts'
import { sessionEvents } from '../scoring.ts'
import type { Workload } from '../workload-processes.ts'
import { type AckedEntry, readLedger } from '../workloads/ledger.ts'
import { readBackSequences } from '../read-back.ts'
import { leaderOnlyRecords, lostByRound, scoreAcksDrill, type TopicSettingsAfter } from './acks-loss-score.ts'
import { waitUntil } from '../../poll/index.ts'
import { startDrillProducer } from '../drill-topic.ts'

export interface AcksLossSettings {
  readonly recordsPerSecond: number
  /** Writes after the followers left the ISR, before the leader dies. */
  readonly divergeMs: number
}

export const defaultAcksLossSettings: AcksLossSettings = { recordsPerSecond: 150, divergeMs: 3000 }

const leader = 1
/** How long a paused producer's last send may take to resolve (an append under load: seconds at most). */
const pauseBoundMs = 15_000
const followers = [2, 3] as const

interface Service {
  readonly name: string
  readonly acks: -1 | 1
  readonly topic: string
  readonly ledger: string
  readonly config: string
  workload?: Workload
}

interface AcksState {
  readonly services: readonly Service[]
  readonly round1: LeaderLossOutcome
  /** The first sequence number of round 2, per service (everything before belongs to round 1). */
  round2FromSeq: Record<string, number>
  round2?: LeaderLossOutcome
  settingsAfter?: TopicSettingsAfter[]
  readBack?: Record<string, number[]>
}

/** A client that talks to the leader's broker only, and the environment of the fault. */
async function faultEnv(ctx: DrillContext, services: readonly Service[]): Promise<{ env: LeaderLossEnv; close: () => Promise<void> }> {
  const address = bootstrapServers(ctx.sandbox).split(',')[leader - 1]!
  const leaderOnly = await ctx.connect(address, { clientId: 'runbook-drill-fault', requestTimeoutMs: 5000 })
  // Paused, not frozen: a frozen producer's request already sent is appended whenever the broker gets to it —
  // under load after the log ends were read (CI once saw acks=1 lose 933 against a measured gap of 889).
  // A send still unresolved after the bound is one the leader keeps refusing (acks=all below min ISR, retried
  // with back-off for up to ~50 s): it appends nothing, so the ends are read anyway.
  const holdWrites = async () => {
    await Promise.all(
      services.map((s) => s.workload!.pause(pauseBoundMs).catch((error: Error) => ctx.log(`${s.name}: ${error.message}; reading the log ends anyway`))),
    )
    return () => {
      for (const s of services) s.workload!.resume()
    }
  }
  return {
    env: { leaderOnly, kafka: ctx.kafka, sandbox: ctx.sandbox, holdWrites, now: ctx.now, sleep: ctx.sleep, log: ctx.log },
    close: () => leaderOnly.close(),
  }
}

/** Waits until every service has had more records acknowledged: writes flow, as the fault needs them to. */
async function writesFlowing(ctx: DrillContext, services: readonly Service[], records: number): Promise<void> {
  for (const s of services) {
    const from = s.workload!.last('acked')?.total ?? 0
    await s.workload!.waitFor('acked', (m) => m.total >= from + records, 60_000, `${s.name} to have writes acknowledged`)
  }
}

async function oneRound(ctx: DrillContext, services: readonly Service[], settings: AcksLossSettings): Promise<LeaderLossOutcome> {
  const topics = services.map((s) => s.topic)
  await writesFlowing(ctx, services, settings.recordsPerSecond)
  const { env, close } = await faultEnv(ctx, services)
  const plan = { topics, leader, followers, divergeMs: settings.divergeMs }
  try {
    const outcome = await loseLeaderWhileFollowersLag(env, plan)
    ctx.log(`after the kill: ${topics.map((t) => `${t} led by ${outcome.newLeaders[t] ?? 'nobody'}`).join(', ')}`)
    await restoreAfterLeaderLoss(env, plan)
    ctx.log(`broker ${leader} restarted and leading again; every replica back in sync`)
    return outcome
  } catch (error) {
    // Interrupted or failed mid-fault: at least no throttle is left on a sandbox that may be reused (paused
    // followers were resumed on the way out); a dead broker stays down — `runbook sandbox start` brings it back.
    await liftReplicationThrottle(ctx.kafka, topics).catch(() => {})
    throw error
  } finally {
    await close()
  }
}

const maxSeq = (path: string) => readLedger<AckedEntry>(path).reduce((max, e) => Math.max(max, e.seq), -1)

async function readSettings(kafka: KafkaOps, topics: readonly string[]): Promise<TopicSettingsAfter[]> {
  const [states, settings] = await Promise.all([
    kafka.partitionStates(topics),
    readTopicSettings(kafka, topics, ['min.insync.replicas', 'unclean.leader.election.enable']),
  ])
  return topics.map((topic) => {
    const read = settings.find((s) => s.topic === topic)
    const minIsr = settingOf(read, 'min.insync.replicas').value
    const unclean = settingOf(read, 'unclean.leader.election.enable').value
    return {
      topic,
      replicationFactor: Math.min(...(states.find((s) => s.topic === topic)?.partitions.map((p) => p.replicas.length) ?? [0])),
      minIsr: minIsr === null ? null : Number(minIsr),
      unclean: unclean === null ? null : unclean === 'true',
    }
  })
}

export function acksLossScenario(settings: AcksLossSettings = defaultAcksLossSettings): DrillScenario {
  return {
    id: 'acks-loss',
    title: 'Acknowledged, then gone: acks=1, min.insync.replicas=1 and unclean election',
    summary: 'acks=1 and acks=all services, followers lag, the leader dies; measure the loss, find and fix it with durability-audit, run the fault again',
    runbook: 'durability-audit',

    async start(ctx) {
      const brokers = (await ctx.kafka.cluster()).brokers.map((b) => b.id)
      if (![1, 2, 3].every((id) => brokers.includes(id))) throw new Error(`drill: this drill needs brokers 1, 2 and 3 (the sandbox has ${brokers.join(', ')})`)
      const services: Service[] = [
        {
          name: 'audit-service',
          acks: 1,
          topic: `drill-audit-events-${ctx.runId}`,
          ledger: join(ctx.dir, 'audit-service.acked.jsonl'),
          config: join(ctx.dir, 'audit-service.kafkajs.json'),
        },
        {
          name: 'ledger-service',
          acks: -1,
          topic: `drill-ledger-${ctx.runId}`,
          ledger: join(ctx.dir, 'ledger-service.acked.jsonl'),
          config: join(ctx.dir, 'ledger-service.kafkajs.json'),
        },
      ]
      const topics = services.map((s) => s.topic)
      // What the careless provisioning script did: the defaults of many clusters, plus availability first.
      const created = await ctx.kafka.createTopics(
        topics.map((topic) => ({
          topic,
          assignments: [[leader, ...followers]],
          configs: { 'min.insync.replicas': '1', 'unclean.leader.election.enable': 'true' },
        })),
      )
      const failed = created.find((c) => c.error)
      if (failed) throw new Error(`drill: cannot create topic ${failed.topic}: ${failed.error!.message}`)
      await waitUntil(
        'the topics to be led by broker 1 with full ISRs',
        async () => (await ctx.kafka.partitionStates(topics)).every((t) => t.partitions.every((p) => p.leader === leader && p.isr.length === 3)),
        ctx,
        { timeoutMs: 30_000, signal: ctx.signal },
      )
      ctx.log(`topics ${topics.join(', ')}: replicas 1,2,3, min.insync.replicas=1, unclean.leader.election.enable=true`)

      for (const service of services) {
        // The service's own client configuration, as its team keeps it: what the audit can judge.
        writeFileSync(service.config, JSON.stringify({ clientId: service.name, retry: { retries: 8 }, send: { acks: service.acks } }, null, 2) + '\n')
        service.workload = await startDrillProducer(ctx, service.name, {
          topic: service.topic,
          partitions: 1,
          recordsPerSecond: settings.recordsPerSecond,
          ledger: service.ledger,
          acks: service.acks,
          clientId: service.name,
          onSendFailure: 'continue',
        })
      }
      ctx.log(`audit-service (acks=1) and ledger-service (acks=all) each write ${settings.recordsPerSecond} records/s`)

      const round1 = await oneRound(ctx, services, settings)
      const brokenAtMs = round1.killedAtMs
      const state: AcksState = { services, round1, round2FromSeq: {} }
      const briefing = [
        '## Page: acknowledged records missing (audit-service, ledger-service)',
        '',
        `- At **${new Date(brokenAtMs).toISOString()}** broker ${leader} crashed; it is back and every replica is in sync again. Both services saw their writes acknowledged the whole time.`,
        `- Reconciliation finds records missing in \`${services[0]!.topic}\` (audit-service, kafkajs, \`acks=1\`) **and** in \`${services[1]!.topic}\` (ledger-service, kafkajs, \`acks=all\` — "it waits for all replicas, it cannot lose data").`,
        `- Their client configurations: \`${services[0]!.config}\` and \`${services[1]!.config}\`.`,
        '',
        'Find out why acks=all lost data too, and make sure it cannot happen again. The same crash will be replayed once you are done.',
      ].join('\n')
      const incident: Incident = {
        brokenAtMs,
        briefing,
        known: { topics: topics.join(',') },
        solution: {
          topics: topics.join(','),
          'producer-config': services.map((s) => `${s.config}@${s.topic}`).join(','),
          'raise-min-isr': 'apply',
          'unclean-off': 'apply',
        },
        state,
      }
      return incident
    },

    async finish(ctx, incident) {
      const state = incident.state as AcksState
      const topics = state.services.map((s) => s.topic)
      state.settingsAfter = await readSettings(ctx.kafka, topics)
      for (const s of state.services) state.round2FromSeq[s.name] = maxSeq(s.ledger) + 1
      ctx.log('round 2: the same fault, on the topics as the trainee left them')
      state.round2 = await oneRound(ctx, state.services, settings)
      // Let the services write a little more on the recovered cluster, then stop them and read everything back.
      await ctx.sleep(1000)
      for (const s of state.services) await s.workload!.stop()
      state.readBack = {}
      for (const s of state.services)
        state.readBack[s.name] = (await readBackSequences(ctx.kafka, s.topic, 1, join(ctx.dir, `read-back-${s.name}.jsonl`))).map((e) => e.seq)
      ctx.log('services stopped; both topics read back from the start')
    },

    async score(_ctx, incident, outcome) {
      const state = incident.state as AcksState
      const losses = state.services.map((s) =>
        lostByRound(
          s.name,
          s.topic,
          s.acks === -1 ? 'all' : '1',
          readLedger<AckedEntry>(s.ledger),
          new Set(state.readBack?.[s.name] ?? []),
          state.round2FromSeq[s.name] ?? Number.MAX_SAFE_INTEGER,
        ),
      )
      return scoreAcksDrill({
        losses,
        settings: state.settingsAfter ?? [],
        brokenAtMs: incident.brokenAtMs,
        events: sessionEvents(outcome.run?.sessionDir),
        outcome,
        electedAfter: { round1: state.round1.newLeaders, round2: state.round2?.newLeaders ?? {} },
        leaderOnlyRound1: Object.fromEntries(
          state.services.map((s) => [s.topic, leaderOnlyRecords(state.round1.endsBeforeKill[s.topic]?.[leader], state.round1.successorEnds[s.topic])]),
        ),
      })
    },
  }
}
