// The integration tests' handle on the shared sandbox (provided by test/integration/global-setup.ts), and
// Kafka's own CLI as the oracle, already pointed at it.

import { inject } from 'vitest'
import type { ToolOptions, ToolResult } from '../../lib/sandbox/index.ts'
import { runKafkaTool } from '../../lib/sandbox/index.ts'
import type { ProvidedSandbox } from '../integration/global-setup.ts'

/** The sandbox this test run uses: its config (for control / runKafkaTool), bootstrap, version, node ids. */
export function testSandbox(): ProvidedSandbox {
  return inject('sandbox')
}

// Tools that connect with --bootstrap-server; the others (kafka-dump-log, kafka-storage) read files.
const bootstrapTools = new Set([
  'kafka-topics',
  'kafka-consumer-groups',
  'kafka-leader-election',
  'kafka-configs',
  'kafka-reassign-partitions',
  'kafka-features',
  'kafka-metadata-quorum',
  'kafka-get-offsets',
  'kafka-console-producer',
  'kafka-console-consumer',
  'kafka-delete-records',
  'kafka-log-dirs',
  'kafka-cluster',
  'kafka-transactions',
  'kafka-broker-api-versions',
  'kafka-acls',
])

/** Runs a Kafka CLI tool against the test sandbox (adds --bootstrap-server where the tool takes it). */
export function kafkaTool(tool: string, args: readonly string[], options: ToolOptions = {}): Promise<ToolResult> {
  const sandbox = testSandbox()
  const withBootstrap = bootstrapTools.has(tool) && !args.includes('--bootstrap-server') ? ['--bootstrap-server', sandbox.bootstrap, ...args] : args
  return runKafkaTool(sandbox.config, tool, withBootstrap, { timeoutMs: 60_000, ...options })
}

/** Like kafkaTool, but fails the test with the tool's stderr unless it exits 0; returns stdout. */
export async function kafkaToolOk(tool: string, args: readonly string[], options: ToolOptions = {}): Promise<string> {
  const result = await kafkaTool(tool, args, options)
  if (result.exitCode !== 0)
    throw new Error(
      `${tool} ${args.join(' ')} exited ${result.exitCode}${result.timedOut ? ' (timed out)' : ''}: ${result.stderr.trim() || result.stdout.trim()}`,
    )
  return result.stdout
}
