// Placeholder until the access layer lands (issue 4): the public door of lib/kafka.
import type { ConnectionOptions, KafkaOps } from './types.ts'
import { KafkaConnectionError } from './types.ts'

export async function connect(_options: ConnectionOptions): Promise<KafkaOps> {
  throw new KafkaConnectionError('unsupported', 'the Kafka access layer is not built yet')
}
export const loadSandboxProbe = async (): Promise<import('../sandbox/index.ts').SandboxProbe> => (await import('./platformatic/sandbox-probe.ts')).createSandboxProbe()
