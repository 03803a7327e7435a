// Removing the replication throttle entries that keep live followers out of the ISR: only their entries in the
// topics' throttled-replica lists ("*" as a whole), rates and other overrides untouched; undo puts the lists back.

import { type Block, counted, notice, table } from '../../../lib/engine/blocks.ts'
import { type Drift, ifChosen, Refusal } from '../../../lib/engine/runbook.ts'
import type { KafkaOps } from '../../../lib/kafka/types.ts'
import { planIsrFindings } from '../../../lib/plans/isr-findings.ts'
import { type ReplicaCause, throttlesOn } from '../../../lib/plans/replica-causes.ts'
import {
  describeThrottleFault,
  isThrottleFault,
  type ListChange,
  planThrottleRelease,
  throttleOps,
  type ThrottleReleasePlan,
} from '../../../lib/plans/throttle-release.ts'
import { readBrokerThrottles, readReplicationSnapshot, readTopicOverrides } from '../../../lib/reads/replication.ts'
import { decideCell } from '../decide.ts'
import { brokerBudgetMs } from '../find.ts'
import { nb } from '../notebook.ts'

interface ThrottleUndo {
  readonly topics: readonly { readonly topic: string; readonly changes: readonly ListChange[]; readonly otherOverrides: Readonly<Record<string, string>> }[]
}

interface ThrottlePlan extends ThrottleReleasePlan {
  readonly otherOverrides: Readonly<Record<string, Readonly<Record<string, string>>>>
}

const shown = (v: string | null | undefined) => (v === null || v === undefined ? '(none)' : v)

function listDrifts(now: ReadonlyMap<string, Readonly<Record<string, string>>>, topics: ThrottleUndo['topics'], expect: 'before' | 'after'): Drift[] {
  const drifts: Drift[] = []
  for (const t of topics) {
    const overrides = now.get(t.topic) ?? {}
    for (const c of t.changes) {
      const wanted = expect === 'before' ? c.before : c.after
      if ((overrides[c.name] ?? null) !== wanted) drifts.push({ what: `${c.name} of ${t.topic}`, planned: shown(wanted), now: shown(overrides[c.name]) })
    }
    const touched = new Set<string>(t.changes.map((c) => c.name))
    for (const name of new Set([...Object.keys(t.otherOverrides), ...Object.keys(overrides)])) {
      if (touched.has(name)) continue
      if (t.otherOverrides[name] !== overrides[name])
        drifts.push({ what: `${name} of ${t.topic}`, planned: shown(t.otherOverrides[name]), now: shown(overrides[name]) })
    }
  }
  return drifts
}

async function applyLists(kafka: KafkaOps, topics: ThrottleUndo['topics'], restore: boolean) {
  const changes = topics.map((t) => ({ resource: { type: 'topic' as const, name: t.topic }, ops: throttleOps(t.changes, restore) }))
  const validation = await kafka.incrementalAlterConfigs(changes, { validateOnly: true })
  const refused = validation.filter((r) => r.error)
  const topicOf = (r: { resource: unknown }) => (r.resource as { name: string }).name
  if (refused.length)
    return {
      applied: [] as string[],
      failed: refused.map((r) => ({ item: topicOf(r), error: `${r.error!.name}: ${r.error!.message} (validate-only; nothing was changed)` })),
    }
  const results = await kafka.incrementalAlterConfigs(changes, { validateOnly: false })
  return {
    applied: results.filter((r) => !r.error).map(topicOf),
    failed: results.filter((r) => r.error).map((r) => ({ item: topicOf(r), error: `${r.error!.name}: ${r.error!.message}` })),
  }
}

async function settleLists(
  kafka: KafkaOps,
  sleep: (ms: number) => Promise<void>,
  topics: ThrottleUndo['topics'],
  expect: 'before' | 'after',
): Promise<Drift[]> {
  let drifts: Drift[] = []
  for (let attempt = 0; attempt < 20; attempt++) {
    drifts = listDrifts(
      await readTopicOverrides(
        kafka,
        topics.map((t) => t.topic),
      ),
      topics,
      expect,
    )
    if (drifts.length === 0) return []
    await sleep(500)
  }
  return drifts
}

function changesTable(topics: ThrottleUndo['topics'], restore: boolean): Block {
  return table(
    ['Topic', 'Config', restore ? 'Now' : 'Before', restore ? 'Restore to' : 'After'],
    topics.flatMap((t) => t.changes.map((c) => [t.topic, c.name, restore ? shown(c.after) : c.before, restore ? c.before : shown(c.after)])),
    { title: restore ? 'Put the throttled-replica lists back' : 'Throttled-replica lists' },
  )
}

export const throttleCell = nb.action<ThrottlePlan, ThrottleUndo>({
  id: 'remove-throttle',
  title: 'Remove the throttle that holds the followers back',
  doc: 'Takes exactly the held-back followers’ entries out of their topics’ leader/follower.replication.throttled.replicas (a "*" list goes as a whole), leaving the throttle rates and every other override as they are; validate-only first; reads the lists back; the undo record puts the previous lists back exactly.',
  ...ifChosen(decideCell, ['remove-throttle'], 'another action was chosen'),
  async plan(ctx) {
    const { snapshot, topicThrottles } = await readReplicationSnapshot(ctx.kafka, { nowMs: ctx.now() })
    const findings = planIsrFindings(snapshot)
    // Brokers the causes found hung stay out: a hung follower is not held back by a throttle.
    const hung = new Set((ctx.state.causes?.brokers ?? []).filter((b) => b.process === 'hung' || b.process === 'gone').map((b) => b.broker))
    const up = new Set(snapshot.brokers.filter((b) => b.state === 'up' && !hung.has(b.id)).map((b) => b.id))
    const involved = [...new Set(findings.partitions.flatMap((p) => [...(p.leader === null ? [] : [p.leader]), ...p.outOfSync.filter((id) => up.has(id))]))]
    const rates = new Map((await readBrokerThrottles(ctx.kafka, involved, brokerBudgetMs)).map((r) => [r.broker, r]))
    const lists = new Map(topicThrottles.map((t) => [t.topic, t]))
    const causes: ReplicaCause[] = findings.partitions.flatMap((p) =>
      p.outOfSync
        .filter((id) => up.has(id))
        .map((broker) => ({
          topic: p.topic,
          partition: p.partition,
          broker,
          leader: p.leader,
          brokerState: 'up' as const,
          process: 'answering' as const,
          lastContactMs: null,
          progress: { kind: 'unknown' as const, why: 'not sampled' },
          throttles: throttlesOn(lists.get(p.topic), p.partition, p.leader, broker, rates),
          offlineLogDir: null,
          verdict: 'throttled' as const,
        })),
    )
    const reassigning = new Set([...snapshot.adding.keys()].map((k) => k.slice(0, k.lastIndexOf('/'))))
    const plan = planThrottleRelease(causes, topicThrottles, reassigning)
    if (isThrottleFault(plan)) throw new Refusal(describeThrottleFault(plan))
    const overrides = await readTopicOverrides(
      ctx.kafka,
      plan.topics.map((t) => t.topic),
    )
    const otherOverrides = Object.fromEntries(
      plan.topics.map((t) => {
        const touched = new Set<string>(t.changes.map((c) => c.name))
        return [t.topic, Object.fromEntries(Object.entries(overrides.get(t.topic) ?? {}).filter(([name]) => !touched.has(name)))]
      }),
    )
    return { ...plan, otherOverrides }
  },
  preview: (plan) => {
    const blocks: Block[] = [
      changesTable(
        plan.topics.map((t) => ({ ...t, otherOverrides: {} })),
        false,
      ),
    ]
    blocks.push(
      notice(
        'info',
        `Frees ${counted(plan.followers, 'follower')}: ${plan.topics.map((t) => `${t.topic} ${t.frees.join(',')}`).join('; ')}. Outside the ISR they fetch at full speed; inside, a throttle never applies.`,
      ),
    )
    if (plan.ratesKept.length)
      blocks.push(
        notice(
          'info',
          `Rates left as they are (they throttle only what is still listed): ${plan.ratesKept.map((r) => `${r.side}.replication.throttled.rate=${r.bytesPerSecond} on broker ${r.broker} (${r.source})`).join('; ')}.`,
        ),
      )
    if (plan.reassigning.length)
      blocks.push(notice('warn', `A reassignment is in progress on ${plan.reassigning.join(', ')}: its copies of these partitions run unthrottled too.`))
    return blocks
  },
  summary: (plan) => `remove the throttle entries holding back ${counted(plan.followers, 'follower')} on ${plan.topics.map((t) => t.topic).join(', ')}`,
  confirm: (plan) => ({
    kind: 'yes-no',
    prompt: `Remove the throttle entries of ${counted(plan.followers, 'follower')} on ${counted(plan.topics.length, 'topic')}?`,
  }),
  recheck: async (ctx, plan) =>
    listDrifts(
      await readTopicOverrides(
        ctx.kafka,
        plan.topics.map((t) => t.topic),
      ),
      plan.topics.map((t) => ({ ...t, otherOverrides: plan.otherOverrides[t.topic] ?? {} })),
      'before',
    ),
  async apply(ctx, plan) {
    const topics = plan.topics.map((t) => ({ topic: t.topic, changes: t.changes, otherOverrides: plan.otherOverrides[t.topic] ?? {} }))
    const { applied, failed } = await applyLists(ctx.kafka, topics, false)
    return {
      blocks: [
        failed.length
          ? notice('danger', `${counted(failed.length, 'topic')} not changed: ${failed[0]!.error}`)
          : notice('ok', `Throttle entries removed on ${applied.join(', ')}.`),
      ],
      applied,
      failed,
      undo: { topics: topics.filter((t) => applied.includes(t.topic)) },
    }
  },
  async verify(ctx, _plan, applied) {
    const topics = applied.undo?.topics ?? []
    const drifts = await settleLists(ctx.kafka, ctx.sleep, topics, 'after')
    return {
      ok: drifts.length === 0,
      blocks: [
        drifts.length
          ? table(
              ['Config', 'Expected', 'Read back'],
              drifts.map((d) => [d.what, d.planned, d.now]),
              { title: 'Read back: not as planned' },
            )
          : notice('ok', 'Read back: the lists are as planned; every other override is untouched. The followers fetch at full speed now.'),
      ],
    }
  },
  undoRecord: (plan) => ({ topics: plan.topics.map((t) => ({ topic: t.topic, changes: t.changes, otherOverrides: plan.otherOverrides[t.topic] ?? {} })) }),
  undo: {
    describe: (record) => [changesTable(record.topics, true)],
    summary: (record) => `put the throttled-replica lists back on ${record.topics.map((t) => t.topic).join(', ')}`,
    confirm: (record) => ({
      kind: 'yes-no',
      prompt: `Put the throttle lists back on ${counted(record.topics.length, 'topic')}? Followers outside the ISR are throttled again`,
    }),
    recheck: async (ctx, record) =>
      listDrifts(
        await readTopicOverrides(
          ctx.kafka,
          record.topics.map((t) => t.topic),
        ),
        record.topics,
        'after',
      ),
    async apply(ctx, record) {
      const { applied, failed } = await applyLists(ctx.kafka, record.topics, true)
      return {
        blocks: [notice(failed.length ? 'danger' : 'ok', `Restored the lists on ${applied.length} of ${counted(record.topics.length, 'topic')}.`)],
        applied,
        failed,
      }
    },
    async verify(ctx, record) {
      const drifts = await settleLists(ctx.kafka, ctx.sleep, record.topics, 'before')
      return {
        ok: drifts.length === 0,
        blocks: [
          drifts.length
            ? notice('danger', `${drifts.length} config(s) read back differently: ${drifts[0]!.what}`)
            : notice('ok', 'Read back: the throttled-replica lists are as they were.'),
        ],
      }
    },
  },
})
