// The topic a drill's services work on: created with up to three replicas, and ready once every partition has a
// leader; and the producer service that writes to it.

import { waitUntil } from '../poll/index.ts'
import type { DrillContext } from './scenario.ts'
import type { Workload } from './workload-processes.ts'
import type { ProducerConfig } from './workloads/protocol.ts'

/** Creates `topic` with `partitions` partitions (replication min(3, brokers), `configs` as given) and waits for their leaders; returns the replication factor. */
export async function createDrillTopic(ctx: DrillContext, topic: string, partitions: number, configs?: Readonly<Record<string, string>>): Promise<number> {
  const replicationFactor = Math.min(3, (await ctx.kafka.cluster()).brokers.length)
  const [created] = await ctx.kafka.createTopics([{ topic, partitions, replicationFactor, ...(configs ? { configs } : {}) }])
  if (created?.error) throw new Error(`drill: cannot create topic ${topic}: ${created.error.message}`)
  await waitUntil(
    `topic ${topic} to have leaders`,
    async () => (await ctx.kafka.partitionStates([topic]))[0]?.partitions.every((p) => p.leader !== null) ?? false,
    ctx,
    { timeoutMs: 30_000, signal: ctx.signal },
  )
  return replicationFactor
}

/** What one drill's producer service differs in; the brokers are the drill's, and acks=all unless said. */
export type DrillProducerSettings = Omit<ProducerConfig, 'kind' | 'bootstrap' | 'acks'> & { readonly acks?: ProducerConfig['acks'] }

/** Starts the kafkajs producer service `name` (a child process writing its acknowledgements to `settings.ledger`). */
export function startDrillProducer(ctx: DrillContext, name: string, settings: DrillProducerSettings): Promise<Workload> {
  return ctx.workloads.start(name, { kind: 'producer', bootstrap: ctx.bootstrap.split(','), acks: -1, ...settings })
}
