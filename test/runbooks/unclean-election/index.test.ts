import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { describeRunbook } from '../../../lib/engine/describe-runbook.ts'
import { runRunbook, type RunOptions } from '../../../lib/engine/runner.ts'
import { readEvents, readUndo } from '../../../lib/engine/session.ts'
import { runUndo } from '../../../lib/engine/undo.ts'
import { fakeCluster, type FakeKafka } from '../../../lib/kafka/fake/index.ts'
import type { PartitionState } from '../../../lib/kafka/types.ts'
import { renderBlocks } from '../../../lib/terminal/render.ts'
import runbook from '../../../runbooks/unclean-election/index.ts'
import { given, runOptions } from '../../support/run-options.ts'
import { scriptedIo, type ScriptedIo } from '../../../lib/testkit/index.ts'
import { undoOptions } from '../../support/undo-options.ts'
import { onCellStart, staleOnce } from '../../support/stale-reads.ts'

const clock = () => Date.parse('2026-11-24T03:00:00Z')

/**
 * The lab's incident on the fake: orders-0 and orders-1 (replicas 1,2,3, min ISR 2) take 1,000 records in sync,
 * follower 3 falls out of the ISR, 800 more acks=1 records reach 1 and 2 only, a group reads up to 1,500, then
 * brokers 2 and 1 die. orders-2 (replicas 3,1,2) keeps a leader; `healthy` is on brokers 2,3 only.
 */
function incident(options: { kafka?: '4.3' | '3.9'; elr?: boolean } = {}): FakeKafka {
  const kafka = fakeCluster({ kafka: options.kafka ?? '4.3', ...(options.elr === undefined ? {} : { elr: options.elr }) })
    .brokers(3)
    .topic('orders', {
      replicas: [
        [1, 2, 3],
        [1, 2, 3],
        [3, 1, 2],
      ],
      configs: { 'min.insync.replicas': '2' },
    })
    .topic('healthy', { replicas: [[2, 3]] })
    .group('billing', { offsets: { 'orders/0': 1500n, 'orders/1': 900n } })
    .build()
  for (const partition of [0, 1]) {
    kafka.write('orders', partition, 1000, { acks: 1, timestampMs: clock() - 120_000, stepMs: 10 })
    kafka.dropFromIsr('orders', partition, 3)
    kafka.write('orders', partition, 800, { acks: 1, stepMs: 10 })
  }
  kafka.killBroker(2).killBroker(1)
  return kafka
}

const options = (io: ScriptedIo, kafka: FakeKafka, extra: Partial<RunOptions> = {}): RunOptions => runOptions(io, kafka, { clock, ...extra })

const headless = () => scriptedIo([], { interactive: false })
/** Guided runs are asked for the dead brokers' folders first (their replicas may hold what the candidates lack). */
const noDeadDir = { input: '', message: /Log directory of the dead broker/ } as const
/** What a broker just back from a pause still answers for orders-0 and -1: the leader and ISR from before the failure. */
const beforeTheFailure = (p: PartitionState) => (p.topic === 'orders' && p.leader === null ? { ...p, leader: 1, isr: [1, 2] } : p)
/** The outage and policy given up front: the pricing cell asks nothing. */
const fast = { 'aftermath-wait': '0s', 'expected-outage': 'unknown', policy: 'min-records' }

describe('unclean-election: finding and pricing (headless dry run)', () => {
  it('finds the leaderless partitions, says what brings them back, prices each live replica, and plans without changing anything', async () => {
    const kafka = incident()
    const io = headless()
    const result = await runRunbook(runbook, options(io, kafka, { dryRun: true, given: given({ partitions: 'orders:0', candidate: '3' }) }))
    expect(result).toMatchObject({ status: 'dry-run', exitCode: 0 })
    expect(kafka.mutations).toEqual([])

    const find = result.cells.find((c) => c.id === 'find')!.data as {
      snapshot: { partitions: { partition: number; isr: number[]; elr: number[]; lastKnownElr: number[] }[] }
    }
    expect(find.snapshot.partitions.map((p) => [p.partition, p.isr, p.elr, p.lastKnownElr])).toEqual([
      [0, [], [1, 2], [1]],
      [1, [], [1, 2], [1]],
    ])
    const screen = io.screen()
    expect(screen).toContain('bring back broker 1 (the last leader, its last known ELR)')
    expect(screen).toContain('eligible leader replicas (ELR) on')

    const estimate = result.cells.find((c) => c.id === 'estimate')!.data as {
      estimates: { partition: number; best: number; candidates: { broker: number; logEndOffset: bigint; certainLoss: bigint }[] }[]
    }
    // Broker 3 stopped at 1,000; billing read orders-0 up to 1,500 (500 proven) and orders-1 only to 900 (none).
    expect(estimate.estimates.map((e) => [e.partition, e.candidates.map((c) => [c.broker, c.logEndOffset, c.certainLoss])])).toEqual([
      [0, [[3, 1000n, 500n]]],
      [1, [[3, 1000n, 0n]]],
    ])

    const elect = result.cells.find((c) => c.id === 'elect')!
    expect(elect).toMatchObject({
      outcome: 'planned',
      summary: 'reorder 1 replica list, then elect broker 3 uncleanly on 1 partition: at least 500 records lost',
    })
    expect(elect.planHash).toMatch(/^[0-9a-f]+$/)
    const notes = readEvents(result.sessionDir)
      .flatMap((e) => (e.type === 'output' ? e.blocks : []))
      .map((b) => ('text' in b ? b.text : ''))
    expect(notes.some((t) => t.includes(`--approve elect=${elect.planHash}`))).toBe(true)
    expect(screen).toMatch(/Kafka would elect broker|broker 3 becomes the preferred leader/)
  })

  it('prints the 3.9 explanation and the ISR member to bring back on a 3.9 cluster', async () => {
    const kafka = incident({ kafka: '3.9' })
    const io = headless()
    const result = await runRunbook(runbook, options(io, kafka, { dryRun: true, given: given({ partitions: 'orders:0', candidate: '3' }) }))
    expect(result.exitCode).toBe(0)
    expect(io.screen()).toContain('This cluster runs Kafka 3.9, which has no eligible leader replicas')
    expect(io.screen()).toContain('bring back broker 1 (still listed as the ISR)')
    expect(io.screen()).not.toContain('ELR) on')
  })

  it('has nothing to do when every partition has a leader', async () => {
    const kafka = fakeCluster().brokers(3).topic('orders', { partitions: 2 }).build()
    const io = headless()
    const result = await runRunbook(runbook, options(io, kafka))
    expect(result).toMatchObject({ status: 'done', exitCode: 0 })
    expect(result.cells.filter((c) => c.outcome === 'skipped').map((c) => c.id)).toEqual([
      'what-kafka-does',
      'estimate',
      'cost-of-waiting',
      'decision',
      'restart',
      'cost-after-restart',
      'decision-after-restart',
      'salvage',
      'salvage-copy',
      'await-leaders',
      'elect',
      'unclean-flag',
      'aftermath',
      'reproduce',
    ])
    expect(io.screen()).toContain('there is nothing to elect')
  })
})

describe('unclean-election: the election', () => {
  it('applies exactly the approved plan: reorders, elects only the listed partition, verifies, and leaves an undo record', async () => {
    const kafka = incident()
    const dry = await runRunbook(runbook, options(headless(), kafka, { dryRun: true, given: given({ partitions: 'orders:0', candidate: '3' }) }))
    const hash = dry.cells.find((c) => c.id === 'elect')!.planHash!
    const io = headless()
    const result = await runRunbook(
      runbook,
      options(io, kafka, { given: given({ partitions: 'orders:0', candidate: '3', ...fast }), approvals: { yes: false, hashes: [`elect=${hash}`] } }),
    )
    expect(result).toMatchObject({ status: 'done', exitCode: 0 })
    expect(kafka.mutations).toEqual(['alterPartitionReassignments', 'electLeaders:unclean'])
    expect(kafka.inspect('orders', 0)).toMatchObject({ leader: 3, replicas: [3, 1, 2], isr: [3], highWatermark: 1000n })
    // The partition that was not listed is untouched, still without a leader.
    expect(kafka.inspect('orders', 1)).toMatchObject({ leader: null, replicas: [1, 2, 3] })
    expect(result.cells.find((c) => c.id === 'elect')).toMatchObject({ outcome: 'applied', verified: true })
    const undo = readUndo<{ reorders: unknown[] }>(join(result.sessionDir, 'undo', 'elect.json'))
    expect(undo).toMatchObject({ status: 'applied', record: { reorders: [{ topic: 'orders', partition: 0, original: [1, 2, 3], reordered: [3, 1, 2] }] } })
    expect(JSON.parse(readFileSync(join(result.sessionDir, 'undo', 'restore-replica-order.json'), 'utf8'))).toEqual({
      version: 1,
      partitions: [{ topic: 'orders', partition: 0, replicas: [1, 2, 3] }],
    })

    const aftermath = result.cells.find((c) => c.id === 'aftermath')!.data as { groupsPast: { groupId: string; committed: bigint; epochStart: bigint }[] }
    expect(aftermath.groupsPast).toEqual([
      { groupId: 'billing', partition: { topic: 'orders', partition: 0 }, committed: 1500n, epochStart: 1000n, logEnd: 1000n },
    ])
    expect(io.screen()).toContain('consumer-oom-replay --set group=billing --set from-file=')
    expect(readFileSync(join(result.sessionDir, 'rewind-billing.csv'), 'utf8')).toBe('orders,0,1000\n')

    const undone = await runUndo(
      undoOptions({
        runbook,
        io: headless(),
        kafka,
        sessionDir: result.sessionDir,
        sessionsDir: mkdtempSync(join(tmpdir(), 'unclean-undo-')),
        operator: 'alice',
      }),
    )
    expect(undone.exitCode).toBe(0)
    expect(kafka.inspect('orders', 0)).toMatchObject({ leader: 3, replicas: [1, 2, 3] })
  })

  it('a guided run: asks for the choice, the partitions and the candidate, and wants the loss typed', async () => {
    const kafka = incident()
    const io = scriptedIo([
      noDeadDir,
      { input: '4h', message: /How long until that broker is back/ },
      { select: 'min-records', message: /Which matters more/ },
      { select: 'elect', message: /How do you want/ },
      { input: 'orders:0,orders:1', message: /Which partitions/ },
      { select: '3', message: /Which broker/ },
      { type: '2 partitions, at least 500 lost' },
    ])
    const result = await runRunbook(runbook, options(io, kafka, { given: given({ 'aftermath-wait': '0s' }) }))
    expect(result).toMatchObject({ status: 'done', exitCode: 0 })
    expect(io.remaining()).toBe(0)
    expect(io.asked.find((a) => a.kind === 'select' && /How do you want/.test(a.message))!.choices!.map((c) => c.value)).toEqual([
      'wait',
      'restart',
      'elect',
      'flag',
    ])
    // Four hours at the measured 200 records/s: millions of failed writes against at least 500 records deleted.
    expect(io.screen()).toContain('Recommended: Elect the least-loss live replica uncleanly')
    expect(io.screen()).toContain('Waiting lasts until broker 1 is back')
    expect([kafka.inspect('orders', 0).leader, kafka.inspect('orders', 1).leader]).toEqual([3, 3])
    const typed = readEvents(result.sessionDir).find((e) => e.type === 'confirmation')
    expect(typed).toMatchObject({ method: 'typed', accepted: true, expected: '2 partitions, at least 500 lost' })
  })

  it('stops when an in-sync replica comes back between the plan and the confirmation: nothing needs to be lost', async () => {
    const kafka = incident()
    const io = scriptedIo([noDeadDir, { select: 'elect' }, { type: '1 partition, at least 500 lost' }, { confirm: false, message: /new plan/ }])
    io.beforeNextPrompt(() => io.beforeNextPrompt(() => io.beforeNextPrompt(() => void kafka.restartBroker(1))))
    const result = await runRunbook(runbook, options(io, kafka, { given: given({ partitions: 'orders:0', candidate: '3', ...fast }) }))
    expect(result).toMatchObject({ status: 'drifted', exitCode: 3 })
    expect(result.message).toContain('leader of orders-0')
    expect(kafka.mutations).toEqual([])
    expect(kafka.inspect('orders', 0)).toMatchObject({ leader: 1, replicas: [1, 2, 3] })
  })

  it('refuses an approved hash once the live replicas moved on (the loss figures behind it are stale)', async () => {
    const kafka = incident({ elr: false })
    const sessionsDir = mkdtempSync(join(tmpdir(), 'unclean-approve-'))
    const dry = await runRunbook(runbook, options(headless(), kafka, { dryRun: true, given: given({ partitions: 'orders:0', candidate: '3' }), sessionsDir }))
    const hash = dry.cells.find((c) => c.id === 'elect')!.planHash!
    kafka.restartBroker(2) // out of the ISR with ELR off: alive, not elected, and now a second candidate
    const result = await runRunbook(
      runbook,
      options(headless(), kafka, {
        given: given({ partitions: 'orders:0', candidate: '3', ...fast }),
        approvals: { yes: false, hashes: [`elect=${hash}`] },
        sessionsDir,
      }),
    )
    expect(result).toMatchObject({ status: 'drifted', exitCode: 3 })
    expect(result.message).toMatch(new RegExp(`dry run ${dry.sessionId} is not the plan now`))
    expect(kafka.mutations).toEqual([])
  })

  it.each([
    {
      name: 'a partition with a leader',
      set: { partitions: 'orders:2', candidate: '3' },
      message: 'orders-2 has a leader (broker 3): there is nothing to elect',
    },
    { name: 'a dead candidate', set: { partitions: 'orders:0', candidate: '1' }, message: 'broker 1 is not alive for orders-0 (live replicas: 3)' },
    {
      name: 'a broker the cluster does not know',
      set: { partitions: 'orders:0', candidate: '7' },
      message: 'broker 7 is not in this cluster (registered: 1, 2, 3)',
    },
    { name: 'an unknown topic', set: { partitions: 'ordres:0', candidate: '3' }, message: 'topic ordres does not exist' },
    { name: 'an unknown partition', set: { partitions: 'orders:9', candidate: '3' }, message: 'orders has no partition 9 (it has 3: 0-2)' },
    { name: 'a malformed partition', set: { partitions: 'orders', candidate: '3' }, message: 'partitions: "orders" is not topic:partition' },
  ])('refuses $name in one line, changing nothing', async ({ set, message }) => {
    const kafka = incident()
    const result = await runRunbook(runbook, options(headless(), kafka, { given: given(set), approvals: { yes: true, hashes: [] } }))
    expect(result).toMatchObject({ status: 'refused', exitCode: 2 })
    expect(result.message).toContain(message)
    expect(result.message).toMatch(/nothing changed$/)
    expect(result.message).not.toContain('\n')
    expect(kafka.mutations).toEqual([])
  })
})

describe('unclean-election: waiting', () => {
  it('watches Kafka elect the returning last leader, with nothing lost', async () => {
    const kafka = incident()
    const io = scriptedIo([noDeadDir, { select: 'wait' }])
    io.beforeNextPrompt(() => io.beforeNextPrompt(() => void setTimeout(() => kafka.restartBroker(1), 300)))
    const result = await runRunbook(runbook, options(io, kafka, { given: given({ 'wait-timeout': '10s', ...fast }) }))
    expect(result).toMatchObject({ status: 'done', exitCode: 0 })
    expect(result.cells.find((c) => c.id === 'restart')).toMatchObject({ outcome: 'skipped' })
    expect(result.cells.find((c) => c.id === 'await-leaders')!.data).toEqual({ led: 2, of: 2 })
    expect(kafka.mutations).toEqual([])
    expect(kafka.inspect('orders', 0)).toMatchObject({ leader: 1, highWatermark: 1800n })
    expect(io.screen()).toContain('no committed record was lost')
  })

  it('the aftermath does not report the partitions back at min ISR from one read of old metadata: the next read must agree', async () => {
    const kafka = incident()
    const io = scriptedIo([noDeadDir, { select: 'wait' }])
    io.beforeNextPrompt(() => io.beforeNextPrompt(() => void setTimeout(() => kafka.restartBroker(1), 300)))
    // Broker 1 is back and leads with ISR [1]; a broker still on its old metadata lists the ISR from before the failure.
    const stale = staleOnce(kafka, (p) => (p.topic === 'orders' && p.partition < 2 ? { ...p, isr: [1, 2] } : p))
    onCellStart(io, 'Aftermath', () => stale.arm())
    const result = await runRunbook(runbook, options(io, kafka, { given: given({ 'wait-timeout': '10s', ...fast }) }))
    expect(result).toMatchObject({ status: 'done', exitCode: 0 })
    expect(stale.served()).toBe(1)
    const aftermath = result.cells.find((c) => c.id === 'aftermath')!.data as { partitions: { isr: number[] }[] }
    expect(aftermath.partitions.map((p) => p.isr)).toEqual([[1], [1]])
    expect(io.screen()).toContain('orders-0, orders-1: below min.insync.replicas')
  })

  it('one read that lists every partition led, from a broker still on its old metadata, does not end the wait: the next read must agree', async () => {
    const kafka = incident()
    const io = headless()
    const stale = staleOnce(kafka, beforeTheFailure)
    onCellStart(io, 'Watch Kafka elect the returning broker', () => stale.arm())
    const result = await runRunbook(runbook, options(io, kafka, { given: given({ 'wait-timeout': '2s', 'expected-outage': '90s', 'aftermath-wait': '0s' }) }))
    expect(stale.served()).toBe(1)
    expect(result).toMatchObject({ status: 'refused', exitCode: 2 })
    expect(result.message).toMatch(/^2 partitions still without a leader after 2 s/)
    expect(io.screen()).not.toContain('Every partition has a leader again')
  })

  it('headless without a candidate waits when the pricing says so (an outage within the delivery timeout), and says when nothing came back', async () => {
    const kafka = incident()
    const result = await runRunbook(runbook, options(headless(), kafka, { given: given({ 'wait-timeout': '1s', 'expected-outage': '90s' }) }))
    expect(result).toMatchObject({ status: 'refused', exitCode: 2 })
    expect(result.message).toMatch(/^2 partitions still without a leader after 1 s/)
    expect(result.cells.find((c) => c.id === 'decision')).toMatchObject({ decision: 'wait' })
    expect(kafka.mutations).toEqual([])
  })
})

describe('unclean-election: a flag already on', () => {
  it('warns that a returning broker would hand leadership to the first live replica, and stops recommending the wait', async () => {
    const kafka = incident()
    await kafka.incrementalAlterConfigs(
      [{ resource: { type: 'topic', name: 'orders' }, ops: [{ name: 'unclean.leader.election.enable', op: 'set', value: 'true' }] }],
      { validateOnly: false },
    )
    const io = headless()
    const result = await runRunbook(runbook, options(io, kafka, { dryRun: true, given: given({ partitions: 'orders:0', candidate: '3' }) }))
    expect(result.exitCode).toBe(0)
    const decision = readEvents(result.sessionDir).find((e) => e.type === 'decision') as unknown as {
      recommended: string | null
      options: { value: string; risk: string; unavailable?: string }[]
    }
    expect(decision.recommended).toBeNull()
    expect(decision.options.find((o) => o.value === 'wait')!.risk).toContain(
      'a returning broker sets off an unclean election of the first live replica (orders-0 → broker 3) — turn the flag off before restarting anything',
    )
    // The flag option is not offered again: it is on already.
    expect(decision.options.find((o) => o.value === 'flag')!.unavailable).toBe('the flag is already on for these topics')
    expect(io.screen().replace(/\s+/g, ' ')).toContain('the controller will elect the first live replica (orders-0 → broker 3, orders-1 → broker 3) on its own')
  })
})

describe('unclean-election: the one-shot flag', () => {
  it('turns the flag on, lets the controller pick, turns it back, and records nothing left to undo', async () => {
    const kafka = incident()
    const io = scriptedIo([noDeadDir, { select: 'flag' }, { input: 'orders:0' }, { type: 'unclean orders' }])
    // While the flag is on, broker 2 (an ELR member that crashed) comes back: its registration sets off the
    // election and the live, lagging broker 3 wins (the hazard measured on 4.3.1).
    io.beforeNextPrompt(() => void setTimeout(() => kafka.restartBroker(2), 300))
    const result = await runRunbook(runbook, options(io, kafka, { given: given({ 'flag-timeout': '10s', ...fast }) }))
    expect(result).toMatchObject({ status: 'done', exitCode: 0 })
    expect(kafka.inspect('orders', 0).leader).toBe(3)
    expect(kafka.mutations).toEqual(['incrementalAlterConfigs', 'incrementalAlterConfigs'])
    const [config] = await kafka.describeConfigs([{ type: 'topic', name: 'orders' }], { names: ['unclean.leader.election.enable'] })
    expect(config!.entries[0]).toMatchObject({ value: 'false', source: 'default' })
    expect(readUndo<{ topics: unknown[] }>(join(result.sessionDir, 'undo', 'unclean-flag.json')).record.topics).toEqual([])
    expect(io.screen()).toContain('Kafka will elect')
    expect(io.screen()).toContain('unclean.leader.election.enable is off for orders (this run turned it back)')
  })

  it('keeps the flag on past one read that lists the partitions led from old metadata: turned back only once a second read agrees', async () => {
    const kafka = incident()
    const io = headless()
    const stale = staleOnce(kafka, beforeTheFailure)
    // The watch's first read (right after the flag is set) answers from before the failure; broker 2 returns
    // before the read after it, and with the flag on its registration sets off the election.
    const alter = kafka.incrementalAlterConfigs.bind(kafka)
    let set = false
    kafka.incrementalAlterConfigs = async (...args) => {
      const results = await alter(...args)
      if (!set) stale.arm(() => kafka.restartBroker(2))
      set = true
      return results
    }
    const result = await runRunbook(
      runbook,
      options(io, kafka, { given: given({ ...fast, decision: 'flag', partitions: 'orders:0', 'flag-timeout': '10s' }), approvals: { yes: true, hashes: [] } }),
    )
    expect(stale.served()).toBe(1)
    expect(result, result.message).toMatchObject({ status: 'done', exitCode: 0 })
    expect(kafka.inspect('orders', 0).leader).toBe(3)
    const [config] = await kafka.describeConfigs([{ type: 'topic', name: 'orders' }], { names: ['unclean.leader.election.enable'] })
    expect(config!.entries[0]).toMatchObject({ value: 'false', source: 'default' })
  })

  it('turns the flag back when the controller does not elect in time, and fails the verification', async () => {
    const kafka = incident()
    const io = scriptedIo([noDeadDir, { select: 'flag' }, { input: 'orders:0' }, { type: 'unclean orders' }])
    const result = await runRunbook(runbook, options(io, kafka, { given: given({ 'flag-timeout': '1s', ...fast }) }))
    expect(result).toMatchObject({ status: 'failed', exitCode: 1 })
    expect(kafka.inspect('orders', 0).leader).toBeNull()
    const [config] = await kafka.describeConfigs([{ type: 'topic', name: 'orders' }], { names: ['unclean.leader.election.enable'] })
    expect(config!.entries[0]!.value).toBe('false')
    expect(io.screen()).toContain('no election within 1 s')
  })
})

describe('unclean-election: Ctrl-C while the flag is on', () => {
  it('turns the flag back at once and stops as interrupted', async () => {
    const kafka = incident()
    const abort = new AbortController()
    const io = scriptedIo([noDeadDir, { select: 'flag' }, { input: 'orders:0' }, { type: 'unclean orders' }])
    io.beforeNextPrompt(() => void setTimeout(() => abort.abort(), 300))
    const result = await runRunbook(runbook, options(io, kafka, { signal: abort.signal, given: given({ 'flag-timeout': '60s', ...fast }) }))
    expect(result).toMatchObject({ status: 'interrupted', exitCode: 130 })
    const [config] = await kafka.describeConfigs([{ type: 'topic', name: 'orders' }], { names: ['unclean.leader.election.enable'] })
    expect(config!.entries[0]!.value).toBe('false')
    expect(kafka.mutations).toEqual(['incrementalAlterConfigs', 'incrementalAlterConfigs'])
    expect(io.screen()).toContain('stopped by Ctrl-C')
  })
})

describe('unclean-election: the notebook on paper', () => {
  it('prints every version of every explanation and the parameters', () => {
    const text = renderBlocks(describeRunbook(runbook), { color: false, width: 120 })
    for (const variant of ['4.x-elr-on', '4.x-elr-off', '3.9']) expect(text).toContain(`${variant}:`)
    expect(text).toContain('partitions')
    expect(text).toContain('--set decision=')
    expect(existsSync(join(import.meta.dirname, '../../../runbooks/unclean-election/index.ts'))).toBe(true)
  })
})
