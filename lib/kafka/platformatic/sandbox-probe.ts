// Readiness questions answered by @platformatic/kafka: which brokers the cluster has registered (and, on 4.0+,
// which of them are fenced), which controller is active, and whether a probe topic takes an acks=all write on
// every partition. lib/cli hands this object to lib/sandbox (whose SandboxProbe it fits); neither side imports
// the other.

import { Admin, Connection, ProduceAcks, Producer, Writer, apiVersionsV3, createAPI, describeClusterV1, describeQuorumV2 } from '@platformatic/kafka'
import type { Reader } from '@platformatic/kafka'

const describeClusterKey = 60
const describeQuorumKey = 55

interface DescribedBroker {
  readonly brokerId: number
  readonly isFenced: boolean
}

/** The cluster's own view: registered brokers (fenced or not) and the active controller, null when it cannot tell. */
interface ClusterView {
  readonly brokers: readonly { readonly id: number; readonly fenced: boolean }[]
  readonly activeControllerId: number | null
}

// DescribeCluster v2 (Kafka 4.0+, KIP-1073) can list fenced brokers too; the client ships only v0 and v1.
//   Request  v2 => include_cluster_authorized_operations endpoint_type include_fenced_brokers TAG_BUFFER
//   Response v2 => throttle_time_ms error_code error_message endpoint_type cluster_id controller_id
//                  [broker_id host port rack is_fenced TAG_BUFFER] cluster_authorized_operations TAG_BUFFER
const describeClusterV2 = createAPI(
  describeClusterKey,
  2,
  (includeFencedBrokers: boolean) => Writer.create().appendBoolean(false).appendInt8(1).appendBoolean(includeFencedBrokers).appendTaggedFields(),
  (_correlationId: number, _apiKey: number, _apiVersion: number, reader: Reader) => {
    reader.readInt32()
    const errorCode = reader.readInt16()
    const errorMessage = reader.readNullableString()
    reader.readInt8()
    reader.readString()
    reader.readInt32()
    const brokers = reader.readArray((r) => {
      const brokerId = r.readInt32()
      r.readString()
      r.readInt32()
      r.readNullableString()
      return { brokerId, isFenced: r.readBoolean() }
    })
    if (errorCode !== 0) throw new Error(`DescribeCluster failed with error ${errorCode}: ${errorMessage ?? ''}`)
    return { brokers }
  },
)

/** The real-client probe `up`, `start` and the CLI's `status` use. */
export function createSandboxProbe(clientId = 'runbook-sandbox-probe') {
  return {
    async readCluster(bootstrap: string, { timeoutMs }: { readonly timeoutMs: number }): Promise<ClusterView> {
      const servers = parseServers(bootstrap)
      const connections: Connection[] = []
      const ask = async ({ host, port }: { host: string; port: number }): Promise<ClusterView> => {
        const connection = new Connection(clientId, { connectTimeout: timeoutMs, requestTimeout: timeoutMs })
        // A broker killed mid-request resets the socket; the failed request already rejects, so the event adds nothing.
        connection.on('error', () => {})
        connections.push(connection)
        await connection.connect(host, port)
        const versions = await apiVersionsV3.api.async(connection, clientId, '1')
        const max = (key: number) => versions.apiKeys.find((api) => api.apiKey === key)?.maxVersion ?? -1
        let brokers: DescribedBroker[]
        if (max(describeClusterKey) >= 2) {
          brokers = (await describeClusterV2.async(connection, true)).brokers
        } else {
          const answer = await describeClusterV1.api.async(connection, false, 1)
          // Before 4.0 the cluster only lists unfenced brokers.
          brokers = answer.brokers.map((broker) => ({ brokerId: broker.brokerId, isFenced: false }))
        }
        let activeControllerId: number | null = null
        if (max(describeQuorumKey) >= 2) {
          const quorum = await describeQuorumV2.api.async(connection, [{ topicName: '__cluster_metadata', partitions: [{ partitionIndex: 0 }] }])
          const leader = quorum.topics[0]?.partitions[0]?.leaderId
          activeControllerId = leader !== undefined && leader >= 0 ? leader : null
        }
        return { brokers: brokers.map((broker) => ({ id: broker.brokerId, fenced: broker.isFenced })), activeControllerId }
      }
      try {
        // Every broker at once: a paused broker accepts the connection but never answers, and must not hold us up.
        return await withDeadline(Promise.any(servers.map(ask)), timeoutMs + 500, 'no broker answered')
      } catch (error) {
        throw error instanceof AggregateError ? new Error(`no broker answered (${firstMessage(error.errors)})`) : error
      } finally {
        await Promise.allSettled(connections.map((connection) => connection.close()))
      }
    },

    async writeProbeRecords(
      bootstrap: string,
      {
        topic,
        partitions,
        replicationFactor,
        timeoutMs,
      }: { readonly topic: string; readonly partitions: number; readonly replicationFactor: number; readonly timeoutMs: number },
    ): Promise<void> {
      const base = {
        clientId,
        bootstrapBrokers: parseServers(bootstrap).map(({ host, port }) => `${host}:${port}`),
        connectTimeout: timeoutMs,
        requestTimeout: timeoutMs,
        timeout: timeoutMs,
        retries: 1,
        retryDelay: 100,
      }
      const admin = new Admin(base)
      // @platformatic/kafka 1.35 takes acks per send() for a non-idempotent producer (the constructor's is ignored).
      const producer = new Producer({ ...base, idempotent: false, autocreateTopics: false })
      try {
        await withDeadline(
          (async () => {
            const existing = await admin.listTopics()
            // min.insync.replicas = RF − 1: the probe topic itself is set up the way the durability audit recommends.
            if (!existing.includes(topic)) {
              await admin.createTopics({
                topics: [topic],
                partitions,
                replicas: replicationFactor,
                configs: [{ name: 'min.insync.replicas', value: String(Math.max(1, replicationFactor - 1)) }],
              })
            }
            await producer.send({
              acks: ProduceAcks.ALL,
              messages: Array.from({ length: partitions }, (_, partition) => ({ topic, partition, value: Buffer.from(`probe ${new Date().toISOString()}`) })),
            })
          })(),
          timeoutMs * 2,
          'the probe write did not finish',
        )
      } finally {
        await Promise.allSettled([admin.close(), producer.close(true)])
      }
    },
  }
}

function parseServers(bootstrap: string): { host: string; port: number }[] {
  return bootstrap.split(',').map((server) => {
    const colon = server.lastIndexOf(':')
    return { host: server.slice(0, colon), port: Number(server.slice(colon + 1)) }
  })
}

function withDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms)
  })
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer))
}

function firstMessage(errors: unknown[]): string {
  const first = errors[0]
  return first instanceof Error ? first.message.split('\n')[0]! : String(first)
}
