// poison-pill end to end on the real sandbox: a kafkajs service crash-looping on a real poison record (the drill's
// order-service workload, restarting its consumer in place so that the group always has members); the
// runbook finds it from two samples, refuses to skip while members are active, plans the same offset as
// kafka-consumer-groups --reset-offsets --shift-by 1 --dry-run, copies the record to the dead-letter topic
// (read back by kafka-console-consumer and byte for byte), skips exactly it (kafka-consumer-groups --describe),
// and the restarted service drains the partition.

import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Workload, WorkloadProcesses } from '../../../lib/drills/workload-processes.ts'
import type { OrderServiceConfig } from '../../../lib/drills/workloads/protocol.ts'
import { readLedger, type ProcessedEntry } from '../../../lib/drills/workloads/ledger.ts'
import { connect } from '../../../lib/kafka/index.ts'
import type { KafkaOps } from '../../../lib/kafka/types.ts'
import { uniqueTopic, waitFor } from '../../support/kafka.ts'
import { runCli } from '../../support/run-cli.ts'
import { kafkaToolOk, testSandbox } from '../../support/sandbox.ts'

let ops: KafkaOps
let service: Workload | null = null
const topic = uniqueTopic('poison')
const group = uniqueTopic('ledger')
const dir = mkdtempSync(join(tmpdir(), 'poison-e2e-'))
const workloads = new WorkloadProcesses(dir)
const ledger = join(dir, 'processed.jsonl')
const serviceConfig = (instance: number): OrderServiceConfig => ({
  kind: 'order-service',
  bootstrap: testSandbox().bootstrap.split(','),
  topic,
  groupId: group,
  ledger,
  instance,
  clientId: 'ledger-service',
  sessionTimeoutMs: 6000,
  restartInProcessMs: 300,
})
/** topic:partition@offset of every record the service handled, in order (a record handled twice shows twice). */
const handled = () => readLedger<ProcessedEntry>(ledger).map((e) => `${topic}:${e.partition}@${e.offset}`)
const perPartition = 8
const poisonOffset = 4n
const poison = Buffer.from([0x7b, 0x22, 0x6f, 0x72, 0x64, 0x65, 0x72, 0x22, 0x3a, 0xff, 0x00, 0x1b])

interface CliJson {
  status: string
  exitCode: number
  message?: string
  sessionDir: string
  cells: { id: string; outcome: string; data?: Record<string, unknown>; plan?: { target: string } }[]
}

async function cli(args: readonly string[]): Promise<{ code: number; json: CliJson }> {
  const result = await runCli([...args, '--bootstrap-server', testSandbox().bootstrap, '--sessions-dir', join(dir, 'sessions'), '--json'])
  return { code: result.code, json: JSON.parse(result.stdout || '{}') as CliJson }
}

const run = (answers: Record<string, string>, extra: readonly string[] = ['--yes']) =>
  cli(['run', 'poison-pill', ...Object.entries({ group, 'sample-interval': '3s', ...answers }).flatMap(([k, v]) => ['--set', `${k}=${v}`]), ...extra])

/** CURRENT-OFFSET per partition, as Kafka's own tool describes the group. */
async function describedOffsets(): Promise<string[]> {
  const out = await kafkaToolOk('kafka-consumer-groups', ['--describe', '--group', group])
  return out
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f[0] === group && f[1] === topic)
    .sort((a, b) => Number(a[2]) - Number(b[2]))
    .map((f) => `${f[2]}=${f[3]}`)
}

const committedOn = async (partition: number) => (await ops.committedOffsets(group, [topic])).offsets.find((o) => o.partition === partition)?.offset

beforeAll(async () => {
  ops = await connect({ bootstrapServers: testSandbox().bootstrap.split(','), clientId: 'poison-e2e' })
  await ops.createTopics([{ topic, partitions: 3, replicationFactor: 3 }])
  for (const partition of [0, 1, 2]) {
    const records = Array.from({ length: perPartition }, (_, i) => ({
      partition,
      key: Buffer.from(`order-${partition}-${i}`),
      value: partition === 1 && BigInt(i) === poisonOffset ? poison : Buffer.from(JSON.stringify({ order: i, amount: 10 + i })),
      headers: [{ key: 'trace', value: Buffer.from([1, 2, 3]) }],
    }))
    const written = await ops.produce(topic, records)
    expect(written.every((w) => !w.error)).toBe(true)
  }
  service = await workloads.start('ledger-service', serviceConfig(1))
  await waitFor(
    async () =>
      service!.last('crashed') !== undefined && (await committedOn(0)) === 8n && (await committedOn(1)) === poisonOffset && (await committedOn(2)) === 8n,
    {
      what: 'the service to crash on the poison record with the other partitions done',
      timeoutMs: 60_000,
      intervalMs: 300,
    },
  )
})

afterAll(async () => {
  await workloads.stopAll()
  await ops?.close()
})

describe('poison-pill on the sandbox', () => {
  it('finds the crash loop from two samples and refuses to skip while members are active (nothing changed)', async () => {
    // A kafkajs restart (join, sync, fetch, crash, leave) takes a few seconds: sample long enough to see two.
    const { code, json } = await run({ action: 'dlq-and-skip', 'wait-for-empty': '1s', 'sample-interval': '8s' })
    expect(code).not.toBe(0)
    expect(json.message).toMatch(/member/)
    const found = json.cells.find((c) => c.id === 'find')!.data as { stuck: { partition: string; verdict: string; committed: string }[] }
    expect(found.stuck[0]).toMatchObject({ partition: `${topic}:1`, verdict: 'crash-loop', committed: '4' })
    const look = json.cells.find((c) => c.id === 'stuck-record')!.data as { stuck: { offset: string; shape: string } }
    expect(look.stuck.offset).toBe('4')
    expect(await describedOffsets()).toEqual(['0=8', '1=4', '2=8'])
    expect((await ops.listOffsets([{ topic: `${topic}.dlq`, partition: 1, spec: 'latest' }]))[0]?.error?.name).toBe('UNKNOWN_TOPIC_OR_PARTITION')
  })

  it('copies the record to the dead-letter topic and skips exactly it, as Kafka’s own tool would; the restarted service drains the partition', async () => {
    // The stop command is the operator's: here it stops the service process (it leaves the group on SIGTERM).
    const { code, json } = await run({ partition: `${topic}:1`, action: 'dlq-and-skip', 'stop-command': `kill -TERM ${service!.pid}`, 'wait-for-empty': '30s' })
    expect({ code, message: json.message }).toEqual({ code: 0, message: undefined })
    const handledBefore = handled()
    // kafka-consumer-groups: only partition 1 moved, by exactly the one record.
    expect(await describedOffsets()).toEqual(['0=8', '1=5', '2=8'])
    // The same skip with Kafka's own tool, from where the group was: --shift-by 1 on that partition alone lands on our target.
    const dry = await kafkaToolOk('kafka-consumer-groups', ['--reset-offsets', '--group', group, '--topic', `${topic}:1`, '--shift-by', '-1', '--dry-run'])
    expect(dry).toMatch(new RegExp(`${group}\\s+${topic}\\s+1\\s+4`))
    // The copy, as kafka-console-consumer prints it: our headers after the record's own.
    const printed = await kafkaToolOk('kafka-console-consumer', [
      '--topic',
      `${topic}.dlq`,
      '--partition',
      '1',
      '--offset',
      '0',
      '--max-messages',
      '1',
      '--timeout-ms',
      '30000',
      '--property',
      'print.headers=true',
      '--property',
      'print.key=true',
    ])
    expect(printed).toContain(`dlq.original.topic:${topic}`)
    expect(printed).toContain('dlq.original.partition:1')
    expect(printed).toContain('dlq.original.offset:4')
    expect(printed).toContain(`dlq.consumer-group:${group}`)
    expect(printed).toContain(`order-1-4`)
    // Byte for byte: key, value, the record's own header first.
    const [copy] = await ops.fetchRecords([{ topic: `${topic}.dlq`, partition: 1, offset: 0n, maxRecords: 5 }])
    const records = copy!.batches.flatMap((b) => b.records)
    expect(records).toHaveLength(1)
    expect(records[0]!.value).toEqual(poison)
    expect(records[0]!.key).toEqual(Buffer.from('order-1-4'))
    expect(records[0]!.headers[0]).toEqual({ key: 'trace', value: Buffer.from([1, 2, 3]) })
    // Restarted, the service handles 5, 6, 7 of partition 1 and nothing twice.
    const restarted = await workloads.start('ledger-service-2', serviceConfig(2))
    await waitFor(async () => (await committedOn(1)) === 8n, { what: 'the partition to drain', timeoutMs: 60_000, intervalMs: 300 })
    await restarted.stop()
    const handledAfter = handled().slice(handledBefore.length)
    expect(handledAfter).toEqual([`${topic}:1@5`, `${topic}:1@6`, `${topic}:1@7`])
    expect(handledAfter.some((h) => handledBefore.includes(h))).toBe(false)
  })
})
