// Re-producing salvaged records again: a second run writes only what its target lacks (nothing, after a whole
// re-produce), an earlier session's salvage file is taken only when that session's transcript vouches for it and
// it came from this cluster, and duplicates left by an interrupted run are reported, not hidden.

import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runRunbook, type RunOptions } from '../../../lib/engine/runner.ts'
import { readEvents } from '../../../lib/engine/session.ts'
import { fakeCluster, type FakeKafka } from '../../../lib/kafka/fake/index.ts'
import { salvagedRecord, salvageHeaders } from '../../../lib/plans/salvage.ts'
import { readSalvageFile } from '../../../lib/reads/salvage.ts'
import { scriptedIo, type ScriptedIo } from '../../../lib/testkit/index.ts'
import runbook from '../../../runbooks/unclean-election/index.ts'
import { given, runOptions } from '../../support/run-options.ts'
import { clock, clusterId, folders, incident } from './dead-log-incident.ts'

const cluster = { origin: 'test', clusterId, kafkaLine: '4.3', elr: 'on' } as const
const options = (io: ScriptedIo, kafka: FakeKafka, sessionsDir: string, extra: Partial<RunOptions> = {}): RunOptions =>
  runOptions(io, kafka, { clock, openLogDir: folders, sessionsDir, cluster, approvals: { yes: true, hashes: [] }, ...extra })
const headless = () => scriptedIo([], { interactive: false })
const electing = { 'dead-log-dirs': '1=/mnt/broker-1', partitions: 'orders:0,orders:1', candidate: '3', 'aftermath-wait': '0s', salvage: 'copy' }

async function copiesIn(kafka: FakeKafka, topic: string, partition: number) {
  const [end] = await kafka.listOffsets([{ topic, partition, spec: 'latest' }])
  const [answer] = await kafka.fetchRecords([{ topic, partition, offset: 0n, endOffset: end!.offset!, maxRecords: 100_000 }])
  return answer!.batches.flatMap((b) => b.records).filter((r) => r.headers.some((h) => h.key === salvageHeaders.offset))
}

/** The first run: salvage, elect broker 3, re-produce to orders.salvaged (1,100 + 830 records). */
async function salvaged() {
  const kafka = incident()
  const sessionsDir = mkdtempSync(join(tmpdir(), 'runbook-test-sessions-'))
  const first = await runRunbook(runbook, options(headless(), kafka, sessionsDir, { given: given(electing) }))
  expect(first, first.message).toMatchObject({ status: 'done', exitCode: 0 })
  const files = (
    readEvents(first.sessionDir).find((e) => e.type === 'apply' && (e as { cell: string }).cell === 'salvage-copy') as unknown as {
      data: { files: { path: string }[] }
    }
  ).data.files.map((f) => f.path)
  return { kafka, sessionsDir, first, files }
}

describe('unclean-election: re-produce again', () => {
  it('a second re-produce from the earlier session writes nothing and says so; the salvage topic holds each record once', async () => {
    const { kafka, sessionsDir, first } = await salvaged()
    expect(await copiesIn(kafka, 'orders.salvaged', 0)).toHaveLength(1100)
    for (const ref of [first.sessionDir, first.sessionId]) {
      const io = headless()
      const again = await runRunbook(runbook, options(io, kafka, sessionsDir, { given: given({ 'salvage-file': ref }) }))
      expect(again, again.message).toMatchObject({ status: 'done', exitCode: 0 })
      expect(again.cells.find((c) => c.id === 'reproduce')).toMatchObject({ outcome: 'skipped' })
      expect(io.screen().replace(/\s+/g, ' ')).toContain('1,930 already in orders.salvaged (from an earlier re-produce), 0 to write')
    }
    expect(await copiesIn(kafka, 'orders.salvaged', 0)).toHaveLength(1100)
    expect(await copiesIn(kafka, 'orders.salvaged', 1)).toHaveLength(830)
  })

  it('a guided run with nothing salvaged asks for the salvage found among recent sessions, and finds it already there', async () => {
    const { kafka, sessionsDir, first } = await salvaged()
    const io = scriptedIo([
      { select: first.sessionDir, message: /Which earlier salvage should be produced again/ },
      { select: 'orders.salvaged', message: /Produce the salvaged records to which topic/ },
    ])
    const again = await runRunbook(runbook, options(io, kafka, sessionsDir))
    expect(again, again.message).toMatchObject({ status: 'done', exitCode: 0 })
    expect(io.asked.find((a) => /Which earlier salvage/.test(a.message))?.choices?.map((c) => c.name)).toEqual(
      expect.arrayContaining([expect.stringMatching(new RegExp(`^session ${first.sessionId}: salvage-orders-0-broker-1-from-1000\\.jsonl, salvage-orders-1`))]),
    )
    expect(io.screen().replace(/\s+/g, ' ')).toContain('1,930 already in orders.salvaged (from an earlier re-produce), 0 to write')
    // Headless, nothing is looked for without --set salvage-file.
    const headlessRun = await runRunbook(runbook, options(headless(), kafka, sessionsDir))
    expect(headlessRun.cells.find((c) => c.id === 'reproduce')).toMatchObject({ outcome: 'skipped', reason: expect.stringContaining('--set salvage-file') })
  })

  it('after an interrupted re-produce, writes only the missing records and reports the duplicate it left', async () => {
    const { kafka, sessionsDir, first, files } = await salvaged()
    // An earlier re-produce into orders.partial stopped after 600 records of orders-0, one of them written twice.
    await kafka.createTopics([{ topic: 'orders.partial', partitions: 2, replicationFactor: 1, configs: {} }])
    const file = readSalvageFile(files[0]!)
    if ('error' in file) throw new Error(file.error)
    const source = { topic: 'orders', partition: 0 }
    await kafka.produce(
      'orders.partial',
      [...file.records.slice(0, 600), file.records[0]!].map((r) => salvagedRecord(r, source, 0)),
    )

    const io = headless()
    const again = await runRunbook(
      runbook,
      options(io, kafka, sessionsDir, { given: given({ 'salvage-file': first.sessionDir, 'salvage-topic': 'orders.partial' }) }),
    )
    expect(again, again.message).toMatchObject({ status: 'done', exitCode: 0 })
    const screen = io.screen().replace(/\s+/g, ' ')
    expect(screen).toContain('600 already in orders.partial (from an earlier re-produce), 1,330 to write')
    expect(screen).toMatch(/1 salvaged record is in the target more than once.*orders-0 offset 1000 at orders\.partial:0 offsets 0, 600/)
    expect(again.cells.find((c) => c.id === 'reproduce')).toMatchObject({ outcome: 'applied', verified: true, plan: { records: 1330, present: 600 } })
    const p0 = await copiesIn(kafka, 'orders.partial', 0)
    expect(p0).toHaveLength(1101)
    expect(new Set(p0.map((r) => r.headers.find((h) => h.key === salvageHeaders.offset)!.value!.toString())).size).toBe(1100)
    expect(await copiesIn(kafka, 'orders.partial', 1)).toHaveLength(830)
  })

  it('refuses a salvage file changed after its session recorded it, one outside a session folder, and one from another cluster', async () => {
    const { kafka, sessionsDir, first, files } = await salvaged()
    const refused = async (ref: string, on: FakeKafka = kafka) => {
      const result = await runRunbook(runbook, options(headless(), on, sessionsDir, { given: given({ 'salvage-file': ref }) }))
      expect(result).toMatchObject({ status: 'refused', exitCode: 2 })
      expect(result.message).not.toContain('\n')
      return result.message
    }
    const other = fakeCluster({ clusterId: 'another-cluster' }).brokers(3).topic('orders', { partitions: 2 }).build()
    expect(await refused(first.sessionDir, other)).toMatch(/holds records of cluster fake-cluster-0000000000 .* and this is cluster another-cluster/)

    const loose = join(mkdtempSync(join(tmpdir(), 'loose-')), basename(files[0]!))
    copyFileSync(files[0]!, loose)
    expect(await refused(loose)).toMatch(/is not in a session folder/)

    writeFileSync(files[0]!, readFileSync(files[0]!, 'utf8').replace('"offset":"1000"', '"offset":"1001"'))
    expect(await refused(files[0]!)).toMatch(/is not what session .* transcript recorded: it was changed after it was written/)

    const events = join(first.sessionDir, 'events.jsonl')
    writeFileSync(events, readFileSync(events, 'utf8').replace('"operator":"alice"', '"operator":"mallory"'))
    expect(await refused(first.sessionId)).toMatch(/its transcript does not verify/)
    expect(await copiesIn(kafka, 'orders.salvaged', 0)).toHaveLength(1100)
  })
})
