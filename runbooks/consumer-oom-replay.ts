// A consumer with auto-commit was killed (OOM) after a commit covered records it had not handled yet: those
// records are lost to its group. Stop the group, rewind its committed offsets to before the loss, replay.

import { type Block, counted, formatCount, formatSeconds, iso, markdown, notice, table } from '../lib/engine/blocks.ts'
import { formatDuration, ParamError, type ParamSpec, param } from '../lib/engine/params.ts'
import { notebook, Refusal, type RunContext } from '../lib/engine/runbook.ts'
import type { KafkaOps, TopicPartition } from '../lib/kafka/types.ts'
import { formatOffsetsCsv, parseOffsetsCsv } from '../lib/plans/offset-csv.ts'
import {
  describeRewindFault,
  groupIsStopped,
  isRewindFault,
  parseTopicsScope,
  planRewindScope,
  planRewindTargets,
  replayTimeQueries,
  rewindTimeMs,
  type RewindMethod,
  type RewindPlan,
  type RewindRequest,
  type RewindScope,
  withReplayTimes,
} from '../lib/plans/offset-rewind.ts'
import { suggestSafetyMargin, type MarginSuggestion } from '../lib/plans/replay-margin.ts'
import {
  type GroupView,
  type LogBounds,
  readCommittedOffsets,
  readGroupChoices,
  readGroupState,
  readGroupView,
  readLogBounds,
  readRecordTimes,
  readWriteRate,
  readSessionTimeouts,
} from '../lib/reads/consumer-group.ts'
import { readAnswerFile } from '../lib/reads/text-file.ts'
import { describeSpan, groupFacts, lagTable, marginBlocks, membersTable, offsetsChangeTable, previewBlocks } from './consumer-oom-replay/words.ts'

interface State {
  view?: GroupView
  logs?: LogBounds[]
  /** Active when the group was first read: the stop and wait cells run. */
  activeAtStart?: boolean
  margin?: MarginSuggestion
}

const topicsParam: ParamSpec<RewindScope> = {
  type: 'topics',
  help: 'only these topics or partitions, as --topic takes them ("orders", "orders:0,1; payments"); default: every partition the group has committed (--all-topics)',
  optional: true,
  parse(text) {
    const scope = parseTopicsScope(text)
    if (typeof scope === 'string') throw new ParamError(scope)
    return scope
  },
  format: (scope) =>
    scope.kind === 'all-topics' ? 'all' : scope.topics.map((t) => (t.partitions ? `${t.topic}:${t.partitions.join(',')}` : t.topic)).join(' '),
}

const nb = notebook<State>()({
  group: param.string({
    help: 'the consumer group that lost records',
    prompt: 'Which consumer group lost records?',
    suggest: async (kafka: KafkaOps) =>
      (await readGroupChoices(kafka)).map((g) => ({
        value: g.groupId,
        name: g.groupId,
        description: `${g.state} · ${g.type === 'consumer' ? 'KIP-848' : 'classic'} · ${g.members ?? '?'} member${g.members === 1 ? '' : 's'} · lag ${g.lag === null ? 'unknown' : formatCount(g.lag)} on ${g.partitions} partition${g.partitions === 1 ? '' : 's'}`,
      })),
  }),
  topics: topicsParam,
  'stop-command': param.string({
    help: 'a command that stops every consumer of the group (e.g. kubectl scale deploy/billing --replicas=0)',
    prompt: 'Command that stops every consumer of the group',
    optional: true,
  }),
  'wait-for-empty': param.duration({ help: 'how long to wait for the group to become Empty after its consumers stop', default: 60_000, minMs: 0 }),
  'to-datetime': param.datetime({
    help: 'rewind to the first record written at or after this time (ISO-8601, "15 minutes ago"; the kill time)',
    prompt: 'Rewind to which time? (the kill time, e.g. 2026-11-24T03:12:00Z or "20 minutes ago")',
    optional: true,
  }),
  'by-duration': param.duration({
    help: 'rewind to the first record written this long ago (PT20M, 20m)',
    prompt: 'Rewind how far back from now? (e.g. 20m)',
    optional: true,
    minMs: 1,
  }),
  'shift-by': param.count({
    help: 'move every partition by this many records (negative: back), clamped to the log as Kafka does',
    prompt: 'Shift by how many records? (negative goes back, e.g. -500)',
    optional: true,
    allowNegative: true,
  }),
  'from-file': param.string({
    help: 'a CSV of topic,partition,offset (kafka-consumer-groups --export format)',
    prompt: 'Offsets file (topic,partition,offset per line)',
    optional: true,
  }),
  'auto-commit-interval': param.duration({
    help: "the consumer's auto.commit.interval.ms, for the safety margin (default 5 s)",
    prompt: "The consumer's auto.commit.interval.ms",
    optional: true,
  }),
  'max-poll-records': param.integer({
    help: 'records one poll hands over (max.poll.records) or the size of the in-memory queue, for the safety margin (default 500)',
    prompt: 'Records held in memory at once (max.poll.records or the queue size)',
    optional: true,
    min: 1,
  }),
  margin: param.duration({ help: 'take this much off the rewind time (instead of the suggested margin)', optional: true, minMs: 0 }),
})

type Ctx = RunContext<State, typeof nb.params>
const methodParams = ['to-datetime', 'by-duration', 'shift-by', 'from-file'] as const
type MethodName = (typeof methodParams)[number]
const timeBased = (name: MethodName | undefined) => name === 'to-datetime' || name === 'by-duration'

/** Which way the operator gave the rewind point: one --set, or the decision. */
function givenMethod(ctx: Ctx): MethodName | undefined {
  const given = methodParams.filter((name) => ctx.given(name) !== undefined)
  if (given.length > 1) throw new Refusal(`give one rewind point, not ${given.join(' and ')}; nothing changed`)
  return given[0]
}

function methodName(ctx: Ctx): MethodName {
  return givenMethod(ctx) ?? (ctx.decision('method') as MethodName | undefined) ?? 'to-datetime'
}

async function resolveMethod(ctx: Ctx, groupId: string): Promise<RewindMethod> {
  const name = methodName(ctx)
  switch (name) {
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

function marginMs(ctx: Ctx): number {
  const explicit = ctx.given('margin')
  if (explicit !== undefined) return explicit
  return ctx.decision('safety-margin') === 'suggested' ? (ctx.state.margin?.marginMs ?? 0) : 0
}

async function rewindRequest(ctx: Ctx, groupId: string): Promise<RewindRequest> {
  const method = await resolveMethod(ctx, groupId)
  return { method, scope: ctx.given('topics') ?? { kind: 'all-topics' }, marginMs: timeBased(methodName(ctx)) ? marginMs(ctx) : 0 }
}

const refuse = (fault: Parameters<typeof describeRewindFault>[0]) => new Refusal(describeRewindFault(fault))

/** The committed partitions plus the uncommitted partitions of the same topics, for the lag table. */
function groupPartitions(view: GroupView): TopicPartition[] {
  const topics = new Set(view.committed.map((c) => c.topic))
  return view.topics
    .filter((t) => topics.has(t.topic) && t.partitions !== null)
    .flatMap((t) => Array.from({ length: t.partitions! }, (_, partition) => ({ topic: t.topic, partition })))
}

/** Plans from the cluster as it is now (a re-plan after drift sees the new state). */
async function planRewind(ctx: Ctx): Promise<RewindPlan> {
  const groupId = await ctx.param('group')
  const request = await rewindRequest(ctx, groupId)
  const alsoTopics = [
    ...(request.scope.kind === 'topics' ? request.scope.topics.map((t) => t.topic) : []),
    ...(request.method.kind === 'from-file' ? request.method.lines.map((l) => l.topic) : []),
  ]
  const view = await readGroupView(ctx.kafka, groupId, { alsoTopics, nowMs: ctx.now() })
  // A dry run previews the plan while the consumers still run: operators look before they stop a service.
  const scope = planRewindScope(ctx.dryRun ? { ...view, state: 'Empty', members: [] } : view, request)
  if (isRewindFault(scope)) throw refuse(scope)
  const timeMs = rewindTimeMs(request, view.takenAtMs)
  if (timeMs !== null && timeMs > ctx.now()) throw new Refusal(`the rewind time ${iso(timeMs)} is in the future — give a time that has passed; nothing changed`)
  const { logs, unreadable } = await readLogBounds(ctx.kafka, scope, timeMs)
  if (unreadable) throw refuse({ kind: 'unreadable', ...unreadable })
  const planned = planRewindTargets(view, request, logs, '"$KAFKA_BOOTSTRAP_SERVERS"')
  if (isRewindFault(planned)) throw refuse(planned)
  return withReplayTimes(planned, await readRecordTimes(ctx.kafka, replayTimeQueries(planned)))
}

interface UndoRecord {
  readonly groupId: string
  /** What the rewind committed: what the undo's re-check expects to find. */
  readonly applied: readonly (TopicPartition & { readonly offset: bigint })[]
  /** What was committed before; null where the group had no commit. */
  readonly previous: readonly (TopicPartition & { readonly offset: bigint | null })[]
}

const key = (tp: TopicPartition) => `${tp.topic}/${tp.partition}`

/** Polls the committed offsets until they equal `expected` (bounded): Kafka answers commits at once, but a moving coordinator may not. */
async function verifyCommitted(
  kafka: KafkaOps,
  groupId: string,
  expected: readonly (TopicPartition & { readonly offset: bigint })[],
  sleep: (ms: number) => Promise<void>,
) {
  let wrong: (TopicPartition & { expected: bigint; now: bigint | null })[] = []
  for (let attempt = 0; attempt < 10; attempt++) {
    const now = await readCommittedOffsets(kafka, groupId)
    wrong = expected.filter((e) => now.get(key(e)) !== e.offset).map((e) => ({ ...e, expected: e.offset, now: now.get(key(e)) ?? null }))
    if (wrong.length === 0) break
    await sleep(300)
  }
  return wrong
}

async function groupDrifts(kafka: KafkaOps, groupId: string, expected: readonly (TopicPartition & { readonly offset: bigint | null })[]) {
  const [description, committed] = await Promise.all([readGroupState(kafka, groupId), readCommittedOffsets(kafka, groupId)])
  const drifts: { what: string; planned: string; now: string }[] = []
  if (description.found && !groupIsStopped(description)) {
    drifts.push({
      what: `group ${groupId}`,
      planned: 'Empty (no members)',
      now: `${description.state} with ${description.members.length} member${description.members.length === 1 ? '' : 's'}`,
    })
  }
  for (const e of expected) {
    const now = committed.get(key(e)) ?? null
    if (now !== e.offset)
      drifts.push({
        what: `committed offset of ${key(e)}`,
        planned: e.offset === null ? 'none' : e.offset.toString(),
        now: now === null ? 'none' : now.toString(),
      })
  }
  return drifts
}

/** What every Kafka line shares; the versions differ in which group protocols exist. */
const howAutoCommitLoses = `A consumer with \`enable.auto.commit=true\` never tells Kafka which records it has *handled*. It commits how far it has *fetched*: the Java client, at the start of a \`poll()\` once \`auto.commit.interval.ms\` (5 s by default) has passed, commits the position after every record earlier polls returned, finished or not. (kafkajs commits the offsets of records whose handler has returned, after each batch.)

That is safe while the work happens inside the poll loop. It is not when the service passes records on — to a worker pool, an in-memory queue, a buffer flushed every N records — and goes back to polling: the next commit covers records that exist only in the process's memory. An OOM kill, \`kill -9\` or a lost node erases them; after the restart the group resumes at the committed offset, *after* them. Kafka keeps no trace that they were never handled, so lag looks normal. The reverse happens too: records handled after the last commit are delivered again (duplicates).

The fix is to stop every consumer of the group, move its committed offsets back to before the first record that may not have been handled, and start it again: everything from there on is consumed a second time.`

export default nb.runbook({
  id: 'consumer-oom-replay',
  title: 'Replay records a consumer lost to auto-commit after an OOM kill',
  summary:
    'Stop the group, rewind its committed offsets to before the kill (time, duration, shift or file), preview the replay per partition, apply, verify, undo.',
  whenToUse:
    'A consumer with `enable.auto.commit=true` was OOM-killed or `kill -9`ed and records it had fetched were never handled (missing rows, events, e-mails) while the group shows no lag. Also for any "replay this group from time T".',
  cells: [
    nb.explain({
      id: 'why-records-were-lost',
      title: 'Why auto-commit lost records',
      text: {
        '4.x': `${howAutoCommitLoses}\n\nOn Kafka 4.x a group uses either the classic protocol or the KIP-848 consumer protocol (\`group.protocol=consumer\`); both commit this way, and both accept an administrator's offset change only while the group has no members.`,
        '3.9': `${howAutoCommitLoses}\n\nOn Kafka 3.9 groups use the classic protocol (the KIP-848 consumer protocol is not generally available before 4.0); the coordinator accepts an administrator's offset change only while the group has no members.`,
      },
      pick: async (ctx) => ((await ctx.capabilities()).kafkaLine === '3.9' ? '3.9' : '4.x'),
    }),
    nb.query({
      id: 'group',
      title: 'The group, its members and its offsets',
      doc: 'Reads the group (state, protocol, members with client id, host and assignment), its committed offsets, and per partition the log start, the log end and the lag.',
      async run(ctx) {
        const groupId = await ctx.param('group')
        // Every answer given up front is checked now, before anything runs: bad input stops here.
        givenMethod(ctx)
        for (const name of ['margin', 'auto-commit-interval', 'max-poll-records', 'wait-for-empty'] as const) ctx.given(name)
        const scope = ctx.given('topics')
        const view = await readGroupView(ctx.kafka, groupId, { alsoTopics: scope?.kind === 'topics' ? scope.topics.map((t) => t.topic) : [], nowMs: ctx.now() })
        if (!view.exists) throw refuse({ kind: 'unknown-group', groupId })
        if (view.type === 'share' || view.type === 'streams') throw refuse({ kind: 'unsupported-group', groupId, type: view.type })
        const missing = view.topics.find((t) => t.partitions === null)
        if (missing) throw refuse({ kind: 'unknown-topic', topic: missing.topic })
        // The last committed record of each partition: a record below the log start simply has no time.
        const [{ logs }, newest] = await Promise.all([
          readLogBounds(ctx.kafka, groupPartitions(view), null),
          readRecordTimes(
            ctx.kafka,
            view.committed.filter((c) => c.offset > 0n).map((c) => ({ topic: c.topic, partition: c.partition, offset: c.offset - 1n })),
          ),
        ])
        const lastCommitted = newest.reduce<number | null>((max, r) => (r.timestamp !== null && (max === null || r.timestamp > max) ? r.timestamp : max), null)
        Object.assign(ctx.state, { view, logs, activeAtStart: !groupIsStopped(view) })
        const blocks: Block[] = [groupFacts(view)]
        if (view.members.length > 0) blocks.push(membersTable(view.members))
        blocks.push(lagTable(view, logs))
        if (lastCommitted !== null) {
          blocks.push(
            notice(
              'info',
              `The newest record the group has committed past was written at ${iso(lastCommitted)}: the consumer was committing up to about then.`,
            ),
          )
        }
        return {
          blocks,
          data: {
            groupId,
            state: view.state,
            type: view.type,
            members: view.members.map((m) => ({ memberId: m.memberId, clientId: m.clientId, host: m.host, assignment: m.assignment.map(key) })),
            committed: view.committed,
            lastCommittedRecordMs: lastCommitted,
          },
        }
      },
    }),
    nb.explain({
      id: 'what-a-replay-costs',
      title: 'What a replay costs',
      text: `A rewind hands every record between the new offset and the current one to the consumer again. Records the killed process had already handled are handled a second time: **duplicates are the price of getting the lost records back.**

- If handling a record twice is harmless — upserts by key, a table of processed topic/partition/offset, writes that overwrite — a generous window costs only time.
- If it is not — e-mails, payments, appends to a ledger — every extra record is a visible duplicate: rewind no further than covers the loss, and tell the owners of downstream systems which window is replayed (the plan below gives it per partition).
- Records below a partition's log start were deleted by retention: no rewind brings them back.`,
      async live(ctx) {
        const view = ctx.state.view!
        const logs = ctx.state.logs ?? []
        const committed = view.committed
        const partitions = committed.map(({ topic, partition }) => ({ topic, partition }))
        const windowMs = 300_000
        const rate = await readWriteRate(ctx.kafka, partitions, ctx.now(), windowMs)
        const ends = new Map(logs.map((l) => [key(l), l.logEnd]))
        const lag = committed.reduce((sum, c) => {
          const end = ends.get(key(c)) ?? c.offset
          return sum + (end > c.offset ? end - c.offset : 0n)
        }, 0n)
        return `Here: the group is ${formatCount(lag)} records behind on ${formatCount(committed.length)} committed partition${committed.length === 1 ? '' : 's'}; its partitions received ${rate.toFixed(1)} records/s over the last ${formatDuration(windowMs)} (or since their first record), so each minute of rewind replays about ${formatCount(Math.round(rate * 60))} records.`
      },
    }),
    nb.query({
      id: 'stop-the-consumers',
      title: 'Stop every consumer of the group',
      doc: 'Shown when the group still has members: who they are, how to stop them, and how long a killed member keeps the group busy (the broker’s session timeouts).',
      when: (ctx) => ctx.state.activeAtStart === true || 'the group has no active members',
      whenDoc: 'the group still has members',
      async run(ctx) {
        const view = ctx.state.view!
        const timeouts = await readSessionTimeouts(ctx.kafka).catch(() => ({ classicMinMs: null, classicMaxMs: null, consumerMs: null }))
        const classic = view.type !== 'consumer'
        const sessionLine = classic
          ? `A member that was killed (not stopped) stays in a classic group until its session times out: the client's \`session.timeout.ms\` (45 s by default in the Java client, 30 s in kafkajs; this cluster accepts ${timeouts.classicMinMs === null ? '?' : formatSeconds(timeouts.classicMinMs)}–${timeouts.classicMaxMs === null ? '?' : formatSeconds(timeouts.classicMaxMs)}).`
          : `A member that was killed (not stopped) stays in a KIP-848 group until the broker's \`group.consumer.session.timeout.ms\` passes (${timeouts.consumerMs === null ? '45 s by default' : `${formatSeconds(timeouts.consumerMs)} on this cluster`}).`
        const hosts = [...new Set(view.members.map((m) => m.host))]
        return [
          notice(
            'warn',
            `Group ${view.groupId} is ${view.state} with ${view.members.length} member${view.members.length === 1 ? '' : 's'}. Kafka refuses an offset change while any member is in the group, and a running consumer would commit over the rewind.`,
          ),
          ...(view.members.length ? [membersTable(view.members)] : []),
          markdown(
            [
              `Stop **every** instance (hosts: ${hosts.join(', ') || 'unknown'}): scale the deployment to zero, \`systemctl stop\` the service, or stop the job. Stop, don't kill: a clean stop leaves the group at once; a killed member lingers.`,
              sessionLine,
              'Give the command with `--set stop-command=…` (or below) and the runbook runs it after you confirm; then it waits for the group to become Empty.',
            ].join('\n\n'),
          ),
        ]
      },
    }),
    nb.shell({
      id: 'stop-command',
      title: 'Run the stop command',
      doc: 'Runs your command that stops every consumer of the group (confirmed; approved by hash in headless runs; never in a dry run).',
      when: (ctx) => ctx.state.activeAtStart === true || 'the group has no active members',
      whenDoc: 'the group still has members',
      command: async (ctx) => (await ctx.param('stop-command')) ?? null,
      skipReason: 'no stop command given: stop the consumers yourself; the next step waits for the group to empty',
      confirmText: (ctx) => ctx.state.view?.groupId,
      timeoutMs: 300_000,
    }),
    nb.query({
      id: 'wait-until-empty',
      title: 'Wait until the group is Empty',
      doc: 'Re-reads the group every second until it has no members, for at most --set wait-for-empty (60 s by default); refuses to go on while members remain.',
      async run(ctx) {
        const groupId = ctx.state.view!.groupId
        const limitMs = await ctx.param('wait-for-empty')
        const started = ctx.now()
        let group = await readGroupState(ctx.kafka, groupId)
        const activeNow = () => group.found && !groupIsStopped(group)
        if (activeNow() && ctx.dryRun) {
          return {
            blocks: [
              notice(
                'warn',
                `Dry run: group ${groupId} is ${group.state} with ${group.members.length} member(s); a real run waits here and refuses to rewind until it is Empty.`,
              ),
            ],
            data: { groupId, activeAtStart: ctx.state.activeAtStart, active: true, waitedMs: 0, dryRun: true },
          }
        }
        let shown = 0
        while (activeNow() && ctx.now() - started < limitMs) {
          const waited = ctx.now() - started
          if (waited - shown >= 10_000) {
            shown = waited
            ctx.show([notice('info', `Still ${group.state} with ${group.members.length} member(s) after ${formatSeconds(waited)}…`)])
          }
          await ctx.sleep(1000)
          group = await readGroupState(ctx.kafka, groupId)
        }
        const waitedMs = ctx.now() - started
        if (activeNow()) {
          const clients = [...new Set(group.members.map((m) => `${m.clientId}@${m.host}`))].join(', ')
          throw new Refusal(
            `group ${groupId} is still ${group.state} with ${group.members.length} active member${group.members.length === 1 ? '' : 's'} (${clients}) after ${formatSeconds(waitedMs)} — stop them (--set stop-command=…), or wait longer (--set wait-for-empty=2m); nothing changed`,
          )
        }
        const blocks: Block[] = [
          notice(
            'ok',
            `Group ${groupId} is ${group.found ? group.state : 'gone (Dead)'}${waitedMs >= 1000 ? ` (after ${formatSeconds(waitedMs)})` : ''}: no member can commit over the rewind.`,
          ),
          notice(
            'info',
            'A consumer that uses assign() instead of subscribe() never joins the group, so it does not show here: make sure none of those runs with this group id either.',
          ),
        ]
        return { blocks, data: { groupId, activeAtStart: ctx.state.activeAtStart, active: false, waitedMs } }
      },
    }),
    nb.decide({
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
      choices: [
        { value: 'to-datetime', label: 'A time (the kill, the alert, "20 minutes ago")' },
        { value: 'by-duration', label: 'A duration back from now' },
        { value: 'shift-by', label: 'N records back on every partition' },
        { value: 'from-file', label: 'Exact offsets from a file' },
      ],
      options: () => [
        {
          value: 'to-datetime',
          label: 'A time (the kill, the alert, "20 minutes ago")',
          cost: 'replays everything written since that time, on every partition',
          risk: 'a time after the first unhandled record misses it; the safety margin covers the auto-commit gap',
          recommended: true,
        },
        { value: 'by-duration', label: 'A duration back from now', cost: 'the same as a time, counted back from now', risk: 'the window grows while you wait' },
        {
          value: 'shift-by',
          label: 'N records back on every partition',
          cost: 'exactly N records per partition, whatever time they span',
          risk: 'busy and quiet partitions go back to different times; records below the log start are gone',
        },
        {
          value: 'from-file',
          label: 'Exact offsets from a file',
          cost: 'exactly the offsets you give (kafka-consumer-groups --export format)',
          risk: 'a stale file moves partitions forward and skips records',
        },
      ],
      because: () => 'the kill time is what the incident gives you, and Kafka’s own --to-datetime finds the same offsets',
    }),
    nb.decide({
      id: 'safety-margin',
      title: 'Safety margin',
      doc: "For a time or a duration: how much earlier to start, from the consumer's auto.commit.interval.ms, its batch size and the write rate measured from the log. Skipped with --set margin=….",
      question: 'Start the replay earlier than the time you gave?',
      when: (ctx) => (!timeBased(methodName(ctx)) ? 'the rewind point is not a time' : ctx.given('margin') !== undefined ? 'given: --set margin' : true),
      choices: [
        { value: 'suggested', label: 'Yes, by the suggested margin' },
        { value: 'none', label: 'No, exactly the time given' },
      ],
      async options(ctx) {
        const groupId = ctx.state.view!.groupId
        const method = await resolveMethod(ctx, groupId)
        const timeMs = rewindTimeMs({ method, scope: { kind: 'all-topics' }, marginMs: 0 }, ctx.now())!
        const partitions = ctx.state.view!.committed.map(({ topic, partition }) => ({ topic, partition }))
        const margin = suggestSafetyMargin({
          autoCommitIntervalMs: (await ctx.param('auto-commit-interval')) ?? null,
          batchRecords: (await ctx.param('max-poll-records')) ?? null,
          recordsPerSecond: await readWriteRate(ctx.kafka, partitions, timeMs, 300_000),
        })
        ctx.state.margin = margin
        ctx.show([marginBlocks(margin)])
        return [
          {
            value: 'suggested',
            label: `Yes, ${formatSeconds(margin.marginMs)} earlier (from ${iso(timeMs - margin.marginMs)})`,
            cost: `about ${formatCount(Math.round((margin.recordsPerSecond * margin.marginMs) / 1000))} more records replayed (duplicates)`,
            risk: 'more duplicates for a consumer that is not idempotent',
            recommended: true,
          },
          {
            value: 'none',
            label: `No, from ${iso(timeMs)}`,
            cost: 'no extra duplicates',
            risk: 'records fetched before that time but never handled stay lost (an auto-commit can be one interval old, and a batch sits in memory)',
          },
        ]
      },
      because: () => 'a lost record costs more than a duplicate for most consumers; the margin is one commit interval plus one batch at the measured rate',
      headlessDefault: 'none',
    }),
    nb.action<RewindPlan, UndoRecord>({
      id: 'rewind',
      title: 'Rewind the committed offsets',
      doc: 'Plans the new offsets exactly as kafka-consumer-groups --reset-offsets would, previews per partition what is replayed and what is gone, re-checks that the group is still Empty with the same commits, commits the targets (admin commit), reads them back, and writes an undo record with a --from-file CSV of the previous offsets.',
      plan: (ctx) => planRewind(ctx),
      preview: (plan) => previewBlocks(plan),
      summary: (plan) =>
        `rewind group ${plan.groupId} on ${formatCount(plan.totals.partitions)} partition${plan.totals.partitions === 1 ? '' : 's'}: ${formatCount(plan.totals.replayMessages)} messages to replay${plan.totals.skipMessages > 0n ? `, ${formatCount(plan.totals.skipMessages)} skipped` : ''}`,
      confirm: (plan) =>
        plan.totals.replayMessages > 0n
          ? {
              kind: 'typed',
              expected: plan.totals.replayMessages.toString(),
              prompt: `Type ${plan.totals.replayMessages} to replay ${formatCount(plan.totals.replayMessages)} messages of group ${plan.groupId}`,
            }
          : { kind: 'typed', expected: plan.groupId, prompt: `Nothing is replayed. Type ${plan.groupId} to move its offsets anyway` },
      recheck: async (ctx, plan) => {
        const drifts = await groupDrifts(ctx.kafka, plan.groupId, plan.basedOn.committed)
        // Retention may have deleted records since the plan: a target below the new log start replays less.
        const { logs } = await readLogBounds(ctx.kafka, plan.moves, null)
        const starts = new Map(logs.map((l) => [key(l), l.logStart]))
        for (const move of plan.moves) {
          const logStart = starts.get(key(move))
          if (logStart !== undefined && logStart > move.target)
            drifts.push({ what: `log start of ${key(move)}`, planned: `≤ ${move.target}`, now: logStart.toString() })
        }
        return drifts
      },
      apply: async (ctx, plan) => {
        const results = await ctx.kafka.alterCommittedOffsets(
          plan.groupId,
          plan.moves.map(({ topic, partition, target }) => ({ topic, partition, offset: target })),
        )
        const failed = results.filter((r) => r.error).map((r) => ({ item: key(r), error: r.error!.message }))
        const done = new Set(results.filter((r) => !r.error).map(key))
        const applied = plan.moves.filter((m) => done.has(key(m)))
        return {
          blocks: failed.length
            ? [notice('danger', `${formatCount(failed.length)} of ${formatCount(results.length)} partitions were not committed: ${failed[0]!.error}`)]
            : [notice('ok', `Committed ${formatCount(applied.length)} new offset${applied.length === 1 ? '' : 's'} for group ${plan.groupId}.`)],
          applied: applied.map((m) => `${key(m)} → ${m.target}`),
          failed,
          undo: {
            groupId: plan.groupId,
            applied: applied.map(({ topic, partition, target }) => ({ topic, partition, offset: target })),
            previous: applied.map(({ topic, partition, committed }) => ({ topic, partition, offset: committed })),
          },
          data: { committed: applied.map(({ topic, partition, target }) => ({ topic, partition, offset: target })) },
        }
      },
      verify: async (ctx, plan, applied) => {
        const expected = (applied.undo ?? { applied: [] }).applied
        const wrong = await verifyCommitted(ctx.kafka, plan.groupId, expected, ctx.sleep)
        if (wrong.length === 0) {
          return {
            ok: true,
            blocks: [
              notice('ok', `Read back: every committed offset equals the plan (${formatCount(expected.length)} partition${expected.length === 1 ? '' : 's'}).`),
              markdown(
                `**Next:** start the consumers again. They replay ${formatCount(plan.totals.replayMessages)} messages written ${describeSpan(plan.totals.replayFromMs, plan.totals.replayToMs)}; watch the lag fall to zero. Changed your mind before starting them? \`runbook undo\` restores the previous offsets (the undo record also holds them as a CSV for \`kafka-consumer-groups --reset-offsets --from-file\`).`,
              ),
            ],
            data: { readBack: true },
          }
        }
        return {
          ok: false,
          blocks: [
            table(
              ['Partition', 'Planned', 'Read back'],
              wrong.map((w) => [key(w), w.expected, w.now ?? 'none']),
              { title: 'Committed offsets that differ from the plan' },
            ),
          ],
          data: { wrong },
        }
      },
      undoRecord: (plan) => ({
        groupId: plan.groupId,
        applied: plan.moves.map(({ topic, partition, target }) => ({ topic, partition, offset: target })),
        previous: plan.moves.map(({ topic, partition, committed }) => ({ topic, partition, offset: committed })),
      }),
      undo: {
        describe: (record) => {
          const applied = new Map(record.applied.map((a) => [key(a), a.offset]))
          const blocks: Block[] = [
            offsetsChangeTable(
              record.previous.map((p) => ({ topic: p.topic, partition: p.partition, from: applied.get(key(p)) ?? null, to: p.offset })),
              `Restore group ${record.groupId}`,
              'Now (after the rewind)',
              'Restore to',
            ),
          ]
          const uncommitted = record.previous.filter((p) => p.offset === null)
          if (uncommitted.length)
            blocks.push(
              notice(
                'warn',
                `${counted(uncommitted.length, 'partition')} had no committed offset before the rewind; they keep the rewound offset (remove it with kafka-consumer-groups --delete-offsets if needed).`,
              ),
            )
          return blocks
        },
        summary: (record) =>
          `restore the committed offsets of group ${record.groupId} on ${counted(record.previous.filter((p) => p.offset !== null).length, 'partition')}`,
        confirm: (record) => ({ kind: 'typed', expected: record.groupId, prompt: `Type ${record.groupId} to restore its previous offsets` }),
        recheck: (ctx, record) => groupDrifts(ctx.kafka, record.groupId, record.applied),
        apply: async (ctx, record) => {
          const restore = record.previous.filter((p): p is TopicPartition & { offset: bigint } => p.offset !== null)
          const results = await ctx.kafka.alterCommittedOffsets(record.groupId, restore)
          const failed = results.filter((r) => r.error).map((r) => ({ item: key(r), error: r.error!.message }))
          return {
            blocks: [
              notice(failed.length ? 'danger' : 'ok', `Restored ${formatCount(results.length - failed.length)} of ${formatCount(results.length)} offsets.`),
            ],
            applied: results.filter((r) => !r.error).map(key),
            failed,
          }
        },
        verify: async (ctx, record) => {
          const expected = record.previous.filter((p): p is TopicPartition & { offset: bigint } => p.offset !== null)
          const wrong = await verifyCommitted(ctx.kafka, record.groupId, expected, ctx.sleep)
          return {
            ok: wrong.length === 0,
            blocks: [
              wrong.length
                ? notice('danger', `${wrong.length} offset(s) read back differently`)
                : notice('ok', 'Read back: the previous offsets are committed again.'),
            ],
          }
        },
        files: (record) => [
          {
            name: 'previous-offsets.csv',
            content: formatOffsetsCsv(record.previous.filter((p): p is TopicPartition & { offset: bigint } => p.offset !== null)),
          },
        ],
      },
    }),
  ],
})
