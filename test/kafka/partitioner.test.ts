import { describe, expect, it } from 'vitest'
import { murmur2, partitionForKey } from '../../lib/kafka/partitioner.ts'

// Measured with the 4.3.1 Java client: Utils.murmur2 and toPositive(murmur2) % 6.
describe('the Java producer’s partition for a key', () => {
  it.each([
    ['21', -973932308, 0],
    ['foobar', -790332482, 0],
    ['abc', 479470107, 3],
    ['20261124-031005-consumer-oom-replay-a1b2', 203887769, 5],
    ['', 275646681, 3],
    ['x', 2121525046, 4],
  ])('%j', (key, hash, partition) => {
    expect(murmur2(new TextEncoder().encode(key))).toBe(hash)
    expect(partitionForKey(key, 6)).toBe(partition)
  })
})
