// The topic a drill's workloads use: created with up to three replicas, and usable (every partition led) before
// any workload starts.

import { waitUntil } from '../poll/index.ts'
import type { DrillContext } from './scenario.ts'

/** Creates `topic` with `partitions` partitions on the drill's sandbox and waits until each has a leader. */
export async function createDrillTopic(ctx: DrillContext, topic: string, partitions: number): Promise<void> {
  const brokers = (await ctx.kafka.cluster()).brokers.length
  const [created] = await ctx.kafka.createTopics([{ topic, partitions, replicationFactor: Math.min(3, brokers) }])
  if (created?.error) throw new Error(`drill: cannot create topic ${topic}: ${created.error.message}`)
  await waitUntil(
    `topic ${topic} to have leaders`,
    async () => (await ctx.kafka.partitionStates([topic]))[0]?.partitions.every((p) => p.leader !== null) ?? false,
    ctx,
    { timeoutMs: 30_000, signal: ctx.signal },
  )
}
