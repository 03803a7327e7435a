// The poison-pill runbook against the in-memory fake: found without answers, the record shown but not written
// down, dead-letter copy and skip of exactly one partition by exactly one record, drift, bad input, undo.
// The real cluster, a crash-looping kafkajs group and Kafka's own tools are in test/integration/poison-pill/.

import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runRunbook, type RunOptions } from '../../../lib/engine/runner.ts'
import { fakeCluster, type FakeKafka } from '../../../lib/kafka/fake/index.ts'
import runbook from '../../../runbooks/poison-pill/index.ts'
import { given, runOptions } from '../../support/run-options.ts'
import { scriptedIo } from '../../../lib/testkit/index.ts'
import { runUndo } from '../../../lib/engine/undo.ts'
import { undoOptions } from '../../support/undo-options.ts'

const order = (n: number) => Buffer.from(JSON.stringify({ order: n, amount: n * 1.5 }))
const poison = Buffer.from('{"order":5,"amount":', 'utf8')

/** orders: 3 partitions of 10 JSON orders; orders:1 has a cut-off JSON at offset 5. ledger committed 10, 5, 10. */
async function cluster(options: { members?: boolean } = {}): Promise<FakeKafka> {
  const kafka = fakeCluster()
    .brokers(3)
    .topic('orders', { partitions: 3 })
    .group('ledger', {
      offsets: { 'orders/0': 10n, 'orders/1': 5n, 'orders/2': 10n },
      members: options.members ? [{ clientId: 'ledger-service', host: '/10.0.0.7', assignment: ['orders/1'] }] : [],
    })
    .build()
  for (const p of [0, 1, 2])
    await kafka.produce(
      'orders',
      Array.from({ length: 10 }, (_, i) => ({
        partition: p,
        key: Buffer.from(`k${i}`),
        value: p === 1 && i === 5 ? poison : order(i),
        headers: [{ key: 'source', value: Buffer.from('shop') }],
      })),
    )
  return kafka
}

const headless = (kafka: FakeKafka, answers: Record<string, string>, extra: Partial<RunOptions> = {}) =>
  runRunbook(
    runbook,
    runOptions(scriptedIo([], { interactive: false }), kafka, {
      given: given({ 'sample-interval': '0s', ...answers }),
      approvals: { yes: true, hashes: [] },
      ...extra,
    }),
  )

const committed = async (kafka: FakeKafka) => (await kafka.committedOffsets('ledger')).offsets.map((o) => `${o.topic}/${o.partition}=${o.offset}`)

describe('poison-pill on the fake', () => {
  it('finds the stuck partition without answers, copies the record to orders.dlq, skips exactly it; undo puts the offset back', async () => {
    const kafka = await cluster()
    const result = await headless(kafka, { action: 'dlq-and-skip' })
    expect(result).toMatchObject({ status: 'done', exitCode: 0 })
    expect(await committed(kafka)).toEqual(['orders/0=10', 'orders/1=6', 'orders/2=10'])
    const look = result.cells.find((c) => c.id === 'stuck-record')!
    expect(look.data).toMatchObject({ partition: 'orders:1', found: 'odd', stuck: { offset: 5n } })
    // The copy: the record byte for byte, its own header, then ours.
    const [copy] = await kafka.fetchRecords([{ topic: 'orders.dlq', partition: 1, offset: 0n, maxRecords: 10 }])
    const records = copy!.batches.flatMap((b) => b.records)
    expect(records).toHaveLength(1)
    expect(records[0]!.value).toEqual(poison)
    expect(records[0]!.key).toEqual(Buffer.from('k5'))
    expect(records[0]!.headers.map((h) => `${h.key}=${h.value}`)).toEqual([
      'source=shop',
      'dlq.original.topic=orders',
      'dlq.original.partition=1',
      'dlq.original.offset=5',
      expect.stringMatching(/^dlq.original.timestamp=\d+$/),
      'dlq.original.timestamp-type=CreateTime',
      'dlq.consumer-group=ledger',
      expect.stringMatching(/^dlq.reason=/),
    ])
    // The payload was on the screen, not in the transcript.
    const transcript = readFileSync(join(result.sessionDir, 'events.jsonl'), 'utf8')
    expect(transcript).not.toContain('{\\"order\\":5,\\"amount\\":')
    // Undo: the committed offset back to 5; the copy stays.
    const undone = await runUndo(
      undoOptions({
        runbook,
        io: scriptedIo([], { interactive: false }),
        kafka,
        sessionDir: result.sessionDir,
      }),
    )
    expect(undone).toMatchObject({ exitCode: 0 })
    expect(await committed(kafka)).toEqual(['orders/0=10', 'orders/1=5', 'orders/2=10'])
  })

  it('skip-n skips exactly count records from the stuck one; a dry run changes nothing', async () => {
    const kafka = await cluster()
    const setup = kafka.mutations.length
    const dry = await headless(kafka, { group: 'ledger', partition: 'orders:1', action: 'skip-n', count: '2' }, { dryRun: true })
    expect(dry).toMatchObject({ status: 'dry-run', exitCode: 0 })
    expect(kafka.mutations).toHaveLength(setup)
    const result = await headless(kafka, { group: 'ledger', partition: 'orders:1', action: 'skip-n', count: '2' })
    expect(result).toMatchObject({ status: 'done', exitCode: 0 })
    expect(await committed(kafka)).toEqual(['orders/0=10', 'orders/1=7', 'orders/2=10'])
  })

  it('bad input stops with one line and changes nothing: a partition that is not stuck, an offset out of range, a group with members', async () => {
    const kafka = await cluster()
    const setup = kafka.mutations.length
    const notStuck = await headless(kafka, { group: 'ledger', partition: 'orders:0', action: 'skip' })
    expect(notStuck.exitCode).toBe(2)
    expect(notStuck.message).toMatch(/orders:0 is not stuck/)
    const outside = await headless(kafka, { group: 'ledger', partition: 'orders:1', offset: '99', action: 'skip' })
    expect(outside.exitCode).toBe(2)
    expect(outside.message).toMatch(/offset 99 is outside the log of orders:1/)
    expect(kafka.mutations).toHaveLength(setup)
    const busy = await cluster({ members: true })
    const busySetup = busy.mutations.length
    const refused = await headless(busy, { group: 'ledger', partition: 'orders:1', action: 'skip', 'wait-for-empty': '0s' })
    expect(refused.exitCode).not.toBe(0)
    expect(busy.mutations).toHaveLength(busySetup)
    expect(await committed(busy)).toEqual(['orders/0=10', 'orders/1=5', 'orders/2=10'])
  })

  // A crash-looping service's group reads Empty between restarts. The integration test under load: the stop step
  // read Empty and was skipped, the wait took its first Empty reading, the copy was written, and Kafka refused the
  // skip because the next restart had joined.
  it.each([
    { name: 'Empty', firstWithMember: false },
    { name: 'with a member', firstWithMember: true },
  ])(
    'a crash loop that reads $name at the stop step: the stop steps run, and without a stop command nothing is copied or skipped',
    async ({ firstWithMember }) => {
      const kafka = await cluster()
      const setup = kafka.mutations.length
      // Between two reads of the group the last instance crashed and left, and every other time a new one joined:
      // the find step's two samples see two instances (a crash loop), later reads alternate between Empty and one member.
      let reads = 0
      const describeGroups = kafka.describeGroups.bind(kafka)
      kafka.describeGroups = (groupIds) => {
        reads += 1
        kafka.stopMembers('ledger')
        if (reads <= 3 || reads % 2 === (firstWithMember ? 1 : 0))
          kafka.addMember('ledger', { memberId: `instance-${reads}`, clientId: 'ledger-service', assignment: [] })
        return describeGroups(groupIds)
      }
      const result = await headless(kafka, { group: 'ledger', partition: 'orders:1', action: 'dlq-and-skip', 'wait-for-empty': '0s' })
      const outcome = (id: string) => result.cells.find((c) => c.id === id)?.outcome
      expect(result.cells.find((c) => c.id === 'find')!.data).toMatchObject({ stuck: [{ verdict: 'crash-loop' }] })
      expect(result).toMatchObject({ status: 'refused', exitCode: 2 })
      expect(result.message).toMatch(/group ledger is still \w+ with 1 active member \(ledger-service@/)
      expect([outcome('stop-the-consumers'), outcome('stop-command')]).toEqual(['done', 'skipped'])
      expect(kafka.mutations.slice(setup)).toEqual([])
      expect(await committed(kafka)).toEqual(['orders/0=10', 'orders/1=5', 'orders/2=10'])
    },
  )

  it('stops with exit 3 when the group commits after the plan was shown, and changes nothing', async () => {
    const kafka = await cluster()
    const io = scriptedIo([{ type: 'ledger orders:1 1' }, { confirm: false, message: /new plan/ }])
    io.beforeNextPrompt(() => void kafka.commit('ledger', 'orders', 1, 6n))
    const result = await runRunbook(
      runbook,
      runOptions(io, kafka, { given: given({ 'sample-interval': '0s', group: 'ledger', partition: 'orders:1', offset: '5', action: 'skip' }) }),
    )
    expect(result).toMatchObject({ status: 'drifted', exitCode: 3 })
    expect(result.message).toContain('committed offset of orders/1 changed since the plan (5 → 6)')
    expect(await committed(kafka)).toEqual(['orders/0=10', 'orders/1=6', 'orders/2=10'])
  })

  it('stops with exit 3 when retention deleted the records between the plan and the apply', async () => {
    const kafka = await cluster()
    const io = scriptedIo([{ input: '' }, { type: 'ledger orders:1 1' }, { confirm: false, message: /new plan/ }])
    // After the offset prompt (before the plan), before the confirmation (after it).
    io.beforeNextPrompt(() => io.beforeNextPrompt(() => void kafka.deleteRecords([{ topic: 'orders', partition: 1, offset: 6n }])))
    const result = await runRunbook(
      runbook,
      runOptions(io, kafka, { given: given({ 'sample-interval': '0s', group: 'ledger', partition: 'orders:1', action: 'skip' }) }),
    )
    expect(result).toMatchObject({ status: 'drifted', exitCode: 3 })
    expect(result.message).toMatch(/records of orders\/1 from offset 5/)
    expect(await committed(kafka)).toEqual(['orders/0=10', 'orders/1=5', 'orders/2=10'])
  })
})
