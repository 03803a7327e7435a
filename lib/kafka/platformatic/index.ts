// KafkaOps over @platformatic/kafka: one session of connections, one module per operation.

import type {
  BrokerLogDirs,
  CoordinatorTransactions,
  PartitionProducers,
  ProducerFence,
  ProducerFenceResult,
  ProducerQuery,
  TransactionAbort,
  TransactionAbortResult,
  TransactionCoordinator,
  TransactionDescription,
  TransactionFilter,
  Capabilities,
  ClusterView,
  ConfigChange,
  ConfigChangeResult,
  ConfigResourceRef,
  ConnectionOptions,
  DeletedRecords,
  DescribeConfigsOptions,
  FetchedRecords,
  FetchQuery,
  ElectionResult,
  ElectionType,
  GroupDescription,
  GroupList,
  GroupListing,
  GroupOffsets,
  KafkaOps,
  ListedOffset,
  NewTopic,
  OffsetCommit,
  OffsetQuery,
  OngoingReassignment,
  PartitionResult,
  PartitionStatesOptions,
  ProducedRecord,
  ProduceOptions,
  ProduceRecord,
  RecordQuery,
  RecordsBefore,
  RecordTimestamp,
  ReplicaMove,
  ReplicaOffset,
  ReplicaOffsetQuery,
  ResourceConfig,
  SegmentQuery,
  SegmentSpan,
  TopicPartition,
  TopicResult,
  TopicState,
} from '../types.ts'
import { readCapabilities } from './capabilities.ts'
import { readClusterView } from './cluster.ts'
import { alterCommittedOffsets, committedOffsets, groupsCommittedOffsets } from './committed-offsets.ts'
import { describeConfigs, incrementalAlterConfigs } from './configs.ts'
import { deleteRecords } from './delete-records.ts'
import { electLeaders } from './elect-leaders.ts'
import { describeGroups, listGroups } from './groups.ts'
import { listOffsets, replicaOffsets } from './list-offsets.ts'
import { fetchRecords } from './fetch-records.ts'
import { describeLogDirs } from './log-dirs.ts'
import { readPartitionStates } from './partition-states.ts'
import { produce } from './produce.ts'
import { abortTransactions, describeProducers } from './producers.ts'
import { recordTimestamps } from './record-timestamps.ts'
import { alterPartitionReassignments, listPartitionReassignments } from './reassignments.ts'
import { segmentSpans } from './segment-spans.ts'
import { Session } from './session.ts'
import { createTopics, deleteTopics } from './topics.ts'
import { describeTransactions, fenceProducers, findTransactionCoordinators, listTransactions } from './transactions.ts'

class PlatformaticKafka implements KafkaOps {
  readonly #session: Session

  constructor(session: Session) {
    this.#session = session
  }

  async capabilities(): Promise<Capabilities> {
    return readCapabilities(this.#session)
  }
  cluster(): Promise<ClusterView> {
    return readClusterView(this.#session)
  }
  partitionStates(topics?: readonly string[], options?: PartitionStatesOptions): Promise<TopicState[]> {
    return readPartitionStates(this.#session, topics, options)
  }
  createTopics(topics: readonly NewTopic[]): Promise<TopicResult[]> {
    return createTopics(this.#session, topics)
  }
  deleteTopics(topics: readonly string[]): Promise<TopicResult[]> {
    return deleteTopics(this.#session, topics)
  }
  describeConfigs(resources: readonly ConfigResourceRef[], options: DescribeConfigsOptions = {}): Promise<ResourceConfig[]> {
    return describeConfigs(this.#session, resources, options)
  }
  incrementalAlterConfigs(changes: readonly ConfigChange[], options: { readonly validateOnly: boolean }): Promise<ConfigChangeResult[]> {
    return incrementalAlterConfigs(this.#session, changes, options.validateOnly)
  }
  electLeaders(type: ElectionType, partitions: readonly TopicPartition[]): Promise<ElectionResult[]> {
    return electLeaders(this.#session, type, partitions)
  }
  alterPartitionReassignments(moves: readonly ReplicaMove[]): Promise<PartitionResult[]> {
    return alterPartitionReassignments(this.#session, moves)
  }
  listPartitionReassignments(): Promise<OngoingReassignment[]> {
    return listPartitionReassignments(this.#session)
  }
  listOffsets(queries: readonly OffsetQuery[]): Promise<ListedOffset[]> {
    return listOffsets(this.#session, queries)
  }
  replicaOffsets(queries: readonly ReplicaOffsetQuery[]): Promise<ReplicaOffset[]> {
    return replicaOffsets(this.#session, queries)
  }
  recordTimestamps(queries: readonly RecordQuery[]): Promise<RecordTimestamp[]> {
    return recordTimestamps(this.#session, queries)
  }
  fetchRecords(queries: readonly FetchQuery[]): Promise<FetchedRecords[]> {
    return fetchRecords(this.#session, queries)
  }
  produce(topic: string, records: readonly ProduceRecord[], options: ProduceOptions = {}): Promise<ProducedRecord[]> {
    return produce(this.#session, topic, records, options)
  }
  deleteRecords(before: readonly RecordsBefore[]): Promise<DeletedRecords[]> {
    return deleteRecords(this.#session, before)
  }
  segmentSpans(queries: readonly SegmentQuery[]): Promise<SegmentSpan[]> {
    return segmentSpans(this.#session, queries)
  }
  describeLogDirs(brokers?: readonly number[]): Promise<BrokerLogDirs[]> {
    return describeLogDirs(this.#session, brokers)
  }
  listGroups(): Promise<GroupList> {
    return listGroups(this.#session)
  }
  describeGroups(groupIds: readonly string[], listed?: readonly GroupListing[]): Promise<GroupDescription[]> {
    return describeGroups(this.#session, groupIds, listed)
  }
  committedOffsets(groupId: string, topics?: readonly string[]): Promise<GroupOffsets> {
    return committedOffsets(this.#session, groupId, topics)
  }
  groupsCommittedOffsets(groupIds: readonly string[], topics?: readonly string[]): Promise<GroupOffsets[]> {
    return groupsCommittedOffsets(this.#session, groupIds, topics)
  }
  alterCommittedOffsets(groupId: string, offsets: readonly OffsetCommit[]): Promise<PartitionResult[]> {
    return alterCommittedOffsets(this.#session, groupId, offsets)
  }
  describeProducers(queries: readonly ProducerQuery[]): Promise<PartitionProducers[]> {
    return describeProducers(this.#session, queries)
  }
  findTransactionCoordinators(transactionalIds: readonly string[]): Promise<TransactionCoordinator[]> {
    return findTransactionCoordinators(this.#session, transactionalIds)
  }
  listTransactions(filter?: TransactionFilter): Promise<CoordinatorTransactions[]> {
    return listTransactions(this.#session, filter)
  }
  describeTransactions(transactionalIds: readonly string[]): Promise<TransactionDescription[]> {
    return describeTransactions(this.#session, transactionalIds)
  }
  abortTransactions(aborts: readonly TransactionAbort[]): Promise<TransactionAbortResult[]> {
    return abortTransactions(this.#session, aborts)
  }
  fenceProducers(fences: readonly ProducerFence[]): Promise<ProducerFenceResult[]> {
    return fenceProducers(this.#session, fences)
  }
  close(): Promise<void> {
    return this.#session.close()
  }
}

/** Connects to the cluster; throws KafkaConnectionError (one line, what to do) when no broker can be asked. */
export async function openPlatformaticKafka(options: ConnectionOptions): Promise<KafkaOps> {
  return new PlatformaticKafka(await Session.open(options))
}
