// Lowering min.insync.replicas on the failing topics (IncrementalAlterConfigs, validate-only first, after
// re-checking the ISR and configs the plan relied on), reading it back, and the exact way back: the undo record
// for `runbook undo`, and the revert this runbook offers once the ISR has recovered.

import { agree, type Block, counted, facts, formatCount, markdown, notice, table } from '../../../lib/engine/blocks.ts'
import { type ApplyResult, type Drift, ifChosen, Refusal, type UndoSpec, type VerifyResult } from '../../../lib/engine/runbook.ts'
import type { KafkaOps } from '../../../lib/kafka/types.ts'
import { planIsrFindings } from '../../../lib/plans/isr-findings.ts'
import {
  compareTopicConfig,
  type ConfigDifference,
  describeMinIsrFault,
  isMinIsrFault,
  type MinIsrChangePlan,
  minIsrRevertRecord,
  type MinIsrRevertRecord,
  restoreOp,
  type TopicMinIsr,
  planMinIsrChange,
} from '../../../lib/plans/min-isr-change.ts'
import { readMinIsr, readReplicationSnapshot, readTopicStates } from '../../../lib/reads/replication.ts'
import { decideCell, revertDecideCell } from '../decide.ts'
import { bootstrapPlaceholder, nb } from '../notebook.ts'
import { copies } from '../text.ts'

const list = (ids: readonly number[] | null) => (ids === null ? '—' : ids.length ? ids.join(',') : '—')

/** Reads back until the configs match (brokers apply a committed change a moment later), at most ~10 s. */
async function settle(
  kafka: KafkaOps,
  sleep: (ms: number) => Promise<void>,
  check: (found: TopicMinIsr[]) => ConfigDifference[],
  topics: readonly string[],
): Promise<ConfigDifference[]> {
  let differences: ConfigDifference[] = []
  for (let attempt = 0; attempt < 20; attempt++) {
    differences = check(await readMinIsr(kafka, topics))
    if (differences.length === 0) return []
    await sleep(500)
  }
  return differences
}

function differenceTable(differences: readonly ConfigDifference[], title: string): Block {
  return table(
    ['Topic', 'Config', 'Expected', 'Read back'],
    differences.map((d) => [d.topic, d.what, d.expected, d.found]),
    { title },
  )
}

async function applyOps(
  kafka: KafkaOps,
  changes: Parameters<KafkaOps['incrementalAlterConfigs']>[0],
): Promise<{ applied: string[]; failed: { item: string; error: string }[] }> {
  // Kafka checks the whole change first (validate-only); nothing is written unless every topic passes.
  const validation = await kafka.incrementalAlterConfigs(changes, { validateOnly: true })
  const refused = validation.filter((r) => r.error)
  const name = (r: { resource: { type: string } & ({ name: string } | object) }) => ('name' in r.resource ? r.resource.name : r.resource.type)
  if (refused.length > 0)
    return { applied: [], failed: refused.map((r) => ({ item: name(r), error: `${r.error!.name}: ${r.error!.message} (validate-only; nothing was changed)` })) }
  const results = await kafka.incrementalAlterConfigs(changes, { validateOnly: false })
  return {
    applied: results.filter((r) => !r.error).map(name),
    failed: results.filter((r) => r.error).map((r) => ({ item: name(r), error: `${r.error!.name}: ${r.error!.message}` })),
  }
}

function previewBlocks(plan: MinIsrChangePlan, elrOn: boolean): Block[] {
  const rows = plan.topics.flatMap((t) =>
    t.partitions.map((p) => [
      `${t.topic}/${p.partition}`,
      list(p.isr),
      list(p.elr),
      `${t.previous.value ?? '?'} → ${plan.value}`,
      p.writesBefore === 'failing' ? 'REFUSED' : p.writesBefore,
      p.writesAfter === 'failing' ? 'still REFUSED' : p.writesAfter === 'no-leader' ? 'no leader' : `accepted, ${counted(p.isr.length, 'copy', 'copies')}`,
    ]),
  )
  const blocks: Block[] = [
    table(['Partition', 'ISR', 'ELR', 'min.insync.replicas', 'acks=all now', 'after'], rows.slice(0, 60), {
      title: `Set min.insync.replicas=${plan.value}`,
      footer: `${counted(rows.length, 'partition')} of ${counted(plan.totals.topics, 'topic')}`,
    }),
    facts(
      [
        [
          'Writes restored',
          `${formatCount(plan.totals.restored)} of ${formatCount(plan.totals.failingBefore)} refusing partitions${plan.totals.stillFailing ? ` (${plan.totals.stillFailing} still refused)` : ''}`,
        ],
        [
          'Durability meanwhile',
          `acks=all is acknowledged by ${copies(plan.value)} where the ISR is that small — ${counted(plan.totals.singleCopy, 'partition')} on a single copy now`,
        ],
        ['Value', plan.valueChosen === 'given' ? 'as given' : 'the highest value that lets every refusing partition take writes'],
        [
          'Producers',
          'each producer’s next request is accepted; a request waiting since before the shrink is released only by a newer write or its own timeout (30 s by default)',
        ],
        [
          'Kept as they are',
          plan.topics
            .map(
              (t) =>
                `${t.topic}: ${
                  Object.entries(t.otherOverrides)
                    .map(([k, v]) => `${k}=${v}`)
                    .join(', ') || 'no other override'
                }`,
            )
            .join('; '),
        ],
        [
          'Revert',
          `once every partition has ${Object.entries(plan.revertWhenIsrAtLeast)
            .map(([t, n]) => `${n} in sync (${t})`)
            .join(', ')}: this runbook watches for it and offers it; or runbook undo <session>`,
        ],
      ],
      'What it does',
    ),
  ]
  const cleared = plan.topics.flatMap((t) => t.elrCleared.map((e) => `${t.topic}/${e.partition} [${e.brokers.join(',')}]`))
  if (elrOn && cleared.length > 0) {
    blocks.push(
      notice(
        'warn',
        `ELR is on: changing min.insync.replicas empties the ELR of ${counted(cleared.length, 'partition')} (${cleared.slice(0, 4).join('; ')}${cleared.length > 4 ? '; …' : ''}). Those replicas stop being clean candidates if the leader fails, until they rejoin the ISR.`,
      ),
    )
  }
  for (const warning of plan.warnings) blocks.push(notice('warn', warning))
  blocks.push(
    markdown(
      `The same change by hand, and its revert:\n\n\`\`\`sh\n${plan.kafkaCommands.apply.join('\n')}\n# revert:\n${plan.kafkaCommands.revert.join('\n')}\n\`\`\``,
    ),
  )
  return blocks
}

/** What restoring means for each topic: set the override back, or delete ours to inherit again. */
function restoreTable(record: MinIsrRevertRecord, title: string): Block {
  return table(
    ['Topic', 'Now', 'Restore to', 'How'],
    record.topics.map((t) => [
      t.topic,
      String(record.value),
      `${t.previous.value ?? '?'} (${t.previous.source ?? 'unknown'})`,
      t.previous.override ? 'set the topic override back' : 'delete the override (inherit again)',
    ]),
    { title },
  )
}

async function restoreRecord(kafka: KafkaOps, record: MinIsrRevertRecord): Promise<ApplyResult<never>> {
  const { applied, failed } = await applyOps(
    kafka,
    record.topics.map((t) => ({ resource: { type: 'topic' as const, name: t.topic }, ops: [restoreOp(t.previous)] })),
  )
  return {
    blocks: [
      failed.length
        ? notice('danger', `${counted(failed.length, 'topic')} not restored: ${failed[0]!.error}`)
        : notice('ok', `Restored min.insync.replicas on ${counted(applied.length, 'topic')}.`),
    ],
    applied,
    failed,
  }
}

async function verifyRestored(kafka: KafkaOps, sleep: (ms: number) => Promise<void>, record: MinIsrRevertRecord): Promise<VerifyResult> {
  const expected = new Map(record.topics.map((t) => [t.topic, t]))
  const differences = await settle(
    kafka,
    sleep,
    (found) =>
      found.flatMap((f) =>
        compareTopicConfig(
          {
            topic: f.topic,
            value: expected.get(f.topic)!.previous.value,
            source: expected.get(f.topic)!.previous.source,
            otherOverrides: expected.get(f.topic)!.otherOverrides,
          },
          f,
        ),
      ),
    record.topics.map((t) => t.topic),
  )
  const states = await readTopicStates(
    kafka,
    record.topics.map((t) => t.topic),
  )
  const minOf = (topic: string) => Number(expected.get(topic)!.previous.value ?? '1')
  const refused = states.flatMap((s) => s.partitions.filter((p) => p.leader !== null && p.isr.length < Math.min(minOf(s.topic), p.replicas.length)))
  const blocks: Block[] = differences.length
    ? [differenceTable(differences, 'Read back after the restore')]
    : [notice('ok', 'Read back: min.insync.replicas is as it was before the change (value and source), and every other override is untouched.')]
  if (refused.length > 0)
    blocks.push(
      notice(
        'warn',
        `${counted(refused.length, 'partition')} ${agree(refused.length, 'refuses', 'refuse')} acks=all writes again at the restored value (ISR still too small), e.g. ${refused[0]!.topic}/${refused[0]!.partition} ISR [${refused[0]!.isr.join(',')}].`,
      ),
    )
  return { ok: differences.length === 0, blocks, data: { differences, refusedAgain: refused.map((p) => `${p.topic}/${p.partition}`) } }
}

/** Drift for a revert: the topic must still carry exactly the value the change set. */
async function loweredDrifts(kafka: KafkaOps, record: MinIsrRevertRecord): Promise<Drift[]> {
  const found = await readMinIsr(
    kafka,
    record.topics.map((t) => t.topic),
  )
  return found
    .filter((f) => !f.exists || f.value !== String(record.value) || f.source !== 'dynamic-topic')
    .map((f) => ({
      what: `min.insync.replicas of ${f.topic}`,
      planned: `${record.value} (dynamic-topic, set by this runbook)`,
      now: f.exists ? `${f.value ?? '?'} (${f.source ?? 'unknown'})` : 'topic gone',
    }))
}

export const minIsrUndo: UndoSpec<MinIsrRevertRecord> = {
  describe: (record) => [restoreTable(record, 'Restore min.insync.replicas')],
  summary: (record) =>
    `restore min.insync.replicas on ${record.topics.map((t) => `${t.topic} (${t.previous.override ? t.previous.value : 'inherited'})`).join(', ')}`,
  confirm: (record) => ({
    kind: 'yes-no',
    prompt: `Restore min.insync.replicas on ${counted(record.topics.length, 'topic')}? acks=all writes are refused again wherever the ISR is still smaller`,
  }),
  recheck: (ctx, record) => loweredDrifts(ctx.kafka, record),
  apply: (ctx, record) => restoreRecord(ctx.kafka, record),
  verify: (ctx, record) => verifyRestored(ctx.kafka, ctx.sleep, record),
}

export const lowerCell = nb.action<MinIsrChangePlan, MinIsrRevertRecord>({
  id: 'lower-min-isr',
  title: 'Lower min.insync.replicas',
  doc: 'Plans the new min.insync.replicas for the failing topics (or --set topics=…, --set value=…), shows per partition what acks=all gets before and after, the copies it then means, the ELR it clears (4.x) and the revert; re-checks the ISR and configs; applies through IncrementalAlterConfigs (validate-only first; no other override is touched); reads the config back; writes an undo record that restores the exact previous value and source.',
  ...ifChosen(decideCell, ['lower-min-isr'], 'another action was chosen'),
  async plan(ctx) {
    const { snapshot } = await readReplicationSnapshot(ctx.kafka, { nowMs: ctx.now() })
    const findings = planIsrFindings(snapshot)
    // Not asked for: without them the plan takes every failing topic and the value that restores all their
    // writes, and the preview (then the typed confirmation) shows exactly what that is.
    const named = ctx.given('topics') ?? null
    const candidates = named ?? [...new Set(findings.failing.filter((p) => !p.internal).map((p) => p.topic))]
    const plan = planMinIsrChange(
      findings,
      await readMinIsr(ctx.kafka, candidates),
      { topics: named, value: ctx.given('value') ?? null },
      snapshot.elr,
      bootstrapPlaceholder,
    )
    if (isMinIsrFault(plan)) throw new Refusal(describeMinIsrFault(plan))
    return plan
  },
  preview: (plan, ctx) => previewBlocks(plan, ctx.state.snapshot?.elr === 'on'),
  summary: (plan) =>
    `set min.insync.replicas=${plan.value} on ${plan.topics.map((t) => t.topic).join(', ')}: acks=all writes resume on ${counted(plan.totals.restored, 'partition')}, acknowledged by ${copies(plan.value)} until the ISR is back`,
  confirm: (plan) => ({
    kind: 'typed',
    expected: String(plan.value),
    prompt: `Type ${plan.value} to let acks=all writes on ${counted(plan.topics.length, 'topic')} be acknowledged by ${copies(plan.value)}`,
  }),
  async recheck(ctx, plan) {
    const topics = plan.topics.map((t) => t.topic)
    const [states, configs] = await Promise.all([readTopicStates(ctx.kafka, topics), readMinIsr(ctx.kafka, topics)])
    const drifts: Drift[] = []
    for (const t of plan.topics) {
      const state = states.find((s) => s.topic === t.topic)
      for (const p of t.partitions) {
        const now = state?.partitions.find((x) => x.partition === p.partition)
        const isrNow = now ? [...now.isr].sort((a, b) => a - b).join(',') : 'gone'
        if (isrNow !== [...p.isr].sort((a, b) => a - b).join(','))
          drifts.push({ what: `ISR of ${t.topic}/${p.partition}`, planned: `[${p.isr.join(',')}]`, now: `[${isrNow}]` })
      }
      const config = configs.find((c) => c.topic === t.topic)!
      for (const d of compareTopicConfig({ topic: t.topic, value: t.previous.value, source: t.previous.source, otherOverrides: t.otherOverrides }, config)) {
        drifts.push({ what: `${d.what} of ${t.topic}`, planned: d.expected, now: d.found })
      }
    }
    return drifts
  },
  async apply(ctx, plan) {
    const { applied, failed } = await applyOps(
      ctx.kafka,
      plan.topics.map((t) => ({
        resource: { type: 'topic' as const, name: t.topic },
        ops: [{ name: 'min.insync.replicas', op: 'set' as const, value: String(plan.value) }],
      })),
    )
    const record = minIsrRevertRecord(plan)
    const undo: MinIsrRevertRecord = { value: record.value, topics: record.topics.filter((t) => applied.includes(t.topic)) }
    if (applied.length > 0) ctx.state.lowered = { record: undo, atMs: ctx.now() }
    return {
      blocks: [
        failed.length
          ? notice('danger', `${failed.length} of ${counted(plan.topics.length, 'topic')} not changed: ${failed[0]!.error}`)
          : notice('ok', `min.insync.replicas=${plan.value} set on ${applied.join(', ')}.`),
      ],
      applied: applied.map((t) => `${t}: min.insync.replicas → ${plan.value}`),
      failed,
      undo,
      data: { loweredAtMs: ctx.now() },
    }
  },
  async verify(ctx, plan, applied) {
    const topics = (applied.undo ?? { topics: [] }).topics
    const expected = new Map(plan.topics.map((t) => [t.topic, t]))
    const differences = await settle(
      ctx.kafka,
      ctx.sleep,
      (found) =>
        found.flatMap((f) =>
          compareTopicConfig({ topic: f.topic, value: String(plan.value), source: 'dynamic-topic', otherOverrides: expected.get(f.topic)!.otherOverrides }, f),
        ),
      topics.map((t) => t.topic),
    )
    // Writes come back at once; on 4.x the controller also empties the topics' ELR (measured within 31 ms).
    let states = await readTopicStates(
      ctx.kafka,
      topics.map((t) => t.topic),
    )
    for (let attempt = 0; attempt < 20 && states.some((s) => s.partitions.some((p) => (p.elr ?? []).length > 0)); attempt++) {
      await ctx.sleep(250)
      states = await readTopicStates(
        ctx.kafka,
        topics.map((t) => t.topic),
      )
    }
    const rows = states.flatMap((s) =>
      s.partitions.map((p) => [
        `${s.topic}/${p.partition}`,
        list(p.isr),
        list(p.elr),
        p.isr.length >= Math.min(plan.value, p.replicas.length) && p.leader !== null ? 'accepted' : 'still REFUSED',
      ]),
    )
    const blocks: Block[] = [
      differences.length
        ? differenceTable(differences, 'Read back: not as planned')
        : notice(
            'ok',
            `Read back: min.insync.replicas=${plan.value} (topic override) on ${topics.map((t) => t.topic).join(', ')}; every other override untouched.`,
          ),
      table(['Partition', 'ISR', 'ELR', 'acks=all'], rows.slice(0, 60), { title: 'After the change' }),
    ]
    return { ok: differences.length === 0, blocks, data: { differences } }
  },
  undoRecord: (plan) => minIsrRevertRecord(plan),
  undo: minIsrUndo,
})

export const revertCell = nb.action<{ record: MinIsrRevertRecord }, never>({
  id: 'revert-min-isr',
  title: 'Restore min.insync.replicas',
  doc: 'Re-checks that the topics still carry the value this run set, restores the exact previous value and source (sets the override back, or deletes it so the topic inherits again) through IncrementalAlterConfigs, reads it back, and closes the undo record of the change.',
  ...ifChosen(revertDecideCell, ['now'], 'not now'),
  reverts: 'lower-min-isr',
  plan: async (ctx) => {
    const record = ctx.state.lowered?.record
    if (!record) throw new Refusal('this run did not lower min.insync.replicas; nothing to restore; nothing changed')
    return { record }
  },
  preview: (plan) => [restoreTable(plan.record, 'Restore min.insync.replicas')],
  summary: (plan) => minIsrUndo.summary(plan.record),
  confirm: (plan) => ({ kind: 'yes-no', prompt: `Restore min.insync.replicas on ${plan.record.topics.map((t) => t.topic).join(', ')}?` }),
  recheck: (ctx, plan) => loweredDrifts(ctx.kafka, plan.record),
  apply: (ctx, plan) => restoreRecord(ctx.kafka, plan.record),
  verify: (ctx, plan) => verifyRestored(ctx.kafka, ctx.sleep, plan.record),
})
