// The lag-retention runbook against the in-memory fake: a group racing retention found and priced, the raise
// applied and undone, a group below the log start moved to it, bad input refused with nothing changed. The real
// cluster and Kafka's own tools are in test/integration/lag-retention/.

import { describe, expect, it } from 'vitest'
import { runRunbook, type RunOptions } from '../../../lib/engine/runner.ts'
import { runUndo } from '../../../lib/engine/undo.ts'
import { fakeCluster, type FakeKafka } from '../../../lib/kafka/fake/index.ts'
import runbook from '../../../runbooks/lag-retention/index.ts'
import { given, runOptions } from '../../support/run-options.ts'
import { scriptedIo } from '../../../lib/testkit/index.ts'
import { undoOptions } from '../../support/undo-options.ts'

const t0 = Date.parse('2026-11-24T03:00:00Z')
const now = t0 + 1_200_000
const clock = () => now

/**
 * events: one partition, a record a second from t0 for 15 minutes; segments roll every minute; retention 10
 * minutes, checked at `now`: the segments whose newest record is older than t0+10 min are gone. `slow` has read
 * to offset 700 (racing: its segment goes about 2 minutes from now), `gone` only to 100 (below the log start).
 */
function cluster(): FakeKafka {
  const kafka = fakeCluster({ clock })
    .brokers(3)
    .topic('events', { partitions: 1, replicationFactor: 3, configs: { 'retention.ms': '600000', 'segment.ms': '60000' } })
    .records('events', 0, { count: 900, startMs: t0, stepMs: 1000 })
    .group('slow', { offsets: { 'events/0': 700n } })
    .group('gone', { offsets: { 'events/0': 100n } })
    .build()
  kafka.enforceRetention(now)
  return kafka
}

const headless = (kafka: FakeKafka, answers: Record<string, string>, extra: Partial<RunOptions> = {}) =>
  runRunbook(
    runbook,
    runOptions(scriptedIo([], { interactive: false }), kafka, {
      clock,
      given: given({ sample: '0s', ...answers }),
      approvals: { yes: true, hashes: [] },
      ...extra,
    }),
  )

const retentionOf = async (kafka: FakeKafka) => {
  const [config] = await kafka.describeConfigs([{ type: 'topic', name: 'events' }], { names: ['retention.ms'] })
  return config!.entries.find((e) => e.name === 'retention.ms')
}

describe('finding the race', () => {
  it('prices when the first unread record goes and how many unread records go, from the segments', async () => {
    const kafka = cluster()
    const logStart = (await kafka.listOffsets([{ topic: 'events', partition: 0, spec: 'earliest' }]))[0]!.offset!
    expect(logStart).toBeGreaterThan(500n)
    expect(logStart).toBeLessThan(700n)
    const result = await headless(kafka, { group: 'slow' }, { dryRun: true })
    expect(result.exitCode).toBe(0)
    const race = result.cells.find((c) => c.id === 'race')!.data as {
      partitions: {
        status: string
        firstLoss: { dueMs: number; latestMs: number }
        atRisk: bigint
        segments: { baseOffset: bigint; endOffset: bigint; dueMs: number }[]
      }[]
    }
    const [p] = race.partitions
    expect(p!.status).toBe('racing')
    // The segment holding offset 700 has records up to one 61 records later (a roll each minute); it goes
    // 10 minutes after its newest record: between 1 and 3 minutes from now (one 5-minute check wide).
    const holding = p!.segments[0]!
    expect(holding.endOffset).toBeGreaterThan(700n)
    expect(p!.firstLoss.dueMs).toBe(t0 + Number(holding.endOffset - 1n) * 1000 + 600_000)
    expect(p!.firstLoss.latestMs - p!.firstLoss.dueMs).toBe(300_000)
    // The group is stopped (no commits between samples): every unread record still on disk goes in time.
    expect(p!.atRisk).toBe(900n - 700n)
    expect(kafka.mutations).toEqual([])
  })

  it('finds a group below the log start and what latest (the default) would skip', async () => {
    const kafka = cluster()
    const logStart = (await kafka.listOffsets([{ topic: 'events', partition: 0, spec: 'earliest' }]))[0]!.offset!
    const result = await headless(kafka, { group: 'gone' }, { dryRun: true })
    const next = result.cells.find((c) => c.id === 'next-fetch')!.data as {
      reset: { kind: string }
      partitions: { deleted: bigint; skipped: bigint; continuesAt: bigint }[]
    }
    expect(next.reset.kind).toBe('latest')
    expect(next.partitions[0]).toEqual({ topic: 'events', partition: 0, deleted: logStart - 100n, skipped: 900n - logStart, continuesAt: 900n })
  })

  it('with auto.offset.reset=earliest nothing on disk is skipped', async () => {
    const result = await headless(cluster(), { group: 'gone', 'auto-offset-reset': 'earliest' }, { dryRun: true })
    const next = result.cells.find((c) => c.id === 'next-fetch')!.data as { partitions: { skipped: bigint }[] }
    expect(next.partitions[0]!.skipped).toBe(0n)
  })
})

describe('the ways out', () => {
  it('raises retention.ms to cover the backlog plus the margin, reads it back, and undo puts the inherited value back', async () => {
    const kafka = cluster()
    const result = await headless(kafka, { group: 'slow', 'way-out': 'raise-retention', margin: '30m', 'revert-watch': '0s' })
    expect(result).toMatchObject({ status: 'done', exitCode: 0 })
    expect(result.cells.find((c) => c.id === 'revert-retention')!.outcome).toBe('skipped')
    const raise = result.cells.find((c) => c.id === 'raise-retention')!
    expect(raise).toMatchObject({ outcome: 'applied', verified: true })
    const setting = await retentionOf(kafka)
    // Stopped group: its oldest unread segment must outlive now + 30 minutes.
    const value = Number(setting!.value)
    expect(value % 60_000).toBe(0)
    expect(value).toBeGreaterThanOrEqual(now + 1_800_000 - (t0 + 760_000))
    expect(value).toBeLessThan(now + 1_800_000 - (t0 + 700_000) + 60_000)
    kafka.enforceRetention(now + 600_000)
    expect((await kafka.listOffsets([{ topic: 'events', partition: 0, spec: 'earliest' }]))[0]!.offset!).toBeLessThanOrEqual(700n)
    const undone = await runUndo(
      undoOptions({
        runbook,
        io: scriptedIo([], { interactive: false }),
        kafka,
        sessionDir: result.sessionDir,
        clock,
      }),
    )
    expect(undone.exitCode).toBe(0)
    expect(await retentionOf(kafka)).toMatchObject({ value: '600000', source: 'dynamic-topic' })
  })

  it('puts the retention back in the run once the group has read what it kept, and closes the undo record', async () => {
    const kafka = cluster()
    // The group reads its backlog as soon as the retention is raised (its downstream came back).
    const alter = kafka.incrementalAlterConfigs.bind(kafka)
    kafka.incrementalAlterConfigs = async (changes, options) => {
      const answer = await alter(changes, options)
      if (!options?.validateOnly) kafka.commit('slow', 'events', 0, 900n)
      return answer
    }
    const io = scriptedIo([], { interactive: false })
    const result = await runRunbook(
      runbook,
      runOptions(io, kafka, { clock, given: given({ sample: '0s', group: 'slow', 'way-out': 'raise-retention' }), approvals: { yes: true, hashes: [] } }),
    )
    expect(result).toMatchObject({ status: 'done', exitCode: 0 })
    expect(result.cells.find((c) => c.id === 'watch-revert')!.outcome).toBe('done')
    expect(result.cells.find((c) => c.id === 'revert-retention')).toMatchObject({ outcome: 'applied', verified: true })
    expect(await retentionOf(kafka)).toMatchObject({ value: '600000', source: 'dynamic-topic' })
    expect(io.screen().replace(/\s+/g, ' ')).toMatch(/The restore deletes nothing at once/)
    const undone = await runUndo(undoOptions({ runbook, io: scriptedIo([], { interactive: false }), kafka, sessionDir: result.sessionDir, clock }))
    expect(undone.message).toMatch(/nothing to undo/)
  })

  it('runbook undo counts, before its confirmation, the unread records the restored retention deletes', async () => {
    let at = now
    const kafka = fakeCluster({ clock: () => at })
      .brokers(3)
      .topic('events', { partitions: 1, replicationFactor: 3, configs: { 'retention.ms': '600000', 'segment.ms': '60000' } })
      .records('events', 0, { count: 900, startMs: t0, stepMs: 1000 })
      .group('slow', { offsets: { 'events/0': 700n } })
      .group('done', { offsets: { 'events/0': 900n } })
      .build()
    kafka.enforceRetention(now)
    const result = await headless(kafka, { group: 'slow', 'way-out': 'raise-retention', 'revert-watch': '0s' }, { clock: () => at })
    expect(result).toMatchObject({ status: 'done', exitCode: 0 })
    // Four minutes on, the group has not moved: the old retention has expired a few more of its unread segments.
    at = now + 240_000
    const io = scriptedIo([], { interactive: false })
    const preview = await runUndo(undoOptions({ runbook, io, kafka, sessionDir: result.sessionDir, clock: () => at, dryRun: true }))
    expect(preview.exitCode).toBe(0)
    const text = io.screen().replace(/\s+/g, ' ')
    const counted = /DELETES UNREAD RECORDS: (\d+) not yet read by group slow/.exec(text)
    expect(counted, text).not.toBeNull()
    // What the fake's own retention then deletes at the old setting is exactly what the preview counted.
    const logStart = (await kafka.listOffsets([{ topic: 'events', partition: 0, spec: 'earliest' }]))[0]!.offset!
    await runUndo(undoOptions({ runbook, io: scriptedIo([], { interactive: false }), kafka, sessionDir: result.sessionDir, clock: () => at }))
    kafka.enforceRetention(at)
    const after = (await kafka.listOffsets([{ topic: 'events', partition: 0, spec: 'earliest' }]))[0]!.offset!
    expect(after).toBeGreaterThan(700n)
    expect(BigInt(counted![1]!)).toBe(after - 700n)
    expect(text).not.toMatch(/not yet read by group done/)
    expect(logStart).toBeLessThanOrEqual(700n)
  })

  it('moves a group below the log start to the log start', async () => {
    const kafka = cluster()
    const logStart = (await kafka.listOffsets([{ topic: 'events', partition: 0, spec: 'earliest' }]))[0]!.offset!
    const result = await headless(kafka, { group: 'gone', 'way-out': 'move-to-log-start' })
    expect(result).toMatchObject({ status: 'done', exitCode: 0 })
    expect((await kafka.committedOffsets('gone')).offsets[0]!.offset).toBe(logStart)
  })
})

describe('bad input: one line, nothing changed', () => {
  it.each([
    [{ group: 'nobody' }, /no consumer group "nobody"/],
    [{ group: 'slow', 'way-out': 'raise-retention', 'retention-ms': '5m' }, /not above the current retention.ms 600000/],
    [{ group: 'slow', 'way-out': 'raise-retention', 'retention-ms': '-5m' }, /retention-ms/],
  ])('%o', async (answers, message) => {
    const kafka = cluster()
    const result = await headless(kafka, answers)
    expect(result.exitCode).not.toBe(0)
    expect(result.message ?? JSON.stringify(result)).toMatch(message)
    expect(kafka.mutations).toEqual([])
  })
})
