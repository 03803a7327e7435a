// What the sandbox needs to know from Kafka itself, asked through a real client that the caller injects
// (lib/sandbox imports no Kafka client; lib/kafka/platformatic/sandbox-probe.ts is the real one).

/** A broker as the cluster sees it. */
export interface ProbedBroker {
  readonly id: number
  /** true: registered but fenced (4.0+ can say so); false: registered and unfenced. */
  readonly fenced: boolean
}

/** The cluster's own view: who is registered, who is fenced, which controller is active. */
export interface SandboxClusterView {
  /** Registered brokers. Before Kafka 4.0 the cluster hides fenced brokers, so only unfenced ones appear. */
  readonly brokers: readonly ProbedBroker[]
  /** The active KRaft controller (DescribeQuorum leader), or null when the cluster cannot tell. */
  readonly activeControllerId: number | null
}

/** Readiness questions answered by a real Kafka client. Every call must give up within timeoutMs. */
export interface SandboxProbe {
  readCluster(bootstrap: string, options: { readonly timeoutMs: number }): Promise<SandboxClusterView>
  /** Creates `topic` if missing (one partition per broker) and writes one record to every partition with acks=all. */
  writeProbeRecords(
    bootstrap: string,
    options: { readonly topic: string; readonly partitions: number; readonly replicationFactor: number; readonly timeoutMs: number },
  ): Promise<void>
}

/** The topic `up` writes to with acks=all before it calls a sandbox ready. */
export const probeTopic = 'runbook-sandbox-probe'
