// The status benchmark's cluster: its own sandbox, grown in steps (1,000 → 10,000 → 30,000 partitions, five
// per topic) with broker 3 down (three brokers, or more where the largest size needs them: see brokersFor), so that the same two tools can be timed at each size on one cluster. Every
// topic is created while broker 3 is fenced, with broker 3 in its replica list: each new partition is at once
// in the state a broker loss leaves (ISR of the two live replicas), and growing needs no broker restart.
// One topic in ten asks for three in-sync replicas, so a tenth of the partitions are under min ISR.
//
// Run on its own to keep a cluster for profiling (it stays up until `down`):
//   node --import ./lib/drills/ts-loader/register.mjs bench/status-cluster.ts up 10000
//   node --import ./lib/drills/ts-loader/register.mjs bench/status-cluster.ts down

import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { createSandboxProbe } from '../lib/kafka/platformatic/sandbox-probe.ts'
import { connect } from '../lib/kafka/index.ts'
import type { KafkaOps } from '../lib/kafka/types.ts'
import { control, down, runKafkaTool, sandboxConfig, status, up } from '../lib/sandbox/index.ts'
import { measureProcess, type ProcessRun } from './measure-process.ts'

export const partitionsPerTopic = 5
const prefix = 'bench-status'
const downBroker = 3

/** The largest size this run grows to (the bench's sizes, or the standalone size): the broker count follows from it. */
const standaloneSize = process.argv[2] === 'up' && process.argv[1]?.endsWith('status-cluster.ts') ? process.argv[3] || '10000' : undefined
const largestSize = Math.max(...(standaloneSize ?? process.env.RUNBOOK_STATUS_BENCH_SIZES ?? '1000,10000,30000').split(',').map(Number))

// A live broker keeps one replica of each partition it hosts: one open segment file and two mapped indexes each.
// Over 20,000 open files (this machine's hard limit) a broker fails its log directory. So the cluster has as many
// brokers as keep each live one under the limits with room to spare: three up to 8,000 partitions, six at
// 30,000 (RUNBOOK_STATUS_BENCH_BROKERS overrides). Broker 3 is in every replica list, so every partition is in
// the state a broker loss leaves whatever the count, and the other two replicas rotate over the live brokers.
const perBrokerFileBudget = 16_000
const replicasPerLiveBroker = (partitions: number, brokers: number) => (brokers === 3 ? partitions : Math.ceil((2 * partitions) / (brokers - 1)))
function brokersFor(partitions: number): number {
  for (let brokers = 3; brokers < 9; brokers++) if (replicasPerLiveBroker(partitions, brokers) + 2_000 <= perBrokerFileBudget) return brokers
  return 9
}

// Its own sandbox (not bench/sandbox-up's "bench"): the two benchmark files may run side by side. Ports: basePort
// and the next nine (the controller and up to nine brokers' PLAINTEXT listeners).
//   RUNBOOK_STATUS_BENCH_SANDBOX=name RUNBOOK_STATUS_BENCH_PORT=39260 npm run bench
export const config = sandboxConfig({
  name: process.env.RUNBOOK_STATUS_BENCH_SANDBOX || 'bench-status',
  basePort: Number(process.env.RUNBOOK_STATUS_BENCH_PORT || 19390),
  brokers: Number(process.env.RUNBOOK_STATUS_BENCH_BROKERS || brokersFor(largestSize)),
  // Brokers that keep up with their partitions, or the figures measure their GC pauses. At the default 384 MiB
  // they missed heartbeats at 10,000, one exited, and kafka-topics stalled (up to 62 s) or failed. At 1 GiB they
  // still spent most of their time in full GCs: every delayed replica fetch watches each of its partitions, and
  // expired ones are swept only every 1,000 requests (jmap: 3.2 million fetch entries held). A sweep every 100
  // requests, Kafka's default 500 ms fetch wait and room for 30,000 partitions keep them idle.
  brokerHeapMb: Number(process.env.RUNBOOK_STATUS_BENCH_HEAP_MB || 3072),
  brokerProperties: { 'fetch.purgatory.purge.interval.requests': '100', 'replica.fetch.wait.max.ms': '500' },
})
const probe = createSandboxProbe('runbook-bench')
const cli = fileURLToPath(new URL('../bin/runbook.js', import.meta.url))

export interface StatusBenchCluster {
  readonly bootstrap: string
  /** Partitions of the benchmark's topics now on the cluster. */
  partitions(): number
  /** Adds topics until the cluster holds `partitions`, then waits until the brokers are quiet and both tools agree. */
  grow(partitions: number): Promise<{ underMinIsr: number }>
  /** `runbook status` as an operator runs it (the built CLI, a fresh process). */
  runStatus(json: boolean): ProcessRun
  /** kafka-topics --describe --under-min-isr-partitions, as kafka-topics.sh starts it or on the sandbox's fast-start JVM. */
  kafkaTopicsUnderMinIsr(jvm: 'kafka-scripts' | 'sandbox'): Promise<string[]>
  /** Stops and wipes the sandbox this run started. */
  close(): Promise<void>
}

const topicName = (i: number) => `${prefix}-${String(i).padStart(5, '0')}`

/**
 * Replica lists that rotate the preferred leader over the brokers, broker 3 (fenced) in each: with three brokers,
 * every order of 1, 2, 3 in turn; with more, broker 3 and two live brokers that rotate over the live ones.
 */
function assignments(topic: number, brokers: number): number[][] {
  if (brokers === 3) return Array.from({ length: partitionsPerTopic }, (_, p) => Array.from({ length: 3 }, (_, r) => ((topic + p + r) % 3) + 1))
  const live = Array.from({ length: brokers }, (_, i) => i + 1).filter((id) => id !== downBroker)
  return Array.from({ length: partitionsPerTopic }, (_, p) => {
    const k = topic * partitionsPerTopic + p
    const replicas = [downBroker, live[k % live.length]!, live[(k + 1) % live.length]!]
    const shift = k % 3
    return [...replicas.slice(shift), ...replicas.slice(0, shift)]
  })
}

/**
 * Waits (a minute at most) until the live brokers have stopped working through the topics just created: the
 * question is how fast each tool answers an on-call engineer, not how it fares beside a cluster busy creating
 * partitions. Reads CPU time from /proc, so on other systems it does not wait.
 */
async function brokersQuiet(): Promise<void> {
  const cpuTicks = (pid: number): number | null => {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
      return Number(fields[11]) + Number(fields[12])
    } catch {
      return null
    }
  }
  const brokers = status(config)
    .nodes.filter((node) => node.role === 'broker' && node.pid !== null && node.state !== 'dead')
    .map((node) => node.pid!)
  for (let check = 0; check < 30; check++) {
    const before = brokers.map(cpuTicks)
    await new Promise((r) => setTimeout(r, 2000))
    const after = brokers.map(cpuTicks)
    if (before.some((t) => t === null) || after.some((t) => t === null)) return
    // Clock ticks are 1/100 s: under 60 ticks in 2 s is a broker using less than 30 % of a core. Idle, each
    // broker here still spends ~18 % of one on its replica fetches (5,000 partitions every 500 ms).
    if (after.every((t, i) => t! - before[i]! < 60)) return
  }
  process.stderr.write('the brokers were still busy after a minute; measuring anyway\n')
}

/**
 * Waits (two minutes at most) until every partition has a leader and every live replica in its ISR, then moves
 * leadership back to each partition's preferred replica: on a loaded machine a broker that missed heartbeats
 * while thousands of partitions were created is fenced for a moment, and the other one ends up leading them all.
 */
/**
 * How long partitions may take to settle after creating them: on a loaded machine 10,000 new partitions took more
 * than two minutes; RUNBOOK_STATUS_BENCH_SETTLE_S overrides.
 */
const settleMs = (partitions: number) => Number(process.env.RUNBOOK_STATUS_BENCH_SETTLE_S || 0) * 1000 || Math.max(120_000, partitions * 30)

async function settle(kafka: KafkaOps, created: number): Promise<void> {
  const deadline = Date.now() + settleMs(created)
  for (;;) {
    const states = await kafka.partitionStates()
    const partitions = states.flatMap((t) => t.partitions)
    const settled = partitions.every((p) => p.leader !== null && p.isr.length === p.replicas.filter((id) => id !== downBroker).length)
    if (settled) {
      const misplaced = partitions.filter((p) => p.replicas[0] !== downBroker && p.leader !== p.replicas[0])
      for (let start = 0; start < misplaced.length; start += 2000)
        await kafka.electLeaders(
          'preferred',
          misplaced.slice(start, start + 2000).map((p) => ({ topic: p.topic, partition: p.partition })),
        )
      if (misplaced.length === 0) return
    }
    if (Date.now() > deadline)
      throw new Error(`the partitions did not settle (leader and every live replica in sync) within ${Math.round(settleMs(created) / 1000)} s`)
    await new Promise((r) => setTimeout(r, 1000))
  }
}

/**
 * Refuses a size the brokers could not hold, before creating anything: each live broker keeps its share of the
 * replicas (with three brokers, every partition), one open segment file and two mapped indexes each. Past the limits a broker fails
 * its log directory and shuts down ("Too many open files" at 30,000 partitions under a 20,000 file limit), and the
 * bench would wait out its settle time for nothing. The brokers inherit this process's limits.
 */
function checkHostLimits(partitions: number): void {
  const files = Number(spawnSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).stdout.trim())
  const replicas = replicasPerLiveBroker(partitions, config.brokers)
  const filesNeeded = replicas + 2_000
  if (Number.isFinite(files) && files < filesNeeded)
    throw new Error(
      `${partitions.toLocaleString('en-US')} partitions on ${config.brokers} brokers need about ${filesNeeded.toLocaleString('en-US')} open files per broker and this shell allows ${files.toLocaleString('en-US')} (ulimit -n): raise it or RUNBOOK_STATUS_BENCH_BROKERS to measure this size`,
    )
  let maps = NaN
  try {
    maps = Number(readFileSync('/proc/sys/vm/max_map_count', 'utf8').trim())
  } catch {
    // not Linux: no such limit to read
  }
  const mapsNeeded = 2 * replicas + 5_000
  if (Number.isFinite(maps) && maps < mapsNeeded)
    throw new Error(
      `${partitions.toLocaleString('en-US')} partitions on ${config.brokers} brokers need about ${mapsNeeded.toLocaleString('en-US')} memory maps per broker and vm.max_map_count is ${maps.toLocaleString('en-US')}: raise it or RUNBOOK_STATUS_BENCH_BROKERS to measure this size`,
    )
}

/** Starts the benchmark's sandbox from nothing (whatever an earlier run left under its name is wiped) with broker 3 down. */
export async function openStatusBenchCluster(options: { ownerPid?: number; log?: (line: string) => void } = {}): Promise<StatusBenchCluster> {
  const log = options.log ?? ((line: string) => process.stderr.write(`[sandbox ${config.name}] ${line}\n`))
  const build = spawnSync('npm', ['run', 'build'], { encoding: 'utf8', cwd: fileURLToPath(new URL('..', import.meta.url)) })
  if (build.status !== 0) throw new Error(`npm run build failed: ${build.stderr}`)
  await down(config, { wipe: true, brokerGraceMs: 0 })
  let ops: KafkaOps | undefined
  const close = async () => {
    await ops?.close().catch(() => {})
    // The data is deleted anyway: no controlled shutdown to wait for (with 30,000 partitions it takes longer
    // than a test runner waits for its worker, and the nodes outlived the benchmark).
    await down(config, { wipe: true, brokerGraceMs: 0 })
  }
  try {
    const info = await up(config, { probe, timeoutMs: 180_000, onProgress: log, ...(options.ownerPid ? { ownerPid: options.ownerPid } : {}) })
    const bootstrap = info.bootstrap
    ops = await connect({ bootstrapServers: bootstrap.split(',') })
    const kafka = ops
    await control(config, downBroker, 'kill', { probe, timeoutMs: 60_000 })
    const fenced = async () => (await kafka.cluster()).brokers.find((b) => b.id === downBroker)?.fenced === true
    const deadline = Date.now() + 120_000
    while (!(await fenced()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 500))
    if (!(await fenced())) throw new Error(`broker ${downBroker} was still not fenced 2 minutes after it was killed`)
    let topics = 0

    const runStatus = (json: boolean) => measureProcess(process.execPath, [cli, 'status', ...(json ? ['--json'] : []), '--bootstrap-server', bootstrap])
    const ourAnswer = () =>
      (JSON.parse(runStatus(true).stdout) as { partitions: { underMinIsr: { topic: string; partition: number }[] } }).partitions.underMinIsr
        .map((p) => `${p.topic}:${p.partition}`)
        .sort()
    const kafkaTopicsUnderMinIsr = async (jvm: 'kafka-scripts' | 'sandbox'): Promise<string[]> => {
      const result = await runKafkaTool(config, 'kafka-topics', ['--bootstrap-server', bootstrap, '--describe', '--under-min-isr-partitions'], {
        timeoutMs: 300_000,
        jvm,
      })
      if (result.exitCode !== 0) throw new Error(`kafka-topics exited ${result.exitCode}: ${result.stderr}`)
      return [...result.stdout.matchAll(/Topic:\s*(\S+)\s+Partition:\s*(\d+)/g)].map((m) => `${m[1]}:${m[2]}`).sort()
    }

    const grow = async (partitions: number) => {
      const wanted = Math.ceil(partitions / partitionsPerTopic)
      if (wanted > topics) {
        checkHostLimits(wanted * partitionsPerTopic)
        log(`creating topics ${topics}-${wanted - 1} (${(wanted - topics) * partitionsPerTopic} partitions)`)
        for (let start = topics; start < wanted; start += 200) {
          const batch = Array.from({ length: Math.min(200, wanted - start) }, (_, k) => start + k).map((i) => ({
            topic: topicName(i),
            assignments: assignments(i, info.nodes.filter((n) => n.role === 'broker').length),
            configs: { 'min.insync.replicas': i % 10 === 0 ? '3' : '2' },
          }))
          const failed = (await kafka.createTopics(batch)).filter((r) => r.error && r.error.name !== 'TOPIC_ALREADY_EXISTS')
          if (failed.length) throw new Error(`creating bench topics failed: ${failed[0]!.topic} ${failed[0]!.error!.name}`)
        }
        topics = wanted
      }
      await settle(kafka, topics * partitionsPerTopic)
      await brokersQuiet()
      // Both tools must give the same answer on the same state: compare, and make sure nothing moved meanwhile.
      let ours: string[] = []
      let theirs: string[] = []
      for (let attempt = 0; attempt < 6; attempt++) {
        try {
          ours = ourAnswer()
          theirs = await kafkaTopicsUnderMinIsr('kafka-scripts')
          if (ours.join('\n') === theirs.join('\n') && ourAnswer().join('\n') === ours.join('\n')) break
        } catch (error) {
          // An overloaded sandbox can time a tool out (kafka-topics' describeConfigs did, once): try again.
          log(`comparison attempt ${attempt + 1} failed: ${(error as Error).message.split('\n')[0]}`)
        }
      }
      if (ours.join('\n') !== theirs.join('\n'))
        throw new Error(`different answers: runbook status flags ${ours.length} partitions under min ISR, kafka-topics ${theirs.length}`)
      const expected = Math.ceil(topics / 10) * partitionsPerTopic
      if (ours.length !== expected) throw new Error(`expected ${expected} partitions under min ISR, both tools say ${ours.length}`)
      log(`${topics * partitionsPerTopic} partitions: same answer from both, ${ours.length} under min ISR`)
      return { underMinIsr: ours.length }
    }

    return { bootstrap, partitions: () => topics * partitionsPerTopic, grow, runStatus, kafkaTopicsUnderMinIsr, close }
  } catch (error) {
    await close()
    throw error
  }
}

// Standalone: `up <partitions>` keeps the cluster for profiling, `down` stops and wipes it.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [action, size] = process.argv.slice(2)
  if (action === 'down') await down(config, { wipe: true, brokerGraceMs: 0 })
  else if (action === 'up') {
    const cluster = await openStatusBenchCluster()
    await cluster.grow(Number(size || 10_000))
    process.stdout.write(`${cluster.bootstrap}\n`)
    process.exit(0)
  } else {
    process.stderr.write('usage: status-cluster.ts up <partitions> | down\n')
    process.exitCode = 2
  }
}
