// Output a person can read on a 40-column terminal (tables and key/value lines one field per line), and output a
// script reads whole when stdout is not a terminal (nothing hard-wrapped).

import { describe, expect, it } from 'vitest'
import { facts, markdown, notice, table } from '../../lib/engine/blocks.ts'
import { renderBlocks, renderWidth, visibleLength } from '../../lib/terminal/render.ts'

const plan = table(
  ['Topic', 'Partition', 'Committed now', 'Rewind to', 'Replayed', 'Newest record at target'],
  [
    ['payments-settlement-eu', 0, 1_204_332n, 1_203_100n, 1_232n, '2026-11-24T03:12:00.000Z'],
    ['payments-settlement-eu', 1, 998_120n, 996_870n, 1_250n, '2026-11-24T03:12:00.412Z'],
  ],
  { title: 'Rewind of group billing-consumers', footer: 'Replays 2,482 records on 2 partitions, about 14 s of consumption at the recent rate.' },
)
const header = facts([
  ['Group', 'billing-consumers (consumer protocol, KIP-848)'],
  ['Members', '0 — the group is empty, so its offsets can be changed'],
  ['Committed offsets', 'read at 2026-11-24T03:20:11Z from the group coordinator, broker 2'],
])
const words = (text: string) => text.split(/\s+/).filter((w) => w !== '')

describe('narrow terminals', () => {
  it('stack a table that does not fit, one field per line, every line within 40 columns and no word split', () => {
    const text = renderBlocks([plan, header, notice('warn', 'The group must stay stopped until the rewind is applied and read back.')], {
      color: false,
      width: 40,
    })
    for (const line of text.split('\n')) expect(visibleLength(line), line).toBeLessThanOrEqual(40)
    expect(text).toContain('payments-settlement-eu')
    expect(text).toContain('2026-11-24T03:12:00.412Z')
    expect(text).not.toMatch(/─{10}/) // no table rule: the stacked layout
    const row = text.split('\n\n')[1]!.split('\n')
    expect(row.slice(0, 4)).toEqual(['Topic', '  payments-settlement-eu', 'Partition', '  0'])
    expect(text).toContain('Members\n  0 — the group is empty, so its offsets\n  can be changed')
  })

  it('the same blocks on a 100-column terminal stay a table with values beside their labels', () => {
    const text = renderBlocks([plan, header], { color: false, width: 100 })
    expect(text).toMatch(/Topic\s+Partition\s+Committed now/)
    expect(text).toMatch(/─{22}/)
    expect(text).toMatch(/^ {2}Members {12}0 — the group is empty/m)
  })

  it('a table squeezed into a middling width wraps its words but never splits one', () => {
    const squeezed = table(['Topic', 'Why'], [['orders', 'the follower on broker 3 stopped fetching 40 s ago: its process is hung']])
    const text = renderBlocks([squeezed], { color: false, width: 44 })
    expect(text.split('\n').slice(0, 2)).toEqual([expect.stringMatching(/^Topic +Why/), expect.stringMatching(/^─{6} +─+$/)]) // still a table
    expect(text.split('\n').length).toBeGreaterThan(3) // its long cell wrapped
    for (const line of text.split('\n')) expect(visibleLength(line)).toBeLessThanOrEqual(44)
    for (const word of words('the follower on broker 3 stopped fetching 40 s ago: its process is hung')) expect(words(text)).toContain(word)
  })
})

describe('output that is not a terminal', () => {
  it('is not hard-wrapped at all: a paragraph, a notice and a table row each stay on one line', () => {
    const width = renderWidth({ isTTY: false, columns: 100 })
    expect(width).toBe(Number.POSITIVE_INFINITY)
    const long = 'An acknowledgement is a promise about copies, and the producer chooses which promise it asks for: '.repeat(3).trim()
    const text = renderBlocks([markdown(long), notice('info', long), plan], { color: false, width })
    expect(text.split('\n')).toContain(long)
    expect(text.split('\n')).toContain(` i  ${long}`)
    expect(text.split('\n').some((line) => line.startsWith('payments-settlement-eu') && line.endsWith('2026-11-24T03:12:00.000Z'))).toBe(true)
  })

  it('a terminal renders at its own width, capped at 100', () => {
    expect(renderWidth({ isTTY: true, columns: 40 })).toBe(40)
    expect(renderWidth({ isTTY: true, columns: 240 })).toBe(100)
    expect(renderWidth({ isTTY: true })).toBe(80)
  })
})
