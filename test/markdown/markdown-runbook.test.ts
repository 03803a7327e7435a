// Markdown runbooks: parsed with line numbers, built from the same cells as code runbooks, run in every mode.

import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { describeRunbook } from '../../lib/engine/describe-runbook.ts'
import { blocksToMarkdown } from '../../lib/engine/markdown.ts'
import { loadMarkdownRunbook } from '../../lib/markdown/index.ts'
import type { AnyRunbook } from '../../lib/engine/runbook.ts'
import { fakeCluster, runWithKit } from '../../lib/testkit/index.ts'
import { runCli } from '../support/run-cli.ts'

const fixtures = join(import.meta.dirname, 'fixtures')
const load = async (path: string) => (await loadMarkdownRunbook(path)).default as AnyRunbook
const cluster = () =>
  fakeCluster()
    .brokers(3)
    .topic('clicks', { partitions: 2, configs: { 'retention.ms': '604800000' } })
    .records('clicks', 0, { count: 100 })
    .build()

describe('a Markdown runbook', () => {
  it('becomes cells: prose as explanations, fenced blocks as query, decide, action and shell', async () => {
    const runbook = await load(join(fixtures, 'disk-pressure.md'))
    expect(runbook.cells.map((c) => `${c.kind}:${c.id}`)).toEqual([
      'explain:notes-1',
      'query:biggest',
      'query:settings',
      'explain:versions',
      'decide:next',
      'action:shorten',
      'shell:notify',
    ])
    expect(runbook.cells[0]!.title).toBe("What fills a broker's disk")
    const shown = blocksToMarkdown(describeRunbook(runbook))
    expect(shown).toContain('**4.x:**')
    expect(shown).toContain('**3.9:**')
    expect(shown).toContain('Only when: the decision next is shorten')
  })

  it('runs headless: reads, decides, changes the setting with undo', async () => {
    const kafka = cluster()
    const runbook = await load(join(fixtures, 'disk-pressure.md'))
    const run = await runWithKit(runbook, { kafka, set: { topic: 'clicks', next: 'shorten', retention: '2d' }, yes: true, kafkaLine: '4.3' })
    expect(run.exitCode).toBe(0)
    expect(run.io.screen()).toContain('Kafka 4 removes the expired segments')
    expect(run.plan('shorten')).toEqual({
      changes: [{ topic: 'clicks', name: 'retention.ms', before: { value: '604800000', source: 'dynamic-topic' }, after: '172800000' }],
    })
    expect(run.cell('notify')).toMatchObject({ outcome: 'skipped', reason: 'notify-command is not given' })
    expect((await run.undo()).exitCode).toBe(0)
    const [config] = await kafka.describeConfigs([{ type: 'topic', name: 'clicks' }])
    expect(config!.entries.find((e) => e.name === 'retention.ms')).toMatchObject({ value: '604800000', source: 'dynamic-topic' })
  })

  it('runs as a dry run and guided, and refuses an unknown topic in one line', async () => {
    const runbook = await load(join(fixtures, 'disk-pressure.md'))
    const dry = await runWithKit(runbook, { kafka: cluster(), set: { topic: 'clicks', next: 'shorten' }, dryRun: true })
    expect(dry.cell('shorten').outcome).toBe('planned')
    const guided = await runWithKit(runbook, { kafka: cluster(), script: [{ input: 'clicks' }, { select: 'leave' }, { input: '' }] })
    expect(guided.exitCode).toBe(0)
    expect(guided.cell('shorten').outcome).toBe('skipped')
    const unknown = await runWithKit(runbook, { kafka: cluster(), set: { topic: 'nope' } })
    expect(unknown).toMatchObject({ exitCode: 2, message: 'topic nope does not exist — check the name; nothing changed' })
  })

  it.each([
    ['no front matter', '# Hi\n', 'broken.md:1: a Markdown runbook starts with front matter'],
    ['an unclosed front matter', '---\nid: broken\n', 'broken.md:1: the front matter starts with --- but never ends'],
    ['bad YAML in the front matter', '---\nid: broken\ntitle: [oops\n---\n', 'broken.md:'],
    ['a missing title', '---\nid: broken\nsummary: s\n---\nText.\n', 'broken.md:1: the front matter needs "title"'],
    [
      'an unknown query',
      '---\nid: broken\ntitle: t\nsummary: s\n---\n\n```query q\nuse: everything\n```\n',
      'broken.md:7: query q: "use" must name one of brokers, topic-settings, partition-health, consumer-group, log-dirs',
    ],
    ['an unclosed block', '---\nid: broken\ntitle: t\nsummary: s\n---\n\n```decide d\nquestion: q\n', 'broken.md:7: the ```decide block is never closed'],
    ['a block without an id', '---\nid: broken\ntitle: t\nsummary: s\n---\n\nText.\n\n```shell\ncommand: ls\n```\n', 'broken.md:9: a shell block needs an id'],
    [
      'an undeclared template',
      '---\nid: broken\ntitle: t\nsummary: s\n---\n\n```query q\nuse: consumer-group\ngroup: ${grp}\n```\n',
      'broken.md:7: query q: ${grp} in "group" is not a parameter of this runbook',
    ],
    [
      'a when on a later decision',
      '---\nid: broken\ntitle: t\nsummary: s\n---\n\n```shell s\nwhen: d is go\ncommand: ls\n```\n',
      'broken.md:7: shell s: "d" is not a decision made before this cell',
    ],
    ['bad YAML in a block', '---\nid: broken\ntitle: t\nsummary: s\n---\n\n```decide d\nquestion: [x\n```\n', 'broken.md:8: YAML:'],
    [
      'an unknown parameter type',
      '---\nid: broken\ntitle: t\nsummary: s\nparams:\n  x: { type: float, help: h }\n---\n',
      'broken.md:1: parameter "x" has type "float"',
    ],
  ])('reports %s with file and line', async (_name, text, expected) => {
    const dir = mkdtempSync(join(tmpdir(), 'md-runbook-'))
    writeFileSync(join(dir, 'broken.md'), text)
    await expect(loadMarkdownRunbook(join(dir, 'broken.md'))).rejects.toThrow(expected)
  })

  it('is listed, shown and reported by the CLI like any runbook', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'md-team-'))
    writeFileSync(join(dir, 'broken.md'), '---\nid: broken\ntitle: t\nsummary: s\n---\n\n```query q\nuse: everything\n```\n')
    writeFileSync(join(dir, 'README.md'), '# Our runbooks\n')
    const list = await runCli(['list', '--runbooks', fixtures, '--runbooks', dir])
    expect(list.stdout).toMatch(/disk-pressure \(team\)\s+A broker's disk is filling up/)
    expect(list.stdout.replace(/\s+/g, ' ')).toContain('broken.md: broken.md:7: query q: "use" must name one of')
    expect(list.stdout).not.toContain('README')
    const show = await runCli(['show', 'disk-pressure', '--runbooks', fixtures])
    expect(show.code).toBe(0)
    expect(show.stdout).toContain('Shorten the retention')
  })
})
