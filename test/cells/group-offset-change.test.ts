// The shared cells for an offset change of a stopped group, used the way a team's runbook would: a poison-pill
// skip of N records on one partition is the stop cells plus a few lines of targets.

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { offsetChange, stopGroupCells } from '../../lib/cells/group-offset-change.ts'
import { param } from '../../lib/engine/params.ts'
import { notebook } from '../../lib/engine/runbook.ts'
import { fakeCluster, type FakeKafka } from '../../lib/kafka/fake/index.ts'
import { readCommittedOffsets } from '../../lib/reads/consumer-group.ts'
import { runWithKit } from '../../lib/testkit/index.ts'

const nb = notebook<object>()({
  group: param.group({ help: 'the group that is stuck on a record' }),
  partition: param.partitions({ help: 'the partition it is stuck on' }),
  count: param.count({ help: 'how many records to skip' }),
  'stop-command': param.string({ help: 'what stops every consumer of the group', optional: true }),
  'wait-for-empty': param.duration({ help: 'how long to wait for the group to be Empty', default: 0 }),
})

const skipRecords = nb.runbook({
  id: 'skip-records',
  title: 'Skip records a consumer cannot handle',
  summary: 'Stop the group, move its offset past the bad records, undo on request.',
  whenToUse: 'A consumer is stuck on a record it cannot handle.',
  cells: [
    ...stopGroupCells(nb, {
      group: (ctx) => ctx.param('group'),
      stopCommand: (ctx) => ctx.param('stop-command'),
      waitMs: (ctx) => ctx.param('wait-for-empty'),
    }),
    offsetChange(nb, {
      id: 'skip',
      title: 'Skip the records',
      doc: 'Moves the committed offset forward by the given count on one partition.',
      targets: async (ctx) => {
        const groupId = await ctx.param('group')
        const [partition] = await ctx.param('partition')
        const committed = (await readCommittedOffsets(ctx.kafka, groupId)).get(`${partition!.topic}/${partition!.partition}`) ?? 0n
        return { groupId, targets: [{ ...partition!, offset: committed + (await ctx.param('count')) }] }
      },
    }),
  ],
})

function cluster(members = false): FakeKafka {
  return fakeCluster()
    .brokers(1)
    .topic('orders', { partitions: 2 })
    .records('orders', 0, { count: 100, startMs: 0, stepMs: 1000 })
    .records('orders', 1, { count: 100, startMs: 0, stepMs: 1000 })
    .group('billing', {
      offsets: { 'orders/0': 40n, 'orders/1': 50n },
      members: members ? [{ clientId: 'billing-service', host: '/10.0.0.7', assignment: ['orders/0'] }] : [],
    })
    .build()
}

const offsets = async (kafka: FakeKafka) => (await kafka.committedOffsets('billing')).offsets.map((o) => `${o.topic}/${o.partition}=${o.offset}`)

describe('offsetChange with targets, after stopGroupCells', () => {
  it('moves exactly the named partition, reads it back, and undo restores it (with the CSV for Kafka’s tool)', async () => {
    const kafka = cluster()
    const run = await runWithKit(skipRecords, { kafka, set: { group: 'billing', partition: 'orders:0', count: 3 }, yes: true })
    expect(run.exitCode, run.message).toBe(0)
    expect(run.cells.filter((c) => c.outcome === 'skipped').map((c) => c.id)).toEqual(['stop-the-consumers', 'stop-command'])
    expect(run.plan('skip')).toMatchObject({ groupId: 'billing', moves: [{ topic: 'orders', partition: 0, committed: 40n, target: 43n }] })
    expect(run.cell('skip')).toMatchObject({ outcome: 'applied', verified: true })
    expect(await offsets(kafka)).toEqual(['orders/0=43', 'orders/1=50'])
    expect(readFileSync(join(run.sessionDir, 'undo', 'previous-offsets.csv'), 'utf8')).toBe('orders,0,40\n')

    expect((await run.undo()).exitCode).toBe(0)
    expect(await offsets(kafka)).toEqual(['orders/0=40', 'orders/1=50'])
  })

  // The CI failure of the poison-pill drill: the group read Empty between two crashes, the stop cells were skipped,
  // and the orchestrator's restart joined the group during the change, so Kafka refused the commit.
  it('runs a given stop command even when the group reads Empty: a crash-looping service is only between restarts', async () => {
    const kafka = cluster()
    const replicas = join(mkdtempSync(join(tmpdir(), 'crash-loop-')), 'replicas')
    writeFileSync(replicas, '1\n')
    // The orchestrator restarts the crashed service while the change runs, unless it was scaled to 0 first.
    const commitOffsets = kafka.alterCommittedOffsets.bind(kafka)
    kafka.alterCommittedOffsets = (groupId, commits) => {
      if (readFileSync(replicas, 'utf8').trim() !== '0') kafka.addMember('billing', { memberId: 'restarted', clientId: 'billing-service' })
      return commitOffsets(groupId, commits)
    }
    const set = { group: 'billing', partition: 'orders:0', count: 3, 'stop-command': `echo 0 > ${replicas}`, 'wait-for-empty': '5s' }
    const run = await runWithKit(skipRecords, { kafka, set, yes: true })
    expect(run.exitCode, run.message).toBe(0)
    expect(run.cell('stop-the-consumers')).toMatchObject({ outcome: 'skipped' })
    expect(run.cell('stop-command')).toMatchObject({ outcome: 'done', command: `echo 0 > ${replicas}` })
    expect(run.io.screen()).toContain('Group billing is Empty, and stayed so on 7 reads in a row after the stop command')
    expect(await offsets(kafka)).toEqual(['orders/0=43', 'orders/1=50'])
  })

  // The second CI failure of that drill: the stop command ran, the group read Empty 7 ms later, and an instance
  // the orchestrator had been starting joined 50 ms after that, before the orchestrator acted on the scale-down.
  it('waits out a member that joins just after the stop command: the group must stay Empty before the commit', async () => {
    const kafka = cluster()
    const replicas = join(mkdtempSync(join(tmpdir(), 'crash-loop-')), 'replicas')
    writeFileSync(replicas, '1\n')
    const readsAfterStop: string[] = []
    const describeGroups = kafka.describeGroups.bind(kafka)
    kafka.describeGroups = async (groupIds) => {
      if (readFileSync(replicas, 'utf8').trim() === '0') {
        // Read 1 after the stop finds the group Empty; the late instance is in it from read 2 until 1.5 s later.
        if (readsAfterStop.length === 1) {
          kafka.addMember('billing', { memberId: 'late-start', clientId: 'billing-service' })
          setTimeout(() => kafka.removeMember('billing', 'late-start'), 1500)
        }
        const [group] = await describeGroups(groupIds)
        readsAfterStop.push(`${group!.state}:${group!.members.length}`)
        return [group!]
      }
      return describeGroups(groupIds)
    }
    const set = { group: 'billing', partition: 'orders:0', count: 3, 'stop-command': `echo 0 > ${replicas}`, 'wait-for-empty': '10s' }
    const run = await runWithKit(skipRecords, { kafka, set, yes: true })
    expect(run.exitCode, run.message).toBe(0)
    expect(run.cell('wait-until-empty')).toMatchObject({ outcome: 'done', data: { active: false, membersSeen: true, emptyReads: 7 } })
    expect(readsAfterStop[0]).toBe('Empty:0')
    expect(readsAfterStop[1]).not.toBe('Empty:0')
    expect(run.io.screen()).toContain('and stayed so on 7 reads in a row after its last member left')
    expect(await offsets(kafka)).toEqual(['orders/0=43', 'orders/1=50'])
  })

  it('takes a group that was Empty all along, with no stop command, at its first reading', async () => {
    const kafka = cluster()
    const run = await runWithKit(skipRecords, { kafka, set: { group: 'billing', partition: 'orders:0', count: 3 }, yes: true })
    expect(run.exitCode, run.message).toBe(0)
    expect(run.cell('wait-until-empty')).toMatchObject({ data: { membersSeen: false, emptyReads: 1 } })
  })

  it('refuses while the group has members, and changes nothing', async () => {
    const kafka = cluster(true)
    const run = await runWithKit(skipRecords, { kafka, set: { group: 'billing', partition: 'orders:0', count: 3 }, yes: true })
    expect(run).toMatchObject({ exitCode: 2, status: 'refused' })
    expect(run.message).toContain('group billing is still Stable with 1 active member (billing-service@/10.0.0.7)')
    expect(kafka.mutations).toEqual([])
  })

  it('refuses a target past the log end before anything is committed', async () => {
    const kafka = cluster()
    const run = await runWithKit(skipRecords, { kafka, set: { group: 'billing', partition: 'orders:0', count: 500 }, yes: true })
    expect(run).toMatchObject({ exitCode: 2, message: 'offset 540 for orders/0 is outside its log (0–100) — give an offset inside it; nothing changed' })
    expect(kafka.mutations).toEqual([])
  })

  it.each([
    { name: 'an unknown group', set: { group: 'nope', partition: 'orders:0', count: 1 }, message: 'no consumer group "nope"' },
    { name: 'an unknown partition', set: { group: 'billing', partition: 'orders:7', count: 1 }, message: 'orders has no partition 7 (it has 2: 0-1)' },
  ])('refuses $name before any cell runs', async ({ set, message }) => {
    const kafka = cluster()
    const run = await runWithKit(skipRecords, { kafka, set, yes: true })
    expect(run.exitCode).toBe(2)
    expect(run.message).toContain(message)
    expect(run.cells).toEqual([])
    expect(kafka.mutations).toEqual([])
  })
})
