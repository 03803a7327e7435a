// Two of the three brokers hang (SIGSTOP, as in the isr-shrink drill): they still accept connections but never
// answer. The engine's first reads — who the cluster is, its brokers, its capabilities, made together — must be
// answered by the live broker, the hung ones getting nothing but the short ApiVersions probe, each named once;
// and a session whose bootstrap list starts with hung brokers still opens. The brokers run again afterwards.

import { tracingChannel } from 'node:diagnostics_channel'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readClusterIdentity } from '../../../lib/engine/cluster-identity.ts'
import { connect } from '../../../lib/kafka/index.ts'
import type { KafkaOps } from '../../../lib/kafka/types.ts'
import { nodeAction, readClusterView, restoreCluster } from '../../support/faults.ts'
import { waitFor } from '../../support/kafka.ts'
import { testSandbox } from '../../support/sandbox.ts'

type ApiMessage = { apiKey: number; connection: { port?: number } }
const apiVersionsKey = 18
const hung = [2, 3] as const

/** Every request of this process, by the port it went to (the client's own diagnostics channel). */
function watchRequests() {
  const sentTo = new Map<number, number[]>()
  const answeredBy = new Set<number>()
  const channel = tracingChannel<unknown, ApiMessage>('plt:kafka:connections:api')
  const subscribers = {
    start: (m: ApiMessage) => void sentTo.set(m.connection.port ?? 0, [...(sentTo.get(m.connection.port ?? 0) ?? []), m.apiKey]),
    end() {},
    asyncStart: (m: ApiMessage) => void answeredBy.add(m.connection.port ?? 0),
    asyncEnd() {},
    error() {},
  }
  channel.subscribe(subscribers)
  return { sentTo, answeredBy, reset: () => (sentTo.clear(), answeredBy.clear()), stop: () => channel.unsubscribe(subscribers) }
}

describe('two hung brokers', () => {
  const servers = () => testSandbox().bootstrap.split(',')
  const portOf = (brokerId: number) => Number(servers()[brokerId - 1]!.split(':')[1])
  const requests = watchRequests()
  const notices: string[] = []
  let warm: KafkaOps | undefined
  let before: Awaited<ReturnType<typeof readClusterIdentity>>

  beforeAll(async () => {
    // A session that has used every broker, as a drill's or a long run's has by the time the hosts hang.
    warm = await connect({ bootstrapServers: servers(), requestTimeoutMs: 20_000, onNotice: (line) => notices.push(line) })
    await waitFor(() => [1, 2, 3].every((id) => requests.answeredBy.has(portOf(id))), { what: 'every broker to answer the session', timeoutMs: 15_000 })
    before = await readClusterIdentity(warm, { origin: 'test' })
    for (const id of hung) await nodeAction(id, 'pause')
    // The cluster notices (fencing after broker.session.timeout.ms): by then the hung brokers' last answers are old.
    await waitFor(async () => (await readClusterView()).brokers.filter((b) => b.fenced).length === hung.length, {
      what: 'brokers 2 and 3 fenced',
      timeoutMs: 30_000,
    })
    requests.reset()
  })

  afterAll(async () => {
    requests.stop()
    await restoreCluster()
    await warm?.close()
  })

  it('a session that used them: the first reads made together are answered by broker 1, each hung broker probed and named once', async () => {
    const reads = () => Promise.all([readClusterIdentity(warm!, { origin: 'test' }), warm!.partitionStates(), warm!.capabilities()])
    const [identity] = await reads()
    await reads()
    expect(identity).toEqual(before)
    for (const id of hung) expect(requests.sentTo.get(portOf(id)) ?? []).toEqual([apiVersionsKey])
    expect((requests.sentTo.get(portOf(1)) ?? []).some((key) => key !== apiVersionsKey)).toBe(true)
    // Once each, in one line, whichever request found it silent first.
    expect(notices).toHaveLength(hung.length)
    for (const id of hung)
      expect(
        notices.filter((line) => line.startsWith(`broker ${id} (127.0.0.1:${portOf(id)}) is not answering (no answer to a probe within 3 s`)),
      ).toHaveLength(1)
  })

  it('a new session whose bootstrap list starts with the hung brokers opens on broker 1 and reads the same cluster', async () => {
    requests.reset()
    const ordered = [...hung.map((id) => servers()[id - 1]!), servers()[0]!]
    const fresh = await connect({ bootstrapServers: ordered, requestTimeoutMs: 20_000 })
    try {
      const [identity, brokers] = await Promise.all([readClusterIdentity(fresh, { origin: 'test' }), fresh.cluster()])
      expect(identity).toEqual(before)
      expect(brokers.brokers.map((b) => b.id).sort()).toEqual([1, 2, 3])
      for (const id of hung) expect(new Set(requests.sentTo.get(portOf(id)) ?? [])).toEqual(new Set([apiVersionsKey]))
    } finally {
      await fresh.close()
    }
  })
})
