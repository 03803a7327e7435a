// How long the consumer-oom-replay plan takes for a group on 1,024 partitions, beside Kafka's own
// `kafka-consumer-groups --reset-offsets --to-datetime --dry-run` on the same sandbox, as a ratio.
// Goal: ≤ 1 s, and faster than Kafka's tool.
//   npm run bench                                        (sandbox "bench-replay" on ports 19490-19493)
//   RUNBOOK_REPLAY_BENCH_SANDBOX=h5bench RUNBOOK_REPLAY_BENCH_PORT=39320 npm run bench -- consumer-oom-replay

import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { bench, describe } from 'vitest'
import { connect } from '../lib/kafka/index.ts'
import { createSandboxProbe } from '../lib/kafka/platformatic/sandbox-probe.ts'
import { down, runKafkaTool, sandboxConfig, up } from '../lib/sandbox/index.ts'
import { runCli } from '../test/support/run-cli.ts'

const goalMs = 1000
const samples = 5
const topics = [
  { name: 'bench-orders', partitions: 512 },
  { name: 'bench-payments', partitions: 512 },
]
const group = 'bench-billing'
const recordsPerPartition = 20
const config = sandboxConfig(
  { name: process.env.RUNBOOK_REPLAY_BENCH_SANDBOX || 'bench-replay', basePort: Number(process.env.RUNBOOK_REPLAY_BENCH_PORT || 19490) },
  process.env,
)

const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!

async function prepare(bootstrap: string): Promise<number> {
  const ops = await connect({ bootstrapServers: bootstrap.split(','), clientId: 'runbook-bench' })
  try {
    const existing = new Set((await ops.partitionStates()).map((t) => t.topic))
    const missing = topics.filter((t) => !existing.has(t.name))
    if (missing.length) await ops.createTopics(missing.map((t) => ({ topic: t.name, partitions: t.partitions, replicationFactor: 1 })))
    // Records one second apart, an hour ago, on every partition; the group committed near the end of each.
    // A reused sandbox keeps the records of an earlier run: their first timestamp is t0.
    const [first] = missing.length ? [] : await ops.recordTimestamps([{ topic: topics[0]!.name, partition: 0, offset: 0n }])
    const t0 = first?.timestamp ?? Date.now() - 3_600_000
    for (const topic of missing) {
      const records = []
      for (let partition = 0; partition < topic.partitions; partition++) {
        for (let i = 0; i < recordsPerPartition; i++) records.push({ partition, key: null, value: Buffer.from(`r${i}`), timestamp: t0 + i * 1000 })
      }
      const failed = (await ops.produce(topic.name, records)).filter((r) => r.error)
      if (failed.length) throw new Error(`bench: ${failed.length} records not written to ${topic.name}: ${failed[0]!.error!.message}`)
    }
    const commits = topics.flatMap((t) =>
      Array.from({ length: t.partitions }, (_, partition) => ({ topic: t.name, partition, offset: BigInt(recordsPerPartition - 2) })),
    )
    const results = await ops.alterCommittedOffsets(group, commits)
    if (results.some((r) => r.error)) throw new Error(`bench: cannot commit the group's offsets: ${results.find((r) => r.error)!.error!.message}`)
    return t0
  } finally {
    await ops.close()
  }
}

describe('consumer-oom-replay plan', () => {
  bench(
    `plan for ${topics.reduce((n, t) => n + t.partitions, 0)} partitions vs kafka-consumer-groups --reset-offsets --to-datetime --dry-run`,
    async () => {
      const info = await up(config, { probe: createSandboxProbe('runbook-bench'), timeoutMs: 180_000 })
      try {
        const t0 = await prepare(info.bootstrap)
        const when = new Date(t0 + 9_500).toISOString()
        const sessions = mkdtempSync(join(tmpdir(), 'bench-replay-'))
        const ourArgs = [
          'run',
          'consumer-oom-replay',
          '--bootstrap-server',
          info.bootstrap,
          '--set',
          `group=${group}`,
          '--set',
          `to-datetime=${when}`,
          '--dry-run',
          '--json',
          '--sessions-dir',
          sessions,
        ]
        const partitions = topics.reduce((n, t) => n + t.partitions, 0)

        const inProcess: number[] = []
        for (let i = 0; i < samples; i++) {
          const started = performance.now()
          const result = await runCli(ourArgs)
          inProcess.push(performance.now() - started)
          if (result.code !== 0) throw new Error(`bench: runbook failed: ${result.stderr}${result.stdout.slice(0, 500)}`)
          const moves = (JSON.parse(result.stdout) as { cells: { id: string; plan?: { moves: unknown[] } }[] }).cells.find((c) => c.id === 'rewind')?.plan
            ?.moves.length
          if (moves !== partitions) throw new Error(`bench: the plan covers ${moves} partitions, not ${partitions}`)
        }

        const bin = join(import.meta.dirname, '..', 'bin', 'runbook.js')
        const built = existsSync(join(import.meta.dirname, '..', 'dist', 'lib', 'cli', 'main.js'))
        const asProcess: number[] = []
        for (let i = 0; built && i < samples; i++) {
          const started = performance.now()
          const result = spawnSync(process.execPath, [bin, ...ourArgs], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } })
          asProcess.push(performance.now() - started)
          if (result.status !== 0) throw new Error(`bench: runbook (process) failed: ${result.stderr}`)
        }

        const kafka: number[] = []
        for (let i = 0; i < samples; i++) {
          const started = performance.now()
          // As an operator's kafka-consumer-groups.sh starts: the sandbox's JVM settings and class archive would flatter it.
          const result = await runKafkaTool(
            config,
            'kafka-consumer-groups',
            ['--bootstrap-server', info.bootstrap, '--group', group, '--reset-offsets', '--all-topics', '--to-datetime', when, '--dry-run'],
            { jvm: 'kafka-scripts' },
          )
          kafka.push(performance.now() - started)
          if (result.exitCode !== 0) throw new Error(`bench: kafka-consumer-groups failed: ${result.stderr}`)
        }

        const kafkaMs = median(kafka)
        const row = (what: string, ms: number) =>
          `  ${what.padEnd(56)} ${(ms / 1000).toFixed(2).padStart(6)} s   ratio to Kafka's tool ${(ms / kafkaMs).toFixed(2)}   goal ≤ ${goalMs / 1000} s: ${ms <= goalMs ? 'met' : 'missed'}`
        console.log(
          [
            '',
            `consumer-oom-replay plan, group on ${partitions} partitions (${topics.length} topics), Kafka ${info.kafkaVersion}, median of ${samples}`,
            row('runbook run --dry-run (in-process: connect + read + plan)', median(inProcess)),
            ...(built
              ? [row('runbook run --dry-run (a new node process, dist/)', median(asProcess))]
              : ['  (dist/ not built: run `npm run build` for the process figure)']),
            `  ${'kafka-consumer-groups --reset-offsets --to-datetime --dry-run'.padEnd(56)} ${(kafkaMs / 1000).toFixed(2).padStart(6)} s`,
            '',
          ].join('\n'),
        )
      } finally {
        if (info.started) await down(config, { wipe: true })
      }
    },
    { iterations: 1, warmupIterations: 0, time: 0, warmupTime: 0 },
  )
})
