// A lexer for the Markdown most blocks hold — paragraphs, "- " bullet lists, `code` and **bold** — that gives
// the very tokens marked's lexer gives for it, so a command prints without loading marked (~20-40 ms on a cold
// start). Anything it is not sure of (links, emphasis with _ or single *, headings, HTML, escapes, autolinks…)
// returns null and the caller lexes with marked. test/terminal/simple-markdown.test.ts holds the two equal.

import type { Token } from 'marked'

// Characters whose Markdown meaning this lexer does not handle: escapes, HTML and autolinks, links and images,
// entities, emphasis, strikethrough, tables, e-mail autolinks.
const unhandled = /[\\<>[\]!&_~|@\t\r]|:\/\/|www\./i
// A line that could start a block other than a paragraph: heading, quote, list, rule, fence, setext underline,
// indent (a line opening with **bold** does not).
const blockStart = /^(?:[#>+=\-_|<]|\*(?!\*[^*\s])|```|~~~|\d+[.)]|\s)/

/** Inline tokens for text of plain words, `code` and **bold**; null for anything else. */
export function lexSimpleInline(text: string): Token[] | null {
  const tokens: Token[] = []
  let plain = ''
  const flush = () => {
    if (plain) tokens.push({ type: 'text', raw: plain, text: plain, escaped: false })
    plain = ''
  }
  let i = 0
  while (i < text.length) {
    const char = text[i]!
    if (char === '`') {
      const end = text.indexOf('`', i + 1)
      if (end < 0) return null
      const code = text.slice(i + 1, end)
      // Code spans that marked trims, joins across lines or delimits with longer runs are left to it.
      if (code === '' || code.startsWith(' ') || code.endsWith(' ') || code.includes('\n') || text[end + 1] === '`') return null
      flush()
      tokens.push({ type: 'codespan', raw: `\`${code}\``, text: code })
      i = end + 1
      continue
    }
    if (char === '*') {
      const strong = strongAt(text, i)
      if (!strong) return null
      flush()
      tokens.push({ type: 'strong', raw: `**${strong}**`, text: strong, tokens: [{ type: 'text', raw: strong, text: strong, escaped: false }] })
      i += strong.length + 4
      continue
    }
    if (char === '\n' && plain.endsWith(' ')) return null // a hard line break ("  \n")
    plain += char
    i++
  }
  flush()
  // Code spans become a space, not nothing, so that an underscore beside one is not taken for an inner one.
  return unhandled.test(text.replace(/`[^`\n]*`/g, ' ').replace(innerUnderscores, '')) ? null : tokens
}

// Underscores between two letters or digits (a cluster id such as xPWgEW0v79_Hb0EYCsSvvA, a topic such as
// orders_v2) can neither open nor close emphasis (CommonMark's flanking rules): they are plain text, and a status
// report whose cluster id holds one need not load marked for it. Any other underscore is still left to marked.
// ASCII only, as cluster ids and topic names are: a \p{L} class costs a millisecond to compile on a cold start.
const innerUnderscores = /(?<=[A-Za-z0-9])_+(?=[A-Za-z0-9])/g

/** "**words**" at `i`, opening after a space (or at the start) and closing before a space or punctuation. */
function strongAt(text: string, i: number): string | null {
  if (text[i + 1] !== '*' || (i > 0 && text[i - 1] !== ' ')) return null
  const close = text.indexOf('**', i + 2)
  if (close < 0) return null
  const inner = text.slice(i + 2, close)
  if (!/^[\p{L}\p{N}](?:[^*`\n]*[\p{L}\p{N}])?$/u.test(inner)) return null
  const after = text[close + 2]
  return after === undefined || /[ .,:;!?)]/.test(after) ? inner : null
}

/** Block tokens for paragraphs and tight "- " lists separated by blank lines; null for anything else. */
export function lexSimpleMarkdown(text: string): Token[] | null {
  const tokens: Token[] = []
  const chunks = text.replace(/\n+$/, '').split(/\n\n+/)
  let afterList = false
  for (const [index, chunk] of chunks.entries()) {
    if (index > 0) tokens.push({ type: 'space', raw: '\n\n' })
    const lines = chunk.split('\n')
    if (lines.some((line) => line === '' || line.trim() !== line)) return null
    const isList = lines.every((line) => line.startsWith('- '))
    // Items after a blank line continue the list above as a loose one.
    if (isList && afterList) return null
    afterList = isList
    if (isList) {
      const items = lines.map((line) => line.slice(2))
      const inline = items.map((item) => (blockStart.test(item) ? null : lexSimpleInline(item)))
      if (inline.some((t) => t === null)) return null
      tokens.push({
        type: 'list',
        raw: chunk,
        ordered: false,
        start: '',
        loose: false,
        items: items.map((item, i) => ({
          type: 'list_item',
          raw: `- ${item}`,
          task: false,
          loose: false,
          text: item,
          tokens: [{ type: 'text', raw: item, text: item, tokens: inline[i]! }],
        })),
      })
      continue
    }
    if (lines.some((line) => blockStart.test(line))) return null
    const inline = lexSimpleInline(chunk)
    if (!inline) return null
    tokens.push({ type: 'paragraph', raw: chunk, text: chunk, tokens: inline })
  }
  return tokens
}
