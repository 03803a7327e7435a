// Splits a Markdown runbook into its parts, keeping line numbers for every error: YAML front matter, prose
// sections (each becomes an explain cell) and fenced cell blocks (```query <id>, ```decide <id>, …) whose
// bodies are YAML. Pure: text in, parts and problems out.

import { parseDocument } from 'yaml'

export const cellKinds = ['explain', 'query', 'decide', 'action', 'shell'] as const
export type CellKind = (typeof cellKinds)[number]

export interface ProseSection {
  readonly type: 'prose'
  readonly markdown: string
  /** 1-based line where the section starts. */
  readonly line: number
}

export interface CellBlock {
  readonly type: 'cell'
  readonly kind: CellKind
  readonly id: string
  /** The block's YAML body, parsed. */
  readonly body: Readonly<Record<string, unknown>>
  /** 1-based line of the opening fence. */
  readonly line: number
}

export interface ParsedRunbook {
  readonly frontMatter: Readonly<Record<string, unknown>>
  readonly parts: readonly (ProseSection | CellBlock)[]
}

/** One thing wrong with the file, at a line. */
export interface Problem {
  readonly line: number
  readonly message: string
}

const fencePattern = /^(```+|~~~+)\s*([A-Za-z][\w-]*)?(?:\s+(.*?))?\s*$/

export function parseMarkdownRunbook(text: string): { parsed: ParsedRunbook; problems: Problem[] } {
  const problems: Problem[] = []
  const lines = text.replace(/\r\n?/g, '\n').split('\n')
  let index = 0
  let frontMatter: Record<string, unknown> = {}

  if (lines[0]?.trim() === '---') {
    const end = lines.findIndex((line, i) => i > 0 && line.trim() === '---')
    if (end === -1) {
      problems.push({ line: 1, message: 'the front matter starts with --- but never ends — close it with a line holding ---' })
      return { parsed: { frontMatter, parts: [] }, problems }
    }
    const yaml = readYaml(lines.slice(1, end).join('\n'), 2, problems)
    if (yaml !== undefined) {
      if (isRecord(yaml)) frontMatter = yaml
      else problems.push({ line: 2, message: 'the front matter must be a YAML mapping (id: …, title: …)' })
    }
    index = end + 1
  } else {
    problems.push({ line: 1, message: 'a Markdown runbook starts with front matter between --- lines (id, title, summary, when-to-use, params)' })
  }

  const parts: (ProseSection | CellBlock)[] = []
  let prose: string[] = []
  let proseStart = index + 1
  const flushProse = () => {
    const markdown = prose.join('\n').trim()
    if (markdown !== '') parts.push({ type: 'prose', markdown, line: proseStart + prose.findIndex((l) => l.trim() !== '') })
    prose = []
  }

  while (index < lines.length) {
    const line = lines[index]!
    const fence = fencePattern.exec(line)
    if (!fence) {
      if (prose.length === 0) proseStart = index + 1
      prose.push(line)
      index++
      continue
    }
    const marker = fence[1]!
    const closing = lines.findIndex((l, i) => i > index && l.trim().startsWith(marker[0]!.repeat(marker.length)) && l.trim().replace(/[`~]/g, '') === '')
    const kind = fence[2]
    const isCell = kind !== undefined && (cellKinds as readonly string[]).includes(kind)
    if (!isCell) {
      // An ordinary code block (```sh, ```json…) is prose: it belongs to the explanation around it.
      const end = closing === -1 ? lines.length - 1 : closing
      if (prose.length === 0) proseStart = index + 1
      prose.push(...lines.slice(index, end + 1))
      index = end + 1
      continue
    }
    flushProse()
    const fenceLine = index + 1
    if (closing === -1) {
      problems.push({ line: fenceLine, message: `the \`\`\`${kind} block is never closed — end it with ${marker}` })
      break
    }
    const id = fence[3]?.trim() ?? ''
    if (!/^[a-z][a-z0-9-]*$/.test(id)) {
      problems.push({ line: fenceLine, message: `a ${kind} block needs an id after its kind, in lower-case words joined by dashes (\`\`\`${kind} my-${kind})` })
    }
    const body = readYaml(lines.slice(index + 1, closing).join('\n'), fenceLine + 1, problems)
    if (body !== undefined && body !== null && !isRecord(body))
      problems.push({ line: fenceLine + 1, message: `the body of ${kind} ${id} must be a YAML mapping (key: value lines)` })
    parts.push({ type: 'cell', kind: kind as CellKind, id, body: isRecord(body) ? body : {}, line: fenceLine })
    index = closing + 1
    proseStart = index + 1
  }
  flushProse()
  return { parsed: { frontMatter, parts }, problems }
}

function readYaml(text: string, firstLine: number, problems: Problem[]): unknown {
  const document = parseDocument(text, { prettyErrors: false })
  if (document.errors.length > 0) {
    const error = document.errors[0]!
    const lineInBlock = error.linePos?.[0]?.line ?? 1
    problems.push({ line: firstLine + lineInBlock - 1, message: `YAML: ${error.message.split('\n')[0]}` })
    return undefined
  }
  return document.toJS() as unknown
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
