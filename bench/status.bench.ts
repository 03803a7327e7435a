// `runbook status` against `kafka-topics --describe --under-min-isr-partitions` on the same sandbox, at 1,000,
// 10,000 and 30,000 partitions (five per topic, broker 3 down, a tenth of them under min ISR; bench/status-cluster.ts).
// Both run as the operator runs them: a fresh process each time, ours the built CLI, kafka-topics with the JVM
// options kafka-topics.sh gives it (and once more on the sandbox's fast-start JVM). Each round runs the four
// one after another, so that a noisy shared machine weighs on all of them alike; the summary gives medians,
// the ratios, our CPU time and peak RSS, and how each grows per 1,000 partitions. Before timing anything at a
// size the answers are compared: the benchmark refuses to report a speed-up for a different answer.
//   RUNBOOK_STATUS_BENCH_SIZES=1000,10000 RUNBOOK_STATUS_BENCH_ROUNDS=4 npm run bench -- status   (default 1000,10000,30000; 8)

import { loadavg } from 'node:os'
import { bench, describe } from 'vitest'
import type { ProcessRun } from './measure-process.ts'
import { openStatusBenchCluster, partitionsPerTopic } from './status-cluster.ts'

const sizes = (process.env.RUNBOOK_STATUS_BENCH_SIZES || '1000,10000,30000').split(',').map(Number)
const rounds = Number(process.env.RUNBOOK_STATUS_BENCH_ROUNDS || 8)

interface Samples {
  ours: ProcessRun[]
  oursJson: ProcessRun[]
  kafkaTopics: number[]
  kafkaTopicsFast: number[]
  /** Failed kafka-topics runs: with a broker down it times out now and then ("Timed out waiting for a node assignment"). */
  peerFailures: string[]
  load: number[]
}

const results = new Map<number, Samples>()
// Vitest runs no beforeAll/afterAll hooks in bench mode, and tinybench does not wait for a teardown: the cluster
// starts when the file loads, and the last "bench" below stops and wipes it.
const cluster = await openStatusBenchCluster({ ownerPid: process.pid })
let grown: { size: number; error?: unknown } | undefined

const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`

async function timedKafkaTopics(samples: Samples, jvm: 'kafka-scripts' | 'sandbox'): Promise<number> {
  // An operator whose kafka-topics fails runs it again: a failed run's time counts, and it is retried.
  const started = performance.now()
  for (let attempt = 1; ; attempt++) {
    try {
      await cluster.kafkaTopicsUnderMinIsr(jvm)
      return performance.now() - started
    } catch (error) {
      const message = (error as Error).message
      samples.peerFailures.push(message.split('\n').find((line) => /ERROR|Exception/.test(line)) ?? message.split('\n')[0]!)
      if (attempt === 3) throw error
    }
  }
}

function growth(size: number, low: number, high: number): string {
  return `${(((high - low) / (size - sizes[0]!)) * 1000).toFixed(1)} ms`
}

function report(): void {
  const lines = ['', `runbook status vs kafka-topics --describe --under-min-isr-partitions, broker 3 down, medians of ${rounds} alternating rounds`]
  lines.push(
    `  ${'partitions'.padStart(10)}  ${'ours'.padStart(7)} ${'cpu'.padStart(7)} ${'RSS'.padStart(7)}  ${'--json'.padStart(7)}  ${'kafka-topics.sh'.padStart(15)} ${'ratio'.padStart(6)}  ${'fast-start JVM'.padStart(14)} ${'ratio'.padStart(6)}  load`,
  )
  for (const size of sizes) {
    const s = results.get(size)
    const failure = grown?.size === size ? grown.error : undefined
    if (failure) lines.push(`  ${size.toLocaleString('en-US').padStart(10)}  not measured: ${(failure as Error).message ?? String(failure)}`)
    if (!s || s.ours.length === 0) continue
    const ours = median(s.ours.map((r) => r.wallMs))
    const peer = median(s.kafkaTopics)
    const fast = median(s.kafkaTopicsFast)
    const cpu = median(s.ours.map((r) => r.cpuMs ?? NaN))
    const rss = Math.max(...s.ours.map((r) => r.maxRssMb ?? NaN))
    lines.push(
      `  ${size.toLocaleString('en-US').padStart(10)}  ${seconds(ours).padStart(7)} ${seconds(cpu).padStart(7)} ${`${rss.toFixed(0)} MB`.padStart(7)}  ${seconds(median(s.oursJson.map((r) => r.wallMs))).padStart(7)}  ${seconds(peer).padStart(15)} ${`${(peer / ours).toFixed(2)}×`.padStart(6)}  ${seconds(fast).padStart(14)} ${`${(fast / ours).toFixed(2)}×`.padStart(6)}  ${s.load.map((l) => l.toFixed(1)).join('–')}`,
    )
    if (s.peerFailures.length)
      lines.push(`      kafka-topics failed ${s.peerFailures.length} times (rerun, time counted): ${[...new Set(s.peerFailures)].join('; ')}`)
  }
  const first = results.get(sizes[0]!)
  if (first && first.ours.length) {
    for (const size of sizes.slice(1)) {
      const s = results.get(size)
      if (!s || s.ours.length === 0) continue
      lines.push(
        `  growth per 1,000 partitions from ${sizes[0]!.toLocaleString('en-US')} to ${size.toLocaleString('en-US')}: ours ${growth(size, median(first.ours.map((r) => r.wallMs)), median(s.ours.map((r) => r.wallMs)))} (cpu ${growth(size, median(first.ours.map((r) => r.cpuMs ?? NaN)), median(s.ours.map((r) => r.cpuMs ?? NaN)))}), kafka-topics.sh ${growth(size, median(first.kafkaTopics), median(s.kafkaTopics))}`,
      )
    }
  }
  console.log(lines.join('\n') + '\n')
}

for (const size of sizes) {
  describe(`status at ${size.toLocaleString('en-US')} partitions (${(size / partitionsPerTopic).toLocaleString('en-US')} topics)`, () => {
    bench(
      'one round: runbook status, --json, kafka-topics.sh, kafka-topics on a fast-start JVM',
      async () => {
        // A size the sandbox could not grow to is reported as such by report(): throwing here would fail the
        // file, and vitest would skip the last bench (the report, and stopping the sandbox).
        if (grown?.size === size && grown.error) return
        const samples = results.get(size)!
        samples.ours.push(cluster.runStatus(false))
        samples.oursJson.push(cluster.runStatus(true))
        samples.kafkaTopics.push(await timedKafkaTopics(samples, 'kafka-scripts'))
        samples.kafkaTopicsFast.push(await timedKafkaTopics(samples, 'sandbox'))
      },
      {
        iterations: rounds,
        time: 1,
        warmupIterations: 0,
        warmupTime: 0,
        // Growing is awaited (a teardown would not be); a failure is kept and reported by report(), so that the
        // benches after it still run and the last one still stops the sandbox.
        setup: async () => {
          if (grown?.size === size) return
          results.set(size, { ours: [], oursJson: [], kafkaTopics: [], kafkaTopicsFast: [], peerFailures: [], load: [loadavg()[0]!] })
          try {
            await cluster.grow(size)
            grown = { size }
          } catch (error) {
            grown = { size, error }
          }
        },
        teardown: () => {
          results.get(size)?.load.push(loadavg()[0]!)
        },
      },
    )
  })
}

describe('status benchmark: clean up', () => {
  bench(
    'stop and wipe the benchmark sandbox (not a measurement)',
    async () => {
      report()
      await cluster.close()
    },
    { iterations: 1, time: 1, warmupIterations: 0, warmupTime: 0 },
  )
})
