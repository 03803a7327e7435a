import { describe, expect, it } from 'vitest'
import type { KafkaRecord } from '../../lib/kafka/records.ts'
import { planCopyTopic, type TopicFacts } from '../../lib/plans/copy-topic.ts'
import { isReproduceFault, planReproduce, planSalvageTargets, type SalvagedContents } from '../../lib/plans/salvage.ts'
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
    expect(plan.steps).toMatchObject([{ topic: 'orders.salvaged', partition: 1, records: 2, plain: 2, committed: 0, undecided: 1, firstOffset: 100n, lastOffset: 102n }])
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
