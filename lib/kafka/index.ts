// The public door of lib/kafka: connect to a cluster and get the client-neutral KafkaOps.
import type { ConnectionOptions, KafkaOps } from './types.ts'

/**
 * Opens a KafkaOps on the cluster. The Kafka client is imported here, on first use, so commands that never
 * talk to a cluster (--help, list, show) do not pay its ~0.5 s load time.
 */
export async function connect(options: ConnectionOptions): Promise<KafkaOps> {
  const { openPlatformaticKafka } = await import('./platformatic/index.ts')
  return openPlatformaticKafka(options)
}
