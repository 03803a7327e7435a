import { describe, expect, it } from 'vitest'
import { fakeBatches, fakeLogDirs } from '../../../lib/kafka/fake/index.ts'
import { describeLogDirFault } from '../../../lib/kafka/log-dir/index.ts'

const clusterId = 'fake-cluster'
const open = fakeLogDirs([
  {
    path: '/mnt/broker-1',
    brokerId: 1,
    clusterId,
    partitions: [{ topic: 'orders', partition: 0, topicId: 'id-1', batches: fakeBatches({ baseOffset: 0n, records: 25, startMs: 0, leaderEpoch: 3 }) }],
  },
  { path: '/mnt/broker-2', brokerId: 2, clusterId, running: true, partitions: [] },
])

describe('the in-memory log directory', () => {
  it('answers like the folder reader: partition, epochs, log end, batches from an offset', async () => {
    const opened = await open('/mnt/broker-1', { brokerId: 1, clusterId })
    if (!opened.ok) throw new Error(describeLogDirFault(opened.fault))
    expect(await opened.value.partition({ topic: 'orders', partition: 0 })).toMatchObject({
      ok: true,
      value: { logEndOffset: 25n, epochs: [{ epoch: 3, startOffset: 0n }], topicId: 'id-1' },
    })
    const offsets: bigint[] = []
    for await (const entry of opened.value.batches({ topic: 'orders', partition: 0 }, 12n)) if (entry.kind === 'batch') offsets.push(entry.batch.baseOffset)
    expect(offsets).toEqual([10n, 20n])
  })

  it.each([
    ['/mnt/broker-1', { brokerId: 3, clusterId }, 'other-broker'],
    ['/mnt/broker-1', { brokerId: 1, clusterId: 'other' }, 'other-cluster'],
    ['/mnt/broker-2', { brokerId: 2, clusterId }, 'broker-running'],
    ['/mnt/nowhere', { brokerId: 2, clusterId }, 'not-found'],
  ])('refuses %s for %o as the real reader does (%s)', async (path, expected, kind) => {
    expect(await open(path, expected)).toMatchObject({ ok: false, fault: { kind } })
  })
})
