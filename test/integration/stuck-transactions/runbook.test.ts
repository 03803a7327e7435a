// stuck-transactions end to end on the real sandbox: what the runbook finds agrees with kafka-transactions
// find-hanging and describe-producers; an abort (records copied first) and a fence each unblock a real
// read_committed consumer (kafkajs); drift between the reviewed plan and the apply stops with exit 3 and
// nothing changed; bad input is one line.

import { mkdtempSync, readFileSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withoutTransactionVerification } from '../../../lib/drills/transaction-faults.ts'
import { produceHangingBatch } from '../../../lib/drills/workloads/hanging-batch.ts'
import { runRunbook } from '../../../lib/engine/runner.ts'
import { connect } from '../../../lib/kafka/index.ts'
import { parseSalvage } from '../../../lib/kafka/salvage-file.ts'
import type { KafkaOps } from '../../../lib/kafka/types.ts'
import { scriptedIo } from '../../../lib/testkit/index.ts'
import runbook from '../../../runbooks/stuck-transactions/index.ts'
import { produce, uniqueTopic, waitFor } from '../../support/kafka.ts'
import { given, runOptions } from '../../support/run-options.ts'
import { runCli } from '../../support/run-cli.ts'
import { kafkaToolOk, testSandbox } from '../../support/sandbox.ts'
import { parseToolTable, sandboxTransactions, startReadCommittedConsumer } from '../../support/transactions.ts'

const topic = uniqueTopic('stuck-rb')
const sessions = mkdtempSync(join(tmpdir(), 'stuck-rb-'))
const group = `${topic}-sink`
const hourAgo = () => Date.now() - 3_600_000
let ops: KafkaOps
let makers: ReturnType<typeof sandboxTransactions>
let consumer: Awaited<ReturnType<typeof startReadCommittedConsumer>>
let orphans: { producerId: bigint; firstOffset: bigint }[]

interface CliJson {
  status: string
  exitCode: number
  message?: string
  sessionDir: string
  cells: { id: string; outcome: string; data?: unknown }[]
}

async function cli(answers: Record<string, string>, extra: readonly string[] = ['--yes']): Promise<CliJson & { code: number }> {
  const sets = Object.entries({ topics: topic, 'sample-gap': '1s', 'verify-timeout': '20s', ...answers }).flatMap(([k, v]) => ['--set', `${k}=${v}`])
  const result = await runCli([
    'run',
    'stuck-transactions',
    ...sets,
    ...extra,
    '--bootstrap-server',
    testSandbox().bootstrap,
    '--sessions-dir',
    sessions,
    '--json',
  ])
  return { code: result.code, ...(JSON.parse(result.stdout || '{}') as CliJson) }
}

const stable = async (partition: number) => {
  const [hw, lso] = await ops.listOffsets([
    { topic, partition, spec: 'latest' },
    { topic, partition, spec: 'latest', isolation: 'read_committed' },
  ])
  return { highWatermark: hw!.offset, lastStable: lso!.offset }
}
const received = (partition: number) => consumer.received.filter((r) => r.partition === partition).map((r) => r.value)

beforeAll(async () => {
  ops = await connect({ bootstrapServers: testSandbox().bootstrap.split(','), clientId: 'runbook-stuck-transactions-test' })
  makers = sandboxTransactions(ops)
  expect(await ops.createTopics([{ topic, partitions: 4, replicationFactor: 3 }])).toEqual([{ topic }])
  // p1, p2: two plain records, then a hanging batch (no transactional id, an hour old), then three plain ones.
  await Promise.all([1, 2].map((partition) => produce(topic, ['before-1', 'before-2'], { partition })))
  const bootstrap = testSandbox().bootstrap.split(',')
  ;[, orphans] = await Promise.all([
    // p0: a producer commits one transaction, writes another and is SIGKILLed (its coordinator waits 10 min).
    makers.abandon({ topic, partitions: [0], transactionalId: `${topic}-etl`, transactionTimeoutMs: 600_000, committedBefore: 1 }),
    withoutTransactionVerification(ops, () =>
      Promise.all([1, 2].map((partition) => produceHangingBatch({ bootstrap, topic, partition, records: 3, transactionalId: null, timestampMs: hourAgo() }))),
    ),
  ])
  await Promise.all([0, 1, 2].map((partition) => produce(topic, ['after-1', 'after-2', 'after-3'], { partition })))
  consumer = await startReadCommittedConsumer(topic, group)
  // Held at each LSO: it got what lies below and committed it.
  await waitFor(
    async () => {
      const committed = (await ops.committedOffsets(group, [topic])).offsets
      return [0, 1, 2].every((p) => (committed.find((o) => o.partition === p)?.offset ?? -1n) >= 2n)
    },
    { what: 'the read_committed consumer to commit up to the stuck offsets' },
  )
})

afterAll(async () => {
  await consumer?.stop()
  await makers?.stop()
  if (ops) {
    await ops.deleteTopics([topic])
    await ops.close()
  }
})

describe('stuck-transactions on the real cluster', () => {
  it('finds the stuck partitions as kafka-transactions does, with the held group, and plans without changing anything', async () => {
    const dry = await cli({ 'producer-idle': '1s' }, ['--dry-run'])
    expect(dry).toMatchObject({ code: 0, status: 'dry-run' })
    const data = dry.cells.find((c) => c.id === 'stuck-partitions')!.data as {
      partitions: {
        partition: number
        lastStableOffset: string
        highWatermark: string
        records: { records: number }
        transactions: { producerId: string; producerEpoch: number; startOffset: string; verdict: { kind: string; pastMaxTimeout?: boolean } }[]
      }[]
      groups: { groupId: string; partition: number; where: string }[]
    }
    expect(data.partitions.map((p) => [p.partition, p.lastStableOffset, p.highWatermark, p.records.records, p.transactions[0]!.verdict.kind])).toEqual([
      [0, '3', '8', 2, 'producer-gone'],
      [1, '2', '8', 3, 'hanging'],
      [2, '2', '8', 3, 'hanging'],
    ])
    expect(data.groups.filter((g) => g.groupId === group).map((g) => [g.partition, g.where])).toEqual([
      [0, 'waiting'],
      [1, 'waiting'],
      [2, 'waiting'],
    ])
    // find-hanging lists exactly the transactions judged hanging past the maximum timeout; describe-producers the same open transactions.
    const hanging = parseToolTable(await kafkaToolOk('kafka-transactions', ['find-hanging', '--topic', topic]))
    const ours = data.partitions.flatMap((p) =>
      p.transactions
        .filter((t) => t.verdict.kind === 'hanging' && t.verdict.pastMaxTimeout)
        .map((t) => `${p.partition}/${t.producerId}/${t.producerEpoch}/${t.startOffset}`),
    )
    expect(hanging.map((r) => `${r.Partition}/${r.ProducerId}/${r.ProducerEpoch}/${r.StartOffset}`).sort()).toEqual(ours.sort())
    expect(ours.map((o) => o.split('/')[1])).toEqual(orphans.map((o) => String(o.producerId)))
    const producers = parseToolTable(await kafkaToolOk('kafka-transactions', ['describe-producers', '--topic', topic, '--partition', '0']))
    const open = producers.filter((r) => r.CurrentTransactionStartOffset !== 'None')
    expect(open.map((r) => [r.ProducerId, r.ProducerEpoch, r.CurrentTransactionStartOffset])).toEqual(
      data.partitions[0]!.transactions.map((t) => [t.producerId, String(t.producerEpoch), t.startOffset]),
    )
    expect(await stable(1)).toEqual({ highWatermark: 8n, lastStable: 2n })
  })

  it('aborts the hanging transaction after copying its records: the LSO reaches the high watermark and the consumer gets the records behind it', async () => {
    const result = await cli({ partitions: `${topic}:1` })
    expect(result).toMatchObject({ code: 0, status: 'done' })
    expect(result.cells.find((c) => c.id === 'abort')).toMatchObject({ outcome: 'applied' })
    expect(await stable(1)).toEqual({ highWatermark: 9n, lastStable: 9n })
    const file = readdirSync(result.sessionDir).find((f) => f.startsWith(`aborted-${topic}-1-`))!
    const copy = parseSalvage(readFileSync(join(result.sessionDir, file), 'utf8').split('\n'))
    expect(copy.complete).toBe(true)
    expect(copy.records.map((r) => [r.offset, r.producerId])).toEqual([2n, 3n, 4n].map((offset) => [offset, orphans[0]!.producerId]))
    await waitFor(async () => received(1).includes('after-3'), { what: 'the consumer to read past the aborted transaction' })
    expect(received(1)).toEqual(['before-1', 'before-2', 'after-1', 'after-2', 'after-3'])
  })

  it('fences the killed producer through its coordinator: the LSO moves and the consumer gets the records behind it, never the aborted ones', async () => {
    const result = await cli({ partitions: `${topic}:0`, decision: 'fence', 'producer-idle': '1s' })
    expect(result).toMatchObject({ code: 0, status: 'done' })
    expect(result.cells.find((c) => c.id === 'fence')).toMatchObject({ outcome: 'applied' })
    const after = await stable(0)
    expect(after.lastStable).toBe(after.highWatermark)
    await waitFor(async () => received(0).includes('after-3'), { what: 'the consumer to read past the fenced transaction' })
    expect(received(0).filter((v) => v.startsWith('after'))).toEqual(['after-1', 'after-2', 'after-3'])
    expect(received(0)).toHaveLength(5)
  })

  it('stops with exit 3 and changes nothing when the transaction ended between the plan and the apply', async () => {
    const io = scriptedIo([{ type: `abort ${topic}:2 3` }, { confirm: false, message: /new plan/ }])
    io.beforeNextPrompt(() => {
      // Someone else ended it meanwhile (here: our own abort, outside the run).
      void ops.abortTransactions([{ topic, partition: 2, producerId: orphans[1]!.producerId }])
    })
    const result = await runRunbook(
      runbook,
      runOptions(io, ops, { sessionsDir: sessions, given: given({ topics: topic, partitions: `${topic}:2`, decision: 'abort', 'sample-gap': '0s' }) }),
    )
    expect(result).toMatchObject({ status: 'drifted', exitCode: 3 })
    expect(result.message).toContain(`${topic}:2`)
    expect(readdirSync(result.sessionDir).some((f) => f.startsWith('aborted-'))).toBe(false)
  })

  it.each<{ name: string; answers: Record<string, string>; message: string }>([
    {
      name: 'a partition with no open transaction',
      answers: { partitions: `${topic}:3` },
      message: `${topic}:3 has no open transaction holding the last stable offset`,
    },
    { name: 'a producer id that is not there', answers: { 'producer-id': '987654321' }, message: 'producer id 987654321 holds no stuck partition' },
  ])('bad input, one line and nothing changed: $name', async ({ answers, message }) => {
    const before = await stable(0)
    const result = await cli(answers)
    expect(result).toMatchObject({ code: 2, status: 'refused' })
    expect(result.message).toContain(message)
    expect(result.message!.split('\n')).toHaveLength(1)
    expect(await stable(0)).toEqual(before)
  })
})
