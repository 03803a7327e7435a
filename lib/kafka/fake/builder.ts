// A fluent builder for the fake cluster: a realistic incident state in a few lines.
//
//   const kafka = fakeCluster({ kafka: '4.3' })
//     .brokers(3)                                            // brokers 1..3 on racks r1..r3
//     .topic('orders', { partitions: 3, replicationFactor: 3, configs: { 'min.insync.replicas': '2' } })
//     .records('orders', 0, { count: 500, startMs: 1_700_000_000_000, stepMs: 10 })
//     .group('billing', { type: 'classic', offsets: { 'orders/0': 420n } })
//     .build()
//   kafka.killBroker(1)                                      // Kafka's rules: ISR shrinks, leaders move or vanish

import type { GroupType, TopicPartition } from '../types.ts'
import { FakeKafka } from './fake-kafka.ts'
import { dropSegmentsBelow, fileSingleRecords } from './segments.ts'
import { type BrokerLife, type ClusterState, type FakeGroup, type FakePartition, type FakeTopic, emptyPartition, findPartition, partitionKey } from './state.ts'

export interface FakeClusterOptions {
  /** The release line to imitate: its APIs, features and ELR default. "4.3" unless said. */
  readonly kafka?: '4.3' | '3.9'
  /** Eligible leader replicas; on by default for 4.x (as a fresh 4.3.1 cluster formats), impossible on 3.9. */
  readonly elr?: boolean
  readonly clusterId?: string
  /** The active KRaft controller's node id. */
  readonly controllerId?: number
  /** Bytes per record, for log-dir sizes. */
  readonly recordBytes?: number
  /** The cluster's clock, for transaction start times and timeouts (Date.now by default). */
  readonly clock?: () => number
}

export interface BrokerOptions {
  readonly rack?: string | null
  readonly state?: BrokerLife
  /** For a broker set down: when the controller last heard from it (ms since the epoch). */
  readonly lastContactMs?: number
  readonly host?: string
  readonly port?: number
}

export interface TopicOptions {
  readonly partitions?: number
  readonly replicationFactor?: number
  /** Replica list per partition; overrides partitions/replicationFactor. The first replica leads. */
  readonly replicas?: readonly (readonly number[])[]
  readonly configs?: Readonly<Record<string, string>>
  readonly internal?: boolean
}

export interface PartitionOptions {
  readonly replicas?: readonly number[]
  /** null for a leaderless partition. */
  readonly leader?: number | null
  readonly leaderEpoch?: number
  readonly isr?: readonly number[]
  readonly elr?: readonly number[]
  readonly lastKnownElr?: readonly number[]
  readonly highWatermark?: bigint
  readonly logStartOffset?: bigint
  /** Per-replica log end offsets: { 1: 5000n, 3: 1200n }. */
  readonly logEndOffsets?: Readonly<Record<number, bigint>>
}

export interface RecordsOptions {
  readonly count: number
  /** Timestamp of the first record; records are `stepMs` apart. */
  readonly startMs?: number
  readonly stepMs?: number
  /** Exact timestamps instead (one per record). */
  readonly timestamps?: readonly number[]
}

export interface MemberOptions {
  readonly memberId?: string
  readonly clientId?: string
  readonly host?: string
  readonly groupInstanceId?: string
  /** Assigned partitions as 'topic/partition' strings or objects. */
  readonly assignment?: readonly (string | TopicPartition)[]
}

export interface GroupOptions {
  readonly type?: Extract<GroupType, 'classic' | 'consumer'>
  readonly members?: readonly MemberOptions[]
  /** Committed offsets: { 'orders/0': 420n }. */
  readonly offsets?: Readonly<Record<string, bigint>>
  /** Pin a state Kafka would report (PreparingRebalance, Dead...); derived from members otherwise. */
  readonly state?: string
  readonly assignor?: string
}

const parseTopicPartition = (ref: string | TopicPartition): TopicPartition => {
  if (typeof ref !== 'string') return ref
  const slash = ref.lastIndexOf('/')
  if (slash < 1) throw new Error(`fake cluster: "${ref}" is not topic/partition`)
  return { topic: ref.slice(0, slash), partition: Number(ref.slice(slash + 1)) }
}

let topicIds = 0
const newTopicId = (): string => {
  topicIds++
  return `fake-topic-${topicIds.toString().padStart(6, '0')}`
}

/** Starts a fake cluster description; nothing exists until you add brokers and topics. */
export function fakeCluster(options: FakeClusterOptions = {}): FakeClusterBuilder {
  return new FakeClusterBuilder(options)
}

/** Each method adds to the cluster and returns the builder; `build()` hands out the KafkaOps. */
export class FakeClusterBuilder {
  readonly #state: ClusterState

  constructor(options: FakeClusterOptions) {
    const line = options.kafka ?? '4.3'
    if (line === '3.9' && options.elr) throw new Error('fake cluster: Kafka 3.9 has no eligible leader replicas')
    this.#state = {
      clusterId: options.clusterId ?? 'fake-cluster-0000000000',
      kafkaLine: line,
      elrEnabled: line !== '3.9' && (options.elr ?? true),
      controllerId: options.controllerId ?? 100,
      brokers: new Map(),
      topics: new Map(),
      staticBrokerConfig: new Map(),
      brokerDefaults: new Map(),
      brokerConfigs: new Map(),
      groups: new Map(),
      stalledCoordinators: new Map(),
      recordBytes: options.recordBytes ?? 100,
      unreachable: false,
      transactionalIds: new Map(),
      nextProducerId: 1000n,
      clock: options.clock ?? Date.now,
      mutations: [],
    }
    // Measured 4.3.1: with ELR on, the controller keeps a cluster-wide dynamic min.insync.replicas=1.
    if (this.#state.elrEnabled) this.#state.brokerDefaults.set('min.insync.replicas', '1')
  }

  /** Brokers 1..count, on racks r1..rN (pass `racks: false` for none). */
  brokers(count: number, options: { racks?: boolean } = {}): this {
    for (let id = 1; id <= count; id++) this.broker(id, { rack: options.racks === false ? null : `r${id}` })
    return this
  }

  /** One broker; `state: 'dead'` or `'fenced'` sets it down without touching partitions (say so with partition()). */
  broker(id: number, options: BrokerOptions = {}): this {
    this.#state.brokers.set(id, {
      id,
      host: options.host ?? '127.0.0.1',
      port: options.port ?? 9090 + id,
      rack: options.rack === undefined ? `r${id}` : options.rack,
      life: options.state ?? 'alive',
      lastContactMs: options.lastContactMs ?? null,
      logDirOffline: false,
    })
    return this
  }

  /** A healthy topic: leaders are the first replicas, every replica in sync, logs empty. */
  topic(name: string, options: TopicOptions = {}): this {
    const brokerIds = [...this.#state.brokers.keys()].sort((a, b) => a - b)
    const count = options.replicas?.length ?? options.partitions ?? 1
    const rf = options.replicationFactor ?? Math.min(3, brokerIds.length)
    if (!options.replicas && rf > brokerIds.length) throw new Error(`fake cluster: replication factor ${rf} needs ${rf} brokers, have ${brokerIds.length}`)
    const partitions: FakePartition[] = []
    for (let p = 0; p < count; p++) {
      const replicas = options.replicas ? [...options.replicas[p]!] : Array.from({ length: rf }, (_, i) => brokerIds[(p + i) % brokerIds.length]!)
      partitions.push(emptyPartition(name, p, replicas, replicas[0] ?? null, replicas))
    }
    const topic: FakeTopic = {
      name,
      id: newTopicId(),
      internal: options.internal ?? name.startsWith('__'),
      partitions,
      configs: new Map(Object.entries(options.configs ?? {})),
    }
    this.#state.topics.set(name, topic)
    return this
  }

  /** Overrides one partition's replication state (leaderless, shrunk ISR, ELR...), as Kafka would show it. */
  partition(topic: string, partition: number, options: PartitionOptions): this {
    const state = this.#partition(topic, partition)
    if (options.replicas) {
      state.replicas = [...options.replicas]
      for (const id of state.replicas) if (!state.logs.has(id)) state.logs.set(id, { leo: state.highWatermark })
    }
    if (options.leader !== undefined) state.leader = options.leader
    if (options.leaderEpoch !== undefined) state.leaderEpoch = options.leaderEpoch
    if (options.isr) state.isr = [...options.isr]
    if (options.elr) state.elr = [...options.elr]
    if (options.lastKnownElr) state.lastKnownElr = [...options.lastKnownElr]
    for (const [broker, leo] of Object.entries(options.logEndOffsets ?? {})) {
      state.logs.set(Number(broker), { leo })
      if (BigInt(state.timestamps.length) < leo) this.#extendTimestamps(topic, state, leo)
    }
    if (options.logStartOffset !== undefined) {
      // As if retention had deleted everything below it: the log starts a segment there.
      state.logStartOffset = options.logStartOffset
      dropSegmentsBelow(state, options.logStartOffset)
      const first = state.segments[0]!
      if (first.baseOffset < options.logStartOffset) first.baseOffset = options.logStartOffset
    }
    if (options.highWatermark !== undefined) state.highWatermark = options.highWatermark
    return this
  }

  /** Appends records to the leader and every ISR replica; the high watermark follows. */
  records(topic: string, partition: number, options: RecordsOptions): this {
    const state = this.#partition(topic, partition)
    const start = options.startMs ?? 1_700_000_000_000
    const step = options.stepMs ?? 1
    const base = state.timestamps.length
    for (let i = 0; i < options.count; i++) state.timestamps.push(options.timestamps?.[i] ?? start + (base + i) * step)
    fileSingleRecords(this.#state, this.#state.topics.get(topic)!, state, BigInt(base))
    const leo = BigInt(state.timestamps.length)
    for (const id of state.isr) state.logs.set(id, { leo })
    if (state.leader !== null) state.logs.set(state.leader, { leo })
    state.highWatermark = leo
    return this
  }

  /** Dynamic topic overrides (kafka-configs --entity-type topics). */
  topicConfig(topic: string, configs: Readonly<Record<string, string>>): this {
    const found = this.#state.topics.get(topic)
    if (!found) throw new Error(`fake cluster: no topic ${topic}`)
    for (const [name, value] of Object.entries(configs)) found.configs.set(name, value)
    return this
  }

  /** server.properties of every broker. */
  staticBrokerConfig(configs: Readonly<Record<string, string>>): this {
    for (const [name, value] of Object.entries(configs)) this.#state.staticBrokerConfig.set(name, value)
    return this
  }

  /** Cluster-wide dynamic broker defaults (kafka-configs --entity-default). */
  brokerDefaults(configs: Readonly<Record<string, string>>): this {
    for (const [name, value] of Object.entries(configs)) this.#state.brokerDefaults.set(name, value)
    return this
  }

  /** Per-broker dynamic overrides (kafka-configs --entity-name <id>). */
  brokerConfig(id: number, configs: Readonly<Record<string, string>>): this {
    const map = this.#state.brokerConfigs.get(id) ?? new Map<string, string>()
    for (const [name, value] of Object.entries(configs)) map.set(name, value)
    this.#state.brokerConfigs.set(id, map)
    return this
  }

  /** A consumer group: classic (JoinGroup) or consumer (KIP-848), with members, assignments and commits. */
  group(groupId: string, options: GroupOptions = {}): this {
    const type = options.type ?? 'classic'
    if (type === 'consumer' && this.#state.kafkaLine === '3.9') throw new Error('fake cluster: consumer-protocol groups need Kafka 4.x')
    const group: FakeGroup = {
      groupId,
      type,
      protocolType: 'consumer',
      assignor: options.assignor ?? (type === 'classic' ? 'range' : 'uniform'),
      pinnedState: options.state ?? null,
      members: (options.members ?? []).map((m, i) => ({
        memberId: m.memberId ?? `${m.clientId ?? 'consumer'}-${groupId}-${i + 1}`,
        groupInstanceId: m.groupInstanceId ?? null,
        clientId: m.clientId ?? `consumer-${groupId}-${i + 1}`,
        host: m.host ?? '/127.0.0.1',
        assignment: (m.assignment ?? []).map(parseTopicPartition),
      })),
      offsets: new Map(),
      epoch: options.members?.length ?? 0,
    }
    for (const [ref, offset] of Object.entries(options.offsets ?? {})) {
      const tp = parseTopicPartition(ref)
      group.offsets.set(partitionKey(tp.topic, tp.partition), { offset, leaderEpoch: null, metadata: '' })
    }
    this.#state.groups.set(groupId, group)
    return this
  }

  /** The cluster, ready: a KafkaOps with fault helpers. */
  build(): FakeKafka {
    return new FakeKafka(this.#state)
  }

  #partition(topic: string, partition: number): FakePartition {
    const found = findPartition(this.#state, topic, partition)
    if (!found) throw new Error(`fake cluster: no partition ${topic}/${partition} — add the topic first`)
    return found
  }

  #extendTimestamps(topic: string, state: FakePartition, leo: bigint): void {
    const from = BigInt(state.timestamps.length)
    let next = (state.timestamps.at(-1) ?? 1_700_000_000_000 - 1) + 1
    while (BigInt(state.timestamps.length) < leo) state.timestamps.push(next++)
    fileSingleRecords(this.#state, this.#state.topics.get(topic)!, state, from)
  }
}
