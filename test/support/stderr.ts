// What a test may see on the CLI's stderr besides what it asserts: on an overloaded machine a healthy broker can
// take longer than the probe bound (lib/kafka/platformatic/broker-health.ts) to answer ApiVersions, and the CLI
// then says once that it is leaving that broker aside. That changes which broker is asked, never an answer, so
// tests that require a quiet stderr accept exactly that line — and nothing else, so a real fault still shows.

import { probeBoundMs } from '../../lib/kafka/platformatic/broker-health.ts'

const slowProbeNotice = new RegExp(
  `^runbook: broker (\\d+ \\()?127\\.0\\.0\\.1:\\d+\\)? is not answering \\(no answer to a probe within ${probeBoundMs / 1000} s: hung or overloaded\\): ` +
    'requests any broker can answer go to the others until it answers again$',
)

/** stderr without the slow-probe notices an overloaded machine can cause. */
export function withoutSlowBrokerNotices(stderr: string): string {
  return stderr
    .split(/(?<=\n)/)
    .filter((line) => !slowProbeNotice.test(line.trimEnd()))
    .join('')
}
