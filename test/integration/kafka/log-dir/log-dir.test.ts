// The log-dir reader against Kafka's own kafka-dump-log, on segments the sandbox's brokers wrote: the Java
// client writes every codec, headers and nulls, transactions (commit, abort, one left open) and several
// segments; broker 3 is SIGKILLed and its folder read as a dead broker's (and restarted afterwards).

import { spawn } from 'node:child_process'
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, truncateSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSandboxProbe } from '../../../../lib/kafka/platformatic/sandbox-probe.ts'
import { connect } from '../../../../lib/kafka/index.ts'
import { describeLogDirFault, openLogDir, type LogDirReader, type LogEntry } from '../../../../lib/kafka/log-dir/index.ts'
import type { KafkaRecord, RecordBatch } from '../../../../lib/kafka/records.ts'
import { parseSalvage, SalvageEncoder, salvageFileText, type SalvageMarker } from '../../../../lib/kafka/salvage-file.ts'
import type { KafkaOps } from '../../../../lib/kafka/types.ts'
import { priceExactLoss } from '../../../../lib/plans/exact-loss.ts'
import { reproducible, salvagedRecord, transactionFates, undecidedTransactions } from '../../../../lib/plans/salvage.ts'
import { readCoordinatorOutcomes } from '../../../../lib/reads/salvage-transactions.ts'
import { control, ensureKafkaSoftware, nodeDataDir } from '../../../../lib/sandbox/index.ts'
import { findJava } from '../../../../lib/sandbox/java.ts'
import { restoreCluster } from '../../../support/faults.ts'
import { uniqueTopic, waitFor } from '../../../support/kafka.ts'
import { kafkaTool, kafkaToolOk, testSandbox } from '../../../support/sandbox.ts'
import { fingerprint } from '../../../kafka/log-dir/segments.ts'

const dead = 3
const fixtures = fileURLToPath(new URL('./ProduceFixtures.java', import.meta.url))

interface DumpedBatch {
  readonly fields: Record<string, string>
  readonly records: Record<string, string>[]
}
interface Dumped {
  readonly batches: DumpedBatch[]
  invalidBytes: number | null
}

/** kafka-dump-log --print-data-log, per file (by the path it was given): "name: value" pairs of each batch line and each record line. */
function parseDump(text: string): Map<string, Dumped> {
  const files = new Map<string, Dumped>()
  let current: Dumped | null = null
  const pairs = (line: string) => Object.fromEntries([...line.matchAll(/(\w+): (\S+)/g)].map((m) => [m[1]!, m[2]!]))
  for (const line of text.split('\n')) {
    const dumping = /^Dumping (.+)$/.exec(line)
    if (dumping) files.set(dumping[1]!, (current = { batches: [], invalidBytes: null }))
    else if (line.startsWith('baseOffset:')) current!.batches.push({ fields: pairs(line), records: [] })
    else if (line.startsWith('| offset:')) current!.batches.at(-1)!.records.push(pairs(line))
    else {
      const invalid = /^Found (\d+) invalid bytes at the end of (.+)$/.exec(line)
      if (invalid) current!.invalidBytes = Number(invalid[1])
    }
  }
  return files
}

/** Our batch in kafka-dump-log's words, for a field-by-field comparison. */
function asDumped(batch: RecordBatch, position: number): DumpedBatch {
  const time = batch.timestampType === 'create' ? 'CreateTime' : 'LogAppendTime'
  const count = Number(batch.lastOffset - batch.baseOffset) + 1
  const fields = {
    baseOffset: `${batch.baseOffset}`,
    lastOffset: `${batch.lastOffset}`,
    count: `${batch.control ? batch.markers.length : batch.records.length}`,
    baseSequence: `${batch.baseSequence}`,
    producerId: `${batch.producerId}`,
    producerEpoch: `${batch.producerEpoch}`,
    partitionLeaderEpoch: `${batch.partitionLeaderEpoch}`,
    isTransactional: `${batch.transactional}`,
    isControl: `${batch.control}`,
    position: `${position}`,
    [time]: `${batch.maxTimestamp}`,
    size: `${batch.sizeBytes}`,
    magic: '2',
    compresscodec: batch.compression,
    isvalid: 'true',
  }
  expect(count).toBeGreaterThanOrEqual(batch.records.length)
  const records = batch.control
    ? batch.markers.map((m) => ({
        offset: `${m.offset}`,
        [time]: `${m.timestamp}`,
        endTxnMarker: m.type.toUpperCase(),
        coordinatorEpoch: `${m.coordinatorEpoch}`,
      }))
    : batch.records.map((r) => ({
        offset: `${r.offset}`,
        [time]: `${r.timestamp}`,
        keySize: `${r.key === null ? -1 : r.key.length}`,
        valueSize: `${r.value === null ? -1 : r.value.length}`,
        sequence: `${r.sequence}`,
        headerKeys: `[${r.headers.map((h) => h.key).join(',')}]`,
        ...(r.key === null ? {} : { key: r.key.toString('utf8') }),
        ...(r.value === null ? {} : { payload: r.value.toString('utf8') }),
      }))
  return { fields, records }
}

function runJava(classpath: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    void findJava(process.env).then((java) => {
      const child = spawn(java.executable, ['-Xmx256m', '-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', '-cp', classpath, fixtures, ...args], {
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      const out: Buffer[] = []
      const err: Buffer[] = []
      child.stdout.on('data', (c: Buffer) => out.push(c))
      child.stderr.on('data', (c: Buffer) => err.push(c))
      const timer = setTimeout(() => child.kill('SIGKILL'), 120_000)
      child.on('close', (code) => {
        clearTimeout(timer)
        if (code === 0) resolve(Buffer.concat(out).toString())
        else reject(new Error(`ProduceFixtures exited ${code}: ${Buffer.concat(err).toString().slice(-2000)}`))
      })
    }, reject)
  })
}

async function entriesOf(reader: LogDirReader, topic: string, from = 0n): Promise<LogEntry[]> {
  const entries: LogEntry[] = []
  for await (const entry of reader.batches({ topic, partition: 0 }, from)) entries.push(entry)
  return entries
}

describe('reading a dead broker’s log directory, checked against kafka-dump-log', () => {
  const sandbox = testSandbox()
  const topics = { codecs: uniqueTopic('ld-codecs'), txn: uniqueTopic('ld-txn'), multi: uniqueTopic('ld-multi') }
  const folder = nodeDataDir(sandbox.config, dead)
  let ops: KafkaOps
  let clusterId: string
  let runningRefusal: string
  let pausedRefusal: string
  let reader: LogDirReader
  let before: Record<string, string>
  const target = uniqueTopic('ld-txn-salvaged')

  beforeAll(async () => {
    ops = await connect({ bootstrapServers: sandbox.bootstrap.split(','), clientId: 'log-dir-it' })
    clusterId = (await ops.cluster()).clusterId!
    const created = await ops.createTopics(
      Object.values(topics).map((topic) => ({ topic, assignments: [[1, 2, dead]], configs: { 'segment.bytes': '1048576' } })),
    )
    expect(created.filter((c) => c.error)).toEqual([])
    const software = await ensureKafkaSoftware(sandbox.config)
    await runJava(software.classpath, [sandbox.bootstrap, topics.codecs, topics.txn, topics.multi])
    // acks=all: broker 3 holds every record; wait until its copy has caught up with the last, open, transaction.
    await waitFor(async () => (await ops.partitionStates([topics.txn]))[0]!.partitions[0]!.isr.includes(dead), { what: 'broker 3 in the ISR' })

    const expected = { brokerId: dead, clusterId }
    const running = await openLogDir(folder, expected)
    runningRefusal = running.ok ? 'opened' : describeLogDirFault(running.fault)
    await control(sandbox.config, dead, 'pause')
    try {
      const paused = await openLogDir(folder, expected)
      pausedRefusal = paused.ok ? 'opened' : describeLogDirFault(paused.fault)
    } finally {
      await control(sandbox.config, dead, 'resume')
    }
    await control(sandbox.config, dead, 'kill')
    const opened = await openLogDir(folder, expected)
    if (!opened.ok) throw new Error(describeLogDirFault(opened.fault))
    reader = opened.value
    before = fingerprint(folder)
  })

  afterAll(async () => {
    try {
      await control(sandbox.config, dead, 'start', { probe: createSandboxProbe('log-dir-it'), timeoutMs: 90_000 })
      // The next file may read the cluster from any broker: wait until all of them see the restarted one and every ISR is full.
      await restoreCluster()
      await ops?.deleteTopics([...Object.values(topics), target])
    } finally {
      await ops?.close()
    }
  })

  it('refuses the folder while its broker runs, paused too, in one line', () => {
    expect(runningRefusal).toMatch(new RegExp(`^broker ${dead} is running on .* \\(process kafka.Kafka \\d+ holds the lock on .*/\\.lock\\) — .*stop it first`))
    expect(pausedRefusal).toMatch(/holds the lock/)
  })

  it('refuses it as another broker’s or another cluster’s', async () => {
    const asOther = await openLogDir(folder, { brokerId: 1, clusterId })
    expect(asOther.ok ? '' : describeLogDirFault(asOther.fault)).toMatch(`is broker ${dead}'s log directory, not broker 1's`)
    const otherCluster = await openLogDir(folder, { brokerId: dead, clusterId: 'AAAAAAAAAAAAAAAAAAAAAA' })
    expect(otherCluster.ok ? '' : describeLogDirFault(otherCluster.fault)).toMatch(`belongs to cluster ${clusterId}, not to this cluster`)
  })

  it('reads every batch and record exactly as kafka-dump-log prints them: codecs, transactions, segments', async () => {
    const files: string[] = []
    const ours = new Map<string, DumpedBatch[]>()
    for (const topic of Object.values(topics)) {
      const loaded = await reader.partition({ topic, partition: 0 }, { topicId: (await ops.partitionStates([topic]))[0]!.topicId })
      if (!loaded.ok) throw new Error(describeLogDirFault(loaded.fault))
      expect(loaded.value.torn).toBeNull()
      const dir = join(folder, loaded.value.folder)
      for (const s of loaded.value.segments) files.push(join(dir, s.logFile))
      for (const entry of await entriesOf(reader, topic)) {
        expect(entry.kind).toBe('batch')
        if (entry.kind !== 'batch') continue
        const key = `${loaded.value.folder}/${entry.segment}`
        ours.set(key, [...(ours.get(key) ?? []), asDumped(entry.batch, entry.position)])
      }
    }
    const dump = parseDump(await kafkaToolOk('kafka-dump-log', ['--files', files.join(','), '--print-data-log']))
    for (const file of files) {
      const theirs = dump.get(file)
      const name = file.split('/').slice(-2).join('/')
      expect(theirs?.invalidBytes ?? null, name).toBeNull()
      const mine = ours.get(name) ?? []
      expect(mine.length, name).toBe(theirs!.batches.length)
      mine.forEach((batch, i) => {
        expect(theirs!.batches[i]!.fields, `${name} batch ${i}`).toMatchObject(batch.fields)
        expect(theirs!.batches[i]!.records, `${name} batch ${i}`).toEqual(batch.records.map((r) => expect.objectContaining(r)))
      })
    }
    // What the fixtures wrote is there: five codecs, commit and abort markers, several segments.
    const codecs = (await entriesOf(reader, topics.codecs)).flatMap((e) => (e.kind === 'batch' ? [e.batch.compression] : []))
    expect(new Set(codecs)).toEqual(new Set(['none', 'gzip', 'snappy', 'lz4', 'zstd']))
    const markers = (await entriesOf(reader, topics.txn)).flatMap((e) => (e.kind === 'batch' ? e.batch.markers.map((m) => m.type) : []))
    expect(markers).toEqual(['commit', 'abort'])
    expect(files.filter((f) => f.includes(topics.multi)).length).toBeGreaterThanOrEqual(3)
  })

  it('reads the same batches over the wire (fetchRecords from the live leader) as from the disk: every codec, transaction markers', async () => {
    for (const topic of [topics.codecs, topics.txn]) {
      const onDisk = (await entriesOf(reader, topic)).flatMap((e) => (e.kind === 'batch' ? [e.batch] : []))
      const [fetched] = await ops.fetchRecords([{ topic, partition: 0, offset: 0n, maxRecords: 100_000 }])
      expect(fetched!.error).toBeUndefined()
      const hw = fetched!.highWatermark!
      const shape = (batches: readonly RecordBatch[]) =>
        batches
          .filter((b) => b.baseOffset < hw)
          .map((b) => ({
            base: b.baseOffset,
            compression: b.compression,
            producer: b.producerId,
            control: b.control,
            markers: b.markers.filter((m) => m.offset < hw).map((m) => [m.offset, m.type]),
            records: b.records.filter((r) => r.offset < hw).map((r) => [r.offset, r.timestamp, r.key, r.value, r.headers]),
          }))
      expect(shape(fetched!.batches)).toEqual(shape(onDisk))
    }
  })

  it('prices the transactions it finds: committed, aborted, still open', async () => {
    const loaded = await reader.partition({ topic: topics.txn, partition: 0 })
    if (!loaded.ok) throw new Error(describeLogDirFault(loaded.fault))
    const [loss] = priceExactLoss(loaded.value, [{ broker: 1, logEndOffset: 0n, epochs: [] }], await entriesOf(reader, topics.txn))
    expect(loss).toMatchObject({ records: 7, transactional: { committed: 3, aborted: 2, open: 2 }, atLeast: false })
    expect(loaded.value.logEndOffset).toBe(9n)
  })

  it('streams a multi-segment log from the middle through the index, identical to a full read', async () => {
    const all = (await entriesOf(reader, topics.multi)).flatMap((e) => (e.kind === 'batch' ? e.batch.records : []))
    const stats = { bytesRead: 0, startPosition: null as number | null }
    const tail: bigint[] = []
    for await (const e of reader.batches({ topic: topics.multi, partition: 0 }, 2000n, stats))
      if (e.kind === 'batch') tail.push(...e.batch.records.map((r) => r.offset))
    expect(all.map((r) => r.value!.toString().split('-')[1])).toEqual(Array.from({ length: 2600 }, (_, i) => `${i}`))
    expect(tail.filter((o) => o >= 2000n)).toEqual(all.filter((r) => r.offset >= 2000n).map((r) => r.offset))
    expect(stats.startPosition).toBeGreaterThan(0)
  })

  it('ignores a batch cut short by a crash, as Kafka does, and says how many bytes', async () => {
    const copy = mkdtempSync(join(tmpdir(), 'torn-'))
    copyFileSync(join(folder, 'meta.properties'), join(copy, 'meta.properties'))
    const partition = join(copy, `${topics.codecs}-0`)
    mkdirSync(partition)
    const segment = readdirSync(join(folder, `${topics.codecs}-0`)).find((f) => f.endsWith('.log'))!
    copyFileSync(join(folder, `${topics.codecs}-0`, segment), join(partition, segment))
    const full = (await entriesOf(reader, topics.codecs)).flatMap((e) => (e.kind === 'batch' ? [e] : []))
    const last = full.at(-1)!
    truncateSync(join(partition, segment), last.position + 30)
    const opened = await openLogDir(copy, { brokerId: dead, clusterId })
    if (!opened.ok) throw new Error(describeLogDirFault(opened.fault))
    const loaded = await opened.value.partition({ topic: topics.codecs, partition: 0 })
    if (!loaded.ok) throw new Error(describeLogDirFault(loaded.fault))
    expect(loaded.value.logEndOffset).toBe(last.batch.baseOffset)
    expect(loaded.value.torn).toMatchObject({ segment, position: last.position, ignoredBytes: 30, reason: expect.stringMatching(/cut short/) })
    const dump = parseDump(await kafkaToolOk('kafka-dump-log', ['--files', join(partition, segment)]))
    expect(dump.get(join(partition, segment))).toMatchObject({ invalidBytes: 30 })
    expect(dump.get(join(partition, segment))!.batches.length).toBe(full.length - 1)
  })

  it('round-trips the records through a salvage file, whole', async () => {
    const records = (await entriesOf(reader, topics.codecs, 5n)).flatMap((e) => (e.kind === 'batch' ? e.batch.records.filter((r) => r.offset >= 5n) : []))
    const encoder = new SalvageEncoder({
      clusterId,
      topic: topics.codecs,
      topicId: null,
      partition: 0,
      broker: dead,
      logDir: folder,
      fromOffset: 5n,
      toOffset: 15n,
      createdAt: new Date(0).toISOString(),
      reason: 'test',
    })
    const lines = [encoder.header(), ...records.map((r) => encoder.record(r)), encoder.trailer()]
    const read = parseSalvage(lines.join('\n').split('\n'))
    expect(read.complete).toBe(true)
    expect(read.records).toEqual(records)
    expect(records.length).toBe(10)
  })

  it('salvages transactions whole: markers in the file, only the committed records produced again — Kafka’s read_committed consumer as the oracle', async () => {
    const tp = { topic: topics.txn, partition: 0 }
    const records: KafkaRecord[] = []
    const markers: SalvageMarker[] = []
    for (const e of await entriesOf(reader, topics.txn)) {
      if (e.kind !== 'batch') continue
      records.push(...e.batch.records)
      markers.push(...e.batch.markers.map((m) => ({ ...m, producerId: e.batch.producerId, producerEpoch: e.batch.producerEpoch })))
    }
    // The open transaction has no marker on the dead broker: what its coordinator really says goes into the file.
    const undecided = undecidedTransactions(transactionFates({ records, markers }, 0n))
    // In an incident the dead broker was fenced and its coordinators moved long before anyone salvages. Here it was
    // killed moments ago: until the controller fences it, it is still asked (and refuses), and a coordinator it led
    // is nowhere until its new leader has loaded the transaction log — meanwhile every broker can answer without
    // knowing the producer (measured in CI, on 3.9.2 and then on 4.3.1). The read then says so, which is not what
    // this test is about: it waits, as an incident would have, until a coordinator knows every producer again.
    const producerIds = undecided.map((u) => u.producerId)
    await waitFor(
      async () => {
        const answers = await ops.listTransactions({ producerIds })
        const known = new Set(answers.flatMap((a) => a.transactions.map((t) => t.producerId)))
        return answers.every((answer) => !answer.error) && producerIds.every((id) => known.has(id))
      },
      { what: 'a live transaction coordinator knowing every open producer' },
    )
    const outcomes = await readCoordinatorOutcomes(ops, tp, undecided)
    const header = {
      clusterId,
      topic: topics.txn,
      topicId: null,
      partition: 0,
      broker: dead,
      logDir: folder,
      fromOffset: 0n,
      toOffset: 9n,
      createdAt: new Date(0).toISOString(),
      reason: 'test',
    }
    const read = parseSalvage(salvageFileText(header, { records, markers, outcomes }).split('\n'))
    expect(read).toMatchObject({ version: 2, complete: true })
    expect(read.markers.map((m) => m.type)).toEqual(['commit', 'abort'])
    // Ongoing while its 60 s timeout runs, then aborted by the coordinator (one epoch up): never committed.
    expect(read.outcomes).toEqual([expect.objectContaining({ source: 'coordinator', outcome: expect.stringMatching(/^(open|aborted)$/) })])
    process.stdout.write(`[measured] coordinator on the open transaction: ${read.outcomes[0]!.detail}\n`)

    const contents = {
      file: { ...tp, path: 'x', deadBroker: dead, fromOffset: 0n, toOffset: 9n, records: read.records.length, sha256: '', readBy: [] },
      ...read,
    }
    expect((await ops.createTopics([{ topic: target, assignments: [[1, 2]] }])).filter((c) => c.error)).toEqual([])
    const written = await ops.produce(
      target,
      reproducible(contents).map((r) => salvagedRecord(r, tp, 0)),
    )
    expect(written.filter((w) => w.error)).toEqual([])

    const consume = async (topic: string, isolation: string) => {
      const out = await kafkaTool('kafka-console-consumer', [
        '--topic',
        topic,
        '--partition',
        '0',
        '--offset',
        'earliest',
        '--isolation-level',
        isolation,
        '--timeout-ms',
        '4000',
      ])
      return out.stdout.split('\n').filter((l) => l.trim() !== '')
    }
    const committed = await consume(topics.txn, 'read_committed')
    expect(committed).toEqual(['committed-0', 'committed-1', 'committed-2'])
    expect(await consume(target, 'read_uncommitted')).toEqual(committed)
  })

  it('changed nothing in the folder, modification times included', () => {
    expect(fingerprint(folder)).toEqual(before)
  })
})
