import { describe, expect, it } from 'vitest'
import { BrokerHealth, probeBoundMs } from '../../lib/kafka/platformatic/broker-health.ts'
import { withoutSlowBrokerNotices } from './stderr.ts'

/** The line the CLI prints for a notice (lib/cli prefixes "runbook: "), made by the real BrokerHealth. */
function notice(name: string, why: string): string {
  let line = ''
  new BrokerHealth((text) => (line = `runbook: ${text}\n`)).markSilent('127.0.0.1:30402', name, why)
  return line
}

describe('stderr a test accepts besides its own assertion', () => {
  const slowProbe = `no answer to a probe within ${probeBoundMs / 1000} s: hung or overloaded`

  it('drops exactly the slow-probe notice, for a registered broker or a bare bootstrap address', () => {
    const error = 'runbook status: cannot reach 127.0.0.1:9 (ECONNREFUSED) — check --bootstrap-server\n'
    expect(withoutSlowBrokerNotices(notice('broker 2 (127.0.0.1:30402)', slowProbe) + error)).toBe(error)
    expect(withoutSlowBrokerNotices(notice('broker 127.0.0.1:30402', slowProbe))).toBe('')
  })

  it('keeps every other line, so a real fault still fails the test', () => {
    for (const other of [
      notice('broker 2 (127.0.0.1:30402)', 'it did not answer in time'),
      notice('broker 2 (127.0.0.1:30402)', 'it is down or unreachable'),
      `x${notice('broker 2 (127.0.0.1:30402)', slowProbe)}`,
      'Error: boom\n    at main (cli.ts:1:1)\n',
    ])
      expect(withoutSlowBrokerNotices(other)).toBe(other)
  })
})
