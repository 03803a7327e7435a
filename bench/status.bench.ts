// `runbook status` against `kafka-topics --describe --under-min-isr-partitions` on the same sandbox:
// 2,000 topics × 5 partitions, broker 3 down so that 1,000 partitions are under min ISR. Both are run as the
// operator runs them (a fresh process each time; kafka-topics with the JVM options kafka-topics.sh gives it,
// and once more on the sandbox's fast-start JVM); vitest prints the ratios. Before timing anything, the
// answers are compared: the benchmark refuses to report a speed-up for a different answer.

import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { bench, describe } from 'vitest'
import { createSandboxProbe } from '../lib/kafka/platformatic/sandbox-probe.ts'
import { connect } from '../lib/kafka/index.ts'
import type { KafkaOps } from '../lib/kafka/types.ts'
import { control, down, runKafkaTool, sandboxConfig, status, up } from '../lib/sandbox/index.ts'

const topics = 2000
const partitionsPerTopic = 5
const prefix = 'bench-status'
// Its own sandbox (not bench/sandbox-up's "bench"): the two benchmark files may run side by side.
//   RUNBOOK_STATUS_BENCH_SANDBOX=name RUNBOOK_STATUS_BENCH_PORT=39260 npm run bench
const config = sandboxConfig({
  name: process.env.RUNBOOK_STATUS_BENCH_SANDBOX || 'bench-status',
  basePort: Number(process.env.RUNBOOK_STATUS_BENCH_PORT || 19390),
  // Brokers that keep up with 10,000 partitions, or the figures measure their GC pauses. At the default 384 MiB
  // they missed heartbeats, one exited, and kafka-topics stalled (up to 62 s) or failed, flattering us 2.8-5.3×.
  // At 1 GiB they still spent most of their time in full GCs (1.8 s each): every delayed replica fetch watches
  // each of its ~5,000 partitions, and expired ones are swept only every 1,000 requests (jmap: 3.2 million
  // fetch entries held). 2 GiB, a sweep every 100 requests and Kafka's default 500 ms fetch wait keep them idle.
  brokerHeapMb: 2048,
  brokerProperties: { 'fetch.purgatory.purge.interval.requests': '100', 'replica.fetch.wait.max.ms': '500' },
})
const probe = createSandboxProbe('runbook-bench')
const cli = fileURLToPath(new URL('../bin/runbook.js', import.meta.url))

let bootstrap = ''
let startedHere = false
let ops: KafkaOps

const topicName = (i: number) => `${prefix}-${String(i).padStart(4, '0')}`

function runStatus(json: boolean): string {
  const args = [cli, 'status', ...(json ? ['--json'] : []), '--bootstrap-server', bootstrap]
  const result = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, timeout: 120_000 })
  if (result.status !== 0) throw new Error(`runbook status exited ${result.status}: ${result.stderr}`)
  return result.stdout
}

function runbookStatus(): string[] {
  const report = JSON.parse(runStatus(true)) as { partitions: { underMinIsr: { topic: string; partition: number }[] } }
  return report.partitions.underMinIsr.map((p) => `${p.topic}:${p.partition}`).sort()
}

async function kafkaTopicsUnderMinIsr(jvm: 'kafka-scripts' | 'sandbox' = 'kafka-scripts'): Promise<string[]> {
  const result = await runKafkaTool(config, 'kafka-topics', ['--bootstrap-server', bootstrap, '--describe', '--under-min-isr-partitions'], {
    timeoutMs: 300_000,
    jvm,
  })
  if (result.exitCode !== 0) throw new Error(`kafka-topics exited ${result.exitCode}: ${result.stderr}`)
  return [...result.stdout.matchAll(/Topic:\s*(\S+)\s+Partition:\s*(\d+)/g)].map((m) => `${m[1]}:${m[2]}`).sort()
}

async function ensureTopics(): Promise<void> {
  const existing = new Set((await ops.partitionStates()).map((t) => t.topic))
  const missing = Array.from({ length: topics }, (_, i) => i).filter((i) => !existing.has(topicName(i)))
  for (let start = 0; start < missing.length; start += 200) {
    const batch = missing.slice(start, start + 200).map((i) => ({
      topic: topicName(i),
      partitions: partitionsPerTopic,
      replicationFactor: 3,
      // One topic in ten asks for every replica in sync: with a broker down, those go under min ISR.
      configs: { 'min.insync.replicas': i % 10 === 0 ? '3' : '2' },
    }))
    const results = await ops.createTopics(batch)
    const failed = results.filter((r) => r.error && r.error.name !== 'TOPIC_ALREADY_EXISTS')
    if (failed.length) throw new Error(`creating bench topics failed: ${failed[0]!.topic} ${failed[0]!.error!.name}`)
  }
}

/**
 * Waits (a minute at most) until the live brokers have stopped working through the topics just created:
 * the question is how fast each tool answers an on-call engineer, not how it fares beside a cluster busy
 * creating 10,000 partitions. Reads CPU time from /proc, so on other systems it does not wait.
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

// Vitest runs no beforeAll/afterAll hooks in bench mode: the setup runs when the file loads.
async function prepare(): Promise<void> {
  const build = spawnSync('npm', ['run', 'build'], { encoding: 'utf8', cwd: fileURLToPath(new URL('..', import.meta.url)) })
  if (build.status !== 0) throw new Error(`npm run build failed: ${build.stderr}`)
  // Not running but left on disk (vitest can end the worker before the teardown's down has wiped it, and the
  // watchdog then stops the nodes without wiping): start clean, since restarting on 10,000 partitions takes minutes.
  if (status(config).nodes.every((node) => node.state === 'dead')) await down(config, { wipe: true })
  const info = await up(config, {
    probe,
    ownerPid: process.pid,
    timeoutMs: 180_000,
    onProgress: (line) => process.stderr.write(`[sandbox ${config.name}] ${line}\n`),
  })
  startedHere = info.started
  bootstrap = info.bootstrap
  ops = await connect({ bootstrapServers: bootstrap.split(',') })
  await ensureTopics()
  await control(config, 3, 'kill', { probe, timeoutMs: 60_000 })
  // Wait (a while, not forever) until the controller has fenced broker 3 and every ISR holds exactly the live
  // replicas. With the sandbox's 2 s replica.lag.time.max.ms a loaded 2-core machine keeps some followers
  // flapping in and out of the ISR, so the answer can move; the comparison below retries for one stable state.
  const settled = async () => {
    const broker = (await ops.cluster()).brokers.find((b) => b.id === 3)
    if (broker?.fenced !== true) return false
    const states = await ops.partitionStates()
    return states.every((t) =>
      t.partitions.every((p) => {
        const live = p.replicas.filter((id) => id !== 3)
        return live.length === 0 || (p.leader !== null && p.isr.length === live.length)
      }),
    )
  }
  const deadline = Date.now() + 120_000
  while (!(await settled()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 1000))
  await brokersQuiet()
  // Both tools must give the same answer on the same state: compare, and make sure nothing moved meanwhile.
  let ours: string[] = []
  let theirs: string[] = []
  for (let attempt = 0; attempt < 6; attempt++) {
    try {
      ours = runbookStatus()
      theirs = await kafkaTopicsUnderMinIsr()
      if (ours.join('\n') === theirs.join('\n') && runbookStatus().join('\n') === ours.join('\n')) break
    } catch (error) {
      // An overloaded sandbox can time a tool out (kafka-topics' describeConfigs did, once): try again.
      process.stderr.write(`comparison attempt ${attempt + 1} failed: ${(error as Error).message.split('\n')[0]}\n`)
    }
  }
  if (ours.join('\n') !== theirs.join('\n'))
    throw new Error(`different answers: runbook status flags ${ours.length} partitions under min ISR, kafka-topics ${theirs.length}`)
  if (ours.length < (topics / 10) * partitionsPerTopic)
    throw new Error(`expected at least ${(topics / 10) * partitionsPerTopic} partitions under min ISR, got ${ours.length}`)
  process.stderr.write(`same answer from both: ${ours.length} partitions under min ISR\n`)
}

/** Stops the sandbox if this run started it; otherwise brings broker 3 back for whoever else uses it. */
async function restore(): Promise<void> {
  await ops?.close()
  if (startedHere) await down(config, { wipe: true })
  else await control(config, 3, 'start', { probe, timeoutMs: 90_000 })
}

try {
  await prepare()
} catch (error) {
  await restore()
  throw error
}

describe(`status on ${topics} topics × ${partitionsPerTopic} partitions, broker 3 down`, () => {
  // time must be above 0 (0 makes vitest 4 report NaN); iterations bound the runs.
  const runs = { iterations: 8, time: 1, warmupIterations: 1, warmupTime: 1 }
  // What the on-call engineer reads, and the full machine-readable report (every flagged partition listed:
  // 6.7 MB of JSON here); both read the same cluster state.
  bench(
    'runbook status',
    () => {
      runStatus(false)
    },
    runs,
  )
  bench(
    'runbook status --json',
    () => {
      runStatus(true)
    },
    runs,
  )

  // With a broker down, kafka-topics itself fails now and then ("Timed out waiting for a node assignment. Call:
  // describeConfigs", measured on 4.3.1). An operator would run it again, so a failed run's time counts and it
  // is retried; the failures are reported beside the figures.
  let peerRuns = 0
  const peerFailures: string[] = []
  const kafkaTopics = (jvm: 'kafka-scripts' | 'sandbox') => async () => {
    for (let attempt = 1; ; attempt++) {
      peerRuns++
      try {
        await kafkaTopicsUnderMinIsr(jvm)
        return
      } catch (error) {
        peerFailures.push((error as Error).message.split('\n').find((line) => /ERROR|Exception/.test(line)) ?? (error as Error).message.split('\n')[0]!)
        if (attempt === 3) throw error
      }
    }
  }
  // As an operator runs it: kafka-topics.sh starts the JVM with kafka-run-class.sh's default options.
  bench('kafka-topics --describe --under-min-isr-partitions', kafkaTopics('kafka-scripts'), runs)
  // The same tool with the sandbox's fast-start JVM options (client compiler only, serial GC, no JMX agent).
  bench('kafka-topics … on a fast-start JVM', kafkaTopics('sandbox'), {
    ...runs,
    teardown: async (_task, mode) => {
      if (mode !== 'run') return
      if (peerFailures.length > 0)
        process.stderr.write(
          `kafka-topics failed ${peerFailures.length} of ${peerRuns} runs (rerun each time, its time counted): ${[...new Set(peerFailures)].join('; ')}\n`,
        )
      await restore()
    },
  })
})
