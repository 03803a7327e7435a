// A ready-made action cell: change topic settings through IncrementalAlterConfigs (validate-only first), with
// preview, re-check, read-back verification, and an undo that restores each setting's previous value AND
// source (an inherited value comes back by removing the override, not by pinning today's value).

import { type Block, counted, notice, table } from '../engine/blocks.ts'
import type { ParamSpecs } from '../engine/params.ts'
import type { ActionCell, ApplyResult, Confirmation, Drift, Notebook, RunContext, UndoContext, VerifyResult } from '../engine/runbook.ts'
import { Refusal } from '../engine/runbook.ts'
import type { KafkaOps } from '../kafka/types.ts'
import { readTopicSettings, type Setting, settingOf } from '../reads/topic-settings.ts'

/** One setting to change: a value to set, or null to remove the topic's own override. */
export interface ConfigTarget {
  readonly topic: string
  readonly name: string
  readonly value: string | null
}

/** A setting's value and where it comes from, as a change records it (before) and restores it. */
export type SettingState = Pick<Setting, 'value' | 'source'>

export interface ConfigChange {
  readonly topic: string
  readonly name: string
  readonly before: SettingState
  /** null: remove the override. */
  readonly after: string | null
}

export interface ConfigChangePlan<F = unknown> {
  readonly changes: readonly ConfigChange[]
  /** What the runbook priced with the change (partitions that would refuse writes, ...): part of the approved plan. */
  readonly facts?: F
}

const shown = (state: SettingState) => `${state.value ?? 'unset'}${state.source === 'dynamic-topic' ? '' : ` (inherited: ${state.source})`}`
const afterText = (change: ConfigChange) => (change.after === null ? 'inherited (override removed)' : change.after)

/** The changed settings as they are now, by "topic/name"; a topic that cannot be read stops the run. */
async function currentSettings(kafka: KafkaOps, changes: readonly { topic: string; name: string }[]): Promise<Map<string, SettingState>> {
  const topics = await readTopicSettings(
    kafka,
    changes.map((c) => c.topic),
    [...new Set(changes.map((c) => c.name))],
  )
  const unreadable = topics.find((t) => !t.exists)
  if (unreadable) throw new Refusal(`cannot read the settings of topic ${unreadable.topic}: ${unreadable.error!.message} — check the name; nothing changed`)
  const byTopic = new Map(topics.map((t) => [t.topic, t]))
  return new Map(
    changes.map((c) => {
      const { value, source } = settingOf(byTopic.get(c.topic), c.name)
      return [`${c.topic}/${c.name}`, { value, source }] as const
    }),
  )
}

async function alter(kafka: KafkaOps, changes: readonly { topic: string; name: string; value: string | null }[], validateOnly: boolean) {
  const byTopic = new Map<string, { name: string; value: string | null }[]>()
  for (const change of changes) byTopic.set(change.topic, [...(byTopic.get(change.topic) ?? []), change])
  const results = await kafka.incrementalAlterConfigs(
    [...byTopic].map(([topic, ops]) => ({
      resource: { type: 'topic' as const, name: topic },
      ops: ops.map((op) => (op.value === null ? { name: op.name, op: 'delete' as const } : { name: op.name, op: 'set' as const, value: op.value })),
    })),
    { validateOnly },
  )
  return results.map((r) => ({ topic: r.resource.type === 'topic' ? r.resource.name : '?', error: r.error }))
}

function restoreOps(plan: ConfigChangePlan) {
  return plan.changes.map((c) => ({ topic: c.topic, name: c.name, value: c.before.source === 'dynamic-topic' ? c.before.value : null }))
}

/** A setting whose value or source moved since the plan (an override that appeared with the same value changes what undo restores). */
async function drifts(kafka: KafkaOps, changes: readonly ConfigChange[]): Promise<Drift[]> {
  const now = await currentSettings(kafka, changes)
  return changes.flatMap((c) => {
    const state = now.get(`${c.topic}/${c.name}`)
    const same = state !== undefined && state.value === c.before.value && state.source === c.before.source
    return same ? [] : [{ what: `${c.name} of ${c.topic}`, planned: shown(c.before), now: state ? shown(state) : 'unreadable' }]
  })
}

/**
 * Polls until every change reads back (bounded: brokers apply a config record a moment after the controller
 * accepted it, so one read right after the write can still see the old value). Returns what still differs.
 */
async function settled(
  kafka: KafkaOps,
  changes: readonly ConfigChange[],
  matches: (c: ConfigChange, state: SettingState | undefined) => boolean,
  sleep: (ms: number) => Promise<void>,
): Promise<ConfigChange[]> {
  let wrong: ConfigChange[] = []
  for (let attempt = 0; attempt < 20; attempt++) {
    const now = await currentSettings(kafka, changes)
    wrong = changes.filter((c) => !matches(c, now.get(`${c.topic}/${c.name}`)))
    if (wrong.length === 0) break
    await sleep(250)
  }
  return wrong
}

/** What differs from how the change left each setting: a set value, or an override that was removed. */
async function changedSince(kafka: KafkaOps, changes: readonly ConfigChange[]): Promise<Drift[]> {
  const now = await currentSettings(kafka, changes)
  return changes.flatMap((c) => {
    const state = now.get(`${c.topic}/${c.name}`)
    const intact = c.after === null ? state?.source !== 'dynamic-topic' : state?.value === c.after && state.source === 'dynamic-topic'
    return intact ? [] : [{ what: `${c.name} of ${c.topic}`, planned: afterText(c), now: state ? shown(state) : 'unreadable' }]
  })
}

/**
 * Builds the action cell; `targets` says what to change, from the run's answers. A runbook that prices the
 * change returns `{ targets, facts }` and gives its own preview, summary and confirmation of the plan, and
 * `recheckMore` re-reads the facts the plan relied on beyond the settings themselves.
 */
export function topicConfigChange<S, P extends ParamSpecs, F = unknown>(
  nb: Notebook<S, P>,
  options: TopicConfigChangeOptions<S, P, F>,
): ActionCell<S, P, ConfigChangePlan<F>, ConfigChangePlan>
export function topicConfigChange<S, P extends ParamSpecs, F = unknown>(
  options: TopicConfigChangeOptions<S, P, F>,
): ActionCell<S, P, ConfigChangePlan<F>, ConfigChangePlan>
export function topicConfigChange<S, P extends ParamSpecs, F = unknown>(
  first: Notebook<S, P> | TopicConfigChangeOptions<S, P, F>,
  second?: TopicConfigChangeOptions<S, P, F>,
): ActionCell<S, P, ConfigChangePlan<F>, ConfigChangePlan> {
  const options = second ?? (first as TopicConfigChangeOptions<S, P, F>)
  return configChangeCell(options)
}

/** What a topic config change cell is told: what to change (from the run's answers), and optionally how to show it. */
export interface TopicConfigChangeOptions<S, P extends ParamSpecs, F = unknown> {
  readonly id: string
  readonly title: string
  readonly doc: string
  readonly when?: ActionCell<S, P, ConfigChangePlan<F>, ConfigChangePlan>['when']
  readonly whenDoc?: string
  readonly targets: (ctx: RunContext<S, P>) => Promise<readonly ConfigTarget[] | { readonly targets: readonly ConfigTarget[]; readonly facts: F }>
  readonly preview?: (plan: ConfigChangePlan<F>) => readonly Block[]
  readonly summary?: (plan: ConfigChangePlan<F>) => string
  readonly confirm?: (plan: ConfigChangePlan<F>) => Confirmation
  readonly recheckMore?: (ctx: RunContext<S, P>, plan: ConfigChangePlan<F>) => Promise<readonly Drift[]>
  /** What putting the settings back would cost now (records a restored retention deletes): before the undo's confirmation. */
  readonly restoreCost?: RestoreCost
  /** Told what was applied (the undo record), for a later cell of the run that takes it back. */
  readonly onApplied?: (ctx: RunContext<S, P>, applied: ConfigChangePlan) => void
}

/** Reads what restoring these settings would cost now, as blocks shown before the confirmation. */
export type RestoreCost = (ctx: Pick<UndoContext, 'kafka' | 'now'>, changes: readonly ConfigChange[]) => Promise<readonly Block[]>

function configChangeCell<S, P extends ParamSpecs, F>(options: TopicConfigChangeOptions<S, P, F>): ActionCell<S, P, ConfigChangePlan<F>, ConfigChangePlan> {
  const preview = (plan: ConfigChangePlan<F>): readonly Block[] => [
    table(
      ['Topic', 'Setting', 'Now', 'After'],
      plan.changes.map((c) => [c.topic, c.name, shown(c.before), afterText(c)]),
      { footer: 'Every other setting of these topics stays as it is (IncrementalAlterConfigs).' },
    ),
  ]
  const summary = (plan: ConfigChangePlan<F>) =>
    `change ${counted(plan.changes.length, 'topic setting')} (${[...new Set(plan.changes.map((c) => c.name))].join(', ')}) on ${[...new Set(plan.changes.map((c) => c.topic))].join(', ')}`
  const confirm = (plan: ConfigChangePlan<F>): Confirmation => {
    const topics = [...new Set(plan.changes.map((c) => c.topic))]
    return topics.length === 1
      ? { kind: 'typed', expected: topics[0]!, prompt: `Change ${plan.changes.length === 1 ? plan.changes[0]!.name : 'these settings'} of topic ${topics[0]}?` }
      : { kind: 'typed', expected: String(topics.length), prompt: `Change settings of ${topics.length} topics?` }
  }
  return {
    kind: 'action',
    id: options.id,
    title: options.title,
    doc: options.doc,
    ...(options.when ? { when: options.when } : {}),
    ...(options.whenDoc ? { whenDoc: options.whenDoc } : {}),
    async plan(ctx) {
      const asked = await options.targets(ctx)
      const { targets, facts } = Array.isArray(asked)
        ? { targets: asked as readonly ConfigTarget[], facts: undefined }
        : (asked as { targets: readonly ConfigTarget[]; facts: F })
      if (targets.length === 0) throw new Refusal('nothing to change — no topic settings were named; nothing changed')
      const before = await currentSettings(ctx.kafka, targets)
      const changes = targets.map((t) => ({ topic: t.topic, name: t.name, before: before.get(`${t.topic}/${t.name}`)!, after: t.value }))
      const rejected = (
        await alter(
          ctx.kafka,
          changes.map((c) => ({ topic: c.topic, name: c.name, value: c.after })),
          true,
        )
      ).find((r) => r.error)
      if (rejected) throw new Refusal(`Kafka rejects the change to ${rejected.topic}: ${rejected.error!.message}; nothing changed`)
      return facts === undefined ? { changes } : { changes, facts }
    },
    preview: options.preview ?? preview,
    summary: options.summary ?? summary,
    confirm: options.confirm ?? confirm,
    recheck: async (ctx, plan) => [...(await drifts(ctx.kafka, plan.changes)), ...(options.recheckMore ? await options.recheckMore(ctx, plan) : [])],
    async apply(ctx, plan) {
      const results = await alter(
        ctx.kafka,
        plan.changes.map((c) => ({ topic: c.topic, name: c.name, value: c.after })),
        false,
      )
      const failed = results.filter((r) => r.error).map((r) => ({ item: r.topic, error: r.error!.message }))
      const appliedTopics = new Set(results.filter((r) => !r.error).map((r) => r.topic))
      const applied = plan.changes.filter((c) => appliedTopics.has(c.topic))
      if (applied.length > 0) options.onApplied?.(ctx, { changes: applied })
      return {
        blocks: failed.length
          ? [notice('danger', `Not applied on ${failed.map((f) => `${f.item} (${f.error})`).join(', ')}.`)]
          : [notice('ok', `Changed ${counted(applied.length, 'setting')}.`)],
        applied: applied.map((c) => `${c.topic} ${c.name}`),
        failed,
        undo: { changes: applied },
      }
    },
    async verify(ctx, plan, applied) {
      const done = (applied.undo as ConfigChangePlan | undefined)?.changes ?? plan.changes
      // A removed override reads back as whatever the topic now inherits, so only its source is checked.
      const wrong = await settled(
        ctx.kafka,
        done,
        (c, state) => (c.after === null ? state?.source !== 'dynamic-topic' : state?.value === c.after && state.source === 'dynamic-topic'),
        ctx.sleep,
      )
      return {
        ok: wrong.length === 0,
        blocks: [
          wrong.length === 0
            ? notice('ok', 'Read back: every change is in place.')
            : notice('danger', `Did not read back: ${wrong.map((c) => `${c.name} of ${c.topic}`).join(', ')}.`),
        ],
      }
    },
    // The undo needs the settings only: the runbook's priced facts are not part of what is restored.
    undoRecord: (plan) => ({ changes: plan.changes }),
    undo: {
      describe: (record) => [restoreTable(record.changes)],
      summary: (record) => `restore ${counted(record.changes.length, 'topic setting')} to their previous values and sources`,
      confirm: (record) => ({ kind: 'yes-no', prompt: `Restore ${counted(record.changes.length, 'setting')}?` }),
      ...(options.restoreCost ? { assess: (ctx: UndoContext, record: ConfigChangePlan) => options.restoreCost!(ctx, record.changes) } : {}),
      recheck: (ctx: UndoContext, record) => changedSince(ctx.kafka, record.changes),
      apply: (ctx, record) => restore(ctx.kafka, record.changes),
      verify: (ctx, record) => verifyRestored(ctx.kafka, record.changes, ctx.sleep),
    },
  }
}

function restoreTable(changes: readonly ConfigChange[]): Block {
  return table(
    ['Topic', 'Setting', 'Now', 'Restore to'],
    changes.map((c) => [
      c.topic,
      c.name,
      afterText(c),
      c.before.source === 'dynamic-topic' ? (c.before.value ?? 'unset') : `inherited (remove the override; was ${c.before.value ?? 'unset'})`,
    ]),
  )
}

async function restore(kafka: KafkaOps, changes: readonly ConfigChange[]): Promise<ApplyResult<never>> {
  const results = await alter(kafka, restoreOps({ changes }), false)
  const failed = results.filter((r) => r.error).map((r) => ({ item: r.topic, error: r.error!.message }))
  return {
    blocks: failed.length ? [notice('danger', `Not restored on ${failed.map((f) => `${f.item} (${f.error})`).join(', ')}.`)] : [],
    applied: results.filter((r) => !r.error).map((r) => r.topic),
    failed,
  }
}

async function verifyRestored(kafka: KafkaOps, changes: readonly ConfigChange[], sleep: (ms: number) => Promise<void>): Promise<VerifyResult> {
  const wrong = await settled(
    kafka,
    changes,
    (c, state) =>
      c.before.source === 'dynamic-topic' ? state?.value === c.before.value && state.source === 'dynamic-topic' : state?.source !== 'dynamic-topic',
    sleep,
  )
  return {
    ok: wrong.length === 0,
    blocks: wrong.length
      ? [notice('danger', `Not restored: ${wrong.map((c) => `${c.name} of ${c.topic}`).join(', ')}.`)]
      : [notice('ok', 'Every setting is back as it was, source included.')],
  }
}

/** The restore a revert cell applies: what the change set, and what putting it back costs now. */
export interface ConfigRevertPlan {
  readonly changes: readonly ConfigChange[]
  readonly cost: readonly Block[]
}

/** What a revert cell is told: which change of the run it takes back, and how to price the restore. */
export interface TopicConfigRevertOptions<S, P extends ParamSpecs> {
  readonly id: string
  readonly title: string
  readonly doc: string
  /** The id of the topic config change cell whose change this takes back (its undo record is closed after). */
  readonly reverts: string
  readonly when?: ActionCell<S, P, ConfigRevertPlan, undefined>['when']
  readonly whenDoc?: string
  /** What that cell applied (its onApplied record); undefined: nothing to put back. */
  readonly applied: (ctx: RunContext<S, P>) => ConfigChangePlan | undefined
  readonly restoreCost?: RestoreCost
}

/**
 * Takes a topic config change back within the run: the same restore as `runbook undo` (previous value and
 * source), previewed with what it costs now, re-checked against what the change left, read back.
 */
export function topicConfigRevert<S, P extends ParamSpecs>(
  _nb: Notebook<S, P>,
  options: TopicConfigRevertOptions<S, P>,
): ActionCell<S, P, ConfigRevertPlan, undefined> {
  return {
    kind: 'action',
    id: options.id,
    title: options.title,
    doc: options.doc,
    reverts: options.reverts,
    ...(options.when ? { when: options.when } : {}),
    ...(options.whenDoc ? { whenDoc: options.whenDoc } : {}),
    async plan(ctx) {
      const applied = options.applied(ctx)
      if (!applied || applied.changes.length === 0) throw new Refusal('this run changed no topic setting; nothing to put back; nothing changed')
      const cost = options.restoreCost ? await options.restoreCost(ctx, applied.changes) : []
      return { changes: applied.changes, cost }
    },
    preview: (plan) => [restoreTable(plan.changes), ...plan.cost],
    summary: (plan) =>
      `put back ${plan.changes.map((c) => `${c.name} of ${c.topic} (${c.after ?? 'inherited'} → ${c.before.source === 'dynamic-topic' ? c.before.value : 'inherited'})`).join(', ')}`,
    confirm: (plan) => ({
      kind: 'yes-no',
      prompt: `Put back ${counted(plan.changes.length, 'setting')} of ${[...new Set(plan.changes.map((c) => c.topic))].join(', ')}?`,
    }),
    recheck: (ctx, plan) => changedSince(ctx.kafka, plan.changes),
    apply: (ctx, plan) => restore(ctx.kafka, plan.changes),
    verify: (ctx, plan) => verifyRestored(ctx.kafka, plan.changes, ctx.sleep),
  }
}
