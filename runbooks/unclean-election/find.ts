// The read-only half of the runbook: find the leaderless partitions and who holds their committed records,
// say what Kafka will do by itself on this version, and price every live replica as a candidate.

import { agree, type Block, type Cell, facts, formatCount, notice, table } from '../../lib/engine/blocks.ts'
import {
  classifyRecovery,
  electionRules,
  groupByRecovery,
  partitionList,
  partitionName,
  type CleanPath,
  type LeaderlessSnapshot,
  type PartitionRecovery,
} from '../../lib/plans/leaderless.ts'
import { candidateExactLoss, restartTruncation, withExactLoss } from '../../lib/plans/dead-leader-loss.ts'
import type { CandidateExactLoss } from '../../lib/plans/exact-loss.ts'
import { estimateCandidates, type CandidateEstimate, type PartitionEstimate } from '../../lib/plans/unclean-estimate.ts'
import { readDeadLeaderLogs, type DeadLogReading } from '../../lib/reads/dead-leader-log.ts'
import { partitionKey, readLeaderlessSnapshot } from '../../lib/reads/leaderless.ts'
import { nb, type Context } from './notebook.ts'
import { brokers, controllerCaveat, exactLossText, fewNames, incidentText, kafkaRulesText, provenLoss, sourceText, timeText, unknowableText } from './text.ts'

export const noLeaderless = (ctx: Context): true | string => ((ctx.state.snapshot?.partitions.length ?? 0) > 0 ? true : 'no partition is without a leader')

export const rulesOf = async (ctx: Context) => {
  const caps = await ctx.capabilities()
  return electionRules({ elr: caps.elr, kafkaLine: caps.kafkaLine })
}

export const incidentCell = nb.explain({
  id: 'incident',
  title: 'Partitions without a leader',
  text: incidentText,
  pick: rulesOf,
})

export function recoveriesOf(snapshot: LeaderlessSnapshot): PartitionRecovery[] {
  const rules = electionRules(snapshot)
  return snapshot.partitions.map((p) => classifyRecovery(p, rules, snapshot.liveBrokers))
}

function pathText(path: CleanPath): string {
  switch (path.kind) {
    case 'electing':
      return `${brokers(path.brokers)} (${path.via === 'isr' ? 'in the ISR' : 'in the ELR'}) ${agree(path.brokers.length, 'is', 'are')} alive: Kafka elects it by itself, nothing lost`
    case 'restart':
      return `bring back ${brokers(path.brokers)} (${path.via === 'last-known-leader' ? 'the last leader, its last known ELR' : 'still listed as the ISR'}): Kafka elects it, nothing committed lost`
    case 'restart-if-clean':
      return `${brokers(path.brokers)} (ELR) ${agree(path.brokers.length, 'is', 'are')} elected on return only if ${agree(path.brokers.length, 'it', 'they')} shut down cleanly`
    case 'none':
      return 'no dead broker is known to hold every committed record'
  }
}

const list = (ids: readonly number[] | null): Cell => (ids === null ? '—' : ids.length === 0 ? '(empty)' : ids.join(','))

function findBlocks(snapshot: LeaderlessSnapshot, recoveries: readonly PartitionRecovery[]): Block[] {
  const live = new Set(snapshot.liveBrokers)
  const groups = groupByRecovery(recoveries)
  const blocks: Block[] = [
    facts([
      ['Kafka', `${snapshot.kafkaLine ?? 'unknown'} line (metadata.version ${snapshot.metadataVersion ?? 'unknown'})`],
      ['Eligible leader replicas', snapshot.elr === 'unsupported' ? 'not a feature of this version' : snapshot.elr],
      ['Live brokers', snapshot.liveBrokers.join(', ') || 'none'],
      ['Leaderless partitions', `${formatCount(snapshot.partitions.length)} of ${formatCount(snapshot.partitionCount)}`],
    ]),
    table(
      ['How they come back', 'Partitions'],
      groups.map((g) => [pathText(g.path), `${formatCount(g.partitions.length)}: ${fewNames(g.partitions.map(partitionName), 6)}`]),
      { title: 'Leaderless partitions, by the brokers that hold their last in-sync copies' },
    ),
    table(
      ['Partition', 'Replicas (in order)', 'Live', 'ISR', 'ELR', 'Last known ELR', 'min ISR', 'Unclean election (where set)'],
      snapshot.partitions.map((p) => [
        `${partitionName(p)}${p.internal ? ' (internal)' : ''}`,
        p.replicas.join(','),
        p.replicas.filter((id) => live.has(id)).join(',') || 'none',
        list(p.isr),
        list(p.elr),
        list(p.lastKnownElr),
        p.minIsr,
        `${p.unclean.value ?? 'unknown'} (${sourceText(p.unclean.source)})`,
      ]),
      { title: 'Each leaderless partition' },
    ),
  ]
  const pending = recoveries.filter((r) => r.uncleanPending)
  if (pending.length > 0) {
    blocks.push(
      notice(
        'danger',
        `unclean.leader.election.enable is already true for ${fewNames(pending.map(partitionName))}: the controller will elect the first live replica (${fewNames(pending.map((r) => `${partitionName(r)} → broker ${r.uncleanPending!.winner}`))}) on its own — on its periodic scan or at the next broker registration — whatever it loses. Decide before it does.`,
      ),
    )
  }
  const caveats = [...new Set(snapshot.partitions.map((p) => controllerCaveat(p.unclean.source)).filter((c): c is string => c !== null))]
  for (const caveat of caveats) blocks.push(notice('info', `unclean.leader.election.enable: ${caveat}.`))
  if (snapshot.partitions.some((p) => p.internal)) {
    blocks.push(
      notice(
        'warn',
        'Internal topics are among them (consumer offsets or transactions): groups or transactional producers whose coordinator sits on those partitions are stuck until they have a leader.',
      ),
    )
  }
  for (const problem of snapshot.problems) blocks.push(notice('warn', `Could not read ${problem}; the rest is complete.`))
  return blocks
}

export const findCell = nb.query({
  id: 'find',
  title: 'Find the leaderless partitions',
  doc: 'Reads every partition’s leader, replicas, ISR and ELR (DescribeTopicPartitions, which answers while partitions have no leader), the live brokers, min.insync.replicas and unclean.leader.election.enable with where each is set, and the Kafka version and ELR state; groups the leaderless partitions by the brokers that hold their last in-sync copies.',
  async run(ctx) {
    const named = ctx.given('partitions')
    const snapshot = await readLeaderlessSnapshot(ctx.kafka, { takenAtMs: ctx.now(), ...(named ? { lookup: named } : {}) })
    ctx.state.snapshot = snapshot
    if (snapshot.partitions.length === 0) {
      return {
        blocks: [
          notice(
            'ok',
            `Every one of the ${formatCount(snapshot.partitionCount)} partitions has a leader: there is nothing to elect. If a page said "offline partitions", it has recovered.`,
          ),
        ],
        data: { leaderless: 0, partitionCount: snapshot.partitionCount },
      }
    }
    const recoveries = recoveriesOf(snapshot)
    return { blocks: findBlocks(snapshot, recoveries), data: { snapshot, recoveries } }
  },
})

const effectWords = {
  elected: 'elected on return',
  'elected-if-clean-shutdown': 'elected only if it had shut down cleanly',
  'not-elected': 'not elected',
  'unclean-election': 'sets off an unclean election',
} as const

function restartTable(recoveries: readonly PartitionRecovery[]): string {
  const byBroker = new Map<number, Map<string, string[]>>()
  for (const r of recoveries) {
    for (const d of r.dead) {
      const effects = byBroker.get(d.broker) ?? new Map<string, string[]>()
      const words = d.effect === 'unclean-election' ? `${effectWords[d.effect]} (broker ${d.winner} wins)` : effectWords[d.effect]
      effects.set(words, [...(effects.get(words) ?? []), partitionName(r)])
      byBroker.set(d.broker, effects)
    }
  }
  const rows = [...byBroker]
    .sort((a, b) => a[0] - b[0])
    .map(([broker, effects]) => `| ${broker} | ${[...effects].map(([words, names]) => `${words}: ${fewNames(names)}`).join('; ')} |`)
  return ['**If you restart one dead broker, on this cluster now:**', '', '| Dead broker | What its return does |', '|---|---|', ...rows].join('\n')
}

export const rulesCell = nb.explain({
  id: 'what-kafka-does',
  title: 'What Kafka will do by itself',
  when: noLeaderless,
  whenDoc: 'some partition has no leader',
  text: kafkaRulesText,
  pick: rulesOf,
  live: (ctx) => restartTable(recoveriesOf(ctx.need('snapshot'))),
})

function estimateRows(estimates: readonly PartitionEstimate[], nowMs: number, exact: boolean): Cell[][] {
  return estimates.flatMap((e) =>
    e.candidates.map((c, i): Cell[] => {
      const notes = [c.broker === e.best ? 'least loss' : null, c.broker === e.kafkaPick ? "Kafka's own pick" : null, c.inSync ? 'in sync' : null]
        .filter(Boolean)
        .join(', ')
      const exactCell: Cell[] = exact ? [exactCellOf(c, nowMs)] : []
      if (c.unreadable !== null)
        return [i === 0 ? partitionName(e) : '', c.broker, c.position + 1, `unreadable: ${c.unreadable}`, null, null, ...exactCell, null, null, notes]
      return [
        i === 0 ? partitionName(e) : '',
        c.broker,
        c.position + 1,
        c.logEndOffset,
        timeText(c.newestRecordMs, nowMs),
        c.inSync && c.certainLoss === 0n ? 'none (in sync)' : provenLoss(e.unit, c.certainLoss),
        ...exactCell,
        c.aheadReplica ? `broker ${c.aheadReplica.broker} holds ${formatCount(c.lossFromReplicas)} more` : '—',
        c.groupsAhead.length
          ? `${fewNames(
              c.groupsAhead.map((g) => `${g.groupId} (+${formatCount(g.ahead)})`),
              2,
            )}`
          : '—',
        notes,
      ]
    }),
  )
}

function exactCellOf(c: CandidateEstimate, nowMs: number): Cell {
  return c.exactLoss ? exactLossText(c.exactLoss, nowMs) : '—'
}

function bestCommands(estimates: readonly PartitionEstimate[]): string[] {
  const byBest = new Map<number, PartitionEstimate[]>()
  for (const e of estimates) if (e.best !== null) byBest.set(e.best, [...(byBest.get(e.best) ?? []), e])
  return [...byBest].map(([broker, es]) => `--set partitions=${partitionList(es)} --set candidate=${broker}`)
}

export const estimateCell = nb.query({
  id: 'estimate',
  title: 'What electing each live replica would lose',
  when: noLeaderless,
  whenDoc: 'some partition has no leader',
  doc: 'Asks each live replica’s own broker for its log end and its newest record (ListOffsets with the debugging replica id, which answers on a follower of a leaderless partition), reads every consumer group’s committed offsets, and ranks the candidates: records certainly lost = what another live replica or a consumer group proves exists beyond the candidate’s end.',
  async run(ctx) {
    const snapshot = ctx.need('snapshot')
    const floors = snapshot.partitions.map(estimateCandidates)
    const blocks: Block[] = []
    const dirs = await deadLogDirs(ctx, floors)
    let estimates = floors
    if (dirs.length > 0) {
      const { readings, refused } = await readDeadLeaderLogs(ctx.kafka, ctx.openLogDir, dirs, snapshot.partitions)
      ctx.state.deadLogs = readings
      const byKey = new Map(readings.map((r) => [partitionKey(r), r]))
      estimates = floors.map((e) => {
        const reading = byKey.get(partitionKey(e))
        return reading ? withExactLoss(e, reading) : e
      })
      blocks.push(...deadLogBlocks(readings, refused))
    }
    ctx.state.estimates = estimates
    const estimable = estimates.filter((e) => e.candidates.length > 0)
    const exact = estimable.some((e) => e.candidates.some((c) => c.exactLoss))
    if (estimable.length > 0) {
      blocks.push(
        table(
          [
            'Partition',
            'Candidate',
            'Place',
            'Its log end',
            'Its newest record',
            'Certainly lost',
            ...(exact ? ['Exactly lost (dead leader’s log)'] : []),
            'Proven by a replica',
            'Proven by groups',
            'Note',
          ],
          estimateRows(estimable, snapshot.takenAtMs, exact),
          {
            title: 'Candidates, least loss first',
            footer: `Place: position in the replica list (Kafka’s own unclean election takes the first live one). Certainly lost: the larger of the two proofs.${exact ? ' Exactly lost: the data records the dead leader holds above where it is cut when it follows this candidate (transaction markers not counted), plus any a live replica holds beyond it.' : ''} Its newest record: everything the partition took after that moment is missing from this replica.`,
          },
        ),
      )
      blocks.push(notice('info', `Electing the least-loss candidate everywhere: ${bestCommands(estimable).join('  ·  ')}`))
    }
    const orphans = estimates.filter((e) => e.candidates.length === 0)
    if (orphans.length > 0)
      blocks.push(
        notice(
          'warn',
          `${fewNames(orphans.map(partitionName))}: no live replica at all — no election can give ${agree(orphans.length, 'it', 'them')} a leader; only a returning broker can.`,
        ),
      )
    if (estimates.some((e) => e.incomplete))
      blocks.push(
        notice('warn', 'A live replica’s log end could not be read for some partitions; their bounds use the other replicas and are still lower bounds.'),
      )
    if (estimates.some((e) => e.unit === 'offsets'))
      blocks.push(notice('info', 'Compacted topics count offsets, not records: compaction leaves gaps between offsets.'))
    if (!estimable.every((e) => e.deadLeader || e.candidates.every((c) => c.inSync))) blocks.push(notice('info', unknowableText))
    return { blocks, data: { estimates, ...(ctx.state.deadLogs ? { deadLogs: ctx.state.deadLogs.map(deadLogData) } : {}) } }
  },
})

/** Partitions where a dead replica may hold records no live candidate has: every live replica is out of sync. */
function mayHoldMore(snapshot: LeaderlessSnapshot, estimates: readonly PartitionEstimate[]): { partitions: string[]; dead: number[] } {
  const byKey = new Map(estimates.map((e) => [partitionKey(e), e]))
  const live = new Set(snapshot.liveBrokers)
  const partitions = snapshot.partitions.filter((p) => {
    const e = byKey.get(partitionKey(p))
    return e !== undefined && e.candidates.length > 0 && !e.candidates.some((c) => c.inSync) && p.replicas.some((id) => !live.has(id))
  })
  const dead = [...new Set(partitions.flatMap((p) => p.replicas.filter((id) => !live.has(id))))].sort((a, b) => a - b)
  return { partitions: partitions.map(partitionName), dead }
}

/** The folders given, or — on a terminal, when a dead replica may hold what the candidates lack — asked for, saying why. */
async function deadLogDirs(ctx: Context, estimates: readonly PartitionEstimate[]) {
  const given = ctx.given('dead-log-dirs')
  if (given) return given
  if (!ctx.interactive) return []
  const { partitions, dead } = mayHoldMore(ctx.need('snapshot'), estimates)
  if (partitions.length === 0) return []
  ctx.show([
    notice(
      'info',
      `Every live replica of ${fewNames(partitions)} is out of sync, so ${brokers(dead)} may hold records none of them has (writes acknowledged with acks=1 above the high watermark). Those records are deleted when ${agree(dead.length, 'it returns', 'they return')} after an unclean election, and no API can count them while ${agree(dead.length, 'it is', 'they are')} down — but ${agree(dead.length, 'its', 'their')} data directory can: give it and the runbook reads the segment files (never writes into them) and prices each candidate exactly.`,
    ),
  ])
  return (await ctx.param('dead-log-dirs')) ?? []
}

function deadLogBlocks(readings: readonly DeadLogReading[], refused: readonly string[]): Block[] {
  const blocks: Block[] = []
  for (const line of refused) blocks.push(notice('warn', `Not read — ${line}.`))
  const rows = readings.flatMap((r) =>
    r.replicas.length === 0
      ? [[partitionName(r), '—', '—', null, null, r.problems.join('; ') || 'not found']]
      : r.replicas.map((d, i): Cell[] => [
          i === 0 ? partitionName(r) : '',
          `${d.broker}${d === r.deadLeader ? ' (holds the most)' : ''}`,
          d.path,
          d.logStartOffset,
          d.logEndOffset,
          d.torn
            ? `torn last batch ignored (${formatCount(d.torn.ignoredBytes)} bytes at ${d.torn.segment}:${d.torn.position}), as Kafka's recovery does`
            : 'complete',
        ]),
  )
  if (rows.length > 0)
    blocks.push(
      table(['Partition', 'Dead replica', 'Log directory', 'Log start', 'Log end', 'Tail'], rows, { title: 'The dead replicas’ own logs (read only)' }),
    )
  for (const r of readings) for (const p of r.replicas.length ? r.problems : []) blocks.push(notice('warn', `${partitionName(r)}: ${p}.`))
  return blocks
}

/** A reading for --json: the dead replicas' logs (the per-candidate counts are in the estimates). */
const deadLogData = (r: DeadLogReading) => ({
  topic: r.topic,
  partition: r.partition,
  replicas: r.replicas,
  deadLeader: r.deadLeader?.broker ?? null,
  problems: r.problems,
})

/** What the dead leader deletes when `leader` (a returning dead replica whose log was read too) leads: null when unknown or it is the dead leader. */
export function restartLoss(reading: DeadLogReading | undefined, leader: number): CandidateExactLoss | null {
  if (!reading?.deadLeader) return null
  const loss = restartTruncation(reading, leader)
  return loss ? candidateExactLoss(loss, reading.deadLeader, []) : null
}
