// What `runbook new <id>` writes: a small runbook that already works end to end (read, decide, change with
// preview, confirmation, re-check, verification and undo) and its test on the in-memory cluster, both importing
// the package by name so they run unchanged in the team's own repository.

export interface TemplateFiles {
  readonly runbook: string
  readonly test: string
}

function titleOf(id: string): string {
  const words = id.split('-').join(' ')
  return words.charAt(0).toUpperCase() + words.slice(1)
}

export function runbookTemplate(id: string): TemplateFiles {
  const title = titleOf(id)
  const runbook = `// ${title}: a starting point. Keep the shape — read, explain, decide, change with preview and undo —
// and make each cell about your incident. \`runbook show ${id}\` prints it; the test beside it runs it.

import { facts, notebook, notice, param, Refusal, table, type KafkaOps } from 'kafka-runbooks'

interface State {
  /** The topic's current value of the setting, read by the first query. */
  current?: Setting
}

/** A topic setting as the topic has it, and whether it is the topic's own override or inherited. */
interface Setting {
  readonly value: string | null
  readonly override: boolean
}

async function readSetting(kafka: KafkaOps, topic: string, name: string): Promise<Setting | null> {
  const [config] = await kafka.describeConfigs([{ type: 'topic', name: topic }])
  if (!config || config.error) return null
  const entry = config.entries.find((e) => e.name === name)
  return { value: entry?.value ?? null, override: entry?.source === 'dynamic-topic' }
}

const nb = notebook<State>()({
  topic: param.string({ help: 'the topic to look at', prompt: 'Which topic?' }),
  retention: param.duration({ help: 'how long the topic should keep records', prompt: 'Keep records for how long? (e.g. 3d)' }),
})

interface Plan {
  readonly topic: string
  readonly before: Setting
  readonly after: string
}

export default nb.runbook({
  id: '${id}',
  title: '${title}',
  summary: 'Replace this line: what the runbook fixes, in one sentence.',
  whenToUse: 'Replace this: the alert or symptom that should bring the on-call engineer here.',
  cells: [
    nb.explain({
      id: 'what-is-happening',
      title: 'What is happening',
      text: 'Explain the incident in your own words: what the operator sees, why it happens, what the options cost.',
    }),
    nb.query({
      id: 'current',
      title: 'The topic now',
      doc: 'Reads the topic’s retention.ms and where it comes from.',
      async run(ctx) {
        const topic = await ctx.param('topic')
        const current = await readSetting(ctx.kafka, topic, 'retention.ms')
        if (!current) throw new Refusal(\`topic \${topic} does not exist — check the name; nothing changed\`)
        ctx.state.current = current
        return [facts([['retention.ms', \`\${current.value ?? 'unset'} (\${current.override ? 'set on the topic' : 'inherited'})\`]])]
      },
    }),
    nb.decide({
      id: 'next',
      title: 'What to do',
      doc: 'Change the setting, or leave it.',
      question: 'Change the topic’s retention?',
      choices: [
        { value: 'change', label: 'Change it' },
        { value: 'leave', label: 'Leave it' },
      ],
      options: () => [
        { value: 'change', label: 'Change it', cost: 'records older than the new retention are deleted', risk: 'consumers that are behind lose those records' },
        { value: 'leave', label: 'Leave it', cost: 'nothing now', risk: 'the incident goes on' },
      ],
      headlessDefault: 'leave',
    }),
    nb.action<Plan, Plan>({
      id: 'change',
      title: 'Change retention.ms',
      doc: 'Sets retention.ms on the topic through IncrementalAlterConfigs; every other setting stays as it is.',
      when: (ctx) => ctx.decision('next') === 'change' || 'the operator chose to leave it',
      async plan(ctx) {
        const topic = await ctx.param('topic')
        const before = await readSetting(ctx.kafka, topic, 'retention.ms')
        if (!before) throw new Refusal(\`topic \${topic} does not exist — check the name; nothing changed\`)
        return { topic, before, after: String(await ctx.param('retention')) }
      },
      preview: (plan) => [table(['Topic', 'retention.ms now', 'after'], [[plan.topic, plan.before.value, plan.after]])],
      summary: (plan) => \`set retention.ms of \${plan.topic} to \${plan.after}\`,
      confirm: (plan) => ({ kind: 'typed', expected: plan.topic, prompt: \`Change retention.ms of \${plan.topic}?\` }),
      async recheck(ctx, plan) {
        const now = await readSetting(ctx.kafka, plan.topic, 'retention.ms')
        return now?.value === plan.before.value ? [] : [{ what: \`retention.ms of \${plan.topic}\`, planned: plan.before.value ?? 'unset', now: now?.value ?? 'gone' }]
      },
      async apply(ctx, plan) {
        const [result] = await ctx.kafka.incrementalAlterConfigs([{ resource: { type: 'topic', name: plan.topic }, ops: [{ name: 'retention.ms', op: 'set', value: plan.after }] }], { validateOnly: false })
        if (result?.error) return { blocks: [], applied: [], failed: [{ item: plan.topic, error: result.error.message }] }
        return { blocks: [notice('ok', \`retention.ms of \${plan.topic} set to \${plan.after}\`)], applied: [plan.topic], failed: [] }
      },
      async verify(ctx, plan) {
        const ok = (await readSetting(ctx.kafka, plan.topic, 'retention.ms'))?.value === plan.after
        return { ok, blocks: [notice(ok ? 'ok' : 'danger', ok ? 'Read back: the new value is in place.' : 'The new value did not read back.')] }
      },
      undoRecord: (plan) => plan,
      undo: {
        describe: (plan) => [table(['Topic', 'restore retention.ms to'], [[plan.topic, plan.before.override ? plan.before.value : 'inherited (remove the override)']])],
        summary: (plan) => \`restore retention.ms of \${plan.topic}\`,
        confirm: (plan) => ({ kind: 'yes-no', prompt: \`Restore retention.ms of \${plan.topic}?\` }),
        async recheck(ctx, plan) {
          const now = await readSetting(ctx.kafka, plan.topic, 'retention.ms')
          return now?.value === plan.after ? [] : [{ what: \`retention.ms of \${plan.topic}\`, planned: plan.after, now: now?.value ?? 'gone' }]
        },
        async apply(ctx, plan) {
          const op = plan.before.override && plan.before.value !== null ? { name: 'retention.ms', op: 'set' as const, value: plan.before.value } : { name: 'retention.ms', op: 'delete' as const }
          const [result] = await ctx.kafka.incrementalAlterConfigs([{ resource: { type: 'topic', name: plan.topic }, ops: [op] }], { validateOnly: false })
          return result?.error ? { blocks: [], applied: [], failed: [{ item: plan.topic, error: result.error.message }] } : { blocks: [], applied: [plan.topic], failed: [] }
        },
        async verify(ctx, plan) {
          const now = await readSetting(ctx.kafka, plan.topic, 'retention.ms')
          return { ok: now?.value === plan.before.value && now?.override === plan.before.override, blocks: [] }
        },
      },
    }),
  ],
})
`
  const test = `// Runs ${id} against the in-memory cluster, headless and guided, and checks what it would change.

import { fakeCluster, runWithKit } from 'kafka-runbooks/testing'
import { describe, expect, it } from 'vitest'
import runbook from './${id}.ts'

const cluster = () => fakeCluster().brokers(3).topic('orders', { partitions: 3, configs: { 'retention.ms': '604800000' } }).build()

describe('${id}', () => {
  it('changes retention after approval, and undo restores it', async () => {
    const kafka = cluster()
    const run = await runWithKit(runbook, { kafka, set: { topic: 'orders', next: 'change', retention: '3d' }, yes: true })
    expect(run.exitCode).toBe(0)
    expect(run.plan('change')).toMatchObject({ after: '259200000' })
    expect(kafka.mutations).toEqual(['incrementalAlterConfigs'])
    expect((await run.undo()).exitCode).toBe(0)
  })

  it('a dry run changes nothing', async () => {
    const kafka = cluster()
    const run = await runWithKit(runbook, { kafka, set: { topic: 'orders', next: 'change', retention: '3d' }, dryRun: true })
    expect(run.cell('change').outcome).toBe('planned')
    expect(kafka.mutations).toEqual([])
  })

  it('refuses an unknown topic in one line', async () => {
    const run = await runWithKit(runbook, { kafka: cluster(), set: { topic: 'nope' } })
    expect(run).toMatchObject({ exitCode: 2, message: 'topic nope does not exist — check the name; nothing changed' })
  })
})
`
  return { runbook, test }
}
