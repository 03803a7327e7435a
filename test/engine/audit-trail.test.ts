// The audit trail outside the operator's disk, on the in-memory cluster: which events are anchored, what happens
// when the trail cannot be written, and how a transcript rewritten whole (it still chains) or cut short is caught.

import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { compareAnchors, openAuditTrail, readAnchors, type AuditTrail } from '../../lib/engine/audit-trail.ts'
import { runRunbook, type RunOptions } from '../../lib/engine/runner.ts'
import { readEvents, type WrittenEvent } from '../../lib/engine/session.ts'
import { runUndo } from '../../lib/engine/undo.ts'
import { checkSession } from '../../lib/engine/verify-session.ts'
import { fakeCluster, type FakeKafka } from '../../lib/kafka/fake/index.ts'
import type { KafkaOps } from '../../lib/kafka/types.ts'
import { scriptedIo } from '../../lib/testkit/index.ts'
import { given, runOptions } from '../support/run-options.ts'
import retention from './fixtures/topic-retention.ts'
import { retentionOf } from './retention-cluster.ts'

const topic = 'runbook-audit'
const cluster = (): FakeKafka =>
  fakeCluster({ kafka: '4.3', clusterId: 'prod-id-AAAA' })
    .brokers(3)
    .topic('orders', { partitions: 1, replicationFactor: 3, configs: { 'cleanup.policy': 'delete', 'retention.ms': '1000' } })
    .topic(topic, { partitions: 3, replicationFactor: 3 })
    .build()

const answers = given({ topic: 'orders', next: 'change', retention: '1h' })
const headless = () => scriptedIo([], { interactive: false })
const run = async (kafka: KafkaOps, sessionsDir: string, trail: AuditTrail, extra: Partial<RunOptions> = {}) =>
  runRunbook(retention, runOptions(headless(), kafka, { given: answers, sessionsDir, approvals: { yes: true, hashes: [] }, audit: { trail }, ...extra }))

/** What an attacker with the disk does: edit an event and recompute every hash after it, so the chain verifies. */
function rewriteWhole(dir: string, edit: (events: Record<string, unknown>[]) => void): void {
  const path = join(dir, 'events.jsonl')
  const events = readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>)
  edit(events)
  let prev = '0'.repeat(64)
  const lines = events.map((event, i) => {
    const { hash: _old, ...rest } = event
    const stamped = { ...rest, seq: i + 1, prev }
    prev = createHash('sha256').update(JSON.stringify(stamped)).digest('hex')
    return JSON.stringify({ ...stamped, hash: prev })
  })
  writeFileSync(path, lines.join('\n') + '\n')
}

describe('anchors', () => {
  it('an applied change anchors its approval, its apply and the session end — keyed by session, acks=all — and verifies against them', async () => {
    const kafka = cluster()
    const trail = await openAuditTrail(kafka, topic)
    const result = await run(kafka, mkdtempSync(join(tmpdir(), 'audit-')), trail)
    expect(result.exitCode).toBe(0)
    const events = readEvents(result.sessionDir)
    expect(events[0]).toMatchObject({ type: 'session-start', audit: { topic } })
    const anchors = await readAnchors(kafka, topic, result.sessionId)
    expect(anchors.map((a) => [a.event, a.seq, a.hash])).toEqual(
      events.filter((e) => (e.type === 'confirmation' && e.accepted) || e.type === 'apply' || e.type === 'session-end').map((e) => [e.type, e.seq, e.hash]),
    )
    expect(anchors[0]).toMatchObject({
      v: 1,
      session: result.sessionId,
      cell: 'set-retention',
      planHash: result.cells.find((c) => c.id === 'set-retention')!.planHash,
      runbook: 'topic-retention',
      cluster: 'prod-id-AAAA',
      operator: 'alice@laptop',
    })
    expect(new Set(anchors.map((a) => a.partition)).size).toBe(1)
    expect(compareAnchors(events, anchors, true)).toEqual([])
  })

  it('a dry run or a read-only run anchors nothing', async () => {
    const kafka = cluster()
    const trail = await openAuditTrail(kafka, topic)
    const dry = await run(kafka, mkdtempSync(join(tmpdir(), 'audit-')), trail, { dryRun: true })
    const leave = await run(kafka, mkdtempSync(join(tmpdir(), 'audit-')), trail, { given: given({ topic: 'orders', next: 'leave' }) })
    expect([dry.exitCode, leave.exitCode]).toEqual([0, 0])
    expect(await readAnchors(kafka, topic, dry.sessionId)).toEqual([])
    expect(await readAnchors(kafka, topic, leave.sessionId)).toEqual([])
  })

  it('refuses to open a trail on a topic that does not exist', async () => {
    await expect(openAuditTrail(cluster(), 'no-such-audit')).rejects.toThrow(
      'audit topic no-such-audit does not exist on this cluster — create it (kafka-topics --create --topic no-such-audit …)',
    )
  })

  it('when the approval cannot be anchored, the change is not applied (one line, exit 2)', async () => {
    const kafka = cluster()
    const failing: AuditTrail = {
      topic,
      write: async () => {
        throw new Error('cannot write to audit topic runbook-audit (TOPIC_AUTHORIZATION_FAILED: not authorized)')
      },
    }
    const result = await run(kafka, mkdtempSync(join(tmpdir(), 'audit-')), failing)
    expect(result).toMatchObject({ status: 'refused', exitCode: 2 })
    expect(result.message).toBe(
      'cannot write to audit topic runbook-audit (TOPIC_AUTHORIZATION_FAILED: not authorized) — the change was not applied; fix the audit topic and rerun; nothing changed',
    )
    expect(kafka.mutations).toEqual([])
    expect(await retentionOf(kafka)).toEqual({ value: '1000', override: true })
    const allowed = await run(kafka, mkdtempSync(join(tmpdir(), 'audit-')), failing, { audit: { trail: failing, allowSkip: true } })
    expect(allowed.message).toContain('(fix the topic, or rerun with --no-audit)')
  })

  it('a change applied but not anchored stops the run there (exit 1): nothing further is applied', async () => {
    const kafka = cluster()
    const real = await openAuditTrail(kafka, topic)
    let writes = 0
    const flaky: AuditTrail = {
      topic,
      write: async (anchor) => {
        if (++writes > 1) throw new Error('cannot write to audit topic runbook-audit (REQUEST_TIMED_OUT: no answer)')
        await real.write(anchor)
      },
    }
    const result = await run(kafka, mkdtempSync(join(tmpdir(), 'audit-')), flaky, {
      given: given({ topic: 'orders', next: 'change', retention: '1h', 'notify-command': 'true' }),
    })
    expect(result).toMatchObject({ status: 'failed', exitCode: 1 })
    expect(result.message).toContain('the change was applied and is in the local transcript, but not in the audit trail; nothing further was applied')
    expect(result.cells.find((c) => c.id === 'notify')).toBeUndefined()
  })
})

describe('a transcript rewritten whole, or cut short, on the operator’s disk', () => {
  async function audited() {
    const kafka = cluster()
    const sessionsDir = mkdtempSync(join(tmpdir(), 'audit-'))
    const trail = await openAuditTrail(kafka, topic)
    const result = await run(kafka, sessionsDir, trail)
    expect(result.exitCode).toBe(0)
    return { kafka, sessionsDir, trail, dir: result.sessionDir, id: result.sessionId }
  }

  it('a rewritten chain still verifies on disk; its anchors do not, and undo refuses it', async () => {
    const { kafka, sessionsDir, trail, dir, id } = await audited()
    rewriteWhole(dir, (events) => {
      const start = events[0] as { operator: string }
      start.operator = 'mallory'
    })
    const check = checkSession(dir)
    expect(check.chainBreak).toBeNull()
    const problems = compareAnchors(check.events, await readAnchors(kafka, topic, id), true)
    expect(problems[0]).toMatch(
      /^event \d+ \(confirmation\) is not the event anchored in the audit topic \(partition \d offset \d+\): the transcript was rewritten$/,
    )
    const undone = await runUndo({
      ...runOptions(headless(), kafka, { sessionsDir, approvals: { yes: true, hashes: [] }, audit: { trail } }),
      sessionDir: dir,
      findRunbook: () => retention,
    })
    expect(undone).toMatchObject({ status: 'refused', exitCode: 2 })
    expect(undone.message).toMatch(
      new RegExp(`^session ${id} does not verify against its audit trail \\(topic ${topic}\\): event \\d+ \\(confirmation\\) is not the event anchored`),
    )
  })

  it('a transcript whose end was cut off: the anchors name what it lost', async () => {
    const { kafka, dir, id } = await audited()
    const path = join(dir, 'events.jsonl')
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n')
    const kept = lines.slice(
      0,
      lines.findIndex((l) => l.includes('"type":"apply"')),
    )
    writeFileSync(path, kept.join('\n') + '\n')
    const problems = compareAnchors(checkSession(dir).events, await readAnchors(kafka, topic, id), true)
    expect(problems[0]).toMatch(
      /^the audit topic anchors event \d+ \(apply, partition \d offset \d+\), which the transcript no longer has: its end was cut off$/,
    )
  })

  it('an event added to the transcript that was never anchored is named', async () => {
    const { kafka, dir, id } = await audited()
    rewriteWhole(dir, (events) => {
      const end = events.pop()!
      events.push({ ...events.find((e) => e.type === 'apply')!, at: end.at }, end)
    })
    const problems = compareAnchors(checkSession(dir).events, await readAnchors(kafka, topic, id), true)
    expect(problems).toContainEqual(
      expect.stringMatching(/has no anchor in the audit topic: it was never written there, or it was added to the transcript later/),
    )
  })

  it('the undo of an audited session is anchored too, and so is the "undone" line it adds to the session it undid', async () => {
    const { kafka, sessionsDir, trail, dir, id } = await audited()
    const undone = await runUndo({
      ...runOptions(headless(), kafka, { sessionsDir, approvals: { yes: true, hashes: [] }, audit: { trail } }),
      sessionDir: dir,
      findRunbook: () => retention,
    })
    expect(undone.exitCode).toBe(0)
    expect((await readAnchors(kafka, topic, undone.sessionId)).map((a) => a.event)).toEqual(['confirmation', 'apply', 'session-end'])
    const original = readEvents(dir)
    const anchors = await readAnchors(kafka, topic, id)
    expect(anchors.at(-1)).toMatchObject({ event: 'undone', seq: original.at(-1)!.seq, hash: (original.at(-1) as WrittenEvent).hash })
    expect(compareAnchors(original, anchors, true)).toEqual([])
  })
})
