import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runRunbook } from '../../lib/engine/runner.ts'
import { readEvents, readUndo } from '../../lib/engine/session.ts'
import { runUndo, type UndoOptions } from '../../lib/engine/undo.ts'
import type { FakeKafka } from '../../lib/kafka/fake/index.ts'
import { changeRetention, retentionCluster, retentionOf } from './retention-cluster.ts'
import { scriptedIo, type ScriptedIo } from '../../lib/testkit/index.ts'
import retention from './fixtures/topic-retention.ts'

const base = {
  operator: 'bob',
  host: 'laptop',
  cluster: { origin: 'test' },
  args: [],
  secrets: [],
  toolVersion: 'test',
  signal: new AbortController().signal,
  dryRun: false,
}

async function appliedSession(kafka: FakeKafka, sessionsDir: string) {
  const result = await runRunbook(retention, {
    ...base,
    io: scriptedIo([], { interactive: false }),
    kafka,
    sessionsDir,
    given: new Map(Object.entries({ topic: 'orders', next: 'change', retention: '1h' }).map(([k, v]) => [k, { text: v, source: 'flag' as const }])),
    approvals: { yes: true, hashes: [] },
  })
  expect(result.exitCode).toBe(0)
  return result.sessionDir
}

function undoOptions(io: ScriptedIo, kafka: FakeKafka, sessionDir: string, sessionsDir: string, extra: Partial<UndoOptions> = {}): UndoOptions {
  return {
    ...base,
    io,
    kafka,
    sessionDir,
    sessionsDir,
    findRunbook: (id) => (id === retention.id ? retention : undefined),
    approvals: { yes: false, hashes: [] },
    ...extra,
  }
}

describe('runbook undo', () => {
  it('restores the previous value after re-checking and confirming, then has nothing left to undo', async () => {
    const kafka = retentionCluster()
    const sessionsDir = mkdtempSync(join(tmpdir(), 'undo-'))
    const original = await appliedSession(kafka, sessionsDir)
    expect(await retentionOf(kafka)).toEqual({ value: '3600000', override: true })

    const io = scriptedIo([{ confirm: true, message: /Restore orders/ }])
    const result = await runUndo(undoOptions(io, kafka, original, sessionsDir))
    expect(result).toMatchObject({ status: 'done', exitCode: 0 })
    // The topic inherited retention.ms before: the undo removes the override instead of pinning the old value.
    expect(await retentionOf(kafka)).toEqual({ value: '604800000', override: false })
    expect(io.screen()).toContain('restore retention.ms of orders to the inherited value')
    expect(readUndo(join(original, 'undo', 'set-retention.json')).status).toBe('undone')
    expect(readEvents(original).at(-1)).toMatchObject({ type: 'undone', cell: 'set-retention', bySession: result.sessionId })
    expect(readEvents(result.sessionDir)[0]).toMatchObject({ type: 'session-start', undoOf: original.split('/').at(-1) })

    const again = await runUndo(undoOptions(scriptedIo([]), kafka, original, sessionsDir))
    expect(again).toMatchObject({ status: 'refused', exitCode: 2 })
    expect(again.message).toContain('has nothing to undo')
  })

  it('refuses to restore over a change someone made after the session (exit 3)', async () => {
    const kafka = retentionCluster('1000')
    const sessionsDir = mkdtempSync(join(tmpdir(), 'undo-'))
    const original = await appliedSession(kafka, sessionsDir)
    await changeRetention(kafka, '7200000')
    const result = await runUndo(undoOptions(scriptedIo([]), kafka, original, sessionsDir))
    expect(result).toMatchObject({ status: 'drifted', exitCode: 3 })
    expect(await retentionOf(kafka)).toEqual({ value: '7200000', override: true })
    expect(readUndo(join(original, 'undo', 'set-retention.json')).status).toBe('applied')
  })

  it('needs approval headless, and a dry run restores nothing', async () => {
    const kafka = retentionCluster('1000')
    const sessionsDir = mkdtempSync(join(tmpdir(), 'undo-'))
    const original = await appliedSession(kafka, sessionsDir)
    const headless = () => scriptedIo([], { interactive: false })
    expect((await runUndo(undoOptions(headless(), kafka, original, sessionsDir))).exitCode).toBe(2)
    expect((await runUndo(undoOptions(headless(), kafka, original, sessionsDir, { dryRun: true }))).status).toBe('dry-run')
    expect(await retentionOf(kafka)).toEqual({ value: '3600000', override: true })
    const done = await runUndo(undoOptions(headless(), kafka, original, sessionsDir, { approvals: { yes: true, hashes: [] } }))
    expect(done.exitCode).toBe(0)
    expect(await retentionOf(kafka)).toEqual({ value: '1000', override: true })
  })
})
