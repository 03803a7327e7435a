// The options a test run of the engine starts from: a throwaway session folder, an operator, a 4.3 cluster
// with ELR on, nothing approved. Each test overrides what it is about (answers, approvals, clock, dry run).

import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { RunOptions } from '../../lib/engine/runner.ts'
import type { KafkaOps } from '../../lib/kafka/types.ts'
import type { ScriptedIo } from '../../lib/testkit/index.ts'

export function runOptions(io: ScriptedIo, kafka: KafkaOps, extra: Partial<RunOptions> = {}): RunOptions {
  return {
    io,
    kafka,
    sessionsDir: mkdtempSync(join(tmpdir(), 'runbook-test-sessions-')),
    given: new Map(),
    approvals: { yes: false, hashes: [] },
    dryRun: false,
    operator: 'alice',
    host: 'laptop',
    cluster: { origin: 'test', clusterId: 'fake', kafkaLine: '4.3', elr: 'on' },
    args: [],
    secrets: [],
    signal: new AbortController().signal,
    toolVersion: 'test',
    clock: Date.now,
    ...extra,
  }
}

/** Answers as `--set name=value` (or an answers file) would give them. */
export function given(entries: Record<string, string>, source: 'flag' | 'answers' = 'flag'): RunOptions['given'] {
  return new Map(Object.entries(entries).map(([name, text]) => [name, { text, source }]))
}
