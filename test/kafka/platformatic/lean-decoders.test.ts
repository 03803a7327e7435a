// The decoders status reads through (DescribeTopicPartitions v0, DescribeConfigs v2-v4) against the client's own
// on random answers encoded per Kafka's schemas: the same values, in our types; and what the client gets wrong
// (tagged fields, v2's extra fields), ours gets right.

import { describeConfigsV4, describeTopicPartitionsV0 as clientTopicPartitions, Reader, Writer } from '@platformatic/kafka'
import { describe, expect, it } from 'vitest'
import { decodeDescribeConfigs, describeConfigsApis } from '../../../lib/kafka/platformatic/protocol/describe-configs.ts'
import { decodeTopicPartitions, describeTopicPartitionsV0 } from '../../../lib/kafka/platformatic/protocol/describe-topic-partitions.ts'
import { WireReader } from '../../../lib/kafka/platformatic/protocol/wire-reader.ts'

function random(seed: number) {
  let state = seed
  return (n: number) => {
    state = (state * 1103515245 + 12345) % 2 ** 31
    return state % n
  }
}

const ids = (next: (n: number) => number) => Array.from({ length: next(4) }, () => next(2000) + 1)
const uuid = (next: (n: number) => number) => Array.from({ length: 32 }, () => '0123456789abcdef'[next(16)]).join('')

interface Partition {
  errorCode: number
  partitionIndex: number
  leaderId: number
  leaderEpoch: number
  replicaNodes: number[]
  isrNodes: number[]
  eligibleLeaderReplicas: number[]
  lastKnownElr: number[]
  offlineReplicas: number[]
}

function topicPartitionsAnswer(seed: number, tags: boolean) {
  const next = random(seed)
  const topics = Array.from({ length: next(5) }, (_, t) => ({
    errorCode: next(6) === 0 ? 3 : 0,
    name: next(8) === 0 ? null : `topic-${t}-é${next(100)}`,
    topicId: uuid(next),
    isInternal: next(2) === 0,
    partitions: Array.from({ length: next(6) }, (_, p): Partition => ({
      errorCode: [0, 0, 0, 5, 9][next(5)]!,
      partitionIndex: p * 2 + next(2),
      leaderId: next(5) === 0 ? -1 : next(4),
      leaderEpoch: next(100),
      replicaNodes: ids(next),
      isrNodes: ids(next),
      eligibleLeaderReplicas: ids(next),
      lastKnownElr: ids(next),
      offlineReplicas: ids(next),
    })),
  }))
  const cursor = next(2) === 0 ? { topicName: `next-${next(9)}`, partitionIndex: next(9) } : null
  const tagged = (w: Writer) =>
    tags ? w.appendUnsignedVarInt(1).appendUnsignedVarInt(7).appendUnsignedVarInt(3).appendInt8(1).appendInt16(2) : w.appendUnsignedVarInt(0)
  const w = Writer.create().appendInt32(0)
  w.appendUnsignedVarInt(topics.length + 1)
  for (const t of topics) {
    w.appendInt16(t.errorCode).appendString(t.name).appendUUID(t.topicId).appendBoolean(t.isInternal)
    w.appendUnsignedVarInt(t.partitions.length + 1)
    for (const p of t.partitions) {
      w.appendInt16(p.errorCode).appendInt32(p.partitionIndex).appendInt32(p.leaderId).appendInt32(p.leaderEpoch)
      for (const list of [p.replicaNodes, p.isrNodes, p.eligibleLeaderReplicas, p.lastKnownElr, p.offlineReplicas])
        w.appendArray(list, (x, id) => x.appendInt32(id), true, false)
      tagged(w)
    }
    w.appendInt32(-2147483648)
    tagged(w)
  }
  if (cursor) tagged(w.appendInt8(1).appendString(cursor.topicName).appendInt32(cursor.partitionIndex))
  else w.appendInt8(-1)
  tagged(w)
  return { bytes: w.buffer, topics, cursor }
}

function clientAnswer<T>(parse: (c: number, k: number, v: number, r: Reader) => T, bytes: Buffer): T {
  try {
    return parse(1, 0, 0, Reader.from(bytes))
  } catch (error) {
    return (error as { response: T }).response
  }
}

describe('DescribeTopicPartitions v0', () => {
  it('decodes what the client decodes, into partition states', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const { bytes } = topicPartitionsAnswer(seed, false)
      const theirs = clientAnswer(clientTopicPartitions.parseResponse as never, bytes) as {
        topics: { errorCode: number; name: string | null; topicId: string; isInternal: boolean; partitions: Partition[] }[]
        nextCursor?: { topicName: string; partitionIndex: number }
      }
      for (const withElr of [true, false]) {
        const ours = decodeTopicPartitions(new WireReader(bytes, 0, true), withElr)
        expect(ours.nextCursor).toEqual(theirs.nextCursor)
        expect(ours.topics.map((t) => ({ errorCode: t.errorCode, name: t.name, topicId: t.topicId, isInternal: t.isInternal }))).toEqual(
          theirs.topics.map((t) => ({ errorCode: t.errorCode, name: t.name, topicId: t.topicId, isInternal: t.isInternal })),
        )
        ours.topics.forEach((topic, t) => {
          expect(topic.partitions).toEqual(
            theirs.topics[t]!.partitions.map((p) => ({
              topic: theirs.topics[t]!.name ?? '',
              partition: p.partitionIndex,
              leader: p.leaderId < 0 ? null : p.leaderId,
              leaderEpoch: p.leaderEpoch,
              replicas: p.replicaNodes,
              isr: p.isrNodes,
              offline: p.offlineReplicas,
              elr: withElr ? p.eligibleLeaderReplicas : null,
              lastKnownElr: withElr ? p.lastKnownElr : null,
              ...(p.errorCode !== 0 && p.errorCode !== 5 ? { error: expect.objectContaining({ code: p.errorCode }) } : {}),
            })),
          )
        })
      }
    }
  })

  it('shares equal broker-id lists between partitions, frozen, and keeps each list its own values', () => {
    const w = Writer.create().appendInt32(0).appendUnsignedVarInt(2)
    w.appendInt16(0).appendString('shared').appendUUID('00000000-0000-0000-0000-000000000001').appendBoolean(false)
    const lists = [
      [1, 2, 3],
      [1, 2, 3],
      [3, 2, 1],
      [1, 2],
      [2, 1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17],
      [2, 1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17],
    ]
    w.appendUnsignedVarInt(lists.length + 1)
    lists.forEach((list, p) => {
      w.appendInt16(0).appendInt32(p).appendInt32(list[0]!).appendInt32(1)
      for (const ids of [list, list.slice(0, 2), [], [], []]) w.appendArray(ids, (x, id) => x.appendInt32(id), true, false)
      w.appendUnsignedVarInt(0)
    })
    w.appendInt32(0).appendUnsignedVarInt(0).appendInt8(-1).appendUnsignedVarInt(0)
    const [topic] = decodeTopicPartitions(new WireReader(w.buffer, 0, true), true).topics
    const partitions = topic!.partitions
    expect(partitions.map((p) => p.replicas)).toEqual(lists)
    expect(partitions[0]!.replicas).toBe(partitions[1]!.replicas)
    expect(partitions[0]!.isr).toBe(partitions[3]!.replicas)
    expect(partitions[2]!.replicas).not.toBe(partitions[0]!.replicas)
    expect(Object.isFrozen(partitions[0]!.replicas)).toBe(true)
    // Lists longer than 16 ids are read as they are, not shared.
    expect(partitions[4]!.replicas).not.toBe(partitions[5]!.replicas)
    expect(partitions[4]!.replicas).toEqual(partitions[5]!.replicas)
  })

  it('reads ids of every width and sign, and lists whose length takes two bytes, as the client does', () => {
    // Ids wider than a byte, negative, and at the int32 limits: each byte of the big-endian value counts.
    const wide = [0, 1, 255, 256, 65_535, 16_777_216, 2_147_483_647, -1, -2_147_483_648, -256]
    const long = Array.from({ length: 200 }, (_, i) => i * 65_537 - 1_000_000)
    const w = Writer.create()
      .appendInt32(0)
      .appendUnsignedVarInt(1 + 1)
    w.appendInt16(0).appendString('wide').appendUUID('00000000-0000-0000-0000-000000000002').appendBoolean(false)
    const lists = [wide.slice(0, 5), wide.slice(5), wide.slice(5), long, [-1]]
    w.appendUnsignedVarInt(lists.length + 1)
    lists.forEach((list, p) => {
      // The fixed fields too: a negative error code, wide partition numbers, leaders and epochs.
      w.appendInt16([0, -1, 0, 87, 0][p]!)
        .appendInt32(p * 70_001)
        .appendInt32(wide[p * 2]!)
        .appendInt32(2_000_000_000 - p * 16_777_217)
      for (const ids of [list, list, [], [], list.slice(0, 1)]) w.appendArray(ids, (x, id) => x.appendInt32(id), true, false)
      w.appendUnsignedVarInt(0)
    })
    w.appendInt32(0).appendUnsignedVarInt(0).appendInt8(-1).appendUnsignedVarInt(0)
    const theirs = clientAnswer(clientTopicPartitions.parseResponse as never, w.buffer) as { topics: { partitions: Partition[] }[] }
    const ours = decodeTopicPartitions(new WireReader(w.buffer, 0, true), true).topics[0]!.partitions
    expect(ours.map((p) => p.replicas)).toEqual(lists)
    expect(ours.map((p) => [p.replicas, p.isr, p.offline])).toEqual(theirs.topics[0]!.partitions.map((p) => [p.replicaNodes, p.isrNodes, p.offlineReplicas]))
    expect(ours.map((p) => [p.partition, p.leader, p.leaderEpoch, p.error?.code ?? 0])).toEqual(
      theirs.topics[0]!.partitions.map((p) => [p.partitionIndex, p.leaderId < 0 ? null : p.leaderId, p.leaderEpoch, p.errorCode]),
    )
    expect(ours.map((p) => p.leader)).toEqual([0, 255, 65_535, 2_147_483_647, null])
  })

  it('skips tagged fields by their sizes', () => {
    for (let seed = 1; seed <= 50; seed++) {
      const { bytes, topics, cursor } = topicPartitionsAnswer(seed, true)
      const ours = decodeTopicPartitions(new WireReader(bytes, 0, true), true)
      expect(ours.topics.map((t) => t.partitions.map((p) => p.partition))).toEqual(topics.map((t) => t.partitions.map((p) => p.partitionIndex)))
      expect(ours.nextCursor ?? null).toEqual(cursor)
    }
  })

  it('asks as the client asks', () => {
    const sent = (api: unknown, ...args: unknown[]) => {
      let payload: Buffer | undefined
      const connection = { send: (_k: number, _v: number, create: () => Writer) => (payload = create().buffer) }
      ;(api as (c: unknown, ...a: unknown[]) => void)(connection, ...args, () => {})
      return payload!.toString('hex')
    }
    const cursor = { topicName: 'orders', partitionIndex: 7 }
    expect(sent(describeTopicPartitionsV0.withElr, ['a', 'b'], 2000, cursor)).toBe(
      sent(clientTopicPartitions.api, [{ name: 'a' }, { name: 'b' }], 2000, cursor),
    )
    expect(sent(describeTopicPartitionsV0.withoutElr, [], 10, undefined)).toBe(sent(clientTopicPartitions.api, [], 10, undefined))
  })
})

function configsAnswer(seed: number, version: 2 | 3 | 4) {
  const next = random(seed)
  const names = ['min.insync.replicas', 'unclean.leader.election.enable', 'retention.ms', 'cleanup.policy']
  const results = Array.from({ length: next(4) }, (_, r) => ({
    errorCode: next(5) === 0 ? 3 : 0,
    errorMessage: next(3) === 0 ? 'no such topic' : null,
    resourceType: next(2) === 0 ? 2 : 4,
    resourceName: `resource-${r}`,
    configs: names
      .filter(() => next(3) > 0)
      .map((name) => ({
        name,
        value: next(4) === 0 ? null : String(next(9)),
        readOnly: next(2) === 0,
        configSource: next(9),
        isSensitive: next(5) === 0,
        synonyms: Array.from({ length: next(3) }, () => ({ name, value: next(3) === 0 ? null : String(next(9)), source: next(9) })),
        configType: next(9),
        documentation: next(2) === 0 ? null : 'doc',
      })),
  }))
  return { bytes: configsBytes(results, version), results }
}

type ConfigsResult = {
  errorCode: number
  errorMessage: string | null
  resourceType: number
  resourceName: string
  configs: {
    name: string
    value: string | null
    readOnly: boolean
    configSource: number
    isSensitive: boolean
    synonyms: { name: string; value: string | null; source: number }[]
    configType: number
    documentation: string | null
  }[]
}

/** A DescribeConfigs answer of these results, encoded per Kafka's schema for the version. */
function configsBytes(results: ConfigsResult[], version: 2 | 3 | 4): Buffer {
  const flexible = version >= 4
  const w = Writer.create().appendInt32(0)
  w.appendArray(
    results,
    (x, r) => {
      x.appendInt16(r.errorCode).appendString(r.errorMessage, flexible).appendInt8(r.resourceType).appendString(r.resourceName, flexible)
      x.appendArray(
        r.configs,
        (y, c) => {
          y.appendString(c.name, flexible).appendString(c.value, flexible).appendBoolean(c.readOnly).appendInt8(c.configSource).appendBoolean(c.isSensitive)
          y.appendArray(c.synonyms, (z, s) => z.appendString(s.name, flexible).appendString(s.value, flexible).appendInt8(s.source), flexible, flexible)
          if (version >= 3) y.appendInt8(c.configType).appendString(c.documentation, flexible)
        },
        flexible,
        flexible,
      )
    },
    flexible,
    flexible,
  )
  if (flexible) w.appendTaggedFields()
  return w.buffer
}

/** The entries ours decodes from a result: in name order, sources by name. */
const entriesOf = (r: ConfigsResult) =>
  r.configs
    .map((c) => ({
      name: c.name,
      value: c.value,
      source: sourceNames[c.configSource] ?? 'unknown',
      readOnly: c.readOnly,
      sensitive: c.isSensitive,
      synonyms: c.synonyms.map((s) => ({ name: s.name, value: s.value, source: sourceNames[s.source] ?? 'unknown' })),
    }))
    .sort((a, b) => a.name.localeCompare(b.name))

const sourceNames = [
  'unknown',
  'dynamic-topic',
  'dynamic-broker',
  'dynamic-broker-default',
  'static-broker',
  'default',
  'dynamic-broker-logger',
  'client-metrics',
  'group',
]

describe('DescribeConfigs', () => {
  it('v4 decodes what the client decodes, entries in name order', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const { bytes } = configsAnswer(seed, 4)
      const theirs = clientAnswer(describeConfigsV4.parseResponse as never, bytes) as { results: ReturnType<typeof configsAnswer>['results'] }
      const ours = decodeDescribeConfigs(new WireReader(bytes, 0, true), 4)
      expect(ours).toEqual(
        theirs.results.map((r) => ({
          errorCode: r.errorCode,
          errorMessage: r.errorMessage,
          resourceType: r.resourceType,
          resourceName: r.resourceName,
          entries: entriesOf(r),
        })),
      )
    }
  })

  it('shares equal entries and equal entry lists between resources, frozen; entries with synonyms stay their own', () => {
    const names = ['cleanup.policy', 'min.insync.replicas']
    const w = Writer.create().appendInt32(0).appendUnsignedVarInt(5)
    for (const [r, minIsr, synonyms] of [
      [0, '2', false],
      [1, '2', false],
      [2, '3', false],
      [3, '2', true],
    ] as const) {
      w.appendInt16(0).appendString(null).appendInt8(2).appendString(`topic-${r}`)
      w.appendUnsignedVarInt(names.length + 1)
      for (const name of names) {
        w.appendString(name)
          .appendString(name === 'cleanup.policy' ? 'delete' : minIsr)
          .appendBoolean(false)
          .appendInt8(5)
          .appendBoolean(false)
        if (synonyms) w.appendUnsignedVarInt(2).appendString(name).appendString('1').appendInt8(5).appendUnsignedVarInt(0)
        else w.appendUnsignedVarInt(1)
        w.appendInt8(1).appendString(null).appendUnsignedVarInt(0)
      }
      w.appendUnsignedVarInt(0)
    }
    w.appendUnsignedVarInt(0)
    const [a, b, c, d] = decodeDescribeConfigs(new WireReader(w.buffer, 0, true), 4)
    expect(a!.entries).toBe(b!.entries)
    expect(Object.isFrozen(a!.entries) && Object.isFrozen(a!.entries[0])).toBe(true)
    expect(c!.entries).not.toBe(a!.entries)
    expect(c!.entries[0]).toBe(a!.entries[0])
    expect(c!.entries.map((e) => e.value)).toEqual(['delete', '3'])
    expect(d!.entries[0]).not.toBe(a!.entries[0])
    expect(d!.entries.map((e) => [e.value, e.synonyms])).toEqual([
      ['delete', [{ name: 'cleanup.policy', value: '1', source: 'default' }]],
      ['2', [{ name: 'min.insync.replicas', value: '1', source: 'default' }]],
    ])
  })

  it.each([2, 3, 4] as const)('v%i: resources that answer with the same bytes, or nearly, each get what their own bytes say', (version) => {
    // A few ways to answer, most alike to the byte but for a value's length, a flag, the documentation or one entry more.
    const entry = (name: string, value: string | null, more: Partial<ConfigsResult['configs'][number]> = {}) => ({
      name,
      value,
      readOnly: false,
      configSource: 5,
      isSensitive: false,
      synonyms: [],
      configType: 3,
      documentation: null,
      ...more,
    })
    const ways = [
      [entry('cleanup.policy', 'delete'), entry('min.insync.replicas', '2')],
      [entry('cleanup.policy', 'delete'), entry('min.insync.replicas', '3')],
      [entry('cleanup.policy', 'delete'), entry('min.insync.replicas', '22')],
      [entry('cleanup.policy', 'delete'), entry('min.insync.replicas', '2', { readOnly: true })],
      [entry('cleanup.policy', 'delete'), entry('min.insync.replicas', '2', { documentation: 'doc' })],
      [entry('cleanup.policy', 'delete'), entry('min.insync.replicas', '2'), entry('retention.ms', '-1')],
      [entry('cleanup.policy', 'delete')],
      [entry('cleanup.policy', 'delete'), entry('min.insync.replicas', '2', { synonyms: [{ name: 'min.insync.replicas', value: '1', source: 4 }] })],
      [],
    ]
    for (let seed = 1; seed <= 60; seed++) {
      const next = random(seed)
      const results: ConfigsResult[] = Array.from({ length: 1 + next(40) }, (_, r) => ({
        errorCode: next(12) === 0 ? 3 : 0,
        errorMessage: null,
        resourceType: 2,
        resourceName: `topic-${r}`,
        configs: ways[next(4) === 0 ? next(ways.length) : 0]!,
      }))
      const ours = decodeDescribeConfigs(new WireReader(configsBytes(results, version), 0, version >= 4), version)
      const expected = results.map((r) => ({
        errorCode: r.errorCode,
        errorMessage: null,
        resourceType: 2,
        resourceName: r.resourceName,
        entries: entriesOf(r),
      }))
      expect(ours).toEqual(expected)
    }
  })

  it.each([2, 3] as const)('v%i reads plain strings and arrays, config type and documentation from v3 on only', (version) => {
    for (let seed = 1; seed <= 100; seed++) {
      const { bytes, results } = configsAnswer(seed, version)
      const ours = decodeDescribeConfigs(new WireReader(bytes, 0, false), version)
      expect(ours.map((r) => [r.resourceName, r.entries.map((e) => [e.name, e.value, e.synonyms.length])])).toEqual(
        results.map((r) => [
          r.resourceName,
          r.configs.map((c) => [c.name, c.value, c.synonyms.length]).sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
        ]),
      )
    }
  })

  it('asks v4 as the client asks, and v2 without the documentation flag it does not have', () => {
    const sent = (api: unknown, ...args: unknown[]) => {
      let payload: Buffer | undefined
      const connection = { send: (_k: number, _v: number, create: () => Writer) => (payload = create().buffer) }
      ;(api as (c: unknown, ...a: unknown[]) => void)(connection, ...args, () => {})
      return payload!.toString('hex')
    }
    const resources = [
      { resourceType: 2, resourceName: 'orders', configurationKeys: ['min.insync.replicas'] },
      { resourceType: 4, resourceName: '', configurationKeys: null },
    ]
    expect(sent(describeConfigsApis[4], resources, false)).toBe(sent(describeConfigsV4.api, resources, false, false))
    // Many resources (the buffer grows), a name past one varint byte, non-ASCII names, empty key lists.
    // One key list shared by runs of resources (encoded once), then another, none, and a list of its own.
    const shared = ['min.insync.replicas', 'unclean.leader.election.enable', 'cleanup.policy', 'retention.ms']
    const many = Array.from({ length: 300 }, (_, i) => ({
      resourceType: i === 299 ? 4 : 2,
      resourceName: i === 7 ? `topic-${'é'.repeat(200)}` : i === 299 ? '' : `tópico-${i}`,
      configurationKeys: i % 50 === 49 ? null : i % 7 === 0 ? [`key.${i}`] : i < 150 ? shared : ['retention.ms'],
    }))
    expect(sent(describeConfigsApis[4], many, true)).toBe(sent(describeConfigsV4.api, many, true, false))
    // [resources]=1, type 2, "t", keys null (-1), include_synonyms true; nothing after it in v2.
    expect(sent(describeConfigsApis[2], [{ resourceType: 2, resourceName: 't', configurationKeys: null }], true)).toBe(
      '00000001' + '02' + '000174' + 'ffffffff' + '01',
    )
  })
})
