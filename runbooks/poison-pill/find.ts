// Which group is stuck, and on which partition: two samples of every candidate group's committed offsets and log
// ends `sample-interval` apart, the groups described every second in between (a crash loop's members join and
// leave), the next records of the stuck partitions judged against their neighbours, all ranked — or the group
// and partition the operator named, checked to be stuck.

import { type Block, counted, formatCount, formatSeconds, notice } from '../../lib/engine/blocks.ts'
import type { Choice } from '../../lib/engine/params.ts'
import { Refusal, type Finding } from '../../lib/engine/runbook.ts'
import { membersTable } from '../../lib/cells/group-offset-change.ts'
import type { TopicPartition } from '../../lib/kafka/types.ts'
import { judgeRecords } from '../../lib/plans/record-skip.ts'
import {
  planStuckPartitions,
  rankSuspects,
  soleSuspect,
  type StuckGroups,
  type Suspect,
  suspectKey,
} from '../../lib/plans/stuck-partitions.ts'
import { readConsumerGroupIds, readGroupSamples, watchGroups } from '../../lib/reads/group-progress.ts'
import { readConsumerWindows, readRecordsBefore } from '../../lib/reads/records.ts'
import { type Ctx, nb, type Target, tpKey } from './notebook.ts'
import { stuckTable } from './tables.ts'
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
function notStuckReason(found: StuckGroups, samples: { committedBefore: bigint | null; committedNow: bigint | null; logEnd: bigint | null }, groupId: string, tp: TopicPartition, sampledMs: number): string {
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
      blocks.push(notice('ok', `No consumer group is stuck: every committed offset with records behind it moved during the ${formatSeconds(sampleMs)} sample (${counted(ids.length, 'group')} read).`))
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
