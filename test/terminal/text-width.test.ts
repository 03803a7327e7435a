// The fast path the table layout takes must give string-width's answer wherever it answers.

import { createRequire } from 'node:module'
import { describe, expect, it } from 'vitest'
import { fastTextWidth } from '../../lib/terminal/text-width.ts'

// string-width, as the table layout's fallback uses it.
const require = createRequire(import.meta.url)
const stringWidth = require('string-width') as (text: string) => number
const emojiRegex = createRequire(require.resolve('string-width'))('emoji-regex') as () => RegExp

const fastRange: string[] = []
for (let code = 0x20; code < 0x20d0; code++) if (code < 0x7f || code > 0x9f) fastRange.push(String.fromCharCode(code))

describe('fastTextWidth', () => {
  it('holds no emoji in its range: no character alone, nor any pair starting with one of the emoji bases in it, matches string-width’s pattern', () => {
    for (const a of fastRange) expect(emojiRegex().test(a), a).toBe(false)
    // A sequence starts with a character that can be an emoji by itself or with a modifier (keycaps, ©, ®, ‼, ⁉).
    for (const a of [...'#*0123456789©®', '\u203c', '\u2049']) for (const b of fastRange) if (emojiRegex().test(a + b)) expect.fail(`${a}${b} holds an emoji`)
  })

  it('counts every character of its range as string-width does, and random strings of them', () => {
    for (const c of fastRange) expect(fastTextWidth(c), c.charCodeAt(0).toString(16)).toBe(stringWidth(c))
    let state = 7
    for (let i = 0; i < 2000; i++) {
      let text = ''
      for (let n = 0; n < 1 + (i % 30); n++) {
        state = (state * 1103515245 + 12345) % 2 ** 31
        text += fastRange[state % fastRange.length]
      }
      expect(fastTextWidth(text)).toBe(stringWidth(text))
    }
  })

  it.each([
    ['an emoji', 'ok 😀'],
    ['a dingbat string-width may widen', 'done ✔'],
    ['a colour code', '\u001b[31mred\u001b[39m'],
    ['a CJK character', '漢字'],
    ['a control character', 'tab\there'],
  ])('leaves %s to string-width', (_what, text) => {
    expect(fastTextWidth(text)).toBeNull()
  })
})
