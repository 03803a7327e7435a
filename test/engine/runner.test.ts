import { mkdtempSync, readFileSync, readdirSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runRunbook, type RunOptions } from '../../lib/engine/runner.ts'
import { readEvents, readUndo, verifyChain } from '../../lib/engine/session.ts'
import type { KafkaOps } from '../../lib/kafka/types.ts'
import { changeRetention, refusingConfigWrites, retentionCluster, retentionOf } from './retention-cluster.ts'
import { given, runOptions } from '../support/run-options.ts'
import { scriptedIo, type ScriptedIo } from '../../lib/testkit/index.ts'
import retention from './fixtures/topic-retention.ts'

const clock = () => Date.parse('2026-11-24T03:00:00Z')

const options = (io: ScriptedIo, kafka: KafkaOps, extra: Partial<RunOptions> = {}): RunOptions =>
  runOptions(io, kafka, { clock, cluster: { origin: 'test', clusterId: 'c1', kafkaLine: '4.3', elr: 'on' }, ...extra })

describe('interactive run', () => {
  it('asks for what it needs, applies after the typed confirmation, verifies and writes an undo record', async () => {
    const kafka = retentionCluster()
    const io = scriptedIo([
      { input: 'orders', message: /topic/ },
      { select: 'change' },
      { input: '1d', message: /how long/ },
      { type: 'orders' },
      { input: '' },
    ])
    const result = await runRunbook(retention, options(io, kafka))

    expect(result).toMatchObject({ status: 'done', exitCode: 0 })
    expect(await retentionOf(kafka)).toEqual({ value: '86400000', override: true })
    expect(kafka.mutations).toEqual(['incrementalAlterConfigs'])
    expect(io.remaining()).toBe(0)
    expect(io.screen()).toContain('Kafka 4 deletes whole segments')
    expect(io.screen()).toContain('Recommended: Change it — the disk is filling')
    const action = result.cells.find((c) => c.id === 'set-retention')!
    expect(action).toMatchObject({ outcome: 'applied', verified: true, summary: 'set retention.ms of orders to 86400000' })
    expect(result.cells.find((c) => c.id === 'notify')).toMatchObject({ outcome: 'skipped', reason: 'no notification command given' })

    const undo = readUndo<{ before: unknown }>(join(result.sessionDir, 'undo', 'set-retention.json'))
    expect(undo).toMatchObject({ status: 'applied', record: { topic: 'orders', before: { value: '604800000', override: false }, after: '86400000' } })
    expect(readFileSync(join(result.sessionDir, 'undo', 'set-retention.txt'), 'utf8')).toBe('orders inherited\n')
  })

  it('picks the explanation for the version in front of the operator', async () => {
    const kafka = retentionCluster(undefined, '3.9')
    const io = scriptedIo([{ select: 'leave' }, { input: '' }])
    await runRunbook(retention, options(io, kafka, { given: given({ topic: 'orders' }) }))
    expect(io.screen()).toContain('Kafka 3.9 deletes')
    expect(io.screen()).not.toContain('Kafka 4 deletes')
  })

  it('does not apply when the typed confirmation does not match', async () => {
    const kafka = retentionCluster('1000')
    const io = scriptedIo([{ type: 'order' }])
    const result = await runRunbook(retention, options(io, kafka, { given: given({ topic: 'orders', next: 'change', retention: '2s' }) }))
    expect(result).toMatchObject({ status: 'declined', exitCode: 2 })
    expect(kafka.mutations).toEqual([])
    expect(existsSync(join(result.sessionDir, 'undo', 'set-retention.json'))).toBe(false)
  })

  it('stops on drift between plan and apply, and applies a new plan when the operator asks for one', async () => {
    const kafka = retentionCluster('1000')
    const io = scriptedIo([{ type: 'orders' }, { confirm: true, message: /new plan/ }, { type: 'orders' }, { input: '' }])
    io.beforeNextPrompt(() => changeRetention(kafka, '5000'))
    const result = await runRunbook(retention, options(io, kafka, { given: given({ topic: 'orders', next: 'change', retention: '2s' }) }))
    expect(result.exitCode).toBe(0)
    expect(io.screen()).toMatch(/retention\.ms of orders\s+1000\s+5000/)
    const plans = readEvents(result.sessionDir).filter((e) => e.type === 'plan')
    expect(plans.map((p) => (p.type === 'plan' ? (p.plan as { before: { value: string } }).before.value : ''))).toEqual(['1000', '5000'])
    expect(readUndo<{ before: { value: string } }>(join(result.sessionDir, 'undo', 'set-retention.json')).record.before.value).toBe('5000')
  })

  it('exits 3 on drift when the operator does not re-plan', async () => {
    const kafka = retentionCluster('1000')
    const io = scriptedIo([{ type: 'orders' }, { confirm: false }])
    io.beforeNextPrompt(() => changeRetention(kafka, '5000'))
    const result = await runRunbook(retention, options(io, kafka, { given: given({ topic: 'orders', next: 'change', retention: '2s' }) }))
    expect(result).toMatchObject({ status: 'drifted', exitCode: 3 })
    expect(result.message).toContain('retention.ms of orders changed since the plan (1000 → 5000)')
    expect(kafka.mutations).toEqual(['incrementalAlterConfigs']) // the outside change, nothing of ours
    expect(await retentionOf(kafka)).toEqual({ value: '5000', override: true })
  })

  it('treats Ctrl-C at a prompt as a clean stop: nothing applied, transcript closed with an abort', async () => {
    const kafka = retentionCluster('1000')
    const io = scriptedIo([{ interrupt: true }])
    const result = await runRunbook(retention, options(io, kafka, { given: given({ topic: 'orders', next: 'change', retention: '2s' }) }))
    expect(result).toMatchObject({ status: 'interrupted', exitCode: 130 })
    expect(kafka.mutations).toEqual([])
    const types = readEvents(result.sessionDir).map((e) => e.type)
    expect(types.filter((t) => t === 'abort' || t === 'session-end')).toEqual(['abort', 'session-end'])
    expect(types.at(-1)).toBe('session-end')
    expect(readFileSync(join(result.sessionDir, 'notebook.md'), 'utf8')).toContain('Interrupted by the operator')
  })
})

describe('headless run', () => {
  const headless = () => scriptedIo([], { interactive: false })

  it('refuses a missing parameter with the flag to add, before changing anything', async () => {
    const kafka = retentionCluster()
    const result = await runRunbook(retention, options(headless(), kafka))
    expect(result).toMatchObject({ status: 'refused', exitCode: 2 })
    expect(result.message).toBe('missing --set topic=<string> (the topic to change); nothing changed')
  })

  it('uses the decision’s headless default only for a choice that changes nothing', async () => {
    const kafka = retentionCluster('1000')
    const result = await runRunbook(retention, options(headless(), kafka, { given: given({ topic: 'orders' }) }))
    expect(result.exitCode).toBe(0)
    expect(result.cells.find((c) => c.id === 'next')?.decision).toBe('leave')
    expect(kafka.mutations).toEqual([])
  })

  it('needs --yes or an approved hash to apply, and says which hash', async () => {
    const kafka = retentionCluster('1000')
    const result = await runRunbook(retention, options(headless(), kafka, { given: given({ topic: 'orders', next: 'change', retention: '1h' }) }))
    expect(result).toMatchObject({ status: 'refused', exitCode: 2 })
    const hash = result.cells.find((c) => c.id === 'set-retention')!.planHash!
    expect(result.message).toContain(`--approve set-retention=${hash}`)
    expect(kafka.mutations).toEqual([])
  })

  it('applies exactly the approved plan, and refuses (exit 3) a plan whose hash changed', async () => {
    const kafka = retentionCluster('1000')
    const answers = given({ topic: 'orders', next: 'change', retention: '1h' })
    const sessionsDir = mkdtempSync(join(tmpdir(), 'approve-'))
    const dry = await runRunbook(retention, options(headless(), kafka, { given: answers, dryRun: true, sessionsDir }))
    expect(dry).toMatchObject({ status: 'dry-run', exitCode: 0 })
    const hash = dry.cells.find((c) => c.id === 'set-retention')!.planHash!
    expect(kafka.mutations).toEqual([])

    await changeRetention(kafka, '2000')
    const stale = await runRunbook(
      retention,
      options(headless(), kafka, { given: answers, approvals: { yes: false, hashes: [`set-retention=${hash}`] }, sessionsDir }),
    )
    expect(stale).toMatchObject({ status: 'drifted', exitCode: 3 })
    expect(stale.message).toContain(`dry run ${dry.sessionId} is not the plan now`)
    expect(stale.message).toContain('before.value: 1000 → 2000')
    expect(await retentionOf(kafka)).toEqual({ value: '2000', override: true })

    await changeRetention(kafka, '1000')
    const approved = await runRunbook(retention, options(headless(), kafka, { given: answers, approvals: { yes: false, hashes: [hash] }, sessionsDir }))
    expect(approved).toMatchObject({ status: 'done', exitCode: 0 })
    expect(await retentionOf(kafka)).toEqual({ value: '3600000', override: true })
  })

  it('runs a shell command only when approved, and never in a dry run', async () => {
    const kafka = retentionCluster()
    const marker = join(mkdtempSync(join(tmpdir(), 'shell-')), 'ran')
    const answers = given({ topic: 'orders', 'notify-command': `echo notified > ${marker}` })
    const dry = await runRunbook(retention, options(headless(), kafka, { given: answers, dryRun: true }))
    expect(dry.cells.find((c) => c.id === 'notify')?.outcome).toBe('not-run')
    expect(existsSync(marker)).toBe(false)

    const unapproved = await runRunbook(retention, options(headless(), kafka, { given: answers }))
    expect(unapproved.exitCode).toBe(2)
    expect(existsSync(marker)).toBe(false)

    const approved = await runRunbook(retention, options(headless(), kafka, { given: answers, approvals: { yes: true, hashes: [] } }))
    expect(approved.exitCode).toBe(0)
    expect(readFileSync(marker, 'utf8')).toBe('notified\n')
    const shell = readEvents(approved.sessionDir).find((e) => e.type === 'shell')
    expect(shell).toMatchObject({ exitCode: 0, command: `echo notified > ${marker}` })
  })

  it('keeps a bounded tail of a command’s output (the last 40 lines), stdout and stderr as they came', async () => {
    const kafka = retentionCluster()
    const answers = given({ topic: 'orders', 'notify-command': 'seq 1 5000; echo done >&2' })
    const result = await runRunbook(retention, options(headless(), kafka, { given: answers, approvals: { yes: true, hashes: [] } }))
    expect(result.exitCode).toBe(0)
    const shell = readEvents(result.sessionDir).find((e) => e.type === 'shell') as unknown as { stdout: string }
    const lines = shell.stdout.trimEnd().split('\n')
    expect(lines.length).toBeLessThanOrEqual(40)
    expect(lines.slice(-2)).toEqual(['5000', 'done'])
    expect(lines[0]).toBe(String(5000 - lines.length + 2))
  })

  it('reports a partial failure with exit 1 and no undo record when nothing was applied', async () => {
    const kafka = refusingConfigWrites(retentionCluster('1000'))
    const result = await runRunbook(
      retention,
      options(headless(), kafka, { given: given({ topic: 'orders', next: 'change', retention: '1h' }), approvals: { yes: true, hashes: [] } }),
    )
    expect(result).toMatchObject({ status: 'failed', exitCode: 1 })
    expect(result.message).toContain('Not authorized to access topics: [orders]')
    expect(readUndo(join(result.sessionDir, 'undo', 'set-retention.json')).status).toBe('nothing-applied')
  })

  it('refuses a query’s bad input with its one line', async () => {
    const kafka = retentionCluster()
    const result = await runRunbook(retention, options(headless(), kafka, { given: given({ topic: 'missing' }) }))
    expect(result).toMatchObject({ status: 'refused', exitCode: 2, message: 'topic missing does not exist — check the name; nothing changed' })
  })

  it('refuses an invalid value and an unknown name', async () => {
    const kafka = retentionCluster()
    const bad = await runRunbook(retention, options(headless(), kafka, { given: given({ topic: 'orders', next: 'change', retention: 'soon' }) }))
    expect(bad).toMatchObject({ exitCode: 2 })
    expect(bad.message).toContain('retention: "soon" is not a duration')
    await expect(runRunbook(retention, options(headless(), kafka, { given: given({ topic: 'orders', retension: '1h' }) }))).rejects.toThrow(
      'topic-retention has no parameter or decision "retension" — known: next, notify-command, password, retention, topic',
    )
  })
})

describe('transcript', () => {
  it('is a hash-chained JSONL log and a Markdown notebook, without secrets', async () => {
    const kafka = retentionCluster('1000')
    const secret = 's3cr3t-pass'
    const io = scriptedIo([{ type: 'orders' }, { input: '' }])
    const result = await runRunbook(
      retention,
      options(io, kafka, {
        given: given({ topic: 'orders', next: 'change', retention: '1h', password: secret }),
        args: ['run', 'topic-retention', '--set', `password=${secret}`, '--command-config', 'client.properties'],
        secrets: [secret],
      }),
    )
    expect(result.exitCode).toBe(0)
    const events = readEvents(result.sessionDir)
    expect(verifyChain(events)).toBeNull()
    expect(events.map((e) => e.type)).toEqual(
      expect.arrayContaining([
        'session-start',
        'param',
        'cell-start',
        'output',
        'query-result',
        'decision',
        'plan',
        'confirmation',
        'recheck',
        'undo-record',
        'apply',
        'verify',
        'cell-end',
        'session-end',
      ]),
    )
    expect(events[0]).toMatchObject({ type: 'session-start', operator: 'alice', runbook: 'topic-retention', mode: 'interactive' })
    expect(events.find((e) => e.type === 'confirmation')).toMatchObject({ method: 'typed', accepted: true, expected: 'orders' })

    const files = readdirSync(result.sessionDir).map((f) => join(result.sessionDir, f))
    for (const file of [...files.filter((f) => f.endsWith('.jsonl') || f.endsWith('.md')), join(result.sessionDir, 'undo', 'set-retention.json')]) {
      expect(readFileSync(file, 'utf8')).not.toContain(secret)
    }
    const notebook = readFileSync(join(result.sessionDir, 'notebook.md'), 'utf8')
    expect(notebook).toContain('# Shorten a topic’s retention')
    expect(notebook).toContain('## 4. Set retention.ms')
    expect(notebook).toMatch(/\| orders \| 1000 \| 3600000 \|/)
    expect(notebook).toContain('**Done** (exit 0)')
  })

  it('detects a tampered line', async () => {
    const kafka = retentionCluster()
    const result = await runRunbook(retention, options(scriptedIo([], { interactive: false }), kafka, { given: given({ topic: 'orders' }) }))
    const events = readEvents(result.sessionDir)
    const tampered = events.map((e) => (e.type === 'decision' ? { ...e, chosen: 'change' } : e))
    expect(verifyChain(tampered)).toBe(events.find((e) => e.type === 'decision')!.seq)
  })
})

describe('parameters a step requires', () => {
  it('asks an optional parameter as required when the step needs it, and refuses it missing headless', async () => {
    const { notebook } = await import('../../lib/engine/runbook.ts')
    const { param } = await import('../../lib/engine/params.ts')
    const nb = notebook<Record<string, never>>()({ at: param.duration({ help: 'how far back', optional: true }) })
    const runbook = nb.runbook({
      id: 'needs-at',
      title: 'Needs at',
      summary: 's',
      whenToUse: 'w',
      cells: [
        nb.query({ id: 'q', title: 'Q', doc: 'd', run: async (ctx) => [{ kind: 'markdown', text: `back ${await ctx.param('at', { required: true })} ms` }] }),
      ],
    })
    const io = scriptedIo([{ input: '2m', message: /^how far back$/ }])
    const guided = await runRunbook(runbook, options(io, retentionCluster()))
    expect(guided.exitCode).toBe(0)
    expect(io.screen()).toContain('back 120000 ms')
    const headless = await runRunbook(runbook, options(scriptedIo([], { interactive: false }), retentionCluster()))
    expect(headless).toMatchObject({ exitCode: 2, message: 'missing --set at=<duration> (how far back); nothing changed' })
  })
})
