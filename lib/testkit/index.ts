// The test kit for runbooks (`kafka-runbooks/testing`): build a cluster state in a few lines, run a runbook
// against it headless or with a scripted operator, and assert on the plan, the transcript and the cluster after.
//
//   const kafka = fakeCluster().brokers(3).topic('orders', { partitions: 3 }).build()
//   const run = await runWithKit(runbook, { kafka, set: { topic: 'orders' }, yes: true })
//   expect(run.exitCode).toBe(0)
//   expect(run.plan('set-retention')).toMatchObject({ after: '3600000' })
//   expect(kafka.mutations).toHaveLength(1)

export { fakeCluster, FakeClusterBuilder, FakeKafka } from '../kafka/fake/index.ts'
export type { BrokerOptions, FakeClusterOptions, GroupOptions, MemberOptions, PartitionOptions, RecordsOptions, TopicOptions } from '../kafka/fake/index.ts'
export { scriptedIo } from './scripted-io.ts'
export type { ScriptedIo, ScriptStep } from './scripted-io.ts'
export { runWithKit } from './run.ts'
export type { KitRun, KitRunOptions } from './run.ts'
export { readEvents, verifyChain } from '../engine/session.ts'
export type { WrittenEvent, TranscriptEvent } from '../engine/session.ts'
