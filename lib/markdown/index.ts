// Markdown runbooks: a runbook written as a Markdown file — front matter for the id, title and parameters,
// prose for the explanations, fenced ```query / ```decide / ```action / ```shell blocks for the steps.

import { readFile } from 'node:fs/promises'
import { basename } from 'node:path'
import { buildMarkdownRunbook } from './build.ts'
import { parseMarkdownRunbook } from './parse.ts'
import { ExitCode } from '../engine/exit-codes.ts'

export { buildMarkdownRunbook } from './build.ts'
export { parseMarkdownRunbook } from './parse.ts'
export type { Problem } from './parse.ts'

/** A Markdown runbook with mistakes: every line of the message is "file:line: what is wrong". */
export class MarkdownRunbookError extends Error {
  readonly exitCode = ExitCode.refused
  readonly problems: readonly string[]
  constructor(problems: readonly string[]) {
    super(problems.join('\n'))
    this.name = 'MarkdownRunbookError'
    this.problems = problems
  }
}

/** Loads a Markdown runbook file as a module (`{ default: runbook }`), the way the catalog loads code. */
export async function loadMarkdownRunbook(path: string): Promise<{ default: unknown }> {
  const text = await readFile(path, 'utf8')
  const fileId = basename(path).replace(/\.md$/i, '')
  const { parsed, problems } = parseMarkdownRunbook(text)
  const built = problems.length ? { runbook: null, problems: [] } : buildMarkdownRunbook(parsed, fileId)
  const all = [...problems, ...built.problems].sort((a, b) => a.line - b.line)
  if (all.length > 0 || !built.runbook) throw new MarkdownRunbookError(all.map((p) => `${basename(path)}:${p.line}: ${p.message}`))
  return { default: built.runbook }
}
