// What both setting fixes share: set one topic config per topic as an override (IncrementalAlterConfigs, so
// every other override stays), re-check that nothing moved since the plan, read the overrides back, and undo
// exactly: the previous override put back, or the new one deleted where the topic had none.

import { type Block, formatCount, notice, table } from '../../lib/engine/blocks.ts'
import type { ApplyResult, Drift, UndoSpec, VerifyResult } from '../../lib/engine/runbook.ts'
import type { ConfigEntry, KafkaOps } from '../../lib/kafka/types.ts'
import { describeSource } from '../../lib/plans/durability-audit.ts'
import type { SettingBefore } from '../../lib/plans/durability-fixes.ts'
import { readTopicSettings } from '../../lib/reads/durability.ts'

/** The part of a setting plan the shared steps use. */
export interface SettingPlan {
  readonly config: string
  readonly changes: readonly { readonly topic: string; readonly before: SettingBefore; readonly to: string }[]
}

/** Enough to restore each topic exactly: what was applied, and the override before (null: there was none). */
export interface SettingsUndo {
  readonly config: string
  readonly topics: readonly { readonly topic: string; readonly applied: string; readonly previousOverride: string | null }[]
}

interface Current {
  readonly value: string | null
  readonly source: string | null
  readonly override: string | null
  readonly missing: boolean
}

function currentOf(entries: readonly ConfigEntry[] | undefined, config: string): Current {
  const entry = entries?.find((e) => e.name === config)
  if (!entry) return { value: null, source: null, override: null, missing: entries === undefined }
  const override = entry.source === 'dynamic-topic' ? entry.value : (entry.synonyms.find((s) => s.source === 'dynamic-topic')?.value ?? null)
  return { value: entry.value, source: entry.source, override, missing: false }
}

async function readCurrent(kafka: KafkaOps, config: string, topics: readonly string[]): Promise<Map<string, Current>> {
  const read = await readTopicSettings(kafka, topics)
  return new Map(topics.map((t) => [t, currentOf(read.get(t)?.error ? undefined : read.get(t)?.entries, config)]))
}

const shown = (value: string | null, source: string | null) => (value === null ? 'unset' : `${value} (${describeSource(source as never)})`)

/** Drift: a topic's setting (value, source or override) is no longer what the plan was made from. */
export async function recheckSettings(kafka: KafkaOps, plan: SettingPlan): Promise<Drift[]> {
  const now = await readCurrent(
    kafka,
    plan.config,
    plan.changes.map((c) => c.topic),
  )
  const drifts: Drift[] = []
  for (const change of plan.changes) {
    const current = now.get(change.topic)!
    if (current.missing) drifts.push({ what: `topic ${change.topic}`, planned: 'exists', now: 'deleted or unreadable' })
    else if (current.value !== change.before.value || current.source !== change.before.source || current.override !== change.before.override) {
      drifts.push({ what: `${plan.config} of ${change.topic}`, planned: shown(change.before.value, change.before.source), now: shown(current.value, current.source) })
    }
  }
  return drifts
}

/** One IncrementalAlterConfigs change per topic; each topic succeeds or fails on its own. */
export async function applySettings(kafka: KafkaOps, plan: SettingPlan): Promise<ApplyResult<SettingsUndo>> {
  const results = await kafka.incrementalAlterConfigs(
    plan.changes.map((c) => ({ resource: { type: 'topic' as const, name: c.topic }, ops: [{ name: plan.config, op: 'set' as const, value: c.to }] })),
    { validateOnly: false },
  )
  const failedTopics = new Map(results.filter((r) => r.error && r.resource.type === 'topic').map((r) => [(r.resource as { name: string }).name, r.error!]))
  const applied = plan.changes.filter((c) => !failedTopics.has(c.topic))
  const failed = plan.changes.filter((c) => failedTopics.has(c.topic)).map((c) => ({ item: c.topic, error: `${failedTopics.get(c.topic)!.name}: ${failedTopics.get(c.topic)!.message}` }))
  return {
    blocks: failed.length
      ? [notice('danger', `${formatCount(failed.length)} of ${formatCount(plan.changes.length)} topics refused the change: ${failed[0]!.item} — ${failed[0]!.error}`)]
      : [notice('ok', `Set ${plan.config} on ${formatCount(applied.length)} topic${applied.length === 1 ? '' : 's'}.`)],
    applied: applied.map((c) => `${c.topic}: ${plan.config}=${c.to}`),
    failed,
    undo: { config: plan.config, topics: applied.map((c) => ({ topic: c.topic, applied: c.to, previousOverride: c.before.override })) },
    data: { set: applied.map((c) => ({ topic: c.topic, to: c.to })) },
  }
}

export function settingsUndoRecord(plan: SettingPlan): SettingsUndo {
  return { config: plan.config, topics: plan.changes.map((c) => ({ topic: c.topic, applied: c.to, previousOverride: c.before.override })) }
}

/**
 * Reads the overrides back until each equals `expected` (brokers apply a config record a moment after the
 * controller accepts it). Bounded: 20 reads, 250 ms apart.
 */
async function awaitOverrides(kafka: KafkaOps, config: string, expected: ReadonlyMap<string, string | null>, sleep: (ms: number) => Promise<void>) {
  let wrong: { topic: string; expected: string | null; now: string | null }[] = []
  for (let attempt = 0; attempt < 20; attempt++) {
    const now = await readCurrent(kafka, config, [...expected.keys()])
    wrong = [...expected].filter(([topic, value]) => now.get(topic)!.override !== value).map(([topic, value]) => ({ topic, expected: value, now: now.get(topic)!.override }))
    if (wrong.length === 0) break
    await sleep(250)
  }
  return wrong
}

function verifyBlocks(config: string, wrong: readonly { topic: string; expected: string | null; now: string | null }[], ok: string): VerifyResult {
  if (wrong.length === 0) return { ok: true, blocks: [notice('ok', ok)] }
  return {
    ok: false,
    blocks: [table(['Topic', 'Expected override', 'Read back'], wrong.map((w) => [w.topic, w.expected ?? 'none', w.now ?? 'none']), { title: `${config} overrides that differ` })],
    data: { wrong },
  }
}

export async function verifySettings(kafka: KafkaOps, applied: ApplyResult<SettingsUndo>, sleep: (ms: number) => Promise<void>): Promise<VerifyResult> {
  const record = applied.undo!
  const wrong = await awaitOverrides(kafka, record.config, new Map(record.topics.map((t) => [t.topic, t.applied])), sleep)
  return verifyBlocks(record.config, wrong, `Read back: every topic has its new ${record.config} override (${formatCount(record.topics.length)} topic${record.topics.length === 1 ? '' : 's'}).`)
}

export const settingsUndo: UndoSpec<SettingsUndo> = {
  describe: (record): Block[] => [
    table(
      ['Topic', 'Now (this session set)', 'Restore to'],
      record.topics.map((t) => [t.topic, `${record.config}=${t.applied}`, t.previousOverride === null ? 'no override (inherit again)' : `${record.config}=${t.previousOverride}`]),
      { title: `Restore ${record.config}` },
    ),
  ],
  summary: (record) => `restore ${record.config} on ${formatCount(record.topics.length)} topic${record.topics.length === 1 ? '' : 's'}`,
  confirm: (record) => ({ kind: 'yes-no', prompt: `Restore the previous ${record.config} of ${formatCount(record.topics.length)} topic${record.topics.length === 1 ? '' : 's'}?` }),
  recheck: async (ctx, record) => {
    const now = await readCurrent(
      ctx.kafka,
      record.config,
      record.topics.map((t) => t.topic),
    )
    return record.topics
      .filter((t) => now.get(t.topic)!.override !== t.applied)
      .map((t) => ({ what: `${record.config} override of ${t.topic}`, planned: t.applied, now: now.get(t.topic)!.override ?? 'none' }))
  },
  apply: async (ctx, record) => {
    const results = await ctx.kafka.incrementalAlterConfigs(
      record.topics.map((t) => ({
        resource: { type: 'topic' as const, name: t.topic },
        ops: [t.previousOverride === null ? { name: record.config, op: 'delete' as const } : { name: record.config, op: 'set' as const, value: t.previousOverride }],
      })),
      { validateOnly: false },
    )
    const failed = results.filter((r) => r.error).map((r) => ({ item: (r.resource as { name: string }).name, error: `${r.error!.name}: ${r.error!.message}` }))
    const failedNames = new Set(failed.map((f) => f.item))
    return {
      blocks: [notice(failed.length ? 'danger' : 'ok', `Restored ${record.config} on ${formatCount(record.topics.length - failed.length)} of ${formatCount(record.topics.length)} topics.`)],
      applied: record.topics.filter((t) => !failedNames.has(t.topic)).map((t) => t.topic),
      failed,
    }
  },
  verify: async (ctx, record) => {
    const wrong = await awaitOverrides(ctx.kafka, record.config, new Map(record.topics.map((t) => [t.topic, t.previousOverride])), ctx.sleep)
    return verifyBlocks(record.config, wrong, `Read back: ${record.config} is as it was before on every topic.`)
  },
}
