// `runbook sandbox` end to end on the shared sandbox: what a person sees from status, logs and bad input.

import { readFileSync } from 'node:fs'
import { PassThrough } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { main } from '../../../lib/cli/main.ts'
import { nodeLogFiles } from '../../../lib/sandbox/index.ts'
import { waitFor } from '../../support/kafka.ts'
import { testSandbox } from '../../support/sandbox.ts'

async function runbook(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough()
  const stderr = new PassThrough()
  let out = ''
  let err = ''
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()))
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()))
  const { config } = testSandbox()
  const code = await main(argv, {
    stdout,
    stderr,
    stdin: new PassThrough(),
    env: { ...process.env, RUNBOOK_SANDBOX_NAME: config.name, RUNBOOK_SANDBOX_PORT: String(config.basePort) },
    cwd: process.cwd(),
    signal: new AbortController().signal,
  })
  return { code, stdout: out, stderr: err }
}

describe('runbook sandbox', () => {
  it('status shows every node with its process and the cluster’s own view', async () => {
    const sandbox = testSandbox()
    const brokerRow = (id: number) => new RegExp(`^${id}\\s+broker\\s+\\d+\\s+${sandbox.config.basePort + id}\\s+up\\s+registered, unfenced$`, 'm')
    // A broker restarted by an earlier file is unfenced on one broker's metadata a moment before another's: ask again until all agree.
    let seen = { code: -1, stdout: '', stderr: '' }
    await waitFor(
      async () => {
        seen = await runbook('sandbox', 'status')
        return seen.code === 0 && sandbox.brokerIds.every((id) => brokerRow(id).test(seen.stdout))
      },
      { what: 'every broker registered and unfenced in `sandbox status`', timeoutMs: 60_000, intervalMs: 500 },
    )
    const { code, stdout } = seen
    expect(code).toBe(0)
    expect(stdout).toContain(`bootstrap: ${sandbox.bootstrap}`)
    expect(stdout).toMatch(new RegExp(`^${sandbox.controllerId}\\s+controller\\s+\\d+\\s+${sandbox.config.basePort}\\s+up\\s+active controller$`, 'm'))
    for (const id of sandbox.brokerIds) expect(stdout).toMatch(brokerRow(id))
  })

  it('status --json is machine-readable', async () => {
    const { code, stdout } = await runbook('sandbox', 'status', '--json')
    expect(code).toBe(0)
    const parsed = JSON.parse(stdout) as { nodes: { id: number; state: string; pid: number }[]; cluster: { activeControllerId: number } }
    expect(parsed.nodes.map((node) => node.state)).toEqual(['up', 'up', 'up', 'up'])
    expect(parsed.cluster.activeControllerId).toBe(testSandbox().controllerId)
  })

  it('logs prints the last lines of a broker’s own log', async () => {
    const { code, stdout } = await runbook('sandbox', 'logs', '1', '--lines', '5')
    expect(code).toBe(0)
    const printed = stdout.trimEnd().split('\n')
    expect(printed).toHaveLength(5)
    // The broker keeps logging, so compare with the file as it is now: the printed lines are consecutive lines of
    // broker 1's server.log (an entry can be a stack trace, so no line format is assumed).
    const log = readFileSync(nodeLogFiles(testSandbox().config, 1).serverLog, 'utf8')
    expect(log).toContain(printed.join('\n') + '\n')
  })

  it.each([
    [['sandbox'], /^runbook sandbox: no action given — use one of up, down, status/],
    [['sandbox', 'explode'], /^runbook sandbox: unknown action "explode"/],
    [['sandbox', 'kill'], /^runbook sandbox: kill needs a node: a broker id \(1, 2, 3\) or "controller"/],
    [['sandbox', 'kill', '7'], /^runbook sandbox: sandbox \S+ has no node 7 — its nodes are controller 100 and brokers 1-3/],
    [['sandbox', 'up', '--elr', 'maybe'], /^runbook sandbox: --elr takes on or off, not "maybe"/],
  ])('refuses %j with one line and exit code 2', async (argv, message) => {
    const { code, stderr, stdout } = await runbook(...argv)
    expect(code).toBe(2)
    expect(stdout).toBe('')
    expect(stderr).toMatch(message)
    expect(stderr.trimEnd().split('\n')).toHaveLength(1)
  })
})
