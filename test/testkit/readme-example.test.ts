// The README's test-kit example, as written there (only the import paths differ): it must keep passing.

import { fakeCluster, runWithKit } from '../../lib/testkit/index.ts'
import { expect, it } from 'vitest'
import runbook from '../../runbooks/consumer-oom-replay/index.ts'

it('rewinds billing by 500 records per partition, and undo puts the offsets back', async () => {
  const kafka = fakeCluster()
    .brokers(3)
    .topic('orders', { partitions: 2 })
    .records('orders', 0, { count: 1000, startMs: Date.parse('2026-11-24T03:00:00Z'), stepMs: 100 })
    .records('orders', 1, { count: 1000, startMs: Date.parse('2026-11-24T03:00:00Z'), stepMs: 100 })
    .group('billing', { offsets: { 'orders/0': 900n, 'orders/1': 1000n } })
    .build()

  const run = await runWithKit(runbook, { kafka, set: { group: 'billing', 'shift-by': -500 }, yes: true })

  expect(run.exitCode).toBe(0)
  expect(run.plan<{ moves: { target: bigint }[] }>('rewind').moves.map((m) => m.target)).toEqual([400n, 500n])
  expect((await kafka.committedOffsets('billing')).offsets.map((o) => o.offset)).toEqual([400n, 500n])
  expect(run.cell('rewind')).toMatchObject({ outcome: 'applied', verified: true })
  expect(run.events.filter((e) => e.type === 'confirmation')).toHaveLength(1)
  expect(run.notebook).toContain('rewind group billing')

  expect((await run.undo()).exitCode).toBe(0)
  expect((await kafka.committedOffsets('billing')).offsets.map((o) => o.offset)).toEqual([900n, 1000n])
})
