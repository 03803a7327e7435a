// Where to rewind to: a time, a duration back, a shift by N records, or a file of offsets — given with --set or
// chosen here — and, for a time, how much earlier to start so the auto-commit gap is covered.

import { formatCount, formatSeconds, iso } from '../../lib/engine/blocks.ts'
import { Refusal } from '../../lib/engine/runbook.ts'
import { parseOffsetsCsv } from '../../lib/plans/offset-csv.ts'
import { rewindTimeMs, type RewindMethod, type RewindRequest } from '../../lib/plans/offset-rewind.ts'
import { suggestSafetyMargin } from '../../lib/plans/replay-margin.ts'
import { readWriteRate } from '../../lib/reads/consumer-group.ts'
import { readAnswerFile } from '../../lib/reads/text-file.ts'
import { type Ctx, nb } from './notebook.ts'
import { marginBlocks } from './tables.ts'

const methodParams = ['to-datetime', 'by-duration', 'shift-by', 'from-file'] as const
type MethodName = (typeof methodParams)[number]
const timeBased = (name: MethodName) => name === 'to-datetime' || name === 'by-duration'

/** Which way the operator gave the rewind point with --set, if any (two at once is bad input). */
export function givenMethod(ctx: Ctx): MethodName | undefined {
  const given = methodParams.filter((name) => ctx.given(name) !== undefined)
  if (given.length > 1) throw new Refusal(`give one rewind point, not ${given.join(' and ')}; nothing changed`)
  return given[0]
}

export const methodCell = nb.decide({
  id: 'method',
  title: 'Where to rewind to',
  doc: 'How to choose the new offsets: a time, a duration back from now, a shift by N records, or exact offsets from a file. Skipped when one was given with --set.',
  question: 'How do you want to choose the rewind point?',
  when: (ctx) => {
    const given = givenMethod(ctx)
    if (given) return `given: --set ${given}`
    if (!ctx.interactive) {
      throw new Refusal(
        `say where to rewind to: --set to-datetime=<time> (the kill time), by-duration=<PT20M>, shift-by=<-N> or from-file=<csv>; nothing changed`,
      )
    }
    return true
  },
  options: {
    'to-datetime': 'A time (the kill, the alert, "20 minutes ago")',
    'by-duration': 'A duration back from now',
    'shift-by': 'N records back on every partition',
    'from-file': 'Exact offsets from a file',
  },
  price: () => ({
    'to-datetime': {
      cost: 'replays everything written since that time, on every partition',
      risk: 'a time after the first unhandled record misses it; the safety margin covers the auto-commit gap',
      recommended: true,
    },
    'by-duration': { cost: 'the same as a time, counted back from now', risk: 'the window grows while you wait' },
    'shift-by': {
      cost: 'exactly N records per partition, whatever time they span',
      risk: 'busy and quiet partitions go back to different times; records below the log start are gone',
    },
    'from-file': {
      cost: 'exactly the offsets you give (kafka-consumer-groups --export format)',
      risk: 'a stale file moves partitions forward and skips records',
    },
  }),
  because: () => 'the kill time is what the incident gives you, and Kafka’s own --to-datetime finds the same offsets',
})

function methodName(ctx: Ctx): MethodName {
  return givenMethod(ctx) ?? ctx.decision(methodCell) ?? 'to-datetime'
}

async function resolveMethod(ctx: Ctx, groupId: string): Promise<RewindMethod> {
  switch (methodName(ctx)) {
    case 'to-datetime':
      return { kind: 'to-datetime', atMs: await ctx.param('to-datetime', { required: true }) }
    case 'by-duration':
      return { kind: 'by-duration', durationMs: await ctx.param('by-duration', { required: true }) }
    case 'shift-by':
      return { kind: 'shift-by', shift: await ctx.param('shift-by', { required: true }) }
    case 'from-file': {
      const file = await ctx.param('from-file', { required: true })
      const read = readAnswerFile(file)
      if ('error' in read) throw new Refusal(`${read.error} — give a CSV of topic,partition,offset; nothing changed`)
      const lines = parseOffsetsCsv(read.text, groupId)
      if ('kind' in lines) throw new Refusal(`offsets file ${file}: ${lines.message}; nothing changed`)
      return { kind: 'from-file', file, lines }
    }
  }
}

export const marginCell = nb.decide({
  id: 'safety-margin',
  title: 'Safety margin',
  doc: "For a time or a duration: how much earlier to start, from the consumer's auto.commit.interval.ms, its batch size and the write rate measured from the log. Skipped with --set margin=….",
  question: 'Start the replay earlier than the time you gave?',
  when: (ctx) => (!timeBased(methodName(ctx)) ? 'the rewind point is not a time' : ctx.given('margin') !== undefined ? 'given: --set margin' : true),
  options: {
    suggested: 'Yes, by the suggested margin',
    none: 'No, exactly the time given',
  },
  async price(ctx) {
    const view = ctx.need('view')
    const method = await resolveMethod(ctx, view.groupId)
    const timeMs = rewindTimeMs({ method, scope: { kind: 'all-topics' }, marginMs: 0 }, ctx.now())!
    const margin = suggestSafetyMargin({
      autoCommitIntervalMs: (await ctx.param('auto-commit-interval')) ?? null,
      batchRecords: (await ctx.param('max-poll-records')) ?? null,
      recordsPerSecond: await readWriteRate(
        ctx.kafka,
        view.committed.map(({ topic, partition }) => ({ topic, partition })),
        timeMs,
        300_000,
      ),
    })
    ctx.state.margin = margin
    ctx.show([marginBlocks(margin)])
    return {
      suggested: {
        label: `Yes, ${formatSeconds(margin.marginMs)} earlier (from ${iso(timeMs - margin.marginMs)})`,
        cost: `about ${formatCount(Math.round((margin.recordsPerSecond * margin.marginMs) / 1000))} more records replayed (duplicates)`,
        risk: 'more duplicates for a consumer that is not idempotent',
        recommended: true,
      },
      none: {
        label: `No, from ${iso(timeMs)}`,
        cost: 'no extra duplicates',
        risk: 'records fetched before that time but never handled stay lost (an auto-commit can be one interval old, and a batch sits in memory)',
      },
    }
  },
  because: () => 'a lost record costs more than a duplicate for most consumers; the margin is one commit interval plus one batch at the measured rate',
  headlessDefault: 'none',
})

function marginMs(ctx: Ctx): number {
  const explicit = ctx.given('margin')
  if (explicit !== undefined) return explicit
  return ctx.decision(marginCell) === 'suggested' ? (ctx.state.margin?.marginMs ?? 0) : 0
}

/** The rewind as the operator asked for it: the method, the scope, and the margin for a time. */
export async function rewindRequest(ctx: Ctx, groupId: string): Promise<RewindRequest> {
  const method = await resolveMethod(ctx, groupId)
  return { method, scope: ctx.given('topics') ?? { kind: 'all-topics' }, marginMs: timeBased(methodName(ctx)) ? marginMs(ctx) : 0 }
}
