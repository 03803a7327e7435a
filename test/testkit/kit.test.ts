// The test kit teams get as `kafka-runbooks/testing`, exercised the way a team's own runbook test uses it.

import { describe, expect, it } from 'vitest'
import { fakeCluster, runWithKit, verifyChain } from '../../lib/testkit/index.ts'
import retention from '../engine/fixtures/topic-retention.ts'

const cluster = () =>
  fakeCluster()
    .brokers(3)
    .topic('orders', { partitions: 3, configs: { 'retention.ms': '86400000' } })
    .build()

describe('test kit', () => {
  it('runs headless with answers and approval, and exposes the plan, the transcript and the cluster after', async () => {
    const kafka = cluster()
    const run = await runWithKit(retention, {
      kafka,
      set: { topic: 'orders', next: 'change', retention: '1h' },
      yes: true,
      now: Date.parse('2026-11-24T03:00:00Z'),
    })
    expect(run.exitCode).toBe(0)
    expect(run.plan('set-retention')).toEqual({ topic: 'orders', before: { value: '86400000', override: true }, after: '3600000' })
    expect(run.cell('set-retention')).toMatchObject({ outcome: 'applied', verified: true })
    expect(verifyChain(run.events)).toBeNull()
    expect(run.events[0]).toMatchObject({ type: 'session-start', at: '2026-11-24T03:00:00.000Z' })
    expect(run.notebook).toContain('**Plan**')
    expect(kafka.mutations).toEqual(['incrementalAlterConfigs'])

    const undone = await run.undo()
    expect(undone.exitCode).toBe(0)
    const [config] = await kafka.describeConfigs([{ type: 'topic', name: 'orders' }])
    expect(config!.entries.find((e) => e.name === 'retention.ms')).toMatchObject({ value: '86400000', source: 'dynamic-topic' })
  })

  it('drives a guided run from a script and reports what was asked', async () => {
    const kafka = cluster()
    const run = await runWithKit(retention, { kafka, set: { retention: '2h' }, script: [{ input: 'orders' }, { select: 'leave' }, { input: '' }] })
    expect(run.exitCode).toBe(0)
    expect(run.io.asked.map((q) => q.kind)).toEqual(['input', 'select', 'input'])
    expect(run.cell('set-retention')).toMatchObject({ outcome: 'skipped', reason: 'the operator chose to leave it' })
    expect(kafka.mutations).toEqual([])
  })

  it('names the cell a test asked for when it does not exist', async () => {
    const run = await runWithKit(retention, { kafka: cluster(), set: { topic: 'orders' }, dryRun: true })
    expect(() => run.cell('nope')).toThrow('the run has no cell "nope" (cells: why, current, next, set-retention, notify)')
    expect(() => run.plan('set-retention')).toThrow('cell "set-retention" made no plan (outcome skipped)')
  })
})
