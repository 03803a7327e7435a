// An action that takes back an earlier action of the same run (`reverts`): once it is applied and verified,
// the earlier action's undo record is closed, so `runbook undo` finds nothing left to restore.

import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { notice } from '../../lib/engine/blocks.ts'
import { runRunbook } from '../../lib/engine/runner.ts'
import { type AnyRunbook, validateRunbook } from '../../lib/engine/runbook.ts'
import { readEvents, readUndo } from '../../lib/engine/session.ts'
import { runUndo } from '../../lib/engine/undo.ts'
import type { KafkaOps } from '../../lib/kafka/types.ts'
import { retentionCluster, retentionOf } from './retention-cluster.ts'
import { scriptedIo } from '../../lib/testkit/index.ts'
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

/** The retention fixture plus a cell that sets retention.ms back, in the same run. */
function withRevert(verified: boolean): AnyRunbook {
  return {
    ...retention,
    cells: [
      ...retention.cells.filter((c) => c.id !== 'notify'),
      {
        kind: 'action',
        id: 'restore-retention',
        title: 'Set retention.ms back',
        doc: 'Takes the change back in the same run.',
        reverts: 'set-retention',
        plan: async () => ({ topic: 'orders', value: '604800000' }),
        preview: () => [notice('info', 'restore')],
        summary: () => 'restore retention.ms of orders',
        confirm: () => ({ kind: 'yes-no', prompt: 'Restore?' }),
        recheck: async () => [],
        async apply(ctx: { kafka: KafkaOps }, plan: { topic: string; value: string }) {
          await ctx.kafka.incrementalAlterConfigs(
            [{ resource: { type: 'topic', name: plan.topic }, ops: [{ name: 'retention.ms', op: 'set', value: plan.value }] }],
            { validateOnly: false },
          )
          return { blocks: [], applied: [plan.topic], failed: [] }
        },
        verify: async () => ({ ok: verified, blocks: [] }),
      },
    ],
  } as unknown as AnyRunbook
}

async function run(runbook: AnyRunbook, kafka: KafkaOps, sessionsDir: string) {
  return runRunbook(runbook, {
    ...base,
    io: scriptedIo([], { interactive: false }),
    kafka,
    sessionsDir,
    given: new Map(Object.entries({ topic: 'orders', next: 'change', retention: '1h' }).map(([k, v]) => [k, { text: v, source: 'flag' as const }])),
    approvals: { yes: true, hashes: [] },
  })
}

describe('an action that reverts an earlier one', () => {
  it('closes the earlier undo record once applied and verified: runbook undo has nothing left', async () => {
    const kafka = retentionCluster('604800000')
    const sessionsDir = mkdtempSync(join(tmpdir(), 'reverts-'))
    const result = await run(withRevert(true), kafka, sessionsDir)
    expect(result).toMatchObject({ status: 'done', exitCode: 0 })
    expect(await retentionOf(kafka)).toEqual({ value: '604800000', override: true })
    expect(readUndo(join(result.sessionDir, 'undo', 'set-retention.json')).status).toBe('undone')
    expect(readEvents(result.sessionDir).filter((e) => e.type === 'undone')).toEqual([
      expect.objectContaining({ cell: 'set-retention', bySession: result.sessionId }),
    ])
    const undo = await runUndo({
      ...base,
      io: scriptedIo([]),
      kafka,
      sessionDir: result.sessionDir,
      sessionsDir,
      findRunbook: () => withRevert(true),
      approvals: { yes: true, hashes: [] },
    })
    expect(undo).toMatchObject({ status: 'refused', exitCode: 2 })
    expect(undo.message).toContain('has nothing to undo')
  })

  it('leaves the earlier undo record open when the revert does not verify', async () => {
    const kafka = retentionCluster('604800000')
    const result = await run(withRevert(false), kafka, mkdtempSync(join(tmpdir(), 'reverts-')))
    expect(result).toMatchObject({ status: 'failed', exitCode: 1 })
    expect(readUndo(join(result.sessionDir, 'undo', 'set-retention.json')).status).toBe('applied')
  })

  it('is checked: it must name an earlier action that has an undo', () => {
    const broken = withRevert(true)
    const reordered = { ...broken, cells: [broken.cells.at(-1)!, ...broken.cells.slice(0, -1)] }
    expect(validateRunbook(reordered)).toContain('action "restore-retention" reverts "set-retention", which is not an earlier action with an undo')
    expect(validateRunbook(broken)).toEqual([])
  })
})
