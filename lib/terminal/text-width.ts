// How many columns a string takes, for the common case, without string-width's emoji regular expression: its
// first use compiles a pattern of thousands of alternatives, ~5-20 ms of every command that prints a table.
// A string holding no control character and nothing from U+20D0 on holds no emoji (checked against
// emoji-regex, singles and pairs: test/terminal/text-width.test.ts), so string-width's own count applies
// unchanged. The table layout (table-layout.ts) asks this first.

/** string-width's answer for strings in the fast range; null for any other (ask string-width). */
export function fastTextWidth(text: unknown): number | null {
  if (typeof text !== 'string') return null
  let width = 0
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f) || code >= 0x20d0) return null
    // Combining diacritical marks take no column; Hangul Jamo initials take two (is-fullwidth-code-point).
    if (code >= 0x300 && code <= 0x36f) continue
    width += code >= 0x1100 && code <= 0x115f ? 2 : 1
  }
  return width
}
