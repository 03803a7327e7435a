// What the trust-boundary tests share: a consumer group seeded with committed offsets, reading them back, and the
// shape every error must have (one line on stderr, no stack).

import { expect } from 'vitest'
import type { KafkaOps } from '../../lib/kafka/types.ts'
import type { CliResult } from './run-cli.ts'
import { withoutSlowBrokerNotices } from './stderr.ts'

/** 20 records in partitions 0 and 1 of `topic`, an hour old, and the group committed at 15 on both. */
export async function seedGroup(ops: KafkaOps, group: string, topic: string): Promise<void> {
  const t0 = Date.now() - 3_600_000
  for (const partition of [0, 1])
    await ops.produce(
      topic,
      Array.from({ length: 20 }, (_, i) => ({ partition, key: null, value: Buffer.from(`r${i}`), timestamp: t0 + i * 1000 })),
    )
  const results = await ops.alterCommittedOffsets(group, [
    { topic, partition: 0, offset: 15n },
    { topic, partition: 1, offset: 15n },
  ])
  expect(
    results.every((r) => !r.error),
    JSON.stringify(results),
  ).toBe(true)
}

/** The group's committed offsets on `topic`, "partition=offset". */
export async function committedOffsets(ops: KafkaOps, group: string, topic: string): Promise<string[]> {
  const { offsets } = await ops.committedOffsets(group, [topic])
  return offsets.map((o) => `${o.partition}=${o.offset}`).sort()
}

export const sessionOf = (result: CliResult) => /^session: .*\/([^/\n]+)$/m.exec(result.stdout)![1]!
export const hashOf = (result: CliResult, cell = 'rewind') => new RegExp(`--approve ${cell}=([0-9a-f]{16})`).exec(result.stdout)![1]!

/** One line on stderr, no stack trace: what every error looks like. Returns the line. */
export function oneLine(result: CliResult, command: string): string {
  const stderr = withoutSlowBrokerNotices(result.stderr)
  expect(stderr.endsWith('\n'), result.stderr).toBe(true)
  expect(stderr.trimEnd().split('\n'), result.stderr).toHaveLength(1)
  expect(result.stderr).not.toMatch(/\n\s+at /)
  expect(stderr.startsWith(`runbook ${command}: `), result.stderr).toBe(true)
  return stderr.trimEnd()
}
