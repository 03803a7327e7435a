// The unclean election of a chosen replica on an explicit list of partitions: reorder the replica list where
// Kafka would otherwise take another replica, then elect; verify who leads; undo restores the replica order
// (the deleted records cannot come back, and the preview says so).

import { type Block, counted, formatCount, notice, table } from '../../../lib/engine/blocks.ts'
import { pollUntil } from '../../../lib/poll/index.ts'
import { Refusal, type ApplyResult } from '../../../lib/engine/runbook.ts'
import type { TopicPartition } from '../../../lib/kafka/types.ts'
import { partitionName } from '../../../lib/plans/leaderless.ts'
import { describePlanFault, planUncleanElection, type ElectionPlan, type ElectionStep } from '../../../lib/plans/unclean-election.ts'
import { partitionKey, readHighWatermarks, readLeaderlessSnapshot, readPartitionStates } from '../../../lib/reads/leaderless.ts'
import { ifWay } from '../decide.ts'
import { watchLeaders } from './wait.ts'
import { nb, type Context } from '../notebook.ts'
import { recheckLeaderless, settling } from './recheck.ts'
import { exactLossText, fewNames, provenLoss, timeText, unitWord } from '../text.ts'
import { exactTotal, withExactSteps } from '../../../lib/plans/dead-leader-loss.ts'

export interface ReorderUndo {
  readonly reorders: readonly (TopicPartition & { readonly original: readonly number[]; readonly reordered: readonly number[] })[]
}

const verifyTimeoutMs = 20_000

function previewBlocks(plan: ElectionPlan, ctx: Context): Block[] {
  const blocks: Block[] = []
  const reorders = plan.steps.filter((s) => s.replicasAfter !== null)
  if (reorders.length > 0) {
    blocks.push(
      table(
        ['Partition', 'Replicas now', 'Replicas after', 'Why'],
        reorders.map((s) => [partitionName(s), s.replicasBefore.join(','), s.replicasAfter!.join(','), whyReorder(s, plan.candidate)]),
        { title: `Step 1 — reorder the replica list (same brokers, broker ${plan.candidate} first; AlterPartitionReassignments)` },
      ),
    )
  }
  blocks.push(
    table(
      [
        'Partition',
        'Elect',
        'Its log end',
        'Its newest record',
        'Certainly lost',
        'Exactly lost (dead leader’s log)',
        'Groups already past its end',
        'Dead brokers with the lost records',
      ],
      plan.steps.map((s) => [
        partitionName(s),
        plan.candidate,
        s.candidateLogEnd,
        timeText(s.newestRecordMs, ctx.now()),
        provenLoss(s.unit, s.certainLoss),
        s.exactLoss ? exactLossText(s.exactLoss, ctx.now()) : 'not read',
        fewNames(
          s.groupsAhead.map((g) => `${g.groupId} at ${formatCount(g.committed)}`),
          2,
        ) || '—',
        s.inSyncDead.join(',') || '—',
      ]),
      {
        title: `${reorders.length > 0 ? 'Step 2' : 'Step 1'} — unclean election (ElectLeaders, type unclean) on exactly these ${counted(plan.steps.length, 'partition')}`,
      },
    ),
    notice('danger', cannotBeUndone(plan)),
    notice(
      'info',
      `Until those brokers restart, their partition folders hold the only copy of the lost records. If you may want them back (or the exact count), copy the folders aside first, e.g. ${fewNames(
        plan.steps.map((s) => `${partitionName(s)} on broker ${s.inSyncDead.join('/') || '?'}`),
        3,
      )}: <log.dirs>/<topic>-<partition>.`,
    ),
  )
  return blocks
}

/** "exactly 312 records" once the dead leader's log priced every step; else the floor. */
function lossWords(plan: ElectionPlan): string {
  const exact = exactTotal(plan.steps)
  if (exact) return `${exact.atLeast ? 'at least' : 'exactly'} ${unitWord('records', BigInt(exact.records))}`
  return provenLoss(plan.unit, plan.certainLoss)
}

function cannotBeUndone(plan: ElectionPlan): string {
  const exact = exactTotal(plan.steps)
  const history = `Each partition's new history starts at broker ${plan.candidate}'s log end; the dead brokers delete everything above it when they return.`
  if (exact)
    return `Cannot be undone. ${lossWords(plan)[0]!.toUpperCase()}${lossWords(plan).slice(1)} are deleted for good, as counted in the dead leader's own log. ${history}`
  return `Cannot be undone. ${plan.certainLoss > 0n ? `At least ${unitWord(plan.unit, plan.certainLoss)} are deleted for good, and more may be` : 'The cluster proves no loss, yet broker ' + plan.candidate + ' is out of sync: records may be lost'}: whatever only the dead leader held is unknown until its files are read (--set dead-log-dirs=<broker>=<path>). ${history}`
}

function whyReorder(step: ElectionStep, candidate: number): string {
  if (step.kafkaPick === null || step.kafkaPick === candidate) return `broker ${candidate} becomes the preferred leader`
  const theirs = step.kafkaPickLoss === null ? 'an unknown number' : unitWord(step.unit, step.kafkaPickLoss)
  return `Kafka would elect broker ${step.kafkaPick} (certainly loses ${theirs}); broker ${candidate} loses ${unitWord(step.unit, step.certainLoss)}`
}

async function apply(ctx: Context, plan: ElectionPlan): Promise<ApplyResult<ReorderUndo>> {
  const applied: string[] = []
  const failed: { item: string; error: string }[] = []
  const reorders: ReorderUndo['reorders'][number][] = []
  const moves = plan.steps.filter((s) => s.replicasAfter !== null)
  const moved = new Set<string>()
  if (moves.length > 0) {
    const results = await ctx.kafka.alterPartitionReassignments(moves.map((s) => ({ topic: s.topic, partition: s.partition, replicas: s.replicasAfter })))
    results.forEach((r, i) => {
      const step = moves[i]!
      if (r.error) {
        // The election would then take another replica than the one chosen: leave this partition alone.
        failed.push({ item: `reorder ${partitionName(step)}`, error: `${r.error.name}: ${r.error.message} — not elected` })
        return
      }
      moved.add(partitionKey(step))
      reorders.push({ topic: step.topic, partition: step.partition, original: step.replicasBefore, reordered: step.replicasAfter! })
      applied.push(`reorder ${partitionName(step)} to ${step.replicasAfter!.join(',')}`)
    })
  }
  // The controller handles the reassignment before the election it receives next; no need to wait in between.
  const toElect = plan.steps.filter((s) => s.replicasAfter === null || moved.has(partitionKey(s)))
  const results = toElect.length
    ? await ctx.kafka.electLeaders(
        'unclean',
        toElect.map((s) => ({ topic: s.topic, partition: s.partition })),
      )
    : []
  const outcomes: { partition: string; outcome: string; error?: string }[] = []
  for (const r of results) {
    const name = partitionName(r)
    outcomes.push({ partition: name, outcome: r.outcome, ...(r.error ? { error: r.error.name } : {}) })
    if (r.outcome === 'elected') applied.push(`elect broker ${plan.candidate} on ${name}`)
    else if (r.outcome === 'not-needed')
      failed.push({ item: `elect ${name}`, error: 'it got a leader meanwhile (ELECTION_NOT_NEEDED): this run deleted nothing there' })
    else failed.push({ item: `elect ${name}`, error: `${r.error?.name ?? 'failed'}: ${r.error?.message ?? ''}`.trim() })
  }
  const blocks: Block[] = [
    table(
      ['Partition', 'Reordered', 'Election'],
      plan.steps.map((s) => [
        partitionName(s),
        s.replicasAfter === null ? 'not needed' : moved.has(partitionKey(s)) ? 'yes' : 'FAILED',
        outcomes.find((o) => o.partition === partitionName(s))?.outcome ?? 'not attempted',
      ]),
      { title: 'Applied' },
    ),
  ]
  return { blocks, applied, failed, undo: { reorders }, data: { reorders: reorders.length, outcomes } }
}

async function verify(ctx: Context, plan: ElectionPlan, result: ApplyResult<ReorderUndo>) {
  const elected = plan.steps.filter((s) => result.applied.includes(`elect broker ${plan.candidate} on ${partitionName(s)}`))
  const states = await watchLeaders(ctx, elected, verifyTimeoutMs, () => {})
  const highWatermarks = await readHighWatermarks(ctx.kafka, elected)
  const rows = elected.map((s, i) => {
    const now = states.get(partitionKey(s))
    return [
      partitionName(s),
      now?.leader ?? 'none',
      `${s.leaderEpoch} → ${now?.leaderEpoch ?? '?'}`,
      s.candidateLogEnd,
      highWatermarks[i]?.offset ?? highWatermarks[i]?.error?.name ?? null,
      now?.isr.join(',') ?? '',
      s.exactLoss
        ? `${s.exactLoss.atLeast ? 'at least ' : ''}${unitWord('records', BigInt(s.exactLoss.records))} (dead leader's log)`
        : unitWord(s.unit, s.certainLoss),
    ]
  })
  const wrong = elected.filter((s) => states.get(partitionKey(s))?.leader !== plan.candidate)
  ctx.state.recovered = [
    ...(ctx.state.recovered ?? []),
    ...elected
      .filter((s) => !wrong.includes(s))
      .map((s) => ({
        topic: s.topic,
        partition: s.partition,
        leader: plan.candidate,
        leaderEpoch: states.get(partitionKey(s))!.leaderEpoch,
        epochStart: s.candidateLogEnd,
        how: 'unclean election' as const,
        certainLoss: s.certainLoss,
        ...(s.exactLoss ? { exactLoss: s.exactLoss } : {}),
      })),
  ]
  const blocks: Block[] = [table(['Partition', 'Leader', 'Leader epoch', 'New history starts at', 'High watermark', 'ISR', 'Lost'], rows, { title: 'Elected' })]
  blocks.push(
    wrong.length === 0
      ? notice(
          'ok',
          `Broker ${plan.candidate} leads ${counted(elected.length, 'partition')}. The high watermark stays at the start of the new history until another replica rejoins the ISR.`,
        )
      : notice(
          'danger',
          `${fewNames(wrong.map(partitionName))}: led by ${fewNames(wrong.map((s) => `broker ${states.get(partitionKey(s))?.leader ?? 'none'}`))}, not broker ${plan.candidate}. Check the partition state (kafka-topics --describe) before anything else.`,
        ),
  )
  return { ok: wrong.length === 0 && elected.length > 0, blocks, data: { elected: elected.length, wrong: wrong.map(partitionName) } }
}

export const electCell = nb.action<ElectionPlan, ReorderUndo>({
  id: 'elect',
  title: 'Elect the chosen replica uncleanly',
  ...ifWay(['elect']),
  doc: 'Reorders the replica list of each listed partition so that the chosen broker comes first (AlterPartitionReassignments, same brokers; it works while the partition has no leader), then runs an unclean election on exactly those partitions. Re-checks first that they are still leaderless, that no in-sync replica came back, and that the live replicas still end where the estimate says.',
  async plan(ctx) {
    const partitions = await ctx.param('partitions')
    const candidate = await ctx.param('candidate')
    const snapshot = await readLeaderlessSnapshot(ctx.kafka, { takenAtMs: ctx.now(), only: partitions })
    const planned = planUncleanElection(snapshot, { partitions, candidate })
    if (!planned.ok) throw new Refusal(describePlanFault(planned.fault))
    const readings = new Map((ctx.state.deadLogs ?? []).map((r) => [partitionKey(r), r]))
    return withExactSteps(planned.plan, snapshot.partitions, (tp) => readings.get(partitionKey(tp)))
  },
  preview: previewBlocks,
  summary: (plan) =>
    `${plan.reorders > 0 ? `reorder ${counted(plan.reorders, 'replica list')}, then ` : ''}elect broker ${plan.candidate} uncleanly on ${counted(plan.steps.length, 'partition')}: ${lossWords(plan)} lost`,
  confirm: (plan) => {
    const exact = exactTotal(plan.steps)
    const expected = exact
      ? `${counted(plan.steps.length, 'partition')}, ${exact.atLeast ? 'at least ' : ''}${exact.records} lost`
      : `${counted(plan.steps.length, 'partition')}, at least ${plan.certainLoss} lost`
    return {
      kind: 'typed',
      expected,
      prompt: exact
        ? `This deletes ${lossWords(plan)} for good on ${counted(plan.steps.length, 'partition')} (counted in the dead leader's own log). Type "${expected}" to elect broker ${plan.candidate}`
        : `This deletes ${plan.certainLoss > 0n ? `at least ${unitWord(plan.unit, plan.certainLoss)}` : 'records'} for good on ${counted(plan.steps.length, 'partition')}, and maybe more. Type "${expected}" to elect broker ${plan.candidate}`,
    }
  },
  recheck: async (ctx, plan) => (await recheckLeaderless(ctx, plan.steps)).drifts,
  apply,
  verify,
  undoRecord: (plan) => ({
    reorders: plan.steps
      .filter((s) => s.replicasAfter !== null)
      .map((s) => ({ topic: s.topic, partition: s.partition, original: s.replicasBefore, reordered: s.replicasAfter! })),
  }),
  undo: {
    describe: (record) => [
      table(
        ['Partition', 'Replicas now', 'Restore to'],
        record.reorders.map((r) => [partitionName(r), r.reordered.join(','), r.original.join(',')]),
        { title: 'Restore the replica order' },
      ),
      notice(
        'warn',
        'Only the replica order (which broker is the preferred leader) comes back. The election itself cannot be undone: the records it deleted are gone.',
      ),
      ...(record.reorders.length === 0 ? [notice('info', 'No replica list was reordered: there is nothing to restore.')] : []),
    ],
    summary: (record) => (record.reorders.length ? `restore the replica order of ${counted(record.reorders.length, 'partition')}` : 'nothing to restore'),
    confirm: (record) => ({
      kind: 'yes-no',
      prompt: `Restore the replica order of ${counted(record.reorders.length, 'partition')}?`,
    }),
    async recheck(ctx, record) {
      const states = await readPartitionStates(ctx.kafka, record.reorders)
      return record.reorders.flatMap((r) => {
        const now = states.get(partitionKey(r))?.replicas.join(',') ?? 'not found'
        return now === r.reordered.join(',') ? [] : [{ what: `replica order of ${partitionName(r)}`, planned: r.reordered.join(','), now }]
      })
    },
    async apply(ctx, record) {
      const results = record.reorders.length
        ? await ctx.kafka.alterPartitionReassignments(record.reorders.map((r) => ({ topic: r.topic, partition: r.partition, replicas: r.original })))
        : []
      const applied = results.filter((r) => !r.error).map((r) => `restore ${partitionName(r)}`)
      const failed = results.filter((r) => r.error).map((r) => ({ item: `restore ${partitionName(r)}`, error: `${r.error!.name}: ${r.error!.message}` }))
      return { blocks: [], applied, failed }
    },
    async verify(ctx, record) {
      const misordered = async () => {
        const states = await readPartitionStates(ctx.kafka, record.reorders)
        return record.reorders.filter((r) => states.get(partitionKey(r))?.replicas.join(',') !== r.original.join(','))
      }
      const wrong = await pollUntil(misordered, (w) => w.length === 0, settling(ctx.sleep))
      return {
        ok: wrong.length === 0,
        blocks: [
          wrong.length === 0 ? notice('ok', 'The replica order is back as it was.') : notice('danger', `Not restored: ${fewNames(wrong.map(partitionName))}.`),
        ],
      }
    },
    files: (record) => [
      {
        name: 'restore-replica-order.json',
        content: `${JSON.stringify({ version: 1, partitions: record.reorders.map((r) => ({ topic: r.topic, partition: r.partition, replicas: r.original })) }, null, 2)}\n`,
      },
    ],
  },
})
