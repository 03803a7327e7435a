// The transactions part of the KafkaOps contract, run against the in-memory fake (unit) and the real sandbox
// (integration): last stable offsets, producers on partitions, transactional ids at their coordinators, and
// the two ways to end an open transaction (fence through its coordinator, abort on the partition).

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { KafkaOps, ListedOffset, TopicPartition } from '../../lib/kafka/types.ts'

export interface HeldTransaction {
  readonly transactionalId: string
  readonly partitions: readonly { readonly partition: number; readonly firstOffset: bigint; readonly records: number }[]
}

export interface HangingTransaction {
  readonly producerId: bigint
  readonly producerEpoch: number
  readonly firstOffset: bigint
}

/** What the contract needs beyond KafkaOps: names, producers that die mid-transaction, hanging batches, time. */
export interface TransactionWorld {
  readonly ops: KafkaOps
  readonly line: '4.3' | '3.9'
  uniqueName(prefix: string): string
  /** Plain (non-transactional) records, acks=all. */
  produce(topic: string, partition: number, count: number): Promise<void>
  /**
   * A transactional producer commits `committedBefore` transactions of two records per partition, writes one
   * more and dies before committing it; the coordinator aborts it `timeoutMs` after it began.
   */
  abandonTransaction(
    topic: string,
    partitions: readonly number[],
    options: { transactionalId: string; timeoutMs: number; committedBefore: number },
  ): Promise<HeldTransaction>
  /** `records` transactional records on the partition, never registered with a coordinator. */
  hangTransaction(
    topic: string,
    partition: number,
    records: number,
    options: { transactionalId: string | null; timestampMs: number },
  ): Promise<HangingTransaction>
  /** Lets `ms` pass on the cluster's clock (the fake's clock moves; on the sandbox this waits). */
  elapse(ms: number): Promise<void>
}

/** A real coordinator aborts a timed-out transaction at its next check (every 10 s by default). */
const eventually = (assertion: () => Promise<void>) => vi.waitFor(assertion, { timeout: 30_000, interval: 200 })

export function transactionsContract(
  label: string,
  createWorld: () => Promise<TransactionWorld>,
  disposeWorld: (world: TransactionWorld) => Promise<void> = async () => {},
): void {
  describe(`KafkaOps transactions contract: ${label}`, () => {
    let world: TransactionWorld
    let ops: KafkaOps
    let topic: string
    let held: HeldTransaction
    // A second producer with a short timeout, abandoned first so that its coordinator has timed it out by the last test.
    let expiring: HeldTransaction
    // The coordinator stamps its own epoch (its __transaction_state partition's leader epoch) on producer
    // state and markers; on a shared cluster whose brokers other tests restarted it is no longer 0.
    let coordinatorEpoch: number
    let expiringTopic: string
    const expiringTimeoutMs = 2000

    const offsets = async (partition: number): Promise<{ highWatermark: bigint; lastStable: bigint }> => {
      const [hw, lso] = await ops.listOffsets([
        { topic, partition, spec: 'latest' },
        { topic, partition, spec: 'latest', isolation: 'read_committed' },
      ])
      return { highWatermark: hw!.offset!, lastStable: lso!.offset! }
    }
    const producersOn = async (tp: TopicPartition) => (await ops.describeProducers([tp]))[0]!

    beforeAll(async () => {
      world = await createWorld()
      ops = world.ops
      topic = world.uniqueName('txn')
      expiringTopic = world.uniqueName('txn-expiring')
      expect(
        await ops.createTopics([
          { topic, partitions: 3, replicationFactor: 3 },
          { topic: expiringTopic, partitions: 1, replicationFactor: 3 },
        ]),
      ).toEqual([{ topic }, { topic: expiringTopic }])
      ;[expiring, held] = await Promise.all([
        world.abandonTransaction(expiringTopic, [0], { transactionalId: world.uniqueName('expiring'), timeoutMs: expiringTimeoutMs, committedBefore: 0 }),
        world.abandonTransaction(topic, [0, 1], { transactionalId: world.uniqueName('held'), timeoutMs: 600_000, committedBefore: 1 }),
        world.produce(topic, 2, 3),
      ])
    })
    afterAll(async () => {
      if (world) await disposeWorld(world)
    })

    it('every transaction operation is served by both lines; listing by pattern only from 4.1', async () => {
      const { supports } = await ops.capabilities()
      expect(supports).toMatchObject({
        describeProducers: true,
        listTransactions: true,
        listTransactionsOpenLongerThan: true,
        describeTransactions: true,
        abortTransaction: true,
        fenceProducers: true,
      })
    })

    it('an open transaction holds the last stable offset at its first offset; committed and plain records do not', async () => {
      // Partition 0: a committed transaction (2 records and its marker), then the open one (2 records).
      expect(held.partitions.map((p) => [p.partition, p.firstOffset, p.records])).toEqual([
        [0, 3n, 2],
        [1, 3n, 2],
      ])
      expect(await offsets(0)).toEqual({ highWatermark: 5n, lastStable: 3n })
      expect(await offsets(1)).toEqual({ highWatermark: 5n, lastStable: 3n })
      expect(await offsets(2)).toEqual({ highWatermark: 3n, lastStable: 3n })
      const answers = await ops.listOffsets([
        { topic, partition: 0, spec: 'latest', isolation: 'read_committed' },
        { topic, partition: 0, spec: 'earliest', isolation: 'read_committed' },
        { topic, partition: 9, spec: 'latest', isolation: 'read_committed' },
      ])
      expect(answers.map((a: ListedOffset) => [a.isolation, a.offset, a.error?.name ?? null])).toEqual([
        ['read_committed', 3n, null],
        ['read_committed', 0n, null],
        ['read_committed', null, 'UNKNOWN_TOPIC_OR_PARTITION'],
      ])
      // A time lookup that lands in the open transaction answers for read_uncommitted readers only.
      const [firstOpen] = await ops.recordTimestamps([{ topic, partition: 0, offset: 3n }])
      const byTime = await ops.listOffsets([
        { topic, partition: 0, spec: { timestamp: firstOpen!.timestamp! } },
        { topic, partition: 0, spec: { timestamp: firstOpen!.timestamp! }, isolation: 'read_committed' },
      ])
      expect(byTime.map((a) => a.offset)).toEqual([3n, null])
    })

    it('the partition leader (and a follower asked directly) reports the producer with its open transaction', async () => {
      const [p0, p1, p2, missing] = await ops.describeProducers([
        { topic, partition: 0 },
        { topic, partition: 1 },
        { topic, partition: 2 },
        { topic, partition: 7 },
      ])
      expect(p0!.producers).toHaveLength(1)
      const producer = p0!.producers[0]!
      expect(producer).toMatchObject({ producerEpoch: 0, lastSequence: 3, transactionStartOffset: 3n })
      expect(Number.isInteger(producer.coordinatorEpoch) && producer.coordinatorEpoch! >= 0).toBe(true)
      coordinatorEpoch = producer.coordinatorEpoch!
      expect(producer.lastTimestampMs).toEqual(expect.any(Number))
      expect(p1!.producers.map((p) => [p.producerId, p.transactionStartOffset])).toEqual([[producer.producerId, 3n]])
      // Plain (non-idempotent) records leave no producer state.
      expect(p2!.producers).toEqual([])
      expect(missing!.error?.name).toBe('UNKNOWN_TOPIC_OR_PARTITION')
      const [state] = await ops.partitionStates([topic])
      const p0State = state!.partitions.find((p) => p.partition === 0)!
      const follower = p0State.replicas.find((id) => id !== p0State.leader)!
      const [onFollower] = await ops.describeProducers([{ topic, partition: 0, broker: follower }])
      expect(onFollower).toMatchObject({ broker: follower, producers: [{ producerId: producer.producerId, transactionStartOffset: 3n }] })
      expect(p0!.broker).toBe(p0State.leader)
    })

    it("the coordinator's view: where the id lives, what every coordinator lists (filtered), and the id's transaction", async () => {
      const producerId = (await producersOn({ topic, partition: 0 })).producers[0]!.producerId
      const [coordinator, unknown] = await ops.findTransactionCoordinators([held.transactionalId, world.uniqueName('nobody')])
      expect(coordinator!.broker).toEqual(expect.any(Number))
      expect(unknown!.broker).toEqual(expect.any(Number))

      const [described, missing] = await ops.describeTransactions([held.transactionalId, world.uniqueName('nobody')])
      expect(described).toMatchObject({
        transactionalId: held.transactionalId,
        coordinator: coordinator!.broker,
        state: 'Ongoing',
        timeoutMs: 600_000,
        producerId,
        producerEpoch: 0,
        partitions: [
          { topic, partition: 0 },
          { topic, partition: 1 },
        ],
      })
      expect(described!.startTimeMs).toEqual(expect.any(Number))
      expect(missing!.error?.name).toBe('TRANSACTIONAL_ID_NOT_FOUND')

      const listed = async (filter: Parameters<KafkaOps['listTransactions']>[0]) => {
        const answers = await ops.listTransactions(filter)
        expect(answers.every((a) => a.error === undefined)).toBe(true)
        return answers.flatMap((a) => a.transactions.filter((t) => t.transactionalId === held.transactionalId).map((t) => ({ ...t, broker: a.broker })))
      }
      expect(await listed(undefined)).toEqual([{ transactionalId: held.transactionalId, producerId, state: 'Ongoing', broker: coordinator!.broker }])
      expect(await listed({ states: ['Ongoing'], producerIds: [producerId] })).toHaveLength(1)
      expect(await listed({ states: ['CompleteCommit'] })).toEqual([])
      expect(await listed({ producerIds: [producerId + 1000n] })).toEqual([])
      expect(await listed({ openLongerThanMs: 0 })).toHaveLength(1)
      expect(await listed({ openLongerThanMs: 3_600_000 })).toEqual([])
      const unknownState = await ops.listTransactions({ states: ['Ongoing', 'Bogus'] })
      expect(unknownState.map((a) => a.unknownStates)).toEqual(unknownState.map(() => ['Bogus']))
      const byPattern = await ops.listTransactions({ transactionalIdPattern: `^${held.transactionalId}$` })
      if (world.line === '3.9') expect(byPattern.every((a) => a.error?.name === 'UNSUPPORTED_VERSION')).toBe(true)
      else expect(byPattern.flatMap((a) => a.transactions.map((t) => t.transactionalId))).toEqual([held.transactionalId])
    })

    it('a fence with a stale epoch, or of an id nobody knows, changes nothing', async () => {
      const ghost = world.uniqueName('ghost')
      const [stale, unknown] = await ops.fenceProducers([{ transactionalId: held.transactionalId, producerEpoch: 5 }, { transactionalId: ghost }])
      expect(stale).toMatchObject({ fenced: null, error: { name: 'INVALID_PRODUCER_EPOCH' } })
      expect(unknown).toMatchObject({ fenced: null, error: { name: 'TRANSACTIONAL_ID_NOT_FOUND' } })
      const [described, stillGhost] = await ops.describeTransactions([held.transactionalId, ghost])
      expect(described).toMatchObject({ state: 'Ongoing', producerEpoch: 0 })
      expect(stillGhost!.error?.name).toBe('TRANSACTIONAL_ID_NOT_FOUND')
      expect(await offsets(0)).toEqual({ highWatermark: 5n, lastStable: 3n })
    })

    it('a fence bumps the epoch at the coordinator, which aborts the open transaction: the last stable offset reaches the high watermark', async () => {
      const producerId = (await producersOn({ topic, partition: 0 })).producers[0]!.producerId
      const [fenced] = await ops.fenceProducers([{ transactionalId: held.transactionalId, producerId, producerEpoch: 0 }])
      // The abort markers carry epoch 1; the id ends at epoch 2.
      expect(fenced!.error).toBeUndefined()
      expect(fenced!.fenced).toMatchObject({ producerId, producerEpoch: 2 })
      await eventually(async () => {
        expect(await offsets(0)).toEqual({ highWatermark: 6n, lastStable: 6n })
        expect(await offsets(1)).toEqual({ highWatermark: 6n, lastStable: 6n })
      })
      const [described] = await ops.describeTransactions([held.transactionalId])
      expect(described).toMatchObject({ state: 'Empty', producerEpoch: 2, partitions: [] })
      // 4.x forgets when the last transaction began; 3.9 keeps it.
      if (world.line === '3.9') expect(described!.startTimeMs).toEqual(expect.any(Number))
      else expect(described!.startTimeMs).toBeNull()
      expect((await producersOn({ topic, partition: 0 })).producers).toMatchObject([
        { producerId, producerEpoch: 1, lastSequence: -1, coordinatorEpoch, transactionStartOffset: null },
      ])
    })

    it('the log as a reader fetches it: transactional batches, a commit and an abort marker, and what read_committed skips', async () => {
      const producerId = (await producersOn({ topic, partition: 0 })).producers[0]!.producerId
      const [uncommitted] = await ops.fetchRecords([{ topic, partition: 0, offset: 0n }])
      expect(
        uncommitted!.batches.map((b) => ({
          base: b.baseOffset,
          last: b.lastOffset,
          producer: b.producerId,
          epoch: b.producerEpoch,
          transactional: b.transactional,
          control: b.control,
          records: b.records.length,
          markers: b.markers.map((m) => [m.offset, m.type, m.coordinatorEpoch]),
        })),
      ).toEqual([
        { base: 0n, last: 1n, producer: producerId, epoch: 0, transactional: true, control: false, records: 2, markers: [] },
        { base: 2n, last: 2n, producer: producerId, epoch: 0, transactional: true, control: true, records: 0, markers: [[2n, 'commit', coordinatorEpoch]] },
        { base: 3n, last: 4n, producer: producerId, epoch: 0, transactional: true, control: false, records: 2, markers: [] },
        // The fence's abort marker carries the epoch the coordinator bumped to end the transaction.
        { base: 5n, last: 5n, producer: producerId, epoch: 1, transactional: true, control: true, records: 0, markers: [[5n, 'abort', coordinatorEpoch]] },
      ])
      const [committed] = await ops.fetchRecords([{ topic, partition: 0, offset: 0n, isolation: 'read_committed' }])
      expect(committed!.abortedTransactions).toEqual([{ producerId, firstOffset: 3n }])
      expect(committed!.lastStableOffset).toBe(6n)
    })

    describe('a hanging transaction: a producer id no transactional id owns', () => {
      let hanging: HangingTransaction
      const partition = 2
      beforeAll(async () => {
        hanging = await world.hangTransaction(topic, partition, 3, { transactionalId: null, timestampMs: Date.now() - 3_600_000 })
      })

      it('holds the last stable offset, and no coordinator knows its producer', async () => {
        expect(hanging.firstOffset).toBe(3n)
        expect(await offsets(partition)).toEqual({ highWatermark: 6n, lastStable: 3n })
        expect((await producersOn({ topic, partition })).producers).toMatchObject([
          { producerId: hanging.producerId, producerEpoch: 0, lastSequence: 2, coordinatorEpoch: null, transactionStartOffset: 3n },
        ])
        const listed = await ops.listTransactions({ producerIds: [hanging.producerId] })
        expect(listed.flatMap((a) => a.transactions)).toEqual([])
      })

      it('an abort with a stale epoch, another start offset, an absent producer or on no partition writes nothing', async () => {
        const [otherStart] = await ops.abortTransactions([{ topic, partition, producerId: hanging.producerId, startOffset: 4n }])
        expect(otherStart).toMatchObject({ marker: null, error: { name: 'INVALID_TXN_STATE' } })
        const results = await ops.abortTransactions([
          { topic, partition, producerId: hanging.producerId, producerEpoch: 1 },
          { topic, partition, producerId: hanging.producerId + 999n },
          { topic, partition: 1, producerId: hanging.producerId },
          { topic, partition: 8, producerId: hanging.producerId },
        ])
        expect(results.map((r) => [r.marker, r.error?.name])).toEqual([
          [null, 'INVALID_PRODUCER_EPOCH'],
          [null, 'UNKNOWN_PRODUCER_ID'],
          [null, 'UNKNOWN_PRODUCER_ID'],
          [null, 'UNKNOWN_TOPIC_OR_PARTITION'],
        ])
        expect(await offsets(partition)).toEqual({ highWatermark: 6n, lastStable: 3n })
        expect(await offsets(1)).toEqual({ highWatermark: 6n, lastStable: 6n })
      })

      it('an abort with the epochs read live writes one marker: the last stable offset reaches the high watermark', async () => {
        const [aborted, repeat] = await ops.abortTransactions([
          { topic, partition, producerId: hanging.producerId, producerEpoch: hanging.producerEpoch, startOffset: hanging.firstOffset },
          { topic, partition, producerId: hanging.producerId },
        ])
        expect(aborted!.error).toBeUndefined()
        expect(aborted!.marker).toMatchObject({ producerEpoch: 0, coordinatorEpoch: 0, startOffset: 3n })
        expect(repeat!.error?.name).toBe('INVALID_REQUEST')
        expect(await offsets(partition)).toEqual({ highWatermark: 7n, lastStable: 7n })
        const [again] = await ops.abortTransactions([{ topic, partition, producerId: hanging.producerId }])
        expect(again!.error?.name).toBe('INVALID_TXN_STATE')
        expect(await offsets(partition)).toEqual({ highWatermark: 7n, lastStable: 7n })
        expect((await producersOn({ topic, partition })).producers).toMatchObject([
          { producerId: hanging.producerId, producerEpoch: 0, lastSequence: 2, coordinatorEpoch: 0, transactionStartOffset: null },
        ])
      })
    })

    it('a hanging transaction of a known transactional id: the coordinator has the id, not the partition', async () => {
      const hangingTopic = world.uniqueName('txn-hang-known')
      await ops.createTopics([{ topic: hangingTopic, partitions: 1, replicationFactor: 3 }])
      const transactionalId = world.uniqueName('known')
      const hanging = await world.hangTransaction(hangingTopic, 0, 2, { transactionalId, timestampMs: Date.now() - 3_600_000 })
      const [described] = await ops.describeTransactions([transactionalId])
      expect(described).toMatchObject({ state: 'Empty', producerId: hanging.producerId, producerEpoch: hanging.producerEpoch, partitions: [] })
      const [lso] = await ops.listOffsets([{ topic: hangingTopic, partition: 0, spec: 'latest', isolation: 'read_committed' }])
      expect(lso!.offset).toBe(0n)
      // A fence does not help: the coordinator aborts only what it knows (nothing), the partition stays stuck.
      const [fenced] = await ops.fenceProducers([{ transactionalId }])
      expect(fenced!.fenced).toMatchObject({ producerId: hanging.producerId, producerEpoch: hanging.producerEpoch + 1 })
      const [stillStuck] = await ops.listOffsets([{ topic: hangingTopic, partition: 0, spec: 'latest', isolation: 'read_committed' }])
      expect(stillStuck!.offset).toBe(0n)
      // The abort marker, with the epoch the partition knows (below the id's new one), ends it.
      const [aborted] = await ops.abortTransactions([{ topic: hangingTopic, partition: 0, producerId: hanging.producerId }])
      expect(aborted!.marker).toMatchObject({ producerEpoch: hanging.producerEpoch, startOffset: 0n })
      const [after] = await ops.listOffsets([{ topic: hangingTopic, partition: 0, spec: 'latest', isolation: 'read_committed' }])
      expect(after!.offset).toBe(3n)
    })

    it('a producer gone with a short timeout: its coordinator aborts the transaction at the timeout (epoch + 1)', async () => {
      await world.elapse(expiringTimeoutMs)
      await eventually(async () => {
        const [described] = await ops.describeTransactions([expiring.transactionalId])
        expect(described).toMatchObject({ state: 'CompleteAbort', producerEpoch: 1, partitions: [] })
      })
      const [hw, lso] = await ops.listOffsets([
        { topic: expiringTopic, partition: 0, spec: 'latest' },
        { topic: expiringTopic, partition: 0, spec: 'latest', isolation: 'read_committed' },
      ])
      expect([hw!.offset, lso!.offset]).toEqual([3n, 3n])
    })
  })
}
