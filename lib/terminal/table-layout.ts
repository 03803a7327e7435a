// A borderless table laid out line by line: the header and rows, each cell word-wrapped to its column's width,
// padded by its alignment and separated by a gap — the very text cli-table3 gives for the options the renderer
// used to pass it (no borders, no padding, word wrap on word boundaries, top-aligned cells), without loading
// its 25 bundled modules (~40 ms of every cold `runbook list`, `show` and `sessions`). Colour codes are carried
// across wrapped lines and closed at each line's end as cli-table3 does. test/terminal/table-layout.test.ts holds
// the two equal on random tables.

import { fastTextWidth } from './text-width.ts'

export interface TableLayout {
  readonly head: readonly string[]
  readonly rows: readonly (readonly string[])[]
  /** Each column's width in terminal columns; 0 leaves the column unwrapped (and one column wide). */
  readonly colWidths: readonly number[]
  readonly aligns: readonly ('left' | 'right' | 'center')[]
  /** What separates two columns. */
  readonly gap: string
}

/** The table's lines, header first (an empty header is left out), joined by newlines; one cell per column in each row. */
export function layoutTable(table: TableLayout): string {
  const rows = table.head.length > 0 ? [table.head, ...table.rows] : table.rows
  const drawn = table.colWidths.map((width) => Math.max(1, width))
  const out: string[] = []
  for (const row of rows) {
    // A row whose cells are each one line of plain text that fits its column (with no hard width, nearly every
    // row) is padded as it is: wrapping, carrying styles and cutting would leave it unchanged, and each is one more
    // pass over the text, run cold in a command that starts, prints and ends.
    const plain = table.colWidths.map((width, x) => plainWidth(row[x] ?? '', width))
    if (plain.every((width) => width !== null)) {
      const line = drawn.map((width, x) => padPlain(row[x] ?? '', plain[x]!, width, table.aligns[x] ?? 'left')).join(table.gap)
      if (line !== '') out.push(line)
      continue
    }
    const cells = table.colWidths.map((width, x) => {
      const content = row[x] ?? ''
      return carryStyles(width > 0 ? wrapWords(content, width) : content.split('\n'))
    })
    const height = Math.max(1, ...cells.map((lines) => lines.length))
    for (let n = 0; n < height; n++) {
      let line = ''
      drawn.forEach((width, x) => {
        if (x > 0) line += table.gap
        const text = cells[x]![n]
        line += text === undefined ? ' '.repeat(width) : pad(truncate(text, width), width, table.aligns[x] ?? 'left')
      })
      if (line !== '') out.push(line)
    }
  }
  return out.join('\n')
}

// --- widths -------------------------------------------------------------------------------------

// The colour codes cli-table3 recognises (SGR with up to six parameters); terminals' other escapes count as text.
const sgr = /\u001b\[(?:\d*;){0,5}\d*m/g // eslint-disable-line no-control-regex -- colour codes are what it matches

let stringWidthModule: ((text: string) => number) | undefined
/** string-width (the emoji and East Asian widths), loaded (with node:module) only for text outside fastTextWidth's range. */
const stringWidth = (text: string): number =>
  fastTextWidth(text) ??
  (stringWidthModule ??= process.getBuiltinModule('node:module').createRequire(import.meta.url)('string-width') as (text: string) => number)(text)

/** Columns a cell's text takes: its widest line, colour codes left out. */
export function textWidth(text: string): number {
  const plain = text.includes('\u001b') ? text.replace(sgr, '') : text
  let widest = 0
  for (const line of plain.split('\n')) widest = Math.max(widest, stringWidth(line))
  return widest
}

// --- wrapping -----------------------------------------------------------------------------------

/** Words onto lines of at most `width` columns, keeping the spaces between words of a line as they were. */
function wrapWords(text: string, width: number): string[] {
  const lines: string[] = []
  for (const paragraph of text.split('\n')) {
    // A line that fits stays as it is (wrapped word by word it would come out the same): with no hard width — a
    // pipe, a file — that is every line, and the word-by-word pass was a third of a cold `runbook list`.
    // Only for plain spaces between words: the pass counts any other blank as one column, whatever its width.
    if (!/[^\S ]/.test(paragraph) && textWidth(paragraph) <= width) {
      if (textWidth(paragraph.replaceAll(' ', '')) > 0) lines.push(paragraph)
      continue
    }
    const parts = paragraph.split(/(\s+)/)
    let line = ''
    let used = 0
    let space = ''
    for (let i = 0; i < parts.length; i += 2) {
      const word = parts[i]!
      const wordWidth = textWidth(word)
      const joined = used + wordWidth + (used > 0 ? space.length : 0)
      if (joined > width) {
        if (used !== 0) lines.push(line)
        line = word
        used = wordWidth
      } else {
        line += space + word
        used = joined
      }
      space = parts[i + 1] ?? ''
    }
    // A line of nothing visible (an empty cell, blanks only) is dropped, as cli-table3 drops it.
    if (used > 0) lines.push(line)
  }
  return lines
}

// --- colour across lines ------------------------------------------------------------------------

// Styles cli-table3 tracks by name (its code cache); others, such as dim, are not reopened on the next line.
const named = new Map<string, { name: string; on: boolean }>()
const namedCodes = new Map<string, { on: string; off: string }>()
for (const [name, on, off] of [
  ['bold', 1, 22],
  ['italics', 3, 23],
  ['underline', 4, 24],
  ['inverse', 7, 27],
  ['strikethrough', 9, 29],
] as const) {
  named.set(`\u001b[${on}m`, { name, on: true })
  named.set(`\u001b[${off}m`, { name, on: false })
  namedCodes.set(name, { on: `\u001b[${on}m`, off: `\u001b[${off}m` })
}

interface StyleState {
  /** Named styles in the order they were first seen, each on or off. */
  readonly styles: Map<string, boolean>
  foreground?: string
  background?: string
}

function readStyles(line: string): StyleState {
  const state: StyleState = { styles: new Map() }
  for (const match of line.matchAll(/\u001b\[((?:\d*;){0,5}\d*)m/g)) applyCode(state, match[0], match[1]!) // eslint-disable-line no-control-regex -- colour codes
  return state
}

function applyCode(state: StyleState, code: string, params: string): void {
  const first = params ? parseInt(params.split(';')[0]!) : 0
  if ((first >= 30 && first <= 39) || (first >= 90 && first <= 97)) state.foreground = code
  else if ((first >= 40 && first <= 49) || (first >= 100 && first <= 107)) state.background = code
  else if (first === 0) {
    state.styles.clear()
    state.foreground = undefined
    state.background = undefined
  } else {
    const style = named.get(code)
    if (style) state.styles.set(style.name, style.on)
  }
}

/** The codes that reopen what `state` left open, to put before a line. */
function reopen(state: StyleState): string {
  let prefix = ''
  for (const [name, on] of state.styles) if (on) prefix = namedCodes.get(name)!.on + prefix
  if (state.background && state.background !== '\u001b[49m') prefix = state.background + prefix
  if (state.foreground && state.foreground !== '\u001b[39m') prefix = state.foreground + prefix
  return prefix
}

/** The codes that close what `state` leaves open, to put after a line. */
function close(state: StyleState): string {
  let suffix = ''
  for (const [name, on] of state.styles) if (on) suffix += namedCodes.get(name)!.off
  if (state.background && state.background !== '\u001b[49m') suffix += '\u001b[49m'
  if (state.foreground && state.foreground !== '\u001b[39m') suffix += '\u001b[39m'
  return suffix
}

/** Each wrapped line reopens the styles the line before left open and closes its own at its end. */
function carryStyles(lines: readonly string[]): string[] {
  if (!lines.some((line) => line.includes('\u001b'))) return [...lines]
  let state: StyleState = { styles: new Map() }
  return lines.map((line) => {
    const reopened = reopen(state) + line
    state = readStyles(reopened)
    return reopened + close(state)
  })
}

// --- a row that needs none of it ----------------------------------------------------------------

/** Columns taken by a cell of one line of plain text (no colour code, no blank but spaces) that fits `width`; else null. */
function plainWidth(text: string, width: number): number | null {
  if (width <= 0 || /[\u001b\n]|[^\S ]/.test(text)) return null // eslint-disable-line no-control-regex -- colour codes are what it looks for
  const columns = fastTextWidth(text)
  return columns !== null && columns <= width ? columns : null
}

/** What wrapWords, carryStyles, truncate and pad make of such a cell: blanks only leave the column empty. */
function padPlain(text: string, columns: number, width: number, align: 'left' | 'right' | 'center'): string {
  if (fastTextWidth(text.replaceAll(' ', '')) === 0) return ' '.repeat(width)
  const missing = width - columns
  if (missing <= 0) return text
  if (align === 'right') return ' '.repeat(missing) + text
  if (align === 'center') return ' '.repeat(Math.floor(missing / 2)) + text + ' '.repeat(Math.ceil(missing / 2))
  return text + ' '.repeat(missing)
}

// --- fitting a line into its column -------------------------------------------------------------

function pad(text: string, width: number, align: 'left' | 'right' | 'center'): string {
  const length = textWidth(text)
  // A line still wider than its column by two or more (wide characters after a cut) is left as it is.
  if (width + 1 < length) return text
  const missing = width - length
  if (missing <= 0) return text
  if (align === 'right') return ' '.repeat(missing) + text
  if (align === 'center') return ' '.repeat(Math.floor(missing / 2)) + text + ' '.repeat(Math.ceil(missing / 2))
  return text + ' '.repeat(missing)
}

/** A line wider than its column, cut to fit with a closing "…" (colour codes kept and closed). */
function truncate(text: string, width: number): string {
  if (textWidth(text) <= width) return text
  const room = width - 1
  const pieces = text.split(sgr)
  const codes = [...text.matchAll(/\u001b\[((?:\d*;){0,5}\d*)m/g)] // eslint-disable-line no-control-regex -- colour codes
  const state: StyleState = { styles: new Map() }
  let kept = ''
  let used = 0
  for (let i = 0; used < room; i++) {
    let piece = pieces[i]!
    if (used + textWidth(piece) > room) piece = cutToWidth(piece, room - used)
    kept += piece
    used += textWidth(piece)
    if (used < room) {
      const code = codes[i]
      if (!code) break // a wide character that does not fit leaves a column empty
      kept += code[0]
      applyCode(state, code[0], code[1]!)
    }
  }
  return kept + close(state) + '…'
}

function cutToWidth(text: string, width: number): string {
  if (text.length === textWidth(text)) return text.slice(0, width)
  let cut = text
  while (textWidth(cut) > width) cut = cut.slice(0, -1)
  return cut
}
