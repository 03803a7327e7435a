// The in-memory Kafka for runbook unit tests: build a cluster state, break it, run a runbook against it.
//
// Build (fakeCluster(...)…build()): brokers / broker, topic, partition, records, topicConfig, brokerDefaults,
// brokerConfig, staticBrokerConfig, group. Break and drive (on the FakeKafka): killBroker, fenceBroker,
// restartBroker, failLogDir, dropFromIsr, catchUp, write, addMember, stopMembers, commit, setUnreachable;
// transactions: initTransactions, sendInTransaction, endTransaction, openTransaction (a producer gone mid-
// transaction), hangTransaction (one its coordinator never heard of), with the cluster's clock from
// fakeCluster({ clock }). Assert: inspect(topic, partition) (every replica's log end and the last stable offset,
// which no API shows) and mutations (the writes made).
export { fakeCluster, FakeClusterBuilder } from './builder.ts'
export type { BrokerOptions, FakeClusterOptions, GroupOptions, MemberOptions, PartitionOptions, RecordsOptions, TopicOptions } from './builder.ts'
export { FakeKafka } from './fake-kafka.ts'
export type { OpenTransaction, PartitionSnapshot, ProduceResult } from './fake-kafka.ts'
export { fakeBatches, fakeLogDirs } from './log-dir.ts'
export type { FakeBatchesOptions, FakeLogDir, FakePartitionLog } from './log-dir.ts'
