// The contract's world on the real sandbox: KafkaOps from lib/kafka, records written with exact timestamps,
// brokers killed and restarted through the sandbox, and real consumers (classic and KIP-848) in groups.

import { randomBytes } from 'node:crypto'
import { vi } from 'vitest'
import { Consumer, MessagesStreamModes, ProduceAcks, Producer } from '@platformatic/kafka'
import { connect } from '../../../lib/kafka/index.ts'
import { offsetsPartitionOf } from '../../../lib/kafka/group-coordination.ts'
import type { KafkaOps } from '../../../lib/kafka/types.ts'
import { nodeAction } from '../../support/faults.ts'
import { waitFor } from '../../support/kafka.ts'
import { testSandbox } from '../../support/sandbox.ts'
import type { ContractWorld, RunningGroup } from '../../kafka/contract.ts'

const clientOptions = (clientId: string) => ({
  clientId,
  bootstrapBrokers: testSandbox().bootstrap.split(','),
  connectTimeout: 3000,
  requestTimeout: 10_000,
  retries: 5,
  retryDelay: 250,
})

/** Writes one record per timestamp to one partition with acks=all. */
export async function produceAt(topic: string, partition: number, timestampsMs: readonly number[]): Promise<void> {
  const producer = new Producer({ ...clientOptions('runbook-contract-producer'), idempotent: false })
  try {
    // acks must be given per send: platformatic 1.35 ignores the constructor's acks unless idempotent, and sends acks=1.
    await producer.send({
      acks: ProduceAcks.ALL,
      messages: timestampsMs.map((timestamp, i) => ({ topic, partition, value: Buffer.from(`record ${i}`), timestamp: BigInt(timestamp) })),
    })
  } finally {
    await producer.close(true)
  }
}

/** One consumer in `groupId`, reading `topic` from the start and committing what it read. */
export async function startGroup(ops: KafkaOps, groupId: string, topic: string, protocol: 'classic' | 'consumer'): Promise<RunningGroup> {
  const consumer = new Consumer({
    ...clientOptions(`runbook-contract-${protocol}`),
    groupId,
    ...(protocol === 'consumer' ? { groupProtocol: 'consumer' as const } : { sessionTimeout: 10_000, heartbeatInterval: 500 }),
  })
  const stream = await consumer.consume({ topics: [topic], mode: MessagesStreamModes.EARLIEST, autocommit: 200 })
  const drain = (async () => {
    for await (const _message of stream) {
      // Reading is enough: autocommit stores the positions.
    }
  })().catch(() => {})
  const [state] = await ops.partitionStates([topic])
  const partitions = state!.partitions.map((p) => p.partition)
  const latest = await ops.listOffsets(partitions.map((partition) => ({ topic, partition, spec: 'latest' as const })))
  await waitFor(
    async () => {
      const [group] = await ops.describeGroups([groupId])
      if (group?.state !== 'Stable' || group.members.length !== 1 || group.members[0]!.assignment.length !== partitions.length) return false
      const committed = await ops.committedOffsets(groupId, [topic])
      return latest.every((l) => (l.offset ?? 0n) === 0n || committed.offsets.some((c) => c.partition === l.partition && c.offset === l.offset))
    },
    { what: `group ${groupId} to be Stable with its commits`, timeoutMs: 60_000, intervalMs: 300 },
  )
  return {
    async stop() {
      await stream.close()
      await drain
      await consumer.close(true)
      await waitFor(async () => (await ops.describeGroups([groupId]))[0]?.state === 'Empty', {
        what: `group ${groupId} to be Empty`,
        timeoutMs: 60_000,
        intervalMs: 300,
      })
    },
  }
}

/**
 * Waits until every broker is unfenced and every partition's ISR is full again. (test/support's restoreCluster
 * reads partitions through the client's metadata cache, which drops internal topics, so it never sees
 * __consumer_offsets and times out once that topic exists.)
 */
export async function awaitFullIsr(ops: KafkaOps, timeoutMs = 90_000): Promise<void> {
  await waitFor(
    async () => {
      const cluster = await ops.cluster()
      if (cluster.brokers.some((b) => b.fenced === true)) return false
      const states = await ops.partitionStates()
      return states.every((t) => t.partitions.every((p) => p.leader !== null && p.isr.length === p.replicas.length))
    },
    { what: 'every broker unfenced and every ISR full', timeoutMs, intervalMs: 300 },
  )
}

/** The leader of each `__consumer_offsets` partition, by partition: the group coordinators. */
export async function offsetsLeaders(ops: KafkaOps): Promise<(number | null)[]> {
  const [offsets] = await ops.partitionStates(['__consumer_offsets'])
  return [...offsets!.partitions].sort((a, b) => a.partition - b.partition).map((p) => p.leader)
}

/**
 * Back to the sandbox's normal state after a coordinator moved: `broker` (when given) started again, every ISR full,
 * `__consumer_offsets` led by its preferred replicas, and every coordinator listing its groups.
 */
export async function restoreCoordinators(ops: KafkaOps, broker?: number): Promise<void> {
  if (broker !== undefined) await nodeAction(broker, 'start')
  await awaitFullIsr(ops)
  const [offsets] = await ops.partitionStates(['__consumer_offsets'])
  const partitions = offsets!.partitions.map((p) => ({ topic: '__consumer_offsets', partition: p.partition }))
  for (const result of await ops.electLeaders('preferred', partitions))
    if (result.outcome === 'failed') throw new Error(`preferred election of ${result.topic}/${result.partition}: ${result.error?.name ?? 'failed'}`)
  await waitFor(async () => (await ops.listGroups()).unlisted.length === 0, {
    what: 'every group coordinator to list its groups',
    timeoutMs: 60_000,
    intervalMs: 300,
  })
}

/** The contract world on the shared test sandbox. */
export async function sandboxWorld(): Promise<ContractWorld> {
  const sandbox = testSandbox()
  const ops = await connect({ bootstrapServers: sandbox.bootstrap.split(','), clientId: 'runbook-contract' })
  const run = randomBytes(3).toString('hex')
  let names = 0
  return {
    ops,
    line: sandbox.kafkaVersion.startsWith('3.9') ? '3.9' : '4.3',
    brokerIds: sandbox.brokerIds,
    controllerId: sandbox.controllerId,
    uniqueName: (prefix) => `${prefix}-${run}-${++names}`,
    produce: produceAt,
    async killBroker(id) {
      // Followers learn the high watermark on their next fetch; killing a leader right after an acks=all write can
      // leave the new leader with an older one, and Kafka then answers ListOffsets with OFFSET_NOT_AVAILABLE until
      // the ISR is back at min.insync.replicas (measured 4.3.1). Let replication settle first.
      await new Promise((resolve) => setTimeout(resolve, 1000))
      await nodeAction(id, 'kill')
      // Fenced once its session times out (4 s here): then ISRs shrink and its leaderships move or vanish.
      await waitFor(
        async () => {
          const cluster = await ops.cluster()
          const broker = cluster.brokers.find((b) => b.id === id)
          if (broker && broker.fenced !== true) return false
          const states = await ops.partitionStates()
          return states.every((t) => t.partitions.every((p) => p.leader !== id && (p.isr.length <= 1 || !p.isr.includes(id))))
        },
        { what: `broker ${id} to be fenced`, timeoutMs: 30_000, intervalMs: 250 },
      )
    },
    async restartBroker(id) {
      await nodeAction(id, 'start')
      await awaitFullIsr(ops)
    },
    async crashCoordinatorOf(groupId) {
      const leaders = await offsetsLeaders(ops)
      const broker = leaders[offsetsPartitionOf(groupId, leaders.length)]!
      await nodeAction(broker, 'kill')
      return {
        partitions: leaders.flatMap((leader, partition) => (leader === broker ? [partition] : [])),
        restore: () => restoreCoordinators(ops, broker),
      }
    },
    startGroup: (groupId, topic, protocol) => startGroup(ops, groupId, topic, protocol),
    // The sandbox's brokers check every 2 s (lib/sandbox/properties.ts); a sandbox started before that checks every 5 min.
    afterRetentionCheck: (check) => vi.waitFor(check, { timeout: 30_000, interval: 500 }),
  }
}
