// The unclean-election incident the dead-log tests share: a fake cluster whose partitions lost their leader, and
// the dead brokers' folders (fakeLogDirs) holding records the live replicas lack.

import { fakeBatches, fakeCluster, fakeLogDirs, type FakeKafka } from '../../../lib/kafka/fake/index.ts'
import type { RecordBatch } from '../../../lib/kafka/records.ts'

export const clock = () => Date.parse('2026-11-24T03:00:00Z')
export const clusterId = 'fake-cluster-0000000000'

/**
 * orders-0 and orders-1 (replicas 1,2,3): 1,000 records in sync, then broker 3 leaves the ISR and 800 acks=1
 * records reach brokers 1 and 2; brokers 2 and 1 die. Broker 1's own log (the dead leader) holds `extra` more
 * acks=1 records that reached nobody: 1,800 + extra in all.
 */
export function incident(options: { elr?: boolean } = {}): FakeKafka {
  const kafka = fakeCluster({ kafka: '4.3', ...(options.elr === undefined ? {} : { elr: options.elr }) })
    .brokers(3)
    .topic('orders', {
      replicas: [
        [1, 2, 3],
        [1, 2, 3],
      ],
      configs: { 'min.insync.replicas': '2' },
    })
    .group('billing', { offsets: { 'orders/0': 1500n } })
    .build()
  for (const partition of [0, 1]) {
    kafka.write('orders', partition, 1000, { acks: 1, timestampMs: clock() - 120_000, stepMs: 10 })
    kafka.dropFromIsr('orders', partition, 3)
    kafka.write('orders', partition, 800, { acks: 1, stepMs: 10 })
  }
  kafka.killBroker(2).killBroker(1)
  return kafka
}

export const startMs = clock() - 120_000
export const deadLog = (records: number, producerId?: bigint): RecordBatch[] =>
  fakeBatches({ baseOffset: 0n, records, perBatch: 50, startMs, stepMs: 10, ...(producerId === undefined ? {} : { producerId }) })

/** Broker 1's folder: orders-0 holds 2,100 records (300 beyond broker 2), orders-1 1,830. Broker 2's: 1,800 each. */
export const folders = fakeLogDirs([
  {
    path: '/mnt/broker-1',
    brokerId: 1,
    clusterId,
    partitions: [
      { topic: 'orders', partition: 0, batches: deadLog(2100, 7n) },
      { topic: 'orders', partition: 1, batches: deadLog(1830) },
    ],
  },
  {
    path: '/mnt/broker-2',
    brokerId: 2,
    clusterId,
    partitions: [
      { topic: 'orders', partition: 0, batches: deadLog(1800) },
      { topic: 'orders', partition: 1, batches: deadLog(1800) },
    ],
  },
  { path: '/mnt/other', brokerId: 1, clusterId: 'AAAAAAAAAAAAAAAAAAAAAA', partitions: [] },
  { path: '/mnt/running', brokerId: 1, clusterId, running: true, partitions: [] },
])
