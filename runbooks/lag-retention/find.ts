// Where the group stands against retention: per partition the lag in records and time, the rates of writing,
// consuming and deleting, when the first unread record goes and how many unread records go if nothing changes;
// for partitions already below the log start, what the consumers' next fetch does.

import { type Block, counted, formatCount, iso, notice } from '../../lib/engine/blocks.ts'
import { Refusal } from '../../lib/engine/runbook.ts'
import { parseConsumerConfig, type ResolvedOffsetReset, resetOutcome, resolveOffsetReset } from '../../lib/plans/consumer-config.ts'
import { analysePartition, type PartitionRace } from '../../lib/plans/lag-retention.ts'
import { readLagRetention } from '../../lib/reads/lag-retention.ts'
import { readAnswerFile } from '../../lib/reads/text-file.ts'
import { type Ctx, nb } from './notebook.ts'
import { groupFacts, raceTable, resetTable, settingsTable } from './tables.ts'
import { howRetentionWorks, resetMeaning } from './text.ts'

export const explainCell = nb.explain({
  id: 'how-retention-deletes',
  title: 'How retention deletes records a group has not read',
  text: howRetentionWorks,
  pick: async (ctx) => ((await ctx.capabilities()).kafkaLine === '3.9' ? '3.9' : '4.x'),
})

const total = (races: readonly PartitionRace[], pick: (r: PartitionRace) => bigint) => races.reduce((sum, r) => sum + pick(r), 0n)

export const raceCell = nb.query({
  id: 'race',
  title: 'The group against retention',
  doc: 'Samples the log start, the log end and the committed offsets twice (--set sample), reads the segments from the first unread record to the log end, the topic settings with their sources and the brokers’ log directories, and prices per partition when the first unread record is deleted and how many unread records go if nothing changes.',
  async run(ctx) {
    const groupId = await ctx.param('group')
    const margin = await ctx.param('margin')
    const reading = await readLagRetention(ctx.kafka, groupId, { sampleMs: await ctx.param('sample'), now: () => ctx.now(), sleep: (ms) => ctx.sleep(ms) })
    if (!reading)
      throw new Refusal(
        `group ${groupId} is unknown to the cluster (no description, no committed offsets) — check the name (runbook status lists groups); nothing changed`,
      )
    if (reading.samples.length === 0)
      throw new Refusal(`group ${groupId} has no committed offset on a readable partition — it has nothing retention can take; nothing changed`)
    const policies = new Map(reading.topics.map((t) => [t.topic, t.policy]))
    const races = reading.samples.map((s) => analysePartition(policies.get(s.log.topic)!, s, reading.takenAtMs, margin))
    Object.assign(ctx.state, { reading, races })
    const now = reading.takenAtMs
    const racing = races.filter((r) => r.status === 'racing')
    const below = races.filter((r) => r.status === 'below-log-start')
    const blocks: Block[] = [groupFacts(reading), raceTable(races, now), settingsTable(reading.topics, reading.checkInterval)]
    if (below.length)
      blocks.push(
        notice(
          'danger',
          `${counted(below.length, 'partition')} already below the log start: ${formatCount(total(below, (r) => r.alreadyDeleted))} records were deleted before the group read them.`,
        ),
      )
    if (racing.length) {
      const first = Math.min(...racing.map((r) => r.firstLoss!.dueMs))
      blocks.push(
        notice(
          'warn',
          `${counted(racing.length, 'partition')} racing retention: the first unread records go at the first retention check after ${iso(first)}; ${formatCount(total(racing, (r) => r.atRisk))} unread records are deleted if nothing changes.`,
        ),
      )
    }
    if (!below.length && !racing.length)
      blocks.push(notice('ok', 'No unread record is deleted at the measured rates: the group reads every segment before retention takes it.'))
    return {
      blocks,
      data: {
        groupId,
        sampledMs: reading.sampledMs,
        checkIntervalMs: reading.checkInterval.ms,
        partitions: races.map(({ schedule, ...race }) => ({ ...race, segments: schedule })),
        atRisk: total(races, (r) => r.atRisk),
        alreadyDeleted: total(races, (r) => r.alreadyDeleted),
      },
    }
  },
})

/** The consumers' auto.offset.reset: from their config file, or as given, or the clients' default (latest). */
function consumerReset(ctx: Ctx, file: string | undefined, given: string | undefined): ResolvedOffsetReset {
  if (file !== undefined) {
    const read = readAnswerFile(file)
    if ('error' in read) throw new Refusal(`${read.error} — give the consumers' configuration file; nothing changed`)
    const parsed = parseConsumerConfig(read.text, file, null)
    if (typeof parsed === 'string') throw new Refusal(`${parsed}; nothing changed`)
    return resolveOffsetReset({ config: parsed })
  }
  return resolveOffsetReset(given === undefined ? {} : { given })
}

export const resetCell = nb.query({
  id: 'next-fetch',
  title: 'What the consumers do at their next fetch',
  doc: "For partitions whose committed offset is below the log start: the consumers' auto.offset.reset (from --set consumer-config or auto-offset-reset, else the clients' default, latest) and what it does, in records deleted and skipped.",
  when: (ctx) => (ctx.need('races').some((r) => r.status === 'below-log-start') ? true : 'no partition is below the log start'),
  whenDoc: 'a partition is below the log start',
  async run(ctx) {
    const reset = consumerReset(ctx, await ctx.param('consumer-config'), await ctx.param('auto-offset-reset'))
    ctx.state.reset = reset
    const below = ctx.need('races').filter((r) => r.status === 'below-log-start')
    const rows = below.map((race) => ({
      race,
      outcome: resetOutcome(reset.reset, { committed: race.committed, logStart: race.logStart, logEnd: race.logEnd }),
    }))
    const skipped = rows.reduce((sum, r) => sum + r.outcome.skipped, 0n)
    const source =
      reset.from === 'file' ? `from the consumers' configuration (${reset.written})` : reset.from === 'given' ? `as given (${reset.written})` : reset.note
    const blocks: Block[] = [notice('info', `auto.offset.reset: ${reset.reset.kind} — ${source}. The consumer ${resetMeaning(reset.reset)}.`), resetTable(rows)]
    if (reset.refusal) blocks.push(notice('danger', reset.refusal))
    if (reset.note && reset.from !== 'default') blocks.push(notice('info', reset.note))
    if (skipped > 0n)
      blocks.push(
        notice(
          'danger',
          `At the next fetch the consumers skip ${formatCount(skipped)} records still on disk. Moving the group to the log start first keeps them.`,
        ),
      )
    return {
      blocks,
      data: {
        reset: reset.reset,
        from: reset.from,
        written: reset.written,
        refusal: reset.refusal,
        partitions: rows.map((r) => ({ topic: r.race.topic, partition: r.race.partition, ...r.outcome })),
      },
    }
  },
})
