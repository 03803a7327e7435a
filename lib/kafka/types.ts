// The client-neutral view of a Kafka cluster that runbooks, plans and the engine see.
// Only lib/kafka/platformatic/ talks to a real client; lib/kafka/fake/ holds the same state in memory.
// Every operation answers per partition or per resource: one broken partition never hides the rest.

import type { RecordBatch, RecordHeader } from './records.ts'

export type * from './records.ts'

/** A partition of a topic. */
export interface TopicPartition {
  readonly topic: string
  readonly partition: number
}

/** A Kafka protocol error as data: its code, its name (UPPER_SNAKE as in the protocol) and the broker's words. */
export interface KafkaError {
  readonly code: number
  readonly name: string
  readonly message: string
}

/** Why a whole request could not be made at all (as opposed to a per-partition error). */
export type ConnectionFaultKind = 'unreachable' | 'auth' | 'tls' | 'timeout' | 'unsupported' | 'config'

/** Thrown only when the cluster cannot be asked at all; its message is one line that says what to do. */
export class KafkaConnectionError extends Error {
  readonly kind: ConnectionFaultKind
  /** The precise cause, for scripts: e.g. "client-certificate-untrusted", "sasl-mechanism-not-enabled". */
  readonly reason: string
  /** The setting to change, as the operator spelled it (e.g. "ssl.truststore.location"), when one is to blame. */
  readonly property: string | null
  constructor(kind: ConnectionFaultKind, message: string, options?: { cause?: unknown; reason?: string; property?: string | null }) {
    super(message, options)
    this.name = 'KafkaConnectionError'
    this.kind = kind
    this.reason = options?.reason ?? kind
    this.property = options?.property ?? null
  }
}

// ---------------------------------------------------------------------------------------------
// Connection

export type SaslMechanism = 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512' | 'OAUTHBEARER'

/** TLS as the client speaks it: PEM text, never paths (stores are read and keys decrypted before connecting). */
export interface TlsSettings {
  /** CA certificates to trust; absent: the runtime's public CAs. */
  readonly ca?: string
  /** Our certificate chain, leaf first, for brokers that ask for one (mutual TLS). */
  readonly cert?: string
  /** Our unencrypted private key. */
  readonly key?: string
  /** false: accept any server certificate (librdkafka's enable.ssl.certificate.verification=false). */
  readonly verifyCertificate?: boolean
  /** false: do not check that the certificate names the host (ssl.endpoint.identification.algorithm empty or none). */
  readonly verifyHostname?: boolean
  readonly minVersion?: 'TLSv1.2' | 'TLSv1.3'
  readonly maxVersion?: 'TLSv1.2' | 'TLSv1.3'
}

/** OAUTHBEARER with the client-credentials grant, as Java clients and librdkafka's OIDC method get tokens. */
export interface OAuthClientCredentials {
  /** http(s) token endpoint; a file: URL names a file holding a ready token (Kafka's file retriever). */
  readonly tokenEndpointUrl: string
  readonly clientId: string
  readonly clientSecret: string
  readonly scope?: string
  /** SASL extensions sent beside the token (extension_<name> in the JAAS config). */
  readonly extensions?: Readonly<Record<string, string>>
  /** URL-encode the id and secret in the Basic header, as RFC 6749 says (Kafka: sasl.oauthbearer.header.urlencode, default off). */
  readonly urlEncodeHeader?: boolean
}

export type SaslSettings =
  | { readonly mechanism: 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512'; readonly username: string; readonly password: string }
  | { readonly mechanism: 'OAUTHBEARER'; readonly oauth: OAuthClientCredentials }

/**
 * Which settings the operator used, by the names they wrote them with, for error lines that say what to change.
 * Never a secret.
 */
export interface ConnectionSettingNames {
  /** The client.properties file, when there is one. */
  readonly file?: string
  /** Where our trusted CAs come from, e.g. "ssl.truststore.location" or "ssl.ca.location". */
  readonly trustStore?: string
  /** Where our client certificate comes from, e.g. "ssl.keystore.location" or "ssl.certificate.location". */
  readonly keyStore?: string
  readonly mechanism?: string
  /** Where the SASL username and password come from, e.g. "sasl.jaas.config" or "sasl.username / sasl.password". */
  readonly credentials?: string
}

/** How to reach a cluster: what `--bootstrap-server` and `--command-config` describe. */
export interface ConnectionOptions {
  readonly bootstrapServers: readonly string[]
  readonly clientId?: string
  /** Present when the listener speaks TLS (security.protocol SSL or SASL_SSL). */
  readonly tls?: TlsSettings
  /** Present for SASL_PLAINTEXT and SASL_SSL. Passwords and secrets never reach a transcript. */
  readonly sasl?: SaslSettings
  /** Per-request timeout; a request that takes longer fails as `timeout`. */
  readonly requestTimeoutMs?: number
  /** Time to open a connection to one broker. */
  readonly connectTimeoutMs?: number
  /** Hears, once per broker, that a broker stopped answering and requests go to the others meanwhile. */
  readonly onNotice?: (line: string) => void
  readonly names?: ConnectionSettingNames
}

// ---------------------------------------------------------------------------------------------
// Cluster

/** A broker the cluster knows about. */
export interface Broker {
  readonly id: number
  readonly host: string
  readonly port: number
  readonly rack: string | null
  /** true/false when the cluster says so (DescribeCluster with fenced brokers, 4.0+); null when it cannot tell. */
  readonly fenced: boolean | null
}

/** A voter or observer of the KRaft metadata quorum, as DescribeQuorum reports it. */
export interface QuorumReplica {
  readonly id: number
  readonly logEndOffset: bigint
  /** Milliseconds since the epoch, or null when unknown (-1 on the wire). */
  readonly lastFetchTimestamp: number | null
  readonly lastCaughtUpTimestamp: number | null
}

export interface QuorumView {
  readonly leaderId: number | null
  readonly leaderEpoch: number
  readonly highWatermark: bigint
  readonly voters: readonly QuorumReplica[]
  readonly observers: readonly QuorumReplica[]
}

export interface ClusterView {
  readonly clusterId: string | null
  /** Every broker the cluster reports; fenced ones too where the cluster can say so. */
  readonly brokers: readonly Broker[]
  /** The active KRaft controller. In KRaft, Metadata's controller id is a random broker: only DescribeQuorum knows. */
  readonly controller: { readonly id: number | null; readonly source: 'describe-quorum' | 'metadata' }
  readonly quorum: QuorumView | null
}

/** Which operations the connected cluster can serve, from ApiVersions. */
export type Operation =
  | 'describeTopicPartitions'
  | 'describeQuorum'
  | 'describeClusterFenced'
  | 'electLeaders'
  | 'incrementalAlterConfigs'
  | 'alterPartitionReassignments'
  | 'listOffsetsMaxTimestamp'
  | 'replicaLogEndOffsets'
  | 'consumerGroupDescribe'
  | 'describeLogDirs'
  | 'deleteRecords'
  | 'alterCommittedOffsets'
  | 'describeProducers'
  | 'listTransactions'
  | 'listTransactionsOpenLongerThan'
  | 'describeTransactions'
  | 'abortTransaction'
  | 'fenceProducers'

export interface Capabilities {
  /** API key → supported version range, as the broker advertised it. */
  readonly apis: ReadonlyMap<number, { readonly min: number; readonly max: number }>
  readonly supports: Readonly<Record<Operation, boolean>>
  /** Finalized feature levels (metadata.version, eligible.leader.replicas.version, ...). */
  readonly features: ReadonlyMap<string, number>
  /** metadata.version as a release name, e.g. "4.3-IV0", when the level is one we know. */
  readonly metadataVersion: string | null
  /** The Kafka release line the cluster runs at ("4.3", "3.9"), derived from metadata.version. */
  readonly kafkaLine: string | null
  /** Eligible leader replicas (KIP-966): on, off, or not a feature of this cluster at all. */
  readonly elr: 'on' | 'off' | 'unsupported'
}

// ---------------------------------------------------------------------------------------------
// Partitions and topics

/** One partition's replication state. Valid for leaderless partitions too: that is the point. */
export interface PartitionState extends TopicPartition {
  /** null when the partition has no leader (-1 on the wire). */
  readonly leader: number | null
  readonly leaderEpoch: number
  readonly replicas: readonly number[]
  readonly isr: readonly number[]
  readonly offline: readonly number[]
  /** Eligible leader replicas; null when this cluster does not report them (before 3.8, or no ELR feature). */
  readonly elr: readonly number[] | null
  readonly lastKnownElr: readonly number[] | null
  /** A partition-level error the broker attached; the fields above stay valid. "No leader" is not one: leader=null says it. */
  readonly error?: KafkaError
}

export interface TopicState {
  readonly topic: string
  readonly topicId: string | null
  readonly internal: boolean
  readonly partitions: readonly PartitionState[]
  /** Topic-level error, e.g. UNKNOWN_TOPIC_OR_PARTITION for a name that does not exist. */
  readonly error?: KafkaError
}

export interface NewTopic {
  readonly topic: string
  readonly partitions?: number
  readonly replicationFactor?: number
  /** Explicit replica lists per partition, in partition order; overrides partitions / replicationFactor. */
  readonly assignments?: readonly (readonly number[])[]
  readonly configs?: Readonly<Record<string, string>>
}

export interface TopicResult {
  readonly topic: string
  readonly error?: KafkaError
}

// ---------------------------------------------------------------------------------------------
// Configs

export type ConfigResourceRef =
  | { readonly type: 'topic'; readonly name: string }
  | { readonly type: 'broker'; readonly id: number }
  /** The cluster-wide dynamic broker default (`--entity-default` in kafka-configs). */
  | { readonly type: 'broker-default' }

/** Where a config value comes from, in the order Kafka resolves it for a topic. */
export type ConfigSource =
  'dynamic-topic' | 'dynamic-broker' | 'dynamic-broker-default' | 'static-broker' | 'default' | 'dynamic-broker-logger' | 'client-metrics' | 'group' | 'unknown'

export interface ConfigSynonym {
  readonly name: string
  readonly value: string | null
  readonly source: ConfigSource
}

export interface ConfigEntry {
  readonly name: string
  /** null for sensitive values (Kafka never returns them) and for unset values. */
  readonly value: string | null
  readonly source: ConfigSource
  readonly readOnly: boolean
  readonly sensitive: boolean
  /** The values this entry overrides, most specific first (Kafka's synonyms). */
  readonly synonyms: readonly ConfigSynonym[]
}

export interface ResourceConfig {
  readonly resource: ConfigResourceRef
  readonly entries: readonly ConfigEntry[]
  readonly error?: KafkaError
}

export interface DescribeConfigsOptions {
  readonly names?: readonly string[]
  /** Default true. */
  readonly synonyms?: boolean
}

/** The entry Kafka listed for `name`, if any: the one lookup of a setting in a describeConfigs answer. */
export function entryOf<E extends { readonly name: string }>(config: { readonly entries: readonly E[] } | undefined, name: string): E | undefined {
  // A loop rather than find(): status and the audit look up two settings of every topic (40,000 on a large cluster).
  if (config === undefined) return undefined
  for (const entry of config.entries) if (entry.name === name) return entry
  return undefined
}

export type ConfigOp = { readonly name: string; readonly op: 'set'; readonly value: string } | { readonly name: string; readonly op: 'delete' }

export interface ConfigChange {
  readonly resource: ConfigResourceRef
  readonly ops: readonly ConfigOp[]
}

export interface ConfigChangeResult {
  readonly resource: ConfigResourceRef
  readonly error?: KafkaError
}

// ---------------------------------------------------------------------------------------------
// Elections and reassignments

export type ElectionType = 'preferred' | 'unclean'

export interface ElectionResult extends TopicPartition {
  /** elected: a leader was chosen now; not-needed: the partition already had a valid leader. */
  readonly outcome: 'elected' | 'not-needed' | 'failed'
  readonly error?: KafkaError
}

export interface ReplicaMove extends TopicPartition {
  /** The full target replica list, in order; null cancels an ongoing reassignment. */
  readonly replicas: readonly number[] | null
}

export interface OngoingReassignment extends TopicPartition {
  readonly replicas: readonly number[]
  readonly adding: readonly number[]
  readonly removing: readonly number[]
}

export interface PartitionResult extends TopicPartition {
  readonly error?: KafkaError
}

// ---------------------------------------------------------------------------------------------
// Offsets

/** What to look up: the first offset, the high watermark, the record with the largest timestamp, or by time. */
export type OffsetSpec = 'earliest' | 'latest' | 'max-timestamp' | { readonly timestamp: number }

/** Which records a read counts: every record, or only those below the last stable offset (LSO), as read_committed consumers do. */
export type IsolationLevel = 'read_uncommitted' | 'read_committed'

export interface OffsetQuery extends TopicPartition {
  readonly spec: OffsetSpec
  /** 'read_committed' makes 'latest' the last stable offset, and keeps time lookups below it. Default 'read_uncommitted'. */
  readonly isolation?: IsolationLevel
}

export interface ListedOffset extends TopicPartition {
  readonly spec: OffsetSpec
  /** Echoed when the query named one. */
  readonly isolation?: IsolationLevel
  /** null when Kafka found no such offset (a timestamp after the last record: -1 on the wire). */
  readonly offset: bigint | null
  /** The record's timestamp for timestamp and max-timestamp lookups; null otherwise or when unknown. */
  readonly timestamp: number | null
  readonly leaderEpoch: number | null
  readonly error?: KafkaError
}

/** A question to one replica's own broker about its own log (ListOffsets with the debugging replica id). */
export interface ReplicaOffsetQuery extends TopicPartition {
  readonly broker: number
  /** A timestamp finds the first record at or after it in that replica's own log (above the high watermark too). */
  readonly spec: 'earliest' | 'latest' | 'max-timestamp' | { readonly timestamp: number }
}

export interface ReplicaOffset extends TopicPartition {
  readonly broker: number
  readonly spec: ReplicaOffsetQuery['spec']
  /** For 'latest': that replica's log end offset, answered even while the partition is leaderless. */
  readonly offset: bigint | null
  /** The found record's timestamp for 'max-timestamp' and timestamp lookups; null otherwise or when none. */
  readonly timestamp: number | null
  /**
   * The leader epoch Kafka returns with the answer. For 'latest' it is the partition's current leader epoch as
   * that broker knows it, not the newest epoch of the replica's own records (measured on 4.3.1: 1 on a leaderless
   * partition whose records are all epoch 0), so it cannot tell whether the replica's log diverged.
   */
  readonly leaderEpoch: number | null
  readonly error?: KafkaError
}

/** Which record to read: the one at `offset`, or the first one after it where the log has a gap. */
export interface RecordQuery extends TopicPartition {
  readonly offset: bigint
}

/** When a record was written (its timestamp), found by offset. */
export interface RecordTimestamp extends TopicPartition {
  /** The offset asked about. */
  readonly requested: bigint
  /**
   * The first data record at or after `requested` and below the high watermark (compaction and transaction
   * markers leave gaps); null when there is none, i.e. `requested` is at or past the high watermark.
   */
  readonly offset: bigint | null
  /** Milliseconds since the epoch: the producer's time, or the broker's for LogAppendTime topics. */
  readonly timestamp: number | null
  /** OFFSET_OUT_OF_RANGE below the log start (retention deleted it), LEADER_NOT_AVAILABLE, ... */
  readonly error?: KafkaError
}

export interface RecordsBefore extends TopicPartition {
  readonly offset: bigint
}

export interface DeletedRecords extends TopicPartition {
  readonly lowWatermark: bigint | null
  readonly error?: KafkaError
}

// ---------------------------------------------------------------------------------------------
// Records with their payloads (the record model itself is lib/kafka/records.ts, shared with the log-dir reader)

/** Records to read from one partition, from `offset` on. */
export interface FetchQuery extends TopicPartition {
  readonly offset: bigint
  /** At most this many data records (default 500). */
  readonly maxRecords?: number
  /** Stop before this offset (exclusive); default: the high watermark (read_uncommitted) or the last stable offset (read_committed). */
  readonly endOffset?: bigint
  /** read_committed stops at the last stable offset and lists the aborted transactions in the range. Default read_uncommitted. */
  readonly isolation?: IsolationLevel
}

export interface FetchedRecords extends TopicPartition {
  /** The offset asked for. */
  readonly requested: bigint
  /**
   * The batches read, in offset order, trimmed to the range: their data records (and a control batch's markers) are
   * those at or after `requested`, before the end. Empty at the end of the log.
   */
  readonly batches: readonly RecordBatch[]
  /** Where a next read would start: after the last record or marker read (or `requested` when nothing was). */
  readonly nextOffset: bigint
  readonly highWatermark: bigint | null
  readonly lastStableOffset: bigint | null
  readonly logStartOffset: bigint | null
  /** read_committed only: transactions aborted within the range (their records are among the batches). */
  readonly abortedTransactions: readonly { readonly producerId: bigint; readonly firstOffset: bigint }[]
  /** OFFSET_OUT_OF_RANGE below the log start, LEADER_NOT_AVAILABLE, ...; what was read before it stays valid. */
  readonly error?: KafkaError
}

/** A record to write: to a partition the caller chose, with its key, value, headers and (optionally) its time. */
export interface ProduceRecord {
  readonly partition: number
  readonly key: Buffer | null
  readonly value: Buffer | null
  readonly headers?: readonly RecordHeader[]
  /** Milliseconds since the epoch; default now. A LogAppendTime topic replaces it with the broker's time. */
  readonly timestamp?: number
}

export interface ProduceOptions {
  /** How long a record may take to be written, retries included (default 30 s); then it fails with the last error. */
  readonly timeoutMs?: number
}

/** Where one produced record landed, or why it did not. */
export interface ProducedRecord extends TopicPartition {
  /** The record's offset; null when it was not written. */
  readonly offset: bigint | null
  readonly error?: KafkaError
}

// ---------------------------------------------------------------------------------------------
// Log segments (never named over the protocol: one Fetch answer never holds records of two segments)

/** Which segment to measure: the one that holds `offset` (or the first with records after it). */
export interface SegmentQuery extends TopicPartition {
  readonly offset: bigint
  /** Read at most this many bytes of it (default 4 MiB); a longer remainder answers 'byte-limit'. */
  readonly maxBytes?: number
}

/**
 * The rest of the segment that holds an offset, as one Fetch from the leader returns it. A broker reads one
 * segment per answer, so an answer that ends on a whole batch before the bytes asked ends where the segment does.
 */
export interface SegmentSpan extends TopicPartition {
  readonly requested: bigint
  /** The first batch read (its base offset can be below `requested`); null when nothing was read. */
  readonly firstBatch: { readonly baseOffset: bigint; readonly maxTimestamp: number } | null
  /** One past the last offset read. */
  readonly nextOffset: bigint
  /**
   * segment: the read stopped at the segment's end — nextOffset is the next segment's base offset, exactly.
   * high-watermark: it reached the high watermark (the active segment, or one that ends right there).
   * byte-limit: the segment goes on past the bytes asked — nextOffset only says how far it was read.
   */
  readonly end: 'segment' | 'high-watermark' | 'byte-limit'
  /** The largest batch timestamp read (the segment's own largest timestamp is at least this). */
  readonly maxTimestamp: number | null
  /** Bytes of the whole batches read. */
  readonly bytes: number
  readonly highWatermark: bigint | null
  readonly logStartOffset: bigint | null
  /** OFFSET_OUT_OF_RANGE below the log start or past the high watermark, LEADER_NOT_AVAILABLE, ... */
  readonly error?: KafkaError
}

/** The answer for an offset whose segment could not be read: nothing read, the error said. */
export function failedSegmentSpan({ topic, partition, offset }: SegmentQuery, error: KafkaError): SegmentSpan {
  return {
    topic,
    partition,
    requested: offset,
    firstBatch: null,
    nextOffset: offset,
    end: 'byte-limit',
    maxTimestamp: null,
    bytes: 0,
    highWatermark: null,
    logStartOffset: null,
    error,
  }
}

// ---------------------------------------------------------------------------------------------
// Consumer groups

/** classic: JoinGroup/SyncGroup protocol; consumer: KIP-848 (4.x); others are listed but not managed here. */
export type GroupType = 'classic' | 'consumer' | 'share' | 'streams' | 'unknown'

export interface GroupListing {
  readonly groupId: string
  /** As Kafka names it: Empty, Stable, PreparingRebalance, CompletingRebalance, Assigning, Reconciling, Dead... */
  readonly state: string
  readonly type: GroupType
  readonly protocolType: string
}

/**
 * The groups of one `__consumer_offsets` partition that a listing could not read: its coordinator was moving to
 * another broker, loading the partition, or unreachable (killed, not yet fenced) for longer than the listing waits.
 */
export interface UnlistedGroups {
  readonly partition: number
  /** The broker that leads the partition as far as the listing saw; null when it has no leader. */
  readonly coordinator: number | null
  readonly error: KafkaError
}

/** Every group the coordinators list, and the `__consumer_offsets` partitions whose groups could not be listed. */
export interface GroupList {
  readonly groups: readonly GroupListing[]
  /** Empty when the listing is complete; otherwise groups may be missing from `groups`. */
  readonly unlisted: readonly UnlistedGroups[]
}

export interface GroupMember {
  readonly memberId: string
  readonly groupInstanceId: string | null
  readonly clientId: string
  readonly host: string
  readonly assignment: readonly TopicPartition[]
}

export interface GroupDescription {
  readonly groupId: string
  readonly state: string
  readonly type: GroupType
  /** The assignor, when the group has one. */
  readonly assignor: string | null
  readonly coordinator: number | null
  readonly members: readonly GroupMember[]
  /**
   * KIP-848 groups: the group epoch, which the coordinator bumps on every member that joins or leaves and every
   * subscription change. Absent for classic groups: DescribeGroups does not report their generation.
   */
  readonly epoch?: number
  /** GROUP_ID_NOT_FOUND for a group that does not exist. */
  readonly error?: KafkaError
}

export interface CommittedOffset extends TopicPartition {
  readonly offset: bigint
  readonly leaderEpoch: number | null
  readonly metadata: string | null
  readonly error?: KafkaError
}

export interface GroupOffsets {
  readonly groupId: string
  /** Only partitions with a committed offset. */
  readonly offsets: readonly CommittedOffset[]
  readonly error?: KafkaError
}

export interface OffsetCommit extends TopicPartition {
  /** A real offset, never a -1/-2 placeholder. */
  readonly offset: bigint
}

// ---------------------------------------------------------------------------------------------
// Log directories

export interface ReplicaOnDisk extends TopicPartition {
  readonly sizeBytes: bigint
  readonly offsetLag: bigint
  readonly future: boolean
}

export interface LogDir {
  readonly path: string
  readonly error?: KafkaError
  readonly totalBytes: bigint | null
  readonly usableBytes: bigint | null
  readonly replicas: readonly ReplicaOnDisk[]
}

export interface BrokerLogDirs {
  readonly broker: number
  readonly dirs: readonly LogDir[]
  /** Set when the broker could not be asked (dead, fenced, timed out). */
  readonly error?: KafkaError
}

// ---------------------------------------------------------------------------------------------
// Transactions: producers on a partition, transactional ids at their coordinators, and ending them

/** A producer a partition's leader (or a replica) keeps state for, as DescribeProducers reports it. */
export interface ActiveProducer {
  readonly producerId: bigint
  readonly producerEpoch: number
  /** Sequence number of its last batch here; -1 when none. */
  readonly lastSequence: number
  /** The last batch's timestamp (the producer's clock on CreateTime topics); null when unknown. */
  readonly lastTimestampMs: number | null
  /** Epoch of the coordinator that wrote this producer's last marker here; null before its first marker. */
  readonly coordinatorEpoch: number | null
  /** First offset of its open transaction on this partition; null when none is open here. */
  readonly transactionStartOffset: bigint | null
}

export interface ProducerQuery extends TopicPartition {
  /** Ask this replica's broker instead of the partition's leader. */
  readonly broker?: number
}

export interface PartitionProducers extends TopicPartition {
  /** The broker that answered: the leader unless another was asked; null when none could be asked. */
  readonly broker: number | null
  readonly producers: readonly ActiveProducer[]
  readonly error?: KafkaError
}

/** The broker coordinating a transactional id (FindCoordinator, key type TRANSACTION). */
export interface TransactionCoordinator {
  readonly transactionalId: string
  readonly broker: number | null
  readonly error?: KafkaError
}

/** What ListTransactions keeps; every field narrows, none given lists every transactional id. */
export interface TransactionFilter {
  /** Coordinator state names, as in TransactionListing.state. */
  readonly states?: readonly string[]
  readonly producerIds?: readonly bigint[]
  /** Only transactions open for longer than this (ListTransactions v1: Kafka 3.8+). */
  readonly openLongerThanMs?: number
  /** Only transactional ids matching this regular expression (ListTransactions v2: Kafka 4.1+). */
  readonly transactionalIdPattern?: string
}

export interface TransactionListing {
  readonly transactionalId: string
  readonly producerId: bigint
  /** As the coordinator names it: Empty, Ongoing, PrepareCommit, PrepareAbort, CompleteCommit, CompleteAbort, PrepareEpochFence, Dead. */
  readonly state: string
}

/** One broker's answer to ListTransactions: the transactional ids it coordinates. */
export interface CoordinatorTransactions {
  readonly broker: number
  readonly transactions: readonly TransactionListing[]
  /** State filters this coordinator does not know. */
  readonly unknownStates: readonly string[]
  readonly error?: KafkaError
}

export interface TransactionDescription {
  readonly transactionalId: string
  readonly coordinator: number | null
  readonly state: string
  readonly timeoutMs: number
  /** When the current transaction began, on the coordinator's clock; null when none has begun. */
  readonly startTimeMs: number | null
  readonly producerId: bigint
  readonly producerEpoch: number
  /** The current transaction's partitions, and while it completes those still waiting for their marker. */
  readonly partitions: readonly TopicPartition[]
  /** TRANSACTIONAL_ID_NOT_FOUND for an id the coordinator does not know. */
  readonly error?: KafkaError
}

/** Abort one producer's open transaction on one partition. Epochs are read live, never taken from a person. */
export interface TransactionAbort extends TopicPartition {
  readonly producerId: bigint
  /** When given, refused unless the producer is still at this epoch there. */
  readonly producerEpoch?: number
  /** When given, refused unless its open transaction still starts at this offset. */
  readonly startOffset?: bigint
}

export interface TransactionAbortResult extends TopicPartition {
  readonly producerId: bigint
  /** The abort marker written, with what was read live on the leader; null when nothing was written. */
  readonly marker: {
    readonly broker: number
    readonly producerEpoch: number
    readonly coordinatorEpoch: number
    readonly startOffset: bigint
  } | null
  readonly error?: KafkaError
}

/** Fence a transactional id: its coordinator bumps the producer epoch and aborts its open transaction. */
export interface ProducerFence {
  readonly transactionalId: string
  /** When given, refused unless the coordinator still has this producer id for it. */
  readonly producerId?: bigint
  /** When given, refused unless the coordinator still has this epoch for it. */
  readonly producerEpoch?: number
}

export interface ProducerFenceResult {
  readonly transactionalId: string
  /** The producer id and its new epoch; null when nothing changed. */
  readonly fenced: { readonly coordinator: number; readonly producerId: bigint; readonly producerEpoch: number } | null
  readonly error?: KafkaError
}

// ---------------------------------------------------------------------------------------------
// The interface

export interface PartitionStatesOptions {
  /**
   * Called with the names of topics as the cluster first names them, before the whole answer is in (a large
   * cluster answers in pages), so that a caller can start its per-topic reads early. Each existing topic is
   * named exactly once; topics that do not exist are not named.
   */
  readonly onTopics?: (topics: readonly string[]) => void
}

/** Everything a runbook may ask of or do to a cluster. Implemented by platformatic/ and fake/. */
export interface KafkaOps {
  capabilities(): Promise<Capabilities>
  cluster(): Promise<ClusterView>

  /** All topics when `topics` is omitted (internal ones included, flagged). Never throws for leaderless partitions. */
  partitionStates(topics?: readonly string[], options?: PartitionStatesOptions): Promise<TopicState[]>
  /** Resolves once every live broker sees the new topics (the controller answers before they do). */
  createTopics(topics: readonly NewTopic[]): Promise<TopicResult[]>
  /** Resolves once every live broker has forgotten the topics. */
  deleteTopics(topics: readonly string[]): Promise<TopicResult[]>

  /**
   * With `names`, only those configs come back (one small answer for thousands of topics); with `synonyms: false`,
   * every entry's synonyms are left empty (a smaller answer, when only values and sources are needed).
   */
  describeConfigs(resources: readonly ConfigResourceRef[], options?: DescribeConfigsOptions): Promise<ResourceConfig[]>
  /** IncrementalAlterConfigs only: every override not named in `ops` stays as it is. */
  incrementalAlterConfigs(changes: readonly ConfigChange[], options: { readonly validateOnly: boolean }): Promise<ConfigChangeResult[]>

  electLeaders(type: ElectionType, partitions: readonly TopicPartition[]): Promise<ElectionResult[]>
  alterPartitionReassignments(moves: readonly ReplicaMove[]): Promise<PartitionResult[]>
  listPartitionReassignments(): Promise<OngoingReassignment[]>

  listOffsets(queries: readonly OffsetQuery[]): Promise<ListedOffset[]>
  /** Each replica's own view of its log, asked of its broker; works on followers and on leaderless partitions. */
  replicaOffsets(queries: readonly ReplicaOffsetQuery[]): Promise<ReplicaOffset[]>
  /** The timestamp of the record at each offset, read from the partition's leader (Fetch), per partition. */
  recordTimestamps(queries: readonly RecordQuery[]): Promise<RecordTimestamp[]>
  /** Records with their payloads, read from each partition's leader (per partition: a leaderless one is an error, the rest read). */
  fetchRecords(queries: readonly FetchQuery[]): Promise<FetchedRecords[]>
  /**
   * Writes records idempotently with acks=all, each to the partition it names, in order per partition, and
   * answers where each landed. A record that could not be written carries its error; the others are written.
   */
  produce(topic: string, records: readonly ProduceRecord[], options?: ProduceOptions): Promise<ProducedRecord[]>
  deleteRecords(before: readonly RecordsBefore[]): Promise<DeletedRecords[]>
  /** Where the segment holding each offset ends, read from the partition's leader (per partition, like fetchRecords). */
  segmentSpans(queries: readonly SegmentQuery[]): Promise<SegmentSpan[]>
  describeLogDirs(brokers?: readonly number[]): Promise<BrokerLogDirs[]>

  /** Complete, or says which coordinators' groups it could not list: a group is never missing without a word. */
  listGroups(): Promise<GroupList>
  /**
   * One description per id, in order. `listed`: a listing the caller has just read (listGroups), whose types say how
   * each group is described; without it the brokers are asked again. A group missing from it is asked of its
   * coordinator directly.
   */
  describeGroups(groupIds: readonly string[], listed?: readonly GroupListing[]): Promise<GroupDescription[]>
  committedOffsets(groupId: string, topics?: readonly string[]): Promise<GroupOffsets>
  /** committedOffsets of many groups, one per id in order, each with its own error: one request per coordinator. */
  groupsCommittedOffsets(groupIds: readonly string[], topics?: readonly string[]): Promise<GroupOffsets[]>
  /** Refused per partition (NON_EMPTY_GROUP) unless the group is Empty or unknown; offsets must be real (≥ 0). */
  alterCommittedOffsets(groupId: string, offsets: readonly OffsetCommit[]): Promise<PartitionResult[]>

  /** The producers each partition's leader (or the named replica) tracks, with their open transactions. */
  describeProducers(queries: readonly ProducerQuery[]): Promise<PartitionProducers[]>
  findTransactionCoordinators(transactionalIds: readonly string[]): Promise<TransactionCoordinator[]>
  /** Asks every live broker for the transactional ids it coordinates, filtered; one answer per broker. */
  listTransactions(filter?: TransactionFilter): Promise<CoordinatorTransactions[]>
  describeTransactions(transactionalIds: readonly string[]): Promise<TransactionDescription[]>
  /**
   * Writes an abort marker on each partition's leader for the producer's open transaction there, with the
   * producer and coordinator epochs read live from that leader. A producer that is not there, has no open
   * transaction there or has moved on from the given epoch / start offset is refused per partition; nothing is written.
   */
  abortTransactions(aborts: readonly TransactionAbort[]): Promise<TransactionAbortResult[]>
  /** Bumps each transactional id's producer epoch at its coordinator; its open transaction is aborted. Unknown ids are refused. */
  fenceProducers(fences: readonly ProducerFence[]): Promise<ProducerFenceResult[]>

  close(): Promise<void>
}
