// `runbook status --json` flags exactly the partitions kafka-topics flags, on the same cluster at the same
// moment: healthy, then with a broker SIGKILLed (leaderless partitions beside healthy ones, under and at
// min ISR). Group lag agrees with kafka-consumer-groups. The built CLI (dist/, bundled client) agrees too. And the
// broker's return, read twice at different moments (fenced in one read, leading in the other), is not unavailable.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect } from '../../../lib/kafka/index.ts'
import type { KafkaOps } from '../../../lib/kafka/types.ts'
import { nodeAction } from '../../support/faults.ts'
import { launch } from '../../support/launcher.ts'
import { runCli } from '../../support/run-cli.ts'
import { kafkaToolOk, testSandbox } from '../../support/sandbox.ts'
import { waitFor } from '../../support/kafka.ts'
import { awaitFullIsr, produceAt } from './world.ts'
import { withoutSlowBrokerNotices } from '../../support/stderr.ts'
import { planClusterHealth } from '../../../lib/plans/cluster-health.ts'
import { readHealthSnapshot } from '../../../lib/reads/status-snapshot.ts'

interface StatusJson {
  brokers: { id: number; state: string }[]
  cluster: { controller: { id: number; source: string } }
  partitions: Record<'unavailable' | 'underMinIsr' | 'atMinIsr' | 'underReplicated', { topic: string; partition: number }[]> & {
    total: number
    leaderless: number
  }
  groups: { groupId: string; lag: string; type: string; state: string }[]
  suggestions: { runbook: string }[]
}

const flags = {
  unavailable: '--unavailable-partitions',
  underMinIsr: '--under-min-isr-partitions',
  atMinIsr: '--at-min-isr-partitions',
  underReplicated: '--under-replicated-partitions',
} as const

async function oracle(flag: string): Promise<string[]> {
  const out = await kafkaToolOk('kafka-topics', ['--describe', flag])
  return [...out.matchAll(/Topic:\s*(\S+)\s+Partition:\s*(\d+)/g)].map((m) => `${m[1]}:${m[2]}`).sort()
}

async function status(): Promise<StatusJson> {
  const result = await runCli(['status', '--json', '--bootstrap-server', testSandbox().bootstrap])
  expect(withoutSlowBrokerNotices(result.stderr)).toBe('')
  expect(result.code).toBe(0)
  return JSON.parse(result.stdout) as StatusJson
}

async function expectSameAsKafkaTopics(): Promise<StatusJson> {
  const report = await status()
  const entries = Object.entries(flags) as [keyof typeof flags, string][]
  const oracles = await Promise.all(entries.map(([, flag]) => oracle(flag)))
  for (const [i, [key, flag]] of entries.entries()) {
    const ours = report.partitions[key].map((p) => `${p.topic}:${p.partition}`).sort()
    expect(ours, `${flag}`).toEqual(oracles[i])
  }
  // Nothing moved while kafka-topics ran, so the comparison was made on one state; and the built CLI, which
  // talks to Kafka through the bundled client rather than the package, reads the very same report.
  const built = launch(['status', '--json', '--bootstrap-server', testSandbox().bootstrap])
  expect(withoutSlowBrokerNotices(built.stderr)).toBe('')
  expect(JSON.parse(built.stdout)).toEqual(report)
  return report
}

describe('runbook status against kafka-topics', () => {
  let ops: KafkaOps
  const run = Date.now().toString(36)
  const topic = (name: string) => `status-${name}-${run}`
  beforeAll(async () => {
    ops = await connect({ bootstrapServers: testSandbox().bootstrap.split(',') })
    const created = await ops.createTopics([
      { topic: topic('lonely'), assignments: [[3], [1]] },
      {
        topic: topic('shrunk'),
        assignments: [
          [3, 1, 2],
          [1, 2, 3],
        ],
        configs: { 'min.insync.replicas': '2' },
      },
      { topic: topic('undermin'), assignments: [[3, 1]], configs: { 'min.insync.replicas': '2' } },
      { topic: topic('strict'), assignments: [[1, 2, 3]], configs: { 'min.insync.replicas': '3' } },
      {
        topic: topic('healthy'),
        assignments: [
          [1, 2],
          [2, 1],
        ],
      },
    ])
    expect(created.every((r) => !r.error)).toBe(true)
    await produceAt(topic('healthy'), 0, [1, 2, 3, 4, 5])
    const committed = await ops.alterCommittedOffsets(`status-lag-${run}`, [{ topic: topic('healthy'), partition: 0, offset: 2n }])
    expect(committed).toEqual([{ topic: topic('healthy'), partition: 0 }])
  })
  afterAll(async () => {
    await nodeAction(3, 'start')
    await awaitFullIsr(ops)
    await ops.close()
  })

  it('agrees on a healthy cluster, and reports group lag as kafka-consumer-groups does', async () => {
    const report = await expectSameAsKafkaTopics()
    expect(report.partitions.unavailable).toEqual([])
    const group = report.groups.find((g) => g.groupId === `status-lag-${run}`)
    expect(group).toMatchObject({ lag: '3', state: 'Empty' })
    const described = await kafkaToolOk('kafka-consumer-groups', ['--describe', '--group', `status-lag-${run}`])
    const lagColumn = [...described.matchAll(new RegExp(`${topic('healthy')}\\s+0\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)`, 'g'))].map((m) => m[3])
    expect(lagColumn).toEqual(['3'])
    expect(report.suggestions.map((s) => s.runbook)).toContain('consumer-oom-replay')
  })

  it('agrees with broker 3 dead: leaderless beside healthy, under and at min ISR', async () => {
    await nodeAction(3, 'kill')
    await waitFor(
      async () =>
        (await ops.cluster()).brokers.find((b) => b.id === 3)?.fenced !== false &&
        (await ops.partitionStates([topic('undermin')]))[0]!.partitions[0]!.leader === 1,
      {
        what: 'broker 3 fenced and its leaderships moved',
        timeoutMs: 30_000,
      },
    )
    const report = await expectSameAsKafkaTopics()
    const names = (key: keyof typeof flags) => report.partitions[key].map((p) => `${p.topic}:${p.partition}`)
    expect(names('unavailable')).toContain(`${topic('lonely')}:0`)
    expect(names('unavailable')).not.toContain(`${topic('lonely')}:1`)
    expect(names('underMinIsr')).toEqual(expect.arrayContaining([`${topic('lonely')}:0`, `${topic('undermin')}:0`, `${topic('strict')}:0`]))
    expect(names('atMinIsr')).toEqual(expect.arrayContaining([`${topic('shrunk')}:0`, `${topic('shrunk')}:1`]))
    expect(names('underReplicated')).not.toContain(`${topic('healthy')}:0`)
    expect(report.partitions.leaderless).toBeGreaterThanOrEqual(1)
    expect(report.brokers.find((b) => b.id === 3)?.state).toMatch(/fenced|unregistered/)
    expect(report.suggestions.map((s) => s.runbook)).toEqual(expect.arrayContaining(['unclean-election', 'isr-shrink']))
  })

  it('broker 3 back: a brokers read from while it was fenced, beside a partition read from after it leads again, is not unavailable', async () => {
    // Run alone (vitest -t), broker 3 is still up: take it down as the case above does.
    if ((await ops.cluster()).brokers.find((b) => b.id === 3)?.fenced === false) await nodeAction(3, 'kill')
    await waitFor(async () => (await ops.cluster()).brokers.find((b) => b.id === 3)?.fenced !== false, { what: 'broker 3 fenced', timeoutMs: 30_000 })
    // What status's DescribeCluster can answer while the broker returns: the same read, a moment older.
    const fencedView = await ops.cluster()
    expect(fencedView.brokers.find((b) => b.id === 3)?.fenced ?? true).toBe(true)
    await nodeAction(3, 'start')
    // Unfenced, broker 3 is elected at once for the one-replica partition it alone holds.
    await waitFor(async () => (await ops.partitionStates([topic('lonely')]))[0]!.partitions[0]!.leader === 3, {
      what: `${topic('lonely')}:0 led by broker 3 again`,
      timeoutMs: 30_000,
    })
    const snapshot = await readHealthSnapshot(ops)
    const report = planClusterHealth({ ...snapshot, cluster: fencedView })
    expect(report.brokers.find((b) => b.id === 3)?.state).toMatch(/fenced|unregistered/)
    expect(report.partitions.unavailable.map((p) => `${p.topic}:${p.partition}`)).not.toContain(`${topic('lonely')}:0`)
    expect(await oracle(flags.unavailable)).not.toContain(`${topic('lonely')}:0`)
  })
})
