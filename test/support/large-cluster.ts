// A production-sized cluster in the fake, for what no sandbox on one machine holds: 100,000 partitions in
// 20,000 topics (five each, RF 3 over 12 brokers in 3 racks), 2,000 consumer groups with 10,000 committed
// offsets, and then broker 12 dies. Every few topics carry a risk the reports have to find: min ISR 3 (under
// min ISR now), RF 1 (leaderless if its replica was on broker 12), unclean election on, all replicas in one rack.

import { fakeCluster, type FakeKafka } from '../../lib/kafka/fake/index.ts'

export const largeClusterShape = { brokers: 12, topics: 20_000, partitionsPerTopic: 5, groups: 2_000, deadBroker: 12 } as const

/** svc-<team>-<n>: 50 teams, as a naming scheme on a shared cluster reads. */
export const largeClusterTopic = (i: number) => `svc-${String(i % 50).padStart(2, '0')}-${String(i).padStart(5, '0')}`

export interface LargeClusterOptions {
  /** Fewer topics and groups, the same mix of risks (a mid-size cluster for tests that compare outputs). */
  readonly topics?: number
  readonly groups?: number
  /** When the records were written (default: the last hour, well inside the 7-day default retention). */
  readonly writtenFromMs?: number
}

export function largeCluster(options: LargeClusterOptions = {}): FakeKafka {
  const { brokers, partitionsPerTopic, deadBroker } = largeClusterShape
  const topics = options.topics ?? largeClusterShape.topics
  const groups = options.groups ?? largeClusterShape.groups
  let builder = fakeCluster()
  for (let id = 1; id <= brokers; id++) builder = builder.broker(id, { rack: `r${((id - 1) % 3) + 1}` })
  for (let i = 0; i < topics; i++) {
    const configs: Record<string, string> = { 'min.insync.replicas': i % 10 === 0 ? '3' : '2' }
    if (i % 200 === 7) configs['unclean.leader.election.enable'] = 'true'
    // Replica lists rotate over the brokers; every 50th topic has one replica, every 300th keeps its three in one rack.
    const replicas = Array.from({ length: partitionsPerTopic }, (_, p) => {
      const first = (i * partitionsPerTopic + p) % brokers
      if (i % 50 === 3) return [first + 1]
      if (i % 300 === 11) return [first % 3, (first % 3) + 3, (first % 3) + 6].map((b) => b + 1)
      return [first, first + 1, first + 2].map((b) => (b % brokers) + 1)
    })
    builder = builder.topic(largeClusterTopic(i), { replicas, configs })
  }
  const writtenFromMs = options.writtenFromMs ?? Date.now() - 3_600_000
  for (let g = 0; g < groups; g++) {
    const topic = largeClusterTopic(g * 10 + 1)
    const offsets: Record<string, bigint> = {}
    for (let p = 0; p < partitionsPerTopic; p++) offsets[`${topic}/${p}`] = 9n
    // A third of the groups have members; the others were stopped (or died) with their offsets committed.
    const members = g % 3 === 0 ? [{ assignment: Array.from({ length: partitionsPerTopic }, (_, p) => `${topic}/${p}`) }] : []
    builder = builder.group(`consumer-${String(g).padStart(4, '0')}`, { type: g % 2 ? 'consumer' : 'classic', offsets, members })
    // Each group's partitions end a little past its commits, on every replica (the fake keeps a timestamp per record).
    for (let p = 0; p < partitionsPerTopic; p++) builder = builder.records(topic, p, { count: 9 + (g % 7) * 10 + p, startMs: writtenFromMs })
  }
  const kafka = builder.build()
  kafka.killBroker(deadBroker)
  return kafka
}
