// Bad input is bad whatever the cluster's state, for every runbook the catalog holds (a new one is included
// without touching this file): for each declared parameter, a value its own parser or its cluster check refuses;
// for each decide cell, an option it does not declare; for each step that asks before changing anything, a
// mistyped approval hash; and an approval for a step the runbook does not have. Each is run headless with --yes
// on a healthy cluster — where a run would otherwise find nothing to do and exit 0 — and must end with exit 2,
// one line on stderr naming what was wrong, and the cluster exactly as it was (offsets, configs, leaders,
// replica order, topics and groups compared before and after).

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadCatalog } from '../../../lib/engine/catalog.ts'
import { ParamError, type ParamSpec } from '../../../lib/engine/params.ts'
import type { AnyRunbook } from '../../../lib/engine/runbook.ts'
import { connect } from '../../../lib/kafka/index.ts'
import { openLogDir } from '../../../lib/kafka/log-dir/index.ts'
import type { KafkaOps } from '../../../lib/kafka/types.ts'
import { uniqueTopic } from '../../support/kafka.ts'
import { runCli } from '../../support/run-cli.ts'
import { testSandbox } from '../../support/sandbox.ts'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const topic = uniqueTopic('bad-input')
const group = uniqueTopic('bad-input-group')
const missingTopic = uniqueTopic('bad-input-no-such-topic')
const sessions = mkdtempSync(join(tmpdir(), 'bad-input-'))
let kafka: KafkaOps

/** Values to try, by declared type first; the first one the parameter itself refuses is the case. */
const candidates: Record<string, readonly string[]> = {
  topic: [missingTopic],
  topics: [`${missingTopic}`],
  partitions: [`${missingTopic}:0`, `${topic}:99`],
  broker: ['9999', 'abc'],
  brokers: ['9999', 'abc'],
  group: [uniqueTopic('bad-input-no-such-group')],
  integer: ['abc', '1.5', '-99999999', '99999999'],
  count: ['abc', '1.5'],
  duration: ['soon', '-5s'],
  datetime: ['not-a-time'],
  boolean: ['maybe'],
  choice: ['nonsense'],
}
const generic = ['nonsense', 'abc', '-1', ',', '/no/such/file.properties']

/** A value this parameter refuses: by its parser, else by its check against the cluster; null when none does. */
async function refusedValue(spec: ParamSpec<unknown>): Promise<string | null> {
  for (const text of [...(candidates[spec.type] ?? []), ...generic]) {
    try {
      const value = spec.parse(text, Date.now())
      if (spec.check && (await spec.check(value, kafka, { openLogDir })) !== null) return text
    } catch (error) {
      if (error instanceof ParamError) return text
    }
  }
  return null
}

interface Case {
  readonly runbook: string
  readonly what: string
  readonly args: readonly string[]
  /** What the one line on stderr must name. */
  readonly names: string
}

async function casesOf(runbook: AnyRunbook): Promise<Case[]> {
  const cases: Case[] = []
  for (const [name, spec] of Object.entries(runbook.params as Record<string, ParamSpec<unknown>>)) {
    const value = await refusedValue(spec)
    if (value !== null)
      cases.push({ runbook: runbook.id, what: `${spec.type} ${name}=${value}`, args: ['--set', `${name}=${value}`], names: value.split(':')[0]! })
  }
  for (const cell of runbook.cells) {
    if (cell.kind === 'decide')
      cases.push({ runbook: runbook.id, what: `decision ${cell.id}=nonsense`, args: ['--set', `${cell.id}=nonsense`], names: 'nonsense' })
    if (cell.kind === 'action' || cell.kind === 'shell')
      cases.push({
        runbook: runbook.id,
        what: `mistyped --approve ${cell.id}`,
        args: ['--approve', `${cell.id}=deadbeef`],
        names: 'not the hash of any reviewed plan',
      })
  }
  cases.push({ runbook: runbook.id, what: '--approve of a step it does not have', args: ['--approve', 'no-such-step=0123456789abcdef'], names: 'no-such-step' })
  return cases
}

/** What a refused run must leave as it was. */
async function snapshot() {
  const states = await kafka.partitionStates()
  const brokers = (await kafka.cluster()).brokers.map((b) => b.id)
  const configs = await kafka.describeConfigs([
    { type: 'topic', name: topic },
    { type: 'broker-default' },
    ...brokers.map((id) => ({ type: 'broker' as const, id })),
  ])
  const dynamic = configs.map((c) => ({
    resource: c.resource,
    entries: c.entries
      .filter((e) => e.source.startsWith('dynamic'))
      .map((e) => `${e.name}=${e.value}`)
      .sort(),
  }))
  const mine = states.find((t) => t.topic === topic)!
  const { offsets } = await kafka.committedOffsets(group)
  const ends = await kafka.listOffsets(mine.partitions.map((p) => ({ topic, partition: p.partition, spec: 'latest' as const })))
  return {
    topics: states.map((t) => t.topic).sort(),
    replicaOrder: states.flatMap((t) => t.partitions.map((p) => `${t.topic}:${p.partition}=${p.replicas.join(',')}`)).sort(),
    leaders: mine.partitions.map((p) => `${p.partition}:${p.leader}:${p.isr.join(',')}`),
    dynamic,
    groups: (await kafka.listGroups()).groups.map((g) => g.groupId).sort(),
    committed: offsets.map((o) => `${o.topic}:${o.partition}=${o.offset}`).sort(),
    ends: ends.map((e) => `${e.partition}=${e.offset}`),
  }
}

const catalog = await loadCatalog()
const loaded = await Promise.all(catalog.entries.filter((e) => !e.error).map((e) => catalog.load(e.id)))
const runbooks = loaded.flatMap((l) => (l && 'runbook' in l ? [l.runbook] : []))

beforeAll(async () => {
  kafka = await connect({ bootstrapServers: testSandbox().bootstrap.split(','), clientId: 'bad-input-test' })
  await kafka.createTopics([{ topic, partitions: 3, replicationFactor: 3 }])
  for (const partition of [0, 1, 2])
    await kafka.produce(
      topic,
      Array.from({ length: 10 }, (_, i) => ({ partition, key: null, value: Buffer.from(`r${i}`) })),
    )
  await kafka.alterCommittedOffsets(
    group,
    [0, 1, 2].map((partition) => ({ topic, partition, offset: 5n })),
  )
})

afterAll(async () => {
  await kafka?.deleteTopics([topic]).catch(() => {})
  await kafka?.close()
})

describe('bad input is refused whatever the cluster state, by every runbook in the catalog', () => {
  it('covers every built-in runbook', () => {
    expect(runbooks.map((r) => r.id)).toEqual(expect.arrayContaining(['consumer-oom-replay', 'durability-audit', 'isr-shrink', 'unclean-election']))
  })

  it.each(runbooks.map((r) => [r.id, r] as const))(
    '%s: every refused value, option and approval is exit 2, one line on stderr, nothing changed',
    async (_id, runbook) => {
      const cases = await casesOf(runbook)
      // Every runbook declares parameters with a type that can be got wrong, and at least the unknown step.
      expect(cases.length).toBeGreaterThan(2)
      const before = await snapshot()
      const failures: string[] = []
      for (const c of cases) {
        const result = await runCli(['run', c.runbook, '--bootstrap-server', testSandbox().bootstrap, '--sessions-dir', sessions, '--yes', ...c.args])
        const lines = result.stderr.trimEnd().split('\n')
        const ok =
          result.code === 2 &&
          result.stderr.endsWith('\n') &&
          lines.length === 1 &&
          lines[0]!.startsWith('runbook run: ') &&
          lines[0]!.includes(c.names) &&
          !/\n\s+at /.test(result.stderr)
        if (!ok) failures.push(`${c.what}: exit ${result.code}, stderr ${JSON.stringify(result.stderr)}`)
      }
      expect(failures).toEqual([])
      expect(await snapshot()).toEqual(before)
    },
  )
})
