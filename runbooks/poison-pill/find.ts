// Which group is stuck, and on which partition: two samples of every candidate group's committed offsets and log
// ends `sample-interval` apart, the groups described every second in between (a crash loop's members join and
// leave), the next records of the stuck partitions judged against their neighbours, all ranked — or the group
// and partition the operator named, checked to be stuck.

import { type Block, counted, formatCount, formatSeconds, notice } from '../../lib/engine/blocks.ts'
import type { Choice } from '../../lib/engine/params.ts'
import { Refusal, type Finding } from '../../lib/engine/runbook.ts'
import { membersTable } from '../../lib/cells/group-offset-change.ts'
import type { TopicPartition } from '../../lib/kafka/types.ts'
import { describePassedOver, type Isolation, type SeenView } from '../../lib/plans/consumer-view.ts'
import { shapeLabel } from '../../lib/plans/record-shape.ts'
import { isSkipFault, judgeRecords, locatePoison, scanRecords } from '../../lib/plans/record-skip.ts'
import { planStuckPartitions, rankSuspects, soleSuspect, type StuckGroups, type Suspect, suspectKey } from '../../lib/plans/stuck-partitions.ts'
import { readConsumerGroupIds, readGroupSamples, readPartitionProgress, watchGroups } from '../../lib/reads/group-progress.ts'
import { readLogBounds } from '../../lib/reads/consumer-group.ts'
import { type ConsumerWindows, readConsumerWindows, readRecordsBefore } from '../../lib/reads/records.ts'
import { readTopicSettings, settingOf } from '../../lib/reads/topic-settings.ts'
import { type Ctx, type Look, nb, refuse, type Target, tpKey } from './notebook.ts'
import { payloadView, recordFacts, recordForTranscript, recordRows, stuckTable } from './tables.ts'
import { describeChurn, describeVerdict, whatAPoisonPillDoes } from './text.ts'

/** Stuck partitions whose next records are read for the ranking (the rest keep their order). */
const judgedSuspects = 12
/** Records read after each committed offset for the ranking. */
const rankingReach = 50

export const explainCell = nb.explain({
  id: 'what-a-poison-pill-does',
  title: 'What one bad record does to a consumer group',
  text: whatAPoisonPillDoes,
  pick: async (ctx) => ((await ctx.capabilities()).kafkaLine === '3.9' ? '3.9' : '4.x'),
})

const sameTp = (a: TopicPartition, b: TopicPartition) => a.topic === b.topic && a.partition === b.partition

/** The first record after each stuck committed offset that is unlike its neighbours, and when the next one was written. */
async function readEvidence(ctx: Ctx, stuck: StuckGroups['stuck']): Promise<{ odd: Map<string, Suspect['odd']>; nextWrittenMs: Map<string, number> }> {
  const odd = new Map<string, Suspect['odd']>()
  const nextWrittenMs = new Map<string, number>()
  await Promise.all(
    stuck.slice(0, judgedSuspects).map(async (s) => {
      const [windows, before] = await Promise.all([
        readConsumerWindows(ctx.kafka, s, s.committed, rankingReach),
        readRecordsBefore(ctx.kafka, s, s.committed, 3),
      ])
      if ('error' in windows) return
      const view = windows.read_uncommitted
      const found = judgeRecords(view, before).find((j) => j.odd.odd)
      const key = suspectKey(s.groupId, s)
      if (found) odd.set(key, { offset: found.offset, reason: found.odd.reason! })
      const first = view.records[0]
      if (first) nextWrittenMs.set(key, first.record.timestamp)
    }),
  )
  return { odd, nextWrittenMs }
}

/** Choices for a terminal: the stuck partitions of one group, likeliest first. */
const partitionChoices = (suspects: readonly Suspect[]): Choice[] =>
  suspects.map((s) => ({
    value: tpKey(s),
    name: tpKey(s),
    description: `${describeVerdict(s.verdict)} · committed ${s.committed} · lag ${formatCount(s.lag)}${s.odd ? ` · offset ${s.odd.offset}: ${s.odd.reason}` : ''}`,
  }))

const groupChoices = (suspects: readonly Suspect[]): Choice[] => {
  const groups = [...new Set(suspects.map((s) => s.groupId))]
  return groups.map((groupId) => {
    const mine = suspects.filter((s) => s.groupId === groupId)
    return {
      value: groupId,
      name: groupId,
      description: `${describeVerdict(mine[0]!.verdict)} · ${counted(mine.length, 'stuck partition')}${mine.some((s) => s.odd) ? ' · an odd record' : ''}`,
    }
  })
}

const listLine = (suspects: readonly Suspect[]) =>
  suspects
    .slice(0, 3)
    .map((s) => `${s.groupId} ${tpKey(s)} (${describeVerdict(s.verdict)})`)
    .join(', ')

/** Why a partition the operator named is not stuck, from what the samples saw. */
function notStuckReason(
  found: StuckGroups,
  samples: { committedBefore: bigint | null; committedNow: bigint | null; logEnd: bigint | null },
  groupId: string,
  tp: TopicPartition,
  sampledMs: number,
): string {
  const below = found.belowLogStart.find((b) => b.groupId === groupId && sameTp(b, tp))
  if (below)
    return `group ${groupId}'s committed offset on ${tpKey(tp)} (${below.committed}) is below the log start (${below.logStart}): retention deleted those records and the consumer resets by its auto.offset.reset — this is not a record to skip; nothing changed`
  if (samples.committedNow === null) return `group ${groupId} has no committed offset on ${tpKey(tp)} — name a partition the group reads; nothing changed`
  if (samples.committedBefore !== null && samples.committedBefore !== samples.committedNow)
    return `${tpKey(tp)} is not stuck: group ${groupId}'s committed offset moved from ${samples.committedBefore} to ${samples.committedNow} during the ${formatSeconds(sampledMs)} sample — name the partition that stands still, or leave partition unset to find it; nothing changed`
  return `${tpKey(tp)} is not stuck: group ${groupId} has read it to the end (committed ${samples.committedNow}, log end ${samples.logEnd ?? '?'}) — name a partition with lag, or leave partition unset to find the stuck ones; nothing changed`
}

async function chooseTarget(ctx: Ctx, suspects: readonly Suspect[]): Promise<Suspect | null> {
  const group = ctx.given('group')
  const partition = ctx.given('partition')
  let candidates = suspects.filter((s) => (group === undefined || s.groupId === group) && (partition === undefined || sameTp(s, partition)))
  if (candidates.length === 0) return null
  const sole = soleSuspect(candidates)
  if (sole) return sole
  if (!ctx.interactive) {
    throw new Refusal(
      `${counted(candidates.length, 'stuck partition')} (${listLine(candidates)}${candidates.length > 3 ? ', …' : ''}) and no clear poison — name one with --set group=… --set partition=topic:partition; nothing changed`,
    )
  }
  if (group === undefined && new Set(candidates.map((s) => s.groupId)).size > 1) {
    const chosen = await ctx.param('group', { required: true, choices: groupChoices(candidates) })
    candidates = candidates.filter((s) => s.groupId === chosen)
  }
  if (candidates.length === 1) return candidates[0]!
  const chosen = await ctx.param('partition', { required: true, choices: partitionChoices(candidates) })
  return candidates.find((s) => sameTp(s, chosen)) ?? null
}

const severity = (s: Suspect): Finding['severity'] => (s.verdict === 'crash-loop' ? 'high' : s.verdict === 'stopped' ? 'low' : 'medium')

export const findCell = nb.query({
  id: 'find',
  title: 'Which group is stuck, and on which partition',
  doc: 'Reads every consumer group (classic and KIP-848) — or the one named — twice, --set sample-interval apart: committed offsets, log start and end of each committed partition; describes the groups every second in between. A partition is stuck when its committed offset stood still while records wait behind it. A crash loop shows as members joining and leaving (and, in KIP-848 groups, a rising group epoch). The next records of each stuck partition are compared with their neighbours; the list is ranked, likeliest poison first, with how long each has been stuck (from the samples and from the record’s own timestamp) and the members with their client ids.',
  async run(ctx) {
    const group = ctx.given('group')
    const partition = ctx.given('partition')
    const sampleMs = await ctx.param('sample-interval')
    const ids = group !== undefined ? [group] : await readConsumerGroupIds(ctx.kafka)
    const first = await readGroupSamples(ctx.kafka, ids, ctx.now)
    // Only groups with records waiting can be stuck: those are watched and sampled again.
    const waiting = first.filter((g) =>
      g.committed.some((c) => {
        const log = g.logs.find((l) => sameTp(l, c))
        return log !== undefined && log.logEnd > c.offset && (partition === undefined || sameTp(c, partition))
      }),
    )
    const watchIds = waiting.map((g) => g.groupId)
    const watched = sampleMs > 0 ? await watchGroups(ctx.kafka, watchIds, { durationMs: sampleMs, everyMs: 1000, now: ctx.now, sleep: ctx.sleep }) : new Map()
    const second = await readGroupSamples(ctx.kafka, watchIds, ctx.now)
    const found = planStuckPartitions({ first: waiting, second, watched })
    const { odd, nextWrittenMs } = await readEvidence(ctx, found.stuck)
    const suspects = rankSuspects(found.stuck, odd)
    ctx.state.suspects = suspects
    const blocks: Block[] = []
    if (suspects.length > 0) blocks.push(stuckTable(suspects, nextWrittenMs, ctx.now(), found.sampledMs))
    for (const b of found.belowLogStart.slice(0, 5))
      blocks.push(
        notice(
          'warn',
          `Group ${b.groupId} on ${tpKey(b)}: committed ${b.committed} is below the log start ${b.logStart} — retention deleted records it never read; it resets by auto.offset.reset (not a poison record).`,
        ),
      )

    const chosen = await chooseTarget(ctx, suspects)
    if (!chosen) {
      if (group !== undefined && partition !== undefined) {
        const before = first.find((g) => g.groupId === group)
        const now = second.find((g) => g.groupId === group) ?? before
        throw new Refusal(
          notStuckReason(
            found,
            {
              committedBefore: before?.committed.find((c) => sameTp(c, partition))?.offset ?? null,
              committedNow: now?.committed.find((c) => sameTp(c, partition))?.offset ?? null,
              logEnd: now?.logs.find((l) => sameTp(l, partition))?.logEnd ?? null,
            },
            group,
            partition,
            found.sampledMs,
          ),
        )
      }
      if (group !== undefined || partition !== undefined) {
        const named = [group !== undefined ? `group ${group}` : null, partition !== undefined ? tpKey(partition) : null].filter(Boolean).join(' on ')
        throw new Refusal(
          `${named} is not stuck: no committed offset stood still with records waiting behind it during the ${formatSeconds(sampleMs)} sample — check the name, or leave it unset to find the stuck ones; nothing changed`,
        )
      }
      blocks.push(
        notice(
          'ok',
          `No consumer group is stuck: every committed offset with records behind it moved during the ${formatSeconds(sampleMs)} sample (${counted(ids.length, 'group')} read).`,
        ),
      )
      return { blocks, data: { stuck: [] }, findings: [] }
    }
    const churn = found.churn.get(chosen.groupId) ?? null
    const target: Target = { groupId: chosen.groupId, topic: chosen.topic, partition: chosen.partition, suspect: chosen, groupType: chosen.groupType, churn }
    ctx.state.target = target
    if (churn) blocks.push(notice(churn.crashLoop ? 'danger' : 'info', `Group ${chosen.groupId}: ${describeChurn(churn, chosen.groupType, found.sampledMs)}`))
    const members = second.find((g) => g.groupId === chosen.groupId)?.members ?? []
    if (members.length) blocks.push(membersTable(members.map((m) => ({ ...m, groupInstanceId: null }))))
    else blocks.push(notice('info', `Group ${chosen.groupId} has no members now (Empty): its consumers are stopped, or between restarts.`))
    blocks.push(
      notice(
        'info',
        `Working on group ${chosen.groupId}, ${tpKey(chosen)}${group === undefined || partition === undefined ? ` (${suspects.length === 1 ? 'the only stuck partition' : 'the likeliest poison'}; name another with --set group=… --set partition=…)` : ''}.`,
      ),
    )
    return {
      blocks,
      data: {
        sampledMs: found.sampledMs,
        stuck: suspects.map((s) => ({
          group: s.groupId,
          partition: tpKey(s),
          verdict: s.verdict,
          committed: s.committed,
          logEnd: s.logEnd,
          lag: s.lag,
          grewBy: s.grewBy,
          stuckForAtLeastMs: s.stuckForAtLeastMs,
          nextRecordWrittenMs: nextWrittenMs.get(suspectKey(s.groupId, s)) ?? null,
          oddRecord: s.odd,
          owners: s.owners,
        })),
        target: { group: target.groupId, partition: tpKey(target), churn },
      },
      findings: suspects.map((s) => ({
        id: 'stuck-partition',
        severity: severity(s),
        summary: `group ${s.groupId} stuck on ${tpKey(s)} at offset ${s.committed} (${describeVerdict(s.verdict)}, lag ${formatCount(s.lag)})`,
      })),
    }
  },
})

/** Which isolation level decides what the consumer gets next: null when both get the same first records. */
function isolationThatMatters(windows: ConsumerWindows): boolean {
  const first = (v: SeenView) =>
    v.records
      .slice(0, 5)
      .map((r) => r.record.offset.toString())
      .join(',')
  return first(windows.read_committed) !== first(windows.read_uncommitted)
}

/** Reads the records at the group's committed offset as it is now: what the operator looks at and a skip relies on. */
export async function readLook(ctx: Ctx, target: Target): Promise<Look> {
  const tp = { topic: target.topic, partition: target.partition }
  const committed = (await readPartitionProgress(ctx.kafka, target.groupId, tp)).committed ?? target.suspect.committed
  const { logs, unreadable } = await readLogBounds(ctx.kafka, [tp], null)
  if (unreadable || !logs[0])
    throw new Refusal(`cannot read the log of ${tpKey(tp)}: ${unreadable?.why ?? 'no answer'} — try again once its leader is back; nothing changed`)
  const { logStart, logEnd } = logs[0]
  if (committed < logStart) throw refuse({ kind: 'below-log-start', groupId: target.groupId, tp, committed, logStart })
  const [windows, before, settings] = await Promise.all([
    readConsumerWindows(ctx.kafka, tp, committed, scanRecords),
    readRecordsBefore(ctx.kafka, tp, committed, 3),
    readTopicSettings(ctx.kafka, [target.topic], ['max.message.bytes']),
  ])
  if ('error' in windows)
    throw new Refusal(
      `cannot read the records of ${tpKey(tp)} at offset ${committed}: ${windows.error.message} — try again once its leader is back; nothing changed`,
    )
  let isolation: Isolation | null = null
  if (isolationThatMatters(windows)) {
    isolation = (await ctx.param('isolation')) ?? null
    if (isolation === null)
      throw refuse({
        kind: 'isolation-needed',
        tp,
        committedFirst: windows.read_committed.records[0]?.record.offset ?? null,
        uncommittedFirst: windows.read_uncommitted.records[0]?.record.offset ?? null,
      })
  }
  const view = windows[isolation ?? 'read_uncommitted']
  const judged = judgeRecords(view, before)
  const offset = (await ctx.param('offset')) ?? null
  const location = locatePoison(view, judged, { groupId: target.groupId, offset: offset === null ? null : BigInt(offset), logStart, logEnd })
  if (isSkipFault(location)) throw refuse(location)
  const max = settingOf(settings[0], 'max.message.bytes').value
  return {
    committed,
    logStart,
    logEnd,
    windows,
    isolation,
    view,
    before,
    judged,
    location,
    maxMessageBytes: max === null || Number.isNaN(Number(max)) ? null : Number(max),
    readAtMs: ctx.now(),
  }
}

export const lookCell = nb.query({
  id: 'stuck-record',
  title: 'The record the group is stuck on',
  doc: 'Reads the records a consumer of the group gets from its committed offset on (as its isolation level delivers them), finds the one it fails on — the offset you give from the service’s error, else the first record unlike its neighbours, else the next one — and shows it: offset, timestamp, size, batch and compression, key, headers and the first bytes of the value, safely (UTF-8 where it decodes, hex otherwise, control characters escaped), and what it looks like (JSON that does not parse, a Schema Registry magic byte and schema id, empty, over max.message.bytes). The payload stays on the screen; the transcript keeps its offset, sizes and SHA-256 digests unless --set record-in-transcript=yes.',
  async run(ctx) {
    const target = ctx.need('target')
    const look = await readLook(ctx, target)
    ctx.state.look = look
    const peek = await ctx.param('peek')
    const { view, judged, location } = look
    const stuck = view.records[location.index]!
    const stuckJudged = judged[location.index]!
    const inTranscript = await ctx.param('record-in-transcript')
    const how =
      location.how === 'given'
        ? `the offset you gave (${stuck.record.offset})`
        : location.how === 'odd'
          ? `the first record after the committed offset unlike its neighbours (${stuckJudged.odd.reason})`
          : 'the next record the consumer gets: nothing after the committed offset stands out, so the service fails on this one or on something outside the record — give the offset from its error log with --set offset=… when you have it'
    const blocks: Block[] = [
      recordRows(view.records, judged, location.index, peek, ctx.now()),
      notice(location.how === 'first' ? 'warn' : 'info', `Stuck record: ${how}.`),
      ...(view.passedBefore.length
        ? [notice('info', `Before the first record the consumer gets: ${view.passedBefore.map(describePassedOver).join('; ')}.`)]
        : []),
      ...(look.isolation
        ? [notice('info', `Read as a ${look.isolation} consumer reads it (an open or aborted transaction makes the isolation level matter here).`)]
        : []),
      ...recordFacts(stuck, stuckJudged, ctx.now(), look.maxMessageBytes),
      ...payloadView(stuck.record, inTranscript),
    ]
    const shown = view.records.slice(location.index, location.index + 1 + peek)
    return {
      blocks,
      data: {
        group: target.groupId,
        partition: tpKey(target),
        committed: look.committed,
        logEnd: look.logEnd,
        isolation: view.isolation,
        found: location.how,
        stuck: { ...stuck.fingerprint, timestamp: stuck.record.timestamp, shape: shapeLabel(stuckJudged.shape), odd: stuckJudged.odd.reason ?? null },
        next: shown.slice(1).map((r) => r.fingerprint),
        ...(inTranscript ? { record: recordForTranscript(stuck.record) } : {}),
      },
    }
  },
})
