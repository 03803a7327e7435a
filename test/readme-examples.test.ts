// The README's examples are code a team copies first: the test-kit example is kept as a test of its own
// (test/testkit/readme-example.test.ts, identical but for import paths), the Markdown runbook is loaded and run.

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { AnyRunbook } from '../lib/engine/runbook.ts'
import { loadMarkdownRunbook } from '../lib/markdown/index.ts'
import { fakeCluster, runWithKit } from '../lib/testkit/index.ts'

const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8')

/** The first fenced block opened by this fence line after the heading. */
function example(heading: string, fence: string): string {
  const from = readme.indexOf(`\n${heading}\n`)
  expect(from, `README has a "${heading}" section`).toBeGreaterThan(-1)
  const start = readme.indexOf(`\n${fence}\n`, from) + fence.length + 2
  const closing = fence.match(/^`+/)![0]
  return readme.slice(start, readme.indexOf(`\n${closing}\n`, start) + 1)
}

describe('the README', () => {
  it('shows the test-kit example that test/testkit/readme-example.test.ts runs', () => {
    const test = readFileSync(join(import.meta.dirname, 'testkit', 'readme-example.test.ts'), 'utf8')
    const asTested = test
      .replace(/^\/\/.*\n\n/, '')
      .replace("from '../../lib/testkit/index.ts'", "from 'kafka-runbooks/testing'")
      .replace("from '../../runbooks/consumer-oom-replay/index.ts'", "from './consumer-oom-replay.ts'")
    expect(asTested).toBe(example('### The test kit', '```ts'))
  })

  it('shows a Markdown runbook that loads, runs headless, changes the setting and undoes it', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'readme-md-')), 'disk-pressure.md')
    writeFileSync(path, example('### Markdown runbooks', '````md'))
    const runbook = (await loadMarkdownRunbook(path)).default as AnyRunbook
    expect(runbook.cells.map((c) => `${c.kind}:${c.id}`)).toEqual(['explain:notes-1', 'query:biggest', 'decide:next', 'action:shorten'])
    const kafka = fakeCluster()
      .brokers(3)
      .topic('clicks', { partitions: 2, configs: { 'retention.ms': '604800000' } })
      .build()
    const run = await runWithKit(runbook, { kafka, set: { topic: 'clicks', next: 'shorten', retention: '2d' }, yes: true })
    expect(run.exitCode).toBe(0)
    expect(kafka.mutations).toEqual(['incrementalAlterConfigs'])
    expect((await run.undo()).exitCode).toBe(0)
    const [config] = await kafka.describeConfigs([{ type: 'topic', name: 'clicks' }], { names: ['retention.ms'] })
    expect(config!.entries[0]).toMatchObject({ value: '604800000', source: 'dynamic-topic' })
  })
})
