import { describe, expect, it } from 'vitest'
import type { KafkaRecord } from '../../lib/kafka/records.ts'
import { planCopyTopic, type TopicFacts } from '../../lib/plans/copy-topic.ts'
import type { SalvageMarker, TransactionOutcome } from '../../lib/kafka/salvage-file.ts'
import {
  type CoordinatorWord,
  isReproduceFault,
  outcomeFromCoordinator,
  planReproduce,
  planSalvageTargets,
  type SalvagedContents,
  transactionFates,
} from '../../lib/plans/salvage.ts'
import type { CandidateExactLoss } from '../../lib/plans/exact-loss.ts'

const topic = (name: string, extra: Partial<TopicFacts> = {}): TopicFacts => ({
  topic: name,
  exists: true,
  partitions: 2,
  replicationFactor: 3,
  settings: { 'min.insync.replicas': '2', 'retention.ms': '604800000' },
  overrides: {},
  ...extra,
})
const absent = (name: string): TopicFacts => ({ topic: name, exists: false, partitions: null, replicationFactor: null, settings: {}, overrides: {} })

const record = (offset: bigint, transactional = false): KafkaRecord => ({
  offset,
  timestamp: 1_000,
  timestampType: 'create',
  key: Buffer.from('k'),
  value: Buffer.from(`v${offset}`),
  headers: [],
  producerId: -1n,
  producerEpoch: -1,
  sequence: -1,
  leaderEpoch: 4,
  transactional,
})

const contents = (partition: number, records: KafkaRecord[], readBy: { groupId: string; committed: bigint }[] = []): SalvagedContents => ({
  file: {
    topic: 'orders',
    partition,
    path: `/s/${partition}.jsonl`,
    deadBroker: 1,
    fromOffset: 100n,
    toOffset: 110n,
    records: records.length,
    sha256: 'x',
    readBy,
  },
  records,
  complete: true,
  problems: [],
})

describe('planCopyTopic', () => {
  it.each([
    { name: 'as the source when every broker is up', live: 3, rf: 3, minIsr: '2' },
    { name: 'fewer replicas, and room for one to fall behind, while a broker is down', live: 2, rf: 2, minIsr: '1' },
    { name: 'one replica when one broker is up', live: 1, rf: 1, minIsr: '1' },
  ])('$name', ({ live, rf, minIsr }) => {
    const planned = planCopyTopic(topic('orders'), 100, live)
    expect(planned.replicationFactor).toBe(rf)
    expect(planned.configs['min.insync.replicas']).toBe(minIsr)
    expect(planned.partitions).toBe(2)
  })
})

describe('planReproduce', () => {
  const cluster = { liveBrokers: 2, isr: () => 2 }

  it('creates <topic>.salvaged like the source, keeps partition numbers, and leaves transactional records in the file', () => {
    const plan = planReproduce([contents(1, [record(100n), record(101n, true), record(102n)])], null, [topic('orders'), absent('orders.salvaged')], cluster)
    if (isReproduceFault(plan)) throw new Error(plan.kind)
    expect(plan.destination).toBe('salvage-topic')
    expect(plan.topics).toMatchObject([{ topic: 'orders.salvaged', create: { partitions: 2, replicationFactor: 2 } }])
    expect(plan.steps).toMatchObject([
      { topic: 'orders.salvaged', partition: 1, records: 2, plain: 2, committed: 0, undecided: 1, firstOffset: 100n, lastOffset: 102n },
    ])
  })

  it('back into the original topic: counts what groups had already read, and refuses under min ISR', () => {
    const files = [contents(0, [record(100n), record(101n), record(102n)], [{ groupId: 'billing', committed: 102n }])]
    const plan = planReproduce(files, 'original', [topic('orders')], cluster)
    if (isReproduceFault(plan)) throw new Error(plan.kind)
    expect(plan.steps[0]).toMatchObject({ topic: 'orders', partition: 0, alreadyRead: 2 })
    expect(planReproduce(files, 'original', [topic('orders')], { liveBrokers: 2, isr: () => 1 })).toMatchObject({
      kind: 'under-min-isr',
      partitions: ['orders-0'],
      minIsr: 2,
      isr: 1,
    })
  })

  it('refuses a file that is not whole', () => {
    expect(planReproduce([{ ...contents(0, [record(100n)]), complete: false, problems: ['no trailer'] }], null, [topic('orders')], cluster)).toMatchObject({
      kind: 'not-whole',
    })
  })
})

describe('planSalvageTargets', () => {
  const loss = (fromDeadLog: number, truncateFrom: bigint): CandidateExactLoss =>
    ({ deadBroker: 1, deadLogEnd: 2100n, truncateFrom, records: fromDeadLog, fromDeadLog, fromLiveReplica: 0 }) as CandidateExactLoss

  it('copies from the cut to the dead log end, only where records are lost and the folder was read', () => {
    const targets = planSalvageTargets([
      { topic: 'orders', partition: 0, newLeader: 2, how: 'elect', loss: loss(300, 1800n), logDir: '/mnt/b1', committed: [{ groupId: 'g', committed: 1900n }] },
      { topic: 'orders', partition: 1, newLeader: 2, how: 'elect', loss: loss(0, 2100n), logDir: '/mnt/b1', committed: [] },
      { topic: 'orders', partition: 2, newLeader: 2, how: 'elect', loss: null, logDir: null, committed: [] },
    ])
    expect(targets).toEqual([
      {
        topic: 'orders',
        partition: 0,
        deadBroker: 1,
        logDir: '/mnt/b1',
        fromOffset: 1800n,
        toOffset: 2100n,
        records: 300,
        newLeader: 2,
        how: 'elect',
        readBy: [{ groupId: 'g', committed: 1900n }],
      },
    ])
  })
})

describe('transactionFates: each salvaged record by its transaction’s end', () => {
  const tx = (offset: bigint, producerId: bigint, producerEpoch = 0): KafkaRecord => ({ ...record(offset, true), producerId, producerEpoch, sequence: 0 })
  const marker = (offset: bigint, producerId: bigint, type: 'commit' | 'abort', producerEpoch = 0): SalvageMarker => ({
    offset,
    producerId,
    producerEpoch,
    type,
    coordinatorEpoch: 0,
    timestamp: 1_000,
  })
  const said = (
    producerId: bigint,
    firstOffset: bigint,
    outcome: TransactionOutcome['outcome'],
    source: TransactionOutcome['source'] = 'coordinator',
  ): TransactionOutcome => ({
    producerId,
    producerEpoch: 0,
    firstOffset,
    outcome,
    source,
    detail: `${source} says ${outcome}`,
  })
  const cut = 100n
  it.each([
    {
      name: 'a commit marker above the cut commits the records before it',
      records: [tx(100n, 7n), tx(101n, 7n)],
      markers: [marker(102n, 7n, 'commit')],
      expected: { committed: [100n, 101n], aborted: [], undecided: [], plain: [], hanging: [] },
    },
    {
      name: 'an abort marker above the cut: never written',
      records: [tx(100n, 7n), record(101n)],
      markers: [marker(102n, 7n, 'abort')],
      expected: { committed: [], aborted: [100n], undecided: [], plain: [101n], hanging: [] },
    },
    {
      name: 'a marker one epoch above the records (transaction version 2 bumps it at the end) still ends them',
      records: [tx(100n, 7n, 3)],
      markers: [marker(101n, 7n, 'commit', 4)],
      expected: { committed: [100n], aborted: [], undecided: [], plain: [], hanging: [] },
    },
    {
      name: 'several producers interleaved, each ended by its own marker',
      records: [tx(100n, 7n), tx(101n, 8n), record(102n), tx(103n, 7n)],
      markers: [marker(104n, 8n, 'abort'), marker(105n, 7n, 'commit')],
      expected: { committed: [100n, 103n], aborted: [101n], undecided: [], plain: [102n], hanging: [] },
    },
    {
      name: 'an abort then a commit by the same producer id are two transactions',
      records: [tx(100n, 7n), tx(102n, 7n)],
      markers: [marker(101n, 7n, 'abort'), marker(103n, 7n, 'commit')],
      expected: { committed: [102n], aborted: [100n], undecided: [], plain: [], hanging: [] },
    },
    {
      name: 'no marker and nobody asked: unknown, kept in the file',
      records: [tx(100n, 7n), tx(101n, 7n)],
      markers: [],
      expected: { committed: [], aborted: [], undecided: [100n, 101n], plain: [], hanging: [] },
    },
    {
      name: 'no marker, the coordinator said CompleteCommit while copying: committed',
      records: [tx(100n, 7n)],
      markers: [],
      outcomes: [said(7n, 100n, 'committed')],
      expected: { committed: [100n], aborted: [], undecided: [], plain: [], hanging: [] },
    },
    {
      name: 'no marker, still Ongoing at its coordinator: open, kept in the file',
      records: [tx(100n, 7n)],
      markers: [],
      outcomes: [said(7n, 100n, 'open')],
      expected: { committed: [], aborted: [], undecided: [100n], plain: [], hanging: [] },
    },
    {
      name: 'open while copying, then the new leader got the abort marker: the live word wins',
      records: [tx(100n, 7n)],
      markers: [],
      outcomes: [said(7n, 100n, 'open')],
      live: { outcomes: [said(7n, 100n, 'aborted', 'elected-replica')], openOnLeader: [] },
      expected: { committed: [], aborted: [100n], undecided: [], plain: [], hanging: [] },
    },
    {
      name: 'a marker whose records are all below the cut: the transaction hangs on the new leader',
      records: [record(100n)],
      markers: [marker(101n, 9n, 'commit')],
      live: { outcomes: [], openOnLeader: [{ producerId: 9n, producerEpoch: 0, startOffset: 95n }] },
      expected: {
        committed: [],
        aborted: [],
        undecided: [],
        plain: [100n],
        hanging: [{ producerId: 9n, startOffset: 95n, marker: { type: 'commit', offset: 101n } }],
      },
    },
    {
      name: 'records on both sides of the cut, marker above: the salvaged part follows the marker, the new leader holds the rest open',
      records: [tx(100n, 9n)],
      markers: [marker(101n, 9n, 'commit')],
      live: { outcomes: [], openOnLeader: [{ producerId: 9n, producerEpoch: 0, startOffset: 98n }] },
      expected: { committed: [100n], aborted: [], undecided: [], plain: [], hanging: [{ producerId: 9n, startOffset: 98n, marker: null }] },
    },
    {
      name: 'a transaction the new leader opened after the cut is not hanging',
      records: [record(100n)],
      markers: [],
      live: { outcomes: [], openOnLeader: [{ producerId: 3n, producerEpoch: 0, startOffset: 120n }] },
      expected: { committed: [], aborted: [], undecided: [], plain: [100n], hanging: [] },
    },
  ])('$name', ({ records, markers, outcomes, live, expected }) => {
    const fates = transactionFates({ records, markers, outcomes, live }, cut)
    const offsets = (list: readonly KafkaRecord[]) => list.map((r) => r.offset)
    expect({
      committed: offsets(fates.committed),
      aborted: offsets(fates.aborted),
      undecided: offsets(fates.undecided),
      plain: offsets(fates.plain),
      hanging: fates.hanging,
    }).toMatchObject(expected)
    expect(fates.hanging).toHaveLength(expected.hanging.length)
    // Every record has exactly one fate.
    expect(fates.committed.length + fates.aborted.length + fates.undecided.length + fates.plain.length).toBe(records.length)
  })

  it('a version 1 file (no markers): transactional records are unknown, the rest is written', () => {
    const plan = planReproduce([{ ...contents(0, [record(100n), tx(101n, 7n)]), markers: undefined }], null, [topic('orders'), absent('orders.salvaged')], {
      liveBrokers: 3,
      isr: () => 3,
    })
    if (isReproduceFault(plan)) throw new Error(plan.kind)
    expect(plan.steps[0]).toMatchObject({ records: 1, plain: 1, committed: 0, aborted: 0, undecided: 1, originalOffsets: [100n] })
  })

  it('the plan writes plain and committed records in offset order, and counts each kind', () => {
    const plan = planReproduce(
      [{ ...contents(0, [tx(100n, 7n), record(101n), tx(102n, 8n), tx(104n, 5n)]), markers: [marker(103n, 8n, 'abort'), marker(105n, 7n, 'commit')] }],
      null,
      [topic('orders'), absent('orders.salvaged')],
      { liveBrokers: 3, isr: () => 3 },
    )
    if (isReproduceFault(plan)) throw new Error(plan.kind)
    expect(plan.records).toBe(2)
    expect(plan.steps[0]).toMatchObject({ records: 2, plain: 1, committed: 1, aborted: 1, undecided: 1, originalOffsets: [100n, 101n] })
    expect(plan.steps[0]!.transactions.map((t) => [t.producerId, t.outcome, t.source])).toEqual([
      [7n, 'committed', 'marker'],
      [8n, 'aborted', 'marker'],
      [5n, 'unknown', 'none'],
    ])
  })
})

describe('outcomeFromCoordinator: what a coordinator’s state says of a transaction whose marker was lost', () => {
  const tp = { topic: 'orders', partition: 0 }
  const t = { producerId: 7n, producerEpoch: 3, firstOffset: 100n }
  const word = (state: string, over: Partial<CoordinatorWord> = {}): CoordinatorWord => ({
    transactionalId: 'orders-tx',
    producerId: 7n,
    producerEpoch: 3,
    state,
    partitions: [tp],
    ...over,
  })
  it.each([
    { name: 'Ongoing at the records’ epoch: open', word: word('Ongoing'), outcome: 'open' },
    { name: 'PrepareCommit, the marker still owed here: committed', word: word('PrepareCommit'), outcome: 'committed' },
    {
      name: 'CompleteCommit one epoch up (transaction version 2): committed',
      word: word('CompleteCommit', { producerEpoch: 4, partitions: [] }),
      outcome: 'committed',
    },
    { name: 'CompleteAbort: aborted', word: word('CompleteAbort', { partitions: [] }), outcome: 'aborted' },
    { name: 'PrepareEpochFence (a timed-out transaction being aborted): aborted', word: word('PrepareEpochFence'), outcome: 'aborted' },
    { name: 'Ongoing one epoch up: a later transaction, says nothing of this one', word: word('Ongoing', { producerEpoch: 4 }), outcome: 'unknown' },
    { name: 'two epochs up: unknown', word: word('CompleteCommit', { producerEpoch: 5 }), outcome: 'unknown' },
    { name: 'the transactional id moved to another producer id: unknown', word: word('CompleteCommit', { producerId: 8n }), outcome: 'unknown' },
    { name: 'Empty: unknown', word: word('Empty'), outcome: 'unknown' },
    { name: 'no coordinator knows the producer: unknown', word: null, outcome: 'unknown' },
  ])('$name', ({ word, outcome }) => {
    expect(outcomeFromCoordinator(t, word, tp)).toMatchObject({ ...t, outcome })
  })
  it('a coordinator that could not be asked is named: its silence is not "no coordinator knows"', () => {
    const outcome = outcomeFromCoordinator(t, null, tp, [{ broker: 3, reason: 'connection refused' }])
    expect(outcome).toMatchObject({ ...t, outcome: 'unknown', source: 'none' })
    expect(outcome.detail).toBe('no coordinator that answered knows producer 7; not asked: broker 3 (connection refused)')
  })
})
