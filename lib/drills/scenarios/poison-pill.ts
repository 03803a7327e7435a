// Drill: an order service (kafkajs, one record at a time, each committed after it is handled) meets one record
// that is not JSON on one partition. It crashes; its orchestrator restarts it; it crashes on the same record again
// and again, while the group's lag grows. The trainee gets poison-pill. Scored from the ledgers, the committed
// offsets sampled every second, the dead-letter topic and the transcript (lib/drills/scenarios/poison-pill-score.ts).

import { join } from 'node:path'
import { createDrillTopic, startDrillProducer } from '../drill-topic.ts'
import { iso } from '../../format/time.ts'
import type { RecordHeader } from '../../kafka/records.ts'
import { waitFor, waitUntil } from '../../poll/index.ts'
import { readGroupSamples } from '../../reads/group-progress.ts'
import { startRestartLoop, type RestartLoop } from '../restart-loop.ts'
import type { DrillContext, DrillScenario, Incident } from '../scenario.ts'
import { changesTriedOnActiveGroup, sessionEvents } from '../scoring.ts'
import type { Workload } from '../workload-processes.ts'
import { type AckedEntry, type ProcessedEntry, readLedger } from '../workloads/ledger.ts'
import { describeLoopEffect, partitionsDuringLoop, scorePoisonPill, type LagSample } from './poison-pill-score.ts'

/** The workload's shape; tests may shorten it. */
export interface PoisonPillSettings {
  readonly partitions: number
  readonly poisonPartition: number
  readonly recordsPerSecond: number
  /** Instances of the service the orchestrator keeps running. */
  readonly replicas: number
  readonly restartMs: number
  readonly sessionTimeoutMs: number
  /** Orders the service handles before the poison record is slipped in. */
  readonly warmupRecords: number
  /** How long the crash loop runs (at least two crashes) before the page goes out. */
  readonly crashLoopMs: number
  readonly sampleEveryMs: number
}

export const defaultPoisonPillSettings: PoisonPillSettings = {
  partitions: 3,
  poisonPartition: 1,
  recordsPerSecond: 30,
  replicas: 1,
  restartMs: 500,
  sessionTimeoutMs: 6000,
  warmupRecords: 30,
  crashLoopMs: 6000,
  sampleEveryMs: 1000,
}

/** A JSON order cut short, with a byte that is not UTF-8 and a control character: what a broken producer writes. */
export const poisonValue = Buffer.from([...Buffer.from('{"seq":'), 0xff, 0x00, 0x1b, ...Buffer.from('"amount":')])
const poisonKey = Buffer.from('order-poison')
const poisonHeaders: RecordHeader[] = [{ key: 'content-type', value: Buffer.from('application/json') }]

interface PoisonState {
  readonly topic: string
  readonly groupId: string
  readonly ackedLedger: string
  readonly processedLedger: string
  readonly poisonOffset: bigint
  readonly pagedAtMs: number
  readonly producer: Workload
  readonly service: RestartLoop
  readonly monitor: LagMonitor
}

/** The group's committed offsets and log ends, every `everyMs` until stopped. */
interface LagMonitor {
  readonly samples: LagSample[]
  stop(): Promise<void>
}

function startLagMonitor(ctx: DrillContext, groupId: string, topic: string, everyMs: number): LagMonitor {
  const samples: LagSample[] = []
  let stopping = false
  const sample = async () => {
    const [s] = await readGroupSamples(ctx.kafka, [groupId], ctx.now)
    if (!s) return
    const mine = <T extends { topic: string; partition: number }>(rows: readonly T[]) => rows.filter((r) => r.topic === topic)
    samples.push({
      atMs: s.atMs,
      members: s.members.length,
      committed: new Map(mine(s.committed).map((c) => [c.partition, c.offset])),
      logEnd: new Map(mine(s.logs).map((l) => [l.partition, l.logEnd])),
    })
  }
  const loop = (async () => {
    // Ends with stop(), or with the drill (its workloads stopped after a failure or Ctrl-C).
    while (!stopping && !ctx.workloads.closed && !ctx.signal.aborted) {
      await sample().catch(() => {})
      await new Promise((resolve) => setTimeout(resolve, everyMs))
    }
    if (stopping) await sample().catch(() => {})
  })()
  return {
    samples,
    async stop() {
      stopping = true
      await loop
    },
  }
}

/** Where a byte-equal copy of the poison record sits on the cluster (any topic named after the source), or null. */
async function findPoisonCopy(ctx: DrillContext, topic: string): Promise<string | null> {
  const states = await ctx.kafka.partitionStates()
  for (const t of states) {
    if (t.topic === topic || !t.topic.startsWith(topic) || t.error) continue
    const fetched = await ctx.kafka.fetchRecords(t.partitions.map((p) => ({ topic: t.topic, partition: p.partition, offset: 0n, maxRecords: 200 })))
    for (const f of fetched) {
      for (const r of f.batches.flatMap((b) => b.records)) {
        const headersKept = poisonHeaders.every((h, i) => r.headers[i]?.key === h.key && r.headers[i]?.value?.equals(h.value!) === true)
        if (r.value?.equals(poisonValue) && r.key?.equals(poisonKey) && headersKept) return `${t.topic}:${f.partition}@${r.offset}`
      }
    }
  }
  return null
}

export function poisonPillScenario(settings: PoisonPillSettings = defaultPoisonPillSettings): DrillScenario {
  return {
    id: 'poison-pill',
    title: 'An order service crash-loops on one malformed record',
    summary: 'kafkajs service dies on a record that is not JSON, its orchestrator restarts it; keep the record, skip exactly it',
    runbook: 'poison-pill',

    async start(ctx) {
      const topic = `drill-orders-${ctx.runId}`
      const groupId = `ledger-${ctx.runId}`
      await createDrillTopic(ctx, topic, settings.partitions)
      const ackedLedger = join(ctx.dir, 'acked.jsonl')
      const processedLedger = join(ctx.dir, 'processed.jsonl')
      ctx.log(`topic ${topic} (${settings.partitions} partitions), group ${groupId}`)
      const monitor = startLagMonitor(ctx, groupId, topic, settings.sampleEveryMs)
      const service = startRestartLoop(ctx.workloads, {
        name: 'ledger-service',
        replicas: settings.replicas,
        replicasFile: join(ctx.dir, 'ledger-service.replicas'),
        restartMs: settings.restartMs,
        config: (instance) => ({
          kind: 'order-service',
          bootstrap: ctx.bootstrap.split(','),
          topic,
          groupId,
          ledger: processedLedger,
          instance,
          clientId: 'ledger-service',
          sessionTimeoutMs: settings.sessionTimeoutMs,
        }),
        log: ctx.log,
      })
      const producer = await startDrillProducer(ctx, 'producer', {
        topic,
        partitions: settings.partitions,
        recordsPerSecond: settings.recordsPerSecond,
        ledger: ackedLedger,
        clientId: 'orders-api',
      })
      ctx.log(`producer writing ${settings.recordsPerSecond} orders/s; ledger-service (kafkajs, ${settings.replicas} replica) handling them`)
      await waitUntil(
        `ledger-service to handle ${settings.warmupRecords} orders`,
        async () => readLedger<ProcessedEntry>(processedLedger).length >= settings.warmupRecords,
        ctx,
        { timeoutMs: 90_000, signal: ctx.signal },
      )

      const [written] = await ctx.kafka.produce(topic, [{ partition: settings.poisonPartition, key: poisonKey, value: poisonValue, headers: poisonHeaders }])
      if (!written || written.error || written.offset === null)
        throw new Error(`drill: cannot write the poison record: ${written?.error?.message ?? 'no offset'}`)
      const poisonOffset = written.offset
      ctx.log(`a malformed order slipped into ${topic}:${settings.poisonPartition} at offset ${poisonOffset}`)
      await waitUntil(
        'ledger-service to crash on it twice',
        async () => {
          const crashes = service.crashes()
          return crashes.length >= 2 && ctx.now() - crashes[0]!.atMs >= settings.crashLoopMs
        },
        ctx,
        { timeoutMs: 120_000, signal: ctx.signal },
      )
      const crashes = service.crashes()
      const firstCrashMs = crashes[0]!.atMs
      const pagedAtMs = ctx.now()
      const loopSeconds = Math.round((pagedAtMs - firstCrashMs) / 1000)
      const effect = describeLoopEffect(
        partitionsDuringLoop({
          partitions: settings.partitions,
          poisonPartition: settings.poisonPartition,
          acked: readLedger<AckedEntry>(ackedLedger),
          processed: readLedger<ProcessedEntry>(processedLedger),
          samples: monitor.samples,
          fromMs: firstCrashMs,
          toMs: pagedAtMs,
        }),
        loopSeconds,
      )
      ctx.log(`ledger-service crashed ${crashes.length} times; ${effect}`)
      const last = monitor.samples[monitor.samples.length - 1]
      const lag = last ? [...last.logEnd.keys()].reduce((n, p) => n + Number((last.logEnd.get(p) ?? 0n) - (last.committed.get(p) ?? 0n)), 0) : null
      const briefing = [
        '## Page: ledger-service is crash-looping',
        '',
        `- Since **${iso(firstCrashMs)}** \`ledger-service\` (consumer group \`${groupId}\`, topic \`${topic}\`) dies a few seconds after every start: ${crashes.length} restarts so far. Its log ends with \`${crashes[0]!.error}\`.`,
        `- Its orchestrator restarts it ${settings.restartMs} ms after each crash. Scale it with \`${service.scaleCommand(0)}\` (stop, and keep it stopped) and \`${service.scaleCommand(1)}\` (start one again).`,
        `- The group's lag is ${lag === null ? 'growing' : `${lag} records and growing`}; orders are not reaching the ledger.`,
        `- What the drill measured during the loop: ${effect}`,
        '',
        'Get the orders flowing again. The service owners want to see whatever broke it; every order skipped that was fine costs money, and so does every order booked twice.',
      ].join('\n')
      const state: PoisonState = { topic, groupId, ackedLedger, processedLedger, poisonOffset, pagedAtMs, producer, service, monitor }
      const incident: Incident = {
        brokenAtMs: firstCrashMs,
        briefing,
        // The page names the group and the orchestrator's scale commands: a headless trainee has them too.
        known: { group: groupId, 'stop-command': service.scaleCommand(0), 'start-command': service.scaleCommand(1) },
        solution: {
          group: groupId,
          partition: `${topic}:${settings.poisonPartition}`,
          'sample-interval': '2s',
          action: 'dlq-and-skip',
          'stop-command': service.scaleCommand(0),
          'wait-for-empty': '60s',
          'start-command': service.scaleCommand(1),
          'watch-for': '60s',
        },
        state,
      }
      return incident
    },

    async finish(ctx, incident) {
      const state = incident.state as PoisonState
      await state.producer.stop()
      // The service owners bring the service back whatever the trainee did; it catches up, or dies on a bad record again.
      state.service.scale(1)
      ctx.log('producer stopped; the service is scaled to 1 and catches up (or crashes again)')
      const ends = (
        await ctx.kafka.listOffsets(Array.from({ length: settings.partitions }, (_, partition) => ({ topic: state.topic, partition, spec: 'latest' as const })))
      ).map((a) => [a.partition, a.offset ?? -1n] as const)
      // Bounded by progress, not a fixed time: one record and one commit at a time, a loaded machine drains a
      // backlog of a thousand orders more slowly than any fixed wait allows; the wait ends once a minute passes
      // without the service committing anything (stuck, or crashed again), or after five minutes in all.
      let handled = -1n
      let movedAtMs = ctx.now()
      const startedMs = ctx.now()
      await waitFor(
        async () => {
          const committed = await ctx.kafka.committedOffsets(state.groupId, [state.topic])
          const at = (p: number) => committed.offsets.find((o) => o.partition === p)?.offset ?? -1n
          const sum = ends.reduce((n, [p]) => n + at(p), 0n)
          if (sum > handled) [handled, movedAtMs] = [sum, ctx.now()]
          const caughtUp = ends.every(([p, end]) => at(p) >= end || (p === settings.poisonPartition && at(p) === state.poisonOffset))
          return caughtUp || ctx.now() - movedAtMs > 60_000 || ctx.now() - startedMs > 300_000
        },
        ctx,
        { timeoutMs: 300_000, intervalMs: 500, signal: ctx.signal },
      )
      await state.service.stop()
      await state.monitor.stop()
      ctx.log(`ledger-service stopped after ${state.service.starts()} starts`)
    },

    async score(ctx, incident, outcome) {
      const state = incident.state as PoisonState
      return scorePoisonPill({
        partitions: settings.partitions,
        poison: { partition: settings.poisonPartition, offset: state.poisonOffset },
        acked: readLedger<AckedEntry>(state.ackedLedger),
        processed: readLedger<ProcessedEntry>(state.processedLedger),
        samples: state.monitor.samples,
        crashes: state.service.crashes(),
        pagedAtMs: state.pagedAtMs,
        preservedAt: await findPoisonCopy(ctx, state.topic),
        triedOnActiveGroup: changesTriedOnActiveGroup(sessionEvents(outcome.run?.sessionDir)),
        outcome,
      })
    },
  }
}
