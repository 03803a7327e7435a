// Re-produce: once the salvaged partitions lead again, write the salvaged records (this run's copies, or an
// earlier verified session's) to a topic the operator chooses, skipping those already there; read them back and
// check each one; undo deletes a salvage topic this run created.

import { type Block, code, counted, formatCount, notice, table } from '../../../lib/engine/blocks.ts'
import { type ApplyResult, Refusal } from '../../../lib/engine/runbook.ts'
import type { EarlierFile } from '../../../lib/engine/earlier-files.ts'
import type { KafkaRecord } from '../../../lib/kafka/records.ts'
import type { TopicPartition } from '../../../lib/kafka/types.ts'
import { copySettingNames } from '../../../lib/plans/copy-topic.ts'
import { partitionName } from '../../../lib/plans/leaderless.ts'
import {
  describeReproduceFault,
  isReproduceFault,
  isSalvagedCopy,
  originalTopicAnswer,
  planReproduce,
  salvagedRecord,
  salvageTopicOf,
  type ReproduceStep,
  type SalvagedContents,
  type SalvagedFile,
  transactionFates,
  undecidedTransactions,
} from '../../../lib/plans/salvage.ts'
import {
  earliestCopyTimestamp,
  nothingToWrite,
  type Presence,
  presenceOf,
  type PresentStep,
  type RepeatSafePlan,
  skipPresent,
} from '../../../lib/plans/salvage-presence.ts'
import { readTopicFacts } from '../../../lib/reads/dead-letter.ts'
import { partitionKey } from '../../../lib/reads/leaderless.ts'
import { readClusterId, readExistingTopics, readReproduceCluster, readSalvageCopies, readSalvageFile } from '../../../lib/reads/salvage.ts'
import { readLiveTransactionFacts } from '../../../lib/reads/salvage-transactions.ts'
import { nb, type Context } from '../notebook.ts'
import { fewNames } from '../text.ts'

interface ReproduceUndo {
  /** Topics this run created for the copies: undo deletes them. */
  readonly created: readonly string[]
  /** Where copies went into topics that existed before: they stay. */
  readonly written: readonly (TopicPartition & { readonly records: number })[]
}

/** The salvage files a re-produce works from: this run's copies, else an earlier session's (loaded by the plan). */
const sourceFiles = (ctx: Context): readonly SalvagedFile[] => (ctx.state.salvaged?.length ? ctx.state.salvaged : (ctx.state.earlierSalvage ?? []))

async function readSalvaged(ctx: Context): Promise<SalvagedContents[]> {
  return sourceFiles(ctx).map((file) => {
    const back = readSalvageFile(file.path)
    if ('error' in back) return { file, records: [], complete: false, problems: [back.error] }
    const changed = [
      ...(back.records.length === file.records ? [] : [`${back.records.length} records now, ${file.records} when copied`]),
      ...(back.fileSha256 === file.sha256 ? [] : ['its SHA-256 is not the one recorded when it was written: the file was changed since']),
    ]
    return {
      file,
      records: back.records,
      markers: back.markers,
      outcomes: back.outcomes,
      complete: back.complete && changed.length === 0,
      problems: [...back.problems, ...changed],
    }
  })
}

const isSalvageFileName = (name: string) => /^salvage-.+\.jsonl$/.test(name)

/** Salvage files recent sessions recorded on this cluster (a guided run offers them). */
async function recentSalvage(ctx: Context): Promise<readonly EarlierFile[]> {
  const clusterId = await readClusterId(ctx.kafka)
  return ctx.earlierFiles({ match: isSalvageFileName }).files.filter((f) => f.clusterId === clusterId)
}

/** The records of a step's file the plan writes, exactly those it counted (by original offset). */
function stepRecords(contents: readonly SalvagedContents[], step: Pick<ReproduceStep, 'file' | 'originalOffsets'>): KafkaRecord[] {
  const chosen = new Set(step.originalOffsets)
  return (contents.find((c) => c.file.path === step.file)?.records ?? []).filter((r) => chosen.has(r.offset))
}

/**
 * An earlier session's salvage files (--set salvage-file=<file, session folder or id>, or chosen among recent
 * sessions): each vouched for by that session's verified transcript, and salvaged from the cluster in front of the
 * operator, by the session's record and the file's own header. Anything else is refused before anything is written.
 */
async function loadEarlierSalvage(ctx: Context): Promise<readonly SalvagedFile[]> {
  let ref = ctx.given('salvage-file')
  if (ref === undefined) {
    const recent = await recentSalvage(ctx)
    const sessions = [...new Set(recent.map((f) => f.sessionDir))].map((dir) => recent.filter((f) => f.sessionDir === dir))
    ref = await ctx.param('salvage-file', {
      required: true,
      choices: sessions.map(([f, ...more]) => ({
        value: f!.sessionDir,
        name: `session ${f!.session}: ${fewNames([f!, ...more].map((g) => g.name))}`,
        description: `recorded by ${f!.runbook} on ${f!.clusterName ?? f!.clusterId ?? 'an unnamed cluster'}${f!.startedAt ? ` at ${f!.startedAt}` : ''}`,
      })),
    })
  }
  const found = ctx.earlierFiles({ ref, match: isSalvageFileName })
  if (found.refused.length) throw new Refusal(`${found.refused[0]} — refused, nothing was written`)
  const clusterId = await readClusterId(ctx.kafka)
  const files: SalvagedFile[] = []
  for (const f of found.files) {
    const back = readSalvageFile(f.path)
    if ('error' in back) throw new Refusal(`${back.error} — refused, nothing was written`)
    if (back.fileSha256 !== f.sha256) throw new Refusal(`${f.path} changed after session ${f.session} verified it — refused, nothing was written`)
    const from = back.header.clusterId === f.clusterId ? f.clusterId : null
    if (from === null || from !== clusterId)
      throw new Refusal(
        `${f.path} holds records of cluster ${back.header.clusterId ?? 'unknown'} (session ${f.session} ran on ${f.clusterId ?? 'an unknown cluster'}), and this is cluster ${clusterId ?? 'unknown'}: a salvage goes back only to the cluster it came from — connect to that cluster; refused, nothing was written`,
      )
    files.push({
      topic: back.header.topic,
      partition: back.header.partition,
      path: f.path,
      deadBroker: back.header.broker,
      fromOffset: back.header.fromOffset,
      toOffset: back.header.toOffset,
      records: back.records.length,
      sha256: f.sha256,
      readBy: [],
    })
  }
  return files
}

/** What each step's target partition already holds of its salvaged records (null for a topic this run creates). */
async function readPresence(ctx: Context, steps: readonly ReproduceStep[], creating: ReadonlySet<string>): Promise<Map<string, Presence | null>> {
  const contents = await readSalvaged(ctx)
  const presence = new Map<string, Presence | null>()
  for (const step of steps) {
    if (creating.has(step.topic)) {
      presence.set(step.file, null)
      continue
    }
    const records = stepRecords(contents, step)
    const read = await readSalvageCopies(ctx.kafka, { topic: step.topic, partition: step.partition }, earliestCopyTimestamp(records))
    if ('error' in read) throw new Refusal(`${read.error}; nothing was written`)
    presence.set(step.file, presenceOf(records, step.source, read.copies))
  }
  return presence
}

async function planRepeatSafe(ctx: Context): Promise<RepeatSafePlan> {
  if (!ctx.state.salvaged?.length && !ctx.state.earlierSalvage) ctx.state.earlierSalvage = await loadEarlierSalvage(ctx)
  // What the file leaves open about its transactions, asked again now the partitions lead: the new leader's own
  // markers and open transactions, and the coordinators.
  const contents = await Promise.all(
    (await readSalvaged(ctx)).map(async (c) => ({
      ...c,
      live: await readLiveTransactionFacts(ctx.kafka, c.file, c.file.fromOffset, undecidedTransactions(transactionFates(c, c.file.fromOffset))),
    })),
  )
  const sources = [...new Set(contents.map((c) => c.file.topic))]
  const chosen = await ctx.param('salvage-topic', {
    choices: [
      ...sources.map((t) => ({
        value: salvageTopicOf(t),
        name: salvageTopicOf(t),
        description: `a separate topic, created like ${t} if missing: consumers of ${t} do not see the records`,
      })),
      {
        value: originalTopicAnswer,
        name: 'the original topic',
        description: 'appended to their own partitions: consumers get them late, after newer records',
      },
    ],
  })
  const destination = chosen ?? null
  const destinations = destination === originalTopicAnswer ? sources : destination ? [destination] : sources.map(salvageTopicOf)
  const facts = await readTopicFacts(ctx.kafka, [...new Set([...sources, ...destinations])], copySettingNames)
  const plan = planReproduce(contents, destination, facts, await readReproduceCluster(ctx.kafka, destinations))
  if (isReproduceFault(plan)) throw new Refusal(describeReproduceFault(plan))
  const presence = await readPresence(ctx, plan.steps, new Set(plan.topics.filter((t) => t.create).map((t) => t.topic)))
  return skipPresent(plan, (step) => presence.get(step.file) ?? null)
}

const duplicateCount = (plan: RepeatSafePlan) => plan.steps.reduce((sum, s) => sum + s.duplicated.length, 0)

function duplicatesNotice(plan: RepeatSafePlan): Block[] {
  const steps = plan.steps.filter((s) => s.duplicated.length > 0)
  if (steps.length === 0) return []
  return [
    notice(
      'warn',
      `${counted(duplicateCount(plan), 'salvaged record')} ${duplicateCount(plan) === 1 ? 'is' : 'are'} in the target more than once, from an earlier re-produce interrupted after Kafka took a copy: ${fewNames(
        steps.map((s) => `${partitionName(s.source)} offset ${s.duplicated[0]!.offset} at ${s.topic}:${s.partition} offsets ${s.duplicated[0]!.at.join(', ')}`),
        2,
      )}. Nothing here deletes them: consumers of ${fewNames([...new Set(steps.map((s) => s.topic))])} read those twice.`,
    ),
  ]
}

const kinds = (plan: RepeatSafePlan) => {
  const sum = (pick: (s: PresentStep) => number) => plan.steps.reduce((n, s) => n + pick(s), 0)
  return { plain: sum((s) => s.plain), committed: sum((s) => s.committed), aborted: sum((s) => s.aborted), undecided: sum((s) => s.undecided) }
}

/** What happens to transactional records, and the transactions the election left hanging on the new leaders. */
function transactionNotices(plan: RepeatSafePlan): Block[] {
  const k = kinds(plan)
  const blocks: Block[] = []
  if (k.committed)
    blocks.push(
      notice(
        'info',
        `${counted(k.committed, 'record')} of committed transactions are written as plain records (idempotent, not in a transaction of ours): each arrives, but they lose their atomic grouping — a consumer can see part of a transaction before the rest.`,
      ),
    )
  if (k.aborted)
    blocks.push(notice('info', `${counted(k.aborted, 'record')} of aborted transactions are never written: no consumer in read_committed ever saw them.`))
  if (k.undecided) {
    const why = [...new Set(plan.steps.flatMap((s) => s.transactions.filter((t) => t.outcome === 'open' || t.outcome === 'unknown').map((t) => t.detail)))]
    blocks.push(
      notice(
        'warn',
        `${counted(k.undecided, 'record')} of transactions whose end is not known (open, or their marker lost with the dead leader) stay in the salvage file only: a consumer in read_committed never saw them, and no one can say they committed (${fewNames(why, 2)}).`,
      ),
    )
  }
  const hanging = plan.steps.flatMap((s) => s.hanging.map((h) => ({ ...h, source: s.source })))
  if (hanging.length)
    blocks.push(
      table(
        ['Partition', 'Producer', 'Epoch', 'Open on the new leader from', 'Its marker, lost with the dead leader'],
        hanging.map((h) => [
          partitionName(h.source),
          String(h.producerId),
          h.producerEpoch,
          h.startOffset === null ? 'below the cut (the new leader did not say)' : String(h.startOffset),
          h.marker ? `${h.marker.type} at offset ${h.marker.offset}` : '—',
        ]),
        { title: 'Transactions left hanging: their records stayed below the cut, their marker did not' },
      ),
      notice(
        'warn',
        `The new leader keeps ${counted(hanging.length, 'transaction')} open that ${hanging.length === 1 ? 'was' : 'were'} ended only in the dead leader's log: its last stable offset stays there, and consumers in read_committed stop at it until ${hanging.length === 1 ? 'it is' : 'they are'} aborted — run the stuck-transactions runbook (npx runbook run stuck-transactions).`,
      ),
    )
  return blocks
}

function meaning(plan: RepeatSafePlan): Block[] {
  const read = plan.steps.filter((s) => s.alreadyRead > 0)
  if (plan.destination === 'original')
    return [
      notice(
        'warn',
        `Into the original topic: consumers get these records again, after everything written since the partition came back — late, and out of order: a key's salvaged record arrives after newer records of that key (a compacted topic or a state store ends up with the older value).${
          read.length
            ? ` ${counted(
                read.reduce((s, r) => s + r.alreadyRead, 0),
                'record',
              )} had already been read by consumer groups before the outage (${fewNames(read.map((r) => partitionName(r.source)))}): they get those twice.`
            : ' No consumer group had read any of them: nobody gets one twice.'
        } Each record goes back to its own partition, so a key stays with its partition.`,
      ),
    ]
  return [
    notice(
      'info',
      `Into a separate topic: the consumers of the original topic never see these records; whoever owns the data reads them there on purpose and decides what to replay. Each keeps its partition number (the topic has the source's partition count), so a key's records stay together, in their original offset order.${
        read.length
          ? ` Consumer groups had already read ${counted(
              read.reduce((s, r) => s + r.alreadyRead, 0),
              'record',
            )} of them before the outage.`
          : ''
      }`,
    ),
  ]
}

/** "N already in <target> (from an earlier re-produce), M to write", per target. */
function presenceLine(plan: RepeatSafePlan): string {
  const topics = [...new Set(plan.steps.map((s) => s.topic))]
  return topics
    .map((topic) => {
      const steps = plan.steps.filter((s) => s.topic === topic)
      const present = steps.reduce((sum, s) => sum + s.present, 0)
      const write = steps.reduce((sum, s) => sum + s.records, 0)
      return `${formatCount(present)} already in ${topic} (from an earlier re-produce), ${formatCount(write)} to write`
    })
    .join('; ')
}

export const reproduceCell = nb.action<RepeatSafePlan, ReproduceUndo>({
  id: 'reproduce',
  title: 'Produce the salvaged records again',
  when: async (ctx) => {
    if ((ctx.state.salvaged ?? []).some((f) => f.records > 0)) {
      const back = new Set((ctx.state.recovered ?? []).map(partitionKey))
      if (!(ctx.state.salvaged ?? []).every((f) => back.has(partitionKey(f)))) return 'the salvaged partitions do not all lead again yet'
    } else if (ctx.given('salvage-file') === undefined) {
      if (!ctx.interactive) return 'nothing was salvaged in this run (--set salvage-file=<file or session> produces an earlier session’s salvage again)'
      if ((await recentSalvage(ctx)).length === 0) return 'nothing was salvaged, in this run or in recent sessions on this cluster'
    }
    // A re-produce that finds every record already in its target says so and writes nothing; a refusal is the plan's to say.
    let plan: RepeatSafePlan
    try {
      plan = await planRepeatSafe(ctx)
    } catch (error) {
      if (error instanceof Refusal) return true
      throw error
    }
    if (!nothingToWrite(plan)) return true
    const why = `every salvaged record is already there: ${presenceLine(plan)} — nothing to write`
    ctx.show([notice('ok', `${why[0]!.toUpperCase()}${why.slice(1)}.`), ...duplicatesNotice(plan)])
    return why
  },
  whenDoc:
    'records were salvaged and their partitions lead again, or --set salvage-file names an earlier session’s salvage; and some salvaged record is not in its target yet',
  doc: 'Produces every salvaged record (idempotent, acks=all) to --set salvage-topic: by default <topic>.salvaged, created with the source’s partition count, replication factor and settings; or "original" (each record back to its own topic and partition). Each copy keeps its key, value, headers and timestamp, and gets headers naming its original topic, partition, offset and leader epoch. Repeat-safe: it first reads the target partitions (from the salvaged records’ earliest timestamp on) and skips every record whose original coordinates are already there; afterwards it reads them again and checks each salvaged record is there exactly once and byte for byte. An earlier session’s salvage (--set salvage-file=<file or session id>) is taken only when that session’s transcript verifies, records the file with the same SHA-256, and ran on this cluster. Undo deletes a topic this run created (copies written into an existing topic stay).',
  plan: planRepeatSafe,
  preview: (plan) => [
    table(
      [
        'From',
        'Salvage file',
        'Salvaged',
        'Plain',
        'Committed',
        'Aborted (never)',
        'Open or unknown (file only)',
        'Already there',
        'To write',
        'To',
        'Already read by groups',
      ],
      plan.steps.map((s) => [
        partitionName(s.source),
        s.file,
        formatCount(s.salvaged),
        formatCount(s.plain),
        formatCount(s.committed),
        formatCount(s.aborted),
        formatCount(s.undecided),
        s.duplicated.length ? `${formatCount(s.present)} (${formatCount(s.duplicated.length)} twice or more)` : formatCount(s.present),
        formatCount(s.records),
        `${s.topic}:${s.partition}`,
        formatCount(s.alreadyRead),
      ]),
      { title: 'Produce again (idempotent, acks=all), with headers salvage.original.topic / partition / offset / leader-epoch' },
    ),
    notice('info', `${presenceLine(plan)}.`),
    ...duplicatesNotice(plan),
    ...plan.topics
      .filter((t) => t.create)
      .map((t) =>
        table(
          ['Setting', 'Why'],
          t.create!.why.map((w) => [w.split(':')[0]!, w.slice(w.indexOf(':') + 1).trim()]),
          { title: `Create ${t.topic}` },
        ),
      ),
    ...transactionNotices(plan),
    ...meaning(plan),
    ...(plan.topics.some((t) => t.timestampType === 'LogAppendTime')
      ? [
          notice(
            'warn',
            `${fewNames(plan.topics.filter((t) => t.timestampType === 'LogAppendTime').map((t) => t.topic))} stamps records with the broker's time: the copies lose their original timestamps.`,
          ),
        ]
      : []),
  ],
  summary: (plan) =>
    `produce ${counted(plan.records, 'salvaged record')} to ${fewNames(plan.topics.map((t) => t.topic))}${plan.topics.some((t) => t.create) ? ' (created)' : ''}${plan.present ? ` (${formatCount(plan.present)} already there)` : ''}`,
  confirm: (plan) => {
    const expected = `${plan.records} to ${plan.topics.map((t) => t.topic).join(',')}`
    const k = kinds(plan)
    const held =
      k.aborted + k.undecided
        ? ` (${formatCount(k.plain)} plain, ${formatCount(k.committed)} committed; ${formatCount(k.aborted)} aborted and ${formatCount(k.undecided)} open or unknown stay out)`
        : k.committed
          ? ` (${formatCount(k.plain)} plain, ${formatCount(k.committed)} committed)`
          : ''
    return { kind: 'typed', expected, prompt: `Type "${expected}" to produce the salvaged records${held} to ${fewNames(plan.topics.map((t) => t.topic))}` }
  },
  async recheck(ctx, plan) {
    const drifts = []
    for (const c of await readSalvaged(ctx)) {
      const step = plan.steps.find((s) => s.file === c.file.path)
      if (step && (!c.complete || c.file.sha256 !== step.sha256))
        drifts.push({ what: `salvage file ${c.file.path}`, planned: 'as copied', now: c.problems[0] ?? 'changed' })
    }
    const present = await readExistingTopics(
      ctx.kafka,
      plan.topics.map((t) => t.topic),
    )
    for (const t of plan.topics) {
      const exists = present.has(t.topic)
      if (exists !== (t.create === null))
        drifts.push({ what: `topic ${t.topic}`, planned: t.create ? 'does not exist' : 'exists', now: exists ? 'exists' : 'does not exist' })
    }
    if (drifts.length) return drifts
    // Another re-produce between plan and apply would be written twice: what the targets hold must be as planned.
    const now = await readPresence(ctx, plan.steps, new Set(plan.topics.filter((t) => t.create).map((t) => t.topic)))
    for (const step of plan.steps) {
      const seen = now.get(step.file)
      if (seen && seen.missing.length !== step.records)
        drifts.push({
          what: `salvaged records of ${partitionName(step.source)} missing from ${step.topic}:${step.partition}`,
          planned: String(step.records),
          now: String(seen.missing.length),
        })
    }
    return drifts
  },
  async apply(ctx, plan): Promise<ApplyResult<ReproduceUndo>> {
    const applied: string[] = []
    const failed: { item: string; error: string }[] = []
    const created: string[] = []
    for (const t of plan.topics.filter((t) => t.create)) {
      const [result] = await ctx.kafka.createTopics([
        { topic: t.topic, partitions: t.create!.partitions, replicationFactor: t.create!.replicationFactor, configs: t.create!.configs },
      ])
      if (result?.error) failed.push({ item: `create ${t.topic}`, error: `${result.error.name}: ${result.error.message}` })
      else {
        created.push(t.topic)
        applied.push(`create topic ${t.topic}`)
      }
    }
    const contents = await readSalvaged(ctx)
    // The re-check just read what each existing target holds; write exactly what it lacks.
    const presence = await readPresence(ctx, plan.steps, new Set(plan.topics.filter((t) => t.create).map((t) => t.topic)))
    const landed: { step: PresentStep; offsets: bigint[] }[] = []
    for (const step of plan.steps) {
      if (!created.includes(step.topic) && plan.topics.find((t) => t.topic === step.topic)!.create) continue
      const records = presence.get(step.file)?.missing ?? stepRecords(contents, step)
      if (records.length === 0) continue
      const written = await ctx.kafka.produce(
        step.topic,
        records.map((r) => salvagedRecord(r, step.source, step.partition)),
      )
      const refused = written.filter((w) => w.error || w.offset === null)
      const offsets = written.filter((w) => !w.error && w.offset !== null).map((w) => w.offset!)
      landed.push({ step, offsets })
      if (offsets.length)
        applied.push(
          `produce ${counted(offsets.length, 'record')} of ${partitionName(step.source)} to ${step.topic}:${step.partition} (offsets ${offsets[0]}–${offsets.at(-1)})`,
        )
      if (refused.length)
        failed.push({
          item: `produce ${partitionName(step.source)}`,
          error: `${formatCount(refused.length)} not written: ${refused[0]!.error?.message ?? 'no offset came back'}`,
        })
    }
    ctx.state.reproduced = landed.map((l) => ({ ...l.step, offsets: l.offsets }))
    const written = landed
      .filter((l) => !created.includes(l.step.topic))
      .map((l) => ({ topic: l.step.topic, partition: l.step.partition, records: l.offsets.length }))
    return {
      blocks: [],
      applied,
      failed,
      undo: { created, written },
      data: {
        created,
        written: landed.map((l) => ({
          source: l.step.source,
          topic: l.step.topic,
          partition: l.step.partition,
          records: l.offsets.length,
          plain: l.step.plain,
          committed: l.step.committed,
          aborted: l.step.aborted,
          undecided: l.step.undecided,
          hanging: l.step.hanging.length,
          first: l.offsets[0] ?? null,
          last: l.offsets.at(-1) ?? null,
        })),
        alreadyThere: plan.present,
      },
    }
  },
  async verify(ctx, plan) {
    // Every salvaged record must be in its target exactly once, byte for byte: read each target again from where
    // a copy can first sit, and match by original coordinates; a duplicate is reported, never hidden.
    const contents = await readSalvaged(ctx)
    const rows: (string | number)[][] = []
    const duplicates: { step: PresentStep; offset: bigint; at: readonly bigint[] }[] = []
    let ok = true
    for (const step of plan.steps) {
      const originals = stepRecords(contents, step)
      const read = await readSalvageCopies(ctx.kafka, { topic: step.topic, partition: step.partition }, earliestCopyTimestamp(originals))
      if ('error' in read) {
        ok = false
        rows.push([partitionName(step.source), `${step.topic}:${step.partition}`, formatCount(originals.length), '—', '—', read.error])
        continue
      }
      const found = presenceOf(originals, step.source, read.copies)
      const keeps = plan.topics.find((t) => t.topic === step.topic)?.timestampType !== 'LogAppendTime'
      const copyAt = new Map(read.copies.map((c) => [c.at, c.record]))
      const differ = [...found.once.map((o) => ({ record: o.record, at: [o.at] })), ...found.duplicated].filter(
        (f) => !f.at.every((at) => isSalvagedCopy(copyAt.get(at)!, f.record, step.source, keeps)),
      )
      // Duplicates the plan already saw came from an earlier run; a new one would be this run's and fails it.
      const known = new Set(step.duplicated.map((d) => d.offset))
      const fresh = found.duplicated.filter((d) => !known.has(d.record.offset))
      duplicates.push(...found.duplicated.map((d) => ({ step, offset: d.record.offset, at: d.at })))
      ok &&= found.missing.length === 0 && differ.length === 0 && fresh.length === 0
      rows.push([
        partitionName(step.source),
        `${step.topic}:${step.partition}`,
        formatCount(originals.length),
        formatCount(found.once.length),
        found.duplicated.length ? formatCount(found.duplicated.length) : '—',
        [
          found.missing.length ? `${formatCount(found.missing.length)} missing (first at original offset ${found.missing[0]!.offset})` : '',
          differ.length ? `${formatCount(differ.length)} differ from the salvaged record` : '',
        ]
          .filter(Boolean)
          .join('; ') || 'all there, byte for byte',
      ])
    }
    const topics = plan.topics.map((t) => t.topic)
    return {
      ok,
      blocks: [
        table(['From', 'To', 'Salvaged', 'Exactly once', 'More than once', 'Read back'], rows, { title: 'Read back' }),
        ...(duplicates.length
          ? [
              notice(
                'warn',
                `${counted(duplicates.length, 'salvaged record')} ${duplicates.length === 1 ? 'is' : 'are'} in the target more than once: ${fewNames(
                  duplicates.map((d) => `${partitionName(d.step.source)} offset ${d.offset} at ${d.step.topic}:${d.step.partition} offsets ${d.at.join(', ')}`),
                  3,
                )}.`,
              ),
            ]
          : []),
        ok
          ? notice('ok', `Every salvaged record is in ${fewNames(topics)}, byte for byte, with its provenance headers.`)
          : notice(
              'danger',
              `Some copies are missing, differ, or were written twice: look at ${fewNames(topics)} before anything else (the salvage files stay where they are).`,
            ),
        code(
          `kafka-console-consumer --bootstrap-server "$KAFKA_BOOTSTRAP_SERVERS" --topic ${topics[0]} --from-beginning --property print.headers=true --property print.offset=true`,
          'sh',
        ),
      ],
      data: {
        verified: rows.map((r) => ({ from: r[0], to: r[1], salvaged: r[2], exactlyOnce: r[3], moreThanOnce: r[4], readBack: r[5] })),
        duplicates: duplicates.map((d) => ({ source: d.step.source, offset: d.offset, at: d.at })),
      },
    }
  },
  undoRecord: (plan) => ({
    created: plan.topics.filter((t) => t.create).map((t) => t.topic),
    written: plan.steps
      .filter((s) => !plan.topics.find((t) => t.topic === s.topic)!.create)
      .map((s) => ({ topic: s.topic, partition: s.partition, records: s.records })),
  }),
  undo: {
    describe: (record) => [
      ...(record.created.length
        ? [
            table(
              ['Topic'],
              record.created.map((t) => [t]),
              { title: 'Delete the salvage topics this run created' },
            ),
          ]
        : []),
      ...(record.written.length
        ? [
            notice(
              'warn',
              `Records written into ${fewNames(record.written.map((w) => `${w.topic}:${w.partition} (${formatCount(w.records)})`))} stay: Kafka cannot delete records from the middle of a partition, and consumers may have read them.`,
            ),
          ]
        : []),
      notice('info', 'The salvage files stay in the session folder.'),
    ],
    summary: (record) => (record.created.length ? `delete ${fewNames(record.created)}` : 'nothing to delete: the copies stay in the existing topic'),
    confirm: (record) =>
      record.created.length
        ? {
            kind: 'typed',
            expected: record.created.join(','),
            prompt: `Type "${record.created.join(',')}" to delete ${counted(record.created.length, 'topic')} and every record in ${record.created.length === 1 ? 'it' : 'them'}`,
          }
        : { kind: 'yes-no', prompt: 'Nothing to delete. Close this undo record?' },
    async recheck(ctx, record) {
      const present = await readExistingTopics(ctx.kafka, record.created)
      return record.created.flatMap((t) => (present.has(t) ? [] : [{ what: `topic ${t}`, planned: 'exists', now: 'does not exist' }]))
    },
    async apply(ctx, record) {
      const results = record.created.length ? await ctx.kafka.deleteTopics(record.created) : []
      return {
        blocks: [],
        applied: results.filter((r) => !r.error).map((r) => `delete topic ${r.topic}`),
        failed: results.filter((r) => r.error).map((r) => ({ item: `delete ${r.topic}`, error: `${r.error!.name}: ${r.error!.message}` })),
      }
    },
    async verify(ctx, record) {
      const left = [...(await readExistingTopics(ctx.kafka, record.created))]
      return {
        ok: left.length === 0,
        blocks: [left.length === 0 ? notice('ok', `${fewNames(record.created) || 'Nothing'} deleted.`) : notice('danger', `Still there: ${fewNames(left)}.`)],
      }
    },
  },
})
