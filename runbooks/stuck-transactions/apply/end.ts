// Ending the stuck transactions: fence the transactional id through its coordinator (it aborts the open
// transaction and raises the epoch), or abort a hanging transaction with a marker on the partition after
// copying its records to the session folder. Neither can be undone; both re-check the LSO, producer id and
// epoch right before, and verify that the LSO moved and the held groups follow.

import { type Block, counted, formatCount, notice, table } from '../../../lib/engine/blocks.ts'
import { ifChosen, type ApplyResult } from '../../../lib/engine/runbook.ts'
import { salvageFileText } from '../../../lib/kafka/salvage-file.ts'
import { readPartitionStates } from '../../../lib/reads/leaderless.ts'
import { readTransactionRecords } from '../../../lib/reads/open-transactions.ts'
import { decideCell } from '../decide.ts'
import { type Context, keyOf, nb } from '../notebook.ts'
import { verdictText } from '../tables.ts'
import { type EndPlan, planEnd, recheckEnd, type Target } from './plan.ts'
import { watchUnblocked } from './verify.ts'

const names = (targets: readonly Target[]) => targets.map(keyOf).join(', ')

function previewBlocks(plan: EndPlan, ctx: Context): Block[] {
  const now = ctx.now()
  const blocks: Block[] = [
    table(
      [
        'Partition',
        'LSO (its first offset)',
        'High watermark',
        'Producer id',
        'Epoch',
        'Coordinator epoch',
        'Transactional id',
        'Records discarded',
        'Groups held',
        'Already read them (uncommitted)',
        'Coordinator says',
      ],
      plan.targets.map((t) => [
        keyOf(t),
        t.startOffset,
        t.highWatermark,
        t.producerId,
        t.producerEpoch,
        t.coordinatorEpoch ?? '—',
        t.transactionalId ?? '—',
        formatCount(t.records),
        t.waiting.map((g) => g.groupId).join(', ') || '—',
        t.readPast.map((g) => g.groupId).join(', ') || '—',
        verdictText(t.verdict, now),
      ]),
      {
        title:
          plan.way === 'fence'
            ? 'Fence (InitProducerId through the coordinator) — the coordinator aborts the open transaction'
            : 'Abort marker (WriteTxnMarkers) on exactly these partitions',
      },
    ),
  ]
  if (plan.way === 'fence') {
    const others = plan.targets.flatMap((t) => t.transactionPartitions.filter((p) => !plan.targets.some((o) => keyOf(o) === keyOf(p))))
    blocks.push(
      notice(
        'warn',
        `The coordinator aborts the whole transaction${others.length ? `, also on ${others.map(keyOf).join(', ')}` : ''}, and raises the producer epoch: an instance still running with that transactional id fails with ProducerFenced and must restart.`,
      ),
    )
  } else {
    blocks.push(
      notice(
        'danger',
        `Cannot be undone: read_committed consumers will never see these ${formatCount(plan.records)} records. They are copied to the session folder first (one JSON Lines file per partition); the abort is not sent if the copy fails.`,
      ),
    )
  }
  return blocks
}

const confirmText = (plan: EndPlan) => `${plan.way} ${names(plan.targets)} ${plan.records}`

async function copyRecords(ctx: Context, targets: readonly Target[]): Promise<string[]> {
  const leaders = await readPartitionStates(ctx.kafka, targets)
  const files: string[] = []
  for (const t of targets) {
    const { records } = await readTransactionRecords(ctx.kafka, { ...t, endOffset: t.highWatermark })
    const text = salvageFileText(
      {
        clusterId: null,
        topic: t.topic,
        topicId: null,
        partition: t.partition,
        broker: leaders.get(keyOf(t))?.leader ?? -1,
        logDir: '(fetched from the partition leader, read_uncommitted)',
        fromOffset: t.startOffset,
        toOffset: t.highWatermark,
        createdAt: new Date(ctx.now()).toISOString(),
        reason: `aborting the open transaction of producer ${t.producerId} epoch ${t.producerEpoch} (its records only)`,
      },
      records,
    )
    files.push(await ctx.writeFile(`aborted-${t.topic}-${t.partition}-producer-${t.producerId}.jsonl`, text))
  }
  return files
}

async function apply(ctx: Context, plan: EndPlan): Promise<ApplyResult<never>> {
  const applied: string[] = []
  const failed: { item: string; error: string }[] = []
  const blocks: Block[] = []
  if (plan.way === 'abort') {
    const files = await copyRecords(ctx, plan.targets)
    blocks.push(notice('info', `Copied the transaction's records to ${files.join(', ')}.`))
    const results = await ctx.kafka.abortTransactions(
      plan.targets.map((t) => ({
        topic: t.topic,
        partition: t.partition,
        producerId: t.producerId,
        producerEpoch: t.producerEpoch,
        startOffset: t.startOffset,
      })),
    )
    for (const r of results) {
      if (r.error || !r.marker) failed.push({ item: `abort ${keyOf(r)}`, error: `${r.error?.name ?? 'no marker written'}: ${r.error?.message ?? ''}`.trim() })
      else
        applied.push(
          `abort ${keyOf(r)} (producer ${r.producerId}, epoch ${r.marker.producerEpoch}, coordinator epoch ${r.marker.coordinatorEpoch}, on broker ${r.marker.broker})`,
        )
    }
    return { blocks, applied, failed, data: { files, results } }
  }
  const fences = [...new Map(plan.targets.map((t) => [t.transactionalId!, t])).values()]
  const results = await ctx.kafka.fenceProducers(
    fences.map((t) => ({ transactionalId: t.transactionalId!, producerId: t.producerId, producerEpoch: t.producerEpoch })),
  )
  for (const r of results) {
    if (r.error || !r.fenced) failed.push({ item: `fence ${r.transactionalId}`, error: `${r.error?.name ?? 'not fenced'}: ${r.error?.message ?? ''}`.trim() })
    else
      applied.push(`fence ${r.transactionalId} (producer ${r.fenced.producerId} now at epoch ${r.fenced.producerEpoch}, coordinator ${r.fenced.coordinator})`)
  }
  return { blocks, applied, failed, data: { results } }
}

async function verify(ctx: Context, plan: EndPlan) {
  const result = await watchUnblocked(
    ctx,
    plan.targets.map((t) => ({ topic: t.topic, partition: t.partition, startOffset: t.startOffset, waitingGroups: t.waiting.map((g) => g.groupId) })),
    await ctx.param('verify-timeout'),
  )
  return { ok: result.ok, blocks: result.blocks, data: result.data }
}

function endCell(way: 'fence' | 'abort') {
  return nb.action<EndPlan, never>({
    id: way,
    title: way === 'fence' ? 'Fence the producer through its coordinator' : 'Abort the hanging transaction',
    ...ifChosen(decideCell, [way], 'you chose another way'),
    doc:
      way === 'fence'
        ? 'Reads each stuck partition again (LSO, producer id and epoch live), previews the records the abort discards, re-checks right before, then fences the transactional id (InitProducerId at its coordinator, with the producer id and epoch as read): the coordinator aborts the open transaction on all its partitions. Verifies that the LSO moves and the held groups follow.'
        : 'Reads each stuck partition again (producer id, epoch and coordinator epoch live, never typed), previews the records discarded and who already read them, re-checks right before, copies the transaction’s records to the session folder, then writes an abort marker on exactly those partitions (WriteTxnMarkers, as kafka-transactions abort). Verifies that the LSO reaches the high watermark or the next open transaction and the held groups move.',
    plan: (ctx) => planEnd(ctx, way),
    preview: previewBlocks,
    summary: (plan) => `${way} the open transaction on ${counted(plan.targets.length, 'partition')}: ${counted(plan.records, 'record')} discarded`,
    confirm: (plan) => ({
      kind: 'typed',
      expected: confirmText(plan),
      prompt: `This discards ${counted(plan.records, 'record')} on ${names(plan.targets)} for good. Type "${confirmText(plan)}" to ${way}`,
    }),
    recheck: recheckEnd,
    apply,
    verify,
  })
}

export const fenceCell = endCell('fence')
export const abortCell = endCell('abort')
