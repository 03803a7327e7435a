import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runRunbook } from '../../lib/engine/runner.ts'
import { readEvents, readUndo } from '../../lib/engine/session.ts'
import { runUndo, type UndoOptions } from '../../lib/engine/undo.ts'
import { configCluster, type ConfigCluster } from '../support/config-cluster.ts'
import { scriptedIo, type ScriptedIo } from '../support/scripted-io.ts'
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

async function appliedSession(kafka: ConfigCluster, sessionsDir: string) {
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

function undoOptions(io: ScriptedIo, kafka: ConfigCluster, sessionDir: string, sessionsDir: string, extra: Partial<UndoOptions> = {}): UndoOptions {
  return { ...base, io, kafka, sessionDir, sessionsDir, findRunbook: (id) => (id === retention.id ? retention : undefined), approvals: { yes: false, hashes: [] }, ...extra }
}

describe('runbook undo', () => {
  it('restores the previous value after re-checking and confirming, then has nothing left to undo', async () => {
    const kafka = configCluster({ orders: { 'retention.ms': '604800000', 'cleanup.policy': 'compact' } })
    const sessionsDir = mkdtempSync(join(tmpdir(), 'undo-'))
    const original = await appliedSession(kafka, sessionsDir)
    expect(kafka.topics.get('orders')!.get('retention.ms')).toBe('3600000')

    const io = scriptedIo([{ confirm: true, message: /Restore orders/ }])
    const result = await runUndo(undoOptions(io, kafka, original, sessionsDir))
    expect(result).toMatchObject({ status: 'done', exitCode: 0 })
    expect(kafka.topics.get('orders')).toEqual(new Map([['retention.ms', '604800000'], ['cleanup.policy', 'compact']]))
    expect(io.screen()).toContain('restore retention.ms of orders to 604800000')
    expect(readUndo(join(original, 'undo', 'set-retention.json')).status).toBe('undone')
    expect(readEvents(original).at(-1)).toMatchObject({ type: 'undone', cell: 'set-retention', bySession: result.sessionId })
    expect(readEvents(result.sessionDir)[0]).toMatchObject({ type: 'session-start', undoOf: original.split('/').at(-1) })

    const again = await runUndo(undoOptions(scriptedIo([]), kafka, original, sessionsDir))
    expect(again).toMatchObject({ status: 'refused', exitCode: 2 })
    expect(again.message).toContain('has nothing to undo')
  })

  it('refuses to restore over a change someone made after the session (exit 3)', async () => {
    const kafka = configCluster({ orders: { 'retention.ms': '1000' } })
    const sessionsDir = mkdtempSync(join(tmpdir(), 'undo-'))
    const original = await appliedSession(kafka, sessionsDir)
    kafka.topics.get('orders')!.set('retention.ms', '7200000')
    const result = await runUndo(undoOptions(scriptedIo([]), kafka, original, sessionsDir))
    expect(result).toMatchObject({ status: 'drifted', exitCode: 3 })
    expect(kafka.topics.get('orders')!.get('retention.ms')).toBe('7200000')
    expect(readUndo(join(original, 'undo', 'set-retention.json')).status).toBe('applied')
  })

  it('needs approval headless, and a dry run restores nothing', async () => {
    const kafka = configCluster({ orders: { 'retention.ms': '1000' } })
    const sessionsDir = mkdtempSync(join(tmpdir(), 'undo-'))
    const original = await appliedSession(kafka, sessionsDir)
    const headless = () => scriptedIo([], { interactive: false })
    expect((await runUndo(undoOptions(headless(), kafka, original, sessionsDir))).exitCode).toBe(2)
    expect((await runUndo(undoOptions(headless(), kafka, original, sessionsDir, { dryRun: true }))).status).toBe('dry-run')
    expect(kafka.topics.get('orders')!.get('retention.ms')).toBe('3600000')
    const done = await runUndo(undoOptions(headless(), kafka, original, sessionsDir, { approvals: { yes: true, hashes: [] } }))
    expect(done.exitCode).toBe(0)
    expect(kafka.topics.get('orders')!.get('retention.ms')).toBe('1000')
  })
})
