import { describe, expect, it } from 'vitest'
import { runCli } from '../support/run-cli.ts'

describe('runbook status', () => {
  it('exits 2 with one line saying what to do when no broker answers', async () => {
    // Nothing listens on this loopback port (the h2 range is this suite's own).
    const result = await runCli(['status', '--bootstrap-server', '127.0.0.1:39299'])
    expect(result.code).toBe(2)
    expect(result.stdout).toBe('')
    expect(result.stderr.trim().split('\n')).toHaveLength(1)
    expect(result.stderr).toMatch(/^runbook status: cannot reach 127\.0\.0\.1:39299 \(ECONNREFUSED\) — check --bootstrap-server and that the brokers are up/)
  })

  it('--help explains the four conditions and the exit codes', async () => {
    const result = await runCli(['status', '--help'])
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('--under-min-isr-partitions')
    expect(result.stdout).toContain('0 the report was made')
  })
})
