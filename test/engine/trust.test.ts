// The trust boundaries of a session, on the in-memory cluster: a change lands only on the cluster that was named
// (undo and approvals compare cluster ids), an approval is never silently ignored, and a record that was altered
// after it was written — any file of the session folder — is found out before anything trusts it.

import { appendFileSync, copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { planHash } from '../../lib/engine/canonical-json.ts'
import { param } from '../../lib/engine/params.ts'
import { runRunbook, type RunOptions } from '../../lib/engine/runner.ts'
import { readEvents } from '../../lib/engine/session.ts'
import { runUndo } from '../../lib/engine/undo.ts'
import { checkSession, recordState } from '../../lib/engine/verify-session.ts'
import { fakeCluster, type FakeKafka } from '../../lib/kafka/fake/index.ts'
import { scriptedIo } from '../../lib/testkit/index.ts'
import { given, runOptions } from '../support/run-options.ts'
import retention from './fixtures/topic-retention.ts'
import { changeRetention, retentionOf } from './retention-cluster.ts'

/** One broker and topic `orders`, formatted with the given cluster id. */
const cluster = (clusterId: string, retentionMs = '1000'): FakeKafka =>
  fakeCluster({ kafka: '4.3', clusterId })
    .brokers(1)
    .topic('orders', { partitions: 1, replicationFactor: 1, configs: { 'cleanup.policy': 'delete', 'retention.ms': retentionMs } })
    .build()

const answers = given({ topic: 'orders', next: 'change', retention: '1h' })
const headless = () => scriptedIo([], { interactive: false })
const run = (kafka: FakeKafka, sessionsDir: string, extra: Partial<RunOptions> = {}) =>
  runRunbook(retention, runOptions(headless(), kafka, { given: answers, sessionsDir, ...extra }))
const undo = (kafka: FakeKafka, sessionDir: string, sessionsDir: string, approvals = { yes: true, hashes: [] as string[] }) =>
  runUndo({ ...runOptions(headless(), kafka, { sessionsDir, approvals }), sessionDir, findRunbook: () => retention })

async function appliedOn(kafka: FakeKafka) {
  const sessionsDir = mkdtempSync(join(tmpdir(), 'trust-'))
  const applied = await run(kafka, sessionsDir, { approvals: { yes: true, hashes: [] } })
  expect(applied.exitCode).toBe(0)
  return { sessionsDir, dir: applied.sessionDir, id: applied.sessionId }
}

describe('cluster identity', () => {
  it('records the cluster the run acted on, as the cluster reports itself, and hashes its id into every plan', async () => {
    const prod = cluster('prod-id-AAAA')
    const sessionsDir = mkdtempSync(join(tmpdir(), 'trust-'))
    const io = headless()
    const dry = await runRunbook(
      retention,
      runOptions(io, prod, {
        given: answers,
        sessionsDir,
        dryRun: true,
        cluster: { origin: '--profile', name: 'prod-eu', profile: 'prod-eu', clusterId: 'claimed' },
      }),
    )
    expect(readEvents(dry.sessionDir)[0]).toMatchObject({ type: 'session-start', cluster: { name: 'prod-eu', profile: 'prod-eu', clusterId: 'prod-id-AAAA' } })
    expect(io.screen()).toContain('cluster prod-eu · id prod-id-AAAA · Kafka 4.3 · ELR on')
    const plan = dry.cells.find((c) => c.id === 'set-retention')!
    expect(plan.planHash).toBe(planHash('topic-retention', 'set-retention', plan.plan, 'prod-id-AAAA'))
    expect(plan.planHash).not.toBe(planHash('topic-retention', 'set-retention', plan.plan, 'stage-id-BBBB'))
  })

  it('undo refuses, naming both ids, on a cluster other than the one the session changed — and leaves the session undoable there', async () => {
    const prod = cluster('prod-id-AAAA')
    const { sessionsDir, dir, id } = await appliedOn(prod)
    const twin = cluster('twin-id-BBBB', '3600000') // same topic, same value: only the id tells them apart
    const refused = await undo(twin, dir, sessionsDir)
    expect(refused).toMatchObject({ status: 'refused', exitCode: 2 })
    expect(refused.message).toBe(
      `session ${id} changed cluster test (id prod-id-AAAA), but this is cluster test (id twin-id-BBBB) — connect to the cluster the session changed (the cluster it names); nothing restored`,
    )
    expect(twin.mutations).toEqual([])
    expect(await undo(prod, dir, sessionsDir)).toMatchObject({ status: 'done', exitCode: 0 })
    expect(await retentionOf(prod)).toEqual({ value: '1000', override: true })
  })

  it('an approval reviewed on another cluster is refused before any step runs, naming both ids', async () => {
    const sessionsDir = mkdtempSync(join(tmpdir(), 'trust-'))
    const stage = cluster('stage-id-BBBB')
    const dry = await run(stage, sessionsDir, { dryRun: true, cluster: { origin: '--profile', name: 'stage' } })
    const hash = dry.cells.find((c) => c.id === 'set-retention')!.planHash!
    const prod = cluster('prod-id-AAAA')
    const result = await run(prod, sessionsDir, {
      approvals: { yes: false, hashes: [`set-retention=${hash}`] },
      cluster: { origin: '--profile', name: 'prod-eu' },
    })
    expect(result).toMatchObject({ status: 'refused', exitCode: 2 })
    expect(result.message).toBe(
      `--approve set-retention=${hash}: that plan was reviewed on cluster stage (id stage-id-BBBB, session ${dry.sessionId}), but this is cluster prod-eu (id prod-id-AAAA) — review and approve a plan made on this cluster; nothing changed`,
    )
    expect(result.cells).toEqual([])
    expect(prod.mutations).toEqual([])
  })
})

describe('approvals are never silently ignored', () => {
  it.each([
    ['deadbeef', 'set-retention=deadbeef', 'not the hash of any reviewed plan — a plan hash is the 16 hex digits a --dry-run prints after "Plan"'],
    [
      'a cell the runbook does not have',
      'rewind=0123456789abcdef',
      'topic-retention has no step "rewind" that needs approval — its steps are set-retention, notify',
    ],
    ['an empty cell', '=0123456789abcdef', 'expected <cell>=<hash> (or a bare <hash>), as a --dry-run prints it'],
  ])('refuses %s before any step runs', async (_name, approve, message) => {
    const kafka = cluster('prod-id-AAAA')
    const result = await run(kafka, mkdtempSync(join(tmpdir(), 'trust-')), { approvals: { yes: false, hashes: [approve] } })
    expect(result).toMatchObject({ status: 'refused', exitCode: 2 })
    expect(result.message).toBe(`--approve ${approve}: ${message}; nothing changed`)
    expect(result.cells).toEqual([])
    expect(kafka.mutations).toEqual([])
  })

  it('a well-formed hash no session recorded, for a plan that is another, is mistyped (exit 2), not drift', async () => {
    const kafka = cluster('prod-id-AAAA')
    const result = await run(kafka, mkdtempSync(join(tmpdir(), 'trust-')), { approvals: { yes: false, hashes: ['set-retention=0123456789abcdef'] } })
    expect(result).toMatchObject({ status: 'refused', exitCode: 2 })
    expect(result.message).toMatch(/^--approve set-retention=0123456789abcdef: not the hash of any reviewed plan \(no session in .* recorded it/)
    expect(kafka.mutations).toEqual([])
  })

  it('the hash of another step is refused up front', async () => {
    const kafka = cluster('prod-id-AAAA')
    const sessionsDir = mkdtempSync(join(tmpdir(), 'trust-'))
    const dry = await run(kafka, sessionsDir, { dryRun: true, given: given({ topic: 'orders', next: 'change', retention: '1h', 'notify-command': 'true' }) })
    const notifyHash = dry.cells.find((c) => c.id === 'notify')!.planHash!
    const result = await run(kafka, sessionsDir, { approvals: { yes: false, hashes: [`set-retention=${notifyHash}`] } })
    expect(result.message).toBe(
      `--approve set-retention=${notifyHash}: that is the hash of step "notify" of topic-retention (session ${dry.sessionId}), not of step "set-retention" of topic-retention; nothing changed`,
    )
  })

  it('a reviewed plan the cluster no longer gives is drift (exit 3), naming the dry run and what changed', async () => {
    const kafka = cluster('prod-id-AAAA')
    const sessionsDir = mkdtempSync(join(tmpdir(), 'trust-'))
    const dry = await run(kafka, sessionsDir, { dryRun: true })
    const hash = dry.cells.find((c) => c.id === 'set-retention')!.planHash!
    await changeRetention(kafka, '2000')
    const result = await run(kafka, sessionsDir, { approvals: { yes: false, hashes: [`set-retention=${hash}`] } })
    expect(result).toMatchObject({ status: 'drifted', exitCode: 3 })
    expect(result.message).toMatch(
      new RegExp(
        `^--approve set-retention=${hash}: the plan reviewed in dry run ${dry.sessionId} is not the plan now \\([0-9a-f]{16}\\): before.value: 1000 → 2000`,
      ),
    )
  })

  it('…also when the run now finds nothing to do (the topic is gone: the plan refuses)', async () => {
    const kafka = cluster('prod-id-AAAA')
    const sessionsDir = mkdtempSync(join(tmpdir(), 'trust-'))
    const dry = await run(kafka, sessionsDir, { dryRun: true })
    const hash = dry.cells.find((c) => c.id === 'set-retention')!.planHash!
    await kafka.deleteTopics(['orders'])
    const result = await run(kafka, sessionsDir, { approvals: { yes: false, hashes: [hash] } })
    expect(result).toMatchObject({ status: 'drifted', exitCode: 3 })
    expect(result.message).toContain(
      `--approve ${hash}: the plan reviewed in dry run ${dry.sessionId} was not made — it stops with: topic orders does not exist`,
    )
  })

  it('…also when a topic named in the answers is gone: the engine’s check of the name is drift then, not bad input', async () => {
    const checked = { ...retention, params: { ...retention.params, topic: param.topic({ help: 'the topic to change' }) } }
    const kafka = cluster('prod-id-AAAA')
    const sessionsDir = mkdtempSync(join(tmpdir(), 'trust-'))
    const runChecked = (extra: Partial<RunOptions>) => runRunbook(checked, runOptions(headless(), kafka, { given: answers, sessionsDir, ...extra }))
    const dry = await runChecked({ dryRun: true })
    const hash = dry.cells.find((c) => c.id === 'set-retention')!.planHash!
    await kafka.deleteTopics(['orders'])
    const result = await runChecked({ approvals: { yes: false, hashes: [`set-retention=${hash}`] } })
    expect(result).toMatchObject({ status: 'drifted', exitCode: 3 })
    expect(result.message).toContain(`the plan reviewed in dry run ${dry.sessionId} was not made — it stops with: topic orders does not exist on this cluster`)
    const unapproved = await runChecked({ approvals: { yes: true, hashes: [] } })
    expect(unapproved).toMatchObject({ status: 'refused', exitCode: 2 })
  })

  it('a reviewed plan with other answers is not this run’s plan (exit 2), and says which answers differ', async () => {
    const kafka = cluster('prod-id-AAAA')
    const sessionsDir = mkdtempSync(join(tmpdir(), 'trust-'))
    const dry = await run(kafka, sessionsDir, { dryRun: true })
    const hash = dry.cells.find((c) => c.id === 'set-retention')!.planHash!
    const changed = await run(kafka, sessionsDir, {
      approvals: { yes: false, hashes: [hash] },
      given: given({ topic: 'orders', next: 'change', retention: '2h' }),
    })
    expect(changed).toMatchObject({ status: 'refused', exitCode: 2 })
    expect(changed.message).toContain('was made with other answers (retention: 1h → 2h)')
    const skipped = await run(kafka, sessionsDir, {
      approvals: { yes: false, hashes: [hash] },
      given: given({ topic: 'orders', next: 'leave', retention: '1h' }),
    })
    expect(skipped).toMatchObject({ status: 'refused', exitCode: 2 })
    expect(skipped.message).toContain('was made with other answers (next: change → leave), and this run did not make it')
    expect(kafka.mutations).toEqual([])
  })

  it('a dry run with --approve says whether the approval would apply', async () => {
    const kafka = cluster('prod-id-AAAA')
    const sessionsDir = mkdtempSync(join(tmpdir(), 'trust-'))
    const dry = await run(kafka, sessionsDir, { dryRun: true })
    const hash = dry.cells.find((c) => c.id === 'set-retention')!.planHash!
    const io = headless()
    const again = await runRunbook(retention, runOptions(io, kafka, { given: answers, sessionsDir, dryRun: true, approvals: { yes: false, hashes: [hash] } }))
    expect(again).toMatchObject({ status: 'dry-run', exitCode: 0 })
    expect(io.screen()).toContain(`This plan is the one approved (${hash})`)
  })
})

describe('a record altered after it was written', () => {
  const tamperings: { name: string; alter: (dir: string) => void; state: RegExp; problem: RegExp }[] = [
    {
      name: 'one byte of a transcript line changed',
      alter: (dir) => {
        const path = join(dir, 'events.jsonl')
        writeFileSync(path, readFileSync(path, 'utf8').replace('"retention.ms now"', '"retention.ms nOw"'))
      },
      state: /^broken at event \d+$/,
      problem: /the transcript does not verify at event \d+ — event \d+: its content does not match its hash: it was edited/,
    },
    {
      name: 'two transcript lines swapped',
      alter: (dir) => {
        const path = join(dir, 'events.jsonl')
        const lines = readFileSync(path, 'utf8').split('\n')
        ;[lines[3], lines[4]] = [lines[4]!, lines[3]!]
        writeFileSync(path, lines.join('\n'))
      },
      state: /^broken at event 4$/,
      problem: /event 4 carries sequence number 5: events were removed, added or reordered/,
    },
    {
      name: 'a transcript line removed in the middle',
      alter: (dir) => {
        const path = join(dir, 'events.jsonl')
        const lines = readFileSync(path, 'utf8').split('\n')
        lines.splice(5, 1)
        writeFileSync(path, lines.join('\n'))
      },
      state: /^broken at event 6$/,
      problem: /events were removed, added or reordered/,
    },
    {
      name: 'a line that is not JSON appended',
      alter: (dir) => appendFileSync(join(dir, 'events.jsonl'), '{"type": "session-end", \n'),
      state: /^broken at line \d+$/,
      problem: /line \d+ of events.jsonl is not valid JSON/,
    },
    {
      name: 'the undo record edited by hand',
      alter: (dir) => {
        const path = join(dir, 'undo', 'set-retention.json')
        writeFileSync(path, readFileSync(path, 'utf8').replace('"value": "1000"', '"value": "999"'))
      },
      state: /^edited: undo\/set-retention.json$/,
      problem: /undo\/set-retention.json is not what the transcript recorded at event \d+: it was changed after it was written/,
    },
    {
      name: 'the undo companion file edited',
      alter: (dir) => writeFileSync(join(dir, 'undo', 'set-retention.txt'), 'orders 999\n'),
      state: /^edited: undo\/set-retention.txt$/,
      problem: /undo\/set-retention.txt is not what the transcript recorded/,
    },
    {
      name: 'the undo record deleted',
      alter: (dir) => writeFileSync(join(dir, 'undo', 'set-retention.json'), ''),
      state: /^edited: undo\/set-retention.json$/,
      problem: /changed after it was written/,
    },
    {
      name: 'an undo file the run never wrote added',
      alter: (dir) => copyFileSync(join(dir, 'undo', 'set-retention.json'), join(dir, 'undo', 'other.json')),
      state: /^extra file: undo\/other.json$/,
      problem: /undo\/other.json was not written by this run/,
    },
  ]

  it.each(tamperings)('$name: sessions and verify say so, undo refuses and changes nothing', async ({ alter, state, problem }) => {
    const kafka = cluster('prod-id-AAAA')
    const { sessionsDir, dir, id } = await appliedOn(kafka)
    expect(checkSession(dir)).toMatchObject({ intact: true, problems: [], warnings: [] })
    alter(dir)
    const check = checkSession(dir)
    expect(recordState(check)).toMatch(state)
    expect(check.intact).toBe(false)
    expect(check.problems[0]).toMatch(problem)
    const before = kafka.mutations.length
    const refused = await undo(kafka, dir, sessionsDir)
    expect(refused).toMatchObject({ status: 'refused', exitCode: 2 })
    expect(refused.message).toMatch(new RegExp(`^session ${id} does not verify: .* — \`runbook verify ${id}\` shows the record; nothing restored$`))
    expect(kafka.mutations.length).toBe(before)
    expect(await retentionOf(kafka)).toEqual({ value: '3600000', override: true })
  })

  it('the end of the transcript cut off: the chain still verifies, the missing end does not; undo still restores (crash recovery)', async () => {
    const kafka = cluster('prod-id-AAAA')
    const { sessionsDir, dir } = await appliedOn(kafka)
    const path = join(dir, 'events.jsonl')
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n')
    writeFileSync(path, lines.slice(0, -3).join('\n') + '\n')
    const check = checkSession(dir)
    expect(check).toMatchObject({ intact: true, chainBreak: null, end: null })
    expect(recordState(check)).toBe('unfinished')
    expect(check.problems).toEqual([
      expect.stringMatching(/^the session has no end: the last event is \d+ \(\S+\) — the run crashed, is still running, or its last events were removed$/),
    ])
    const restored = await undo(kafka, dir, sessionsDir)
    expect(restored).toMatchObject({ status: 'done', exitCode: 0 })
    expect(await retentionOf(kafka)).toEqual({ value: '1000', override: true })
  })

  it('notebook.md edited for the postmortem: a warning, not a broken record', async () => {
    const kafka = cluster('prod-id-AAAA')
    const { sessionsDir, dir } = await appliedOn(kafka)
    appendFileSync(join(dir, 'notebook.md'), '\nPostmortem: we should have alerted earlier.\n')
    const check = checkSession(dir)
    expect(check).toMatchObject({ intact: true, problems: [], notebook: 'edited' })
    expect(check.warnings).toEqual(['notebook.md is not what the transcript renders: it was edited after the run (the transcript is the record)'])
    expect(await undo(kafka, dir, sessionsDir)).toMatchObject({ exitCode: 0 })
  })

  it('undo restores what the transcript recorded, marks it undone in the chain, and the record still verifies afterwards', async () => {
    const kafka = cluster('prod-id-AAAA')
    const { sessionsDir, dir } = await appliedOn(kafka)
    const undone = await undo(kafka, dir, sessionsDir)
    expect(undone.exitCode).toBe(0)
    const check = checkSession(dir)
    expect(check).toMatchObject({ intact: true, problems: [], warnings: [] })
    expect(check.events.at(-1)).toMatchObject({ type: 'undone', cell: 'set-retention', bySession: undone.sessionId, sha256: expect.any(String) })
    expect(checkSession(undone.sessionDir)).toMatchObject({ intact: true, problems: [] })
    expect(await undo(kafka, dir, sessionsDir)).toMatchObject({ exitCode: 2, message: expect.stringContaining('has nothing to undo') })
  })
})
