// How long the sandbox takes to become ready, and how much memory it holds: the cost every test run and
// every drill pays. Printed beside the target (≤ 10 s from nothing to ready on the project's 2-core machine):
// the whole time of `up` — software checks, formatting the four nodes, starting them and the readiness probe —
// the median of three fresh starts, with its parts.
//   npm run bench                          (sandbox "bench" on ports 19290-19293)
//   RUNBOOK_BENCH_SANDBOX_PORT=39180 npm run bench

import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { bench, describe } from 'vitest'
import { createSandboxProbe } from '../lib/kafka/platformatic/sandbox-probe.ts'
import type { SandboxConfig, SandboxInfo } from '../lib/sandbox/index.ts'
import { down, ensureKafkaSoftware, sandboxConfig, up } from '../lib/sandbox/index.ts'

const targetReadyMs = 10_000
const freshStarts = 3
const probe = createSandboxProbe('runbook-bench')
const port = Number(process.env.RUNBOOK_BENCH_SANDBOX_PORT || 19290)
const config: SandboxConfig = sandboxConfig({ name: process.env.RUNBOOK_BENCH_SANDBOX || 'bench', basePort: port }, process.env)
const figures: { what: string; ms?: number; target?: number; text?: string }[] = []

function rssBytes(pids: readonly number[]): number {
  let total = 0
  for (const pid of pids) {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('VmRSS:'))
    total += Number(/(\d+)/.exec(line ?? '')?.[1] ?? 0) * 1024
  }
  return total
}

function report(): void {
  const lines = ['', `sandbox benchmark — Kafka ${config.kafkaVersion}, 1 controller + ${config.brokers} brokers, ${process.platform} ${process.arch}`]
  for (const figure of figures) {
    if (figure.text) lines.push(`  ${figure.what.padEnd(42)} ${figure.text}`)
    else
      lines.push(
        `  ${figure.what.padEnd(42)} ${(figure.ms! / 1000).toFixed(1).padStart(5)} s${figure.target ? `   (target ≤ ${figure.target / 1000} s: ratio ${(figure.ms! / figure.target).toFixed(2)})` : ''}`,
      )
  }
  console.log(lines.join('\n') + '\n')
}

// One bench, one sample: each step starts JVMs, so tinybench's repetitions would only multiply the wait.
describe('sandbox', () => {
  bench(
    'jar fetch cold + warm; up → ready fresh and on existing data; down',
    async () => {
      const cache = mkdtempSync(join(tmpdir(), 'runbook-bench-cache-'))
      try {
        const cold = { ...config, jarCacheDir: cache }
        let started = Date.now()
        await ensureKafkaSoftware(cold)
        figures.push({ what: 'jar fetch, cold (download + verify)', ms: Date.now() - started })
        started = Date.now()
        await ensureKafkaSoftware(cold)
        figures.push({ what: 'jar fetch, warm (cache check)', ms: Date.now() - started })
      } finally {
        rmSync(cache, { recursive: true, force: true })
      }

      await down(config, { wipe: true })
      await ensureKafkaSoftware(config)
      const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!
      try {
        const fresh: SandboxInfo[] = []
        const wall: number[] = []
        for (let i = 0; i < freshStarts; i++) {
          const started = Date.now()
          fresh.push(await up(config, { probe }))
          wall.push(Date.now() - started)
          if (i < freshStarts - 1) await down(config, { wipe: true, brokerGraceMs: 0 })
        }
        figures.push({ what: `up → ready from nothing (cached jars), median of ${freshStarts}`, ms: median(wall), target: targetReadyMs })
        figures.push({ what: '  of which formatting the four nodes', ms: median(fresh.map((info) => info.formatMs)) })
        figures.push({ what: '  of which first start → ready', ms: median(fresh.map((info) => info.startMs)) })
        figures.push({ what: '  each run', text: wall.map((ms) => `${(ms / 1000).toFixed(1)} s`).join(', ') + `   (load ${loadavg()[0]!.toFixed(1)})` })
        figures.push({ what: 'cluster RSS at ready (4 JVMs)', text: `${(rssBytes(fresh.at(-1)!.nodes.map((node) => node.pid!)) / 1e6).toFixed(0)} MB` })
        let started = Date.now()
        await down(config)
        figures.push({ what: 'down (brokers, then controller)', ms: Date.now() - started })
        started = Date.now()
        await up(config, { probe })
        figures.push({ what: 'up → ready, restart on existing data', ms: Date.now() - started, target: targetReadyMs })
      } finally {
        await down(config, { wipe: true })
      }
      report()
    },
    { iterations: 1, warmupIterations: 0, time: 0, warmupTime: 0 },
  )
})
