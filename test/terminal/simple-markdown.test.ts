// The simple lexer must render exactly as marked does wherever it answers, and leave everything else to marked.

import { marked } from 'marked'
import { describe, expect, it } from 'vitest'
import { lexSimpleInline, lexSimpleMarkdown } from '../../lib/terminal/simple-markdown.ts'
import { inlineText, renderInlineTokens, renderMarkdown, renderMarkdownTokens } from '../../lib/terminal/render.ts'

const looks = [
  { color: false, width: 100 },
  { color: true, width: 40 },
]

const viaMarked = (text: string, options: (typeof looks)[number]) => renderMarkdownTokens(marked.lexer(text), options)
const inlineViaMarked = (text: string, options: (typeof looks)[number]) => renderInlineTokens(marked.Lexer.lexInline(text), options)

// What the commands print: status, list, sessions, drills.
const texts = [
  '**What to run**\n\n- `runbook run isr-shrink` — 1,000 partitions under min ISR (acks=all writes fail there)\n- `runbook run durability-audit` — 3 findings (1 high) on 2 topics that can lose or block acknowledged writes',
  'Run one with `runbook run <id>`; read it first with `runbook show <id>`.',
  'Durability audit: 1 high, 2 medium, 0 low — worst: one replica — a broker loss takes the only copy: topic orders',
  'and 1,234 more in 5 other groups (--json lists every one)',
  'Sessions in /tmp/x. Undo one with `runbook undo <session>`.',
  'All 10,000 partitions have a live leader and a full ISR.',
  'line one\nline two, with `code` and **bold text**.',
  'A paragraph.\n\nAnother one, then a list:\n\n- one\n- two `x`\n- three **four**.',
  'Plain words (in parentheses), with — dashes – and quotes "like this" and it’s fine; 3 = 3.',
  '`c&amp;<x>` and `a_b*c*` and `[not a link](x)`',
  // A cluster id (base64url: about one in three holds an underscore) and topic names in snake case.
  'xPWgEW0v79_Hb0EYCsSvvA',
  'topics orders_v2, billing__events and é9_x in **snake_case** — 3_000 partitions',
]

// Inputs built to trip a lexer: plain pieces, and every piece marked gives a meaning to, in random order.
const plainPieces = ['a', 'word', ' ', '\n', '\n\n', '`x`', '**b**', '- ', '.', ',', ':', ')', '(', '—', 'é', '9', '=']
const trickyPieces = [
  '  ',
  '`',
  '` x `',
  '``',
  '**',
  '*',
  '*i*',
  '_',
  '__',
  '- ',
  '-',
  '* ',
  '+ ',
  '1. ',
  '2) ',
  '#',
  '# ',
  '>',
  '> ',
  '=',
  '---',
  '```',
  '    ',
  '\t',
  '[',
  ']',
  '(x)',
  '!',
  '<b>',
  '&amp;',
  '&',
  '"',
  "'",
  '\\',
  '~',
  '~~',
  '|',
  '@',
  'a@b.io',
  'http://x.io',
  'www.x.io',
  '1.',
]

function randomText(seed: number, length: number): string {
  let state = seed
  const next = () => {
    state = (state * 1103515245 + 12345) % 2 ** 31
    return state
  }
  let text = ''
  for (let i = 0; i < length; i++) {
    const from = next() % 4 === 0 ? trickyPieces : plainPieces
    text += from[next() % from.length]
  }
  return text
}

describe('the simple Markdown lexer', () => {
  it.each(texts)('renders %j exactly as marked does', (text) => {
    expect(lexSimpleMarkdown(text)).not.toBeNull()
    for (const look of looks) expect(renderMarkdown(text, look)).toBe(viaMarked(text, look))
    if (!text.includes('\n')) {
      expect(lexSimpleInline(text)).not.toBeNull()
      for (const look of looks) expect(inlineText(text, look)).toBe(inlineViaMarked(text, look))
    }
  })

  it('renders random text as marked does wherever it answers, and answers often enough to matter', () => {
    let blocks = 0
    let inlines = 0
    const samples = 6000
    for (let seed = 1; seed <= samples; seed++) {
      const text = randomText(seed, 1 + (seed % 12))
      if (lexSimpleMarkdown(text)) {
        blocks++
        for (const look of looks) expect(renderMarkdown(text, look), JSON.stringify(text)).toBe(viaMarked(text, look))
      }
      if (lexSimpleInline(text)) {
        inlines++
        for (const look of looks) expect(inlineText(text, look), JSON.stringify(text)).toBe(inlineViaMarked(text, look))
      }
    }
    // Most random texts hold something only marked handles; these floors keep the comparison meaningful.
    expect(blocks).toBeGreaterThan(samples / 20)
    expect(inlines).toBeGreaterThan(samples / 10)
  })

  it.each([
    ['a link', 'see [the docs](https://kafka.apache.org)'],
    ['emphasis with underscores', 'the __consumer_offsets topic'],
    ['a heading', '# Title'],
    ['a numbered list', '1. first\n2. second'],
    ['a loose list', '- one\n\n- two'],
    ['a hard line break', 'one  \ntwo'],
    ['an escape', 'not \\*emphasis\\*'],
    ['an unclosed code span', 'it `opens'],
    ['underscores at a word edge', '_lead and trail_ and a _b_ c'],
    ['underscores beside a code span', 'a`x`_b_ c'],
  ])('leaves %s to marked', (_what, text) => {
    expect(lexSimpleMarkdown(text)).toBeNull()
    for (const look of looks) expect(renderMarkdown(text, look)).toBe(viaMarked(text, look))
  })
})
