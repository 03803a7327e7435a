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

import { facts, ifChosen, notebook, param, readTopicSettings, settingOf, topicConfigChange } from 'kafka-runbooks'

const nb = notebook<object>()({
  topic: param.topic({ help: 'the topic to look at', prompt: 'Which topic?' }),
  retention: param.duration({ help: 'how long the topic should keep records', prompt: 'Keep records for how long? (e.g. 3d)' }),
})

const next = nb.decide({
  id: 'next',
  title: 'What to do',
  doc: 'Change the setting, or leave it.',
  question: 'Change the topic’s retention?',
  options: { change: 'Change it', leave: 'Leave it' },
  price: () => ({
    change: { cost: 'records older than the new retention are deleted', risk: 'consumers that are behind lose those records' },
    leave: { cost: 'nothing now', risk: 'the incident goes on' },
  }),
  headlessDefault: 'leave',
})

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
        const [topic] = await readTopicSettings(ctx.kafka, [await ctx.param('topic')], ['retention.ms'])
        const { value, source } = settingOf(topic, 'retention.ms')
        return [facts([['retention.ms', \`\${value ?? 'unset'} (\${source === 'dynamic-topic' ? 'set on the topic' : \`inherited: \${source}\`})\`]])]
      },
    }),
    next,
    // Validated first, previewed, confirmed, re-checked, read back, and undone to the previous value and source.
    topicConfigChange(nb, {
      id: 'change',
      title: 'Change retention.ms',
      doc: 'Sets retention.ms on the topic through IncrementalAlterConfigs; every other setting stays as it is.',
      ...ifChosen(next, ['change'], 'the operator chose to leave it'),
      targets: async (ctx) => [{ topic: await ctx.param('topic'), name: 'retention.ms', value: String(await ctx.param('retention')) }],
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
    expect(run.plan('change')).toMatchObject({ changes: [{ topic: 'orders', name: 'retention.ms', after: '259200000' }] })
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
    expect(run).toMatchObject({ exitCode: 2, message: 'topic nope does not exist on this cluster — check the name (\`runbook status\` lists topics); nothing changed' })
  })
})
`
  return { runbook, test }
}
