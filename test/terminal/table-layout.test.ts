// The table layout must give the text cli-table3 gives for the same table with the renderer's old options, on
// the awkward cases too: wrapped colour codes, wide and combining characters, emoji, words wider than their
// column (cut with …), blank cells, runs of spaces, explicit newlines, zero-width columns.

import Table from 'cli-table3'
import { describe, expect, it } from 'vitest'
import { layoutTable, textWidth, type TableLayout } from '../../lib/terminal/table-layout.ts'

function cliTable3(table: TableLayout): string {
  const rendered = new Table({
    head: [...table.head],
    colWidths: [...table.colWidths],
    colAligns: [...table.aligns],
    wordWrap: true,
    wrapOnWordBoundary: true,
    chars: {
      top: '',
      'top-mid': '',
      'top-left': '',
      'top-right': '',
      bottom: '',
      'bottom-mid': '',
      'bottom-left': '',
      'bottom-right': '',
      left: '',
      'left-mid': '',
      mid: '',
      'mid-mid': '',
      right: '',
      'right-mid': '',
      middle: table.gap,
    },
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 },
  })
  for (const row of table.rows) rendered.push([...row])
  return rendered.toString()
}

const esc = '\u001b['
const pieces = [
  'a',
  'word',
  'partitions',
  'under-min-isr',
  '12,345',
  '–',
  'é',
  'e\u0301',
  '漢字',
  'ｶﾀｶﾅ',
  '😀',
  '👍🏽',
  ' ',
  ' ',
  ' ',
  '   ',
  '\n',
  `${esc}1m`,
  `${esc}22m`,
  `${esc}2m`,
  `${esc}36m`,
  `${esc}39m`,
  `${esc}4m`,
  `${esc}24m`,
  `${esc}0m`,
  `${esc}41m`,
  `${esc}3m`,
]

function random(seed: number) {
  let state = seed
  return (n: number) => {
    state = (state * 1103515245 + 12345) % 2 ** 31
    return state % n
  }
}

function randomText(next: (n: number) => number): string {
  let text = ''
  const length = next(5) === 0 ? 0 : 1 + next(14)
  for (let i = 0; i < length; i++) text += pieces[next(pieces.length)]
  return text
}

function randomTable(seed: number): TableLayout {
  const next = random(seed)
  const columns = 1 + next(4)
  const head = Array.from({ length: columns }, () => (next(3) === 0 ? randomText(next) : ['Topic', 'Partitions', 'Lag', 'What it is for'][next(4)]!))
  const rows = Array.from({ length: next(5) }, () => Array.from({ length: columns }, () => randomText(next)))
  const natural = head.map((h, i) => Math.max(textWidth(h), ...rows.map((r) => textWidth(r[i]!))))
  // Mostly the renderer's case (room for the longest word, often less than the whole text); sometimes narrower.
  const colWidths = natural.map((width) => (next(10) === 0 ? 0 : Math.max(1, width - next(Math.max(1, width)))))
  const aligns = head.map(() => (['left', 'right', 'center'] as const)[next(3)]!)
  return { head, rows, colWidths, aligns, gap: next(2) === 0 ? '  ' : ' ' }
}

describe('layoutTable', () => {
  it('lays a plain table out as cli-table3 does', () => {
    const table: TableLayout = {
      head: ['Runbook', 'What it is for'],
      rows: [
        ['isr-shrink', 'Under-replicated partitions: find the broker that fell behind and bring it back'],
        ['poison-pill', 'A record that stops a consumer'],
      ],
      colWidths: [11, 30],
      aligns: ['left', 'left'],
      gap: '  ',
    }
    expect(layoutTable(table)).toBe(cliTable3(table))
    expect(layoutTable(table).split('\n')[1]).toBe('isr-shrink   Under-replicated partitions:  ')
  })

  // The renderer's case with no hard width (a pipe, a file): most rows are laid out without wrapping, and each
  // row's cells must still come out as cli-table3's, blank and zero-width cells included.
  it('gives cli-table3’s text on 1,000 random tables whose columns are as wide as their text', () => {
    for (let seed = 1; seed <= 1000; seed++) {
      const random = randomTable(seed)
      const natural = random.head.map((h, i) => Math.max(1, textWidth(h), ...random.rows.map((r) => textWidth(r[i]!))))
      const table = { ...random, colWidths: natural }
      expect(layoutTable(table), JSON.stringify(table)).toBe(cliTable3(table))
    }
    // Cells of blanks or of a combining mark alone: nothing visible, so the column is left empty.
    const zeroWidth = {
      ...randomTable(1),
      head: ['Topic', 'Lag'],
      rows: [
        ['\u0301', ' e\u0301 '],
        ['  ', ''],
      ],
      colWidths: [5, 3],
    }
    expect(layoutTable(zeroWidth)).toBe(cliTable3(zeroWidth))
  })

  it('gives cli-table3’s text on 1,000 random tables', () => {
    for (let seed = 1; seed <= 1000; seed++) {
      const table = randomTable(seed)
      expect(layoutTable(table), JSON.stringify(table)).toBe(cliTable3(table))
    }
  })
})
