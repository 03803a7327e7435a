// The isr-shrink runbook against the in-memory fake: headless, dry run, interactive, bad input, drift, the
// in-run revert and `runbook undo`, throttle removal and the reassignment export. The real cluster and
// kafka-topics are in test/integration/isr-shrink/.

import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runRunbook, type RunOptions } from '../../../lib/engine/runner.ts'
import { readEvents, readUndo } from '../../../lib/engine/session.ts'
import { runUndo } from '../../../lib/engine/undo.ts'
import { fakeCluster, type FakeKafka } from '../../../lib/kafka/fake/index.ts'
import type { KafkaOps } from '../../../lib/kafka/types.ts'
import runbook from '../../../runbooks/isr-shrink/index.ts'
import { given, runOptions } from '../../support/run-options.ts'
import { scriptedIo, type ScriptedIo } from '../../../lib/testkit/index.ts'
import { undoOptions } from '../../support/undo-options.ts'

const now = Date.parse('2026-11-24T03:00:00Z')

/** orders (3 partitions, min ISR 2 override, retention override) and audit (inherits min ISR 2) on brokers 1-3; 2 and 3 killed. */
function incident(options: { kafka?: '4.3' | '3.9' } = {}): FakeKafka {
  const builder = fakeCluster({ kafka: options.kafka ?? '4.3' })
    .brokers(3)
    .brokerDefaults(options.kafka === '3.9' ? {} : { 'min.insync.replicas': '2' })
    .staticBrokerConfig({ 'min.insync.replicas': '2' })
    .topic('orders', {
      replicas: [
        [1, 2, 3],
        [1, 3, 2],
        [1, 2, 3],
      ],
      configs: { 'min.insync.replicas': '2', 'retention.ms': '3600000' },
    })
    .topic('audit', { replicas: [[1, 2, 3]] })
    .topic('calm', { replicas: [[1, 2]], configs: { 'min.insync.replicas': '1' } })
  for (const p of [0, 1, 2]) builder.records('orders', p, { count: 100, startMs: now - 120_000, stepMs: 1000 })
  const kafka = builder.build()
  kafka.killBroker(3, { lastContactMs: now - 30_000 }).killBroker(2, { lastContactMs: now - 20_000 })
  return kafka
}

const options = (io: ScriptedIo, kafka: KafkaOps, extra: Partial<RunOptions> = {}): RunOptions => runOptions(io, kafka, { clock: () => now, ...extra })

const quick = { 'sample-interval': '0s', 'wait-for-isr': '0s' }
/** The screen as one line: the renderer wraps long lines at the terminal width. */
const flat = (text: string) => text.replace(/\s+/g, ' ')
const headless = (kafka: KafkaOps, answers: Record<string, string>, extra: Partial<RunOptions> = {}) =>
  runRunbook(
    runbook,
    options(scriptedIo([], { interactive: false }), kafka, { given: given({ ...quick, ...answers }), approvals: { yes: true, hashes: [] }, ...extra }),
  )

async function minIsr(kafka: KafkaOps, topic: string) {
  const [config] = await kafka.describeConfigs([{ type: 'topic', name: topic }])
  const entry = config!.entries.find((e) => e.name === 'min.insync.replicas')!
  const overrides = Object.fromEntries(config!.entries.filter((e) => e.source === 'dynamic-topic').map((e) => [e.name, e.value]))
  return { value: entry.value, source: entry.source, overrides }
}

describe('find and cause', () => {
  it('reports kafka-topics’ conditions and what producers see, names the killed brokers with their last contact, and changes nothing', async () => {
    const kafka = incident()
    const io = scriptedIo([], { interactive: false })
    const result = await runRunbook(runbook, options(io, kafka, { given: given(quick) }))
    expect(result).toMatchObject({ status: 'done', exitCode: 0 })
    expect(kafka.mutations).toEqual([])
    const find = result.cells.find((c) => c.id === 'find')!.data as Record<string, string[]>
    expect(find.writesRefused).toEqual(['audit/0', 'orders/0', 'orders/1', 'orders/2'])
    expect(find.underMinIsr).toEqual(['audit/0', 'orders/0', 'orders/1', 'orders/2'])
    expect(find.atMinIsr).toEqual(['calm/0'])
    expect(result.cells.find((c) => c.id === 'action')).toMatchObject({ decision: 'report' })
    const screen = flat(io.screen())
    expect(screen).toContain('NOT_ENOUGH_REPLICAS on every retry')
    expect(screen).toContain('Out of sync: brokers 2, 3')
    expect(screen).toContain(
      'Broker 3 (rack r3): FENCED by the controller; NOTHING LISTENS on its port (the process is gone); the controller last heard from it at 2026-11-24T02:59:30Z (30 s before this check); out of the ISR of 4 partitions (audit/0, orders/0, orders/1, orders/2)',
    )
    expect(screen).toContain(
      'Recommended: Lower min.insync.replicas to 1 on 2 topics (audit, orders) — 4 failing partitions have no replica catching up (broker 2, 3 down or hung)',
    )
    expect(screen).toContain('ELR) are on in this cluster')
  })

  it('explains per version: 3.9 has no ELR and cannot tell a fenced broker from a gone one', async () => {
    const kafka = incident({ kafka: '3.9' })
    const io = scriptedIo([], { interactive: false })
    await runRunbook(runbook, options(io, kafka, { given: given(quick) }))
    expect(flat(io.screen())).toContain('Kafka 3.9 has no eligible leader replicas')
    expect(flat(io.screen())).toContain('NOT REGISTERED (gone, or fenced on a cluster that cannot say)')
  })

  it('says there is nothing to do on a healthy cluster', async () => {
    const kafka = fakeCluster().brokers(3).topic('t', { partitions: 2 }).build()
    const io = scriptedIo([], { interactive: false })
    const result = await runRunbook(runbook, options(io, kafka, { given: given(quick) }))
    expect(result.exitCode).toBe(0)
    expect(io.screen()).toContain('nothing to do')
    expect(result.cells.find((c) => c.id === 'action')).toMatchObject({ outcome: 'skipped' })
  })
})

describe('lower min.insync.replicas', () => {
  it('headless: sets exactly the planned value, keeps every other override, clears ELR, and runbook undo restores value and source', async () => {
    const kafka = incident()
    const elrBefore = kafka.inspect('orders', 0).elr
    expect(elrBefore.length).toBeGreaterThan(0)
    const result = await headless(kafka, { action: 'lower-min-isr', value: '1' })
    expect(result, result.message).toMatchObject({ status: 'done', exitCode: 0 })
    expect(await minIsr(kafka, 'orders')).toEqual({ value: '1', source: 'dynamic-topic', overrides: { 'min.insync.replicas': '1', 'retention.ms': '3600000' } })
    expect(await minIsr(kafka, 'audit')).toMatchObject({ value: '1', source: 'dynamic-topic' })
    expect(await minIsr(kafka, 'calm')).toMatchObject({ value: '1', source: 'dynamic-topic' })
    expect(kafka.inspect('orders', 0).elr).toEqual([])
    expect(kafka.write('orders', 0, 1).error).toBeUndefined()
    const lower = result.cells.find((c) => c.id === 'lower-min-isr')!
    expect(lower).toMatchObject({ outcome: 'applied', verified: true })
    expect(lower.summary).toBe(
      'set min.insync.replicas=1 on audit, orders: acks=all writes resume on 4 partitions, acknowledged by a single copy (the leader alone) until the ISR is back',
    )
    // Validate-only first, then the change itself: two calls, one write.
    expect(kafka.mutations).toEqual(['incrementalAlterConfigs'])
    expect(result.cells.find((c) => c.id === 'watch-isr')).toMatchObject({ data: { recovered: false } })
    expect(result.cells.find((c) => c.id === 'revert')).toMatchObject({ outcome: 'skipped' })

    const undone = await runUndo(
      undoOptions({
        runbook,
        ...undoBase(),
        io: scriptedIo([], { interactive: false }),
        kafka,
        sessionDir: result.sessionDir,
      }),
    )
    expect(undone, undone.message).toMatchObject({ status: 'done', exitCode: 0 })
    expect(await minIsr(kafka, 'orders')).toEqual({ value: '2', source: 'dynamic-topic', overrides: { 'min.insync.replicas': '2', 'retention.ms': '3600000' } })
    expect(await minIsr(kafka, 'audit')).toEqual({ value: '2', source: 'dynamic-broker-default', overrides: {} })
  })

  it('a dry run prints the plan with its hash and changes nothing', async () => {
    const kafka = incident()
    const io = scriptedIo([], { interactive: false })
    const result = await runRunbook(runbook, options(io, kafka, { given: given({ ...quick, action: 'lower-min-isr', topics: 'orders' }), dryRun: true }))
    expect(result).toMatchObject({ status: 'dry-run', exitCode: 0 })
    expect(kafka.mutations).toEqual([])
    const lower = result.cells.find((c) => c.id === 'lower-min-isr')!
    expect(lower).toMatchObject({ outcome: 'planned', planHash: expect.stringMatching(/^[0-9a-f]{16}$/) })
    expect(flat(io.screen())).toContain(`--approve lower-min-isr=${lower.planHash}`)
    expect(flat(io.screen())).toContain(
      'kafka-configs --bootstrap-server "$KAFKA_BOOTSTRAP_SERVERS" --entity-type topics --entity-name orders --alter --add-config min.insync.replicas=2',
    )
  })

  it.each<{ name: string; answers: Record<string, string>; message: string }>([
    { name: 'unknown topic', answers: { topics: 'nope' }, message: 'topic nope does not exist on this cluster' },
    { name: 'min ISR 0', answers: { value: '0' }, message: 'value: 0 is below the minimum of 1' },
    {
      name: 'min ISR above the replication factor',
      answers: { topics: 'orders', value: '4' },
      message: 'min.insync.replicas=4 is above the replication factor of orders (3)',
    },
    { name: 'a topic whose writes do not fail', answers: { topics: 'calm', value: '1' }, message: 'topic calm has no partition under its min ISR' },
  ])('bad input, $name: one line, nothing changed', async ({ answers, message }) => {
    const kafka = incident()
    const result = await headless(kafka, { action: 'lower-min-isr', ...answers })
    expect(result.exitCode).toBe(2)
    expect(result.message).toContain(message)
    expect(result.message).toMatch(/nothing changed$/)
    expect(result.message!.split('\n')).toHaveLength(1)
    expect(kafka.mutations).toEqual([])
  })

  it('stops without applying when the ISR changed between the plan and the apply (exit 3)', async () => {
    const kafka = incident()
    const io = scriptedIo([{ type: '1' }, { confirm: false, message: /new plan/ }])
    io.beforeNextPrompt(() => void kafka.restartBroker(2))
    const result = await runRunbook(runbook, options(io, kafka, { given: given({ ...quick, action: 'lower-min-isr', topics: 'orders', value: '1' }) }))
    expect(result.status).toBe('drifted')
    expect(result.exitCode).toBe(3)
    expect(await minIsr(kafka, 'orders')).toMatchObject({ value: '2' })
  })

  it('a recovery read from one stale answer is not a recovery: the watch reads again a second later, and the revert is not offered', async () => {
    const kafka = incident()
    // The watch's first read sees brokers 2 and 3 back (a broker just resumed from a pause answers from its old
    // metadata); by the next read they are out again, as they really were. (The apply's own read-back comes first.)
    let phase: 'before' | 'verify' | 'stale' | 'again' | 'after' = 'before'
    const stale = new Proxy(kafka, {
      get(target, property, receiver) {
        if (property === 'incrementalAlterConfigs' && phase === 'before') phase = 'verify'
        else if (property === 'partitionStates' && phase === 'verify') phase = 'stale'
        else if (property === 'partitionStates' && phase === 'stale') {
          phase = 'again'
          target.restartBroker(2).restartBroker(3)
        } else if (property === 'partitionStates' && phase === 'again') {
          phase = 'after'
          target.killBroker(3, { lastContactMs: now }).killBroker(2, { lastContactMs: now })
        }
        const value = Reflect.get(target, property, receiver)
        return typeof value === 'function' ? value.bind(target) : value
      },
    })
    const result = await headless(stale, { action: 'lower-min-isr', value: '1' }, { clock: Date.now })
    expect(result, result.message).toMatchObject({ status: 'done', exitCode: 0 })
    expect(result.cells.find((c) => c.id === 'watch-isr')).toMatchObject({ data: { recovered: false } })
    expect(result.cells.find((c) => c.id === 'revert')).toMatchObject({ outcome: 'skipped' })
    expect(await minIsr(kafka, 'orders')).toMatchObject({ value: '1' })
    expect(phase).toBe('after')
  })

  it('interactive: the choice, the typed value, and the revert offered once the ISR is back', async () => {
    const kafka = incident()
    // The brokers come back while the runbook watches.
    let lowered = false
    const watching = new Proxy(kafka, {
      get(target, property, receiver) {
        if (property === 'partitionStates' && lowered) {
          lowered = false
          target.restartBroker(2).restartBroker(3)
        }
        if (property === 'incrementalAlterConfigs') lowered = true
        const value = Reflect.get(target, property, receiver)
        return typeof value === 'function' ? value.bind(target) : value
      },
    })
    const io = scriptedIo([
      { select: 'lower-min-isr', message: /What do you want to do/ },
      { type: '1', message: /Type 1 to let acks=all writes on 2 topic/ },
      { select: 'now', message: /Restore min.insync.replicas now/ },
      { confirm: true, message: /Restore min.insync.replicas on audit, orders/ },
    ])
    const result = await runRunbook(runbook, options(io, watching, { given: given({ 'sample-interval': '0s', 'wait-for-isr': '5s' }), clock: Date.now }))
    expect(result, result.message).toMatchObject({ status: 'done', exitCode: 0 })
    expect(io.remaining()).toBe(0)
    expect(await minIsr(kafka, 'orders')).toEqual({ value: '2', source: 'dynamic-topic', overrides: { 'min.insync.replicas': '2', 'retention.ms': '3600000' } })
    expect(await minIsr(kafka, 'audit')).toEqual({ value: '2', source: 'dynamic-broker-default', overrides: {} })
    expect(readUndo(join(result.sessionDir, 'undo', 'lower-min-isr.json')).status).toBe('undone')
    expect(readEvents(result.sessionDir).some((e) => e.type === 'undone' && e.cell === 'lower-min-isr')).toBe(true)
  })
})

describe('other ways out', () => {
  it('removes exactly the throttle entries that hold a live follower back, and undo puts them back', async () => {
    const kafka = fakeCluster()
      .brokers(3)
      .brokerDefaults({ 'leader.replication.throttled.rate': '1', 'follower.replication.throttled.rate': '1' })
      .topic('t', {
        replicas: [[1, 2, 3]],
        configs: {
          'min.insync.replicas': '2',
          'leader.replication.throttled.replicas': '*',
          'follower.replication.throttled.replicas': '0:3,0:9',
          'retention.ms': '1000',
        },
      })
      .build()
    kafka.dropFromIsr('t', 0, 3)
    const io = scriptedIo([], { interactive: false })
    const result = await runRunbook(
      runbook,
      options(io, kafka, { given: given({ ...quick, action: 'remove-throttle' }), approvals: { yes: true, hashes: [] } }),
    )
    expect(result, result.message).toMatchObject({ status: 'done', exitCode: 0 })
    expect(flat(io.screen())).toContain(
      'Recommended: Remove the replication throttle that holds back 1 replica — 1 out-of-sync replica(s) are alive but held back by a replication throttle',
    )
    expect(flat(io.screen())).toContain('held back by a replication throttle')
    expect((await minIsr(kafka, 't')).overrides).toEqual({
      'min.insync.replicas': '2',
      'follower.replication.throttled.replicas': '0:9',
      'retention.ms': '1000',
    })
    const undone = await runUndo(
      undoOptions({
        runbook,
        ...undoBase(),
        io: scriptedIo([], { interactive: false }),
        kafka,
        sessionDir: result.sessionDir,
      }),
    )
    expect(undone.exitCode).toBe(0)
    expect((await minIsr(kafka, 't')).overrides).toEqual({
      'min.insync.replicas': '2',
      'leader.replication.throttled.replicas': '*',
      'follower.replication.throttled.replicas': '0:3,0:9',
      'retention.ms': '1000',
    })
  })

  it('exports a reassignment plan for a broker gone for good into the session folder, applying nothing', async () => {
    const kafka = fakeCluster()
      .brokers(4)
      .topic('pairs', {
        replicas: [
          [1, 3],
          [3, 2],
        ],
        configs: { 'min.insync.replicas': '2' },
      })
      .build()
    kafka.killBroker(3)
    const result = await headless(kafka, { action: 'export-reassignment' })
    expect(result, result.message).toMatchObject({ status: 'done', exitCode: 0 })
    expect(kafka.mutations).toEqual([])
    const file = join(result.sessionDir, 'reassignment.json')
    expect(existsSync(join(result.sessionDir, 'reassignment-rollback.json'))).toBe(true)
    // Broker 3's place goes to a broker that holds no replica of the partition, the least loaded first.
    expect(JSON.parse(readFileSync(file, 'utf8')).partitions.map((p: { replicas: number[] }) => p.replicas)).toEqual([
      [1, 4],
      [1, 2],
    ])
  })

  it('waits in vain for a broker that does not come back: stops with the next step, nothing changed', async () => {
    const kafka = incident()
    const result = await headless(kafka, { action: 'wait', 'wait-for-isr': '0s' })
    expect(result.exitCode).toBe(2)
    expect(result.message).toMatch(
      /still waiting for acks=all writes accepted again on the 4 refusing partitions.*--set action=lower-min-isr\); nothing changed$/,
    )
    expect(result.cells.find((c) => c.id === 'restart-command')).toMatchObject({ outcome: 'skipped' })
  })
})

function undoBase() {
  return {
    operator: 'alice',
    host: 'laptop',
    cluster: { origin: 'test' },
    args: [],
    secrets: [],
    toolVersion: 'test',
    signal: new AbortController().signal,
    dryRun: false,
    findRunbook: () => runbook,
    clock: () => now,
  }
}
