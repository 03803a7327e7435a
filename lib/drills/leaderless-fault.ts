// The fault behind an unclean-election incident, on a sandbox: a follower falls out of the ISR but stays alive
// (the throttle trick: replication throttled to 1 byte/s for replicas outside the ISR, the follower paused until
// the ISR shrink is committed, then resumed 300 ms later), writes go on, and then the leader and the in-sync
// follower die. What is left: partitions with no leader, and one live replica that lacks the latest records.
// Also the way back, and the oracle for what the dead leader held: its own segment files.

import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import type { KafkaOps, TopicPartition } from '../kafka/types.ts'
import type { SandboxConfig, SandboxProbe } from '../sandbox/index.ts'
import { control, nodeDataDir, runKafkaTool } from '../sandbox/index.ts'
import { waitUntil } from '../poll/index.ts'

export interface FaultEnv {
  /** Connected to brokers other than the lagging one first (a paused broker makes requests to it hang). */
  readonly kafka: KafkaOps
  readonly sandbox: SandboxConfig
  /** Lets `restoreAfterLeaderless` wait until restarted brokers are unfenced. */
  readonly probe?: SandboxProbe
  now(): number
  sleep(ms: number): Promise<void>
  log?(line: string): void
}

export interface LeaderlessFaultPlan {
  readonly topic: string
  readonly partitions: readonly number[]
  /** Leads every listed partition; killed. */
  readonly leader: number
  /** In the ISR with the leader; killed. */
  readonly inSync: number
  /** Falls out of the ISR and stays alive: the only candidate left. */
  readonly lagging: number
  /** How long writes go on while the lagging follower is held back, before the kills. */
  readonly divergeMs: number
  /** The in-sync follower dies this long before the leader (0: both at once). */
  readonly killGapMs?: number
}

export interface LeaderlessFaultTimes {
  readonly pausedAtMs: number
  readonly shrinkSeenAtMs: number
  readonly killedAtMs: number
  readonly leaderlessAtMs: number
}

const throttleRate = ['leader.replication.throttled.rate', 'follower.replication.throttled.rate'] as const
const throttleReplicas = ['leader.replication.throttled.replicas', 'follower.replication.throttled.replicas'] as const
const shrinkTimeoutMs = 15_000
const leaderlessTimeoutMs = 30_000
const pollMs = 100

async function states(kafka: KafkaOps, topic: string, partitions: readonly number[]) {
  const [state] = await kafka.partitionStates([topic])
  return partitions.map((p) => state?.partitions.find((s) => s.partition === p))
}

async function alterOrFail(kafka: KafkaOps, changes: Parameters<KafkaOps['incrementalAlterConfigs']>[0]): Promise<void> {
  const results = await kafka.incrementalAlterConfigs(changes, { validateOnly: false })
  const failed = results.find((r) => r.error)
  if (failed?.error) throw new Error(`drill fault: could not change configs (${failed.error.name}: ${failed.error.message})`)
}

/** Leaves every listed partition leaderless with `lagging` as its only live replica. Writes must be flowing. */
export async function breakIntoLeaderless(env: FaultEnv, plan: LeaderlessFaultPlan): Promise<LeaderlessFaultTimes> {
  const { kafka, sandbox } = env
  await alterOrFail(kafka, [
    { resource: { type: 'broker-default' }, ops: throttleRate.map((name) => ({ name, op: 'set' as const, value: '1' })) },
    { resource: { type: 'topic', name: plan.topic }, ops: throttleReplicas.map((name) => ({ name, op: 'set' as const, value: '*' })) },
  ])
  const pausedAtMs = env.now()
  await control(sandbox, plan.lagging, 'pause')
  env.log?.(`broker ${plan.lagging} paused: waiting for the leader to drop it from the ISR`)
  let shrinkSeenAtMs = pausedAtMs
  try {
    // Resumed too early (before the shrink is committed), the follower is served one unthrottled fetch and
    // rejoins (measured 3.9.2); once metadata shows the smaller ISR, plus 300 ms, it stays out.
    await waitUntil(
      `broker ${plan.lagging} to leave the ISR of ${plan.topic}`,
      async () => (await states(kafka, plan.topic, plan.partitions)).every((s) => s !== undefined && !s.isr.includes(plan.lagging)),
      env,
      { timeoutMs: shrinkTimeoutMs, intervalMs: pollMs },
    )
    shrinkSeenAtMs = env.now()
    await env.sleep(300)
  } finally {
    await control(sandbox, plan.lagging, 'resume')
  }
  env.log?.(`broker ${plan.lagging} is out of the ISR after ${shrinkSeenAtMs - pausedAtMs} ms and running again, held back by the throttle`)
  await env.sleep(plan.divergeMs)
  const killedAtMs = env.now()
  if ((plan.killGapMs ?? 0) > 0) {
    await control(sandbox, plan.inSync, 'kill')
    await env.sleep(plan.killGapMs!)
    await control(sandbox, plan.leader, 'kill')
  } else {
    await Promise.all([control(sandbox, plan.leader, 'kill'), control(sandbox, plan.inSync, 'kill')])
  }
  env.log?.(`brokers ${plan.leader} and ${plan.inSync} killed: waiting for the controller to fence them`)
  let last = ''
  await waitUntil(
    `${plan.topic} to lose its leaders`,
    async () => {
      const now = await states(kafka, plan.topic, plan.partitions)
      last = now.map((s) => (s ? `p${s.partition} leader ${s.leader} isr [${s.isr}] elr [${s.elr ?? ''}]` : 'unknown')).join('; ')
      return now.every((s) => s !== undefined && s.leader === null)
    },
    env,
    { timeoutMs: leaderlessTimeoutMs, intervalMs: pollMs, seen: () => last },
  )
  return { pausedAtMs, shrinkSeenAtMs, killedAtMs, leaderlessAtMs: env.now() }
}

/** Removes the replication throttle: followers outside the ISR fetch at full speed again. */
export async function liftThrottle(env: Pick<FaultEnv, 'kafka'>, topic: string): Promise<void> {
  await alterOrFail(env.kafka, [
    { resource: { type: 'broker-default' }, ops: throttleRate.map((name) => ({ name, op: 'delete' as const })) },
    { resource: { type: 'topic', name: topic }, ops: throttleReplicas.map((name) => ({ name, op: 'delete' as const })) },
  ])
}

/** Lifts the throttle first (returning replicas are outside the ISR: throttled, they would never catch up), then starts the dead brokers. */
export async function restoreAfterLeaderless(
  env: FaultEnv,
  plan: Pick<LeaderlessFaultPlan, 'topic' | 'leader' | 'inSync' | 'lagging'>,
  timeoutMs = 90_000,
): Promise<void> {
  await liftThrottle(env, plan.topic)
  for (const broker of [plan.inSync, plan.leader, plan.lagging]) {
    await control(env.sandbox, broker, 'start', { timeoutMs, ...(env.probe ? { probe: env.probe } : {}) })
  }
}

/** Waits until every partition of the topic has a leader and a full ISR. */
export async function awaitHealthy(env: FaultEnv, topic: string, timeoutMs = 90_000): Promise<void> {
  await waitUntil(
    `${topic} to have leaders and full ISRs`,
    async () => {
      const [state] = await env.kafka.partitionStates([topic])
      return state !== undefined && state.partitions.length > 0 && state.partitions.every((p) => p.leader !== null && p.isr.length === p.replicas.length)
    },
    env,
    { timeoutMs: timeoutMs, intervalMs: pollMs },
  )
}

/**
 * A replica's log end read from its segment files with kafka-dump-log: the oracle for what a dead broker held.
 * Read it before the broker restarts (it truncates on return). null when the partition folder is missing.
 */
export async function readLogEndFromFiles(sandbox: SandboxConfig, broker: number, tp: TopicPartition): Promise<bigint | null> {
  const dir = join(nodeDataDir(sandbox, broker), `${tp.topic}-${tp.partition}`)
  let segments: string[]
  try {
    segments = readdirSync(dir)
      .filter((name) => /^\d{20}\.log$/.test(name))
      .sort()
  } catch {
    return null
  }
  // The newest segment holds the log end; an empty one was rolled at the log end (its name is its base offset).
  const newest = segments.at(-1)
  if (newest === undefined) return 0n
  const result = await runKafkaTool(sandbox, 'kafka-dump-log', ['--files', join(dir, newest)], { timeoutMs: 60_000 })
  if (result.exitCode !== 0) throw new Error(`kafka-dump-log failed on ${newest}: ${result.stderr.trim().split('\n')[0]}`)
  const last = [...result.stdout.matchAll(/lastOffset: (\d+)/g)].at(-1)
  return last ? BigInt(last[1]!) + 1n : BigInt(newest.slice(0, 20))
}
