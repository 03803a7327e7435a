// A hanging transaction, made as Kafka's own tests make one: a transactional batch appended to a partition
// that was never added to the producer's transaction at its coordinator. A broker that verifies transactions
// (transaction.partition.verification.enable, on by default since 3.6; KIP-890) refuses it with
// INVALID_TXN_STATE, so the caller turns verification off first. The partition's last stable offset then stays
// at the batch until someone aborts it: the coordinator will never write its marker.
//
// kafkajs sends AddPartitionsToTxn before every transactional send, so the batch goes through its cluster and
// broker objects directly (kafkajs is pinned to 2.2.4, whose internals these are).

import { kafkaClient } from './kafkajs-client.ts'

export interface HangingBatchOptions {
  readonly bootstrap: readonly string[]
  readonly topic: string
  readonly partition: number
  readonly records: number
  /**
   * The transactional id whose producer writes the batch: the coordinator knows the id but not this partition.
   * null: a producer id no transactional id owns (as after the id expired), so no coordinator knows it at all.
   */
  readonly transactionalId: string | null
  /** The batch's timestamp (the producer's last write, which find-hanging measures from); default now. */
  readonly timestampMs?: number
  /** How long the attempts last while the brokers have not yet applied "verification off". */
  readonly timeoutMs?: number
}

export interface HangingBatch {
  readonly producerId: bigint
  readonly producerEpoch: number
  /** Offset of the batch's first record: the partition's last stable offset from now on. */
  readonly firstOffset: bigint
}

interface KafkajsBroker {
  initProducerId(request: { transactionalId?: string; transactionTimeout: number }): Promise<{ producerId: string; producerEpoch: number }>
  produce(request: object): Promise<{ topics: { partitions: { partition: number; errorCode: number; baseOffset: string }[] }[] }>
}
interface KafkajsCluster {
  connect(): Promise<void>
  disconnect(): Promise<void>
  addTargetTopic(topic: string): Promise<void>
  refreshMetadata(): Promise<void>
  findTopicPartitionMetadata(topic: string): { partitionId: number; leader: number }[]
  findBroker(request: { nodeId: string }): Promise<KafkajsBroker>
  findGroupCoordinator(request: { groupId: string; coordinatorType: number }): Promise<KafkajsBroker>
}

const transactionCoordinator = 1
/** Errors that mean "not yet": a coordinator still loading, a leader moving, verification not yet off everywhere. */
const transient = new Set([
  'COORDINATOR_LOAD_IN_PROGRESS',
  'GROUP_LOAD_IN_PROGRESS',
  'COORDINATOR_NOT_AVAILABLE',
  'NOT_COORDINATOR',
  'NOT_LEADER_OR_FOLLOWER',
  'LEADER_NOT_AVAILABLE',
  'INVALID_TXN_STATE',
])

async function retrying<T>(deadline: number, work: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      return await work()
    } catch (error) {
      const type = (error as { type?: string }).type ?? ''
      if (!transient.has(type) || Date.now() > deadline) throw error
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
  }
}

/** Appends a transactional batch of `records` records to the partition without registering it anywhere. */
export async function produceHangingBatch(options: HangingBatchOptions): Promise<HangingBatch> {
  const kafka = kafkaClient('runbook-hanging-transaction', options.bootstrap)
  // kafkajs keeps its cluster factory behind a private symbol on the client object.
  const factory = Object.getOwnPropertySymbols(kafka).find((s) => s.description === 'private:Kafka:createCluster')
  if (!factory) throw new Error('kafkajs internals changed: no cluster factory (kafkajs 2.2.4 expected)')
  const cluster = (kafka as unknown as Record<symbol, (o: object) => KafkajsCluster>)[factory]!({ allowAutoTopicCreation: false })
  const deadline = Date.now() + (options.timeoutMs ?? 30_000)
  await cluster.connect()
  try {
    await cluster.addTargetTopic(options.topic)
    const init = await retrying(deadline, async () => {
      if (options.transactionalId === null)
        return (await cluster.findBroker({ nodeId: String(await leaderOf(cluster, options)) })).initProducerId({ transactionTimeout: 60_000 })
      const coordinator = await cluster.findGroupCoordinator({ groupId: options.transactionalId, coordinatorType: transactionCoordinator })
      return coordinator.initProducerId({ transactionalId: options.transactionalId, transactionTimeout: 60_000 })
    })
    const timestamp = options.timestampMs ?? Date.now()
    const messages = Array.from({ length: options.records }, (_, i) => ({ key: `hanging-${i}`, value: `hanging record ${i}`, timestamp }))
    const answer = await retrying(deadline, async () => {
      const leader = await cluster.findBroker({ nodeId: String(await leaderOf(cluster, options)) })
      return leader.produce({
        // A transactional batch needs a transactional id on the request; with none known, any name will do.
        transactionalId: options.transactionalId ?? 'runbook-hanging-transaction',
        producerId: init.producerId,
        producerEpoch: init.producerEpoch,
        acks: -1,
        topicData: [{ topic: options.topic, partitions: [{ partition: options.partition, firstSequence: 0, messages }] }],
      })
    })
    const result = answer.topics[0]!.partitions[0]!
    return { producerId: BigInt(init.producerId), producerEpoch: init.producerEpoch, firstOffset: BigInt(result.baseOffset) }
  } finally {
    await cluster.disconnect()
  }
}

async function leaderOf(cluster: KafkajsCluster, options: HangingBatchOptions): Promise<number> {
  await cluster.refreshMetadata()
  const found = cluster.findTopicPartitionMetadata(options.topic).find((p) => p.partitionId === options.partition)
  if (!found || found.leader < 0) throw Object.assign(new Error(`${options.topic}-${options.partition} has no leader`), { type: 'LEADER_NOT_AVAILABLE' })
  return found.leader
}
