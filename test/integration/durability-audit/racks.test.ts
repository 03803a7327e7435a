// Racks on real brokers: a sandbox of its own with brokers 1 and 2 in zone-a, 3 in zone-b and 4 without a
// rack. The audit finds a topic with every replica in one rack, says which brokers have no rack, and its
// exported reassignment — run by kafka-reassign-partitions — spreads the replicas so the finding is gone.

import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect } from '../../../lib/kafka/index.ts'
import { createSandboxProbe } from '../../../lib/kafka/platformatic/sandbox-probe.ts'
import type { KafkaOps } from '../../../lib/kafka/types.ts'
import { down, runKafkaTool, sandboxConfig, up } from '../../../lib/sandbox/index.ts'
import { runCli } from '../../support/run-cli.ts'

const config = sandboxConfig({
  name: process.env.RUNBOOK_TEST_RACKS_SANDBOX || 'test-racks',
  basePort: Number(process.env.RUNBOOK_TEST_RACKS_PORT || 19250),
  brokers: 4,
  racks: { 1: 'zone-a', 2: 'zone-a', 3: 'zone-b', 4: null },
})
const sessions = mkdtempSync(join(tmpdir(), 'audit-racks-'))
let bootstrap = ''
let ops: KafkaOps

interface CliJson {
  exitCode: number
  message?: string
  findings: { id: string; severity: string; summary: string }[]
  cells: { id: string; data?: unknown }[]
}

async function audit(topics: readonly string[]): Promise<CliJson> {
  const result = await runCli([
    'run',
    'durability-audit',
    '--bootstrap-server',
    bootstrap,
    '--sessions-dir',
    sessions,
    '--json',
    '--set',
    `topics=${topics.join(',')}`,
  ])
  const json = JSON.parse(result.stdout || '{}') as CliJson
  expect(result.code, json.message ?? result.stderr).toBe(0)
  return json
}

async function tool(name: string, args: readonly string[]): Promise<string> {
  const result = await runKafkaTool(config, name, ['--bootstrap-server', bootstrap, ...args], { timeoutMs: 60_000 })
  if (result.exitCode !== 0) throw new Error(`${name} failed: ${result.stderr.trim()}`)
  return result.stdout
}

beforeAll(async () => {
  const info = await up(config, { probe: createSandboxProbe('audit-racks'), ownerPid: process.pid, timeoutMs: 240_000 })
  bootstrap = info.bootstrap
  ops = await connect({ bootstrapServers: bootstrap.split(','), clientId: 'audit-racks' })
  const created = await ops.createTopics([
    {
      topic: 'one-rack',
      assignments: [
        [1, 2],
        [2, 1],
      ],
      configs: { 'min.insync.replicas': '2' },
    },
    { topic: 'spread', assignments: [[1, 3]], configs: { 'min.insync.replicas': '2' } },
    { topic: 'unknown', assignments: [[3, 4]], configs: { 'min.insync.replicas': '2' } },
  ])
  expect(created.filter((c) => c.error)).toEqual([])
}, 300_000)

afterAll(async () => {
  await ops?.close()
  await down(config, { wipe: true })
}, 120_000)

describe('racks on real brokers', () => {
  it('all replicas in one rack is a finding; another rack is not; brokers without a rack are named', async () => {
    const json = await audit(['one-rack', 'spread', 'unknown'])
    const kinds = json.findings.map((f) => [f.id, f.severity])
    expect(kinds).toContainEqual(['one-rack', 'medium'])
    expect(json.findings.find((f) => f.id === 'one-rack')!.summary).toBe(
      'every replica in rack zone-a — one rack failure takes every copy (2 partitions): topic one-rack',
    )
    expect(json.findings.find((f) => f.id === 'racks-unknown')!.summary).toBe('broker 4 without broker.rack: failure domains unknown')
    const topics = (
      json.cells.find((c) => c.id === 'topics')!.data as {
        topics: { topic: string; racks: string[]; singleRackPartitions: number; unknownRackPartitions: number }[]
      }
    ).topics
    expect(topics.map((t) => [t.topic, t.racks, t.singleRackPartitions, t.unknownRackPartitions])).toEqual([
      ['one-rack', ['zone-a'], 2, 0],
      ['spread', ['zone-a', 'zone-b'], 0, 0],
      ['unknown', ['zone-b'], 0, 1],
    ])
  })

  it('the exported rack-spread plan is what kafka-reassign-partitions runs; afterwards the finding is gone', async () => {
    const json = await audit(['one-rack'])
    const data = json.cells.find((c) => c.id === 'reassignment')!.data as {
      file: string
      plan: { moves: { partition: number; proposed: number[]; racksAfter: (string | null)[] }[]; targetReplicationFactor: number }
    }
    // RF 2 → 3 (the default target), the new replica in zone-b: broker 3 (4 has no rack, so it spreads nothing).
    expect(data.plan.moves.map((m) => [m.partition, m.proposed, m.racksAfter])).toEqual([
      [0, [1, 2, 3], ['zone-a', 'zone-a', 'zone-b']],
      [1, [2, 1, 3], ['zone-a', 'zone-a', 'zone-b']],
    ])
    await tool('kafka-reassign-partitions', ['--reassignment-json-file', data.file, '--execute'])
    for (let attempt = 0; ; attempt++) {
      if (/is completed/.test(await tool('kafka-reassign-partitions', ['--reassignment-json-file', data.file, '--verify']))) break
      if (attempt > 60) throw new Error('reassignment did not complete')
      await new Promise((resolve) => setTimeout(resolve, 1000))
    }
    const after = await audit(['one-rack'])
    expect(after.findings.map((f) => f.id)).not.toContain('one-rack')
  })
})
