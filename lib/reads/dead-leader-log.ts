// Reads the log directories of brokers that are down, for the leaderless partitions they hold: each dead
// replica's log end and epochs, and — from the one that holds the most — what electing each live replica (or
// waiting for another dead one) would delete, record by record (lib/plans/exact-loss.ts counts). Read-only: the
// folders are opened through the injected OpenLogDir, which checks owner and liveness first.

import type { LogDirReader, OpenLogDir, PartitionLog, TornTail } from '../kafka/log-dir/types.ts'
import { describeLogDirFault } from '../kafka/log-dir/types.ts'
import type { KafkaOps, TopicPartition } from '../kafka/types.ts'
import { ExactLossTally, type Candidate, type ExactLoss } from '../plans/exact-loss.ts'
import type { LeaderlessPartition } from '../plans/leaderless.ts'

export interface DeadReplicaLog {
  readonly broker: number
  readonly path: string
  readonly logStartOffset: bigint
  readonly logEndOffset: bigint
  /** Where the readable log stops before the files do (a batch torn by the crash), ignored as Kafka's recovery does. */
  readonly torn: TornTail | null
}

/** One leaderless partition as the dead replicas' own files show it. */
export interface DeadLogReading extends TopicPartition {
  /** Every given dead replica that holds this partition, most records first. */
  readonly replicas: readonly DeadReplicaLog[]
  /** The dead replica every election is priced against: the one whose log reaches furthest. */
  readonly deadLeader: DeadReplicaLog | null
  /** Per candidate (live replicas, then the other dead replicas read): what the dead leader would truncate. */
  readonly losses: readonly ExactLoss[]
  /** Why a given folder told nothing about this partition, one line each. */
  readonly problems: readonly string[]
}

export interface GivenLogDir {
  readonly broker: number
  readonly path: string
}

/** Opens every given folder once (refusals are one line each), then reads each partition a given dead broker replicates. */
export async function readDeadLeaderLogs(
  kafka: KafkaOps,
  openLogDir: OpenLogDir,
  dirs: readonly GivenLogDir[],
  partitions: readonly LeaderlessPartition[],
): Promise<{ readonly readings: DeadLogReading[]; readonly refused: readonly string[] }> {
  const cluster = await kafka.cluster()
  const refused: string[] = []
  const readers = new Map<number, { reader: LogDirReader; path: string }>()
  for (const dir of dirs) {
    const listed = cluster.brokers.find((b) => b.id === dir.broker)
    const opened = await openLogDir(dir.path, {
      brokerId: dir.broker,
      clusterId: cluster.clusterId,
      ...(listed ? { endpoint: { host: listed.host, port: listed.port } } : {}),
    })
    if (opened.ok) readers.set(dir.broker, { reader: opened.value, path: dir.path })
    else refused.push(`broker ${dir.broker}: ${describeLogDirFault(opened.fault)}`)
  }
  const topicIds = new Map((await kafka.partitionStates([...new Set(partitions.map((p) => p.topic))])).map((t) => [t.topic, t.topicId]))
  const readings: DeadLogReading[] = []
  for (const partition of partitions) {
    const live = new Set(partition.replicaLogs.map((l) => l.broker))
    const held = partition.replicas.filter((id) => !live.has(id) && readers.has(id))
    if (held.length === 0) continue
    const problems: string[] = []
    const logs: { broker: number; path: string; log: PartitionLog; reader: LogDirReader }[] = []
    for (const broker of held) {
      const { reader, path } = readers.get(broker)!
      const result = await reader.partition(partition, { topicId: topicIds.get(partition.topic) ?? null })
      if (result.ok) logs.push({ broker, path, log: result.value, reader })
      else problems.push(`broker ${broker}: ${describeLogDirFault(result.fault)}`)
    }
    logs.sort((a, b) => (a.log.logEndOffset === b.log.logEndOffset ? 0 : a.log.logEndOffset > b.log.logEndOffset ? -1 : 1))
    const replicas = logs.map(({ broker, path, log }) => ({ broker, path, logStartOffset: log.logStartOffset, logEndOffset: log.logEndOffset, torn: log.torn }))
    const leader = logs[0]
    if (!leader) {
      readings.push({ ...tpOf(partition), replicas, deadLeader: null, losses: [], problems })
      continue
    }
    const candidates: Candidate[] = [
      ...partition.replicaLogs
        .filter((l): l is typeof l & { logEndOffset: bigint } => l.logEndOffset !== null)
        // A live replica's epoch history cannot be read over the wire while the partition is leaderless:
        // OffsetsForLeaderEpoch is served by the leader only, and ListOffsets 'latest' reports the partition's
        // current epoch (bumped when it lost its leader: measured 1 on replicas whose records are all epoch 0).
        .map((l) => ({ broker: l.broker, logEndOffset: l.logEndOffset, epochs: null, latestEpoch: null })),
      ...logs.slice(1).map(({ broker, log }) => ({ broker, logEndOffset: log.logEndOffset, epochs: log.epochs })),
    ]
    const tally = new ExactLossTally({ logEndOffset: leader.log.logEndOffset, epochs: leader.log.epochs }, candidates)
    const from = tally.lowestOffset()
    if (from !== null && from < leader.log.logEndOffset) for await (const entry of leader.reader.batches(partition, from)) tally.add(entry)
    readings.push({ ...tpOf(partition), replicas, deadLeader: replicas[0]!, losses: tally.results(), problems })
  }
  return { readings, refused }
}

const tpOf = (tp: TopicPartition): TopicPartition => ({ topic: tp.topic, partition: tp.partition })
