// The build's last step: what `runbook list` and `runbook show` print for the built-in runbooks, written once
// so that neither imports a runbook (each loads its cells and planners: ~90 modules for the four).
//   dist/runbooks/catalog.json              id, title and summary of each, and where its notebook is
//   dist/runbooks/.notebooks/<id>.json      its notebook as `show` prints it: the blocks, Markdown lexed by marked
//                                           (blocks, and the one-line texts the simple lexer leaves to marked)
// Every built-in runbook must load and pass the engine's checks, or the build fails.

import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { marked } from 'marked'

const dist = fileURLToPath(new URL('../dist/', import.meta.url))
const load = (path) => import(new URL(path, `file://${dist}`).href)
const { loadAllRunbooks, builtInCatalogFile } = await load('lib/engine/catalog.js')
const { describeRunbook } = await load('lib/engine/describe-runbook.js')
const { inlineTextsOf } = await load('lib/terminal/render.js')
const { lexSimpleInline } = await load('lib/terminal/simple-markdown.js')

const dir = join(dist, 'runbooks')
mkdirSync(join(dir, '.notebooks'), { recursive: true })
const records = []
for (const { file, runbook } of await loadAllRunbooks(dir)) {
  const blocks = describeRunbook(runbook)
  const notebook = `.notebooks/${runbook.id}.json`
  const inline = Object.fromEntries(
    inlineTextsOf(blocks)
      .filter((text) => lexSimpleInline(text) === null)
      .map((text) => [text, marked.Lexer.lexInline(text)]),
  )
  writeFileSync(join(dir, notebook), JSON.stringify({ blocks, tokens: blocks.map((b) => (b.kind === 'markdown' ? marked.lexer(b.text) : null)), inline }))
  records.push({ id: runbook.id, file, title: runbook.title, summary: runbook.summary, notebook })
}
writeFileSync(join(dir, builtInCatalogFile), JSON.stringify(records, null, 2) + '\n')
process.stdout.write(`${builtInCatalogFile}: ${records.map((r) => r.id).join(', ')}\n`)
