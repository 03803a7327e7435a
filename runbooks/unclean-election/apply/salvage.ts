// Salvage: before an election (or a restart) deletes what only the dead leader holds, copy exactly those records
// out of its folder into the session folder (the salvage file format, records whole). Producing them again is
// apply/reproduce.ts.

import { code, counted, formatCount, notice, table } from '../../../lib/engine/blocks.ts'
import { type ApplyResult, ifChosen, type OptionPrice } from '../../../lib/engine/runbook.ts'
import { sha256 } from '../../../lib/engine/session.ts'
import { salvageFileText, type SalvageMarker } from '../../../lib/kafka/salvage-file.ts'
import type { KafkaRecord } from '../../../lib/kafka/records.ts'
import type { TopicPartition } from '../../../lib/kafka/types.ts'
import { partitionName } from '../../../lib/plans/leaderless.ts'
import {
  planSalvageTargets,
  salvageReason,
  type SalvageChoice,
  type SalvagedFile,
  type SalvageTarget,
  transactionFates,
  undecidedTransactions,
} from '../../../lib/plans/salvage.ts'
import { candidateOf } from '../../../lib/plans/unclean-estimate.ts'
import { partitionKey } from '../../../lib/reads/leaderless.ts'
import { readDeadPartition, readSalvageFile, readSalvageOrigin } from '../../../lib/reads/salvage.ts'
import { readCoordinatorOutcomes } from '../../../lib/reads/salvage-transactions.ts'
import { chosenWay, inScope } from '../decide.ts'
import { restartLoss } from '../find.ts'
import { nb, type Context } from '../notebook.ts'
import { fewNames } from '../text.ts'

type Way = 'wait' | 'elect' | 'flag'

/** The way out taken; a broker already back by a restart counts as waiting (its return is what truncates). */
function salvageWay(ctx: Context): Way | undefined {
  const way = chosenWay(ctx)
  return way === 'back' ? 'wait' : way
}

/** What the chosen way deletes from the dead leader's log, per partition (only where its folder was read). */
async function salvageTargets(ctx: Context): Promise<SalvageTarget[]> {
  const way = salvageWay(ctx)
  const readings = new Map((ctx.state.deadLogs ?? []).map((r) => [partitionKey(r), r]))
  if (!way || readings.size === 0) return []
  const { partitions, recoveries, estimates } = inScope(ctx)
  const committedOf = (tp: TopicPartition) =>
    (partitions.find((p) => partitionKey(p) === partitionKey(tp))?.committed ?? []).map((c) => ({ groupId: c.groupId, committed: c.offset }))
  const choice = (tp: TopicPartition, newLeader: number | null, loss: SalvageChoice['loss']): SalvageChoice[] => {
    const reading = readings.get(partitionKey(tp))
    if (newLeader === null || !reading?.deadLeader) return []
    return [{ topic: tp.topic, partition: tp.partition, newLeader, how: way, loss, logDir: reading.deadLeader.path, committed: committedOf(tp) }]
  }
  let choices: SalvageChoice[]
  if (way === 'wait') {
    choices = recoveries.flatMap((r) => {
      if (r.path.kind !== 'restart' && r.path.kind !== 'restart-if-clean') return []
      const broker = r.path.brokers[0]!
      return choice(r, broker, restartLoss(readings.get(partitionKey(r)), broker))
    })
  } else if (way === 'elect') {
    const named = new Set((await ctx.param('partitions')).map(partitionKey))
    const candidate = await ctx.param('candidate')
    choices = estimates.filter((e) => named.has(partitionKey(e))).flatMap((e) => choice(e, candidate, candidateOf(e, candidate)?.exactLoss ?? null))
  } else {
    choices = estimates.flatMap((e) => (e.kafkaPick === null ? [] : choice(e, e.kafkaPick, candidateOf(e, e.kafkaPick)?.exactLoss ?? null)))
  }
  return planSalvageTargets(choices)
}

const totalRecords = (targets: readonly { readonly records: number }[]) => targets.reduce((sum, t) => sum + t.records, 0)

function deadBrokers(targets: readonly SalvageTarget[]): string {
  const ids = [...new Set(targets.map((t) => t.deadBroker))]
  return `broker${ids.length === 1 ? '' : 's'} ${ids.join(', ')}`
}

export const salvageDecision = nb.decide({
  id: 'salvage',
  title: 'Keep a copy of what the dead leader loses',
  when: async (ctx) => {
    if (salvageWay(ctx) === undefined) return 'nothing will be elected or restarted'
    if (!ctx.state.deadLogs?.length) return "no dead broker's folder was read: what it alone holds is not known"
    return (await salvageTargets(ctx)).length > 0 ? true : "the dead leader's log holds nothing the chosen way deletes"
  },
  whenDoc: "a dead broker's folder was read and the chosen way deletes records only it holds",
  doc: "Offers to copy, before anything happens, exactly the records the chosen way deletes from the dead leader's log (from where it will be cut to its log end) into the session folder, and to produce them again once the partitions lead.",
  question: 'Copy those records before they are deleted?',
  options: {
    copy: 'Copy them to the session folder now, produce them again once the partitions lead',
    skip: 'Do not copy them',
  },
  price: async (ctx): Promise<Record<'copy' | 'skip', OptionPrice>> => {
    const targets = await salvageTargets(ctx)
    const records = totalRecords(targets)
    const read = targets.reduce((sum, t) => sum + (t.readBy.length ? 1 : 0), 0)
    return {
      copy: {
        cost: `reads ${counted(records, 'record')} on ${counted(targets.length, 'partition')} from ${deadBrokers(targets)}'s folder (read only) into the session folder; later, a confirmed re-produce to <topic>.salvaged or the original topic`,
        risk: `none to the cluster; the file holds the records' keys, values and headers: keep it as you keep the topic's data${read ? `; consumer groups had already read some of them on ${counted(read, 'partition')}` : ''}`,
        recommended: true,
      },
      skip: {
        cost: `${counted(records, 'record')} deleted for good when ${deadBrokers(targets)} ${targets.length && new Set(targets.map((t) => t.deadBroker)).size > 1 ? 'return' : 'returns'} (${fewNames(targets.map((t) => `${partitionName(t)}: ${formatCount(t.records)} from offset ${t.fromOffset}`))})`,
        risk: 'acknowledged writes (acks=1) are gone, and nobody can say which ones later',
      },
    }
  },
  because: () => 'the copy costs nothing to the cluster, and the records exist nowhere else',
  // Copying only reads; a headless run copies when asked to (--set salvage=copy).
  headlessDefault: 'skip',
})

interface CopyPlan {
  readonly targets: readonly SalvageTarget[]
  readonly records: number
}

const fileName = (t: SalvageTarget) => `salvage-${t.topic}-${t.partition}-broker-${t.deadBroker}-from-${t.fromOffset}.jsonl`

export const salvageCopyCell = nb.action<CopyPlan, never>({
  id: 'salvage-copy',
  title: 'Copy the records only the dead leader holds into the session folder',
  ...ifChosen(salvageDecision, ['copy'], 'you chose not to copy them'),
  doc: "Reads, from the dead leader's folder (never writing into it), every record from where the chosen way cuts its log to its log end, and writes them whole (key, value, headers, timestamp, original offset, leader epoch, producer id) to one salvage file per partition: JSON Lines with a hash per record and a trailer, readable with jq. Re-checks first that the folder is still the stopped broker's and its log end has not moved; reads the file back afterwards.",
  async plan(ctx) {
    const targets = await salvageTargets(ctx)
    return { targets, records: totalRecords(targets) }
  },
  preview: (plan) => [
    table(
      ['Partition', 'From broker', 'Its folder', 'Offsets', 'Records', 'Why they are deleted', 'Groups that read some'],
      plan.targets.map((t) => [
        partitionName(t),
        t.deadBroker,
        t.logDir,
        `${t.fromOffset} – ${t.toOffset - 1n}`,
        formatCount(t.records),
        salvageReason(t),
        fewNames(t.readBy.map((g) => g.groupId)) || '—',
      ]),
      { title: 'Copy into the session folder (read only: nothing in the folder or the cluster changes)' },
    ),
    notice(
      'info',
      `One file per partition: ${fewNames(plan.targets.map(fileName), 2)}. The copy runs before the ${plan.targets[0]?.how === 'wait' ? 'restart' : 'election'}, and stops the run if it fails.`,
    ),
  ],
  summary: (plan) =>
    `copy ${counted(plan.records, 'record')} of ${counted(plan.targets.length, 'partition')} from ${deadBrokers(plan.targets)}'s log into the session folder`,
  confirm: (plan) => ({ kind: 'yes-no', prompt: `Copy ${counted(plan.records, 'record')} from ${deadBrokers(plan.targets)}'s log into the session folder?` }),
  async recheck(ctx, plan) {
    const drifts = []
    for (const t of plan.targets) {
      const now = await readDeadPartition(ctx.kafka, ctx.openLogDir, t)
      const seen = 'error' in now ? now.error : String(now.logEndOffset)
      if (seen !== String(t.toOffset))
        drifts.push({ what: `log end of ${partitionName(t)} in broker ${t.deadBroker}'s folder`, planned: String(t.toOffset), now: seen })
    }
    return drifts
  },
  async apply(ctx, plan): Promise<ApplyResult<never>> {
    const files: SalvagedFile[] = []
    const failed: { item: string; error: string }[] = []
    const origin = await readSalvageOrigin(ctx.kafka, [...new Set(plan.targets.map((t) => t.topic))])
    for (const t of plan.targets) {
      const dead = await readDeadPartition(ctx.kafka, ctx.openLogDir, t)
      if ('error' in dead) {
        failed.push({ item: `copy ${partitionName(t)}`, error: dead.error })
        continue
      }
      const records: KafkaRecord[] = []
      const markers: SalvageMarker[] = []
      for await (const entry of dead.entries(t.toOffset))
        if ('record' in entry) records.push(entry.record)
        else markers.push(entry.marker)
      // Transactions whose marker the dead leader never got: their coordinator may know how they ended.
      const outcomes = await readCoordinatorOutcomes(ctx.kafka, t, undecidedTransactions(transactionFates({ records, markers }, t.fromOffset)))
      const text = salvageFileText(
        {
          clusterId: origin.clusterId,
          topic: t.topic,
          topicId: origin.topicIds.get(t.topic) ?? null,
          partition: t.partition,
          broker: t.deadBroker,
          logDir: t.logDir,
          fromOffset: t.fromOffset,
          toOffset: t.toOffset,
          createdAt: new Date(ctx.now()).toISOString(),
          reason: salvageReason(t),
        },
        { records, markers, outcomes },
      )
      const path = await ctx.writeFile(fileName(t), text)
      files.push({
        topic: t.topic,
        partition: t.partition,
        path,
        deadBroker: t.deadBroker,
        fromOffset: t.fromOffset,
        toOffset: t.toOffset,
        records: records.length,
        sha256: sha256(text),
        readBy: t.readBy,
      })
    }
    ctx.state.salvaged = files
    return {
      blocks: [],
      applied: files.map((f) => `copied ${counted(f.records, 'record')} of ${partitionName(f)} to ${f.path}`),
      failed,
      data: {
        files: files.map((f) => ({
          topic: f.topic,
          partition: f.partition,
          path: f.path,
          records: f.records,
          fromOffset: f.fromOffset,
          toOffset: f.toOffset,
          sha256: f.sha256,
        })),
      },
    }
  },
  async verify(ctx, plan) {
    const rows: (string | number)[][] = []
    let ok = true
    for (const f of ctx.state.salvaged ?? []) {
      const back = readSalvageFile(f.path)
      const planned = plan.targets.find((t) => partitionKey(t) === partitionKey(f))!
      const problems =
        'error' in back
          ? [back.error]
          : [...back.problems, ...(back.records.length === planned.records ? [] : [`${back.records.length} records, the estimate counted ${planned.records}`])]
      ok &&= problems.length === 0
      rows.push([partitionName(f), f.path, formatCount(f.records), problems.join('; ') || 'whole: every record matches its hash'])
    }
    return {
      ok,
      blocks: [
        table(['Partition', 'File', 'Records', 'Read back'], rows, { title: 'Salvaged' }),
        code(`jq -c 'select(has("value")) | {offset, timestamp, key, value, transactional}' ${(ctx.state.salvaged ?? [])[0]?.path ?? ''} | head`, 'sh'),
      ],
      data: { files: rows.length },
    }
  },
})
