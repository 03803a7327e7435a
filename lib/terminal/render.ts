// Renders blocks for a terminal: Markdown through marked's lexer (or, for simple text, a lexer that gives the
// same tokens without loading marked), tables laid out as cli-table3 would (lib/terminal/table-layout.ts), wrapped to the screen width, coloured only
// when the stream is a TTY and NO_COLOR is not set.

import type { Token, Tokens } from 'marked'
import type { Block, Cell } from '../engine/blocks.ts'
import { formatCount, withoutEmptyColumns } from '../engine/blocks.ts'
import { lexSimpleInline, lexSimpleMarkdown } from './simple-markdown.ts'
import { layoutTable } from './table-layout.ts'

// marked loads on the first text the simple lexer leaves to it: synchronously (require of an ES module, Node
// 20.19+ and Bun), so rendering stays a plain function. node:module too: under Bun each built-in module a cold
// start loads costs milliseconds.
let markedModule: typeof import('marked') | undefined
const marked = () => (markedModule ??= process.getBuiltinModule('node:module').createRequire(import.meta.url)('marked') as typeof import('marked')).marked

export interface RenderOptions {
  readonly color: boolean
  /** Columns available; text wraps at this width and tables are squeezed into it. */
  readonly width: number
  /** marked's inline tokens, by text, of one-line texts lexed ahead (a built-in runbook's notebook): marked stays unloaded. */
  readonly lexedInline?: Readonly<Record<string, readonly unknown[]>>
}

type Style = 'bold' | 'dim' | 'italic' | 'underline' | 'red' | 'green' | 'yellow' | 'blue' | 'cyan' | 'magenta'
const codes: Record<Style, [number, number]> = {
  bold: [1, 22],
  dim: [2, 22],
  italic: [3, 23],
  underline: [4, 24],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  blue: [34, 39],
  cyan: [36, 39],
  magenta: [35, 39],
}

/** Wraps text in ANSI styles when colour is on; plain otherwise. */
export function paint(text: string, styles: readonly Style[], color: boolean): string {
  if (!color || styles.length === 0) return text
  return styles.reduce((acc, style) => `\u001b[${codes[style][0]}m${acc}\u001b[${codes[style][1]}m`, text)
}

/** Whether to colour a stream: a TTY, and NO_COLOR unset (https://no-color.org), unless FORCE_COLOR says so. */
export function colorEnabled(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true
  return stream.isTTY === true && env.TERM !== 'dumb'
}

/**
 * The width to render at: on a terminal, its own (capped at 100 so lines stay readable; a narrow one gets the
 * narrow layout); anything else — a pipe, a file, a CI log — gets no hard wrapping at all, so a reader or a
 * `grep` sees each sentence and each table row on one line.
 */
export function renderWidth(stream: { isTTY?: boolean; columns?: number }): number {
  if (stream.isTTY !== true) return Number.POSITIVE_INFINITY
  const columns = stream.columns && stream.columns > 0 ? stream.columns : 80
  return Math.max(20, Math.min(columns, 100))
}

/** Below this many columns for a value, key/value lines put the value under its label. */
const narrowValueWidth = 24

// eslint-disable-next-line no-control-regex -- matching ANSI colour codes is the point
const ansiPattern = /\u001b\[[0-9;]*m/g
const highSurrogate = /[\ud800-\udbff]/
/** Printed length of a string, ignoring colour codes: its code points (a surrogate pair counts once). */
export function visibleLength(text: string): number {
  const plain = text.includes('\u001b') ? text.replace(ansiPattern, '') : text
  // Most text has no pair to count: a pattern finds that at once, where the loop runs cold (table-layout's reason).
  if (!highSurrogate.test(plain)) return plain.length
  let length = plain.length
  for (let i = 0; i < plain.length - 1; i++) {
    const code = plain.charCodeAt(i)
    if (code < 0xd800 || code > 0xdbff) continue
    const next = plain.charCodeAt(i + 1)
    if (next >= 0xdc00 && next <= 0xdfff) {
      length--
      i++
    }
  }
  return length
}

/** Blocks → terminal text, blocks separated by a blank line. */
export function renderBlocks(blocks: readonly Block[], options: RenderOptions): string {
  return blocks.map((block) => renderBlock(block, options)).join('\n\n')
}

/** renderBlocks for blocks whose Markdown was lexed ahead (tokens[i] for blocks[i]; `runbook show` of a built-in runbook). */
export function renderLexedBlocks(blocks: readonly Block[], tokens: readonly (readonly unknown[] | null)[], options: RenderOptions): string {
  return blocks.map((block, i) => (tokens[i] ? renderMarkdownTokens(tokens[i] as Token[], options) : renderBlock(block, options))).join('\n\n')
}

/** The one-line texts of blocks that render through inlineText (notices, facts, table footers), for lexing them ahead. */
export function inlineTextsOf(blocks: readonly Block[]): string[] {
  return blocks.flatMap((block) => {
    switch (block.kind) {
      case 'notice':
        return [block.text]
      case 'facts':
        return block.items.map(([, value]) => value)
      case 'table':
        return block.footer ? [block.footer] : []
      case 'screen-only':
        return inlineTextsOf(block.blocks)
      default:
        return []
    }
  })
}

export function renderBlock(block: Block, options: RenderOptions): string {
  switch (block.kind) {
    case 'markdown':
      return renderMarkdown(block.text, options)
    case 'table':
      return renderTable(withoutEmptyColumns(block), options)
    case 'facts':
      return renderFacts(block, options)
    case 'notice':
      return renderNotice(block, options)
    case 'code':
      return codeLines(block, options.width - 4)
        .map((line) => '    ' + paint(line, ['cyan'], options.color))
        .join('\n')
    case 'screen-only':
      return renderBlocks(block.blocks, options)
  }
}

/** A code block's lines; with `fit`, each cut into pieces of the width and at most `fit` of them, the cut marked …. */
function codeLines(block: Extract<Block, { kind: 'code' }>, width: number): string[] {
  const lines = block.text.split('\n')
  if (block.fit === undefined) return lines
  const pieces = lines.flatMap((line) => {
    const chars = [...line]
    if (chars.length <= width) return [line]
    return Array.from({ length: Math.ceil(chars.length / width) }, (_, i) => chars.slice(i * width, (i + 1) * width).join(''))
  })
  if (pieces.length <= block.fit) return pieces
  const kept = pieces.slice(0, Math.max(1, block.fit))
  const last = [...kept.at(-1)!]
  kept[kept.length - 1] = (last.length >= width ? last.slice(0, width - 1) : last).join('') + '…'
  return kept
}

const noticeLook = {
  info: { mark: 'i', styles: ['blue'] },
  ok: { mark: '✔', styles: ['green'] },
  warn: { mark: '!', styles: ['yellow'] },
  danger: { mark: '✖', styles: ['red', 'bold'] },
} as const satisfies Record<string, { mark: string; styles: readonly Style[] }>

function renderNotice(block: Extract<Block, { kind: 'notice' }>, options: RenderOptions): string {
  const look = noticeLook[block.level]
  const body = wrap(inlineText(block.text, options), options.width - 4)
  return body.map((line, i) => (i === 0 ? `${paint(` ${look.mark} `, look.styles, options.color)} ${line}` : `    ${line}`)).join('\n')
}

function renderFacts(block: Extract<Block, { kind: 'facts' }>, options: RenderOptions): string {
  const lines: string[] = []
  if (block.title) lines.push(...wrap(paint(block.title, ['bold'], options.color), options.width))
  lines.push(
    ...keyValueLines(
      block.items.map(([label, value]) => [label, inlineText(value, options)]),
      options,
    ),
  )
  return lines.join('\n')
}

/**
 * Label/value lines, values wrapped beside their labels; on a terminal too narrow for that, each label on its
 * own line with its value under it, so no value is squeezed into a sliver.
 */
function keyValueLines(items: readonly (readonly [string, string])[], options: RenderOptions): string[] {
  const labelWidth = Math.min(28, Math.max(0, ...items.map(([label]) => visibleLength(label))))
  const valueWidth = options.width - labelWidth - 4
  const longestValue = Math.max(0, ...items.map(([, value]) => visibleLength(value)))
  const beside = valueWidth >= Math.min(narrowValueWidth, longestValue)
  const lines: string[] = []
  for (const [label, value] of items) {
    if (!beside) {
      lines.push(...wrap(paint(label, ['dim'], options.color), options.width))
      lines.push(...wrap(value, options.width - 2).map((line) => `  ${line}`))
      continue
    }
    wrap(value, valueWidth).forEach((line, i) => {
      const left = i === 0 ? label.padEnd(labelWidth) : ''.padEnd(labelWidth)
      lines.push(`  ${paint(left, ['dim'], options.color)}  ${line}`)
    })
  }
  return lines
}

function cellText(value: Cell): string {
  if (value === null) return '–'
  if (typeof value === 'number' || typeof value === 'bigint') return formatCount(value)
  return value
}

function renderTable(block: Extract<Block, { kind: 'table' }>, options: RenderOptions): string {
  const align = block.columns.map(
    (_, i) => block.align?.[i] ?? (block.rows.some((r) => typeof r[i] === 'number' || typeof r[i] === 'bigint') ? 'right' : 'left'),
  )
  const texts = block.rows.map((row) => block.columns.map((_, i) => cellText(row[i] ?? null)))
  const natural = block.columns.map((column, i) => Math.max(visibleLength(column), ...texts.map((row) => visibleLength(row[i]!))))
  const gap = 2
  const available = options.width - gap * (block.columns.length - 1)
  // Columns may wrap their words, never split them: a table that cannot fit that way is shown one field per line.
  // A table that fits as it is (always with no hard width) needs no word measured: no word is wider than its text.
  const fits = natural.reduce((a, b) => a + b, 0) <= available
  const longestWord = fits
    ? natural
    : block.columns.map((column, i) => Math.max(...[column, ...texts.map((row) => row[i]!)].flatMap((text) => text.split(/\s+/).map(visibleLength))))
  if (longestWord.reduce((a, b) => a + b, 0) > available) return renderStackedTable(block, texts, options)
  const colWidths = fitWidths(natural, longestWord, available)
  // Borderless, like kubectl or psql: scannable at 100 columns; a rule under the header replaces box lines.
  const laidOut = layoutTable({
    head: block.columns.map((c) => paint(c, ['bold'], options.color)),
    rows: texts,
    colWidths,
    aligns: align,
    gap: ' '.repeat(gap),
  })
  const parts: string[] = []
  if (block.title) parts.push(paint(block.title, ['bold'], options.color))
  const [header = '', ...body] = laidOut.split('\n')
  const rule = colWidths.map((w) => '─'.repeat(w)).join(' '.repeat(gap))
  parts.push([header, paint(rule, ['dim'], options.color), ...body].join('\n'))
  if (block.footer) parts.push(wrap(inlineText(block.footer, options), options.width).join('\n'))
  return parts.join('\n')
}

/** Shrinks the widest columns until the table fits, each no narrower than its longest word. */
function fitWidths(natural: readonly number[], minimum: readonly number[], available: number): number[] {
  const widths = [...natural]
  let total = widths.reduce((a, b) => a + b, 0)
  while (total > available) {
    const shrinkable = widths.map((w, i) => (w > minimum[i]! ? w : -1))
    const widest = shrinkable.indexOf(Math.max(...shrinkable))
    if (shrinkable[widest]! < 0) break
    widths[widest]!--
    total--
  }
  return widths
}

/** A table for a narrow terminal: each row as "column  value" lines, rows apart, as kubectl's describe does. */
function renderStackedTable(block: Extract<Block, { kind: 'table' }>, texts: readonly (readonly string[])[], options: RenderOptions): string {
  const parts: string[] = []
  if (block.title) parts.push(wrap(paint(block.title, ['bold'], options.color), options.width).join('\n'))
  for (const row of texts)
    parts.push(
      keyValueLines(
        block.columns.map((column, i) => [column || '·', row[i] ?? '–'] as const),
        options,
      ).join('\n'),
    )
  if (block.footer) parts.push(wrap(inlineText(block.footer, options), options.width).join('\n'))
  return parts.join('\n\n')
}

// --- Markdown ---------------------------------------------------------------------------------

/** Markdown → terminal text: headings, paragraphs, lists, code, quotes, emphasis; wrapped to width. */
export function renderMarkdown(text: string, options: RenderOptions): string {
  return renderMarkdownTokens(lexSimpleMarkdown(text) ?? marked().lexer(text), options)
}

/** Lexed Markdown → terminal text (renderMarkdown's second half; tests give it marked's own tokens). */
export function renderMarkdownTokens(tokens: readonly Token[], options: RenderOptions): string {
  return renderTokens(tokens, options, options.width)
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim()
}

function renderTokens(tokens: readonly Token[], options: RenderOptions, width: number): string[] {
  const out: string[] = []
  for (const token of tokens) {
    switch (token.type) {
      case 'heading': {
        const heading = token as Tokens.Heading
        const styles: Style[] = heading.depth <= 2 ? ['bold', 'underline'] : ['bold']
        out.push(paint(inline(heading.tokens, options), styles, options.color), '')
        break
      }
      case 'paragraph':
        out.push(...wrap(inline((token as Tokens.Paragraph).tokens, options), width), '')
        break
      case 'text': {
        const t = token as Tokens.Text
        out.push(...wrap(t.tokens ? inline(t.tokens, options) : t.text, width))
        break
      }
      case 'list': {
        const list = token as Tokens.List
        list.items.forEach((item, index) => {
          const bullet = list.ordered ? `${Number(list.start || 1) + index}.` : '•'
          const body = renderTokens(item.tokens, options, width - bullet.length - 3).filter((line, i, all) => !(line === '' && i === all.length - 1))
          body.forEach((line, i) => out.push(i === 0 ? `  ${bullet} ${line}` : `  ${' '.repeat(bullet.length)} ${line}`))
        })
        out.push('')
        break
      }
      case 'code':
        for (const line of (token as Tokens.Code).text.split('\n')) out.push('    ' + paint(line, ['cyan'], options.color))
        out.push('')
        break
      case 'blockquote': {
        const quote = renderTokens((token as Tokens.Blockquote).tokens, options, width - 4)
        for (const line of quote) out.push(paint('  │ ', ['dim'], options.color) + line)
        out.push('')
        break
      }
      case 'hr':
        out.push(paint('─'.repeat(Math.min(width, 40)), ['dim'], options.color), '')
        break
      case 'table': {
        const t = token as Tokens.Table
        out.push(
          renderTable(
            {
              kind: 'table',
              columns: t.header.map((h) => inline(h.tokens, options)),
              rows: t.rows.map((row) => row.map((c) => inline(c.tokens, options))),
            },
            options,
          ),
          '',
        )
        break
      }
      case 'space':
        out.push('')
        break
      case 'html':
        out.push((token as Tokens.HTML).text.trim())
        break
      default:
        if ('text' in token && typeof token.text === 'string') out.push(...wrap(token.text, width))
    }
  }
  return out
}

/** One line of inline Markdown (a notice, a fact, a footer) → terminal text. */
export function inlineText(text: string, options: RenderOptions): string {
  const ahead = options.lexedInline && Object.hasOwn(options.lexedInline, text) ? (options.lexedInline[text] as Token[]) : undefined
  return inline(lexSimpleInline(text) ?? ahead ?? marked().Lexer.lexInline(text), options)
}

/** Lexed inline Markdown → terminal text (tests give it marked's own tokens). */
export function renderInlineTokens(tokens: readonly Token[], options: RenderOptions): string {
  return inline(tokens, options)
}

function inline(tokens: readonly Token[] | undefined, options: RenderOptions): string {
  if (!tokens) return ''
  return tokens
    .map((token) => {
      switch (token.type) {
        case 'strong':
          return paint(inline((token as Tokens.Strong).tokens, options), ['bold'], options.color)
        case 'em':
          return paint(inline((token as Tokens.Em).tokens, options), ['italic'], options.color)
        case 'codespan':
          return paint(decodeEntities((token as Tokens.Codespan).text), ['cyan'], options.color)
        case 'link': {
          const link = token as Tokens.Link
          const label = inline(link.tokens, options)
          return label === link.href ? paint(label, ['underline'], options.color) : `${label} (${paint(link.href, ['underline'], options.color)})`
        }
        case 'del':
          return inline((token as Tokens.Del).tokens, options)
        case 'br':
          return '\n'
        case 'text': {
          const t = token as Tokens.Text
          return t.tokens ? inline(t.tokens, options) : decodeEntities(t.text)
        }
        case 'escape':
          return (token as Tokens.Escape).text
        default:
          return 'text' in token && typeof token.text === 'string' ? decodeEntities(token.text) : token.raw
      }
    })
    .join('')
}

function decodeEntities(text: string): string {
  if (!text.includes('&')) return text
  return text.replace(/&(amp|lt|gt|quot|#39);/g, (_m, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[e] ?? _m)
}

/** Word-wraps one logical line (which may hold ANSI codes and explicit newlines) to width. */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = []
  for (const paragraph of text.split('\n')) {
    // What the words make on one line (leading blanks dropped, each run of blanks one space): when that fits, it is
    // the whole answer — with no hard width (a pipe, a file) always — and the word-by-word pass is skipped.
    const oneLine = paragraph.replace(/ +/g, ' ').replace(/^ /, '')
    if (visibleLength(oneLine) <= width) {
      lines.push(oneLine)
      continue
    }
    const words = paragraph.split(/ +/)
    let line = ''
    // The line's length is kept as it grows: measuring it again for every word made long paragraphs quadratic.
    let used = 0
    for (const word of words) {
      const length = visibleLength(word)
      if (line === '') {
        line = word
        used = length
      } else if (used + 1 + length <= width) {
        line += ' ' + word
        used += 1 + length
      } else {
        lines.push(line)
        line = word
        used = length
      }
    }
    lines.push(line)
  }
  return lines
}
