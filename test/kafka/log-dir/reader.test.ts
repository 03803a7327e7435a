import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { describeLogDirFault, openLogDir, type LogDirReader, type LogEntry, type ReadStats } from '../../../lib/kafka/log-dir/index.ts'
import { epochsAfterRecovery, parseLeaderEpochCheckpoint, parseMetaProperties, parsePartitionFolder, sameTopicId } from '../../../lib/kafka/log-dir/files.ts'
import { checkLogDirLock, lockHolders } from '../../../lib/kafka/log-dir/liveness.ts'
import { batchBytes, fingerprint, legacyMessage, writeLogDir } from './segments.ts'

const cluster = 'jbPPo-f8jenY8VxL2TQoYQ'
const tp = { topic: 'orders', partition: 0 }

async function open(dir: string): Promise<LogDirReader> {
  const opened = await openLogDir(dir, { brokerId: 1, clusterId: cluster })
  if (!opened.ok) throw new Error(describeLogDirFault(opened.fault))
  return opened.value
}

async function collect(reader: LogDirReader, from: bigint, stats?: ReadStats): Promise<LogEntry[]> {
  const entries: LogEntry[] = []
  for await (const entry of reader.batches(tp, from, stats)) entries.push(entry)
  return entries
}

const offsetsOf = (entries: readonly LogEntry[]) => entries.flatMap((e) => (e.kind === 'batch' ? e.batch.records.map((r) => r.offset) : []))

/** Two segments of ten-record batches: offsets 0-199 and 200-399, indexed every 1 KiB. */
function twoSegments(extra: { tail?: Buffer; recoveryPoint?: bigint } = {}) {
  const batches = (from: number) =>
    Array.from({ length: 20 }, (_, i) =>
      batchBytes({
        baseOffset: BigInt(from + i * 10),
        values: Array.from({ length: 10 }, (_, j) => `value-${from + i * 10 + j}-${'x'.repeat(40)}`),
        epoch: from === 0 ? 0 : 2,
      }),
    )
  return writeLogDir({
    nodeId: 1,
    clusterId: cluster,
    partitions: [
      {
        folder: 'orders-0',
        topicId: 'i91hkhFUQJKsMlgnLHu7fA',
        epochs: [[0, 0n]],
        recoveryPoint: extra.recoveryPoint ?? 200n,
        segments: [
          { baseOffset: 0n, entries: batches(0), indexEvery: 1024 },
          { baseOffset: 200n, entries: batches(200), indexEvery: 1024, ...(extra.tail ? { tail: extra.tail } : {}) },
        ],
      },
    ],
  })
}

describe('the small files of a log directory', () => {
  it('reads meta.properties of KRaft and ZooKeeper-era folders', () => {
    expect(parseMetaProperties('node.id=3\ncluster.id=abc\nversion=1\ndirectory.id=xyz\n')).toEqual({
      nodeId: 3,
      clusterId: 'abc',
      directoryId: 'xyz',
      version: 1,
    })
    expect(parseMetaProperties('#c\nbroker.id=2\ncluster.id=abc\nversion=0\n')).toMatchObject({ nodeId: 2, directoryId: null, version: 0 })
    expect(parseMetaProperties('version=1\n')).toBe('meta.properties has no cluster.id')
  })

  it.each([
    ['orders-0', { topic: 'orders', partition: 0, state: 'current' }],
    ['my-topic-12', { topic: 'my-topic', partition: 12, state: 'current' }],
    ['orders-3.0123456789abcdef0123456789abcdef-delete', { topic: 'orders', partition: 3, state: 'deleting' }],
    ['orders-1.0123456789abcdef0123456789abcdef-stray', { topic: 'orders', partition: 1, state: 'stray' }],
    ['orders-1.0123456789abcdef0123456789abcdef-future', { topic: 'orders', partition: 1, state: 'future' }],
  ])('names the partition of folder %s', (name, expected) => expect(parsePartitionFolder(name)).toMatchObject(expected))

  it("compares topic ids in Kafka's base64 form with the dashed UUID form", () => {
    expect(sameTopicId('xidQz0l9Qp6pL1uvfVzBRg', 'c62750cf-497d-429e-a92f-5baf7d5cc146')).toBe(true)
    expect(sameTopicId('xidQz0l9Qp6pL1uvfVzBRg', 'c62750cf-497d-429e-a92f-5baf7d5cc147')).toBe(false)
  })

  it('reads leader-epoch-checkpoint and refuses what Kafka does not write', () => {
    expect(parseLeaderEpochCheckpoint('0\n2\n0 0\n2 1307\n')).toEqual([
      { epoch: 0, startOffset: 0n },
      { epoch: 2, startOffset: 1307n },
    ])
    expect(parseLeaderEpochCheckpoint('0\n3\n0 0\n')).toBeNull()
    expect(parseLeaderEpochCheckpoint('1\n0\n')).toBeNull()
  })

  it('keeps the epochs Kafka keeps on load: new ones from batches, none starting at or past the log end', () => {
    const checkpoint = [{ epoch: 0, startOffset: 0n }]
    expect(
      epochsAfterRecovery(
        checkpoint,
        [
          { epoch: 0, startOffset: 5n },
          { epoch: 3, startOffset: 90n },
        ],
        100n,
      ),
    ).toEqual([
      { epoch: 0, startOffset: 0n },
      { epoch: 3, startOffset: 90n },
    ])
    expect(epochsAfterRecovery([...checkpoint, { epoch: 4, startOffset: 100n }], [], 100n)).toEqual(checkpoint)
  })
})

describe('whose folder, and is its broker running', () => {
  it('finds the holder of the .lock in /proc/locks, by device and inode', () => {
    const table = '1: POSIX  ADVISORY  WRITE 16138 fe:00:16048867 0 EOF\n2: FLOCK  ADVISORY  WRITE 99 fe:00:5 0 EOF\n'
    expect(lockHolders(table, { major: 0xfe, minor: 0 }, 16048867)).toEqual([{ pid: 16138, sameDevice: true }])
    expect(lockHolders(table, { major: 8, minor: 1 }, 16048867)).toEqual([{ pid: 16138, sameDevice: false }])
    expect(lockHolders(table, { major: 0xfe, minor: 0 }, 42)).toEqual([])
  })

  it('says running when a process holds the lock, stopped when none does, unknown without /proc/locks', async () => {
    const dir = twoSegments()
    const { statSync } = await import('node:fs')
    const info = statSync(join(dir, '.lock'))
    const table = join(mkdtempSync(join(tmpdir(), 'locks-')), 'locks')
    const device = `${((info.dev >>> 8) & 0xfff).toString(16).padStart(2, '0')}:${(info.dev & 0xff).toString(16).padStart(2, '0')}`
    writeFileSync(table, `1: POSIX  ADVISORY  WRITE ${process.pid} ${device}:${info.ino} 0 EOF\n`)
    expect(await checkLogDirLock(dir, table)).toMatchObject({
      state: 'running',
      evidence: expect.stringContaining(`${process.pid} holds the lock on ${dir}/.lock`),
    })
    writeFileSync(table, '')
    expect(await checkLogDirLock(dir, table)).toMatchObject({ state: 'stopped' })
    expect(await checkLogDirLock(dir, join(dir, 'no-such-file'))).toMatchObject({ state: 'unknown' })
  })

  it.each([
    ['another cluster', { brokerId: 1, clusterId: 'other-cluster-id' }, /belongs to cluster jbPPo-f8jenY8VxL2TQoYQ, not to this cluster \(other-cluster-id\)/],
    ['another broker', { brokerId: 2, clusterId: cluster }, /is broker 1's log directory, not broker 2's/],
  ])('refuses a folder of %s, in one line', async (_, expected, message) => {
    const opened = await openLogDir(twoSegments(), expected)
    expect(opened.ok).toBe(false)
    if (!opened.ok) {
      expect(describeLogDirFault(opened.fault)).toMatch(message)
      expect(describeLogDirFault(opened.fault)).not.toContain('\n')
    }
  })

  it('refuses a missing folder, a partition folder and a file, saying what to give instead', async () => {
    const dir = twoSegments()
    const fault = async (path: string) => {
      const opened = await openLogDir(path, { brokerId: 1, clusterId: cluster })
      return opened.ok ? null : describeLogDirFault(opened.fault)
    }
    expect(await fault(join(dir, 'nope'))).toMatch(/does not exist/)
    expect(await fault(join(dir, 'orders-0'))).toMatch(/it is a partition folder; its parent is the log directory/)
    expect(await fault(join(dir, 'meta.properties'))).toMatch(/is not a Kafka log directory \(it is a file\)/)
  })
})

describe('a partition log on disk', () => {
  it('lists partitions, segments, epochs, topic id and the log end', async () => {
    const reader = await open(twoSegments())
    expect(await reader.partitions()).toEqual([{ topic: 'orders', partition: 0, folder: 'orders-0', state: 'current' }])
    const loaded = await reader.partition(tp)
    expect(loaded.ok).toBe(true)
    if (!loaded.ok) return
    expect(loaded.value).toMatchObject({ topicId: 'i91hkhFUQJKsMlgnLHu7fA', logStartOffset: 0n, logEndOffset: 400n, recoveryPoint: 200n, torn: null })
    expect(loaded.value.segments.map((s) => [s.baseOffset, s.kind, s.hasIndex])).toEqual([
      [0n, 'log', true],
      [200n, 'log', true],
    ])
    // The checkpoint knows epoch 0 only; the recovery adds epoch 2 from the batches past the recovery point.
    expect(loaded.value.epochs).toEqual([
      { epoch: 0, startOffset: 0n },
      { epoch: 2, startOffset: 200n },
    ])
  })

  it('refuses the folder of an earlier topic of the same name', async () => {
    const reader = await open(twoSegments())
    const loaded = await reader.partition(tp, { topicId: 'AAAAAAAAAAAAAAAAAAAAAA' })
    expect(loaded.ok ? null : describeLogDirFault(loaded.fault)).toMatch(/belongs to an earlier topic of that name \(topic id i91hkhFUQJKsMlgnLHu7fA/)
    expect(await reader.partition({ topic: 'payments', partition: 0 })).toMatchObject({ ok: false, fault: { kind: 'no-partition' } })
  })

  it('streams every batch from an offset, starting where the index points, in either segment', async () => {
    const reader = await open(twoSegments())
    expect(offsetsOf(await collect(reader, 0n))).toEqual(Array.from({ length: 400 }, (_, i) => BigInt(i)))
    const stats: ReadStats = { bytesRead: 0, startPosition: null }
    const from = await collect(reader, 333n, stats)
    expect(offsetsOf(from)[0]).toBe(330n)
    expect(offsetsOf(from).at(-1)).toBe(399n)
    expect(stats.startPosition).toBeGreaterThan(0)
    const whole = readFileSync(join(reader.path, 'orders-0', '00000000000000000200.log')).length
    expect(stats.bytesRead).toBeLessThan(whole)
  })

  it('decodes records whole: values, nulls, headers, timestamps, epochs, compression', async () => {
    const dir = writeLogDir({
      nodeId: 1,
      clusterId: cluster,
      partitions: [
        {
          folder: 'orders-0',
          segments: [
            {
              baseOffset: 0n,
              entries: [
                batchBytes({
                  baseOffset: 0n,
                  values: ['a', null],
                  key: 'k',
                  headers: { h1: 'v1' },
                  compression: 'gzip',
                  timestamp: 1_800_000_000_123n,
                  epoch: 4,
                }),
                batchBytes({ baseOffset: 2n, values: ['snappy'], compression: 'snappy' }),
                batchBytes({ baseOffset: 3n, values: ['lz4'], compression: 'lz4' }),
              ],
            },
          ],
        },
      ],
    })
    const entries = await collect(await open(dir), 0n)
    const batches = entries.flatMap((e) => (e.kind === 'batch' ? [e.batch] : []))
    expect(batches.map((b) => b.compression)).toEqual(['gzip', 'snappy', 'lz4'])
    expect(batches[0]!.records).toMatchObject([
      {
        offset: 0n,
        timestamp: 1_800_000_000_123,
        key: Buffer.from('k'),
        value: Buffer.from('a'),
        headers: [{ key: 'h1', value: Buffer.from('v1') }],
        leaderEpoch: 4,
      },
      { offset: 1n, timestamp: 1_800_000_000_124, value: null },
    ])
    expect(batches.map((b) => b.records.map((r) => r.value?.toString()))).toEqual([['a', undefined], ['snappy'], ['lz4']])
  })

  it.each([
    ['a batch cut short', (b: Buffer) => b.subarray(0, 40), /cut short/],
    ['a few bytes of a header', (b: Buffer) => b.subarray(0, 9), /too few for a batch header/],
    ['zeros (preallocated space)', (b: Buffer) => Buffer.alloc(b.length), /below the smallest possible/],
    [
      'a batch whose bytes were damaged',
      (b: Buffer) => Buffer.concat([b.subarray(0, 70), Buffer.from([b[70]! ^ 0xff]), b.subarray(71)]),
      /fails its CRC check/,
    ],
  ])('ends the log before %s, as Kafka recovery does, and says so', async (_, damage, reason) => {
    const tail = damage(batchBytes({ baseOffset: 400n, values: ['lost-1', 'lost-2'] }))
    const dir = twoSegments({ tail })
    const before = fingerprint(dir)
    const reader = await open(dir)
    const loaded = await reader.partition(tp)
    if (!loaded.ok) throw new Error('not loaded')
    expect(loaded.value.logEndOffset).toBe(400n)
    expect(loaded.value.torn).toMatchObject({
      segment: '00000000000000000200.log',
      ignoredBytes: tail.length,
      droppedSegments: [],
      reason: expect.stringMatching(reason),
    })
    const read = await collect(reader, 390n)
    expect(read.every((e) => e.kind === 'batch')).toBe(true)
    expect(offsetsOf(read).at(-1)).toBe(399n)
    expect(fingerprint(dir)).toEqual(before)
  })

  it('drops the segments after a damaged one, as Kafka recovery deletes them', async () => {
    const dir = twoSegments({ recoveryPoint: 0n })
    const first = join(dir, 'orders-0', '00000000000000000000.log')
    const bytes = readFileSync(first)
    bytes[2000] = bytes[2000]! ^ 0xff
    writeFileSync(first, bytes)
    const loaded = await (await open(dir)).partition(tp)
    if (!loaded.ok) throw new Error('not loaded')
    expect(loaded.value.torn).toMatchObject({ segment: '00000000000000000000.log', droppedSegments: ['00000000000000000200.log'] })
    expect(loaded.value.logEndOffset).toBeLessThan(200n)
  })

  it('reports an older (magic 1) message instead of decoding it as a batch', async () => {
    const dir = writeLogDir({
      nodeId: 1,
      clusterId: cluster,
      partitions: [
        { folder: 'orders-0', segments: [{ baseOffset: 0n, entries: [legacyMessage(0n, 'old'), batchBytes({ baseOffset: 1n, values: ['new'] })] }] },
      ],
    })
    const reader = await open(dir)
    expect(await reader.partition(tp)).toMatchObject({ ok: true, value: { logEndOffset: 2n, legacyBatches: 1, torn: null } })
    const entries = await collect(reader, 0n)
    expect(entries.map((e) => e.kind)).toEqual(['legacy', 'batch'])
    expect(entries[0]).toMatchObject({ kind: 'legacy', magic: 1, offset: 0n })
  })

  it('leaves every file as it was, modification times included', async () => {
    const dir = twoSegments({ tail: batchBytes({ baseOffset: 400n, values: ['x'] }).subarray(0, 30) })
    appendFileSync(join(dir, 'orders-0', 'leader-epoch-checkpoint'), '')
    const before = fingerprint(dir)
    const reader = await open(dir)
    await reader.partitions()
    await reader.partition(tp)
    await collect(reader, 0n)
    await collect(reader, 250n)
    expect(fingerprint(dir)).toEqual(before)
  })
})
