// The in-memory Kafka for runbook unit tests: build a cluster state, break it, run a runbook against it.
export { fakeCluster, FakeClusterBuilder } from './builder.ts'
export type { BrokerOptions, FakeClusterOptions, GroupOptions, MemberOptions, PartitionOptions, RecordsOptions, TopicOptions } from './builder.ts'
export { FakeKafka } from './fake-kafka.ts'
export type { PartitionSnapshot, ProduceResult } from './fake-kafka.ts'
