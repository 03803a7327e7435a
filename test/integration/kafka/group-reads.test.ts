// What status's group reads cost on the wire (issue 19): one FindCoordinator for every group, then one request of
// each kind per coordinator broker, and the groups listed once. Counted from the client's own request channel.

import { tracingChannel } from 'node:diagnostics_channel'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect } from '../../../lib/kafka/index.ts'
import type { KafkaOps } from '../../../lib/kafka/types.ts'
import { readHealthSnapshot } from '../../../lib/reads/status-snapshot.ts'
import { nodeAction } from '../../support/faults.ts'
import { waitFor } from '../../support/kafka.ts'
import { testSandbox } from '../../support/sandbox.ts'
import { awaitFullIsr } from './world.ts'

const apiKeys = { offsetFetch: 9, findCoordinator: 10, describeGroups: 15, listGroups: 16, consumerGroupDescribe: 69 } as const

/** The API keys of the requests `read` sends, in order. */
async function requestsOf<T>(read: () => Promise<T>): Promise<{ value: T; sent: number[] }> {
  const sent: number[] = []
  const requests = tracingChannel<unknown, { apiKey: number }>('plt:kafka:connections:api')
  const subscribers = { start: (message: { apiKey: number }) => void sent.push(message.apiKey), end() {}, asyncStart() {}, asyncEnd() {}, error() {} }
  requests.subscribe(subscribers)
  try {
    return { value: await read(), sent }
  } finally {
    requests.unsubscribe(subscribers)
  }
}

const count = (sent: readonly number[], key: number) => sent.filter((k) => k === key).length

describe('group reads, batched per coordinator', () => {
  const suffix = Date.now().toString(36)
  const topic = `group-reads-${suffix}`
  // Enough groups to land on every partition of __consumer_offsets (the sandbox has 3), so on several coordinators.
  const groups = Array.from({ length: 12 }, (_, i) => `group-reads-${suffix}-${i}`)
  let ops: KafkaOps

  beforeAll(async () => {
    ops = await connect({ bootstrapServers: testSandbox().bootstrap.split(',') })
    await ops.createTopics([{ topic, partitions: 2, replicationFactor: 3 }])
    for (const [i, groupId] of groups.entries()) await ops.alterCommittedOffsets(groupId, [{ topic, partition: i % 2, offset: 0n }])
    // The shared sandbox's earlier tests stop and restart brokers, which can leave every __consumer_offsets
    // partition led by one broker (measured in CI: one coordinator for all twelve groups). Their preferred leaders
    // are on different brokers: elected back, the groups are on several coordinators, as on a balanced cluster.
    await awaitFullIsr(ops)
    const [offsetsTopic] = await ops.partitionStates(['__consumer_offsets'])
    await ops.electLeaders(
      'preferred',
      offsetsTopic!.partitions.map((p) => ({ topic: '__consumer_offsets', partition: p.partition })),
    )
    await waitFor(async () => new Set((await ops.describeGroups(groups)).map((g) => g.coordinator)).size > 1, {
      what: 'the groups spread over more than one coordinator',
    })
  })
  afterAll(async () => {
    await ops?.deleteTopics([topic])
    await ops?.close()
  })

  it('descriptions and offsets read side by side: one FindCoordinator, one DescribeGroups and one OffsetFetch per coordinator', async () => {
    const listing = await ops.listGroups()
    const { value, sent } = await requestsOf(() => Promise.all([ops.describeGroups(groups, listing), ops.groupsCommittedOffsets(groups)]))
    const [described, offsets] = value
    const coordinators = new Set(described.map((g) => g.coordinator))
    expect(coordinators.has(null)).toBe(false)
    expect(coordinators.size).toBeGreaterThan(1)
    expect(count(sent, apiKeys.findCoordinator)).toBe(1)
    expect(count(sent, apiKeys.listGroups)).toBe(0)
    expect(count(sent, apiKeys.describeGroups)).toBe(coordinators.size)
    expect(count(sent, apiKeys.offsetFetch)).toBe(coordinators.size)
    expect(described.map((g) => g.state)).toEqual(groups.map(() => 'Empty'))
    expect(offsets.map((g) => g.offsets.map((o) => `${o.topic}/${o.partition}@${o.offset}`))).toEqual(groups.map((_, i) => [`${topic}/${i % 2}@0`]))
  })

  it("status's snapshot lists the groups once (one ListGroups per broker) and finds their coordinators in one request", async () => {
    const brokers = (await ops.cluster()).brokers.filter((b) => b.fenced !== true).length
    const { value: snapshot, sent } = await requestsOf(() => readHealthSnapshot(ops))
    const ours = snapshot.groups.filter((g) => groups.includes(g.groupId))
    expect(ours.map((g) => g.partitions.map((p) => `${p.partition}@${p.committed}`))).toEqual(groups.map((_, i) => [`${i % 2}@0`]))
    expect(count(sent, apiKeys.findCoordinator)).toBe(1)
    expect(count(sent, apiKeys.listGroups)).toBe(brokers)
    expect(count(sent, apiKeys.describeGroups)).toBeLessThanOrEqual(brokers)
    expect(count(sent, apiKeys.offsetFetch)).toBeLessThanOrEqual(brokers)
    expect(count(sent, apiKeys.consumerGroupDescribe)).toBeLessThanOrEqual(brokers)
  })

  it('the coordinator of some groups killed a moment ago: the others answered, each of its groups answered or carrying an error', async () => {
    const before = await ops.describeGroups(groups)
    const killed = before[0]!.coordinator!
    const elsewhere = groups.filter((_, i) => before[i]!.coordinator !== killed)
    expect(elsewhere.length).toBeGreaterThan(0)
    await nodeAction(killed, 'kill')
    try {
      // Asked at once: the killed broker may still be the coordinator the cluster names (until it is fenced), or
      // its groups may have moved and be loading on their new coordinator.
      const offsets = await ops.groupsCommittedOffsets(groups)
      for (const [i, group] of offsets.entries()) {
        const expected = [`${topic}/${i % 2}@0`]
        const read = group.offsets.map((o) => `${o.topic}/${o.partition}@${o.offset}`)
        if (elsewhere.includes(group.groupId)) expect({ read, error: group.error?.name }).toEqual({ read: expected, error: undefined })
        // Never an empty answer without an error: that would read as a group that committed nothing.
        else expect(group.error !== undefined || read.join() === expected.join()).toBe(true)
      }
    } finally {
      await nodeAction(killed, 'start')
      await awaitFullIsr(ops)
    }
  })
})
