import { describe, expect, it } from 'vitest'
import { markdown, notice, table } from '../../lib/engine/blocks.ts'
import { blocksToMarkdown } from '../../lib/engine/markdown.ts'
import { colorEnabled, renderBlocks, visibleLength } from '../../lib/terminal/render.ts'

describe('terminal rendering', () => {
  it('keeps every line within the width, tables included', () => {
    const long = 'word '.repeat(80)
    const rows = Array.from({ length: 5 }, (_, i) => [`topic-with-a-rather-long-name-${i}`, i, BigInt(i) * 1_000_000n, long])
    const text = renderBlocks([markdown(long), table(['Topic', 'P', 'Offset', 'Notes'], rows)], { color: true, width: 60 })
    for (const line of text.split('\n')) expect(visibleLength(line)).toBeLessThanOrEqual(60)
    expect(text).toContain('1,000,000')
  })

  it('uses no colour codes when colour is off', () => {
    const text = renderBlocks([markdown('**bold** and `code`'), notice('danger', 'careful')], { color: false, width: 80 })
    expect(text).not.toContain('\u001b[')
    expect(text).toContain('bold and code')
  })

  it('honours NO_COLOR and non-terminals', () => {
    expect(colorEnabled({ isTTY: true }, { NO_COLOR: '1' })).toBe(false)
    expect(colorEnabled({ isTTY: false }, {})).toBe(false)
    expect(colorEnabled({ isTTY: true }, {})).toBe(true)
  })
})

describe('notebook Markdown', () => {
  it('renders tables with numbers right-aligned and pipes escaped', () => {
    expect(blocksToMarkdown([table(['Name', 'Count'], [['a|b', 1234n]])])).toBe('| Name | Count |\n| --- | ---: |\n| a\\|b | 1,234 |')
  })
})

describe('tables with an optional column', () => {
  it('drop a column that has no header and no value, on screen and in the notebook', () => {
    const block = table(
      ['Partition', 'Replay', ''],
      [
        ['t-0', 5n, null],
        ['t-1', 7n, ''],
      ],
    )
    expect(renderBlocks([block], { color: false, width: 80 }).split('\n')[1]).toBe('─────────  ──────')
    expect(blocksToMarkdown([block])).toBe('| Partition | Replay |\n| --- | ---: |\n| t-0 | 5 |\n| t-1 | 7 |')
    const noted = table(['Partition', ''], [['t-0', 'below the log start']])
    expect(blocksToMarkdown([noted])).toContain('| t-0 | below the log start |')
  })
})
