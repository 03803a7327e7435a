// The kafkajs client as the workloads use it: a typical Node service's setup, logging warnings to stderr
// (stdout and the IPC channel belong to the drill).

import { type Consumer, type ConsumerConfig, Kafka, logLevel, type logCreator } from 'kafkajs'

const toStderr: logCreator =
  () =>
  ({ namespace, level, log }) => {
    if (level > logLevel.WARN) return
    process.stderr.write(`${new Date().toISOString()} ${logLevel[level]} [${namespace}] ${log.message}\n`)
  }

export function kafkaClient(clientId: string, brokers: readonly string[]): Kafka {
  return new Kafka({
    clientId,
    brokers: [...brokers],
    logLevel: logLevel.WARN,
    logCreator: toStderr,
    connectionTimeout: 3000,
    requestTimeout: 10_000,
    retry: { retries: 8, initialRetryTime: 200 },
  })
}

/** A group member as the consumer services set it up: heartbeats a third of the session timeout (at least 500 ms), 8 retries. */
export function groupConsumer(
  service: { readonly clientId: string; readonly bootstrap: readonly string[]; readonly groupId: string; readonly sessionTimeoutMs: number },
  extra: Partial<ConsumerConfig> = {},
): Consumer {
  return kafkaClient(service.clientId, service.bootstrap).consumer({
    groupId: service.groupId,
    sessionTimeout: service.sessionTimeoutMs,
    heartbeatInterval: Math.max(500, Math.floor(service.sessionTimeoutMs / 3)),
    retry: { retries: 8 },
    ...extra,
  })
}

/** Reads the workload's configuration (argv[2], JSON), and ties the process's life to the drill's. */
export function workloadStart<T>(): T {
  // The drill talks over IPC; if it dies (even by SIGKILL), the channel closes and so does this workload.
  process.on('disconnect', () => process.exit(0))
  return JSON.parse(process.argv[2] ?? '{}') as T
}

export function report(message: import('./protocol.ts').WorkloadMessage): void {
  if (process.connected) process.send?.(message)
}
