// Which partition a keyed record goes to, as Kafka's Java producer (and kafka-console-producer) choose it:
// murmur2 of the key bytes, made positive, modulo the partition count. Pure.

const seed = 0x9747b28c
const m = 0x5bd1e995

/** Kafka's murmur2 (org.apache.kafka.common.utils.Utils.murmur2): a signed 32-bit hash of the bytes. */
export function murmur2(data: Uint8Array): number {
  const length = data.length
  let h = (seed ^ length) | 0
  const whole = length & ~3
  for (let i = 0; i < whole; i += 4) {
    let k = data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24)
    k = Math.imul(k, m)
    k ^= k >>> 24
    k = Math.imul(k, m)
    h = Math.imul(h, m) ^ k
  }
  // The 1 to 3 bytes past the last whole word, highest first (Java's switch falls through the same way).
  const rest = length & 3
  if (rest === 3) h ^= data[whole + 2]! << 16
  if (rest >= 2) h ^= data[whole + 1]! << 8
  if (rest >= 1) {
    h ^= data[whole]!
    h = Math.imul(h, m)
  }
  h ^= h >>> 13
  h = Math.imul(h, m)
  h ^= h >>> 15
  return h | 0
}

/** The partition the Java producer's default partitioner picks for a key. */
export function partitionForKey(key: string | Uint8Array, partitions: number): number {
  const bytes = typeof key === 'string' ? new TextEncoder().encode(key) : key
  return (murmur2(bytes) & 0x7fffffff) % partitions
}
