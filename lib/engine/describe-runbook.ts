// A runbook as a notebook on paper, for `runbook show`: what it is for, its parameters, and each cell —
// every version of each explanation — without touching a cluster.

import { facts, markdown, notice, table, type Block } from './blocks.ts'
import type { AnyRunbook, Cell } from './runbook.ts'
import type { ParamSpecs } from './params.ts'

const kindLabel = {
  explain: 'Explain',
  query: 'Query (read-only)',
  decide: 'Decide',
  action: 'Action (changes the cluster)',
  shell: 'Shell (your command)',
} as const

export function describeRunbook(runbook: AnyRunbook): Block[] {
  const blocks: Block[] = [markdown(`# ${runbook.title}\n\n\`${runbook.id}\` — ${runbook.summary}\n\n## When to use it\n\n${runbook.whenToUse}`)]
  const params = Object.entries(runbook.params as ParamSpecs)
  if (params.length > 0) {
    blocks.push(
      table(
        ['Parameter', 'Type', 'Meaning', 'Default'],
        params.map(([name, spec]) => [
          `${name}${spec.optional ? ' (optional)' : ''}`,
          spec.type,
          spec.help,
          spec.default === undefined ? null : spec.format(spec.default),
        ]),
        { title: 'Parameters (--set name=value, or asked when needed)' },
      ),
    )
  }
  runbook.cells.forEach((cell, index) => blocks.push(...describeCell(cell, index + 1)))
  return blocks
}

/** The same description as data, for `runbook show --json`: parameters with their defaults, cells with every explanation. */
export function runbookJson(runbook: AnyRunbook): Record<string, unknown> {
  return {
    id: runbook.id,
    title: runbook.title,
    summary: runbook.summary,
    whenToUse: runbook.whenToUse,
    params: Object.entries(runbook.params as ParamSpecs).map(([name, spec]) => ({
      name,
      type: spec.type,
      help: spec.help,
      optional: Boolean(spec.optional),
      default: spec.default === undefined ? null : spec.format(spec.default),
    })),
    cells: runbook.cells.map((cell) => ({
      id: cell.id,
      kind: cell.kind,
      title: cell.title,
      ...(cell.whenDoc ? { onlyWhen: cell.whenDoc } : {}),
      ...cellDetails(cell),
    })),
  }
}

function cellDetails(cell: Cell<unknown, ParamSpecs>): Record<string, unknown> {
  switch (cell.kind) {
    case 'explain':
      return { text: cell.text, live: Boolean(cell.live) }
    case 'query':
    case 'shell':
      return { doc: cell.doc }
    case 'decide':
      return { doc: cell.doc, question: cell.question, choices: cell.choices.map((c) => ({ value: c.value, label: c.label })) }
    case 'action':
      return { doc: cell.doc, undo: Boolean(cell.undo), ...(cell.reverts ? { reverts: cell.reverts } : {}) }
  }
}

function describeCell(cell: Cell<unknown, ParamSpecs>, number: number): Block[] {
  const out: Block[] = [markdown(`## ${number}. ${cell.title}\n\n_${kindLabel[cell.kind]}_ · \`${cell.id}\``)]
  if (cell.whenDoc) out.push(notice('info', `Only when: ${cell.whenDoc}`))
  switch (cell.kind) {
    case 'explain':
      if (typeof cell.text === 'string') out.push(markdown(cell.text))
      else for (const [variant, text] of Object.entries(cell.text)) out.push(markdown(`**${variant}:**\n\n${text}`))
      if (cell.live) out.push(notice('info', 'Followed by figures read from the cluster during the run.'))
      break
    case 'query':
      out.push(markdown(cell.doc))
      break
    case 'decide':
      out.push(
        markdown(cell.doc),
        table(
          ['Option', `--set ${cell.id}=…`],
          cell.choices.map((c) => [c.label, c.value]),
          { title: cell.question },
        ),
      )
      break
    case 'action':
      out.push(
        markdown(cell.doc),
        facts([
          ['Before applying', 'preview, your confirmation, and a re-check of the cluster'],
          ['After applying', cell.undo ? 'verification, and an undo record for `runbook undo`' : 'verification'],
          ['Headless', `--approve ${cell.id}=<plan hash> or --yes`],
          ...(cell.reverts ? [['Takes back', `the change of "${cell.reverts}" in the same run (its undo record is then closed)`] as const] : []),
        ]),
      )
      break
    case 'shell':
      out.push(markdown(cell.doc), notice('info', 'Runs only after you confirm, never in --dry-run.'))
      break
  }
  return out
}
