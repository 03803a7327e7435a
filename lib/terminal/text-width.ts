// How many columns a string takes, for the common case, without string-width's emoji regular expression: its
// first use compiles a pattern of thousands of alternatives, ~5-20 ms of every command that prints a table.
// A string holding no control character and nothing from U+20D0 on holds no emoji (checked against
// emoji-regex, singles and pairs: test/terminal/text-width.test.ts), so string-width's own count applies
// unchanged. The table layout (table-layout.ts) asks this first.
//
// Asked by regular expressions rather than a loop over the characters: a command that starts, prints and ends
// runs the loop cold, in Bun's interpreter (rendering `runbook list`'s one table took ~7 ms of its ~28 ms of CPU),
// where a compiled pattern scans the whole string at once.

// eslint-disable-next-line no-control-regex, no-misleading-character-class -- control characters and a range from a combining mark on, each character alone
const outsideFastRange = /[\u0000-\u001f\u007f-\u009f\u20d0-\uffff]/
// Combining diacritical marks take no column; Hangul Jamo initials take two (is-fullwidth-code-point).
const notOneColumn = /[\u0300-\u036f\u1100-\u115f]/

/** string-width's answer for strings in the fast range; null for any other (ask string-width). */
export function fastTextWidth(text: unknown): number | null {
  if (typeof text !== 'string' || outsideFastRange.test(text)) return null
  if (!notOneColumn.test(text)) return text.length
  let width = 0
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code >= 0x300 && code <= 0x36f) continue
    width += code >= 0x1100 && code <= 0x115f ? 2 : 1
  }
  return width
}
