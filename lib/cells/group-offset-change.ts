// Ready-made cells for changing where a consumer group reads from: stop the group (who its members are, the
// operator's stop command, a bounded wait until it is Empty), then move its committed offsets — plan, preview,
// re-check (still Empty, same commits, log start not past a target), commit, read back, and an undo that puts
// the previous offsets back (also as a CSV for kafka-consumer-groups --from-file). A runbook says only which group
// and which targets: a rewind to a time, a skip of N records on one partition, a jump to the log start.

import { type Block, counted, formatCount, formatSeconds, markdown, notice, table } from '../engine/blocks.ts'
import type { ParamSpecs } from '../engine/params.ts'
import { pollUntil } from '../poll/index.ts'
import type { ActionCell, Cell, Confirmation, Drift, Notebook, QueryCell, RunContext, ShellCell, UndoSpec } from '../engine/runbook.ts'
import { Refusal } from '../engine/runbook.ts'
import type { GroupMember, KafkaOps, TopicPartition } from '../kafka/types.ts'
import type { RecordFingerprint, RecordsRelied } from '../plans/consumer-view.ts'
import { formatOffsetsCsv } from '../plans/offset-csv.ts'
import { groupIsStopped } from '../plans/offset-rewind.ts'
import { readCommittedOffsets, readGroupState, readGroupView, readLogBounds, readSessionTimeouts } from '../reads/consumer-group.ts'
import { readRecordsRelied } from '../reads/records.ts'

/** At most this many partition rows on screen; the plan in the transcript (and --json) has them all. */
const maxRows = 60

const key = (tp: TopicPartition) => `${tp.topic}/${tp.partition}`

/** One partition's move: from the committed offset (null: none) to the target. */
export interface OffsetMove extends TopicPartition {
  readonly committed: bigint | null
  readonly target: bigint
}

/**
 * What any offset change plans: the group, the moves, and what it relied on — the commits, and, for a change
 * that skips records the operator looked at, those records (offsets and digests): the re-check compares both.
 */
export interface OffsetChangePlan {
  readonly groupId: string
  readonly moves: readonly OffsetMove[]
  readonly basedOn: {
    readonly committed: readonly (TopicPartition & { readonly offset: bigint | null })[]
    readonly records?: readonly RecordsRelied[]
  }
}

/** What the undo restores: the previous commits, and what the change committed (what its re-check expects). */
export interface OffsetUndoRecord {
  readonly groupId: string
  readonly applied: readonly (TopicPartition & { readonly offset: bigint })[]
  readonly previous: readonly (TopicPartition & { readonly offset: bigint | null })[]
  /** What the undo does not take back, said before it runs (records copied elsewhere stay there). */
  readonly notes?: readonly string[]
}

/** The active members of a group. */
export function membersTable(members: readonly GroupMember[]): Block {
  return table(
    ['Member', 'Client id', 'Host', 'Assigned partitions'],
    members.map((m) => [
      m.groupInstanceId ? `${m.memberId} (static: ${m.groupInstanceId})` : m.memberId,
      m.clientId,
      m.host,
      m.assignment.map(key).join(', ') || '(none)',
    ]),
    { title: 'Active members' },
  )
}

/** Offsets before and after, one row per partition (the undo's and the default preview's table). */
export function offsetsChangeTable(
  rows: readonly (TopicPartition & { readonly from: bigint | null; readonly to: bigint | null })[],
  title: string,
  fromLabel: string,
  toLabel: string,
): Block {
  return table(
    ['Topic', 'Partition', fromLabel, toLabel],
    rows.slice(0, maxRows).map((r) => [r.topic, r.partition, r.from ?? 'none', r.to ?? 'none (cannot be restored: see below)']),
    { title, ...(rows.length > maxRows ? { footer: `${formatCount(rows.length - maxRows)} more partitions in the undo record` } : {}) },
  )
}

export interface StopGroupOptions<S, P extends ParamSpecs> {
  /** The group to stop. */
  readonly group: (ctx: RunContext<S, P>) => string | Promise<string>
  /** The operator's command that stops every consumer (usually a parameter); undefined: they stop it themselves. */
  readonly stopCommand: (ctx: RunContext<S, P>) => Promise<string | undefined>
  /** How long to wait for Empty (usually a parameter), and how to name that parameter in the refusal. */
  readonly waitMs: (ctx: RunContext<S, P>) => Promise<number>
  readonly stopCommandFlag?: string
  readonly waitFlag?: string
  /** What the change is, in the sentences shown: a noun ("the rewind") and a verb ("rewind"). */
  readonly change?: { readonly noun: string; readonly verb: string }
  /** Only when the offset change itself will run (a runbook where moving offsets is one way out of several). */
  readonly when?: (ctx: RunContext<S, P>) => boolean | string | Promise<boolean | string>
  readonly whenDoc?: string
  /**
   * Why the group's consumers come back by themselves (a crash loop the runbook saw), in words; undefined when it
   * knows of none. Then the stop steps run even while the group reads Empty — that reading is a gap between
   * restarts — and the wait must see it stay Empty.
   */
  readonly restarting?: (ctx: RunContext<S, P>) => string | undefined | Promise<string | undefined>
}

/**
 * How long, and over how many reads, a group that was just stopped must stay Empty before its offsets move. A
 * scale-down's command returns before the orchestrator has acted (the drill's ticks every 200 ms, Kubernetes
 * deletes pods after `kubectl scale` returned), and a member that joins in that gap makes Kafka refuse the commit.
 */
const settleMs = 3000
const settleReads = 7

/** True while the group has members; else the reason the stop cells skip (unless a stop command or a restarting hint runs them). */
async function stillActive(kafka: KafkaOps, groupId: string): Promise<true | string> {
  const group = await readGroupState(kafka, groupId)
  return group.found && !groupIsStopped(group) ? true : 'the group has no active members'
}

/**
 * Three cells that stop a group before its offsets move: who its members are and how to stop them (shown while
 * it has members), the operator's stop command (confirmed; never in a dry run), and a bounded wait until the
 * group is Empty — a run refuses to go on while members remain.
 */
export function stopGroupCells<S, P extends ParamSpecs>(nb: Notebook<S, P>, options: StopGroupOptions<S, P>): Cell<S, P>[]
export function stopGroupCells<S, P extends ParamSpecs>(options: StopGroupOptions<S, P>): Cell<S, P>[]
export function stopGroupCells<S, P extends ParamSpecs>(first: Notebook<S, P> | StopGroupOptions<S, P>, second?: StopGroupOptions<S, P>): Cell<S, P>[] {
  const options = second ?? (first as StopGroupOptions<S, P>)
  const stopFlag = options.stopCommandFlag ?? 'stop-command'
  const waitFlag = options.waitFlag ?? 'wait-for-empty'
  const { noun: change, verb } = options.change ?? { noun: 'the offset change', verb: 'move the offsets' }
  const applies = async (ctx: RunContext<S, P>) => (options.when ? await options.when(ctx) : true)
  const restarting = async (ctx: RunContext<S, P>) => (options.restarting ? await options.restarting(ctx) : undefined)
  const whileActive = async (ctx: RunContext<S, P>) => {
    const wanted = await applies(ctx)
    if (wanted !== true) return wanted
    return (await restarting(ctx)) ? true : stillActive(ctx.kafka, await options.group(ctx))
  }
  const activeOrRestarting = options.restarting ? 'the group still has members or its consumers restart by themselves' : 'the group still has members'
  const activeDoc = options.whenDoc ? `${options.whenDoc}, and ${activeOrRestarting}` : activeOrRestarting
  // A group read Empty is not a stopped group: a crash-looping service is Empty between a crash and its restart,
  // and its orchestrator brings a member back (often mid-change, which Kafka then refuses). A stop command the
  // operator gave up front therefore always runs; only without one does an Empty group skip the step.
  const stopWanted = (ctx: RunContext<S, P>) => (ctx.given(stopFlag as keyof P & string) !== undefined ? applies(ctx) : whileActive(ctx))
  const stopDoc = options.whenDoc
    ? `${options.whenDoc}, and a stop command was given or ${activeOrRestarting}`
    : `a stop command was given, or ${activeOrRestarting}`
  const explain: QueryCell<S, P> = {
    kind: 'query',
    id: 'stop-the-consumers',
    title: 'Stop every consumer of the group',
    doc: `Shown when ${activeOrRestarting}: who the members are, how to stop them, and how long a killed member keeps the group busy (the broker’s session timeouts).`,
    when: whileActive,
    whenDoc: activeDoc,
    async run(ctx) {
      const group = await readGroupState(ctx.kafka, await options.group(ctx))
      const timeouts = await readSessionTimeouts(ctx.kafka).catch(() => ({ classicMinMs: null, classicMaxMs: null, consumerMs: null }))
      const range = (ms: number | null) => (ms === null ? '?' : formatSeconds(ms))
      const sessionLine =
        group.type !== 'consumer'
          ? `A member that was killed (not stopped) stays in a classic group until its session times out: the client's \`session.timeout.ms\` (45 s by default in the Java client, 30 s in kafkajs; this cluster accepts ${range(timeouts.classicMinMs)}–${range(timeouts.classicMaxMs)}).`
          : `A member that was killed (not stopped) stays in a KIP-848 group until the broker's \`group.consumer.session.timeout.ms\` passes (${timeouts.consumerMs === null ? '45 s by default' : `${formatSeconds(timeouts.consumerMs)} on this cluster`}).`
      const hosts = [...new Set(group.members.map((m) => m.host))]
      const comesBack = groupIsStopped(group) ? await restarting(ctx) : undefined
      const now = comesBack
        ? `Group ${group.groupId} reads ${group.state} at this moment, but ${comesBack}: the next restart brings a member back.`
        : `Group ${group.groupId} is ${group.state} with ${counted(group.members.length, 'member')}.`
      return [
        notice('warn', `${now} Kafka refuses an offset change while any member is in the group, and a running consumer would commit over ${change}.`),
        ...(group.members.length ? [membersTable(group.members)] : []),
        markdown(
          [
            `Stop **every** instance${hosts.length ? ` (hosts: ${hosts.join(', ')})` : ', also those between restarts'}: scale the deployment to zero, \`systemctl stop\` the service, or stop the job. Stop, don't kill: a clean stop leaves the group at once; a killed member lingers.`,
            sessionLine,
            `Give the command with \`--set ${stopFlag}=…\` (or below) and the runbook runs it after you confirm; then it waits for the group to become Empty.`,
          ].join('\n\n'),
        ),
      ]
    },
  }
  const stop: ShellCell<S, P> = {
    kind: 'shell',
    id: 'stop-command',
    title: 'Run the stop command',
    doc: 'Runs your command that stops every consumer of the group (confirmed; approved by hash in headless runs; never in a dry run) — also when the group reads Empty at that moment, since a crash-looping service is Empty between its restarts.',
    when: stopWanted,
    whenDoc: stopDoc,
    command: async (ctx) => (await options.stopCommand(ctx)) ?? null,
    skipReason: 'no stop command given: stop the consumers yourself; the next step waits for the group to empty',
    confirmText: (ctx) => options.group(ctx) as string,
    timeoutMs: 300_000,
  }
  const wait: QueryCell<S, P> = {
    kind: 'query',
    id: 'wait-until-empty',
    title: 'Wait until the group is Empty',
    doc: `Re-reads the group every second until it has no members, for at most --set ${waitFlag}; refuses to go on while members remain. After a stop command, or once members were seen, the group must then stay Empty on ${settleReads} reads in a row over ${formatSeconds(settleMs)}: a scale-down takes effect after its command returns.`,
    ...(options.when ? { when: applies, whenDoc: options.whenDoc ?? 'the offsets are to move' } : {}),
    async run(ctx) {
      const groupId = await options.group(ctx)
      const limitMs = await options.waitMs(ctx)
      const started = ctx.now()
      let group = await readGroupState(ctx.kafka, groupId)
      const activeNow = () => group.found && !groupIsStopped(group)
      if (activeNow() && ctx.dryRun) {
        return {
          blocks: [
            notice(
              'warn',
              `Dry run: group ${groupId} is ${group.state} with ${counted(group.members.length, 'member')}; a real run waits here and refuses to ${verb} until it is Empty.`,
            ),
          ],
          data: { groupId, active: true, waitedMs: 0, dryRun: true },
        }
      }
      // An Empty reading right after a stop is not yet a stopped group: the orchestrator acts after its command
      // returns, and an instance that was starting then can still join (the poison-pill drill's CI failure: Empty
      // 7 ms after the scale-down, a restarted member in the group 50 ms later, the commit refused). A group that
      // was Empty before the run and had no stop command is taken at its first reading, as before.
      let mustSettle = !ctx.dryRun && (ctx.outcome('stop-command') === 'done' || ctx.outcome('stop-the-consumers') === 'done')
      let emptyReads = 0
      let membersSeen = false
      let shown = 0
      for (;;) {
        const waited = ctx.now() - started
        if (activeNow()) {
          // A dry run never gets here: it returned above when its first reading found members.
          membersSeen = true
          mustSettle = true
          emptyReads = 0
          if (waited >= limitMs) break
          if (waited - shown >= 10_000) {
            shown = waited
            ctx.show([notice('info', `Still ${group.state} with ${counted(group.members.length, 'member')} after ${formatSeconds(waited)}…`)])
          }
          await ctx.sleep(1000)
        } else {
          emptyReads += 1
          if (!mustSettle || emptyReads >= settleReads) break
          await ctx.sleep(settleMs / (settleReads - 1))
        }
        group = await readGroupState(ctx.kafka, groupId)
      }
      const waitedMs = ctx.now() - started
      if (activeNow()) {
        const clients = [...new Set(group.members.map((m) => `${m.clientId}@${m.host}`))].join(', ')
        throw new Refusal(
          `group ${groupId} is still ${group.state} with ${counted(group.members.length, 'active member')} (${clients}) after ${formatSeconds(waitedMs)} — stop them (--set ${stopFlag}=…), or wait longer (--set ${waitFlag}=2m); nothing changed`,
        )
      }
      const since = membersSeen ? 'its last member left' : ctx.outcome('stop-command') === 'done' ? 'the stop command' : 'the first reading'
      const settled = mustSettle ? `, and stayed so on ${settleReads} reads in a row after ${since}` : ''
      return {
        blocks: [
          notice(
            'ok',
            `Group ${groupId} is ${group.found ? group.state : 'gone (Dead)'}${settled}${waitedMs >= 1000 ? ` (after ${formatSeconds(waitedMs)})` : ''}: no member can commit over ${change}.`,
          ),
          notice(
            'info',
            'A consumer that uses assign() instead of subscribe() never joins the group, so it does not show here: make sure none of those runs with this group id either.',
          ),
        ],
        data: { groupId, active: false, waitedMs, membersSeen, emptyReads },
      }
    },
  }
  return [explain, stop, wait]
}

/** What differs from what a change relied on: the group is no longer Empty, or a commit moved. */
async function groupDrifts(kafka: KafkaOps, groupId: string, expected: readonly (TopicPartition & { readonly offset: bigint | null })[]): Promise<Drift[]> {
  const [group, committed] = await Promise.all([readGroupState(kafka, groupId), readCommittedOffsets(kafka, groupId)])
  const drifts: Drift[] = []
  if (group.found && !groupIsStopped(group))
    drifts.push({ what: `group ${groupId}`, planned: 'Empty (no members)', now: `${group.state} with ${counted(group.members.length, 'member')}` })
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

const digest = (f: RecordFingerprint) =>
  `${f.offset} (value sha256 ${f.valueSha256?.slice(0, 12) ?? 'null'}, key sha256 ${f.keySha256?.slice(0, 12) ?? 'null'})`

/** What differs from the records a change relied on: other offsets, other bytes, or records retention deleted. */
async function recordDrifts(kafka: KafkaOps, relied: readonly RecordsRelied[]): Promise<Drift[]> {
  const drifts: Drift[] = []
  for (const range of relied) {
    const what = `records of ${key(range)} from offset ${range.from}`
    const now = await readRecordsRelied(kafka, range)
    if ('error' in now) {
      const gone = now.error.name === 'OFFSET_OUT_OF_RANGE'
      drifts.push({
        what,
        planned: `${counted(range.records.length, 'record')} from ${range.from}`,
        now: gone ? 'deleted (retention or deleteRecords moved the log start past them)' : `unreadable: ${now.error.message}`,
      })
      continue
    }
    const length = Math.max(range.records.length, now.records.length)
    for (let i = 0; i < length; i++) {
      const planned = range.records[i]
      const found = now.records[i]
      const same =
        planned !== undefined &&
        found !== undefined &&
        planned.offset === found.offset &&
        planned.keySha256 === found.keySha256 &&
        planned.valueSha256 === found.valueSha256 &&
        planned.headersSha256 === found.headersSha256
      if (!same) {
        drifts.push({ what, planned: planned ? digest(planned) : 'no record', now: found ? digest(found) : 'no record' })
        break
      }
    }
  }
  return drifts
}

/** Reads the commits back until they equal `expected` (Kafka answers a commit at once; a moving coordinator may not). */
async function readBack(
  kafka: KafkaOps,
  groupId: string,
  expected: readonly (TopicPartition & { readonly offset: bigint })[],
  sleep: (ms: number) => Promise<void>,
) {
  const wrongOf = (now: Map<string, bigint>) =>
    expected.filter((e) => now.get(key(e)) !== e.offset).map((e) => ({ ...e, expected: e.offset, now: now.get(key(e)) ?? null }))
  const now = await pollUntil(
    () => readCommittedOffsets(kafka, groupId),
    (read) => wrongOf(read).length === 0,
    { sleep, intervalMs: 300, attempts: 10 },
  )
  return wrongOf(now)
}

async function commit(kafka: KafkaOps, groupId: string, offsets: readonly (TopicPartition & { readonly offset: bigint })[]) {
  const results = await kafka.alterCommittedOffsets(groupId, offsets)
  const failed = results.filter((r) => r.error).map((r) => ({ item: key(r), error: r.error!.message }))
  const done = new Set(results.filter((r) => !r.error).map(key))
  return { results, failed, done }
}

const committedOnly = (offsets: readonly (TopicPartition & { readonly offset: bigint | null })[]) =>
  offsets.filter((p): p is TopicPartition & { offset: bigint } => p.offset !== null)

/** The undo every offset change shares: put the previous commits back after checking nobody moved them since. */
export const offsetUndo: UndoSpec<OffsetUndoRecord> = {
  describe: (record) => {
    const applied = new Map(record.applied.map((a) => [key(a), a.offset]))
    const blocks: Block[] = [
      offsetsChangeTable(
        record.previous.map((p) => ({ topic: p.topic, partition: p.partition, from: applied.get(key(p)) ?? null, to: p.offset })),
        `Restore group ${record.groupId}`,
        'Now (after the change)',
        'Restore to',
      ),
    ]
    for (const note of record.notes ?? []) blocks.push(notice('warn', note))
    const uncommitted = record.previous.filter((p) => p.offset === null)
    if (uncommitted.length)
      blocks.push(
        notice(
          'warn',
          `${counted(uncommitted.length, 'partition')} had no committed offset before the change; they keep the new offset (remove it with kafka-consumer-groups --delete-offsets if needed).`,
        ),
      )
    return blocks
  },
  summary: (record) => `restore the committed offsets of group ${record.groupId} on ${counted(committedOnly(record.previous).length, 'partition')}`,
  confirm: (record) => ({ kind: 'typed', expected: record.groupId, prompt: `Type ${record.groupId} to restore its previous offsets` }),
  recheck: (ctx, record) => groupDrifts(ctx.kafka, record.groupId, record.applied),
  apply: async (ctx, record) => {
    const { results, failed, done } = await commit(ctx.kafka, record.groupId, committedOnly(record.previous))
    return {
      blocks: [notice(failed.length ? 'danger' : 'ok', `Restored ${formatCount(done.size)} of ${formatCount(results.length)} offsets.`)],
      applied: [...done],
      failed,
    }
  },
  verify: async (ctx, record) => {
    const wrong = await readBack(ctx.kafka, record.groupId, committedOnly(record.previous), ctx.sleep)
    return {
      ok: wrong.length === 0,
      blocks: [
        wrong.length
          ? notice('danger', `${counted(wrong.length, 'offset')} read back differently`)
          : notice('ok', 'Read back: the previous offsets are committed again.'),
      ],
    }
  },
  files: (record) => [{ name: 'previous-offsets.csv', content: formatOffsetsCsv(committedOnly(record.previous)) }],
}

/** Where the targets come from when the runbook does not plan the change itself: the group and one offset per partition. */
export interface OffsetTargets {
  readonly groupId: string
  readonly targets: readonly (TopicPartition & { readonly offset: bigint })[]
}

/** The default plan for given targets: each move from the group's commit, checked against the log (never past its end). */
async function planTargets(ctx: RunContext<unknown, ParamSpecs>, asked: OffsetTargets): Promise<OffsetChangePlan> {
  const view = await readGroupView(ctx.kafka, asked.groupId, { alsoTopics: asked.targets.map((t) => t.topic), nowMs: ctx.now() })
  if (!ctx.dryRun && !groupIsStopped(view))
    throw new Refusal(
      `group ${view.groupId} is ${view.state} with ${counted(view.members.length, 'active member')} — stop every consumer of it and wait until it is Empty, then rerun; nothing changed`,
    )
  const { logs, unreadable } = await readLogBounds(ctx.kafka, asked.targets, null)
  if (unreadable)
    throw new Refusal(
      `cannot read the log of ${unreadable.partitions.map(key).join(', ')} (${unreadable.why}) — wait until every partition has a leader, then rerun; nothing changed`,
    )
  const committed = new Map(view.committed.map((c) => [key(c), c.offset]))
  const moves = asked.targets.map((t) => {
    const log = logs.find((l) => key(l) === key(t))!
    if (t.offset < log.logStart || t.offset > log.logEnd)
      throw new Refusal(`offset ${t.offset} for ${key(t)} is outside its log (${log.logStart}–${log.logEnd}) — give an offset inside it; nothing changed`)
    return { topic: t.topic, partition: t.partition, committed: committed.get(key(t)) ?? null, target: t.offset }
  })
  return { groupId: view.groupId, moves, basedOn: { committed: moves.map((m) => ({ topic: m.topic, partition: m.partition, offset: m.committed })) } }
}

const movedBy = (m: OffsetMove) =>
  m.committed === null ? 'from none' : m.target < m.committed ? `back ${formatCount(m.committed - m.target)}` : `forward ${formatCount(m.target - m.committed)}`

export interface OffsetChangeOptions<S, P extends ParamSpecs, Plan extends OffsetChangePlan> {
  readonly id: string
  readonly title: string
  readonly doc: string
  readonly when?: ActionCell<S, P, Plan, OffsetUndoRecord>['when']
  readonly whenDoc?: string
  /** Plan the change from the cluster as it is now: a runbook's own plan, or just the targets (`targets`). */
  readonly plan?: (ctx: RunContext<S, P>) => Promise<Plan>
  readonly targets?: (ctx: RunContext<S, P>) => Promise<OffsetTargets>
  readonly preview?: (plan: Plan, ctx: RunContext<S, P>) => readonly Block[]
  readonly summary?: (plan: Plan) => string
  readonly confirm?: (plan: Plan) => Confirmation
  /** What else the plan relied on (beyond the group being Empty with the same commits and the records it names). */
  readonly recheckMore?: (ctx: RunContext<S, P>, plan: Plan) => Promise<readonly Drift[]>
  /**
   * Work that must succeed before any offset moves (copying the records a skip passes over to a dead-letter
   * topic): when it reports a failure, nothing is committed. Its notes go into the undo record.
   */
  readonly before?: (ctx: RunContext<S, P>, plan: Plan) => Promise<PreparedChange>
  /** What the undo will not take back, from the plan (shown in the preview's undo line and by `runbook undo`). */
  readonly undoNotes?: (plan: Plan) => readonly string[]
  /** What to tell the operator once the offsets read back (start the consumers, watch the lag). */
  readonly next?: (plan: Plan) => readonly Block[]
}

/** What the work before the commit did. */
export interface PreparedChange {
  readonly blocks: readonly Block[]
  readonly applied: readonly string[]
  readonly failed: readonly { readonly item: string; readonly error: string }[]
  readonly data?: unknown
  /** Added to the undo record's notes (e.g. where the copies landed). */
  readonly undoNotes?: readonly string[]
}

/**
 * The action cell that moves a stopped group's committed offsets: plan → preview → confirm → re-check (still
 * Empty, commits unchanged, the records it names unchanged, no target below a log start that moved) → the work
 * that must come first, if any → commit → read back → undo record.
 */
export function offsetChange<S, P extends ParamSpecs, Plan extends OffsetChangePlan = OffsetChangePlan>(
  nb: Notebook<S, P>,
  options: OffsetChangeOptions<S, P, Plan>,
): ActionCell<S, P, Plan, OffsetUndoRecord>
export function offsetChange<S, P extends ParamSpecs, Plan extends OffsetChangePlan = OffsetChangePlan>(
  options: OffsetChangeOptions<S, P, Plan>,
): ActionCell<S, P, Plan, OffsetUndoRecord>
export function offsetChange<S, P extends ParamSpecs, Plan extends OffsetChangePlan = OffsetChangePlan>(
  first: Notebook<S, P> | OffsetChangeOptions<S, P, Plan>,
  second?: OffsetChangeOptions<S, P, Plan>,
): ActionCell<S, P, Plan, OffsetUndoRecord> {
  const options = second ?? (first as OffsetChangeOptions<S, P, Plan>)
  const { plan, targets } = options
  if (!plan === !targets) throw new Error(`offsetChange ${options.id}: give either plan or targets`)
  return {
    kind: 'action',
    id: options.id,
    title: options.title,
    doc: options.doc,
    ...(options.when ? { when: options.when } : {}),
    ...(options.whenDoc ? { whenDoc: options.whenDoc } : {}),
    plan: plan ?? (async (ctx) => (await planTargets(ctx as RunContext<unknown, ParamSpecs>, await targets!(ctx))) as Plan),
    preview:
      options.preview ??
      ((p) => [
        table(
          ['Topic', 'Partition', 'Committed', 'Target', 'Moves'],
          p.moves.slice(0, maxRows).map((m) => [m.topic, m.partition, m.committed ?? 'none', m.target, movedBy(m)]),
          { title: `Move the committed offsets of group ${p.groupId}` },
        ),
      ]),
    summary: options.summary ?? ((p) => `move the committed offsets of group ${p.groupId} on ${counted(p.moves.length, 'partition')}`),
    confirm: options.confirm ?? ((p) => ({ kind: 'typed', expected: p.groupId, prompt: `Type ${p.groupId} to move its committed offsets` })),
    recheck: async (ctx, p) => {
      const drifts = await groupDrifts(ctx.kafka, p.groupId, p.basedOn.committed)
      // Retention may have deleted records since the plan: a target below the new log start reads less.
      const { logs } = await readLogBounds(ctx.kafka, p.moves, null)
      const starts = new Map(logs.map((l) => [key(l), l.logStart]))
      for (const move of p.moves) {
        const logStart = starts.get(key(move))
        if (logStart !== undefined && logStart > move.target)
          drifts.push({ what: `log start of ${key(move)}`, planned: `≤ ${move.target}`, now: logStart.toString() })
      }
      const records = p.basedOn.records?.length ? await recordDrifts(ctx.kafka, p.basedOn.records) : []
      return [...drifts, ...records, ...(options.recheckMore ? await options.recheckMore(ctx, p) : [])]
    },
    apply: async (ctx, p) => {
      const prepared = options.before ? await options.before(ctx, p) : null
      const notes = [...(options.undoNotes?.(p) ?? []), ...(prepared?.undoNotes ?? [])]
      if (prepared && prepared.failed.length > 0) {
        return {
          blocks: [...prepared.blocks, notice('danger', `No offset was moved: ${prepared.failed[0]!.error}`)],
          applied: [],
          failed: prepared.failed,
          undo: undoOf(p.groupId, [], notes),
          data: { before: prepared.data ?? null, committed: [] },
        }
      }
      const { results, failed, done } = await commit(
        ctx.kafka,
        p.groupId,
        p.moves.map(({ topic, partition, target }) => ({ topic, partition, offset: target })),
      )
      const applied = p.moves.filter((m) => done.has(key(m)))
      return {
        blocks: [
          ...(prepared?.blocks ?? []),
          failed.length
            ? notice('danger', `${formatCount(failed.length)} of ${formatCount(results.length)} partitions were not committed: ${failed[0]!.error}`)
            : notice('ok', `Committed ${counted(applied.length, 'new offset')} for group ${p.groupId}.`),
        ],
        applied: [...(prepared?.applied ?? []), ...applied.map((m) => `${key(m)} → ${m.target}`)],
        failed,
        undo: undoOf(p.groupId, applied, notes),
        data: {
          ...(prepared ? { before: prepared.data ?? null } : {}),
          committed: applied.map(({ topic, partition, target }) => ({ topic, partition, offset: target })),
        },
      }
    },
    verify: async (ctx, p, applied) => {
      const expected = (applied.undo ?? { applied: [] }).applied
      const wrong = await readBack(ctx.kafka, p.groupId, expected, ctx.sleep)
      if (wrong.length === 0) {
        return {
          ok: true,
          blocks: [notice('ok', `Read back: every committed offset equals the plan (${counted(expected.length, 'partition')}).`), ...(options.next?.(p) ?? [])],
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
    undoRecord: (p) => undoOf(p.groupId, p.moves, options.undoNotes?.(p) ?? []),
    undo: offsetUndo,
  }
}

function undoOf(groupId: string, moves: readonly OffsetMove[], notes: readonly string[]): OffsetUndoRecord {
  return {
    groupId,
    applied: moves.map(({ topic, partition, target }) => ({ topic, partition, offset: target })),
    previous: moves.map(({ topic, partition, committed }) => ({ topic, partition, offset: committed })),
    ...(notes.length ? { notes } : {}),
  }
}
