// The skip: the stuck record (or N from it) on the one partition, planned from the records as they are now; with
// dlq-and-skip the records are first copied whole to the dead-letter topic and read back; then the shared
// offset change (re-check of the commit and of the records' digests, commit, read back, undo).

import { offsetChange, type PreparedChange } from '../../lib/cells/group-offset-change.ts'
import { code, counted, markdown, notice } from '../../lib/engine/blocks.ts'
import { ifChosen } from '../../lib/engine/runbook.ts'
import type { KafkaOps } from '../../lib/kafka/types.ts'
import type { SeenRecord } from '../../lib/plans/consumer-view.ts'
import {
  dlqRecord,
  dlqSettingNames,
  isCopyOf,
  isSkipFault,
  planDlq,
  planSkip,
  sameAsCopy,
  type SkipAction,
  type SkipPlan,
} from '../../lib/plans/record-skip.ts'
import { readNewestRecords, readTopicFacts } from '../../lib/reads/dead-letter.ts'
import { readRecordsAt } from '../../lib/reads/records.ts'
import { actionCell } from './decide.ts'
import { readLook } from './find.ts'
import { type Ctx, defaultDlqTopic, nb, refuse, tpKey } from './notebook.ts'
import { previewBlocks } from './tables.ts'

/** Plans from the records as they are now (a re-plan after drift sees the new state). */
async function planPoisonSkip(ctx: Ctx): Promise<SkipPlan> {
  const target = ctx.need('target')
  const look = await readLook(ctx, target)
  ctx.state.look = look
  const action = ctx.decision(actionCell) as SkipAction
  const count = action === 'skip-n' ? await ctx.param('count', { required: true }) : 1
  const poison = look.view.records.slice(look.location.index, look.location.index + count)
  let dlq = null
  if (action === 'dlq-and-skip') {
    const dlqTopic = (await ctx.param('dlq-topic')) ?? defaultDlqTopic(target.topic)
    const [source, existing] = await readTopicFacts(ctx.kafka, [target.topic, dlqTopic], dlqSettingNames)
    const planned = planDlq({
      source: source!,
      dlq: existing!,
      sourcePartition: target.partition,
      records: poison,
      groupId: target.groupId,
      reasons: poison.map((r) => look.judged.find((j) => j.offset === r.record.offset)?.odd.reason ?? null),
    })
    if (isSkipFault(planned)) throw refuse(planned)
    dlq = planned
  }
  const plan = planSkip({ groupId: target.groupId, action, count, view: look.view, judged: look.judged, location: look.location, dlq })
  if (isSkipFault(plan)) throw refuse(plan)
  ctx.state.plan = plan
  return plan
}

/** Copies the skipped records to the dead-letter topic (creating it first), skipping copies already there, and reads them back. */
async function copyToDeadLetter(kafka: KafkaOps, plan: SkipPlan, records: readonly SeenRecord[]): Promise<PreparedChange> {
  const dlq = plan.dlq!
  const where = `${dlq.topic}:${dlq.partition}`
  const failed = (error: string): PreparedChange => ({ blocks: [], applied: [], failed: [{ item: where, error }] })
  if (dlq.create) {
    const [created] = await kafka.createTopics([
      { topic: dlq.topic, partitions: dlq.create.partitions, replicationFactor: dlq.create.replicationFactor, configs: dlq.create.configs },
    ])
    if (created?.error && created.error.name !== 'TOPIC_ALREADY_EXISTS') return failed(`creating ${dlq.topic} failed: ${created.error.message}`)
  }
  const source = { topic: plan.topic, partition: plan.partition }
  const already = dlq.create ? [] : await readNewestRecords(kafka, { topic: dlq.topic, partition: dlq.partition }, 200)
  const byOffset = new Map(records.map((r) => [r.record.offset, r]))
  const copies = dlq.copies.map((copy) => {
    const original = byOffset.get(copy.sourceOffset)!
    const skipped = plan.poison.find((p) => p.fingerprint.offset === copy.sourceOffset)!
    return { copy, original, existing: already.find((c) => isCopyOf(c, skipped, source, plan.groupId)) ?? null }
  })
  const toWrite = copies.filter((c) => c.existing === null)
  const written = toWrite.length
    ? await kafka.produce(
        dlq.topic,
        toWrite.map((c) => dlqRecord(c.original, c.copy, dlq.partition)),
      )
    : []
  const refused = written.find((w) => w.error || w.offset === null)
  if (refused) return failed(`writing to ${where} failed: ${refused.error?.message ?? 'no offset came back'}`)
  const landed = copies.map((c) => ({ ...c, at: c.existing ? c.existing.record.offset : written[toWrite.indexOf(c)]!.offset! }))
  const readBack = await readRecordsAt(
    kafka,
    { topic: dlq.topic, partition: dlq.partition },
    landed.map((l) => l.at),
  )
  const wrong = landed.filter((l) => {
    const read = readBack.find((r) => r.record.offset === l.at)
    return !read || !sameAsCopy(read, l.original, l.copy)
  })
  if (wrong.length) return failed(`the copy at ${where} offset ${wrong[0]!.at} does not read back as the original — look at ${dlq.topic} before skipping`)
  const list = landed.map((l) => `${l.copy.sourceOffset} → ${where}@${l.at}${l.existing ? ' (copied by an earlier run)' : ''}`)
  return {
    blocks: [
      notice(
        'ok',
        `Copied ${counted(landed.length, 'record')} to ${where}${dlq.create ? ` (topic created)` : ''} and read ${landed.length === 1 ? 'it' : 'them'} back byte for byte: ${list.join(', ')}.`,
      ),
      code(
        `kafka-console-consumer --bootstrap-server "$KAFKA_BOOTSTRAP_SERVERS" --topic ${dlq.topic} --partition ${dlq.partition} --offset ${landed[0]!.at} --max-messages ${landed.length} --property print.headers=true --property print.offset=true`,
        'sh',
      ),
    ],
    applied: list.map((l) => `copied ${l}`),
    failed: [],
    data: {
      deadLetter: landed.map((l) => ({
        sourceOffset: l.copy.sourceOffset,
        topic: dlq.topic,
        partition: dlq.partition,
        offset: l.at,
        reused: l.existing !== null,
      })),
    },
    undoNotes: [`The dead-letter copies stay in ${dlq.topic} (${list.join(', ')}): undo moves the offset back only.`],
  }
}

const skippedCount = (plan: SkipPlan) => plan.passed.length + plan.poison.length

export const skipCell = offsetChange(nb, {
  id: 'skip',
  title: 'Skip the record',
  doc: 'Plans the one new committed offset (the first record after the skipped ones) on the one partition, previews the records the group will not get again, copies them to the dead-letter topic first with dlq-and-skip (created like the source if missing; read back byte for byte; nothing is committed if that fails), re-checks that the group is Empty, its committed offset is still the stuck one and the records there still have the digests shown, commits, reads back, and writes an undo record.',
  ...ifChosen(actionCell, ['skip', 'dlq-and-skip', 'skip-n'], 'you chose to skip nothing'),
  plan: planPoisonSkip,
  preview: (plan) => previewBlocks(plan),
  summary: (plan) =>
    `skip ${counted(skippedCount(plan), 'record')} of group ${plan.groupId} on ${tpKey(plan)} (${plan.committed} → ${plan.target})${plan.dlq ? `, copied to ${plan.dlq.topic} first` : ''}`,
  confirm: (plan) => ({
    kind: 'typed',
    expected: `${plan.groupId} ${tpKey(plan)} ${skippedCount(plan)}`,
    prompt: `Type "${plan.groupId} ${tpKey(plan)} ${skippedCount(plan)}" to skip ${counted(skippedCount(plan), 'record')} of group ${plan.groupId} on ${tpKey(plan)}`,
  }),
  before: async (ctx, plan) => (plan.dlq ? copyToDeadLetter(ctx.kafka, plan, ctx.need('look').view.records) : { blocks: [], applied: [], failed: [] }),
  undoNotes: (plan) => (plan.dlq ? [`Records copied to ${plan.dlq.topic} stay there: undo moves the committed offset back only.`] : []),
  next: (plan) => [
    markdown(
      `**Next:** start the consumers again. Group ${plan.groupId} resumes ${tpKey(plan)} at offset ${plan.target}; watch its lag fall. \`runbook undo\` puts the committed offset back to ${plan.committed} while the group is stopped${plan.dlq ? ` (the copies in ${plan.dlq.topic} stay)` : ''}.`,
    ),
  ],
})
