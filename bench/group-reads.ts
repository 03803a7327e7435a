// What `runbook status` costs on a cluster with many consumer groups: the requests it sends, by API, and its wall
// and CPU time, against another checkout's build (issue 19). Its own sandbox (RUNBOOK_BENCH_SANDBOX, ports from
// RUNBOOK_BENCH_SANDBOX_PORT); the groups are Empty classic groups made by admin commits, two partitions each.
//
//   node --import ./lib/drills/ts-loader/register.mjs bench/group-reads.ts up 200
//   node --import ./lib/drills/ts-loader/register.mjs bench/group-reads.ts compare /path/to/other/checkout 10
//   node --import ./lib/drills/ts-loader/register.mjs bench/group-reads.ts down
//
// Both checkouts must be built (`npm run build`). Runs alternate (this checkout, then the other) and the load
// average is printed beside the figures: this machine is shared.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { connect } from '../lib/kafka/index.ts'
import { createSandboxProbe } from '../lib/kafka/platformatic/sandbox-probe.ts'
import { down, sandboxConfig, up } from '../lib/sandbox/index.ts'
import { measureProcess } from './measure-process.ts'

const config = sandboxConfig({
  name: process.env.RUNBOOK_BENCH_SANDBOX || 'bench-groups',
  basePort: Number(process.env.RUNBOOK_BENCH_SANDBOX_PORT || 19360),
})
const topic = 'bench-groups-in'
const partitions = 10
const bootstrap = Array.from({ length: config.brokers }, (_, i) => `127.0.0.1:${config.basePort + i + 1}`).join(',')

/** The group reads among the requests bench/request-trace.mjs records. */
const groupApis = ['FindCoordinator', 'ListGroups', 'DescribeGroups', 'ConsumerGroupDescribe', 'OffsetFetch']
const tracer = fileURLToPath(new URL('./request-trace.mjs', import.meta.url))

async function createGroups(count: number): Promise<void> {
  await up(config, { probe: createSandboxProbe('runbook-bench'), onProgress: (line) => console.log(line) })
  const ops = await connect({ bootstrapServers: bootstrap.split(',') })
  try {
    await ops.createTopics([{ topic, partitions, replicationFactor: 3 }])
    const existing = new Set((await ops.listGroups()).groups.map((g) => g.groupId))
    for (let i = 0; i < count; i++) {
      const groupId = `bench-group-${String(i).padStart(4, '0')}`
      if (existing.has(groupId)) continue
      const failed = (
        await ops.alterCommittedOffsets(groupId, [
          { topic, partition: i % partitions, offset: 0n },
          { topic, partition: (i + 1) % partitions, offset: 0n },
        ])
      ).find((r) => r.error)
      if (failed) throw new Error(`commit for ${groupId} failed: ${failed.error!.name}`)
    }
    console.log(`${(await ops.listGroups()).groups.length} groups on ${bootstrap}`)
  } finally {
    await ops.close()
  }
}

/** One status run, timed; with `traceFile`, run beside the request tracer (which costs time: not timed then). */
function runStatus(checkout: string, traceFile?: string) {
  const args = [`${checkout}/bin/runbook.js`, 'status', '--json', '--bootstrap-server', bootstrap]
  const run = traceFile
    ? measureProcess(process.execPath, ['--import', tracer, ...args], { env: { ...process.env, RUNBOOK_REQUEST_TRACE: traceFile } })
    : measureProcess(process.execPath, args)
  return { wallMs: run.wallMs, cpuMs: run.cpuMs, groups: (JSON.parse(run.stdout) as { groups?: unknown[] }).groups?.length ?? null }
}

/** Requests of one traced run, by API name. */
function requestsOf(checkout: string): { groups: number | null; byApi: Map<string, number>; total: number } {
  const traceFile = join(mkdtempSync(join(tmpdir(), 'group-reads-')), 'trace.json')
  const { groups } = runStatus(checkout, traceFile)
  const trace = JSON.parse(readFileSync(traceFile, 'utf8')) as { requests: { api: string }[] }
  rmSync(dirname(traceFile), { recursive: true, force: true })
  const byApi = new Map<string, number>()
  for (const { api } of trace.requests) byApi.set(api, (byApi.get(api) ?? 0) + 1)
  return { groups, byApi, total: trace.requests.length }
}

function compare(other: string, pairs: number): void {
  const here = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '')
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!
  const runs = new Map<string, { wallMs: number[]; cpuMs: number[] }>([
    [here, { wallMs: [], cpuMs: [] }],
    [other, { wallMs: [], cpuMs: [] }],
  ])
  for (const checkout of [here, other]) {
    const { groups, byApi, total } = requestsOf(checkout) // also the warm-up
    const named = groupApis.map((api) => `${api} ${byApi.get(api) ?? 0}`)
    console.log(`${checkout}: ${groups} groups in the answer; ${named.join(', ')}; all requests ${total}`)
  }
  for (let pair = 0; pair < pairs; pair++) {
    for (const checkout of pair % 2 === 0 ? [here, other] : [other, here]) {
      const run = runStatus(checkout)
      runs.get(checkout)!.wallMs.push(run.wallMs)
      runs.get(checkout)!.cpuMs.push(run.cpuMs ?? Number.NaN)
    }
    console.log(`pair ${pair + 1}: load ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`)
  }
  for (const [checkout, { wallMs, cpuMs }] of runs) console.log(`${checkout}: median wall ${median(wallMs).toFixed(0)} ms, CPU ${median(cpuMs).toFixed(0)} ms`)
  const ratio = (pick: 'wallMs' | 'cpuMs') => median(runs.get(here)![pick]) / median(runs.get(other)![pick])
  console.log(`this checkout / other: wall ${ratio('wallMs').toFixed(2)}, CPU ${ratio('cpuMs').toFixed(2)}`)
}

const [command, argument, pairs] = process.argv.slice(2)
if (command === 'up') await createGroups(Number(argument || 200))
else if (command === 'compare' && argument) compare(argument, Number(pairs || 10))
else if (command === 'down') await down(config, { wipe: true })
else {
  console.error('usage: bench/group-reads.ts up [groups] | compare <other checkout> [pairs] | down')
  process.exitCode = 1
}
