// The options a drill test starts from: the shared test sandbox, our own Kafka access, a throwaway folder for
// the drill's ledgers and the trainee's sessions.

import { execFileSync } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { DrillOptions } from '../../lib/drills/index.ts'
import { connect } from '../../lib/kafka/index.ts'
import { openLogDir } from '../../lib/kafka/log-dir/index.ts'
import { createSandboxProbe } from '../../lib/kafka/platformatic/sandbox-probe.ts'
import { testSandbox } from './sandbox.ts'

type Given = Pick<DrillOptions, 'scenario' | 'runbook' | 'trainee'> & Partial<DrillOptions>

export function sandboxDrillOptions(given: Given): DrillOptions {
  const dir = mkdtempSync(join(tmpdir(), `drill-${given.scenario.id}-`))
  return {
    sandbox: testSandbox().config,
    probe: createSandboxProbe('runbook-drill-test'),
    openLogDir,
    connect: async (sandbox) => ({ kafka: await connect({ bootstrapServers: sandbox.bootstrap.split(','), clientId: 'runbook-drill-test' }), secrets: [] }),
    connectTo: (bootstrap, extra) => connect({ bootstrapServers: bootstrap.split(','), clientId: 'runbook-drill-test', ...extra }),
    drillsDir: join(dir, 'drills'),
    sessionsDir: join(dir, 'sessions'),
    operator: 'trainee',
    host: 'test',
    toolVersion: 'test',
    args: [],
    signal: new AbortController().signal,
    onProgress: () => {},
    ...given,
  }
}

/** Workload processes of a drill still alive (their command line carries the drill folder), one per line. */
export function survivors(dir: string): string {
  try {
    return execFileSync('pgrep', ['-af', dir], { encoding: 'utf8' }).trim()
  } catch {
    return ''
  }
}
