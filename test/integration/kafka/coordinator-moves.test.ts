// Group coordinators move under a preferred leader election of __consumer_offsets (here, right after a controlled
// restart left its leaders on other brokers). For about a second the new leader serves group reads from an older
// view — measured on 4.3.1: a group committed just before read as unknown, unlisted and without offsets, no error.
// Every read taken in that window must be the truth or an error that says so; afterwards, the truth for all.

import { afterAll, beforeAll, expect, it } from 'vitest'
import { connect } from '../../../lib/kafka/index.ts'
import type { KafkaOps } from '../../../lib/kafka/types.ts'
import { nodeAction } from '../../support/faults.ts'
import { testSandbox } from '../../support/sandbox.ts'
import { type CommittedGroup, groupsOnEveryPartition, offsetsPartitions, readGroupsTruly } from '../../kafka/group-read-truth.ts'
import { awaitFullIsr, offsetsLeaders, produceAt, restoreCoordinators } from './world.ts'

/** Readings right after the election: each takes a few round trips, so these cover the window several times over. */
const readings = 30

let ops: KafkaOps

beforeAll(async () => {
  ops = await connect({ bootstrapServers: testSandbox().bootstrap.split(','), clientId: 'runbook-coordinator-moves' })
})

afterAll(async () => {
  await restoreCoordinators(ops)
  await ops.close()
})

it('reads every group truly, or says it cannot, while a preferred election moves the coordinators', async () => {
  const run = Math.random().toString(36).slice(2, 8)
  const topic = `coordinator-moves-${run}`
  await ops.createTopics([{ topic, partitions: 1, replicationFactor: 3 }])
  await produceAt(topic, 0, [1, 2, 3, 4])
  await offsetsPartitions(ops, topic)
  await restoreCoordinators(ops)

  // Leaders off their preferred replica: a controlled restart of the preferred leader of partition 0 moves its leaderships.
  const [offsets] = await ops.partitionStates(['__consumer_offsets'])
  const partitions = [...offsets!.partitions].sort((a, b) => a.partition - b.partition)
  const preferred = partitions[0]!.replicas[0]!
  await nodeAction(preferred, 'stop')
  await nodeAction(preferred, 'start')
  await awaitFullIsr(ops)
  const leaders = await offsetsLeaders(ops)
  const moving = partitions.filter((p) => leaders[p.partition] !== p.replicas[0]).map((p) => p.partition)
  expect(moving.length, 'partitions the election will move').toBeGreaterThan(0)

  // New groups, committed just before the election: theirs are the newest records the new leaders must see.
  const groups: CommittedGroup[] = groupsOnEveryPartition((i) => `coordinator-moves-${run}-${i}`, partitions.length, 3).map((groupId, i) => ({
    groupId,
    offset: BigInt(i % 4),
  }))
  for (const { groupId, offset } of groups)
    expect(await ops.alterCommittedOffsets(groupId, [{ topic, partition: 0, offset }])).toEqual([{ topic, partition: 0 }])
  const election = ops.electLeaders(
    'preferred',
    moving.map((partition) => ({ topic: '__consumer_offsets', partition })),
  )
  const untrue: string[] = []
  for (let i = 0; i < readings; i++) untrue.push(...(await readGroupsTruly(ops, groups, partitions.length)).untrue.map((line) => `reading ${i}: ${line}`))
  expect((await election).map((r) => r.outcome)).toEqual(moving.map(() => 'elected'))
  expect(untrue).toEqual([])

  await restoreCoordinators(ops)
  expect(await readGroupsTruly(ops, groups, partitions.length)).toEqual({ untrue: [], unanswered: new Set() })
})
