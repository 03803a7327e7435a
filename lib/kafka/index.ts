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
/**
 * The sandbox's readiness probe on the real client. It needs the client's producer, whose import takes 0.4 s
 * (seconds on a busy machine): the probe is handed out at once and loads while the nodes format and start.
 */
export const loadSandboxProbe = async (): Promise<import('../sandbox/index.ts').SandboxProbe> => {
  const loading = import('./platformatic/sandbox-probe.ts').then((m) => m.createSandboxProbe())
  loading.catch(() => {}) // reported by the first call that needs it
  return {
    readCluster: async (bootstrap, options) => (await loading).readCluster(bootstrap, options),
    writeProbeRecords: async (bootstrap, options) => (await loading).writeProbeRecords(bootstrap, options),
  }
}
