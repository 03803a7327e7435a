// Faults on one broker of the shared sandbox, checked against what the cluster itself reports: a killed
// broker is fenced and leaves every ISR, a paused follower under writes drops out of the ISR, and both
// come back on `start` / `resume`. Every test restores the cluster (full ISRs) before the next one.

import { afterEach, describe, expect, it } from 'vitest'
import { status } from '../../../lib/sandbox/index.ts'
import { nodeAction, readClusterView, restoreCluster } from '../../support/faults.ts'
import { createTopic, produce, readPartitions, startProducing, uniqueTopic, waitFor } from '../../support/kafka.ts'
import { kafkaToolOk, testSandbox } from '../../support/sandbox.ts'

const nodeState = (id: number) => status(testSandbox().config).nodes.find((node) => node.id === id)!.state
const fencingDetectable = () => !testSandbox().kafkaVersion.startsWith('3.')

describe('faults on one broker', () => {
  afterEach(() => restoreCluster(), 120_000)

  it('kill: the broker is fenced and removed from every ISR; start: it comes back and rejoins', async () => {
    const topic = uniqueTopic('kill')
    await createTopic(topic, {
      assignments: [
        [1, 2, 3],
        [3, 1, 2],
      ],
    })
    await produce(topic, ['before the crash'])

    const killed = await nodeAction(2, 'kill')
    expect(killed.state).toBe('dead')
    expect(nodeState(2)).toBe('dead')

    await waitFor(async () => !(await readClusterView()).brokers.some((broker) => broker.id === 2 && !broker.fenced), {
      what: 'the controller to fence broker 2',
      timeoutMs: 30_000,
    })
    // Kafka 4.0+ lists fenced brokers (DescribeCluster v2); 3.9 simply stops listing them.
    const view = await readClusterView()
    if (fencingDetectable()) expect(view.brokers.find((broker) => broker.id === 2)?.fenced).toBe(true)
    else expect(view.brokers.map((broker) => broker.id)).not.toContain(2)

    await waitFor(async () => (await readPartitions(topic)).every((partition) => !partition.isr.includes(2)), {
      what: 'broker 2 to leave every ISR',
      timeoutMs: 30_000,
    })
    const partitions = await readPartitions(topic)
    expect(partitions.map((partition) => [...partition.isr].sort())).toEqual([
      [1, 3],
      [1, 3],
    ])
    // Kafka's own tool agrees: both partitions are under-replicated.
    const underReplicated = await kafkaToolOk('kafka-topics', ['--describe', '--under-replicated-partitions', '--topic', topic])
    expect(
      underReplicated
        .trim()
        .split('\n')
        .map((line) => /Partition: (\d+)/.exec(line)?.[1]),
    ).toEqual(['0', '1'])

    const started = await nodeAction(2, 'start')
    expect(started.state).toBe('up')
    expect((await readClusterView()).brokers.find((broker) => broker.id === 2)?.fenced).toBe(false)
    await waitFor(async () => (await readPartitions(topic)).every((partition) => partition.isr.includes(2)), {
      what: 'broker 2 to rejoin every ISR',
      timeoutMs: 60_000,
    })
  })

  it('pause a follower while producing: it drops out of the ISR; resume: it rejoins', async () => {
    const topic = uniqueTopic('pause')
    await createTopic(topic, { assignments: [[1, 2, 3]] })
    const load = startProducing(topic)
    try {
      await produce(topic, ['warm-up'])
      expect((await nodeAction(3, 'pause')).state).toBe('paused')
      expect(nodeState(3)).toBe('paused')
      await waitFor(async () => !(await readPartitions(topic))[0]!.isr.includes(3), { what: 'paused follower 3 to leave the ISR', timeoutMs: 20_000 })
      const [partition] = await readPartitions(topic)
      expect(partition!.leader).toBe(1)
      expect([...partition!.isr].sort()).toEqual([1, 2])
      // Paused is not dead: the process is still there, frozen.
      expect(nodeState(3)).toBe('paused')

      expect((await nodeAction(3, 'resume')).state).toBe('up')
      await waitFor(async () => (await readPartitions(topic))[0]!.isr.includes(3), { what: 'follower 3 to rejoin the ISR', timeoutMs: 30_000 })
    } finally {
      expect(await load.stop()).toBeGreaterThan(0)
    }
  })

  it('stop: a controlled shutdown of the leader hands leadership to another replica', async () => {
    const topic = uniqueTopic('stop')
    await createTopic(topic, { assignments: [[1, 2, 3]] })
    expect((await readPartitions(topic))[0]!.leader).toBe(1)
    expect((await nodeAction(1, 'stop')).state).toBe('dead')
    await waitFor(async () => [2, 3].includes((await readPartitions(topic))[0]!.leader), {
      what: 'a new leader for the stopped broker’s partition',
      timeoutMs: 30_000,
    })
    expect((await readPartitions(topic))[0]!.isr).not.toContain(1)
  })
})
