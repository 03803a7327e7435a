import { describe, expect, it } from 'vitest'
import { ErrorCode, kafkaError } from '../../lib/kafka/errors.ts'
import { caughtUpVerdict } from '../../lib/kafka/platformatic/coordinator.ts'
import { fakeCluster } from '../../lib/kafka/fake/index.ts'
import { describeUnlisted, offsetsPartitionOf } from '../../lib/kafka/group-coordination.ts'
import { GroupReadError, readGroupCommitsOn } from '../../lib/reads/consumer-group.ts'
import { readHealthSnapshot } from '../../lib/reads/status-snapshot.ts'

describe('offsetsPartitionOf: the partition Kafka puts a group on', () => {
  // Expected values from Java 17: Math.abs(s.hashCode()) % n, with Kafka's Utils.abs for Integer.MIN_VALUE.
  it.each([
    { groupId: 'abc', of50: 4, of3: 0 },
    { groupId: 'console-consumer-4711', of50: 22, of3: 1 },
    { groupId: 'billing-service', of50: 39, of3: 2 },
    { groupId: 'payments-consumer-group-7', of50: 36, of3: 0 }, // a negative hashCode
    { groupId: 'polygenelubricants', of50: 0, of3: 0 }, // hashCode is Integer.MIN_VALUE
    { groupId: 'groupé-ünïcode-✓', of50: 25, of3: 2 }, // UTF-16 code units, as Java hashes them
  ])('$groupId', ({ groupId, of50, of3 }) => {
    expect([offsetsPartitionOf(groupId, 50), offsetsPartitionOf(groupId, 3)]).toEqual([of50, of3])
  })
})

describe('describeUnlisted', () => {
  it('names the partitions and why, in one line that says what to do', () => {
    expect(
      describeUnlisted([
        { partition: 5, coordinator: 3, error: kafkaError(ErrorCode.BROKER_NOT_AVAILABLE) },
        { partition: 2, coordinator: 3, error: kafkaError(ErrorCode.BROKER_NOT_AVAILABLE) },
        { partition: 7, coordinator: null, error: kafkaError(ErrorCode.COORDINATOR_NOT_AVAILABLE) },
      ]),
    ).toBe(
      'groups on __consumer_offsets partitions 2, 5, 7 not listed (broker 3: BROKER_NOT_AVAILABLE; no leader: COORDINATOR_NOT_AVAILABLE) — some groups may be missing; rerun in a few seconds',
    )
  })
})

describe('a coordinator that stays unavailable (the fake)', () => {
  // 'billing-service' is on partition 2 of 3, 'abc' on partition 0.
  const cluster = async () => {
    const kafka = fakeCluster().brokers(3).topic('orders', { partitions: 1 }).build()
    for (const groupId of ['billing-service', 'abc']) await kafka.alterCommittedOffsets(groupId, [{ topic: 'orders', partition: 0, offset: 0n }])
    return kafka.stallCoordinator(2, 'BROKER_NOT_AVAILABLE')
  }

  it('lists the other groups and names the partition it could not list; reads of its groups fail', async () => {
    const kafka = await cluster()
    const listing = await kafka.listGroups()
    expect(listing.groups.map((g) => g.groupId)).toEqual(['abc'])
    expect(listing.unlisted).toEqual([{ partition: 2, coordinator: 1, error: kafkaError(ErrorCode.BROKER_NOT_AVAILABLE) }])
    const [described] = await kafka.describeGroups(['billing-service'])
    expect(described!.error?.name).toBe('BROKER_NOT_AVAILABLE')
    expect((await kafka.committedOffsets('billing-service')).error?.name).toBe('BROKER_NOT_AVAILABLE')
    kafka.recoverCoordinator(2)
    expect((await kafka.listGroups()).unlisted).toEqual([])
    expect((await kafka.committedOffsets('billing-service')).offsets.map((o) => o.offset)).toEqual([0n])
  })

  it("status says first that some groups are not listed; a read that needs every group's commits refuses", async () => {
    const snapshot = await readHealthSnapshot(await cluster())
    expect(snapshot.groups.map((g) => g.groupId)).toEqual(['abc'])
    expect(snapshot.problems[0]).toMatch(/^groups on __consumer_offsets partition 2 not listed \(broker 1: BROKER_NOT_AVAILABLE\)/)
    await expect(readGroupCommitsOn(await cluster(), ['orders'])).rejects.toThrow(GroupReadError)
  })
})

describe('caughtUpVerdict: whether a leader of __consumer_offsets serves group reads from its whole partition', () => {
  it('trusts a plain answer, and one the principal may not make (no Describe on __consumer_offsets)', () => {
    expect(caughtUpVerdict(2, 7, 0)).toBeNull()
    expect(caughtUpVerdict(2, 7, ErrorCode.TOPIC_AUTHORIZATION_FAILED)).toBeNull()
  })

  it('reads OFFSET_NOT_AVAILABLE as a coordinator still loading, and passes other errors on', () => {
    expect(caughtUpVerdict(2, 7, ErrorCode.OFFSET_NOT_AVAILABLE)).toMatchObject({
      code: ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
      message: expect.stringContaining('__consumer_offsets-7'),
    })
    expect(caughtUpVerdict(2, 7, ErrorCode.NOT_LEADER_OR_FOLLOWER)).toEqual(kafkaError(ErrorCode.NOT_LEADER_OR_FOLLOWER))
  })
})
