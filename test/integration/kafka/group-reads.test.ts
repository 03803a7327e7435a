// What reading many groups' committed offsets costs on the wire (issue 19): one FindCoordinator for all of them,
// then one OffsetFetch (or DescribeGroups) per coordinator broker, however many groups. Counted from the client's own request channel.

import { tracingChannel } from 'node:diagnostics_channel'
import { afterAll, beforeAll, expect, it, vi } from 'vitest'
import { connect } from '../../../lib/kafka/index.ts'
import type { KafkaOps } from '../../../lib/kafka/types.ts'
import { groupsOnEveryPartition, offsetsPartitions } from '../../kafka/group-read-truth.ts'
import { readGroupChoices, readGroupCommitsOn } from '../../../lib/reads/consumer-group.ts'
import { readGroupSamples } from '../../../lib/reads/group-progress.ts'
import { testSandbox } from '../../support/sandbox.ts'
import { produceAt, restoreCoordinators } from './world.ts'

const apiKeys = { offsetFetch: 9, findCoordinator: 10, describeGroups: 15, listGroups: 16 } as const

/** The API keys of the requests `read` sends. */
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

let ops: KafkaOps

beforeAll(async () => {
  ops = await connect({ bootstrapServers: testSandbox().bootstrap.split(','), clientId: 'runbook-group-reads' })
})

afterAll(async () => {
  await ops.close()
})

it("many groups' offsets: one FindCoordinator, one OffsetFetch per coordinator, each group's own answer", async () => {
  const run = Math.random().toString(36).slice(2, 8)
  const topic = `group-reads-${run}`
  await ops.createTopics([{ topic, partitions: 2, replicationFactor: 3 }])
  await produceAt(topic, 0, [1, 2])
  const count = await offsetsPartitions(ops, topic)
  // Coordinators that have settled: a move in the middle would rightly cost another FindCoordinator.
  await restoreCoordinators(ops)
  const groups = groupsOnEveryPartition((i) => `group-reads-${run}-${i}`, count, 4)
  for (const [i, groupId] of groups.entries())
    expect(await ops.alterCommittedOffsets(groupId, [{ topic, partition: i % 2, offset: 1n }])).toEqual([{ topic, partition: i % 2 }])
  const coordinators = new Set((await ops.describeGroups(groups)).map((g) => g.coordinator))
  expect(coordinators.has(null)).toBe(false)

  const { value: offsets, sent } = await requestsOf(() => ops.groupsCommittedOffsets(groups))
  expect(offsets.map((g) => [g.groupId, g.error, g.offsets.map((o) => `${o.topic}/${o.partition}@${o.offset}`)])).toEqual(
    groups.map((groupId, i) => [groupId, undefined, [`${topic}/${i % 2}@1`]]),
  )
  expect(sent.filter((k) => k === apiKeys.findCoordinator).length).toBe(1)
  expect(sent.filter((k) => k === apiKeys.offsetFetch).length).toBe(coordinators.size)

  // A runbook's "which groups commit on these topics" (every group of the cluster, read the same way): each of ours
  // with its offset, in an OffsetFetch per coordinator (twice where a group of another test has no offsets at all,
  // to confirm it), not one per group.
  const { value: commits, sent: sentForCommits } = await requestsOf(() => readGroupCommitsOn(ops, [topic]))
  const ours = new Set(groups)
  const byId = (a: [string, string[]], b: [string, string[]]) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)
  expect(
    commits
      .filter((c) => ours.has(c.groupId))
      .map((c): [string, string[]] => [c.groupId, c.offsets.map((o) => `${o.topic}/${o.partition}@${o.offset}`)])
      .sort(byId),
  ).toEqual(groups.map((groupId, i): [string, string[]] => [groupId, [`${topic}/${i % 2}@1`]]).sort(byId))
  const brokers = (await ops.cluster()).brokers.length
  expect(groups.length).toBeGreaterThan(2 * brokers)
  expect(sentForCommits.filter((k) => k === apiKeys.offsetFetch).length).toBeLessThanOrEqual(2 * brokers)

  // The poison-pill watch's samples and the group picker's lag, the same way.
  const { value: samples, sent: sentForSamples } = await requestsOf(() => readGroupSamples(ops, groups, () => Date.now()))
  expect(samples.map((g) => [g.groupId, g.committed.map((o) => `${o.topic}/${o.partition}@${o.offset}`)])).toEqual(
    groups.map((groupId, i) => [groupId, [`${topic}/${i % 2}@1`]]),
  )
  expect(sentForSamples.filter((k) => k === apiKeys.offsetFetch).length).toBe(coordinators.size)
  const { value: choices, sent: sentForChoices } = await requestsOf(() => readGroupChoices(ops, 1_000))
  // Two records on partition 0, none on 1: a lag of one behind offset 1 on partition 0, none on partition 1.
  const lagOf = new Map(choices.filter((c) => ours.has(c.groupId)).map((c) => [c.groupId, [c.partitions, c.lag]]))
  expect(groups.map((groupId) => lagOf.get(groupId))).toEqual(groups.map((_, i) => [1, i % 2 === 0 ? 1n : 0n]))
  expect(sentForChoices.filter((k) => k === apiKeys.offsetFetch).length).toBeLessThanOrEqual(2 * brokers)

  // Their descriptions the same way, each group its own: in the order asked, a repeated id answered twice.
  const asked = [...groups, groups[0]!]
  const { value: descriptions, sent: sentToDescribe } = await requestsOf(() => ops.describeGroups(asked))
  expect(descriptions.map((d) => [d.groupId, d.state, d.type, d.error])).toEqual(asked.map((groupId) => [groupId, 'Empty', 'classic', undefined]))
  expect(sentToDescribe.filter((k) => k === apiKeys.findCoordinator).length).toBe(1)
  expect(sentToDescribe.filter((k) => k === apiKeys.describeGroups).length).toBe(coordinators.size)
  expect(sentToDescribe.filter((k) => k === apiKeys.listGroups).length).toBeGreaterThan(0)

  // Given the listing the caller has just read, the same descriptions without listing the groups again.
  const listing = await ops.listGroups()
  expect(listing.unlisted).toEqual([])
  const { value: again, sent: sentWithListing } = await requestsOf(() => ops.describeGroups(asked, listing.groups))
  expect(again).toEqual(descriptions)
  expect(sentWithListing.filter((k) => k === apiKeys.listGroups).length).toBe(0)
  expect(sentWithListing.filter((k) => k === apiKeys.describeGroups).length).toBe(coordinators.size)
})

it('a group that never committed: "no offsets" confirmed by asking again at once, without waiting out a retry pause', async () => {
  const run = Math.random().toString(36).slice(2, 8)
  const groups = [`never-committed-${run}-a`, `never-committed-${run}-b`]
  await restoreCoordinators(ops)
  // The retry pause is the one timer of a quarter second or more a read sets (the client's own are its timeouts,
  // cleared when answered, and far longer): counted, not timed.
  const waits: number[] = []
  const timers = vi.spyOn(globalThis, 'setTimeout')
  let sent: number[]
  let offsets: Awaited<ReturnType<KafkaOps['groupsCommittedOffsets']>>
  try {
    ;({ value: offsets, sent } = await requestsOf(() => ops.groupsCommittedOffsets(groups)))
    for (const [, ms] of timers.mock.calls) if (typeof ms === 'number' && ms >= 250 && ms < 5_000) waits.push(ms)
  } finally {
    timers.mockRestore()
  }
  expect(offsets.map((g) => [g.groupId, g.error, g.offsets])).toEqual(groups.map((groupId) => [groupId, undefined, []]))
  expect(waits).toEqual([])
  // Asked twice: the first empty answer may predate the coordinator catching up; the second comes after the check.
  expect(sent.filter((k) => k === apiKeys.offsetFetch).length).toBeGreaterThanOrEqual(2)
})
