// Cause detection on the real sandbox: a hung follower (SIGSTOP: its broker accepts connections and never
// answers), a killed broker (nothing listens: connection refused) with the controller's last contact, and a
// follower held out of the ISR by a replication throttle — removed by the runbook (only its list entries,
// every other override kept, the follower rejoins) and put back exactly by `runbook undo`.

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { connect } from '../../../lib/kafka/index.ts'
import type { KafkaOps } from '../../../lib/kafka/types.ts'
import { nodeAction, restoreCluster } from '../../support/faults.ts'
import { startProducing, uniqueTopic, waitFor } from '../../support/kafka.ts'
import { broker1, cell, cli, fencedByCluster, runIsrShrink, topicOverrides } from './cli.ts'

interface ReplicaJson {
  partition: string
  broker: number
  verdict: string
  progress: { kind: string; why?: string }
  throttled: boolean
}
interface BrokerJson {
  broker: number
  state: string
  process: string
  lastContactMs: number | null
}

let ops: KafkaOps
const rates = ['leader.replication.throttled.rate', 'follower.replication.throttled.rate']
const lists = ['leader.replication.throttled.replicas', 'follower.replication.throttled.replicas']

async function isrOf(topic: string): Promise<number[]> {
  const [state] = await ops.partitionStates([topic])
  return [...state!.partitions[0]!.isr].sort()
}

async function topicWithLoad(prefix: string, configs: Record<string, string> = {}) {
  const topic = uniqueTopic(prefix)
  const [created] = await ops.createTopics([{ topic, assignments: [[1, 2, 3]], configs: { 'min.insync.replicas': '2', ...configs } }])
  expect(created!.error).toBeUndefined()
  await waitFor(async () => (await isrOf(topic)).length === 3, { what: `${topic} with a full ISR` })
  return { topic, load: startProducing(topic) }
}

function causesOf(json: Parameters<typeof cell>[0], topic: string) {
  const data = cell(json, 'causes').data as { replicas: ReplicaJson[]; brokers: BrokerJson[] }
  return { replicas: data.replicas.filter((r) => r.partition === `${topic}/0`), brokers: data.brokers }
}

beforeAll(async () => {
  ops = await connect({ bootstrapServers: [broker1()], clientId: 'isr-causes-it' })
})

afterEach(async () => {
  await restoreCluster()
})

afterAll(async () => {
  await ops?.incrementalAlterConfigs([{ resource: { type: 'broker-default' }, ops: rates.map((name) => ({ name, op: 'delete' as const })) }], {
    validateOnly: false,
  })
  await ops?.close()
})

describe('why a replica is out of sync', () => {
  it('a hung follower: its broker accepts the connection and never answers', async () => {
    const { topic, load } = await topicWithLoad('isr-hung')
    try {
      await nodeAction(3, 'pause')
      await waitFor(async () => !(await isrOf(topic)).includes(3), { what: 'broker 3 out of the ISR', timeoutMs: 30_000 })
      const run = await runIsrShrink({ 'sample-interval': '1s' })
      expect(run.code, run.json.message).toBe(0)
      const { replicas, brokers } = causesOf(run.json, topic)
      expect(replicas).toEqual([
        expect.objectContaining({ broker: 3, verdict: 'broker-hung', progress: { kind: 'unknown', why: 'broker 3 did not answer in time' } }),
      ])
      expect(brokers.find((b) => b.broker === 3)).toMatchObject({ process: 'hung' })
    } finally {
      await load.stop()
    }
  })

  it('a killed broker: fenced, nothing listens, last heard from when it died', async () => {
    const { topic, load } = await topicWithLoad('isr-killed')
    try {
      const killedAt = Date.now()
      await nodeAction(3, 'kill')
      await waitFor(async () => !(await isrOf(topic)).includes(3) && (await fencedByCluster(ops, 3)), { what: 'broker 3 fenced', timeoutMs: 30_000 })
      const run = await runIsrShrink({})
      expect(run.code, run.json.message).toBe(0)
      const { replicas, brokers } = causesOf(run.json, topic)
      expect(replicas).toEqual([expect.objectContaining({ broker: 3, verdict: 'broker-down', progress: { kind: 'unknown', why: 'broker 3 is down' } })])
      const three = brokers.find((b) => b.broker === 3)!
      expect(three.process).toBe('gone')
      // 4.x lists it fenced; 3.9 no longer lists it at all.
      expect(['fenced', 'unregistered']).toContain(three.state)
      // The controller's last contact: within a few seconds before the kill (a heartbeat every 500 ms), never after it.
      expect(three.lastContactMs).not.toBeNull()
      expect(three.lastContactMs!).toBeLessThanOrEqual(killedAt + 1000)
      expect(three.lastContactMs!).toBeGreaterThan(killedAt - 60_000)
    } finally {
      await load.stop()
    }
  })

  it('a throttled follower: held back while alive; the runbook removes only its throttle entries, it rejoins, undo puts them back', async () => {
    const { topic, load } = await topicWithLoad('isr-throttled', { 'retention.ms': '7200000', 'cleanup.policy': 'delete' })
    try {
      // The throttle trick (lab §1.2): a 1 B/s replication rate for replicas listed outside the ISR, the follower
      // paused until the shrink is committed, then resumed 300 ms later.
      const results = await ops.incrementalAlterConfigs(
        [
          { resource: { type: 'broker-default' }, ops: rates.map((name) => ({ name, op: 'set' as const, value: '1' })) },
          { resource: { type: 'topic', name: topic }, ops: lists.map((name) => ({ name, op: 'set' as const, value: '*' })) },
        ],
        { validateOnly: false },
      )
      expect(results.every((r) => !r.error)).toBe(true)
      await nodeAction(3, 'pause')
      try {
        await waitFor(async () => !(await isrOf(topic)).includes(3), { what: 'broker 3 out of the ISR', timeoutMs: 30_000, intervalMs: 100 })
        await new Promise((resolve) => setTimeout(resolve, 300))
      } finally {
        await nodeAction(3, 'resume')
      }
      await new Promise((resolve) => setTimeout(resolve, 2000))
      expect(await isrOf(topic)).toEqual([1, 2])
      const before = await topicOverrides(topic)

      const run = await runIsrShrink({ 'sample-interval': '2s' })
      expect(run.code, run.json.message).toBe(0)
      const { replicas } = causesOf(run.json, topic)
      expect(replicas).toEqual([expect.objectContaining({ broker: 3, verdict: 'throttled', throttled: true })])
      expect(['stuck', 'falling-behind']).toContain(replicas[0]!.progress.kind)

      const removed = await runIsrShrink({ action: 'remove-throttle', 'wait-for-isr': '60s' }, ['--yes'])
      expect(removed.code, removed.json.message).toBe(0)
      expect(cell(removed.json, 'watch-isr').data).toMatchObject({ recovered: true })
      expect(await isrOf(topic)).toEqual([1, 2, 3])
      const { [lists[0]!]: _leader, [lists[1]!]: _follower, ...kept } = before
      expect(await topicOverrides(topic)).toEqual(kept)

      const undone = await cli(['undo', removed.json.session, '--yes'])
      expect(undone.code, undone.json.message).toBe(0)
      expect(await topicOverrides(topic)).toEqual(before)
    } finally {
      await load.stop()
      await ops.incrementalAlterConfigs([{ resource: { type: 'topic', name: topic }, ops: lists.map((name) => ({ name, op: 'delete' as const })) }], {
        validateOnly: false,
      })
    }
  })
})
