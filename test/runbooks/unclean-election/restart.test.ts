import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runRunbook, type RunOptions } from '../../../lib/engine/runner.ts'
import { readEvents } from '../../../lib/engine/session.ts'
import { fakeCluster, type FakeKafka } from '../../../lib/kafka/fake/index.ts'
import type { OutagePricing } from '../../../lib/plans/outage-price.ts'
import type { RestartOutcome, WatchDeadline, WatchMilestones } from '../../../lib/plans/restart-watch.ts'
import { scriptedIo, type ScriptedIo } from '../../../lib/testkit/index.ts'
import { waitUntil, wallClock } from '../../../lib/poll/index.ts'
import runbook from '../../../runbooks/unclean-election/index.ts'
import { given, runOptions } from '../../support/run-options.ts'
import { onCellStart, staleOnce } from '../../support/stale-reads.ts'

/**
 * orders-0 and orders-1 (replicas 1,2,3, min ISR 2) take 1,000 records at 100 records/s in sync, follower 3 falls
 * out of the ISR, 800 more acks=1 records reach 1 and 2 only, then brokers 2 and 1 die (ELR on: broker 1, the last
 * leader, is elected as soon as it returns).
 */
function incident(): FakeKafka {
  const kafka = fakeCluster({ kafka: '4.3' })
    .brokers(3)
    .topic('orders', {
      replicas: [
        [1, 2, 3],
        [1, 2, 3],
      ],
      configs: { 'min.insync.replicas': '2' },
    })
    .build()
  for (const partition of [0, 1]) {
    kafka.write('orders', partition, 1000, { acks: 1, timestampMs: Date.now() - 30_000, stepMs: 10 })
    kafka.dropFromIsr('orders', partition, 3)
    kafka.write('orders', partition, 800, { acks: 1, timestampMs: Date.now() - 20_000, stepMs: 10 })
  }
  kafka.killBroker(2).killBroker(1)
  return kafka
}

/**
 * Broker `id` comes back once the watch has looked `polls` more times after the restart command touched the
 * returned file (each look of the watch reads the cluster view once; earlier cells read it too, uncounted).
 */
function comesBackAfter(kafka: FakeKafka, id: number, polls: number): { readonly armedBy: string; readonly looks: () => number } {
  const armedBy = join(mkdtempSync(join(tmpdir(), 'restart-')), 'armed')
  const cluster = kafka.cluster.bind(kafka)
  let looks = 0
  kafka.cluster = async () => {
    if (existsSync(armedBy) && ++looks === polls + 1) kafka.restartBroker(id)
    return cluster()
  }
  return { armedBy, looks: () => looks }
}

const headless = () => scriptedIo([], { interactive: false })
const options = (io: ScriptedIo, kafka: FakeKafka, extra: Partial<RunOptions> = {}): RunOptions => runOptions(io, kafka, extra)
const base = { 'expected-outage': 'unknown', policy: 'min-records', 'aftermath-wait': '0s' }

interface TrialData {
  brokers: number[]
  deadline: WatchDeadline
  milestones: WatchMilestones
  outcome: RestartOutcome
}
const cell = (result: Awaited<ReturnType<typeof runRunbook>>, id: string) => result.cells.find((c) => c.id === id)
const shellEvent = (result: Awaited<ReturnType<typeof runRunbook>>) =>
  readEvents(result.sessionDir).find((e) => e.type === 'shell') as unknown as { exitCode: number | null; stdout: string; stoppedBy?: string }

describe('unclean-election: trying a restart first, watched', () => {
  it('a dry run shows the exact command, where and how long it runs, and its hash; nothing runs', async () => {
    const marker = join(mkdtempSync(join(tmpdir(), 'restart-')), 'ran')
    const io = headless()
    // A pinned clock: on a loaded machine a second can pass between pricing and the preview, and the limit shrinks by it.
    const pinnedAt = Date.now()
    const result = await runRunbook(
      runbook,
      options(io, incident(), {
        dryRun: true,
        clock: () => pinnedAt,
        given: given({ ...base, decision: 'restart', 'restart-command': `touch ${marker}` }),
      }),
    )
    expect(result).toMatchObject({ status: 'dry-run', exitCode: 0 })
    expect(existsSync(marker)).toBe(false)
    const screen = io.screen()
    expect(screen).toContain(`touch ${marker}`)
    // The least-loss election proves no loss: the break-even outage is the producers' 120 s delivery timeout.
    expect(screen.replace(/\s+/g, ' ')).toMatch(
      /Runs on .+ \(this machine\) as bash -c, in .+, with your environment; stopped if still running after 2.0 min or when the watch ends/,
    )
    expect(cell(result, 'restart')).toMatchObject({ outcome: 'not-run', planHash: expect.stringMatching(/^[0-9a-f]{12,}$/) })
    for (const id of ['cost-after-restart', 'decision-after-restart', 'await-leaders', 'elect']) expect(cell(result, id)?.outcome).toBe('skipped')
  })

  it('headless needs the command approved by hash (or --yes), and the command itself', async () => {
    const unapproved = await runRunbook(runbook, options(headless(), incident(), { given: given({ ...base, decision: 'restart', 'restart-command': 'true' }) }))
    expect(unapproved).toMatchObject({ status: 'refused', exitCode: 2 })
    expect(unapproved.message).toMatch(/needs approval in a headless run — rerun with --approve restart=[0-9a-f]+/)
    const missing = await runRunbook(
      runbook,
      options(headless(), incident(), { given: given({ ...base, decision: 'restart' }), approvals: { yes: true, hashes: [] } }),
    )
    expect(missing.exitCode).not.toBe(0)
    expect(missing.message).toContain('restart-command')
  })

  it('back: the broker registers after two polls, the partitions are led, the outage is measured and the aftermath runs', async () => {
    const kafka = incident()
    const back = comesBackAfter(kafka, 1, 2)
    const io = headless()
    const result = await runRunbook(
      runbook,
      options(io, kafka, {
        given: given({ ...base, decision: 'restart', 'restart-command': `touch ${back.armedBy}; echo restarting broker 1` }),
        approvals: { yes: true, hashes: [] },
      }),
    )
    expect(result).toMatchObject({ status: 'done', exitCode: 0 })
    const trial = cell(result, 'restart')!.data as TrialData
    expect(trial.brokers).toEqual([1])
    expect(trial.outcome.kind).toBe('back')
    // Back at the third look, two polls of 1 s after the first: measured on the run's clock.
    expect(trial.milestones.registeredAfterMs).toBeGreaterThanOrEqual(1900)
    expect(trial.milestones.ledAfterMs).toBe(trial.milestones.registeredAfterMs)
    expect(trial.outcome).toMatchObject({ kind: 'back', outageMs: trial.milestones.ledAfterMs, commandFailed: false })
    expect(back.looks()).toBeGreaterThanOrEqual(3)
    expect(shellEvent(result)).toMatchObject({ exitCode: 0, stdout: 'restarting broker 1\n' })
    expect(io.screen()).toContain('Every partition is led again')
    expect(io.screen().replace(/\s+/g, ' ')).toMatch(/Measured: .* offline since the pricing at [\d.]+ records\/s — [\d,]+ writes refused meanwhile/)
    for (const id of ['cost-after-restart', 'decision-after-restart', 'elect', 'unclean-flag']) expect(cell(result, id)?.outcome).toBe('skipped')
    expect(cell(result, 'await-leaders')!.data).toEqual({ led: 2, of: 2 })
    expect(kafka.mutations).toEqual([])
    expect([kafka.inspect('orders', 0).leader, kafka.inspect('orders', 1).leader]).toEqual([1, 1])
  })

  it('the command fails: one line, the options priced again with the time spent, and the choice offered again (elect here)', async () => {
    const kafka = incident()
    const io = headless()
    const result = await runRunbook(
      runbook,
      options(io, kafka, {
        given: given({
          ...base,
          'expected-outage': '4h',
          decision: 'restart',
          'restart-command': 'echo "disk controller failed" >&2; exit 3',
          'decision-after-restart': 'elect',
          partitions: 'orders:0,orders:1',
          candidate: '3',
        }),
        approvals: { yes: true, hashes: [] },
      }),
    )
    expect(result).toMatchObject({ status: 'done', exitCode: 0 })
    const trial = cell(result, 'restart')!.data as TrialData
    expect(trial.outcome).toMatchObject({ kind: 'command-failed', exitCode: 3 })
    expect(shellEvent(result)).toMatchObject({ exitCode: 3, stdout: 'disk controller failed\n', watched: { outcome: { kind: 'command-failed' } } })
    expect(io.screen()).toContain('The restart command failed (exit 3)')
    const repriced = cell(result, 'cost-after-restart')!.data as { elapsedMs: number; remainingMs: number | 'unknown'; pricing: OutagePricing }
    // Four hours were expected from the pricing; what is left of them is priced, and every option's offline time grew.
    expect(repriced.remainingMs).toBe(4 * 3_600_000 - repriced.elapsedMs)
    expect(repriced.pricing.expectedOutageMs).toBe(4 * 3_600_000)
    expect(repriced.pricing.options.find((o) => o.option === 'elect')!.offlineMs).toBe(5000 + repriced.elapsedMs)
    expect(cell(result, 'decision-after-restart')).toMatchObject({ decision: 'elect' })
    expect(cell(result, 'elect')?.outcome).toBe('applied')
    expect([kafka.inspect('orders', 0).leader, kafka.inspect('orders', 1).leader]).toEqual([3, 3])
  })

  it('not back by the deadline: says so, and a headless run without a second answer stops asking for one', async () => {
    const kafka = incident()
    const io = headless()
    const result = await runRunbook(
      runbook,
      options(io, kafka, {
        given: given({ ...base, decision: 'restart', 'restart-command': 'true', 'restart-watch': '2s' }),
        approvals: { yes: true, hashes: [] },
      }),
    )
    const trial = cell(result, 'restart')!.data as TrialData
    expect(trial.deadline).toMatchObject({ ms: 2000, basis: 'given' })
    expect(trial.outcome).toMatchObject({ kind: 'not-back', registered: false })
    expect(io.screen().replace(/\s+/g, ' ')).toContain('broker 1 did not register within the watch (2.0 s)')
    expect(cell(result, 'cost-after-restart')?.outcome).toBe('done')
    expect(result.exitCode).not.toBe(0)
    expect(result.message).toContain('decision-after-restart')
    expect(kafka.mutations).toEqual([])
  })

  it('one poll answered from old metadata (broker 1 registered, every partition led) is not the broker back: the next poll must agree', async () => {
    const kafka = incident()
    const io = headless()
    const stale = staleOnce(
      kafka,
      (p) => (p.topic === 'orders' && p.leader === null ? { ...p, leader: 1, isr: [1, 2] } : p),
      (view) => ({ ...view, brokers: view.brokers.map((b) => (b.id === 1 ? { ...b, fenced: false } : b)) }),
    )
    onCellStart(io, 'Try a restart, and watch', () => stale.arm())
    const result = await runRunbook(
      runbook,
      options(io, kafka, {
        given: given({ ...base, decision: 'restart', 'restart-command': 'true', 'restart-watch': '3s', 'wait-timeout': '1s' }),
        approvals: { yes: true, hashes: [] },
      }),
    )
    expect(stale.served()).toBe(1)
    const trial = cell(result, 'restart')!.data as TrialData
    expect(trial.milestones).toEqual({ registeredAfterMs: null, ledAfterMs: null, inIsrAfterMs: null })
    expect(trial.outcome).toMatchObject({ kind: 'not-back', registered: false })
    expect(io.screen()).not.toContain('Every partition is led again')
    expect(kafka.mutations).toEqual([])
  })

  it('a command still running when the broker is back is stopped after its grace, and says so', async () => {
    const kafka = incident()
    const back = comesBackAfter(kafka, 1, 1)
    const pidFile = join(mkdtempSync(join(tmpdir(), 'restart-')), 'pid')
    const result = await runRunbook(
      runbook,
      options(headless(), kafka, {
        given: given({ ...base, decision: 'restart', 'restart-command': `touch ${back.armedBy}; sleep 60 & echo $! > ${pidFile}; wait` }),
        approvals: { yes: true, hashes: [] },
      }),
    )
    expect((cell(result, 'restart')!.data as TrialData).outcome.kind).toBe('back')
    expect(shellEvent(result)).toMatchObject({ stoppedBy: 'watch-ended' })
    // The background child got the signal with its group; gone once reaped (bounded, never a fixed sleep).
    const pid = Number(readFileSync(pidFile, 'utf8'))
    const alive = () => {
      try {
        process.kill(pid, 0)
        return readFileSync(`/proc/${pid}/stat`, 'utf8').split(' ')[2] !== 'Z'
      } catch {
        return false
      }
    }
    await waitUntil(`process ${pid} to end`, async () => !alive(), wallClock, { timeoutMs: 10_000, intervalMs: 50 })
  })

  it('a command still finishing when the broker is back gets its grace and ends by itself, exit code kept', async () => {
    const kafka = incident()
    const back = comesBackAfter(kafka, 1, 1)
    const result = await runRunbook(
      runbook,
      options(headless(), kafka, {
        given: given({ ...base, decision: 'restart', 'restart-command': `touch ${back.armedBy}; sleep 3; echo health check passed` }),
        approvals: { yes: true, hashes: [] },
      }),
    )
    expect((cell(result, 'restart')!.data as TrialData).outcome.kind).toBe('back')
    const shell = shellEvent(result)
    expect(shell.exitCode).toBe(0)
    expect(shell.stoppedBy).toBeUndefined()
    expect(shell.stdout).toContain('health check passed')
  })

  it('Ctrl-C stops the command and the watch at once', async () => {
    const kafka = incident()
    const abort = new AbortController()
    const io = headless()
    setTimeout(() => abort.abort(), 1500)
    const result = await runRunbook(
      runbook,
      options(io, kafka, {
        signal: abort.signal,
        given: given({ ...base, decision: 'restart', 'restart-command': 'sleep 60' }),
        approvals: { yes: true, hashes: [] },
      }),
    )
    expect(result).toMatchObject({ status: 'interrupted', exitCode: 130 })
    expect(shellEvent(result)).toMatchObject({ stoppedBy: 'interrupt', exitCode: null })
    expect(kafka.mutations).toEqual([])
  })

  it('a guided run asks for the command when the operator picks "try a restart first"', async () => {
    const kafka = incident()
    const back = comesBackAfter(kafka, 1, 1)
    const io = scriptedIo([
      { input: '', message: /Log directory of the dead broker/ },
      { select: 'restart', message: /How do you want/ },
      { input: `touch ${back.armedBy}`, message: /command that restarts it/ },
      { confirm: true, message: /Run `touch .*` now/ },
    ])
    const result = await runRunbook(runbook, options(io, kafka, { given: given(base) }))
    expect(result).toMatchObject({ status: 'done', exitCode: 0 })
    expect(io.remaining()).toBe(0)
    expect(io.screen()).toContain('Try restarting broker 1 first')
  })
})
