import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { digest, midSizeOutputs } from '../support/large-cluster-outputs.ts'

// Digests of every output as the planners answered before they were made fast for 100,000 partitions (the
// planners and snapshot shapes of commit 723b688, where the durability snapshot still held every replica's log
// dir entry): a change here is a change a user sees, not an optimisation. The status screen's digest was taken
// again when its sections stopped repeating partitions an earlier section lists, and when the Unavailable section's
// explanation became "no leader" (both intended; the second changes only that line of text).
const before = JSON.parse(readFileSync(new URL('./fixtures/large-cluster-outputs.json', import.meta.url), 'utf8')) as Record<
  string,
  { sha256: string; length: number }
>

describe('the planners on a mid-size large cluster (1,000 topics, 5,000 partitions, 100 groups)', async () => {
  const outputs = await midSizeOutputs()
  it('answers something worth comparing', () => {
    expect(JSON.parse(outputs.status).partitions.total).toBe(5_000)
    expect(JSON.parse(outputs.status).partitions.underReplicated.length).toBeGreaterThan(0)
    expect(JSON.parse(outputs.durabilityAudit).findings.length).toBeGreaterThan(0)
    expect(JSON.parse(outputs.reassignment).totals.bytesToCopy).toMatch(/^[1-9]\d*n$/)
  })
  it.each(Object.keys(before))('%s answers exactly what it answered before', (name) => {
    const output = outputs[name as keyof typeof outputs]
    expect({ sha256: digest(output), length: output.length }).toEqual(before[name])
  })
})
