// After the change: the catch-up estimate, a bounded watch of the group until putting the raised retention back
// deletes nothing it has not read, and that revert, through the shared topic config change (preview with the
// records it deletes, re-check, read-back; the raise's undo record is then closed).

import { type Block, formatCount, formatSeconds, iso, notice } from '../../lib/engine/blocks.ts'
import { type ConfigChange, topicConfigRevert } from '../../lib/cells/topic-config-change.ts'
import type { KafkaOps } from '../../lib/kafka/types.ts'
import { analysePartition } from '../../lib/plans/lag-retention.ts'
import { readLagRetention, readRevertDeletions, restoredPolicy } from '../../lib/reads/lag-retention.ts'
import { nb } from './notebook.ts'
import { revertCostBlocks } from './tables.ts'

/** The values a revert writes back: each changed setting's previous value (an inherited one too, for pricing). */
const restoredValues = (changes: readonly ConfigChange[]) => changes.map((c) => ({ topic: c.topic, name: c.name, value: c.before.value }))

/** What the restore deletes at the next check, as blocks: shown before the revert's and the undo's confirmation. */
export async function restoreCost(ctx: { readonly kafka: KafkaOps; now(): number }, changes: readonly ConfigChange[]): Promise<readonly Block[]> {
  return revertCostBlocks(await readRevertDeletions(ctx.kafka, restoredValues(changes), () => ctx.now()))
}

export const afterCell = nb.explain({
  id: 'after',
  title: 'Afterwards',
  text: "Watch the group's lag fall. Put a raised retention back once the group has read what it kept: this run watches for that (--set revert-watch) and offers the revert, or `runbook undo <session>` later restores each setting's previous value and source (an inherited value comes back by removing the override). Both show first how many records the restore deletes at the next retention check, and how many of them a group has not read yet.",
  live: (ctx) => {
    const races = ctx.state.races ?? []
    const catchUps = races.filter((r) => r.status === 'racing').map((r) => r.catchUpAtMs)
    if (catchUps.length === 0) return ''
    if (catchUps.includes(null))
      return 'At the measured rates the group does not catch up: fix the consumer (or add consumers) before putting the retention back.'
    const at = Math.max(...(catchUps as number[]))
    return `At the measured rates the group catches up around ${iso(at)} (in ${formatSeconds(Math.max(0, at - ctx.now()))}).`
  },
})

const pollMs = 2000

export const watchCell = nb.query({
  id: 'watch-revert',
  title: 'Watch until the old retention is safe again',
  doc: 'After a raise: samples the group again and again (--set sample apart), for at most --set revert-watch, until at the measured rates the old retention would delete nothing before the group reads it (no partition racing it, none below the log start) — then the revert is offered; otherwise the raise stays for runbook undo.',
  when: (ctx) => {
    if (!ctx.state.raised) return 'the retention was not raised'
    if (ctx.dryRun) return 'dry run: a real run watches the group here'
    return true
  },
  whenDoc: 'after raise-retention was applied',
  async run(ctx) {
    const limitMs = await ctx.param('revert-watch')
    const groupId = await ctx.param('group')
    const sampleMs = await ctx.param('sample')
    const restored = restoredValues(ctx.state.raised!.changes)
    const started = ctx.now()
    let shown = started
    /** The partitions the old retention would still take unread records from, at the rates measured now. */
    const stillAtRisk = async () => {
      const reading = await readLagRetention(ctx.kafka, groupId, { sampleMs, now: () => ctx.now(), sleep: (ms) => ctx.sleep(ms) })
      if (!reading) return []
      return reading.samples
        .map((sample) => {
          const topic = reading.topics.find((t) => t.topic === sample.log.topic)!
          const policy = restoredPolicy(topic.topic, (name) => topic.settings[name]?.value ?? null, restored, reading.checkInterval.ms)
          return analysePartition(policy, sample, reading.takenAtMs, 0)
        })
        .filter((r) => r.status === 'racing' || r.status === 'below-log-start')
    }
    let atRisk = await stillAtRisk()
    // Bounded by reads as well as by the clock (a pinned test clock never moves).
    const reads = Math.ceil(limitMs / Math.max(pollMs, sampleMs))
    for (let read = 1; atRisk.length > 0 && read <= reads && ctx.now() - started < limitMs; read++) {
      if (ctx.now() - shown >= 15_000) {
        shown = ctx.now()
        ctx.show([
          notice(
            'info',
            `After ${formatSeconds(shown - started)}: the old retention would still delete records group ${groupId} has not read on ${atRisk.map((r) => `${r.topic}/${r.partition}`).join(', ')}…`,
          ),
        ])
      }
      await ctx.sleep(pollMs)
      atRisk = await stillAtRisk()
    }
    const waitedMs = ctx.now() - started
    ctx.state.revertSafe = atRisk.length === 0
    const unread = atRisk.reduce((sum, r) => sum + r.atRisk + r.alreadyDeleted, 0n)
    const data = { waitedMs, partitionsAtRisk: atRisk.map((r) => `${r.topic}/${r.partition}`), unread: unread.toString() }
    if (atRisk.length === 0)
      return {
        blocks: [
          notice(
            'ok',
            `After ${formatSeconds(waitedMs)}: at the rates measured now, the old retention deletes nothing before group ${groupId} reads it. The revert is next.`,
          ),
        ],
        data,
      }
    return {
      blocks: [
        notice(
          'warn',
          `After ${formatSeconds(waitedMs)} the old retention would still delete ${formatCount(unread)} records before group ${groupId} reads them: the retention stays raised. Put it back with \`runbook undo <this session>\` once the group has caught up (its preview counts what the restore deletes).`,
        ),
      ],
      data,
    }
  },
})

export const revertCell = topicConfigRevert(nb, {
  id: 'revert-retention',
  title: 'Put the retention back',
  doc: 'Once the watch found the old retention safe: restores each raised setting’s previous value and source, previewed with the records the restore deletes at the next retention check (and any a group has not read), re-checked against what the raise left, read back; the raise’s undo record is then closed.',
  reverts: 'raise-retention',
  when: (ctx) =>
    ctx.state.revertSafe
      ? true
      : ctx.state.raised
        ? 'the group has not read what the old retention would delete; runbook undo later'
        : 'the retention was not raised',
  whenDoc: 'the watch found the old retention safe',
  applied: (ctx) => ctx.state.raised,
  restoreCost,
})
