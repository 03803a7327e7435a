// describeLogDirs(): every replica's size on every broker's disks. A broker that does not answer is an
// error in its own entry — never left out, which is what a dead broker would otherwise look like.

import { describeLogDirsV2, describeLogDirsV3, describeLogDirsV4 } from './client.ts'
import { ErrorCode, kafkaError } from '../errors.ts'
import type { BrokerLogDirs, LogDir } from '../types.ts'
import { readPartitionStates } from './partition-states.ts'
import { type Session, send } from './session.ts'

type Api = typeof describeLogDirsV4.api
const apis: Record<number, Api> = { 4: describeLogDirsV4.api, 3: describeLogDirsV3.api as unknown as Api, 2: describeLogDirsV2.api as unknown as Api }

/** Registered brokers, plus (before Kafka 4.0, which hides fenced brokers) any broker a replica list names. */
async function allBrokers(session: Session): Promise<number[]> {
  const addresses = await session.addresses(true)
  const ids = new Set(addresses.keys())
  if ([...addresses.values()].some((b) => b.fenced === null)) {
    for (const topic of await readPartitionStates(session)) for (const p of topic.partitions) for (const id of p.replicas) ids.add(id)
  }
  return [...ids].sort((a, b) => a - b)
}

export async function describeLogDirs(session: Session, brokers?: readonly number[]): Promise<BrokerLogDirs[]> {
  const ids = brokers ? [...brokers] : await allBrokers(session)
  const version = session.version(35, [2, 3, 4])
  return Promise.all(
    ids.map(async (broker): Promise<BrokerLogDirs> => {
      if (version === null) return { broker, dirs: [], error: kafkaError(ErrorCode.UNSUPPORTED_VERSION, 'DescribeLogDirs v2+ is not served by this cluster') }
      // A null topic list asks for every replica.
      const answer = await session.onBroker(broker, (c) => send(apis[version]!, c, null as unknown as []))
      if ('error' in answer) return { broker, dirs: [], error: answer.error }
      if (answer.value.errorCode !== 0) return { broker, dirs: [], error: kafkaError(answer.value.errorCode) }
      const dirs = answer.value.results.map((d): LogDir => ({
        path: d.logDir,
        ...(d.errorCode !== 0 ? { error: kafkaError(d.errorCode) } : {}),
        totalBytes: d.totalBytes < 0n ? null : d.totalBytes,
        usableBytes: d.usableBytes < 0n ? null : d.usableBytes,
        replicas: d.topics
          .flatMap((t) =>
            t.partitions.map((p) => ({
              topic: t.name,
              partition: p.partitionIndex,
              sizeBytes: p.partitionSize,
              offsetLag: p.offsetLag,
              future: p.isFutureKey,
            })),
          )
          .sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition),
      }))
      return { broker, dirs }
    }),
  )
}
